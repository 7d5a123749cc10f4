import { CloseAccountCommand, DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { organizationConfig } from '../../../../functions/shared/config';
import { TransientError } from '../../../../functions/shared/errors';
import { type ClosePlan, checkClosed, closeAccount, refusal } from '../../../../functions/shared/lifecycle/close';
import { CloseAccountFailedError } from '../../../../functions/shared/lifecycle/errors';
import { awsError } from '../shared/vending/fixtures';

const org = mockClient(OrganizationsClient);
const client = org as unknown as OrganizationsClient;
const plan: ClosePlan = {
  accountId: '222233334444',
  accountName: 'payments-dev',
  email: 'aws-payments-dev@acme.example',
  fromOu: 'Workloads/Dev',
  suspendedOu: 'Suspended',
  suspendedOuId: 'ou-exam-aaaaaaaa',
  stackSets: [],
  retrySeconds: 86_400,
};

beforeEach(() => org.reset());

describe('refusal', () => {
  const config = organizationConfig();
  const account = { id: '222233334444', email: 'aws-payments-dev@acme.example', status: 'ACTIVE' };

  it('closes a vended account of a vendable OU, or one already in the suspended OU (a re-run)', () => {
    expect(refusal(config, account, 'Workloads/Dev')).toBeUndefined();
    expect(refusal(config, account, 'Suspended')).toBeUndefined();
  });

  it('refuses core accounts by their email, closed accounts, and accounts outside the vendable OUs', () => {
    expect(refusal(config, { ...account, email: 'AWS-Network@acme.example' }, 'Infrastructure')).toBe(
      'account 222233334444 is the core account network (network): vendguard never closes core accounts',
    );
    expect(refusal(config, { ...account, status: 'SUSPENDED' }, 'Suspended')).toBe(
      'account 222233334444 is already closed (SUSPENDED)',
    );
    expect(refusal(config, account, 'Security')).toBe(
      'account 222233334444 is in Security, outside the OUs vendguard vends into (Workloads/Prod, Workloads/Dev, Sandbox)',
    );
  });
});

describe('CloseAccount', () => {
  it('is REQUESTED when AWS accepts it, and CLOSED when the account already is', async () => {
    org.on(CloseAccountCommand).resolves({});
    await expect(closeAccount(client, plan)).resolves.toEqual({ state: 'REQUESTED', waitSeconds: 60, attempts: 1 });
    org.on(CloseAccountCommand).rejects(awsError('AccountAlreadyClosedException'));
    await expect(closeAccount(client, plan)).resolves.toMatchObject({ state: 'CLOSED' });
  });

  it('queues a closure over the quota for lifecycle.closeRetryHours, counting attempts', async () => {
    org
      .on(CloseAccountCommand)
      .rejects(awsError('ConstraintViolationException', { Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED' }));
    const queued = await closeAccount(client, plan, { state: 'QUEUED', waitSeconds: 86_400, attempts: 2 });
    expect(queued).toEqual({
      state: 'QUEUED',
      waitSeconds: 86_400,
      attempts: 3,
      reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED',
    });
  });

  it('retries the concurrent-requests limit, and fails other constraint violations by name', async () => {
    org
      .on(CloseAccountCommand)
      .rejects(awsError('ConstraintViolationException', { Reason: 'CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED' }));
    await expect(closeAccount(client, plan)).rejects.toBeInstanceOf(TransientError);
    org
      .on(CloseAccountCommand)
      .rejects(awsError('ConstraintViolationException', { Reason: 'MASTER_ACCOUNT_MISSING_CONTACT_INFO' }));
    const error = await closeAccount(client, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloseAccountFailedError);
    expect((error as Error).message).toContain('MASTER_ACCOUNT_MISSING_CONTACT_INFO');
  });

  it('is CLOSED once the account is SUSPENDED, PENDING before', async () => {
    const closure = { state: 'REQUESTED' as const, waitSeconds: 60, attempts: 1 };
    org.on(DescribeAccountCommand).resolves({ Account: { Id: plan.accountId, Status: 'PENDING_CLOSURE' } });
    await expect(checkClosed(client, plan, closure)).resolves.toMatchObject({ state: 'PENDING' });
    org.on(DescribeAccountCommand).resolves({ Account: { Id: plan.accountId, Status: 'SUSPENDED' } });
    await expect(checkClosed(client, plan, closure)).resolves.toMatchObject({ state: 'CLOSED' });
  });
});
