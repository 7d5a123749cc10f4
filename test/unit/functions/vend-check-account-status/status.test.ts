import {
  CreateAccountFailureReason,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../functions/shared/errors';
import {
  AccountCreationFailedError,
  AccountLimitExceededError,
  EmailAlreadyUsedError,
  VendingError,
} from '../../../../functions/shared/vending/errors';
import { CREATE_ACCOUNT_FAILURES, redriveCommand } from '../../../../functions/shared/vending/failure-reasons';
import { type AccountProgress, MAX_CREATE_ATTEMPTS } from '../../../../functions/shared/vending/plan';
import { checkAccountStatus, retryDelaySeconds } from '../../../../functions/vend-check-account-status/status';
import {
  ACCOUNT_ID,
  awsError,
  commandNames,
  mockOrganization,
  plan,
  REQUEST,
  REQUEST_ID,
} from '../shared/vending/fixtures';

const org = mockClient(OrganizationsClient);
const client = org as unknown as OrganizationsClient;
const account: AccountProgress = {
  createAccountRequestId: 'car-1',
  state: 'IN_PROGRESS',
  waitSeconds: 30,
  attempts: 1,
  adopted: false,
};
const check = (a: AccountProgress = account) =>
  checkAccountStatus(client, { requestId: REQUEST_ID, plan: plan(), account: a });
const status = (State: string, extra: Record<string, string> = {}) =>
  org
    .on(DescribeCreateAccountStatusCommand)
    .resolves({ CreateAccountStatus: { Id: 'car-1', State, ...extra } } as never);

beforeEach(() => {
  org.reset();
  mockOrganization(org);
});

describe('checkAccountStatus', () => {
  it('waits the planned interval again while the creation is in progress', async () => {
    status('IN_PROGRESS');
    await expect(check()).resolves.toMatchObject({ state: 'IN_PROGRESS', waitSeconds: plan().waits.account });
  });

  it('returns the account id once it succeeded', async () => {
    status('SUCCEEDED', { AccountId: ACCOUNT_ID });
    await expect(check()).resolves.toMatchObject({ state: 'SUCCEEDED', accountId: ACCOUNT_ID });
  });

  it('passes an adopted account through without a call', async () => {
    await expect(check({ ...account, state: 'SUCCEEDED', accountId: ACCOUNT_ID })).resolves.toMatchObject({
      accountId: ACCOUNT_ID,
    });
    expect(org.calls()).toHaveLength(0);
  });

  it.each(['CONCURRENT_ACCOUNT_MODIFICATION', 'INTERNAL_FAILURE'])(
    'asks for a new creation after %s, with backoff',
    async (reason) => {
      status('FAILED', { FailureReason: reason });
      const out = await check();
      expect(out).toMatchObject({ state: 'RETRY', failureReason: reason });
      expect(out.waitSeconds).toBeGreaterThanOrEqual(10);
    },
  );

  it('gives up after the last attempt with AccountCreationFailedError', async () => {
    status('FAILED', { FailureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' });
    await expect(check({ ...account, attempts: MAX_CREATE_ATTEMPTS })).rejects.toThrow(AccountCreationFailedError);
  });

  it('adopts the account on EMAIL_ALREADY_EXISTS when this request created it', async () => {
    org.reset();
    mockOrganization(org, {
      accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: REQUEST.name }],
      tags: { 'vendguard:request-id': REQUEST_ID },
    });
    status('FAILED', { FailureReason: 'EMAIL_ALREADY_EXISTS' });
    await expect(check()).resolves.toMatchObject({ state: 'SUCCEEDED', accountId: ACCOUNT_ID, adopted: true });
  });

  it('fails with EmailAlreadyUsedError on EMAIL_ALREADY_EXISTS for an account of the organization, naming it', async () => {
    org.reset();
    mockOrganization(org, {
      accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: 'other' }],
      tags: { 'vendguard:request-id': 'req-someone-else' },
    });
    status('FAILED', { FailureReason: 'EMAIL_ALREADY_EXISTS' });
    const error = await check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailAlreadyUsedError);
    expect((error as Error).message).toContain(`account ${ACCOUNT_ID} of the organization`);
    expect((error as Error).message).toContain('(EMAIL_ALREADY_EXISTS): choose another email');
  });

  it('fails with EmailAlreadyUsedError on EMAIL_ALREADY_EXISTS for an account outside the organization', async () => {
    status('FAILED', { FailureReason: 'EMAIL_ALREADY_EXISTS' });
    await expect(check()).rejects.toThrow(
      `email ${REQUEST.email} is already used by an AWS account outside this organization`,
    );
  });

  it('fails with AccountLimitExceededError on ACCOUNT_LIMIT_EXCEEDED, pointing at Service Quotas', async () => {
    status('FAILED', { FailureReason: 'ACCOUNT_LIMIT_EXCEEDED' });
    const error = await check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountLimitExceededError);
    expect((error as Error).message).toMatch(/"Default maximum number of accounts" in Service Quotas/);
  });

  it.each([
    ['ACCOUNT_LIMIT_EXCEEDED', 'AccountLimitExceededError'],
    ['FAILED_BUSINESS_VALIDATION', 'BusinessValidationError'],
    ['GOVCLOUD_ACCOUNT_ALREADY_EXISTS', 'EmailAlreadyUsedError'],
    ['INVALID_ADDRESS', 'InvalidAccountDataError'],
    ['INVALID_EMAIL', 'InvalidAccountDataError'],
    ['INVALID_IDENTITY_FOR_BUSINESS_VALIDATION', 'BusinessValidationError'],
    ['INVALID_PAYMENT_INSTRUMENT', 'PaymentMethodError'],
    ['MISSING_BUSINESS_VALIDATION', 'BusinessValidationError'],
    ['MISSING_PAYMENT_INSTRUMENT', 'PaymentMethodError'],
    ['PENDING_BUSINESS_VALIDATION', 'BusinessValidationError'],
    ['UNKNOWN_BUSINESS_VALIDATION', 'BusinessValidationError'],
    ['UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED', 'AccountCreationFailedError'],
  ])('fails on %s with %s', async (reason, name) => {
    status('FAILED', { FailureReason: reason });
    await expect(check()).rejects.toMatchObject({ name });
  });

  it('fails on a reason this version does not know, naming it', async () => {
    status('FAILED', { FailureReason: 'SOME_NEW_REASON' });
    const error = await check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountCreationFailedError);
    expect((error as Error).message).toMatch(
      /^account payments-prod was not created: SOME_NEW_REASON: vendguard does not know this FailureReason; .*--mode redrive$/,
    );
  });

  it('turns throttling of the status read into a TransientError', async () => {
    org.on(DescribeCreateAccountStatusCommand).rejects(awsError('TooManyRequestsException'));
    await expect(check()).rejects.toBeInstanceOf(TransientError);
    expect(commandNames(org)).toEqual(['DescribeCreateAccountStatus']);
  });

  it('spreads the retry delay of concurrent requests', () => {
    const delays = new Set(['req-a', 'req-b', 'req-c', 'req-d'].map((id) => retryDelaySeconds(2, id)));
    expect(delays.size).toBeGreaterThan(1);
    expect(retryDelaySeconds(20, 'x')).toBeLessThan(450);
  });
});

describe('every FailureReason the SDK lists', () => {
  const reasons = Object.values(CreateAccountFailureReason);
  const retried: readonly string[] = ['CONCURRENT_ACCOUNT_MODIFICATION', 'INTERNAL_FAILURE'];
  const adopted: readonly string[] = ['EMAIL_ALREADY_EXISTS'];
  const kindOf = (reason: string) => (retried.includes(reason) ? 'retry' : adopted.includes(reason) ? 'adopt' : 'fail');

  it('has exactly one entry in the table', () => {
    expect(Object.keys(CREATE_ACCOUNT_FAILURES).sort()).toEqual([...reasons].sort());
  });

  it.each(reasons)('handles %s as the table says, and a failure names it and what to do', async (reason) => {
    expect(CREATE_ACCOUNT_FAILURES[reason].kind).toBe(kindOf(reason));
    status('FAILED', { FailureReason: reason });
    if (kindOf(reason) === 'retry') {
      await expect(check()).resolves.toMatchObject({ state: 'RETRY', failureReason: reason });
    }
    // A retried reason fails once no attempt is left; an adopted one when nothing is this request's.
    const last = kindOf(reason) === 'retry' ? { ...account, attempts: MAX_CREATE_ATTEMPTS } : account;
    const error = await check(last).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendingError);
    const { message } = error as Error;
    expect(message).toContain(reason);
    expect(message).toContain(message.startsWith('email') ? REQUEST.email : `account ${REQUEST.name}`);
    // a new email needs a new input (restart with a patch); anything else is redriven as it is
    expect(message).toContain(
      message.includes('choose another email')
        ? `replay ${REQUEST_ID} --mode restart --input-patch`
        : redriveCommand(REQUEST_ID),
    );
  });
});
