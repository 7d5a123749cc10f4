import { denialMessage } from '../../core/auth';
import type { LocalRuntime } from '../../core/runtime';
import type { Principal } from '../../core/types';
import { OrgState, T } from '../organizations/model';
import { isServiceAccessEnabled } from '../organizations/trusted-access';
import { AccountError, accountAccessDenied, DENIAL_REASONS } from './errors';

/**
 * Who may read or change an account's alternate contacts, as the Account Management API decides it.
 *
 * Without `AccountId` (the standalone context) a call acts on the caller's own account, resource
 * `arn:aws:account::<account>:account`. With `AccountId` it acts on a member account of the caller's
 * organization, resource `arn:aws:account::<management>:account/<org id>/<account>`, and only when:
 * the caller's account is the management account or a delegated administrator for
 * `account.amazonaws.com`, else `AccessDeniedException` "User: … is not authorized to perform:
 * account:<Op>"; trusted access for `account.amazonaws.com` is enabled, else the same with "(Your
 * organization must first enable trusted access with AWS Account Management.)"; the id is not the
 * management account's, else "(The management account can only be managed using the standalone
 * context from the management account.)"; the id is a member of the organization. Then IAM decides
 * `account:<Op>` on the resource with `account:AlternateContactTypes` (the caller's policies and its
 * SCPs, the policy evaluator's denial). These are the live API's answers (observed on
 * `GetRegionOptStatus` and `GetAlternateContact`, which share the Account Management API's checks).
 */

export const ACCOUNT_SERVICE_PRINCIPAL = 'account.amazonaws.com';

/** The account a call acts on and the ARN IAM is asked about. */
export interface ContactTarget {
  readonly accountId: string;
  readonly resource: string;
}

/**
 * The target of a call: the caller's own account, or the member account `accountId` names when the
 * organization allows the caller to manage it. Throws the API's `AccessDeniedException`.
 */
export function resolveTarget(
  runtime: LocalRuntime,
  principal: Principal,
  operation: string,
  accountId: string | undefined,
): ContactTarget {
  const caller = principal.accountId;
  if (accountId === undefined) return { accountId: caller, resource: `arn:aws:account::${caller}:account` };
  const denied = (reason?: string): AccountError => accountAccessDenied(principal.arn, operation, reason);
  const state = new OrgState(runtime.store);
  if (!state.seeded()) throw denied();
  const meta = state.meta();
  const management = caller === meta.masterAccountId;
  if (!management && !state.account(caller)) throw denied();
  const delegated = runtime.store.get(T.delegated, `${caller}/${ACCOUNT_SERVICE_PRINCIPAL}`) !== undefined;
  if (!management && !delegated) throw denied();
  if (!isServiceAccessEnabled(runtime.store, ACCOUNT_SERVICE_PRINCIPAL)) throw denied(DENIAL_REASONS.trustedAccess);
  if (accountId === meta.masterAccountId) throw denied(DENIAL_REASONS.managementAccount);
  if (!state.account(accountId)) throw denied();
  return { accountId, resource: `arn:aws:account::${meta.masterAccountId}:account/${meta.id}/${accountId}` };
}

/**
 * IAM's decision on `account:<operation>` for the target, with the contact type as
 * `account:AlternateContactTypes`; throws `AccessDeniedException` (403) with the evaluator's message.
 */
export function authorizeContactCall(
  runtime: LocalRuntime,
  principal: Principal,
  operation: string,
  target: ContactTarget,
  contactType: string,
  region: string,
): void {
  const denial = runtime.gatekeeper.decide({
    principal,
    action: `account:${operation}`,
    resources: [target.resource],
    region,
    context: { 'account:AlternateContactTypes': [contactType] },
  });
  if (denial) throw new AccountError('AccessDeniedException', denialMessage(principal.arn, denial), 403);
}
