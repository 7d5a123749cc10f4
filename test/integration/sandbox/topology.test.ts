/**
 * Accounts and regions apart, events along deployed rules: each account has its own buses per
 * region, a call's CloudTrail event lands on the caller's default bus, and reaches the hub's bus only
 * along the baseline's forwarding rule and through the hub bus's policy.
 */

import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateInternetGatewayCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { TracedEvent } from '../../../cli/commands/sandbox';
import { createAccountIn, deploySecurityBaseline, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const HOME = 'eu-west-1';
let sb: TestSandbox;
let hub: string;
/** An account with the security baseline (forwarding rule in eu-west-1 and us-east-1). */
let guarded: string;
/** An account without it: nothing it does reaches the hub. */
let bare: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  hub = sb.runtime.managementAccountId;
  guarded = await createAccountIn(sb, 'topology-guarded');
  bare = await createAccountIn(sb, 'topology-bare');
  await deploySecurityBaseline(sb, guarded);
}, 30_000);
afterAll(() => sb?.stop());

const events = (accountId?: string, region = HOME) =>
  accountId ? sb.client(EventBridgeClient, { accountId, region }) : sb.client(EventBridgeClient, { region });

async function hops(id: string): Promise<TracedEvent[]> {
  const res = await fetch(`${sb.endpoint}/_sandbox/bus-events?eventId=${id}`);
  return ((await res.json()) as { events: TracedEvent[] }).events;
}

/** Waits until the event's hops are all traced and no delivery is pending. */
async function settledHops(id: string, count: number): Promise<TracedEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const h = await hops(id);
    const done =
      h.length >= count && h.every((t) => t.rules.every((r) => r.targets.every((x) => x.outcome !== 'pending')));
    if (done) return h;
    if (Date.now() > deadline) throw new Error(`event ${id}: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The CloudTrail event id of the newest recorded call named `eventName` in an account. */
function trailEventId(account: string, eventName: string): string {
  const found = sb.runtime.recentTrail.filter((e) => e.account === account && e.detail.eventName === eventName).at(-1);
  if (!found) throw new Error(`no ${eventName} recorded in ${account}`);
  return found.id;
}

async function metrics(account: string, region = HOME) {
  const res = await fetch(`${sb.endpoint}/_sandbox/rule-metrics?account=${account}&region=${region}`);
  return ((await res.json()) as { rules: { ruleArn: string; Invocations: number; FailedInvocations: number }[] }).rules;
}

describe('every account and region has its own buses', () => {
  it('a member sees its own default bus, not the hub bus', async () => {
    const out = await events(bare).send(new ListEventBusesCommand({}));
    expect(out.EventBuses?.map((b) => b.Arn)).toEqual([`arn:aws:events:${HOME}:${bare}:event-bus/default`]);
    await expect(events(bare).send(new DescribeEventBusCommand({ Name: 'vendguard' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it("a bus one account creates is invisible to the hub and to the account's other regions", async () => {
    const made = await events(bare).send(new CreateEventBusCommand({ Name: 'team-bus' }));
    expect(made.EventBusArn).toBe(`arn:aws:events:${HOME}:${bare}:event-bus/team-bus`);
    const hubBuses = (await events().send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name);
    expect(hubBuses).toEqual(expect.arrayContaining(['default', 'vendguard']));
    expect(hubBuses).not.toContain('team-bus');
    const frankfurt = await events(bare, 'eu-central-1').send(new ListEventBusesCommand({}));
    expect(frankfurt.EventBuses?.map((b) => b.Arn)).toEqual([`arn:aws:events:eu-central-1:${bare}:event-bus/default`]);
  });

  it("the baseline's forwarding rule exists in the guarded account, in each region it was deployed to", async () => {
    for (const region of [HOME, 'us-east-1']) {
      const rules = await events(guarded, region).send(new ListRulesCommand({}));
      const forward = rules.Rules?.find((r) => r.Name === 'vendguard-forward-cloudtrail');
      expect(forward?.Arn).toBe(`arn:aws:events:${region}:${guarded}:rule/vendguard-forward-cloudtrail`);
      const targets = await events(guarded, region).send(
        new ListTargetsByRuleCommand({ Rule: 'vendguard-forward-cloudtrail' }),
      );
      expect(targets.Targets).toEqual([
        expect.objectContaining({
          Arn: `arn:aws:events:${HOME}:${hub}:event-bus/vendguard`,
          RoleArn: `arn:aws:iam::${guarded}:role/vendguard-event-forwarder-${region}`,
        }),
      ]);
    }
    expect((await events(bare).send(new ListRulesCommand({}))).Rules).toEqual([]);
  });
});

describe('a call travels only along deployed rules', () => {
  it('an account without the baseline sends the hub nothing', async () => {
    await sb.client(EC2Client, { accountId: bare }).send(new CreateInternetGatewayCommand({}));
    const id = trailEventId(bare, 'CreateInternetGateway');
    const h = await settledHops(id, 1);
    expect(h).toEqual([expect.objectContaining({ account: bare, region: HOME, bus: 'default', rules: [] })]);
    const hubSide = await (await fetch(`${sb.endpoint}/_sandbox/bus-events?bus=vendguard&limit=500`)).json();
    expect((hubSide as { events: TracedEvent[] }).events.map((e) => e.event.id)).not.toContain(id);
  });

  it("a guarded account's call reaches the hub bus along the forwarding rule and fires the guardrail", async () => {
    await sb.client(EC2Client, { accountId: guarded, role: 'Developer' }).send(new CreateInternetGatewayCommand({}));
    const id = trailEventId(guarded, 'CreateInternetGateway');
    const [member, central] = await settledHops(id, 2);
    expect(member).toMatchObject({
      account: guarded,
      region: HOME,
      bus: 'default',
      rules: [
        {
          name: 'vendguard-forward-cloudtrail',
          targets: [{ arn: `arn:aws:events:${HOME}:${hub}:event-bus/vendguard`, outcome: 'delivered' }],
        },
      ],
    });
    expect(central).toMatchObject({ account: hub, region: HOME, bus: 'vendguard' });
    expect(central?.event.account).toBe(guarded);
    expect(central?.rules.map((r) => r.name)).toContain('vendguard-igw-created');
  });

  it('global calls (IAM) land in us-east-1 and are forwarded from there', async () => {
    const iam = sb.client(IAMClient, { accountId: guarded, region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'topology-probe',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'topology-probe' }));
    const [member, central] = await settledHops(trailEventId(guarded, 'CreateRole'), 2);
    expect(member).toMatchObject({ account: guarded, region: 'us-east-1', bus: 'default' });
    expect(member?.rules[0]?.targets[0]?.outcome).toBe('delivered');
    expect(central).toMatchObject({ account: hub, region: HOME, bus: 'vendguard' });
  });

  it("the hub's own calls reach its bus through the hub forwarding rules (home region and us-east-1)", async () => {
    await sb.client(EC2Client).send(new CreateInternetGatewayCommand({}));
    const ec2Hops = await settledHops(trailEventId(hub, 'CreateInternetGateway'), 2);
    expect(ec2Hops.map((h) => `${h.region}/${h.bus}`)).toEqual([`${HOME}/default`, `${HOME}/vendguard`]);
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'topology-hub-probe',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'topology-hub-probe' }));
    const iamHops = await settledHops(trailEventId(hub, 'CreateRole'), 2);
    expect(iamHops.map((h) => `${h.region}/${h.bus}`)).toEqual(['us-east-1/default', `${HOME}/vendguard`]);
  });
});

describe("the hub bus's policy decides cross-account puts", () => {
  const statement = {
    Sid: 'cdk-MemberForwardersPutEvents', // CDK prefixes the statement id
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'events:PutEvents',
  };

  it("admits only the members' forwarding roles, as the hub stack declares it: a member's own principals are denied", async () => {
    const bus = await events().send(new DescribeEventBusCommand({ Name: 'vendguard' }));
    const policy = JSON.parse(bus.Policy as string);
    expect(policy.Statement).toEqual([
      {
        ...statement,
        Resource: `arn:aws:events:${HOME}:${hub}:event-bus/vendguard`,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': sb.runtime.organizations.organizationId },
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/vendguard-event-forwarder-*' },
        },
      },
    ]);
    // an administrator of a member account may not put on the hub bus (an Account Request, a forged finding)
    await expect(
      events(bare).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: `arn:aws:events:${HOME}:${hub}:event-bus/vendguard`,
              Source: 'vendguard.requests',
              DetailType: 'Account Request',
              Detail: '{}',
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('without it, forwarded events are dropped and counted as FailedInvocations, and direct puts are denied', async () => {
    const before = await events().send(new DescribeEventBusCommand({ Name: 'vendguard' }));
    await events().send(new RemovePermissionCommand({ EventBusName: 'vendguard', StatementId: statement.Sid }));
    try {
      const ruleArn = `arn:aws:events:${HOME}:${guarded}:rule/vendguard-forward-cloudtrail`;
      const failedBefore = (await metrics(guarded)).find((m) => m.ruleArn === ruleArn)?.FailedInvocations ?? 0;
      await sb.client(EC2Client, { accountId: guarded }).send(new CreateInternetGatewayCommand({}));
      const h = await settledHops(trailEventId(guarded, 'CreateInternetGateway'), 1);
      expect(h).toHaveLength(1);
      expect(h[0]?.rules[0]?.targets[0]?.outcome).toBe('dropped');
      const after = (await metrics(guarded)).find((m) => m.ruleArn === ruleArn);
      expect(after?.FailedInvocations).toBe(failedBefore + 1);

      await expect(
        events(bare).send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: `arn:aws:events:${HOME}:${hub}:event-bus/vendguard`,
                Source: 'acme.probe',
                DetailType: 'Probe',
                Detail: '{}',
              },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      await events().send(new PutPermissionCommand({ EventBusName: 'vendguard', Policy: before.Policy as string }));
    }
  });

  it('PutPermission validates its parameters as EventBridge does', async () => {
    await expect(
      events().send(
        new PutPermissionCommand({
          EventBusName: 'vendguard',
          Action: 'events:PutEvents',
          Principal: '12',
          StatementId: 'x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      events().send(
        new PutPermissionCommand({
          EventBusName: 'vendguard',
          Action: 'events:PutRule',
          Principal: bare,
          StatementId: 'x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      events().send(new RemovePermissionCommand({ EventBusName: 'vendguard', StatementId: 'no-such-statement' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('tables and state machines belong to their account and region', () => {
  it("a member sees its own tables, with ARNs naming its account, never the hub's", async () => {
    const mine = sb.client(DynamoDBClient, { accountId: bare });
    expect((await mine.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    const made = await mine.send(
      new CreateTableCommand({
        TableName: 'team-table',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect(made.TableDescription?.TableArn).toBe(`arn:aws:dynamodb:${HOME}:${bare}:table/team-table`);
    const hubTables = (await sb.client(DynamoDBClient).send(new ListTablesCommand({}))).TableNames;
    expect(hubTables).toContain('vendguard-state');
    expect(hubTables).not.toContain('team-table');
    const state = await sb.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'vendguard-state' }));
    expect(state.Table?.TableArn).toBe(`arn:aws:dynamodb:${HOME}:${hub}:table/vendguard-state`);
    await expect(mine.send(new DescribeTableCommand({ TableName: 'vendguard-state' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const frankfurt = sb.client(DynamoDBClient, { accountId: bare, region: 'eu-central-1' });
    expect((await frankfurt.send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it("a member lists no state machines and cannot reach the hub's", async () => {
    const sfn = sb.client(SFNClient, { accountId: bare });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
    await expect(
      sfn.send(
        new DescribeStateMachineCommand({
          stateMachineArn: `arn:aws:states:${HOME}:${hub}:stateMachine:vendguard-account-vending`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
