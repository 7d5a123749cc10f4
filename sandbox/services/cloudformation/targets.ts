import type { SandboxRuntime } from '../../core/types';
import { StackSetEngine } from './engine';
import { InsufficientCapabilitiesException, ValidationError } from './errors';
import type { DeploymentTargets, OperationPreferences, StackSetRecord } from './model';

/** Request validation and target resolution of the StackSets operations. */

/** A stack set name. */
export const NAME_RE = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The capability a template needs: named IAM resources need CAPABILITY_NAMED_IAM. */
export function requiredCapability(template: string): string | undefined {
  if (!/AWS::IAM::/.test(template)) return undefined;
  return /\b(RoleName|UserName|GroupName|ManagedPolicyName|InstanceProfileName)\b/.test(template)
    ? 'CAPABILITY_NAMED_IAM'
    : 'CAPABILITY_IAM';
}

/** Throws `InsufficientCapabilitiesException` when the template needs a capability not given. */
export function checkCapabilities(template: string, capabilities: readonly string[]): void {
  const needed = requiredCapability(template);
  if (!needed) return;
  const ok = needed === 'CAPABILITY_IAM' ? capabilities.some((c) => c.endsWith('IAM')) : capabilities.includes(needed);
  if (!ok) throw new InsufficientCapabilitiesException(needed);
}

/** Validates OperationPreferences (one of count/percentage) and drops unset fields. */
export function checkPreferences(prefs: OperationPreferences | undefined): OperationPreferences {
  const p = prefs ?? {};
  if (p.MaxConcurrentCount !== undefined && p.MaxConcurrentPercentage !== undefined) {
    throw new ValidationError('Only one of MaxConcurrentCount and MaxConcurrentPercentage can be specified');
  }
  if (p.FailureToleranceCount !== undefined && p.FailureTolerancePercentage !== undefined) {
    throw new ValidationError('Only one of FailureToleranceCount and FailureTolerancePercentage can be specified');
  }
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as OperationPreferences;
}

/** Throws `ValidationError` for a malformed region name. */
export function checkRegions(regions: readonly string[]): void {
  for (const r of regions) if (!REGION_RE.test(r)) throw new ValidationError(`Region ${r} is not a valid region`);
}

/**
 * Resolves the accounts of a request, as StackSets does: SELF_MANAGED takes account ids;
 * SERVICE_MANAGED takes OUs (every ACTIVE account below them, the management account excluded)
 * combined with `Accounts` by `AccountFilterType` (NONE, INTERSECTION, DIFFERENCE, UNION).
 */
export function resolveAccounts(
  runtime: SandboxRuntime,
  set: StackSetRecord,
  accounts: readonly string[] | undefined,
  targets: DeploymentTargets | undefined,
  allowAccountsOnly: boolean,
): { account: string; ou?: string }[] {
  if (set.PermissionModel === 'SELF_MANAGED') {
    if (targets?.OrganizationalUnitIds?.length) {
      throw new ValidationError('StackSets with SELF_MANAGED permission model can only have accounts as target');
    }
    const ids = [...new Set([...(accounts ?? []), ...(targets?.Accounts ?? [])])];
    if (ids.length === 0) throw new ValidationError('Accounts must be specified for a SELF_MANAGED stack set');
    StackSetEngine.checkAccounts(ids);
    return ids.map((account) => ({ account }));
  }
  if (accounts?.length) {
    throw new ValidationError(
      'StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target; use DeploymentTargets',
    );
  }
  const ous = targets?.OrganizationalUnitIds ?? [];
  const listed = targets?.Accounts ?? [];
  StackSetEngine.checkAccounts(listed);
  const filter = targets?.AccountFilterType ?? 'NONE';
  if (ous.length === 0) {
    if (listed.length > 0 && (allowAccountsOnly || filter === 'UNION')) return listed.map((account) => ({ account }));
    throw new ValidationError(
      'DeploymentTargets.OrganizationalUnitIds must be specified for a SERVICE_MANAGED stack set',
    );
  }
  if (listed.length > 0 && filter === 'NONE') {
    throw new ValidationError(
      'AccountFilterType must be INTERSECTION, DIFFERENCE or UNION when Accounts are specified',
    );
  }
  for (const ou of ous) {
    if (!/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/.test(ou)) {
      throw new ValidationError(`OrganizationalUnitId ${ou} is not valid`);
    }
  }
  const fromOus = new Map<string, string>();
  for (const ou of ous) {
    for (const account of runtime.organizations.accountIdsUnder(ou)) {
      if (account !== runtime.managementAccountId && !fromOus.has(account)) fromOus.set(account, ou);
    }
  }
  const wanted = new Set(listed);
  const pick = (account: string) => ({ account, ou: fromOus.get(account) as string });
  switch (filter) {
    case 'INTERSECTION':
      return [...fromOus.keys()].filter((a) => wanted.has(a)).map(pick);
    case 'DIFFERENCE':
      return [...fromOus.keys()].filter((a) => !wanted.has(a)).map(pick);
    case 'UNION':
      return [
        ...[...fromOus.keys()].map(pick),
        ...listed.filter((a) => !fromOus.has(a)).map((account) => ({ account })),
      ];
    default:
      return [...fromOus.keys()].map(pick);
  }
}

/** Every account in every region (regions first, as StackSets orders them). */
export function cross(accounts: { account: string; ou?: string }[], regions: readonly string[]) {
  return regions.flatMap((region) => accounts.map((a) => ({ ...a, region })));
}
