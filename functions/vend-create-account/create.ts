/**
 * CreateAccount, idempotent: an account already created for this request is adopted, a creation
 * already in progress for it is followed, and only otherwise is a new account requested.
 */
import { CreateAccountCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import * as z from 'zod/mini';
import { awsErrorName } from '../shared/errors';
import { logger } from '../shared/logger';
import { AccountRequestSchema } from '../shared/schemas/account-request';
import { accountOfRequest, createAccountStatuses } from '../shared/vending/adopt';
import { accountLimitExceeded } from '../shared/vending/failure-reasons';
import { rethrowTransient } from '../shared/vending/org';
import {
  type AccountProgress,
  AccountProgressSchema,
  MAX_CONCURRENT_CREATIONS,
  spread,
  type VendingPlan,
  VendingPlanSchema,
  vendedAccountTags,
  WAITS,
} from '../shared/vending/plan';

/** Input of the CreateAccount state. `account` is present when a failed creation is started again. */
export const CreateAccountInputSchema = z.object({
  request: AccountRequestSchema,
  requestId: z.string(),
  plan: VendingPlanSchema,
  account: z.optional(AccountProgressSchema),
});
export type CreateAccountInput = z.infer<typeof CreateAccountInputSchema>;

/**
 * Seconds to wait for a free creation slot: about one expected creation time (`waits.creation`,
 * one wave of the concurrent creations), spread from half to one and a half of it per request and
 * attempt, never less than `waits.slot`.
 *
 * A queued request cannot see its place in the queue (AWS lists only the running creations), and a
 * freed slot goes to whichever waiter checks first. So each waiter re-checks about once per wave,
 * and the spread keeps the checks of a long queue evenly apart: with Q waiters a freed slot is
 * taken within about creation / Q seconds, while a short queue costs at most one and a half
 * creation times of extra wait.
 *
 * @example
 * slotWaitSeconds({ ...WAITS }, 1, 'req-0001') // between 75 and 225
 */
export function slotWaitSeconds(waits: VendingPlan['waits'], queued: number, requestId: string): number {
  const expected = waits.creation ?? WAITS.creation;
  return Math.max(waits.slot, Math.round(expected * (0.5 + spread(requestId, queued))));
}

/**
 * Creates the account of a request, or adopts the one that exists for it.
 *
 * @param roleName - the access role AWS creates in the new account (config `vending.accountAccessRoleName`)
 */
export async function createAccount(
  org: OrganizationsClient,
  input: CreateAccountInput,
  roleName: string,
): Promise<AccountProgress> {
  const { plan, requestId } = input;
  const attempts = (input.account?.attempts ?? 0) + 1;
  // Waiting for a slot means no creation was started for this request: only the slot count matters.
  const waitingForSlot = input.account?.state === 'QUEUED';
  if (!waitingForSlot) {
    const owned = await accountOfRequest(org, { email: plan.email, accountName: plan.accountName, requestId });
    if (owned) {
      logger.info('adopting the account already created for this request', { requestId, accountId: owned.accountId });
      return { accountId: owned.accountId, state: 'SUCCEEDED', waitSeconds: 0, attempts, adopted: true };
    }
  }
  const inProgress = await createAccountStatuses(org, ['IN_PROGRESS']);
  const running = waitingForSlot ? undefined : inProgress.find((s) => s.accountName === plan.accountName);
  if (running) {
    logger.info('following the CreateAccount already in progress', { requestId, createAccountRequestId: running.id });
    return {
      createAccountRequestId: running.id,
      state: 'IN_PROGRESS',
      waitSeconds: plan.waits.account,
      attempts,
      adopted: true,
    };
  }
  if (inProgress.length >= MAX_CONCURRENT_CREATIONS) {
    // Every slot is taken: starting one would only fail with CONCURRENT_ACCOUNT_MODIFICATION.
    const queued = (input.account?.queued ?? 0) + 1;
    const waitSeconds = slotWaitSeconds(plan.waits, queued, requestId);
    logger.info('account creations at the limit; waiting for a slot', {
      requestId,
      inProgress: inProgress.length,
      waitSeconds,
    });
    return { state: 'QUEUED', waitSeconds, attempts: attempts - 1, queued, adopted: false };
  }
  try {
    const out = await org.send(
      new CreateAccountCommand({
        AccountName: plan.accountName,
        Email: plan.email,
        RoleName: roleName,
        IamUserAccessToBilling: 'DENY',
        Tags: vendedAccountTags(input.request, requestId),
      }),
    );
    const id = out.CreateAccountStatus?.Id;
    if (!id) throw new Error(`CreateAccount for ${plan.accountName} returned no request id`);
    logger.info('account creation started', { requestId, createAccountRequestId: id, attempts });
    return {
      createAccountRequestId: id,
      state: 'IN_PROGRESS',
      waitSeconds: plan.waits.accountFirst,
      attempts,
      adopted: false,
    };
  } catch (err) {
    const reason = (err as { Reason?: string }).Reason;
    if (awsErrorName(err) === 'ConstraintViolationException' && reason === 'ACCOUNT_NUMBER_LIMIT_EXCEEDED') {
      throw accountLimitExceeded(plan.accountName, reason, requestId, { cause: err });
    }
    return rethrowTransient(err, `CreateAccount ${plan.accountName}`);
  }
}
