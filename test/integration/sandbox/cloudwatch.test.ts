/**
 * CloudWatch alarms through SDK v3 (awsJson1_0 under GraniteServiceVersion20100801): alarms are
 * stored and listed, refused as AWS refuses them, and an alarm set to ALARM publishes AWS's
 * notification to its SNS topic as cloudwatch.amazonaws.com, down to an SQS queue subscribed to it.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  InvalidParameterCombinationException,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  ResourceNotFound,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let cw: CloudWatchClient;
let account: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  cw = sb.client(CloudWatchClient);
  account = sb.runtime.managementAccountId;
}, 30_000);
afterAll(() => sb?.stop());

const alarm = (name: string, overrides: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  Dimensions: [{ Name: 'QueueName', Value: 'vendguard-notify-slack-dlq' }],
  EvaluationPeriods: 1,
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Namespace: 'AWS/SQS',
  Period: 300,
  Statistic: 'Maximum',
  Threshold: 1,
  TreatMissingData: 'notBreaching',
  ...overrides,
});

describe('alarms over the JSON protocol', () => {
  it('stores an alarm and describes it with dates, dimensions and its initial state', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('it-dlq-depth')));
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['it-dlq-depth'] }));
    expect(MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'it-dlq-depth',
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:${account}:alarm:it-dlq-depth`,
      StateValue: 'INSUFFICIENT_DATA',
      Dimensions: [{ Name: 'QueueName', Value: 'vendguard-notify-slack-dlq' }],
      Threshold: 1,
    });
    expect(MetricAlarms?.[0]?.AlarmConfigurationUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it('answers errors as the SDK names them', async () => {
    await expect(
      cw.send(new PutMetricAlarmCommand(alarm('it-bad', { ExtendedStatistic: 'p99' }))),
    ).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await expect(cw.send(new PutMetricAlarmCommand(alarm('it-bad', { Period: 45 })))).rejects.toMatchObject({
      name: 'ValidationException',
      Code: 'ValidationError',
      message: 'Period must be 10, 30 or a multiple of 60',
    });
    await expect(
      cw.send(new SetAlarmStateCommand({ AlarmName: 'it-missing', StateValue: 'ALARM', StateReason: 'x' })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('deletes alarms', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('it-doomed')));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['it-doomed'] }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['it-doomed'] }))).MetricAlarms).toEqual([]);
  });
});

describe('alarm actions', () => {
  it('publishes the alarm notification through SNS to a subscribed queue', async () => {
    const sns = sb.client(SNSClient);
    const sqs = sb.client(SQSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'it-alarms' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'it-alarm-inbox' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes?.QueueArn as string;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
                Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } },
              },
            ],
          }),
        },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn }));
    await cw.send(new PutMetricAlarmCommand(alarm('it-notify', { AlarmActions: [TopicArn as string] })));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'it-notify', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }),
    );

    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(1);
    const envelope = JSON.parse(Messages?.[0]?.Body as string);
    expect(envelope).toMatchObject({ Type: 'Notification', TopicArn, Subject: 'ALARM: "it-notify" in EU (Ireland)' });
    expect(JSON.parse(envelope.Message)).toMatchObject({
      AlarmName: 'it-notify',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      Region: 'EU (Ireland)',
      Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'MAXIMUM', Threshold: 1 },
    });
    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'it-notify', HistoryItemType: 'Action' }),
    );
    expect(history.AlarmHistoryItems?.[0]?.HistorySummary).toBe(`Successfully executed action ${TopicArn}`);
  });

  it("records a failed action when the topic's policy does not admit CloudWatch", async () => {
    const sns = sb.client(SNSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'it-locked' }));
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${account}:root` },
              Action: 'sns:Publish',
              Resource: TopicArn,
            },
          ],
        }),
      }),
    );
    await cw.send(new PutMetricAlarmCommand(alarm('it-locked', { AlarmActions: [TopicArn as string] })));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'it-locked', StateValue: 'ALARM', StateReason: 'r' }));
    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'it-locked', HistoryItemType: 'Action' }),
    );
    expect(history.AlarmHistoryItems?.[0]?.HistorySummary).toMatch(
      /^Failed to execute action arn:aws:sns:eu-west-1:\d{12}:it-locked\. Received error: "/,
    );
  });
});
