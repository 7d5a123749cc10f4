import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler } from '../../core/types';
import { isDelegatedAdministrator, notInOrganization } from './delegation';
import { constraintViolation, type OrgState, orgError, T } from './model';

/**
 * `LeaveOrganization`: a member account removes itself from its organization, as the API reference
 * describes it. The management account cannot leave (`MasterCannotLeaveOrganizationException`); a
 * delegated administrator must be deregistered first; an account the organization created may leave
 * four days after its creation at the earliest (the sandbox clock). The account then stands alone:
 * `ListAccounts` no longer shows it, its tags and directly attached policies are gone, no SCP binds
 * it, and every Organizations call it makes is `AWSOrganizationsNotInUseException`. An SCP that denies
 * `organizations:LeaveOrganization` (deny-root-and-leave) refuses it before this handler runs.
 *
 * Not modelled: the standalone-account requirements (support plan, verified contact information,
 * payment method: `ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION`, `MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED`
 * …), which the sandbox treats as met, and the `AccountDepartedOrganization` event.
 */

/** How long an account the organization created must wait before it may leave (API reference: four days). */
export const LEAVE_WAIT_PERIOD_MS = 4 * 86_400_000;

/** The text of `MasterCannotLeaveOrganizationException` in the Organizations API reference. */
export const MANAGEMENT_CANNOT_LEAVE_MESSAGE =
  "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.";

/** `LeaveOrganization`. */
export function membershipOperations(state: OrgState, runtime: LocalRuntime): Record<string, OperationHandler> {
  return {
    LeaveOrganization: (_input, ctx) => {
      const accountId = ctx.principal.accountId;
      if (accountId === state.meta().masterAccountId) {
        throw orgError('MasterCannotLeaveOrganizationException', MANAGEMENT_CANNOT_LEAVE_MESSAGE);
      }
      const account = state.account(accountId);
      if (!account) throw notInOrganization();
      if (isDelegatedAdministrator(state, accountId)) {
        throw constraintViolation(
          'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG',
          'You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.',
        );
      }
      if (
        account.JoinedMethod === 'CREATED' &&
        runtime.clock.nowMs() - account.JoinedTimestampMs < LEAVE_WAIT_PERIOD_MS
      ) {
        throw constraintViolation(
          'WAIT_PERIOD_ACTIVE',
          "After you create an Amazon Web Services account, you must wait until at least four days after the account was created. Invited accounts aren't subject to this waiting period.",
        );
      }
      runtime.store.transaction(() => {
        for (const a of state.attachments()) if (a.targetId === accountId) state.detach(a.policyId, accountId);
        runtime.store.delete(T.tags, accountId);
        runtime.store.delete(T.accounts, accountId);
        state.touch();
      });
      return {};
    },
  };
}
