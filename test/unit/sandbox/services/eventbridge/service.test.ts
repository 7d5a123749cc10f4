import type { AwsServiceError, SandboxRuntime } from '../../../../../sandbox/core/types';
import {
  createEventBridgeService,
  type DeadLetterRecord,
  type DeliveryRecord,
  listDeadLetters,
  redeliverDeadLetter,
} from '../../../../../sandbox/services/eventbridge';
import { TABLES } from '../../../../../sandbox/services/eventbridge/model';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

interface Harness {
  readonly rt: TestRuntime & SandboxRuntime;
  readonly eb: ReturnType<typeof createEventBridgeService>;
  readonly invocations: Array<{ name: string; event: unknown }>;
  readonly executions: Array<{ arn: string; input: string }>;
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Makes a function fail (or succeed again with undefined). */
  failing: Set<string>;
}

async function harness(): Promise<Harness> {
  const base = createTestRuntime();
  const invocations: Harness['invocations'] = [];
  const executions: Harness['executions'] = [];
  const failing = new Set<string>();
  const rt = Object.assign(base, {
    functions: {
      invoke: async (name: string, event: unknown) => {
        invocations.push({ name, event });
        if (failing.has(name)) {
          const error = new Error(`${name} failed`);
          error.name = 'GuardrailRemediationError';
          throw error;
        }
        return { ok: true };
      },
      functionArn: (name: string) => `arn:aws:lambda:eu-west-1:100000000001:function:vendguard-${name}`,
    },
    stateMachines: {
      startExecution: async (arn: string, input: string) => {
        executions.push({ arn, input });
        return { executionArn: `${arn}:x`, startDate: new Date() };
      },
    },
  });
  const eb = createEventBridgeService(rt);
  await eb.service.start?.(rt);
  const call = async (operation: string, input: Record<string, unknown>) => {
    const handler = eb.service.operations[operation];
    if (!handler) throw new Error(`no operation ${operation}`);
    return (await handler(input, rt.context(operation, { service: 'events' }))) as Record<string, unknown>;
  };
  // what the hub stack deploys: the central bus and its archive of every event
  await call('CreateEventBus', { Name: 'vendguard' });
  await call('CreateArchive', {
    ArchiveName: 'vendguard-archive',
    EventSourceArn: 'arn:aws:events:eu-west-1:100000000001:event-bus/vendguard',
    EventPattern: JSON.stringify({ version: ['0'] }),
  });
  return { rt, eb, invocations, executions, call, failing };
}

async function expectAwsError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as AwsServiceError | undefined;
  expect(error?.code).toBe(code);
  if (message) expect(error?.message).toMatch(message);
}

const FN_ARN = 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-guard-alert';

async function ruleWithTarget(h: Harness, name: string, target: Record<string, unknown> = {}, bus = 'vendguard') {
  const { RuleArn } = await h.call('PutRule', {
    Name: name,
    EventBusName: bus,
    EventPattern: JSON.stringify({ source: ['vendguard.test'], 'detail-type': [name] }),
  });
  await h.call('PutTargets', { Rule: name, EventBusName: bus, Targets: [{ Id: 't1', Arn: FN_ARN, ...target }] });
  return RuleArn as string;
}

function put(h: Harness, detailType: string, detail: Record<string, unknown> = { n: 1 }, bus = 'vendguard') {
  return h.call('PutEvents', {
    Entries: [{ Source: 'vendguard.test', DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: bus }],
  });
}

describe('EventBridge service', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    h.eb.scheduler.stop();
    await h.eb.router.settle();
    h.rt.close();
  });

  it('lists the default bus (made on first use) with the buses and archives a deployment made', async () => {
    const buses = await h.call('ListEventBuses', {});
    expect((buses.EventBuses as Array<{ Name: string }>).map((b) => b.Name).sort()).toEqual(['default', 'vendguard']);
    const archive = await h.call('DescribeArchive', { ArchiveName: 'vendguard-archive' });
    expect(archive.EventSourceArn).toBe('arn:aws:events:eu-west-1:100000000001:event-bus/vendguard');
    expect(archive.State).toBe('ENABLED');
  });

  it('delivers a matching PutEvents entry to a function target in the EventBridge envelope', async () => {
    const ruleArn = await ruleWithTarget(h, 'route-me');
    expect(ruleArn).toBe('arn:aws:events:eu-west-1:100000000001:rule/vendguard/route-me');
    const result = await put(h, 'route-me', { answer: 42 });
    expect(result.FailedEntryCount).toBe(0);
    await put(h, 'not-me');
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(1);
    expect(h.invocations[0]).toMatchObject({
      name: 'guard-alert',
      event: {
        version: '0',
        id: (result.Entries as Array<{ EventId: string }>)[0]?.EventId,
        source: 'vendguard.test',
        'detail-type': 'route-me',
        account: '100000000001',
        region: 'eu-west-1',
        detail: { answer: 42 },
      },
    });
    const deliveries = h.rt.store.list<DeliveryRecord>(TABLES.deliveries);
    expect(deliveries).toEqual([
      expect.objectContaining({ rule: ruleArn, target: 't1', status: 'SUCCEEDED', attempts: 1 }),
    ]);
  });

  it('reports MalformedDetail, missing fields, aws.* sources and unknown buses per entry', async () => {
    const result = await h.call('PutEvents', {
      Entries: [
        { Source: 'vendguard.test', DetailType: 'x', Detail: '{not json' },
        { Source: 'vendguard.test', DetailType: 'x' },
        { Source: 'aws.ec2', DetailType: 'x', Detail: '{}' },
        { Source: 'vendguard.test', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
        { Source: 'vendguard.test', DetailType: 'x', Detail: '{}' },
      ],
    });
    expect(result.FailedEntryCount).toBe(4);
    expect((result.Entries as Array<Record<string, string>>).map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'MalformedDetail',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
      'ok',
    ]);
  });

  it('rejects more than 10 entries', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expectAwsError(h.call('PutEvents', { Entries: entries }), 'ValidationException');
  });

  it('validates patterns and requires a pattern or a schedule', async () => {
    await expectAwsError(
      h.call('PutRule', { Name: 'bad', EventBusName: 'vendguard', EventPattern: '{"source":"aws.ec2"}' }),
      'InvalidEventPatternException',
      /Event pattern is not valid/,
    );
    await expectAwsError(
      h.call('PutRule', { Name: 'none' }),
      'ValidationException',
      /EventPattern or ScheduleExpression/,
    );
    await expectAwsError(
      h.call('PutRule', { Name: 'x', EventBusName: 'missing', EventPattern: '{"source":["a"]}' }),
      'ResourceNotFoundException',
    );
  });

  it('refuses to delete a rule that still has targets, as AWS does', async () => {
    await ruleWithTarget(h, 'with-target');
    await expectAwsError(
      h.call('DeleteRule', { Name: 'with-target', EventBusName: 'vendguard' }),
      'ValidationException',
      /has targets/,
    );
    await h.call('RemoveTargets', { Rule: 'with-target', EventBusName: 'vendguard', Ids: ['t1'] });
    await h.call('DeleteRule', { Name: 'with-target', EventBusName: 'vendguard' });
    await expectAwsError(
      h.call('DescribeRule', { Name: 'with-target', EventBusName: 'vendguard' }),
      'ResourceNotFoundException',
    );
  });

  it('does not deliver to a disabled rule and delivers again once enabled', async () => {
    await ruleWithTarget(h, 'toggle');
    await h.call('DisableRule', { Name: 'toggle', EventBusName: 'vendguard' });
    expect((await h.call('DescribeRule', { Name: 'toggle', EventBusName: 'vendguard' })).State).toBe('DISABLED');
    await put(h, 'toggle');
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(0);
    await h.call('EnableRule', { Name: 'toggle', EventBusName: 'vendguard' });
    await put(h, 'toggle');
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(1);
  });

  it('sees targets added after the rule has already routed events', async () => {
    await h.call('PutRule', { Name: 'late', EventBusName: 'vendguard', EventPattern: '{"detail-type":["late"]}' });
    await put(h, 'late');
    await h.call('PutTargets', { Rule: 'late', EventBusName: 'vendguard', Targets: [{ Id: 't1', Arn: FN_ARN }] });
    await put(h, 'late');
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(1);
  });

  it('applies Input, InputPath and InputTransformer', async () => {
    await ruleWithTarget(h, 'constant', { Input: '{"fixed":true}' });
    await ruleWithTarget(h, 'path', { InputPath: '$.detail.inner' });
    await ruleWithTarget(h, 'template', {
      InputTransformer: {
        InputPathsMap: { who: '$.detail.who', n: '$.detail.n' },
        InputTemplate: '{"message": "<who> did it", "count": <n>, "rule": "<aws.events.rule-name>"}',
      },
    });
    await put(h, 'constant');
    await put(h, 'path', { inner: { a: 1 } });
    await put(h, 'template', { who: 'alice', n: 3 });
    await h.eb.router.settle();
    expect(h.invocations.map((i) => i.event)).toEqual([
      { fixed: true },
      { a: 1 },
      { message: 'alice did it', count: 3, rule: 'template' },
    ]);
  });

  it('starts a state machine execution with the event as its input', async () => {
    await h.call('PutRule', { Name: 'sm', EventBusName: 'vendguard', EventPattern: '{"source":["vendguard.test"]}' });
    const arn = 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending';
    await h.call('PutTargets', { Rule: 'sm', EventBusName: 'vendguard', Targets: [{ Id: 'sfn', Arn: arn }] });
    await put(h, 'anything', { requestId: 'r-1' });
    await h.eb.router.settle();
    expect(h.executions).toHaveLength(1);
    expect(h.executions[0]?.arn).toBe(arn);
    expect(JSON.parse(h.executions[0]?.input ?? '{}')).toMatchObject({ detail: { requestId: 'r-1' } });
  });

  it('retries a failing target, then records a dead letter that can be redelivered', async () => {
    h.failing.add('guard-alert');
    const ruleArn = await ruleWithTarget(h, 'fails', { RetryPolicy: { MaximumRetryAttempts: 2 } });
    const before = h.rt.clock.nowMs();
    await put(h, 'fails', { x: 1 });
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(3);
    expect(h.rt.clock.nowMs() - before).toBe(1_000 + 2_000);
    const dead = listDeadLetters(h.rt);
    expect(dead).toEqual([
      expect.objectContaining({ ruleArn, targetId: 't1', errorName: 'GuardrailRemediationError', attempts: 3 }),
    ]);
    expect(dead[0]?.event.detail).toEqual({ x: 1 });

    h.failing.delete('guard-alert');
    const redelivered = await redeliverDeadLetter(h.rt, (dead[0] as DeadLetterRecord).id);
    expect(redelivered?.redeliveryStatus).toBe('SUCCEEDED');
    expect(h.invocations).toHaveLength(4);
    expect(listDeadLetters(h.rt)).toHaveLength(1);
  });

  it('caps AWS default retries at a few in the sandbox', async () => {
    h.failing.add('guard-alert');
    await ruleWithTarget(h, 'default-retries');
    await put(h, 'default-retries');
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(4);
    expect(listDeadLetters(h.rt)[0]?.attempts).toBe(4);
  });

  it('archives every event of the vendguard bus, matched or not, and replays only to the filtered rule', async () => {
    const wanted = await ruleWithTarget(h, 'wanted');
    await h.call('PutRule', {
      Name: 'other',
      EventBusName: 'vendguard',
      EventPattern: '{"source":["vendguard.test"]}',
    });
    await h.call('PutTargets', {
      Rule: 'other',
      EventBusName: 'vendguard',
      Targets: [{ Id: 'o', Arn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-notify-slack' }],
    });
    const start = h.rt.clock.nowMs() - 1000;
    await put(h, 'wanted');
    await put(h, 'unmatched-by-wanted');
    await h.call('PutEvents', {
      Entries: [{ Source: 'elsewhere', DetailType: 'x', Detail: '{}', EventBusName: 'vendguard' }],
    });
    await h.eb.router.settle();
    const archive = await h.call('DescribeArchive', { ArchiveName: 'vendguard-archive' });
    expect(archive.EventCount).toBe(3);
    const invokedBefore = h.invocations.length;
    expect(invokedBefore).toBe(3); // wanted → 2 targets' worth: guard-alert once, notify-slack twice

    h.rt.clock.advance(5000);
    const started = await h.call('StartReplay', {
      ReplayName: 'r1',
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: start / 1000,
      EventEndTime: h.rt.clock.nowMs() / 1000,
      Destination: { Arn: archive.EventSourceArn, FilterArns: [wanted] },
    });
    expect(started.State).toBe('STARTING');
    await new Promise((r) => setTimeout(r, 20));
    await h.eb.router.settle();
    const replay = await h.call('DescribeReplay', { ReplayName: 'r1' });
    expect(replay.State).toBe('COMPLETED');
    expect(replay.EventLastReplayedTime).toBeInstanceOf(Date);
    const replayed = h.invocations.slice(invokedBefore);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ name: 'guard-alert', event: { 'replay-name': 'r1', 'detail-type': 'wanted' } });
    expect((await h.call('ListReplays', {})).Replays).toEqual([
      expect.objectContaining({ ReplayName: 'r1', State: 'COMPLETED' }),
    ]);
  });

  it('dead-letters an unsupported target at once, without retries', async () => {
    await ruleWithTarget(h, 'unsupported', { Arn: 'arn:aws:sqs:eu-west-1:100000000001:queue' });
    await put(h, 'unsupported');
    await h.eb.router.settle();
    expect(listDeadLetters(h.rt)).toEqual([expect.objectContaining({ errorName: 'TargetDeliveryError', attempts: 1 })]);
  });

  it('cancels a replay that has not run yet and refuses to cancel a finished one', async () => {
    const archive = await h.call('DescribeArchive', { ArchiveName: 'vendguard-archive' });
    const window = { EventStartTime: 0, EventEndTime: h.rt.clock.nowMs() / 1000 };
    const destination = { Arn: archive.EventSourceArn };
    await h.call('StartReplay', {
      ReplayName: 'c1',
      EventSourceArn: archive.ArchiveArn,
      Destination: destination,
      ...window,
    });
    expect((await h.call('CancelReplay', { ReplayName: 'c1' })).State).toBe('CANCELLING');
    await new Promise((r) => setTimeout(r, 20));
    expect((await h.call('DescribeReplay', { ReplayName: 'c1' })).State).toBe('CANCELLED');
    await expectAwsError(h.call('CancelReplay', { ReplayName: 'c1' }), 'IllegalStatusException');
    await expectAwsError(
      h.call('StartReplay', {
        ReplayName: 'c1',
        EventSourceArn: archive.ArchiveArn,
        Destination: destination,
        ...window,
      }),
      'ResourceAlreadyExistsException',
    );
  });

  it('pages ListRules with NamePrefix', async () => {
    for (const n of ['a-1', 'a-2', 'a-3', 'b-1']) {
      await h.call('PutRule', { Name: n, EventBusName: 'vendguard', EventPattern: '{"source":["x"]}' });
    }
    const first = await h.call('ListRules', { EventBusName: 'vendguard', NamePrefix: 'a-', Limit: 2 });
    expect((first.Rules as Array<{ Name: string }>).map((r) => r.Name)).toEqual(['a-1', 'a-2']);
    const second = await h.call('ListRules', {
      EventBusName: 'vendguard',
      NamePrefix: 'a-',
      Limit: 2,
      NextToken: first.NextToken,
    });
    expect((second.Rules as Array<{ Name: string }>).map((r) => r.Name)).toEqual(['a-3']);
    expect(second.NextToken).toBeUndefined();
  });

  it('answers TestEventPattern and checks the event fields', async () => {
    const event = {
      id: '1',
      account: '100000000001',
      source: 'aws.ec2',
      time: '2026-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventName: 'CreateInternetGateway' },
    };
    const pattern = JSON.stringify({
      detail: { eventName: ['CreateInternetGateway'], errorCode: [{ exists: false }] },
    });
    expect(await h.call('TestEventPattern', { EventPattern: pattern, Event: JSON.stringify(event) })).toEqual({
      Result: true,
    });
    await expectAwsError(
      h.call('TestEventPattern', { EventPattern: pattern, Event: JSON.stringify({ source: 'x' }) }),
      'ValidationException',
      /missing required field/,
    );
    await expectAwsError(
      h.call('TestEventPattern', { EventPattern: '{"a":[{"wildcard":"**"}]}', Event: JSON.stringify(event) }),
      'InvalidEventPatternException',
    );
  });

  it("routes bus.publish entries without a bus to the default bus of the entry's account and region", async () => {
    await ruleWithTarget(h, 'trail', {}, 'default');
    const entry = { source: 'vendguard.test', detailType: 'trail', detail: {}, region: 'eu-west-1' };
    h.eb.bus.publish({ ...entry, account: '222233334444' }); // another account's default bus: no rule there
    h.eb.bus.publish({ ...entry, account: '100000000001', region: 'eu-central-1' }); // the hub, another region
    h.eb.bus.publish({ ...entry, account: '100000000001' });
    await h.eb.router.settle();
    expect(h.invocations).toHaveLength(1);
  });

  it('persists each delivery before publish returns, and resumes the unfinished ones on start', async () => {
    await ruleWithTarget(h, 'durable-delivery');
    h.eb.bus.publish({
      source: 'vendguard.test',
      detailType: 'durable-delivery',
      detail: { n: 1 },
      account: '100000000001',
      region: 'eu-west-1',
      eventBusName: 'vendguard',
    });
    // what a crash right after the answer would leave behind
    const pending = h.rt.store.list<{ key: string }>(TABLES.pending);
    expect(pending).toHaveLength(1);
    await h.eb.router.settle();
    expect(h.rt.store.count(TABLES.pending)).toBe(0);
    expect(h.invocations).toHaveLength(1);

    h.rt.store.put(TABLES.pending, (pending[0] as { key: string }).key, pending[0]);
    const restarted = createEventBridgeService(h.rt);
    await restarted.service.start?.(h.rt);
    await restarted.router.settle();
    expect(h.invocations).toHaveLength(2);
    expect(h.invocations[1]?.event).toMatchObject({ 'detail-type': 'durable-delivery', detail: { n: 1 } });
    expect(h.rt.store.count(TABLES.pending)).toBe(0);
    restarted.scheduler.stop();
  });

  it('keeps rules and targets in the store across a restart', async () => {
    await ruleWithTarget(h, 'durable');
    const again = createEventBridgeService(h.rt);
    await again.service.start?.(h.rt);
    again.bus.publish({
      source: 'vendguard.test',
      detailType: 'durable',
      detail: {},
      account: '100000000001',
      region: 'eu-west-1',
      eventBusName: 'vendguard',
    });
    await again.router.settle();
    expect(h.invocations).toHaveLength(1);
    again.scheduler.stop();
  });
});

describe('EventBridge schedules', () => {
  it('sends a Scheduled Event to the targets of a rate rule once per period of simulated time', async () => {
    const h = await harness();
    await h.call('PutRule', { Name: 'nightly', ScheduleExpression: 'rate(1 hour)' });
    await h.call('PutTargets', {
      Rule: 'nightly',
      Targets: [{ Id: 'report', Arn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-report' }],
    });
    expect(h.eb.scheduler.fireDue()).toBe(0);
    h.rt.clock.advance(30 * 60_000);
    expect(h.eb.scheduler.fireDue()).toBe(0);
    h.rt.clock.advance(31 * 60_000);
    expect(h.eb.scheduler.fireDue()).toBe(1);
    expect(h.eb.scheduler.fireDue()).toBe(0);
    await h.eb.router.settle();
    expect(h.invocations).toEqual([
      {
        name: 'report',
        event: expect.objectContaining({
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          resources: ['arn:aws:events:eu-west-1:100000000001:rule/nightly'],
        }),
      },
    ]);
    h.eb.scheduler.stop();
    h.rt.close();
  });
});
