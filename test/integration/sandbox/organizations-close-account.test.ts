import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AccountAlreadyClosedException,
  AccountNotFoundException,
  CloseAccountCommand,
  ConflictException,
  ConstraintViolationException,
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CLOSE_ACCOUNT_DURATION_MS,
  CLOSE_QUOTA_WINDOW_MS,
  type ClosureRecord,
  closeAccountQuota,
  MAX_CONCURRENT_CLOSURES,
} from '../../../sandbox/services/organizations/closure';
import { T } from '../../../sandbox/services/organizations/model';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * Organizations `CloseAccount` through the SDK: PENDING_CLOSURE, then SUSPENDED on the sandbox clock,
 * in its OU; every refusal the API reference documents; STS refusing the closed account's roles;
 * authorization, CloudTrail and faults as for every Organizations call.
 */

let sb: TestSandbox;
let org: OrganizationsClient;

/** Member accounts the tests close, made with CreateAccount (the config's few core accounts are not enough). */
const TEAMS = ['team-1', 'team-2', 'team-3', 'team-4', 'team-5', 'team-6', 'team-7', 'team-8'];

/** Creates accounts five at a time (AWS's limit of creations in progress), moving the clock past their creation. */
async function createAccounts(names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 5) {
    const started = await Promise.all(
      names
        .slice(i, i + 5)
        .map((n) => org.send(new CreateAccountCommand({ AccountName: n, Email: `${n}@acme.example` }))),
    );
    sb.runtime.clock.advance(300_000);
    for (const s of started) {
      const status = await org.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: s.CreateAccountStatus?.Id }),
      );
      if (status.CreateAccountStatus?.State !== 'SUCCEEDED')
        throw new Error(`creation ${status.CreateAccountStatus?.State}`);
    }
  }
}

beforeAll(async () => {
  // 60x: a closure's 5 simulated minutes take 5 real seconds, so PENDING_CLOSURE is observable
  sb = await startTestSandbox({ timeScale: 60 });
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  await createAccounts(TEAMS);
}, 60_000);
afterAll(() => sb.stop());

const describeAccount = async (id: string) => (await org.send(new DescribeAccountCommand({ AccountId: id }))).Account;
const rejection = (p: Promise<unknown>): Promise<Error & Record<string, unknown>> =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: Error & Record<string, unknown>) => e,
  );
/** Ends every closure in progress: the sandbox clock past the closure time. */
const finishClosures = async (): Promise<void> => {
  sb.runtime.clock.advance(CLOSE_ACCOUNT_DURATION_MS + 1_000);
  await org.send(new ListAccountsCommand({}));
};

describe('CloseAccount', () => {
  it('makes the account PENDING_CLOSURE, then SUSPENDED on the sandbox clock, in its OU', async () => {
    const id = sb.accountId('eks-shared');
    const parent = (await org.send(new ListParentsCommand({ ChildId: id }))).Parents?.[0]?.Id;
    await org.send(new CloseAccountCommand({ AccountId: id }));
    expect(await describeAccount(id)).toMatchObject({ Status: 'PENDING_CLOSURE', State: 'PENDING_CLOSURE' });
    const listed = (await org.send(new ListAccountsCommand({ MaxResults: 20 }))).Accounts?.find((a) => a.Id === id);
    expect(listed).toMatchObject({ Status: 'PENDING_CLOSURE', State: 'PENDING_CLOSURE' });
    await finishClosures();
    expect(await describeAccount(id)).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
    expect((await org.send(new ListParentsCommand({ ChildId: id }))).Parents?.[0]?.Id).toBe(parent);
  });

  it('refuses to close it again: AccountAlreadyClosedException once SUSPENDED', async () => {
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: sb.accountId('eks-shared') })));
    expect(err).toBeInstanceOf(AccountAlreadyClosedException);
    expect(err.message).toBe('You attempted to close an account that is already closed.');
  });

  it('refuses an account already PENDING_CLOSURE with ConflictException', async () => {
    const id = sb.accountId('bastion');
    await org.send(new CloseAccountCommand({ AccountId: id }));
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: id })));
    expect(err).toBeInstanceOf(ConflictException);
    await finishClosures();
  });

  it('refuses the management account: CANNOT_CLOSE_MANAGEMENT_ACCOUNT', async () => {
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: sb.runtime.managementAccountId })));
    expect(err).toBeInstanceOf(ConstraintViolationException);
    expect(err.Reason).toBe('CANNOT_CLOSE_MANAGEMENT_ACCOUNT');
    expect((await describeAccount(sb.runtime.managementAccountId))?.Status).toBe('ACTIVE');
  });

  it('refuses an account of no organization with AccountNotFoundException', async () => {
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: '999999999999' })));
    expect(err).toBeInstanceOf(AccountNotFoundException);
  });

  it('refuses an id that is not 12 digits with InvalidInputException INVALID_PATTERN', async () => {
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: 'abc' })));
    expect(err.name).toBe('InvalidInputException');
    expect(err.Reason).toBe('INVALID_PATTERN');
  });
});

describe('closure limits', () => {
  it(`refuses more than ${MAX_CONCURRENT_CLOSURES} closures at a time: CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED`, async () => {
    const ids = ['team-1', 'team-2', 'team-3', 'team-4', 'team-5', 'team-6'].map((n) => sb.accountId(n));
    for (const id of ids.slice(0, MAX_CONCURRENT_CLOSURES)) await org.send(new CloseAccountCommand({ AccountId: id }));
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: ids[MAX_CONCURRENT_CLOSURES] })));
    expect(err).toBeInstanceOf(ConstraintViolationException);
    expect(err.Reason).toBe('CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED');
    expect((await describeAccount(ids[MAX_CONCURRENT_CLOSURES] as string))?.Status).toBe('ACTIVE');
    await finishClosures();
    // once they are SUSPENDED, another closure may start
    await org.send(new CloseAccountCommand({ AccountId: ids[MAX_CONCURRENT_CLOSURES] }));
    await finishClosures();
  });

  it('refuses past the rolling 30-day quota (250 in a small organization): CLOSE_ACCOUNT_QUOTA_EXCEEDED', async () => {
    const members = (await org.send(new ListAccountsCommand({ MaxResults: 20 }))).Accounts ?? [];
    const open = sb.accountId('team-7');
    const quota = closeAccountQuota(members.length - 1);
    expect(quota).toBe(250);
    const now = sb.runtime.clock.nowMs();
    const used = sb.runtime.store
      .list<ClosureRecord>(T.closures)
      .filter((c) => c.requestedMs > now - CLOSE_QUOTA_WINDOW_MS).length;
    // the closures of earlier tests count: plant what is left of the quota (closures nobody can make any more)
    for (let i = used; i < quota; i++) {
      const accountId = String(200000000000 + i);
      sb.runtime.store.put<ClosureRecord>(T.closures, `${accountId}/${now - 1_000}`, {
        accountId,
        requestedMs: now - 1_000,
        dueMs: now - 1_000,
        completedMs: now - 1_000,
      });
    }
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: open })));
    expect(err).toBeInstanceOf(ConstraintViolationException);
    expect(err.Reason).toBe('CLOSE_ACCOUNT_QUOTA_EXCEEDED');
    expect(err.message).toBe('You have exceeded close account quota for the past 30 days.');
    // the window rolls: 30 days later the same request is accepted
    sb.runtime.clock.advance(CLOSE_QUOTA_WINDOW_MS);
    await org.send(new CloseAccountCommand({ AccountId: open }));
    expect((await describeAccount(open))?.Status).toBe('PENDING_CLOSURE');
    await finishClosures();
  });
});

describe('a closed account', () => {
  it('can no longer be entered: AssumeRole into it is AccessDenied, while an open account is not', async () => {
    const sts = sb.client(STSClient, { region: 'us-east-1' });
    const closed = sb.accountId('eks-shared');
    const err = await rejection(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${closed}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'after-closure',
        }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain(
      `sts:AssumeRole on resource: arn:aws:iam::${closed}:role/OrganizationAccountAccessRole`,
    );
    const open = sb.accountId('network');
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${open}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'open-account',
      }),
    );
    expect(assumed.Credentials?.AccessKeyId).toBeDefined();
  });
});

describe('who may close an account', () => {
  it('refuses a member account: AccessDeniedException', async () => {
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: sb.accountId('network') });
    const err = await rejection(member.send(new CloseAccountCommand({ AccountId: sb.accountId('egress') })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe("You don't have permissions to access this resource.");
  });

  it('refuses a management principal IAM does not allow organizations:CloseAccount, and records the denial', async () => {
    const mgmt = sb.runtime.managementAccountId;
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'org-reader',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'org-reader',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['organizations:Describe*', 'organizations:List*'], Resource: '*' }],
        }),
      }),
    );
    const reader = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: mgmt, role: 'org-reader' });
    const target = sb.accountId('egress');
    const err = await rejection(reader.send(new CloseAccountCommand({ AccountId: target })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain(
      'is not authorized to perform: organizations:CloseAccount on resource: arn:aws:organizations::',
    );
    expect(err.message).toContain(`because no identity-based policy allows the organizations:CloseAccount action`);
    expect((await describeAccount(target))?.Status).toBe('ACTIVE');
    const denied = sb.runtime.recentTrail.filter(
      (e) => e.detail.eventName === 'CloseAccount' && e.detail.errorCode === 'AccessDeniedException',
    );
    expect(denied.at(-1)?.detail).toMatchObject({ requestParameters: { accountId: target } });
  });
});

describe('CloudTrail and faults', () => {
  it('records CloseAccount in us-east-1 as an Organizations call', async () => {
    const id = sb.accountId('team-8');
    await org.send(new CloseAccountCommand({ AccountId: id }));
    const event = sb.runtime.recentTrail.filter((e) => e.detail.eventName === 'CloseAccount').at(-1);
    expect(event).toMatchObject({
      source: 'aws.organizations',
      region: 'us-east-1',
      detail: {
        eventSource: 'organizations.amazonaws.com',
        awsRegion: 'us-east-1',
        requestParameters: { accountId: id },
        recipientAccountId: sb.runtime.managementAccountId,
      },
    });
    expect(event?.detail.errorCode).toBeUndefined();
    await finishClosures();
  });

  it('fails with an injected fault and leaves the account ACTIVE', async () => {
    const open = sb.accountId('log-archive');
    const [rule] = sb.runtime.faults.add({
      service: 'organizations',
      operation: 'CloseAccount',
      error: 'throttle',
      count: 1,
    });
    const err = await rejection(org.send(new CloseAccountCommand({ AccountId: open })));
    expect(err.name).toBe('TooManyRequestsException');
    expect(rule?.fired).toBe(1);
    expect((await describeAccount(open))?.Status).toBe('ACTIVE');
  });
});
