import { alarmProvider } from '../../../../sandbox/services/cloudformation/providers/cloudwatch';
import type { ResourceContext } from '../../../../sandbox/services/cloudformation/resources';
import { alarmNotification, createCloudWatchService, getAlarm } from '../../../../sandbox/services/cloudwatch';
import {
  createTopic,
  recentDeliveries,
  registerSnsDeliverer,
  setTopicAttribute,
  subscribe,
} from '../../../../sandbox/services/sns';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

const REGION = 'eu-west-1';
let rt: TestRuntime;
let account: string;
let call: (op: string, input?: Result) => Promise<Result>;
let topicArn: string;

const alarm = (overrides: Result = {}): Result => ({
  AlarmName: 'vendguard-notify-slack-errors',
  AlarmDescription: 'notify-slack failed',
  AlarmActions: [topicArn],
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  Dimensions: [{ Name: 'FunctionName', Value: 'vendguard-notify-slack' }],
  EvaluationPeriods: 1,
  MetricName: 'Errors',
  Namespace: 'AWS/Lambda',
  Period: 300,
  Statistic: 'Sum',
  Threshold: 1,
  TreatMissingData: 'notBreaching',
  ...overrides,
});

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
  const service = createCloudWatchService(rt);
  call = async (op, input = {}) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'monitoring', region: REGION }))) as Result;
  };
  const { topic } = createTopic(rt, { account, region: REGION }, 'vendguard-alarms');
  topicArn = topic.arn;
  subscribe(rt, topic, account, 'lambda', `arn:aws:lambda:${REGION}:${account}:function:vendguard-notify-slack`);
  delivered.length = 0;
});

/** What SNS handed the subscribed function (a stand-in for Lambda's deliverer). */
const delivered: { subject?: string; message: string; type: string }[] = [];
registerSnsDeliverer('lambda', (_runtime, { body }) => {
  const parsed = JSON.parse(body) as { Subject?: string; Message: string; Type: string };
  delivered.push({
    ...(parsed.Subject ? { subject: parsed.Subject } : {}),
    message: parsed.Message,
    type: parsed.Type,
  });
  return { ok: true };
});
afterEach(() => rt.close());

describe('PutMetricAlarm and DescribeAlarms', () => {
  it('stores a new alarm in INSUFFICIENT_DATA with its ARN, actions and dimensions', async () => {
    await call('PutMetricAlarm', alarm());
    const out = await call('DescribeAlarms', { AlarmNames: ['vendguard-notify-slack-errors'] });
    expect(out.CompositeAlarms).toEqual([]);
    const [a] = out.MetricAlarms as Result[];
    expect(a).toMatchObject({
      AlarmName: 'vendguard-notify-slack-errors',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${account}:alarm:vendguard-notify-slack-errors`,
      ActionsEnabled: true,
      AlarmActions: [topicArn],
      OKActions: [],
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      Dimensions: [{ Name: 'FunctionName', Value: 'vendguard-notify-slack' }],
      Period: 300,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(a?.StateUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it('reads the query protocol forms: strings for numbers and booleans, an empty list as ""', async () => {
    await call(
      'PutMetricAlarm',
      alarm({
        Period: '60',
        EvaluationPeriods: '3',
        DatapointsToAlarm: '2',
        Threshold: '0.5',
        ActionsEnabled: 'false',
        OKActions: '',
      }),
    );
    const [a] = (await call('DescribeAlarms', {})).MetricAlarms as Result[];
    expect(a).toMatchObject({
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 0.5,
      ActionsEnabled: false,
      OKActions: [],
    });
  });

  it('keeps the state and the tags when an alarm is updated, and records both changes in the history', async () => {
    await call('PutMetricAlarm', alarm({ Tags: [{ Key: 'team', Value: 'platform' }] }));
    await call('SetAlarmState', { AlarmName: 'vendguard-notify-slack-errors', StateValue: 'OK', StateReason: 'quiet' });
    await call('PutMetricAlarm', alarm({ Threshold: 5, Tags: [{ Key: 'ignored', Value: 'x' }] }));
    const [a] = (await call('DescribeAlarms', {})).MetricAlarms as Result[];
    expect(a).toMatchObject({ Threshold: 5, StateValue: 'OK' });
    const tags = await call('ListTagsForResource', { ResourceARN: a?.AlarmArn });
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
    const history = (
      await call('DescribeAlarmHistory', { HistoryItemType: 'ConfigurationUpdate', ScanBy: 'TimestampAscending' })
    ).AlarmHistoryItems as Result[];
    expect(history.map((h) => h.HistorySummary)).toEqual([
      'Alarm "vendguard-notify-slack-errors" created',
      'Alarm "vendguard-notify-slack-errors" updated',
    ]);
  });

  it.each([
    [{ Period: 45 }, 'ValidationException', 'Period must be 10, 30 or a multiple of 60'],
    [
      { Statistic: 'Median' },
      'ValidationException',
      "1 validation error detected: Value 'Median' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]",
    ],
    [
      { ExtendedStatistic: 'p99' },
      'InvalidParameterCombinationException',
      'The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
    ],
    [
      { Statistic: undefined, ExtendedStatistic: 'q99' },
      'InvalidParameterValueException',
      'The value q99 for parameter ExtendedStatistic is not supported.',
    ],
    [
      { EvaluationPeriods: undefined },
      'MissingRequiredParameterException',
      'The parameter EvaluationPeriods is required.',
    ],
    [
      { ComparisonOperator: 'Above' },
      'ValidationException',
      "1 validation error detected: Value 'Above' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold]",
    ],
    [
      { TreatMissingData: 'zero' },
      'ValidationException',
      'The value zero is not supported for TreatMissingData parameter. Supported values are [breaching, notBreaching, ignore, missing].',
    ],
    [
      { Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })) },
      'ValidationException',
      /at 'dimensions' failed to satisfy constraint: Member must have length less than or equal to 30$/,
    ],
    [
      { AlarmActions: ['arn:aws:sns:us-east-1:100000000001:elsewhere'] },
      'ValidationException',
      'Invalid region us-east-1 specified. Only eu-west-1 is supported.',
    ],
    [{ AlarmActions: ['not-an-arn'] }, 'ValidationException', 'Invalid arn syntax: not-an-arn'],
    [
      { DatapointsToAlarm: 2 },
      'ValidationException',
      'DatapointsToAlarm must be less than or equal to EvaluationPeriods',
    ],
  ])('refuses %j with %s', async (overrides, code, message) => {
    const error = call('PutMetricAlarm', alarm(overrides as Result));
    await expect(error).rejects.toMatchObject({ code });
    await expect(error).rejects.toThrow(message);
  });

  it('sends the query code of each error (x-amzn-query-error) next to the JSON type', async () => {
    await expect(call('PutMetricAlarm', alarm({ ExtendedStatistic: 'p99' }))).rejects.toMatchObject({
      code: 'InvalidParameterCombinationException',
      queryCode: 'InvalidParameterCombination',
    });
  });

  it('filters by prefix, state and action prefix, and pages with MaxRecords and NextToken', async () => {
    for (const name of ['a-1', 'a-2', 'a-3', 'b-1']) await call('PutMetricAlarm', alarm({ AlarmName: name }));
    await call('SetAlarmState', { AlarmName: 'a-2', StateValue: 'ALARM', StateReason: 'test' });
    const names = (out: Result) => (out.MetricAlarms as Result[]).map((a) => a.AlarmName);
    expect(names(await call('DescribeAlarms', { AlarmNamePrefix: 'a-' }))).toEqual(['a-1', 'a-2', 'a-3']);
    expect(names(await call('DescribeAlarms', { StateValue: 'ALARM' }))).toEqual(['a-2']);
    expect(names(await call('DescribeAlarms', { ActionPrefix: 'arn:aws:sns:' }))).toHaveLength(4);
    expect(names(await call('DescribeAlarms', { AlarmTypes: ['CompositeAlarm'] }))).toEqual([]);
    const first = await call('DescribeAlarms', { MaxRecords: 3 });
    expect(names(first)).toEqual(['a-1', 'a-2', 'a-3']);
    const second = await call('DescribeAlarms', { MaxRecords: 3, NextToken: first.NextToken });
    expect(names(second)).toEqual(['b-1']);
    expect(second.NextToken).toBeUndefined();
    await expect(call('DescribeAlarms', { NextToken: 'bogus' })).rejects.toMatchObject({ code: 'InvalidNextToken' });
  });

  it('finds alarms for a metric by namespace, name and dimensions', async () => {
    await call('PutMetricAlarm', alarm());
    await call('PutMetricAlarm', alarm({ AlarmName: 'other', Dimensions: [{ Name: 'FunctionName', Value: 'x' }] }));
    const out = await call('DescribeAlarmsForMetric', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'vendguard-notify-slack' }],
    });
    expect((out.MetricAlarms as Result[]).map((a) => a.AlarmName)).toEqual(['vendguard-notify-slack-errors']);
  });

  it('deletes alarms (names that do not exist are ignored) and keeps their history', async () => {
    await call('PutMetricAlarm', alarm());
    await call('DeleteAlarms', { AlarmNames: ['vendguard-notify-slack-errors', 'never-existed'] });
    expect((await call('DescribeAlarms', {})).MetricAlarms).toEqual([]);
    const history = (await call('DescribeAlarmHistory', { AlarmName: 'vendguard-notify-slack-errors' }))
      .AlarmHistoryItems as Result[];
    expect(history[0]).toMatchObject({
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: 'Alarm "vendguard-notify-slack-errors" deleted',
    });
  });

  it('accepts and discards metric data', async () => {
    await expect(
      call('PutMetricData', { Namespace: 'vendguard', MetricData: [{ MetricName: 'x', Value: 1 }] }),
    ).resolves.toEqual({});
  });
});

describe('SetAlarmState and alarm actions', () => {
  beforeEach(async () => {
    await call('PutMetricAlarm', alarm());
  });

  it('publishes the alarm notification to the SNS topic as cloudwatch.amazonaws.com and records the action', async () => {
    await call('SetAlarmState', {
      AlarmName: 'vendguard-notify-slack-errors',
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed',
    });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.subject).toBe('ALARM: "vendguard-notify-slack-errors" in EU (Ireland)');
    expect(JSON.parse(delivered[0]?.message as string)).toMatchObject({
      AlarmName: 'vendguard-notify-slack-errors',
      NewStateValue: 'ALARM',
      NewStateReason: 'Threshold Crossed',
      OldStateValue: 'INSUFFICIENT_DATA',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${account}:alarm:vendguard-notify-slack-errors`,
    });
    const history = (await call('DescribeAlarmHistory', { AlarmName: 'vendguard-notify-slack-errors' }))
      .AlarmHistoryItems as Result[];
    expect(history.map((h) => h.HistoryItemType)).toEqual(['Action', 'StateUpdate', 'ConfigurationUpdate']);
    expect(history[0]?.HistorySummary).toBe(`Successfully executed action ${topicArn}`);
    expect(JSON.parse(history[1]?.HistoryData as string)).toMatchObject({
      oldState: { stateValue: 'INSUFFICIENT_DATA' },
      newState: { stateValue: 'ALARM', stateReason: 'Threshold Crossed' },
    });
  });

  it("writes AWS's notification: upper-case statistic, Java doubles, the region's name", () => {
    const record = getAlarm(rt, { account, region: REGION }, 'vendguard-notify-slack-errors');
    const text = alarmNotification({ ...record!, StateValue: 'ALARM', StateReason: 'r' }, 'OK');
    expect(text).toContain('"Threshold":1.0,');
    expect(JSON.parse(text)).toMatchObject({
      AlarmName: 'vendguard-notify-slack-errors',
      AWSAccountId: account,
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Region: 'EU (Ireland)',
      Trigger: {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        StatisticType: 'Statistic',
        Statistic: 'SUM',
        Unit: null,
        Dimensions: [{ value: 'vendguard-notify-slack', name: 'FunctionName' }],
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
    });
    expect(JSON.parse(text).StateChangeTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('records a failed action when the topic policy does not let CloudWatch publish', async () => {
    const topic = createTopic(rt, { account, region: REGION }, 'locked').topic;
    setTopicAttribute(
      rt,
      topic,
      'Policy',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'sns:Publish',
            Resource: topic.arn,
          },
        ],
      }),
    );
    await call('PutMetricAlarm', alarm({ AlarmName: 'locked-out', AlarmActions: [topic.arn] }));
    await call('SetAlarmState', { AlarmName: 'locked-out', StateValue: 'ALARM', StateReason: 'test' });
    const [action] = (await call('DescribeAlarmHistory', { AlarmName: 'locked-out', HistoryItemType: 'Action' }))
      .AlarmHistoryItems as Result[];
    expect(action?.HistorySummary).toMatch(new RegExp(`^Failed to execute action ${topic.arn}\\. Received error: "`));
    expect(JSON.parse(action?.HistoryData as string)).toMatchObject({
      actionState: 'Failed',
      notificationResource: topic.arn,
    });
    expect(recentDeliveries(rt, topic.arn)).toEqual([]);
  });

  it('performs no action when actions are disabled, nor when the state does not change', async () => {
    await call('DisableAlarmActions', { AlarmNames: ['vendguard-notify-slack-errors'] });
    await call('SetAlarmState', { AlarmName: 'vendguard-notify-slack-errors', StateValue: 'ALARM', StateReason: 'a' });
    await call('EnableAlarmActions', { AlarmNames: ['vendguard-notify-slack-errors'] });
    await call('SetAlarmState', { AlarmName: 'vendguard-notify-slack-errors', StateValue: 'ALARM', StateReason: 'b' });
    expect(delivered).toEqual([]);
    const types = ((await call('DescribeAlarmHistory', {})).AlarmHistoryItems as Result[]).map(
      (h) => h.HistoryItemType,
    );
    expect(types).toEqual(['StateUpdate', 'ConfigurationUpdate']);
  });

  it('puts a CloudWatch Alarm State Change event on the default bus', async () => {
    await call('SetAlarmState', { AlarmName: 'vendguard-notify-slack-errors', StateValue: 'ALARM', StateReason: 'r' });
    const event = rt.published.find((e) => e.detailType === 'CloudWatch Alarm State Change');
    expect(event).toMatchObject({
      source: 'aws.cloudwatch',
      account,
      region: REGION,
      detail: {
        alarmName: 'vendguard-notify-slack-errors',
        state: { value: 'ALARM' },
        previousState: { value: 'INSUFFICIENT_DATA' },
      },
    });
  });

  it.each([
    [{ AlarmName: 'nope', StateValue: 'OK', StateReason: 'r' }, 'ResourceNotFound'],
    [{ AlarmName: 'vendguard-notify-slack-errors', StateValue: 'RED', StateReason: 'r' }, 'ValidationException'],
    [
      { AlarmName: 'vendguard-notify-slack-errors', StateValue: 'OK', StateReason: 'r', StateReasonData: '{not json' },
      'InvalidFormatFault',
    ],
  ])('refuses %j with %s', async (input, code) => {
    await expect(call('SetAlarmState', input)).rejects.toMatchObject({ code });
  });
});

describe('tags', () => {
  it('tags, lists and untags an alarm; another ARN is ResourceNotFoundException', async () => {
    await call('PutMetricAlarm', alarm());
    const arn = `arn:aws:cloudwatch:${REGION}:${account}:alarm:vendguard-notify-slack-errors`;
    await call('TagResource', {
      ResourceARN: arn,
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    await call('UntagResource', { ResourceARN: arn, TagKeys: ['a'] });
    expect((await call('ListTagsForResource', { ResourceARN: arn })).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    await expect(call('ListTagsForResource', { ResourceARN: `${arn}-x` })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });
});

describe('AWS::CloudWatch::Alarm', () => {
  const ctx = (): ResourceContext => ({
    runtime: rt,
    account,
    region: REGION,
    stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/VendguardHub/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    stackName: 'VendguardHub',
    logicalId: 'AlarmsnotifyslackerrorsDB6D472A',
  });

  it('creates the alarm with its stack tags; Ref is the name and Arn its ARN', async () => {
    const made = alarmProvider.create(ctx(), alarm());
    expect(made).toEqual({
      physicalId: 'vendguard-notify-slack-errors',
      attributes: { Arn: `arn:aws:cloudwatch:${REGION}:${account}:alarm:vendguard-notify-slack-errors` },
    });
    const tags = (await call('ListTagsForResource', { ResourceARN: made.attributes?.Arn })).Tags;
    expect(tags).toContainEqual({ Key: 'aws:cloudformation:logical-id', Value: 'AlarmsnotifyslackerrorsDB6D472A' });
  });

  it('fails an alarm PutMetricAlarm refuses, and a name another alarm has', async () => {
    expect(() => alarmProvider.create(ctx(), alarm({ Period: 45 }))).toThrow(
      'Period must be 10, 30 or a multiple of 60',
    );
    await call('PutMetricAlarm', alarm());
    expect(() => alarmProvider.create(ctx(), alarm())).toThrow(
      "Resource of type 'AWS::CloudWatch::Alarm' with identifier 'vendguard-notify-slack-errors' already exists.",
    );
  });

  it('updates in place, replaces on a new name, and deletes', async () => {
    alarmProvider.create(ctx(), alarm());
    alarmProvider.update?.(ctx(), 'vendguard-notify-slack-errors', alarm({ Threshold: 3 }), alarm());
    expect(getAlarm(rt, { account, region: REGION }, 'vendguard-notify-slack-errors')?.Threshold).toBe(3);
    expect(
      alarmProvider.update?.(ctx(), 'vendguard-notify-slack-errors', alarm({ AlarmName: 'renamed' }), alarm()),
    ).toBeUndefined();
    alarmProvider.delete(ctx(), 'vendguard-notify-slack-errors', alarm());
    alarmProvider.delete(ctx(), 'vendguard-notify-slack-errors', alarm());
    expect(getAlarm(rt, { account, region: REGION }, 'vendguard-notify-slack-errors')).toBeUndefined();
  });
});
