import {
  CreateAccountCommand,
  ListCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../functions/shared/errors';
import { AccountLimitExceededError, EmailAlreadyUsedError } from '../../../../functions/shared/vending/errors';
import { createAccount, slotWaitSeconds } from '../../../../functions/vend-create-account/create';
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
const input = () => ({ request: REQUEST, requestId: REQUEST_ID, plan: plan() });

beforeEach(() => {
  org.reset();
  org.on(ListCreateAccountStatusCommand).resolves({ CreateAccountStatuses: [] });
});

describe('createAccount', () => {
  it('starts CreateAccount with the request tags and waits the planned first interval before checking', async () => {
    mockOrganization(org);
    org.on(CreateAccountCommand).resolves({ CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } });
    const out = await createAccount(client, input(), 'OrganizationAccountAccessRole');
    expect(out).toEqual({
      createAccountRequestId: 'car-1',
      state: 'IN_PROGRESS',
      waitSeconds: plan().waits.accountFirst,
      attempts: 1,
      adopted: false,
    });
    const call = org.commandCalls(CreateAccountCommand)[0]?.args[0].input;
    expect(call).toMatchObject({
      AccountName: 'payments-prod',
      Email: REQUEST.email,
      RoleName: 'OrganizationAccountAccessRole',
    });
    expect(call?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'vendguard:request-id', Value: REQUEST_ID },
        { Key: 'vendguard:owner', Value: 'team-payments' },
        { Key: 'vendguard:cost-center', Value: 'CC-1042' },
        { Key: 'vendguard:environment', Value: 'prod' },
      ]),
    );
  });

  it('adopts the account tagged with this request instead of creating another', async () => {
    mockOrganization(org, {
      accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: REQUEST.name }],
      tags: { 'vendguard:request-id': REQUEST_ID },
    });
    const out = await createAccount(client, input(), 'OrganizationAccountAccessRole');
    expect(out).toMatchObject({ accountId: ACCOUNT_ID, state: 'SUCCEEDED', adopted: true, waitSeconds: 0 });
    expect(commandNames(org)).not.toContain('CreateAccount');
  });

  it('adopts an untagged account that a CreateAccount of this name created', async () => {
    mockOrganization(org, { accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: REQUEST.name }] });
    org.on(ListCreateAccountStatusCommand, { States: ['SUCCEEDED'] }).resolves({
      CreateAccountStatuses: [{ Id: 'car-0', AccountName: REQUEST.name, AccountId: ACCOUNT_ID, State: 'SUCCEEDED' }],
    });
    const out = await createAccount(client, input(), 'OrganizationAccountAccessRole');
    expect(out).toMatchObject({ accountId: ACCOUNT_ID, adopted: true });
    expect(commandNames(org)).not.toContain('CreateAccount');
  });

  it('follows a creation of this account already in progress', async () => {
    mockOrganization(org);
    org
      .on(ListCreateAccountStatusCommand, { States: ['IN_PROGRESS'] })
      .resolves({ CreateAccountStatuses: [{ Id: 'car-7', AccountName: REQUEST.name, State: 'IN_PROGRESS' }] });
    const out = await createAccount(client, input(), 'OrganizationAccountAccessRole');
    expect(out).toMatchObject({ createAccountRequestId: 'car-7', state: 'IN_PROGRESS', adopted: true });
    expect(commandNames(org)).not.toContain('CreateAccount');
  });

  it('fails with EmailAlreadyUsedError when a foreign account has the email', async () => {
    mockOrganization(org, { accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: 'other' }] });
    const error = await createAccount(client, input(), 'r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailAlreadyUsedError);
    expect((error as Error).name).toBe('EmailAlreadyUsedError');
    expect((error as Error).message).toContain(ACCOUNT_ID);
    expect(commandNames(org)).not.toContain('CreateAccount');
  });

  it.each([
    ['ConcurrentModificationException'],
    ['TooManyRequestsException'],
    ['ThrottlingException'],
    ['ServiceException'],
  ])('turns %s into a TransientError the state machine retries', async (code) => {
    mockOrganization(org);
    org.on(CreateAccountCommand).rejects(awsError(code));
    const error = await createAccount(client, input(), 'r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain(code);
  });

  it('fails with AccountLimitExceededError on the account quota', async () => {
    mockOrganization(org);
    org
      .on(CreateAccountCommand)
      .rejects(awsError('ConstraintViolationException', { Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED' }));
    const error = await createAccount(client, input(), 'r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountLimitExceededError);
    expect((error as Error).message).toMatch(
      /payments-prod was not created: ACCOUNT_NUMBER_LIMIT_EXCEEDED: .*raise the AWS Organizations quota "Default maximum number of accounts" in Service Quotas/,
    );
  });

  it('waits for a free slot instead of calling CreateAccount when 5 creations are in progress', async () => {
    mockOrganization(org);
    org.on(ListCreateAccountStatusCommand, { States: ['IN_PROGRESS'] }).resolves({
      CreateAccountStatuses: [1, 2, 3, 4, 5].map((n) => ({
        Id: `car-${n}`,
        AccountName: `other-${n}`,
        State: 'IN_PROGRESS',
      })),
    });
    const out = await createAccount(client, input(), 'r');
    expect(out).toMatchObject({ state: 'QUEUED', queued: 1, attempts: 0 });
    // about one expected creation time (plan.waits.creation = 150 s), spread ±50 %
    expect(out.waitSeconds).toBeGreaterThanOrEqual(75);
    expect(out.waitSeconds).toBeLessThanOrEqual(225);
    expect(commandNames(org)).not.toContain('CreateAccount');
  });

  it('only reads the slot count while it waits for a slot, re-checking about once per creation time', async () => {
    mockOrganization(org);
    org.on(ListCreateAccountStatusCommand, { States: ['IN_PROGRESS'] }).resolves({
      CreateAccountStatuses: [1, 2, 3, 4, 5].map((n) => ({
        Id: `car-${n}`,
        AccountName: `other-${n}`,
        State: 'IN_PROGRESS',
      })),
    });
    const waiting = { state: 'QUEUED' as const, waitSeconds: 10, attempts: 0, queued: 6, adopted: false };
    const out = await createAccount(client, { ...input(), account: waiting }, 'r');
    expect(commandNames(org)).toEqual(['ListCreateAccountStatus']);
    expect(out).toMatchObject({ state: 'QUEUED', queued: 7 });
    expect(out.waitSeconds).toBe(slotWaitSeconds(plan().waits, 7, REQUEST_ID));
  });

  describe('slotWaitSeconds', () => {
    const waits = plan().waits;
    const all = (w: typeof waits, ids: number) =>
      Array.from({ length: ids }, (_, i) => slotWaitSeconds(w, 1 + (i % 7), `req-${i}`));

    it('waits between half and one and a half expected creation times, about one on average', () => {
      const seconds = all(waits, 400);
      expect(Math.min(...seconds)).toBeGreaterThanOrEqual(75);
      expect(Math.max(...seconds)).toBeLessThanOrEqual(225);
      const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
      expect(mean).toBeGreaterThan(140);
      expect(mean).toBeLessThan(160);
    });

    it('spreads the waits of concurrent requests instead of waking them together', () => {
      const seconds = all(waits, 400);
      const buckets = new Set(seconds.map((s) => Math.min(9, Math.floor((s - 75) / 15))));
      expect(buckets.size).toBe(10); // every 15 s band of 75..225 is used
    });

    it('is the same for the same request and attempt (deterministic on replay)', () => {
      expect(slotWaitSeconds(waits, 3, 'req-a')).toBe(slotWaitSeconds(waits, 3, 'req-a'));
    });

    it('reads the expected creation time from the plan, and never waits less than waits.slot', () => {
      const short = { ...waits, creation: 40 };
      expect(Math.max(...all(short, 100))).toBeLessThanOrEqual(60);
      expect(Math.min(...all({ ...waits, creation: 4 }, 100))).toBe(waits.slot);
    });

    it('falls back to the default creation time for a plan made before waits.creation existed', () => {
      const { creation: _, ...old } = waits;
      expect(slotWaitSeconds(old, 2, 'req-b')).toBe(slotWaitSeconds({ ...old, creation: 150 }, 2, 'req-b'));
    });
  });

  it('counts attempts when the state machine starts a creation again', async () => {
    mockOrganization(org);
    org.on(CreateAccountCommand).resolves({ CreateAccountStatus: { Id: 'car-2' } });
    const out = await createAccount(
      client,
      {
        ...input(),
        account: { state: 'RETRY', attempts: 2, waitSeconds: 10, adopted: false, createAccountRequestId: 'car-1' },
      },
      'r',
    );
    expect(out.attempts).toBe(3);
  });
});
