import {
  AccountNotFoundException,
  AttachPolicyCommand,
  ConstraintViolationException,
  CreateAccountCommand,
  type CreateAccountStatus,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DetachPolicyCommand,
  DuplicateAccountException,
  DuplicatePolicyAttachmentException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  PolicyNotAttachedException,
  SourceParentNotFoundException,
  TagResourceCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { loadOrganizationConfig } from '../../../config/load';
import {
  CreateAccountResultDetailsSchema,
  SERVICE_EVENT_DETAIL_TYPE,
  ServiceEventSchema,
} from '../../../functions/shared/schemas/cloudtrail';
import type { BusEvent } from '../../../sandbox/core/types';
import { busEvents, KEEP_BUS_EVENTS } from '../../../sandbox/services/eventbridge/trace';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;
let rootId: string;

beforeAll(async () => {
  // 600x: a CreateAccount takes 0.1–0.4 s.
  sb = await startTestSandbox({ timeScale: 600 });
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
});
afterAll(() => sb.stop());

async function waitForCreation(id: string): Promise<CreateAccountStatus> {
  for (let i = 0; i < 200; i++) {
    const s = (await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id })))
      .CreateAccountStatus;
    if (s && s.State !== 'IN_PROGRESS') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`creation ${id} never finished`);
}

const ouId = (path: string): string => sb.runtime.organizations.ouIdByPath(path) as string;

describe('the seeded organization', () => {
  it('holds the core accounts of the config with ids in config order', async () => {
    const { config } = loadOrganizationConfig();
    const out = await org.send(new ListAccountsCommand({}));
    expect(out.Accounts?.map((a) => [a.Name, a.Id])).toEqual(
      config.accounts.map((a, i) => [a.name, String(100000000001 + i)]),
    );
  });

  it('places every account in its OU and every OU under its parent path', async () => {
    const egress = sb.accountId('egress');
    const parents = await org.send(new ListParentsCommand({ ChildId: egress }));
    expect(parents.Parents).toEqual([{ Id: ouId('Infrastructure/Egress'), Type: 'ORGANIZATIONAL_UNIT' }]);
    const underInfra = await org.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: ouId('Infrastructure') }),
    );
    expect(underInfra.OrganizationalUnits?.map((o) => o.Name).sort()).toEqual(['Bastion', 'Egress']);
    const children = await org.send(new ListChildrenCommand({ ParentId: rootId, ChildType: 'ACCOUNT' }));
    expect(children.Children).toEqual([{ Id: '100000000001', Type: 'ACCOUNT' }]);
  });

  it('attaches FullAWSAccess everywhere and the config SCPs to their targets', async () => {
    const forWorkloads = await org.send(
      new ListPoliciesForTargetCommand({ TargetId: ouId('Workloads'), Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    expect(forWorkloads.Policies?.map((p) => p.Name).sort()).toEqual([
      'FullAWSAccess',
      'vendguard-deny-internet-gateway',
      'vendguard-deny-root-and-leave',
      'vendguard-protect-security',
      'vendguard-region-restriction',
    ]);
    const targets = await org.send(new ListTargetsForPolicyCommand({ PolicyId: 'p-FullAWSAccess' }));
    expect(targets.Targets?.length).toBe(1 + 10 + 7);
  });

  it('pages ListAccounts with NextToken and rejects MaxResults over 20', async () => {
    const first = await org.send(new ListAccountsCommand({ MaxResults: 3 }));
    expect(first.Accounts).toHaveLength(3);
    expect(first.NextToken).toBeDefined();
    const second = await org.send(new ListAccountsCommand({ MaxResults: 3, NextToken: first.NextToken }));
    expect(second.Accounts?.[0]?.Id).toBe('100000000004');
    const err = await org.send(new ListAccountsCommand({ MaxResults: 21 })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('InvalidInputException');
  });
});

describe('CreateAccount', () => {
  it('is IN_PROGRESS, then SUCCEEDED with the account in the root, tagged', async () => {
    const started = await org.send(
      new CreateAccountCommand({
        Email: 'team-a@acme.example',
        AccountName: 'team-a',
        Tags: [{ Key: 'vendguard:request-id', Value: 'req-1' }],
      }),
    );
    expect(started.CreateAccountStatus?.State).toBe('IN_PROGRESS');
    expect(started.CreateAccountStatus?.Id).toMatch(/^car-[0-9a-f]{32}$/);
    const done = await waitForCreation(started.CreateAccountStatus?.Id as string);
    expect(done.State).toBe('SUCCEEDED');
    expect(done.AccountId).toMatch(/^[2-9]\d{11}$/);
    const account = await org.send(new DescribeAccountCommand({ AccountId: done.AccountId }));
    expect(account.Account?.Name).toBe('team-a');
    expect(account.Account?.JoinedTimestamp).toBeInstanceOf(Date);
    const inRoot = await org.send(new ListAccountsForParentCommand({ ParentId: rootId }));
    expect(inRoot.Accounts?.map((a) => a.Id)).toContain(done.AccountId);
    const tags = await org.send(new ListTagsForResourceCommand({ ResourceId: done.AccountId }));
    expect(tags.Tags).toEqual([{ Key: 'vendguard:request-id', Value: 'req-1' }]);
  });

  it('fails with EMAIL_ALREADY_EXISTS for an email any account uses', async () => {
    const started = await org.send(new CreateAccountCommand({ Email: 'aws-egress@acme.example', AccountName: 'dup' }));
    const done = await waitForCreation(started.CreateAccountStatus?.Id as string);
    expect(done).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
  });

  it('fails with CONCURRENT_ACCOUNT_MODIFICATION beyond five creations in progress', async () => {
    // 60x: creations stay IN_PROGRESS for 1–4 real seconds, so six requests overlap even under load.
    const slow = await startTestSandbox({ timeScale: 60 });
    try {
      const client = slow.client(OrganizationsClient, { region: 'us-east-1' });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const out = await client.send(
          new CreateAccountCommand({ Email: `burst-${i}@acme.example`, AccountName: `burst-${i}` }),
        );
        ids.push(out.CreateAccountStatus?.Id as string);
      }
      let sixth: CreateAccountStatus | undefined;
      for (let i = 0; i < 100 && sixth?.State !== 'FAILED'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        sixth = (await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: ids[5] })))
          .CreateAccountStatus;
      }
      expect(sixth).toMatchObject({ State: 'FAILED', FailureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' });
      const others = await client.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS', 'SUCCEEDED'] }));
      expect(others.CreateAccountStatuses?.map((s) => s.Id).sort()).toEqual(ids.slice(0, 5).sort());
    } finally {
      await slow.stop();
    }
  });

  it('fails with the reason of an injected CreateAccountProcess fault', async () => {
    sb.runtime.faults.add({
      service: 'organizations',
      operation: 'CreateAccountProcess',
      error: 'INTERNAL_FAILURE',
      count: 1,
    });
    const started = await org.send(new CreateAccountCommand({ Email: 'faulty@acme.example', AccountName: 'faulty' }));
    expect(await waitForCreation(started.CreateAccountStatus?.Id as string)).toMatchObject({
      State: 'FAILED',
      FailureReason: 'INTERNAL_FAILURE',
    });
  });

  it('lists creation requests filtered by state', async () => {
    const failed = await org.send(new ListCreateAccountStatusCommand({ States: ['FAILED'] }));
    expect(failed.CreateAccountStatuses?.map((s) => s.FailureReason).sort()).toEqual([
      'EMAIL_ALREADY_EXISTS',
      'INTERNAL_FAILURE',
    ]);
  });

  it('resolves in the background, so ListAccounts is consistent without polling the request', async () => {
    const started = await org.send(new CreateAccountCommand({ Email: 'bg@acme.example', AccountName: 'bg' }));
    await new Promise((r) => setTimeout(r, 800));
    expect(sb.runtime.organizations.accountIdByName('bg')).toBeDefined();
    expect((await waitForCreation(started.CreateAccountStatus?.Id as string)).State).toBe('SUCCEEDED');
  });
});

describe('CreateAccount over the account limit', () => {
  it('fails with ACCOUNT_LIMIT_EXCEEDED', async () => {
    const loaded = loadOrganizationConfig();
    const small = await startTestSandbox({
      loaded: {
        ...loaded,
        config: { ...loaded.config, organization: { ...loaded.config.organization, accountLimit: 7 } },
      },
    });
    try {
      const client = small.client(OrganizationsClient, { region: 'us-east-1' });
      const started = await client.send(
        new CreateAccountCommand({ Email: 'one-more@acme.example', AccountName: 'one-more' }),
      );
      let status: CreateAccountStatus | undefined;
      for (let i = 0; i < 100 && status?.State !== 'FAILED' && status?.State !== 'SUCCEEDED'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        status = (
          await client.send(
            new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus?.Id }),
          )
        ).CreateAccountStatus;
      }
      expect(status).toMatchObject({ State: 'FAILED', FailureReason: 'ACCOUNT_LIMIT_EXCEEDED' });
    } finally {
      await small.stop();
    }
  });
});

describe('MoveAccount', () => {
  it('moves an account and names each failure as AWS does', async () => {
    const bastion = sb.accountId('bastion');
    const from = ouId('Infrastructure/Bastion');
    const to = ouId('Sandbox');
    await org.send(new MoveAccountCommand({ AccountId: bastion, SourceParentId: from, DestinationParentId: to }));
    expect((await org.send(new ListParentsCommand({ ChildId: bastion }))).Parents?.[0]?.Id).toBe(to);
    await expect(
      org.send(new MoveAccountCommand({ AccountId: bastion, SourceParentId: to, DestinationParentId: to })),
    ).rejects.toBeInstanceOf(DuplicateAccountException);
    await expect(
      org.send(new MoveAccountCommand({ AccountId: bastion, SourceParentId: from, DestinationParentId: from })),
    ).rejects.toBeInstanceOf(SourceParentNotFoundException);
    await expect(
      org.send(new MoveAccountCommand({ AccountId: '999999999999', SourceParentId: to, DestinationParentId: from })),
    ).rejects.toBeInstanceOf(AccountNotFoundException);
  });
});

describe('service control policies', () => {
  const doc = (n: number) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: `S${n}`, Effect: 'Deny', Action: 'ec2:*', Resource: '*' }],
    });

  it('creates, updates, lists and attaches a policy, then refuses a duplicate attachment', async () => {
    const created = await org.send(
      new CreatePolicyCommand({
        Name: 'test-deny-ec2',
        Description: 'test',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: doc(1),
      }),
    );
    const id = created.Policy?.PolicySummary?.Id as string;
    expect(id).toMatch(/^p-[a-z0-9]{8}$/);
    const updated = await org.send(new UpdatePolicyCommand({ PolicyId: id, Content: doc(2) }));
    expect(updated.Policy?.Content).toBe(doc(2));
    const all = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    expect(all.Policies?.map((p) => p.Name)).toContain('test-deny-ec2');
    const dev = ouId('Workloads/Dev');
    await org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: dev }));
    await expect(org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: dev }))).rejects.toBeInstanceOf(
      DuplicatePolicyAttachmentException,
    );
    await org.send(new DetachPolicyCommand({ PolicyId: id, TargetId: dev }));
    await expect(org.send(new DetachPolicyCommand({ PolicyId: id, TargetId: dev }))).rejects.toBeInstanceOf(
      PolicyNotAttachedException,
    );
  });

  it('refuses a sixth SCP on a target (FullAWSAccess counts) with MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED', async () => {
    const created = await org.send(
      new CreatePolicyCommand({
        Name: 'test-sixth',
        Description: 'test',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: doc(6),
      }),
    );
    const err = await org
      .send(new AttachPolicyCommand({ PolicyId: created.Policy?.PolicySummary?.Id, TargetId: ouId('Workloads') }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConstraintViolationException);
    expect((err as ConstraintViolationException).Reason).toBe('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
  });

  it('refuses a document over 5,120 characters without white space with POLICY_CONTENT_LIMIT_EXCEEDED', async () => {
    const actions = Array.from({ length: 400 }, (_, i) => `ec2:Action${i}`);
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: actions, Resource: '*' }],
    });
    expect(big.length).toBeGreaterThan(5120);
    const err = await org
      .send(
        new CreatePolicyCommand({ Name: 'too-big', Description: 'x', Type: 'SERVICE_CONTROL_POLICY', Content: big }),
      )
      .catch((e: unknown) => e);
    expect((err as ConstraintViolationException).Reason).toBe('POLICY_CONTENT_LIMIT_EXCEEDED');
    const bad = await org
      .send(
        new CreatePolicyCommand({ Name: 'bad', Description: 'x', Type: 'SERVICE_CONTROL_POLICY', Content: '{nope' }),
      )
      .catch((e: unknown) => e);
    expect((bad as Error).name).toBe('MalformedPolicyDocumentException');
  });
});

describe('OUs and tags', () => {
  it('creates an OU under a parent and tags it', async () => {
    const out = await org.send(new CreateOrganizationalUnitCommand({ ParentId: ouId('Workloads'), Name: 'Staging' }));
    const id = out.OrganizationalUnit?.Id as string;
    expect(sb.runtime.organizations.ouIdByPath('Workloads/Staging')).toBe(id);
    await org.send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: 'owner', Value: 'platform' }] }));
    expect((await org.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([
      { Key: 'owner', Value: 'platform' },
    ]);
    const dup = await org
      .send(new CreateOrganizationalUnitCommand({ ParentId: ouId('Workloads'), Name: 'Staging' }))
      .catch((e: unknown) => e);
    expect((dup as Error).name).toBe('DuplicateOrganizationalUnitException');
  });
});

describe('the CreateAccountResult service event', () => {
  /** The `CreateAccountResult` events of a creation request on the management account's us-east-1 default bus. */
  function results(requestId: string): BusEvent[] {
    return busEvents(sb.runtime, {
      account: sb.runtime.managementAccountId,
      region: 'us-east-1',
      bus: 'default',
      limit: KEEP_BUS_EVENTS,
    })
      .map((t) => t.event)
      .filter((e) => e['detail-type'] === SERVICE_EVENT_DETAIL_TYPE && e.detail.eventName === 'CreateAccountResult')
      .filter((e) => JSON.stringify(e.detail.serviceEventDetails).includes(requestId));
  }

  it('records CreateAccount in CloudTrail with the name and email masked, as AWS does', async () => {
    const started = await org.send(
      new CreateAccountCommand({ Email: 'masked@acme.example', AccountName: 'masked', RoleName: 'OrgAdmin' }),
    );
    const call = sb.runtime.recentTrail.filter((e) => e.detail.eventName === 'CreateAccount').at(-1);
    expect(call?.detail.requestParameters).toEqual({ accountName: '****', email: '****', roleName: 'OrgAdmin' });
    expect(call?.detail.responseElements).toEqual({
      createAccountStatus: {
        accountName: '****',
        id: started.CreateAccountStatus?.Id,
        requestedTimestamp: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/),
        state: 'IN_PROGRESS',
      },
    });
    expect(JSON.stringify(call)).not.toContain('masked@acme.example');
    await waitForCreation(started.CreateAccountStatus?.Id as string);
  });

  it("lands on the management account's us-east-1 default bus exactly once when a creation succeeds, with the new account id", async () => {
    const started = await org.send(new CreateAccountCommand({ Email: 'result@acme.example', AccountName: 'result' }));
    const requestId = started.CreateAccountStatus?.Id as string;
    expect(results(requestId)).toEqual([]);
    const done = await waitForCreation(requestId);
    // Later calls resolve pending creations again; they must not send the event a second time.
    await org.send(new ListAccountsCommand({}));
    await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }));
    const events = results(requestId);
    expect(events).toHaveLength(1);
    const event = ServiceEventSchema.parse(events[0]);
    expect(event).toMatchObject({
      source: 'aws.organizations',
      account: '100000000001',
      region: 'us-east-1',
      detail: {
        eventSource: 'organizations.amazonaws.com',
        eventType: 'AwsServiceEvent',
        recipientAccountId: '100000000001',
        userIdentity: { accountId: '100000000001', invokedBy: 'AWS Internal' },
      },
    });
    expect(CreateAccountResultDetailsSchema.parse(event.detail.serviceEventDetails).createAccountStatus).toEqual({
      id: requestId,
      state: 'SUCCEEDED',
      accountName: '****',
      accountId: done.AccountId,
      requestedTimestamp: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/),
      completedTimestamp: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/),
    });
    expect(event.detail.eventTime).toBe(`${done.CompletedTimestamp?.toISOString().slice(0, 19)}Z`);
  });

  it('carries the failure reason when a creation fails', async () => {
    const started = await org.send(
      new CreateAccountCommand({ Email: 'aws-network@acme.example', AccountName: 'dup2' }),
    );
    const requestId = started.CreateAccountStatus?.Id as string;
    await waitForCreation(requestId);
    const events = results(requestId);
    expect(events).toHaveLength(1);
    const details = CreateAccountResultDetailsSchema.parse(events[0]?.detail.serviceEventDetails);
    expect(details.createAccountStatus).toMatchObject({ state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS' });
    expect(details.createAccountStatus.accountId).toBeUndefined();
  });
});
