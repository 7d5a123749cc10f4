/**
 * Reads the state of an asynchronous CreateAccount and decides what the state machine does next:
 * wait again, go on, start the creation again (transient failure reasons), or fail with a named
 * error (every other reason).
 */
import { DescribeCreateAccountStatusCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import * as z from 'zod/mini';
import { awsErrorName } from '../shared/errors';
import { logger } from '../shared/logger';
import { accountOfRequest } from '../shared/vending/adopt';
import {
  AccountCreationFailedError,
  AccountLimitExceededError,
  EmailAlreadyUsedError,
  InvalidAccountDataError,
} from '../shared/vending/errors';
import { rethrowTransient } from '../shared/vending/org';
import {
  type AccountProgress,
  AccountProgressSchema,
  MAX_CREATE_ATTEMPTS,
  spread,
  type VendingPlan,
  VendingPlanSchema,
} from '../shared/vending/plan';

export const CheckAccountInputSchema = z.object({
  requestId: z.string(),
  plan: VendingPlanSchema,
  account: AccountProgressSchema,
});
export type CheckAccountInput = z.infer<typeof CheckAccountInputSchema>;

/** Failure reasons a new CreateAccount may get past. */
export const RETRYABLE_REASONS: ReadonlySet<string> = new Set(['CONCURRENT_ACCOUNT_MODIFICATION', 'INTERNAL_FAILURE']);

/** Failure reasons that mean AWS rejected the account's data. */
export const INVALID_DATA_REASONS: ReadonlySet<string> = new Set([
  'INVALID_EMAIL',
  'INVALID_ADDRESS',
  'INVALID_IDENTITY_FOR_BUSINESS_VALIDATION',
  'INVALID_PAYMENT_INSTRUMENT',
]);

/**
 * Seconds before a failed creation is started again: exponential from 10 s, capped at 5 minutes,
 * spread by a jitter derived from the request id so concurrent requests do not retry in step.
 */
export function retryDelaySeconds(attempts: number, requestId: string): number {
  const base = Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + spread(requestId, attempts) / 2));
}

async function failed(
  org: OrganizationsClient,
  plan: VendingPlan,
  input: CheckAccountInput,
  reason: string,
): Promise<AccountProgress> {
  const { account, requestId } = input;
  if (RETRYABLE_REASONS.has(reason)) {
    if (account.attempts >= MAX_CREATE_ATTEMPTS) {
      throw new AccountCreationFailedError(plan.accountName, `${reason} after ${account.attempts} attempts`);
    }
    const waitSeconds = retryDelaySeconds(account.attempts, requestId);
    logger.warn('account creation failed transiently; starting it again', { requestId, reason, waitSeconds });
    return { ...account, state: 'RETRY', failureReason: reason, waitSeconds };
  }
  if (reason === 'EMAIL_ALREADY_EXISTS') {
    // Ours if a previous attempt of this request created it; otherwise a foreign account owns it.
    const owned = await accountOfRequest(org, { email: plan.email, accountName: plan.accountName, requestId });
    if (owned) return { ...account, accountId: owned.accountId, state: 'SUCCEEDED', waitSeconds: 0, adopted: true };
    throw new EmailAlreadyUsedError(plan.email, undefined);
  }
  if (reason === 'ACCOUNT_LIMIT_EXCEEDED') throw new AccountLimitExceededError(plan.accountName);
  if (INVALID_DATA_REASONS.has(reason)) throw new InvalidAccountDataError(plan.accountName, plan.email, reason);
  throw new AccountCreationFailedError(plan.accountName, reason);
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
      return failed(org, plan, input, status.FailureReason ?? 'UNKNOWN');
    default:
      throw new AccountCreationFailedError(plan.accountName, `unexpected CreateAccount state ${status?.State}`);
  }
}
