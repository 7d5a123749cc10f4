import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  sns = sb.client(SNSClient);
  sqs = sb.client(SQSClient);
});
afterAll(() => sb.stop());

type AwsError = Error & { $metadata: { httpStatusCode?: number } };
const failure = (p: Promise<unknown>): Promise<AwsError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: AwsError) => e,
  );

const ACCOUNT = '100000000001';
const arnOf = (name: string) => `arn:aws:sns:eu-west-1:${ACCOUNT}:${name}`;

/** A queue whose policy lets `sns.amazonaws.com` send for `topicArn` (none: no policy). */
async function queueFor(name: string, topicArn?: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const arn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
  if (topicArn) {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'topic-to-queue',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arn,
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
        },
      ],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  }
  return { url: QueueUrl as string, arn };
}

describe('SNS over the SDK (awsQuery)', () => {
  it('creates a topic with the default policy and reports its attributes', async () => {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: 'alarms',
        Attributes: { DisplayName: 'Alarms' },
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    expect(TopicArn).toBe(arnOf('alarms'));
    // idempotent for the same attributes
    expect(
      (await sns.send(new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Alarms' } }))).TopicArn,
    ).toBe(TopicArn);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(Attributes).toMatchObject({
      DisplayName: 'Alarms',
      Owner: ACCOUNT,
      SubscriptionsConfirmed: '0',
      SubscriptionsDeleted: '0',
      SubscriptionsPending: '0',
      TopicArn,
    });
    expect(JSON.parse(Attributes?.Policy as string)).toEqual({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'SNS:GetTopicAttributes',
            'SNS:SetTopicAttributes',
            'SNS:AddPermission',
            'SNS:RemovePermission',
            'SNS:DeleteTopic',
            'SNS:Subscribe',
            'SNS:ListSubscriptionsByTopic',
            'SNS:Publish',
          ],
          Resource: TopicArn,
          Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
        },
      ],
    });
    expect(JSON.parse(Attributes?.EffectiveDeliveryPolicy as string).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toContainEqual({ TopicArn });
  });

  it('refuses a topic that exists with other attributes, a bad name and an unknown topic', async () => {
    await sns.send(new CreateTopicCommand({ Name: 'strict', Attributes: { DisplayName: 'A' } }));
    const differs = await failure(
      sns.send(new CreateTopicCommand({ Name: 'strict', Attributes: { DisplayName: 'B' } })),
    );
    expect(differs.name).toBe('InvalidParameterException');
    expect(differs.message).toBe(
      'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    );
    const badName = await failure(sns.send(new CreateTopicCommand({ Name: 'no spaces' })));
    expect(badName.message).toBe('Invalid parameter: Topic Name');
    const missing = await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('gone') })));
    expect(missing.name).toBe('NotFoundException');
    expect(missing.message).toBe('Topic does not exist');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const badArn = await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: 'gone' })));
    expect(badArn.message).toBe('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1');
  });

  it('delivers a publish to a queue whose policy admits sns.amazonaws.com for the topic', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'deliveries' }));
    const queue = await queueFor('deliveries-q', TopicArn);
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn }),
    );
    expect(SubscriptionArn).toMatch(/^arn:aws:sns:eu-west-1:100000000001:deliveries:[0-9a-f-]{36}$/);
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Alarm',
        Message: 'the queue is on fire',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(Messages).toHaveLength(1);
    const body = JSON.parse(Messages?.[0]?.Body as string);
    expect(Object.keys(body)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    expect(body).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn,
      Subject: 'Alarm',
      Message: 'the queue is on fire',
      SignatureVersion: '1',
      UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`,
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    expect(body.Timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('delivers nothing to a queue whose policy does not admit the topic, and Publish still succeeds', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'refused' }));
    const open = await queueFor('refused-open', TopicArn);
    const closed = await queueFor('refused-closed');
    const other = await queueFor('refused-other-topic', arnOf('some-other-topic'));
    for (const q of [open, closed, other])
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'only one queue gets this' }));
    expect(MessageId).toBeDefined();
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: open.url }))).Messages).toHaveLength(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: closed.url }))).Messages).toBeUndefined();
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: other.url }))).Messages).toBeUndefined();
    const res = await fetch(
      `${sb.endpoint}/_sandbox/sns/deliveries?topicArn=${encodeURIComponent(TopicArn as string)}`,
    );
    const { deliveries } = (await res.json()) as {
      deliveries: { endpoint: string; outcome: string; reason?: string }[];
    };
    expect(deliveries.find((d) => d.endpoint === open.arn)?.outcome).toBe('delivered');
    expect(deliveries.find((d) => d.endpoint === closed.arn)).toMatchObject({
      outcome: 'failed',
      reason: `User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: ${closed.arn} because no resource-based policy allows the sqs:SendMessage action`,
    });
  });

  it('delivers the raw message when RawMessageDelivery is on', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'raw' }));
    const queue = await queueFor('raw-q', TopicArn);
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(Attributes).toMatchObject({ RawMessageDelivery: 'true', PendingConfirmation: 'false', Protocol: 'sqs' });
    await sns.send(new PublishCommand({ TopicArn, Message: '{"raw":true}' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(Messages?.[0]?.Body).toBe('{"raw":true}');
  });

  it('keeps email subscriptions pending confirmation and records a lambda subscription', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'people' }));
    const email = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    expect(email.SubscriptionArn).toBe('pending confirmation');
    const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:vendguard-notify-slack`;
    const lambda = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn }));
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(Subscriptions).toEqual([
      {
        SubscriptionArn: 'PendingConfirmation',
        Owner: ACCOUNT,
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn,
      },
      { SubscriptionArn: lambda.SubscriptionArn, Owner: ACCOUNT, Protocol: 'lambda', Endpoint: fn, TopicArn },
    ]);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(Attributes).toMatchObject({ SubscriptionsConfirmed: '1', SubscriptionsPending: '1' });
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions).toContainEqual(
      expect.objectContaining({ SubscriptionArn: lambda.SubscriptionArn }),
    );
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: lambda.SubscriptionArn }));
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: lambda.SubscriptionArn }));
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
  });

  it('tags and untags a topic, and deletes it with its subscriptions', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tagged' }));
    await sns.send(
      new TagResourceCommand({
        ResourceArn: TopicArn,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['a'] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([
      { Key: 'b', Value: '2' },
    ]);
    const dup = await failure(
      sns.send(
        new TagResourceCommand({
          ResourceArn: TopicArn,
          Tags: [
            { Key: 'a', Value: '1' },
            { Key: 'a', Value: '2' },
          ],
        }),
      ),
    );
    expect(dup.message).toBe('Invalid parameter: Duplicated keys are not allowed.');
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'x@example.com' }));
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    const gone = await failure(sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn })));
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('decides Publish by the topic policy: TLS-only admits the SDK (requests count as TLS), an explicit deny refuses it', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ssl-only' }));
    const deny = (condition?: object) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowPublishThroughSSLOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: TopicArn,
          ...(condition ? { Condition: condition } : {}),
        },
      ],
    });
    const setPolicy = (policy: object) =>
      sns.send(
        new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }),
      );
    await setPolicy(deny({ Bool: { 'aws:SecureTransport': 'false' } }));
    expect((await sns.send(new PublishCommand({ TopicArn, Message: 'x' }))).MessageId).toBeDefined();
    await setPolicy(deny());
    const denied = await failure(sns.send(new PublishCommand({ TopicArn, Message: 'x' })));
    expect(denied.name).toBe('AuthorizationErrorException');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toContain('with an explicit deny in a resource-based policy');
  });

  it('refuses an invalid topic policy and bad publish parameters with InvalidParameter', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'checks' }));
    const bad = await failure(
      sns.send(
        new SetTopicAttributesCommand({
          TopicArn,
          AttributeName: 'Policy',
          AttributeValue: '{"Statement":[{"Effect":"Allow"}]}',
        }),
      ),
    );
    expect(bad.name).toBe('InvalidParameterException');
    expect(bad.message).toMatch(/^Invalid parameter: Policy Error: /);
    const subject = await failure(sns.send(new PublishCommand({ TopicArn, Subject: '', Message: 'x' })));
    expect(subject.message).toBe('Invalid parameter: Subject');
    const empty = await failure(sns.send(new PublishCommand({ TopicArn, Message: '' })));
    expect(empty.message).toBe('Invalid parameter: Empty message');
    const protocol = await failure(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'pigeon', Endpoint: 'x' })));
    expect(protocol.message).toBe('Invalid parameter: Amazon SNS does not support this protocol string: pigeon');
  });
});
