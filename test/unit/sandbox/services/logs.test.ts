import { logGroupProvider } from '../../../../sandbox/services/cloudformation/providers/logs';
import type { ResourceContext } from '../../../../sandbox/services/cloudformation/resources';
import { createLogsService, getLogGroup } from '../../../../sandbox/services/logs';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

const REGION = 'eu-west-1';
let rt: TestRuntime;
let account: string;
let call: (op: string, input?: Result) => Promise<Result>;

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
  const service = createLogsService(rt);
  call = async (op, input = {}) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'logs', region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const groups = async (input: Result = {}) => (await call('DescribeLogGroups', input)).logGroups as Result[];

describe('log groups', () => {
  it('creates a group and describes it with both ARNs, its creation time and no stored bytes', async () => {
    await call('CreateLogGroup', { logGroupName: '/aws/lambda/vendguard-notify-slack', tags: { team: 'platform' } });
    expect(await groups()).toEqual([
      {
        logGroupName: '/aws/lambda/vendguard-notify-slack',
        creationTime: rt.clock.nowMs(),
        metricFilterCount: 0,
        arn: `arn:aws:logs:${REGION}:${account}:log-group:/aws/lambda/vendguard-notify-slack:*`,
        storedBytes: 0,
        logGroupClass: 'STANDARD',
        logGroupArn: `arn:aws:logs:${REGION}:${account}:log-group:/aws/lambda/vendguard-notify-slack`,
      },
    ]);
  });

  it.each([
    [
      'bad name!',
      'InvalidParameterException',
      /Member must satisfy regular expression pattern: \[\\\.\\-_\/#A-Za-z0-9\]\+$/,
    ],
    ['x'.repeat(513), 'InvalidParameterException', /Member must have length less than or equal to 512$/],
    ['aws/mine', 'InvalidParameterException', /^Log groups starting with AWS\/ are reserved for AWS\.$/],
  ])('refuses the name %s', async (name, code, message) => {
    const error = call('CreateLogGroup', { logGroupName: name });
    await expect(error).rejects.toMatchObject({ code });
    await expect(error).rejects.toThrow(message);
  });

  it('refuses a second group of the same name and a missing one on delete', async () => {
    await call('CreateLogGroup', { logGroupName: 'g' });
    await expect(call('CreateLogGroup', { logGroupName: 'g' })).rejects.toMatchObject({
      code: 'ResourceAlreadyExistsException',
      message: 'The specified log group already exists',
    });
    await call('DeleteLogGroup', { logGroupName: 'g' });
    await expect(call('DeleteLogGroup', { logGroupName: 'g' })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
  });

  it('filters by prefix or pattern and pages by limit and nextToken', async () => {
    for (const name of ['/aws/lambda/b', '/aws/lambda/a', '/aws/vendedlogs/states/x'])
      await call('CreateLogGroup', { logGroupName: name });
    expect((await groups({ logGroupNamePrefix: '/aws/lambda/' })).map((g) => g.logGroupName)).toEqual([
      '/aws/lambda/a',
      '/aws/lambda/b',
    ]);
    expect((await groups({ logGroupNamePattern: 'STATES' })).map((g) => g.logGroupName)).toEqual([
      '/aws/vendedlogs/states/x',
    ]);
    const first = await call('DescribeLogGroups', { limit: 2 });
    const second = await call('DescribeLogGroups', { limit: 2, nextToken: first.nextToken });
    expect((second.logGroups as Result[]).map((g) => g.logGroupName)).toEqual(['/aws/vendedlogs/states/x']);
    await expect(call('DescribeLogGroups', { limit: 51 })).rejects.toMatchObject({ code: 'InvalidParameterException' });
    await expect(
      call('DescribeLogGroups', { logGroupNamePrefix: 'a', logGroupNamePattern: 'b' }),
    ).rejects.toMatchObject({
      message: 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
    });
  });

  it('sets and removes retention, allowing only the documented values', async () => {
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 30 });
    expect((await groups())[0]?.retentionInDays).toBe(30);
    await expect(call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 31 })).rejects.toMatchObject({
      code: 'InvalidParameterException',
      message:
        'Invalid retention value. Valid values are: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]',
    });
    await call('DeleteRetentionPolicy', { logGroupName: 'g' });
    expect((await groups())[0]?.retentionInDays).toBeUndefined();
    await expect(call('PutRetentionPolicy', { logGroupName: 'missing', retentionInDays: 1 })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('tags by ARN (with or without :*) and by name', async () => {
    await call('CreateLogGroup', { logGroupName: 'g', tags: { a: '1' } });
    const arn = `arn:aws:logs:${REGION}:${account}:log-group:g`;
    await call('TagResource', { resourceArn: arn, tags: { b: '2' } });
    await call('UntagResource', { resourceArn: `${arn}:*`, tagKeys: ['a'] });
    expect(await call('ListTagsForResource', { resourceArn: arn })).toEqual({ tags: { b: '2' } });
    await call('TagLogGroup', { logGroupName: 'g', tags: { c: '3' } });
    await call('UntagLogGroup', { logGroupName: 'g', tags: ['b'] });
    expect(await call('ListTagsLogGroup', { logGroupName: 'g' })).toEqual({ tags: { c: '3' } });
  });
});

describe('log streams and events', () => {
  beforeEach(async () => {
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: '2026/01/01/[$LATEST]abc' });
  });

  it('puts events and reads them back oldest first from the head, newest page from the tail', async () => {
    const now = rt.clock.nowMs();
    const put = await call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: '2026/01/01/[$LATEST]abc',
      logEvents: [
        { timestamp: now - 2000, message: 'one' },
        { timestamp: now - 1000, message: 'two' },
        { timestamp: now, message: 'three' },
      ],
    });
    expect(put.rejectedLogEventsInfo).toBeUndefined();
    const head = await call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: '2026/01/01/[$LATEST]abc',
      startFromHead: true,
      limit: 2,
    });
    expect((head.events as Result[]).map((e) => e.message)).toEqual(['one', 'two']);
    const next = await call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: '2026/01/01/[$LATEST]abc',
      nextToken: head.nextForwardToken,
    });
    expect((next.events as Result[]).map((e) => e.message)).toEqual(['three']);
    const tail = await call('GetLogEvents', { logGroupName: 'g', logStreamName: '2026/01/01/[$LATEST]abc', limit: 1 });
    expect((tail.events as Result[]).map((e) => e.message)).toEqual(['three']);
    const [stream] = (await call('DescribeLogStreams', { logGroupName: 'g' })).logStreams as Result[];
    expect(stream).toMatchObject({ firstEventTimestamp: now - 2000, lastEventTimestamp: now, storedBytes: 0 });
  });

  it('rejects events out of order, reports too old ones, and refuses unknown streams and duplicates', async () => {
    const now = rt.clock.nowMs();
    await expect(
      call('PutLogEvents', {
        logGroupName: 'g',
        logStreamName: '2026/01/01/[$LATEST]abc',
        logEvents: [
          { timestamp: now, message: 'b' },
          { timestamp: now - 1, message: 'a' },
        ],
      }),
    ).rejects.toMatchObject({ message: 'Log events in a single PutLogEvents request must be in chronological order.' });
    const old = await call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: '2026/01/01/[$LATEST]abc',
      logEvents: [
        { timestamp: now - 15 * 86_400_000, message: 'ancient' },
        { timestamp: now, message: 'fresh' },
      ],
    });
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0 });
    await expect(
      call('PutLogEvents', { logGroupName: 'g', logStreamName: 'nope', logEvents: [{ timestamp: now, message: 'x' }] }),
    ).rejects.toMatchObject({
      message: 'The specified log stream does not exist.',
    });
    await expect(
      call('CreateLogStream', { logGroupName: 'g', logStreamName: '2026/01/01/[$LATEST]abc' }),
    ).rejects.toMatchObject({
      code: 'ResourceAlreadyExistsException',
    });
  });

  it('deletes the streams with their group', async () => {
    await call('DeleteLogGroup', { logGroupName: 'g' });
    await call('CreateLogGroup', { logGroupName: 'g' });
    expect((await call('DescribeLogStreams', { logGroupName: 'g' })).logStreams).toEqual([]);
  });
});

describe('AWS::Logs::LogGroup', () => {
  const ctx = (): ResourceContext => ({
    runtime: rt,
    account,
    region: REGION,
    stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/VendguardHub/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    stackName: 'VendguardHub',
    logicalId: 'Functionsnotifyslacklogs783CB043',
  });
  const props = { LogGroupName: '/aws/lambda/vendguard-notify-slack', RetentionInDays: 30 };

  it('creates the group with its retention; Ref is the name and Arn ends in :*', () => {
    expect(logGroupProvider.create(ctx(), props)).toEqual({
      physicalId: '/aws/lambda/vendguard-notify-slack',
      attributes: { Arn: `arn:aws:logs:${REGION}:${account}:log-group:/aws/lambda/vendguard-notify-slack:*` },
    });
    expect(getLogGroup(rt, { account, region: REGION }, '/aws/lambda/vendguard-notify-slack')).toMatchObject({
      retentionInDays: 30,
      tags: { 'aws:cloudformation:logical-id': 'Functionsnotifyslacklogs783CB043' },
    });
  });

  it('fails a retention Logs refuses and a name that exists', async () => {
    expect(() => logGroupProvider.create(ctx(), { ...props, RetentionInDays: 31 })).toThrow(/^Invalid retention value/);
    await call('CreateLogGroup', { logGroupName: props.LogGroupName });
    expect(() => logGroupProvider.create(ctx(), props)).toThrow(
      "Resource of type 'AWS::Logs::LogGroup' with identifier '/aws/lambda/vendguard-notify-slack' already exists.",
    );
  });

  it('updates retention in place, replaces on a new name, and deletes', () => {
    logGroupProvider.create(ctx(), props);
    logGroupProvider.update?.(ctx(), props.LogGroupName, { LogGroupName: props.LogGroupName }, props);
    expect(getLogGroup(rt, { account, region: REGION }, props.LogGroupName)?.retentionInDays).toBeUndefined();
    expect(
      logGroupProvider.update?.(ctx(), props.LogGroupName, { ...props, LogGroupName: 'other' }, props),
    ).toBeUndefined();
    logGroupProvider.delete(ctx(), props.LogGroupName, props);
    logGroupProvider.delete(ctx(), props.LogGroupName, props);
    expect(getLogGroup(rt, { account, region: REGION }, props.LogGroupName)).toBeUndefined();
  });
});
