import { optionalString, requiredString } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler, RequestContext } from '../../core/types';
import { paginate } from './accounts';
import { constraintViolation, type DelegatedRecord, type OrgState, orgError, T } from './model';
import { recognizedServicePrincipal } from './service-principals';
import { isServiceAccessEnabled } from './trusted-access';

/**
 * Who may call Organizations. The organization belongs to its management account: a member account
 * gets `AccessDeniedException` for every organization-wide call, whatever its IAM policies say.
 * A member registered as a delegated administrator (`RegisterDelegatedAdministrator`) may read the
 * organization (accounts, OUs, parents, children, tags, delegated administrators), as AWS lets
 * delegated administrators do; policy management stays with the management account.
 * Registering one needs trusted access for the service first (`ConstraintViolationException`
 * `SERVICE_ACCESS_NOT_ENABLED`), as AWS requires.
 */

const TABLE = T.delegated;

/** What any member account may call about its own organization. */
const MEMBER_OPERATIONS = new Set(['DescribeOrganization', 'LeaveOrganization']);

/** What a delegated administrator may call in addition. */
const DELEGATED_READ_OPERATIONS = new Set([
  'DescribeAccount',
  'DescribeOrganizationalUnit',
  'ListAccounts',
  'ListAccountsForParent',
  'ListChildren',
  'ListDelegatedAdministrators',
  'ListDelegatedServicesForAccount',
  'ListOrganizationalUnitsForParent',
  'ListParents',
  'ListRoots',
  'ListTagsForResource',
  'ListAWSServiceAccessForOrganization',
]);

/** AWS's denial for a member account calling an organization-wide operation. */
export const memberAccessDenied = () =>
  orgError('AccessDeniedException', "You don't have permissions to access this resource.");

/** AWS's answer to an account outside the organization (one that left it), whatever it calls. */
export const notInOrganization = () =>
  orgError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');

/** Whether an account is a delegated administrator for at least one service. */
export function isDelegatedAdministrator(state: OrgState, accountId: string): boolean {
  return state.store.list<DelegatedRecord>(TABLE, `${accountId}/`).length > 0;
}

/**
 * Throws `AWSOrganizationsNotInUseException` when the caller's account is not in the organization
 * (it left), `AccessDeniedException` when its account may not call `operation`.
 */
export function checkOrganizationAccess(state: OrgState, operation: string, ctx: RequestContext): void {
  const { accountId } = ctx.principal;
  if (accountId === state.meta().masterAccountId) return;
  if (!state.account(accountId)) throw notInOrganization();
  if (MEMBER_OPERATIONS.has(operation)) return;
  if (DELEGATED_READ_OPERATIONS.has(operation) && isDelegatedAdministrator(state, accountId)) return;
  throw memberAccessDenied();
}

/** RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount. */
export function delegationOperations(state: OrgState, runtime: LocalRuntime): Record<string, OperationHandler> {
  const servicePrincipal = (input: Record<string, unknown>): string =>
    recognizedServicePrincipal(requiredString(input, 'ServicePrincipal'));
  const memberAccount = (input: Record<string, unknown>): string => {
    const accountId = requiredString(input, 'AccountId');
    const account = state.account(accountId);
    if (!account) throw orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
    if (accountId === state.meta().masterAccountId) {
      throw constraintViolation(
        'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
        'You cannot register the management account of the organization as a delegated administrator.',
      );
    }
    return accountId;
  };
  const list = (): DelegatedRecord[] => state.store.list<DelegatedRecord>(TABLE);
  return {
    RegisterDelegatedAdministrator: (input) => {
      const accountId = memberAccount(input);
      const sp = servicePrincipal(input);
      if (!isServiceAccessEnabled(state.store, sp)) {
        throw constraintViolation(
          'SERVICE_ACCESS_NOT_ENABLED',
          `You attempted to register a delegated administrator for ${sp} before you enabled service access. Call the EnableAWSServiceAccess API first.`,
        );
      }
      const inserted = state.store.insert<DelegatedRecord>(TABLE, `${accountId}/${sp}`, {
        accountId,
        servicePrincipal: sp,
        delegationEnabledDateMs: runtime.clock.nowMs(),
      });
      if (!inserted) {
        throw orgError(
          'AccountAlreadyRegisteredException',
          `The provided account ${accountId} is already a delegated administrator for ${sp}.`,
        );
      }
      return {};
    },
    DeregisterDelegatedAdministrator: (input) => {
      const accountId = memberAccount(input);
      const sp = servicePrincipal(input);
      if (!state.store.delete(TABLE, `${accountId}/${sp}`)) {
        throw orgError(
          'AccountNotRegisteredException',
          `The provided account ${accountId} is not a registered delegated administrator for ${sp}.`,
        );
      }
      return {};
    },
    ListDelegatedAdministrators: (input) => {
      const given = optionalString(input, 'ServicePrincipal');
      const sp = given === undefined ? undefined : recognizedServicePrincipal(given);
      const byAccount = new Map<string, DelegatedRecord>();
      for (const r of list()) if (!sp || r.servicePrincipal === sp) byAccount.set(r.accountId, r);
      const { page, NextToken } = paginate([...byAccount.values()], input);
      return {
        ...(NextToken ? { NextToken } : {}),
        DelegatedAdministrators: page.flatMap((r) => {
          const a = state.account(r.accountId);
          return a
            ? [
                {
                  Id: a.Id,
                  Arn: a.Arn,
                  Email: a.Email,
                  Name: a.Name,
                  Status: a.Status,
                  JoinedMethod: a.JoinedMethod,
                  JoinedTimestamp: new Date(a.JoinedTimestampMs),
                  DelegationEnabledDate: new Date(r.delegationEnabledDateMs),
                },
              ]
            : [];
        }),
      };
    },
    ListDelegatedServicesForAccount: (input) => {
      const accountId = memberAccount(input);
      const services = list().filter((r) => r.accountId === accountId);
      if (services.length === 0) {
        throw orgError(
          'AccountNotRegisteredException',
          `The provided account ${accountId} is not a registered delegated administrator.`,
        );
      }
      const { page, NextToken } = paginate(services, input);
      return {
        ...(NextToken ? { NextToken } : {}),
        DelegatedServices: page.map((r) => ({
          ServicePrincipal: r.servicePrincipal,
          DelegationEnabledDate: new Date(r.delegationEnabledDateMs),
        })),
      };
    },
  };
}
