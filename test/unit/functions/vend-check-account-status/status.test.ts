import { DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../functions/shared/errors';
import {
  AccountCreationFailedError,
  AccountLimitExceededError,
  EmailAlreadyUsedError,
  InvalidAccountDataError,
} from '../../../../functions/shared/vending/errors';
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

  it('fails with EmailAlreadyUsedError on EMAIL_ALREADY_EXISTS for a foreign account', async () => {
    status('FAILED', { FailureReason: 'EMAIL_ALREADY_EXISTS' });
    await expect(check()).rejects.toThrow(EmailAlreadyUsedError);
  });

  it('fails with AccountLimitExceededError on ACCOUNT_LIMIT_EXCEEDED', async () => {
    status('FAILED', { FailureReason: 'ACCOUNT_LIMIT_EXCEEDED' });
    await expect(check()).rejects.toThrow(AccountLimitExceededError);
  });

  it.each([
    'INVALID_EMAIL',
    'INVALID_ADDRESS',
    'INVALID_IDENTITY_FOR_BUSINESS_VALIDATION',
    'INVALID_PAYMENT_INSTRUMENT',
  ])('fails with InvalidAccountDataError on %s, naming the account and email', async (reason) => {
    status('FAILED', { FailureReason: reason });
    await expect(check()).rejects.toThrow(new InvalidAccountDataError(REQUEST.name, REQUEST.email, reason).message);
  });

  it.each([
    'FAILED_BUSINESS_VALIDATION',
    'GOVCLOUD_ACCOUNT_ALREADY_EXISTS',
    'MISSING_BUSINESS_VALIDATION',
    'MISSING_PAYMENT_INSTRUMENT',
    'PENDING_BUSINESS_VALIDATION',
    'UNKNOWN_BUSINESS_VALIDATION',
    'UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED',
  ])('fails with AccountCreationFailedError on %s, naming the reason', async (reason) => {
    status('FAILED', { FailureReason: reason });
    await expect(check()).rejects.toThrow(new RegExp(`payments-prod was not created: ${reason}`));
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
