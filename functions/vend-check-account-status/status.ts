/**
 * Reads the state of an asynchronous CreateAccount and decides what the state machine does next:
 * wait again, go on, start the creation again (transient failure reasons), adopt the account this
 * request made, or fail with a named error; the table of failure reasons is
 * `shared/vending/failure-reasons.ts`.
 */
import { DescribeCreateAccountStatusCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import * as z from 'zod/mini';
import { awsErrorName } from '../shared/errors';
import { logger } from '../shared/logger';
import { accountOfRequest } from '../shared/vending/adopt';
import { AccountCreationFailedError, EmailAlreadyUsedError } from '../shared/vending/errors';
import { failureHandling, otherEmailAdvice } from '../shared/vending/failure-reasons';
import { rethrowTransient } from '../shared/vending/org';
import {
  type AccountProgress,
  AccountProgressSchema,
  MAX_CREATE_ATTEMPTS,
  spread,
  VendingPlanSchema,
} from '../shared/vending/plan';

export const CheckAccountInputSchema = z.object({
  requestId: z.string(),
  plan: VendingPlanSchema,
  account: AccountProgressSchema,
});
export type CheckAccountInput = z.infer<typeof CheckAccountInputSchema>;

/**
 * Seconds before a failed creation is started again: exponential from 10 s, capped at 5 minutes,
 * spread by a jitter derived from the request id so concurrent requests do not retry in step.
 */
export function retryDelaySeconds(attempts: number, requestId: string): number {
  const base = Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + spread(requestId, attempts) / 2));
}

/**
 * A FAILED creation, handled as `CREATE_ACCOUNT_FAILURES` says: RETRY after a backoff,
 * adopt the account this request made, or throw the reason's named error.
 */
async function failed(
  org: OrganizationsClient,
  input: CheckAccountInput,
  reason: string,
  createAccountRequestId: string,
): Promise<AccountProgress> {
  const { account, plan, requestId } = input;
  const failure = { accountName: plan.accountName, email: plan.email, requestId, reason, createAccountRequestId };
  const handling = failureHandling(reason);
  switch (handling.kind) {
    case 'retry': {
      if (account.attempts >= MAX_CREATE_ATTEMPTS) {
        throw new AccountCreationFailedError(plan.accountName, `${reason} after ${account.attempts} attempts`, {
          advice: handling.exhausted(failure),
        });
      }
      const waitSeconds = retryDelaySeconds(account.attempts, requestId);
      logger.warn('account creation failed transiently; starting it again', { requestId, reason, waitSeconds });
      return { ...account, state: 'RETRY', failureReason: reason, waitSeconds };
    }
    case 'adopt': {
      // Ours if a previous attempt of this request created it; otherwise a foreign account owns it.
      const owned = await accountOfRequest(org, {
        email: plan.email,
        accountName: plan.accountName,
        requestId,
        failureReason: reason,
      });
      if (owned) return { ...account, accountId: owned.accountId, state: 'SUCCEEDED', waitSeconds: 0, adopted: true };
      throw new EmailAlreadyUsedError(plan.email, 'an AWS account outside this organization (or one closed for good)', {
        failureReason: reason,
        advice: otherEmailAdvice(requestId),
      });
    }
    case 'fail':
      throw handling.error(failure);
  }
}

/** One status check of the account's creation. */
export async function checkAccountStatus(org: OrganizationsClient, input: CheckAccountInput): Promise<AccountProgress> {
  const { account, plan } = input;
  if (account.state === 'SUCCEEDED' && account.accountId) return account;
  if (!account.createAccountRequestId) {
    throw new AccountCreationFailedError(plan.accountName, 'no CreateAccount request to follow');
  }
  let status: { State?: string; AccountId?: string; FailureReason?: string } | undefined;
  try {
    const out = await org.send(
      new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: account.createAccountRequestId }),
    );
    status = out.CreateAccountStatus;
  } catch (err) {
    if (awsErrorName(err) === 'CreateAccountStatusNotFoundException') {
      throw new AccountCreationFailedError(
        plan.accountName,
        `CreateAccount request ${account.createAccountRequestId} not found`,
        { cause: err },
      );
    }
    return rethrowTransient(err, `DescribeCreateAccountStatus ${account.createAccountRequestId}`);
  }
  switch (status?.State) {
    case 'SUCCEEDED':
      if (!status.AccountId) throw new AccountCreationFailedError(plan.accountName, 'SUCCEEDED without an account id');
      return { ...account, accountId: status.AccountId, state: 'SUCCEEDED', waitSeconds: 0 };
    case 'IN_PROGRESS':
      return { ...account, state: 'IN_PROGRESS', waitSeconds: plan.waits.account };
    case 'FAILED':
      return failed(org, input, status.FailureReason ?? '(no FailureReason)', account.createAccountRequestId);
    default:
      throw new AccountCreationFailedError(plan.accountName, `unexpected CreateAccount state ${status?.State}`);
  }
}
