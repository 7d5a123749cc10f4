import type { SandboxRuntime } from '../../core/types';
import { type AssociationRecord, RAM_TABLES, type ShareRecord } from './model';

/**
 * The seam other services ask whether RAM shares a resource with an account (EC2's transit gateways:
 * `DescribeTransitGateways`, `CreateTransitGatewayVpcAttachment`). It reads the store only: one
 * indexed prefix read for the resource's shares, and nothing more for a resource no share names.
 *
 * @example
 * isSharedWith(runtime, `arn:aws:ec2:eu-west-1:${network}:transit-gateway/${id}`, workloadAccount);
 */

const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^arn:aws:organizations::\d{12}:organization\/(o-[a-z0-9]+)$/;
const OU = /^arn:aws:organizations::\d{12}:ou\/(o-[a-z0-9]+)\/(ou-[0-9a-z]+-[a-z0-9]+)$/;

/** Whether an account is an ACTIVE member of the organization (the management account included). */
export function inOrganization(runtime: SandboxRuntime, accountId: string): boolean {
  return accountId === runtime.managementAccountId || runtime.organizations.accountExists(accountId);
}

/**
 * Whether a principal of a share takes in an account: the account itself, any ACTIVE account of the
 * organization (its ARN), or any ACTIVE account in the OU or an OU below it (the OU's ARN).
 */
export function covers(runtime: SandboxRuntime, principal: string, accountId: string): boolean {
  if (principal === accountId) return true;
  if (ACCOUNT.test(principal)) return false;
  const org = ORGANIZATION.exec(principal);
  if (org) return org[1] === runtime.organizations.organizationId && inOrganization(runtime, accountId);
  const ou = OU.exec(principal);
  if (ou) {
    return (
      ou[1] === runtime.organizations.organizationId &&
      runtime.organizations.accountIdsUnder(ou[2] as string).includes(accountId)
    );
  }
  return false;
}

/**
 * Whether `resourceArn` is shared with `accountId`: an ACTIVE share holds the resource (its
 * association `ASSOCIATED`) and names, with an `ASSOCIATED` principal association, the account, an OU
 * it is in (at any depth) or the organization. A pending invitation shares nothing. The resource's
 * owner is not asked about: callers let it use its own resources.
 */
export function isSharedWith(runtime: SandboxRuntime, resourceArn: string, accountId: string): boolean {
  const { store } = runtime;
  for (const held of store.list<AssociationRecord>(RAM_TABLES.associations, `R|${resourceArn}|`)) {
    if (held.status !== 'ASSOCIATED') continue;
    const share = store.get<ShareRecord>(RAM_TABLES.shares, held.shareArn);
    if (share?.status !== 'ACTIVE') continue;
    const principals = store.list<AssociationRecord>(RAM_TABLES.associations, `P|${share.arn}|`);
    if (principals.some((p) => p.status === 'ASSOCIATED' && covers(runtime, p.entity, accountId))) return true;
  }
  return false;
}
