/**
 * Validates an account request against the organization config and the live organization, then
 * computes the vending plan. Makes read-only calls only: a rejected request changes nothing.
 */
import { DescribeAccountCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrganizationConfig } from '../../config/schema';
import { awsErrorName, InputValidationError } from '../shared/errors';
import type { AccountRequest } from '../shared/schemas/account-request';
import { accountByEmail, accountTags, ouIdByPath, rethrowTransient, rootId } from '../shared/vending/org';
import { accountScpNames, computePlan, quarantinePolicyName, TAGS, type VendingPlan } from '../shared/vending/plan';

type Issue = { path: string; message: string };

/**
 * The checks that need only the config (no AWS call): OU allowed and known, name pattern, email
 * domain, SCP quota and quarantine policy. Returns every problem found.
 */
export function configIssues(
  request: AccountRequest,
  config: OrganizationConfig,
  options: { readonly enrollment?: boolean } = {},
): Issue[] {
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
  // an enrolled account keeps the name and email it has: only new accounts follow the naming rules
  if (!options.enrollment && !new RegExp(vending.accountNamePattern).test(request.name)) {
    issues.push({ path: 'name', message: `must match ${vending.accountNamePattern}` });
  }
  const domain = request.email.slice(request.email.lastIndexOf('@') + 1).toLowerCase();
  if (!options.enrollment && !vending.allowedEmailDomains.includes(domain)) {
    issues.push({
      path: 'email',
      message: `domain "${domain}" is not allowed; allowed: ${vending.allowedEmailDomains.join(', ')}`,
    });
  }
  if (request.vpcNetmaskLength !== undefined) {
    const network = config.network;
    const getsVpc =
      network && config.baselines.stackSets.some((s) => s.name === network.stackSet && s.ous.includes(request.ou));
    if (!getsVpc) {
      issues.push({
        path: 'vpcNetmaskLength',
        message: `accounts in "${request.ou}" get no VPC from vendguard (the network stack set does not target the OU)`,
      });
    }
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
  enroll?: { readonly accountId: string },
): Promise<VendingPlan> {
  const issues = configIssues(request, config, { enrollment: enroll !== undefined });
  if (issues.length) throw new InputValidationError('account request', issues);

  const root = await rootId(org);
  const ouId = await ouIdByPath(org, request.ou, root);
  if (!ouId) issues.push({ path: 'ou', message: `OU "${request.ou}" does not exist in the organization` });
  if (enroll) {
    issues.push(...(await enrollmentIssues(org, config, request, requestId, enroll.accountId)));
    if (issues.length || !ouId) throw new InputValidationError('account enrollment', issues);
    return computePlan(request, requestId, config, { ouId, rootId: root, enrollAccountId: enroll.accountId });
  }
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

/**
 * What stops an existing account from being enrolled: it is not in the organization, not ACTIVE,
 * its email is not the one given, it is a core account, or another request already vended or
 * enrolled it (its `vendguard:request-id` tag).
 */
async function enrollmentIssues(
  org: OrganizationsClient,
  config: OrganizationConfig,
  request: AccountRequest,
  requestId: string,
  accountId: string,
): Promise<Issue[]> {
  let account: { Email?: string; Status?: string } | undefined;
  try {
    account = (await org.send(new DescribeAccountCommand({ AccountId: accountId }))).Account;
  } catch (err) {
    if (awsErrorName(err) === 'AccountNotFoundException') {
      return [{ path: 'accountId', message: `account ${accountId} is not in the organization` }];
    }
    return rethrowTransient(err, `DescribeAccount ${accountId}`);
  }
  const issues: Issue[] = [];
  if (account?.Status !== 'ACTIVE') {
    issues.push({ path: 'accountId', message: `account ${accountId} is ${account?.Status ?? 'unknown'}, not ACTIVE` });
  }
  if ((account?.Email ?? '').toLowerCase() !== request.email.toLowerCase()) {
    issues.push({ path: 'email', message: `is not the email of account ${accountId}` });
  }
  const core = config.accounts.find((a) => a.email.toLowerCase() === (account?.Email ?? '').toLowerCase());
  if (core) {
    issues.push({ path: 'accountId', message: `account ${accountId} is the core account ${core.name}: not enrolled` });
  }
  const tagged = (await accountTags(org, accountId))[TAGS.requestId];
  if (tagged && tagged !== requestId) {
    issues.push({ path: 'accountId', message: `account ${accountId} is already vendguard's (request ${tagged})` });
  }
  return issues;
}
