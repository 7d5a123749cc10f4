import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { AddPermissionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/** Polls until `check` returns a value (or fails after `timeoutMs` of real time). */
async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sandbox EventBridge through the SDK', () => {
  let sb: TestSandbox;
  let events: EventBridgeClient;
  const invoked: Array<{ name: string; event: Record<string, unknown> }> = [];
  const fnArn = (name: string) => `arn:aws:lambda:${sb.runtime.homeRegion}:100000000001:function:vendguard-${name}`;

  beforeAll(async () => {
    sb = await startTestSandbox();
    events = sb.client(EventBridgeClient);
    // record what Lambda runs for the deployed functions instead of running their handlers; a
    // function that does not exist is refused by Lambda before anything runs
    jest.spyOn(sb.runtime.functions, 'runModule').mockImplementation(async (invocation) => {
      invoked.push({ name: invocation.recordName, event: invocation.event as Record<string, unknown> });
      return {};
    });
    // as on AWS, a function runs for a rule only if its policy lets that rule invoke it
    const lambda = sb.client(LambdaClient);
    for (const name of ['guard-alert', 'notify-slack']) {
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: `vendguard-${name}`,
          StatementId: 'test-rules',
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceArn: `arn:aws:events:${sb.runtime.homeRegion}:100000000001:rule/vendguard/it-*`,
        }),
      );
    }
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('serves the default and vendguard buses with the rules of events/rules loaded', async () => {
    const buses = await events.send(new ListEventBusesCommand({}));
    expect(buses.EventBuses?.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', 'vendguard']));
    const rules = await events.send(new ListRulesCommand({ EventBusName: 'vendguard' }));
    expect(rules.Rules?.length).toBeGreaterThan(0);
  });

  it('delivers a PutEvents entry to the function target of a matching rule', async () => {
    await events.send(
      new PutRuleCommand({
        Name: 'it-deliver',
        EventBusName: 'vendguard',
        EventPattern: JSON.stringify({ source: ['it.test'], detail: { kind: [{ prefix: 'deliver' }] } }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'it-deliver',
        EventBusName: 'vendguard',
        Targets: [{ Id: 'fn', Arn: fnArn('guard-alert') }],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'it.test',
            DetailType: 'Test',
            Detail: JSON.stringify({ kind: 'deliver-me' }),
            EventBusName: 'vendguard',
          },
          { Source: 'it.test', DetailType: 'Test', Detail: '{bad', EventBusName: 'vendguard' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    const delivered = await eventually(() => invoked.find((i) => i.event.id === put.Entries?.[0]?.EventId));
    expect(delivered).toMatchObject({
      name: 'guard-alert',
      event: { source: 'it.test', detail: { kind: 'deliver-me' } },
    });
  });

  it('answers TestEventPattern and names a malformed pattern InvalidEventPatternException', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '100000000001',
      source: 'aws.ec2',
      time: '2026-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { sourceIPAddress: '10.1.2.3' },
    });
    const yes = await events.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"}]}}',
        Event: event,
      }),
    );
    expect(yes.Result).toBe(true);
    const no = await events.send(
      new TestEventPatternCommand({ EventPattern: '{"source":[{"suffix":".s3"}]}', Event: event }),
    );
    expect(no.Result).toBe(false);
    await expect(
      events.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"nope":1}]}', Event: event })),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
  });

  it('delivers the CloudTrail event of an SDK call to a rule on the vendguard bus', async () => {
    await events.send(
      new PutRuleCommand({
        Name: 'it-trail',
        EventBusName: 'vendguard',
        EventPattern: JSON.stringify({
          source: ['aws.events'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: { eventName: ['CreateEventBus'], errorCode: [{ exists: false }] },
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'it-trail',
        EventBusName: 'vendguard',
        Targets: [{ Id: 'fn', Arn: fnArn('notify-slack') }],
      }),
    );
    await events.send(new CreateEventBusCommand({ Name: 'it-bus' }));
    const delivered = await eventually(() =>
      invoked.find((i) => (i.event.detail as { eventName?: string } | undefined)?.eventName === 'CreateEventBus'),
    );
    expect(delivered.name).toBe('notify-slack');
  });

  it('replays archived events only to the rule named in FilterArns', async () => {
    const pattern = JSON.stringify({ source: ['it.replay'] });
    const a = await events.send(
      new PutRuleCommand({ Name: 'it-replay-a', EventBusName: 'vendguard', EventPattern: pattern }),
    );
    await events.send(new PutRuleCommand({ Name: 'it-replay-b', EventBusName: 'vendguard', EventPattern: pattern }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'it-replay-a',
        EventBusName: 'vendguard',
        Targets: [{ Id: 'a', Arn: fnArn('guard-alert') }],
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'it-replay-b',
        EventBusName: 'vendguard',
        Targets: [{ Id: 'b', Arn: fnArn('notify-slack') }],
      }),
    );
    const start = new Date(sb.runtime.clock.nowMs() - 1000);
    const put = await events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'it.replay', DetailType: 'T', Detail: '{}', EventBusName: 'vendguard' }],
      }),
    );
    const id = put.Entries?.[0]?.EventId;
    await eventually(() => invoked.filter((i) => i.event.id === id).length === 2);
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: 'vendguard-archive' }));
    expect(archive.EventCount).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, 5));
    await events.send(
      new StartReplayCommand({
        ReplayName: 'it-replay',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: start,
        EventEndTime: new Date(sb.runtime.clock.nowMs()),
        Destination: { Arn: archive.EventSourceArn, FilterArns: [a.RuleArn as string] },
      }),
    );
    const done = await eventually(async () => {
      const r = await events.send(new DescribeReplayCommand({ ReplayName: 'it-replay' }));
      return r.State === 'COMPLETED' ? r : undefined;
    });
    expect(done.EventLastReplayedTime).toBeInstanceOf(Date);
    const replayed = await eventually(() => {
      const hits = invoked.filter((i) => i.event.id === id && i.event['replay-name'] === 'it-replay');
      return hits.length > 0 ? hits : undefined;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(invoked.filter((i) => i.event.id === id && i.event['replay-name'] === 'it-replay')).toHaveLength(1);
    expect(replayed[0]?.name).toBe('guard-alert');
  });

  it('records a target that keeps failing as a dead letter visible under /_sandbox/deadletters', async () => {
    await events.send(
      new PutRuleCommand({
        Name: 'it-dead',
        EventBusName: 'vendguard',
        EventPattern: JSON.stringify({ source: ['it.dead'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'it-dead',
        EventBusName: 'vendguard',
        Targets: [{ Id: 'broken', Arn: fnArn('missing-function'), RetryPolicy: { MaximumRetryAttempts: 1 } }],
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'it.dead', DetailType: 'T', Detail: '{"n":1}', EventBusName: 'vendguard' }],
      }),
    );
    type Dead = { id: string; rule: string; targetId: string; errorName: string; attempts: number };
    const dead = await eventually(async () => {
      const res = await fetch(`${sb.endpoint}/_sandbox/deadletters`);
      const body = (await res.json()) as { deadLetters: Dead[] };
      return body.deadLetters.find((d) => d.rule === 'it-dead');
    });
    expect(dead).toMatchObject({ targetId: 'broken', errorName: 'ResourceNotFoundException', attempts: 2 });
    const res = await fetch(`${sb.endpoint}/_sandbox/deadletters/redeliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: dead.id }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { redelivered: Array<{ redeliveryStatus: string }> };
    expect(body.redelivered[0]?.redeliveryStatus).toBe('FAILED');
  });
});

describe('sandbox EventBridge across a restart', () => {
  it('keeps rules, targets and archived events', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vendguard-eb-restart-'));
    try {
      const first = await startTestSandbox({ home });
      const before = first.client(EventBridgeClient);
      await before.send(
        new PutRuleCommand({
          Name: 'it-durable',
          EventBusName: 'vendguard',
          EventPattern: '{"source":["it.durable"]}',
        }),
      );
      await before.send(
        new PutTargetsCommand({
          Rule: 'it-durable',
          EventBusName: 'vendguard',
          Targets: [
            {
              Id: 'fn',
              Arn: `arn:aws:lambda:${first.runtime.homeRegion}:100000000001:function:vendguard-guard-alert`,
              Input: '{}',
            },
          ],
        }),
      );
      await before.send(
        new PutEventsCommand({
          Entries: [{ Source: 'it.unmatched', DetailType: 'T', Detail: '{}', EventBusName: 'vendguard' }],
        }),
      );
      const archivedBefore = (await before.send(new DescribeArchiveCommand({ ArchiveName: 'vendguard-archive' })))
        .EventCount;
      await first.stop();

      const second = await startTestSandbox({ home });
      const after = second.client(EventBridgeClient);
      const rule = await after.send(new DescribeRuleCommand({ Name: 'it-durable', EventBusName: 'vendguard' }));
      expect(rule.EventPattern).toBe('{"source":["it.durable"]}');
      const targets = await after.send(new ListTargetsByRuleCommand({ Rule: 'it-durable', EventBusName: 'vendguard' }));
      expect(targets.Targets?.map((t) => t.Id)).toEqual(['fn']);
      const archivedAfter = (await after.send(new DescribeArchiveCommand({ ArchiveName: 'vendguard-archive' })))
        .EventCount;
      expect(archivedAfter).toBeGreaterThanOrEqual(archivedBefore ?? 1);
      await second.stop();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
