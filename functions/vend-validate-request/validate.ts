/**
 * Validates an account request against the organization config and the live organization, then
 * computes the vending plan. Makes read-only calls only: a rejected request changes nothing.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrganizationConfig } from '../../config/schema';
import { InputValidationError } from '../shared/errors';
import type { AccountRequest } from '../shared/schemas/account-request';
import { accountByEmail, accountTags, ouIdByPath, rootId } from '../shared/vending/org';
import { accountScpNames, computePlan, quarantinePolicyName, TAGS, type VendingPlan } from '../shared/vending/plan';

type Issue = { path: string; message: string };

/**
 * The checks that need only the config (no AWS call): OU allowed and known, name pattern, email
 * domain, SCP quota and quarantine policy. Returns every problem found.
 */
export function configIssues(request: AccountRequest, config: OrganizationConfig): Issue[] {
  const issues: Issue[] = [];
  const { vending } = config;
  const knownOus = new Set(config.organizationalUnits.map((o) => o.path));
  if (!knownOus.has(request.ou)) {
    issues.push({ path: 'ou', message: `unknown OU "${request.ou}" (not in the organization config)` });
  } else if (!vending.allowedOus.includes(request.ou)) {
    issues.push({
      path: 'ou',
      message: `accounts cannot be vended into "${request.ou}"; allowed: ${vending.allowedOus.join(', ')}`,
    });
  }
  if (!new RegExp(vending.accountNamePattern).test(request.name)) {
    issues.push({ path: 'name', message: `must match ${vending.accountNamePattern}` });
  }
  const domain = request.email.slice(request.email.lastIndexOf('@') + 1).toLowerCase();
  if (!vending.allowedEmailDomains.includes(domain)) {
    issues.push({
      path: 'email',
      message: `domain "${domain}" is not allowed; allowed: ${vending.allowedEmailDomains.join(', ')}`,
    });
  }
  if (!quarantinePolicyName(config)) {
    issues.push({ path: 'ou', message: 'the organization config has no quarantine SCP (quarantine: true)' });
  }
  // FullAWSAccess and the quarantine policy are attached while the account SCPs are added.
  const needed = accountScpNames(config, request.ou).length + 2;
  if (needed > config.organization.scpQuotaPerTarget) {
    issues.push({
      path: 'ou',
      message: `accounts in "${request.ou}" would need ${needed} SCPs, above the quota of ${config.organization.scpQuotaPerTarget}`,
    });
  }
  return issues;
}

/**
 * Validates a request and computes its plan. Throws {@link InputValidationError} naming every bad
 * field, before any mutating call (and before any AWS call when the config alone rejects it).
 */
export async function validateRequest(
  org: OrganizationsClient,
  config: OrganizationConfig,
  request: AccountRequest,
  requestId: string,
): Promise<VendingPlan> {
  const issues = configIssues(request, config);
  if (issues.length) throw new InputValidationError('account request', issues);

  const root = await rootId(org);
  const ouId = await ouIdByPath(org, request.ou, root);
  if (!ouId) issues.push({ path: 'ou', message: `OU "${request.ou}" does not exist in the organization` });
  const existing = await accountByEmail(org, request.email);
  if (existing?.Id) {
    const tags = await accountTags(org, existing.Id);
    if (tags[TAGS.requestId] !== requestId) {
      issues.push({
        path: 'email',
        message: `already used by account ${existing.Id} (${existing.Name ?? 'unnamed'}), not created by request ${requestId}`,
      });
    }
  }
  if (issues.length || !ouId) throw new InputValidationError('account request', issues);
  return computePlan(request, requestId, config, { ouId, rootId: root });
}
