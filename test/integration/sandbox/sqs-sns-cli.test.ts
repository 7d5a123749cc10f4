import { createHash } from 'node:crypto';
import { type AwsCli as Cli, type CliResult, errorLine, installedAwsClis, runAws } from '../../helpers/aws-cli';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * SQS and SNS through both installed AWS CLIs: the v1 (botocore 1.43) speaks SQS's JSON protocol,
 * the v2 2.9 its query protocol with flattened lists and maps; both speak SNS's awsQuery.
 */

const clis: Cli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
}, 30_000);
afterAll(() => sb?.stop());

const aws = (cli: Cli, args: string[]): Promise<CliResult> => runAws(cli.path, sb.endpoint, args);

async function ok(cli: Cli, args: string[]): Promise<Record<string, unknown>> {
  const out = await aws(cli, args);
  if (out.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout.trim() === '' ? {} : (JSON.parse(out.stdout) as Record<string, unknown>);
}

describeClis('$path (v$major)', (cli) => {
  const suffix = `v${cli.major}`;

  it('create-queue, send-message, receive-message, get-queue-attributes, delete-message', async () => {
    const name = `cli-round-trip-${suffix}`;
    const { QueueUrl: url } = (await ok(cli, [
      'sqs',
      'create-queue',
      '--queue-name',
      name,
      '--attributes',
      'VisibilityTimeout=45',
      '--tags',
      'team=platform',
    ])) as { QueueUrl: string };
    expect(url).toBe(`${sb.endpoint}/100000000001/${name}`);
    const sent = (await ok(cli, [
      'sqs',
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      'hello from the cli',
      '--message-attributes',
      '{"team":{"DataType":"String","StringValue":"platform"}}',
    ])) as { MessageId: string; MD5OfMessageBody: string };
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hello from the cli').digest('hex'));
    const received = (await ok(cli, [
      'sqs',
      'receive-message',
      '--queue-url',
      url,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--max-number-of-messages',
      '10',
    ])) as { Messages: Record<string, unknown>[] };
    expect(received.Messages).toHaveLength(1);
    const message = received.Messages[0] as {
      MessageId: string;
      Body: string;
      ReceiptHandle: string;
      Attributes: Record<string, string>;
      MessageAttributes: Record<string, unknown>;
    };
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello from the cli' });
    expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(message.MessageAttributes).toEqual({ team: { DataType: 'String', StringValue: 'platform' } });
    const attrs = (await ok(cli, ['sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'All'])) as {
      Attributes: Record<string, string>;
    };
    expect(attrs.Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:eu-west-1:100000000001:${name}`,
      VisibilityTimeout: '45',
      ApproximateNumberOfMessagesNotVisible: '1',
      SqsManagedSseEnabled: 'true',
    });
    expect(await ok(cli, ['sqs', 'list-queue-tags', '--queue-url', url])).toEqual({ Tags: { team: 'platform' } });
    const listed = (await ok(cli, ['sqs', 'list-queues', '--queue-name-prefix', 'cli-round-trip-'])) as {
      QueueUrls: string[];
    };
    expect(listed.QueueUrls).toContain(url);
    await ok(cli, ['sqs', 'delete-message', '--queue-url', url, '--receipt-handle', message.ReceiptHandle]);
    const after = (await ok(cli, [
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      url,
      '--attribute-names',
      'ApproximateNumberOfMessagesNotVisible',
    ])) as {
      Attributes: Record<string, string>;
    };
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it("reports SQS's query error codes", async () => {
    const missing = await aws(cli, ['sqs', 'get-queue-url', '--queue-name', 'no-such-queue']);
    expect(missing.code).not.toBe(0);
    const message =
      cli.major === 1
        ? 'The specified queue does not exist.'
        : 'The specified queue does not exist for this wsdl version.';
    expect(errorLine(missing)).toBe(
      `An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: ${message}`,
    );
    await ok(cli, ['sqs', 'create-queue', '--queue-name', `cli-exists-${suffix}`, '--attributes', 'DelaySeconds=5']);
    const differs = await aws(cli, [
      'sqs',
      'create-queue',
      '--queue-name',
      `cli-exists-${suffix}`,
      '--attributes',
      'DelaySeconds=6',
    ]);
    expect(errorLine(differs)).toBe(
      'An error occurred (QueueAlreadyExists) when calling the CreateQueue operation: A queue already exists with the same name and a different value for attribute DelaySeconds',
    );
  });

  it('sns create-topic, get-topic-attributes, subscribe a queue, publish and receive the notification', async () => {
    const topicName = `cli-topic-${suffix}`;
    const { TopicArn: topicArn } = (await ok(cli, [
      'sns',
      'create-topic',
      '--name',
      topicName,
      '--attributes',
      'DisplayName=vendguard cli',
      '--tags',
      'Key=team,Value=platform',
    ])) as { TopicArn: string };
    expect(topicArn).toBe(`arn:aws:sns:eu-west-1:100000000001:${topicName}`);
    const attrs = (await ok(cli, ['sns', 'get-topic-attributes', '--topic-arn', topicArn])) as {
      Attributes: Record<string, string>;
    };
    expect(attrs.Attributes).toMatchObject({
      DisplayName: 'vendguard cli',
      Owner: '100000000001',
      TopicArn: topicArn,
      SubscriptionsConfirmed: '0',
    });
    expect(JSON.parse(attrs.Attributes.Policy as string).Id).toBe('__default_policy_ID');
    const queueName = `cli-subscriber-${suffix}`;
    const { QueueUrl: url } = (await ok(cli, ['sqs', 'create-queue', '--queue-name', queueName])) as {
      QueueUrl: string;
    };
    const queueArn = `arn:aws:sqs:eu-west-1:100000000001:${queueName}`;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
        },
      ],
    });
    await ok(cli, [
      'sqs',
      'set-queue-attributes',
      '--queue-url',
      url,
      '--attributes',
      JSON.stringify({ Policy: policy }),
    ]);
    const { SubscriptionArn: subscriptionArn } = (await ok(cli, [
      'sns',
      'subscribe',
      '--topic-arn',
      topicArn,
      '--protocol',
      'sqs',
      '--notification-endpoint',
      queueArn,
    ])) as { SubscriptionArn: string };
    expect(subscriptionArn).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
    const listed = (await ok(cli, ['sns', 'list-subscriptions-by-topic', '--topic-arn', topicArn])) as {
      Subscriptions: Record<string, string>[];
    };
    expect(listed.Subscriptions).toEqual([
      {
        SubscriptionArn: subscriptionArn,
        Owner: '100000000001',
        Protocol: 'sqs',
        Endpoint: queueArn,
        TopicArn: topicArn,
      },
    ]);
    const published = (await ok(cli, [
      'sns',
      'publish',
      '--topic-arn',
      topicArn,
      '--subject',
      'hello',
      '--message',
      'from the cli',
    ])) as { MessageId: string };
    const received = (await ok(cli, ['sqs', 'receive-message', '--queue-url', url])) as {
      Messages: { Body: string }[];
    };
    const envelope = JSON.parse(received.Messages[0]?.Body as string);
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topicArn,
      Subject: 'hello',
      Message: 'from the cli',
    });
    expect(await ok(cli, ['sns', 'list-tags-for-resource', '--resource-arn', topicArn])).toEqual({
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    const missing = await aws(cli, ['sns', 'get-topic-attributes', '--topic-arn', `${topicArn}-gone`]);
    expect(errorLine(missing)).toBe(
      'An error occurred (NotFound) when calling the GetTopicAttributes operation: Topic does not exist',
    );
  });
});
