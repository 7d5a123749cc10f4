import { AwsServiceError, type OperationHandler } from '../../../../sandbox/core/types';
import { peekQueue, sendToQueue, sqsService } from '../../../../sandbox/services/sqs';
import { md5OfAttributes } from '../../../../sandbox/services/sqs/messages';
import { SQS_QUERY } from '../../../../sandbox/services/sqs/query';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

let rt: TestRuntime;
let call: (op: string, input?: Result, account?: string) => Promise<Result>;

const REGION = 'eu-west-1';
const MGMT = '100000000001';
const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${MGMT}:${name}`;

beforeEach(() => {
  rt = createTestRuntime();
  const service = sqsService();
  call = async (op, input = {}, account = MGMT) => {
    const handler = service.operations[op] as OperationHandler;
    return (await handler(input, rt.context(op, { service: 'sqs', accountId: account, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

async function error(p: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsServiceError) return e;
    throw e;
  }
  throw new Error('expected an AWS error');
}

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await call('CreateQueue', { QueueName: name, Attributes: attributes })).QueueUrl as string;
}

const receive = async (url: string, input: Result = {}) =>
  ((await call('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, ...input })).Messages ?? []) as Result[];

describe('SQS messages on the sandbox clock', () => {
  it('hides a received message for the visibility timeout, then hands it out again', async () => {
    const url = await queue('vis', { VisibilityTimeout: '10' });
    await call('SendMessage', { QueueUrl: url, MessageBody: 'm' });
    expect(await receive(url)).toHaveLength(1);
    rt.clock.advance(9_999);
    expect(await receive(url)).toHaveLength(0);
    rt.clock.advance(1);
    const [again] = await receive(url, { AttributeNames: ['ApproximateReceiveCount'] });
    expect(again?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('delays a message by DelaySeconds and counts it as delayed meanwhile', async () => {
    const url = await queue('delay');
    await call('SendMessage', { QueueUrl: url, MessageBody: 'later', DelaySeconds: 5 });
    const counts = await call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] });
    expect(counts.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    expect(await receive(url)).toHaveLength(0);
    rt.clock.advance(5_000);
    expect(await receive(url)).toHaveLength(1);
  });

  it('drops a message past the retention period', async () => {
    const url = await queue('retention', { MessageRetentionPeriod: '60' });
    await call('SendMessage', { QueueUrl: url, MessageBody: 'short-lived' });
    rt.clock.advance(60_000);
    expect(await receive(url)).toHaveLength(0);
    expect(peekQueue(rt, arnOf('retention'))).toEqual([]);
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    await queue('dlq');
    const url = await queue('source', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('dlq'), maxReceiveCount: 2 }),
    });
    await call('SendMessage', { QueueUrl: url, MessageBody: 'poison' });
    expect(await receive(url)).toHaveLength(1);
    expect(await receive(url)).toHaveLength(1);
    expect(await receive(url)).toHaveLength(0);
    const dlqUrl = (await call('GetQueueUrl', { QueueName: 'dlq' })).QueueUrl as string;
    const [moved] = await receive(dlqUrl, { MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'] });
    expect(moved).toMatchObject({ Body: 'poison', Attributes: { DeadLetterQueueSourceArn: arnOf('source') } });
  });

  it('refuses a redrive policy with maxReceiveCount out of range', async () => {
    const policy = JSON.stringify({ deadLetterTargetArn: arnOf('dlq'), maxReceiveCount: 0 });
    const e = await error(queue('bad-redrive', { RedrivePolicy: policy }));
    expect(e.code).toBe('InvalidParameterValueException');
    expect(e.queryCode).toBe('InvalidParameterValue');
    expect(e.message).toBe(
      `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.`,
    );
  });

  it('changes visibility only of a message in flight (MessageNotInflight otherwise)', async () => {
    const url = await queue('inflight', { VisibilityTimeout: '5' });
    await call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
    const [m] = await receive(url);
    rt.clock.advance(5_000);
    const e = await error(
      call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 30 }),
    );
    expect([e.code, e.queryCode]).toEqual(['MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight']);
  });
});

describe('SQS checks', () => {
  it('refuses an empty body (MissingParameter) and one past MaximumMessageSize', async () => {
    const url = await queue('sizes', { MaximumMessageSize: '1024' });
    const empty = await error(call('SendMessage', { QueueUrl: url, MessageBody: '' }));
    expect([empty.code, empty.queryCode, empty.message]).toEqual([
      'MissingRequiredParameterException',
      'MissingParameter',
      'The request must contain the parameter MessageBody.',
    ]);
    const big = await error(call('SendMessage', { QueueUrl: url, MessageBody: 'x'.repeat(1025) }));
    expect(big.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.');
  });

  it('refuses characters outside the allowed set and an empty string attribute', async () => {
    const url = await queue('chars');
    expect((await error(call('SendMessage', { QueueUrl: url, MessageBody: 'bell\u0007' }))).code).toBe(
      'InvalidMessageContents',
    );
    const attr = await error(
      call('SendMessage', {
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: { ErrorDetails: { DataType: 'String', StringValue: '' } },
      }),
    );
    expect(attr.message).toBe(
      "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    );
  });

  it('computes MD5OfMessageAttributes as SQS does (the same digest as moto and LocalStack)', () => {
    expect(md5OfAttributes({ team: { DataType: 'String', StringValue: 'platform' } })).toBe(
      'ae1f92a80f0be72600535eebf06d8ab8',
    );
    expect(
      md5OfAttributes({ b: { DataType: 'Binary', BinaryValue: 'AAE=' }, a: { DataType: 'Number', StringValue: '42' } }),
    ).toBe('5e5bec2da52a8903685ece9d87a8e07d');
  });

  it('answers a malformed QueueUrl with InvalidAddress and an unknown queue with QueueDoesNotExist', async () => {
    const bad = await error(call('SendMessage', { QueueUrl: 'not a url', MessageBody: 'x' }));
    expect([bad.code, bad.status]).toEqual(['InvalidAddress', 404]);
    const missing = await error(
      call('SendMessage', { QueueUrl: `http://127.0.0.1:4566/${MGMT}/none`, MessageBody: 'x' }),
    );
    expect([missing.code, missing.queryCode]).toEqual(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
  });

  it('refuses FIFO queues as not modelled, and the FIFO-only attributes on a standard queue', async () => {
    expect((await error(queue('x', { FifoQueue: 'true' }))).code).toBe('UnsupportedOperation');
    expect((await error(queue('x', { FifoThroughputLimit: 'perQueue' }))).message).toBe(
      'You can specify the FifoThroughputLimit only when FifoQueue is set to true.',
    );
    const url = await queue('std', { FifoQueue: 'false' });
    const set = await error(call('SetQueueAttributes', { QueueUrl: url, Attributes: { QueueArn: 'x' } }));
    expect([set.code, set.message]).toEqual(['InvalidAttributeName', 'Unknown Attribute QueueArn.']);
  });

  it('turns SSE-SQS off when a KMS key is set and reports the data key reuse period', async () => {
    const url = await queue('kms', { KmsMasterKeyId: 'alias/aws/sqs' });
    const { Attributes } = await call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] });
    expect(Attributes).toMatchObject({
      KmsMasterKeyId: 'alias/aws/sqs',
      KmsDataKeyReusePeriodSeconds: '300',
      SqsManagedSseEnabled: 'false',
    });
  });
});

describe('SQS query protocol codec', () => {
  it('turns the flattened form members into the JSON input', () => {
    expect(
      SQS_QUERY.input?.('CreateQueue', {
        QueueName: 'q',
        Attribute: [{ Name: 'VisibilityTimeout', Value: '45' }],
        Tag: [{ Key: 'team', Value: 'platform' }],
      }),
    ).toEqual({ QueueName: 'q', Attributes: { VisibilityTimeout: '45' }, tags: { team: 'platform' } });
    expect(
      SQS_QUERY.input?.('SendMessageBatch', {
        QueueUrl: 'u',
        SendMessageBatchRequestEntry: [
          {
            Id: 'a',
            MessageBody: 'x',
            MessageAttribute: [{ Name: 'k', Value: { DataType: 'String', StringValue: 'v' } }],
          },
        ],
      }),
    ).toEqual({
      QueueUrl: 'u',
      Entries: [{ Id: 'a', MessageBody: 'x', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }],
    });
  });

  it('writes lists and maps flattened, as the AWS CLI v2 reads them', () => {
    expect(SQS_QUERY.output('ListQueues', { QueueUrls: ['u1', 'u2'] })).toBe(
      '<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>',
    );
    expect(SQS_QUERY.output('GetQueueAttributes', { Attributes: { A: '1' } })).toBe(
      '<Attribute><Name>A</Name><Value>1</Value></Attribute>',
    );
    expect(
      SQS_QUERY.output('ReceiveMessage', {
        Messages: [{ MessageId: 'i', Body: '<b>', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }],
      }),
    ).toBe(
      '<Message><MessageId>i</MessageId><Body>&lt;b&gt;</Body><MessageAttribute><Name>k</Name>' +
        '<Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute></Message>',
    );
    expect(SQS_QUERY.output('SendMessageBatch', { Successful: [{ Id: 'a' }], Failed: [] })).toBe(
      '<SendMessageBatchResultEntry><Id>a</Id></SendMessageBatchResultEntry>',
    );
  });
});

describe('sendToQueue (how AWS services deliver)', () => {
  const HUB_DLQ_POLICY = (queueArn: string, ruleArn: string) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: queueArn,
      },
      {
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: queueArn,
      },
    ],
  });
  const rule = `arn:aws:events:${REGION}:${MGMT}:rule/vendguard/igw-created`;

  it("admits EventBridge for the rule the hub's DLQ policy names: the TLS-only deny does not stop a service", async () => {
    const url = await queue('dlq-hub');
    await call('SetQueueAttributes', {
      QueueUrl: url,
      Attributes: { Policy: JSON.stringify(HUB_DLQ_POLICY(arnOf('dlq-hub'), rule)) },
    });
    const sent = sendToQueue(rt, arnOf('dlq-hub'), '{"detail":{}}', {
      senderService: 'events.amazonaws.com',
      sourceArn: rule,
    });
    expect(sent).toEqual({ ok: true, messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [m] = await receive(url, { AttributeNames: ['SenderId'] });
    expect(m?.Body).toBe('{"detail":{}}');
    expect(m?.Attributes).toEqual({ SenderId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/) });
  });

  it('refuses another rule, another service and a queue without a policy', async () => {
    await queue('dlq-hub');
    await call('SetQueueAttributes', {
      QueueUrl: `http://127.0.0.1:4566/${MGMT}/dlq-hub`,
      Attributes: { Policy: JSON.stringify(HUB_DLQ_POLICY(arnOf('dlq-hub'), rule)) },
    });
    const otherRule = sendToQueue(rt, arnOf('dlq-hub'), 'x', {
      senderService: 'events.amazonaws.com',
      sourceArn: `${rule}-2`,
    });
    expect(otherRule).toEqual({
      ok: false,
      reason: `User: events.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: ${arnOf('dlq-hub')} because no resource-based policy allows the sqs:SendMessage action`,
    });
    expect(sendToQueue(rt, arnOf('dlq-hub'), 'x', { senderService: 'lambda.amazonaws.com', sourceArn: rule }).ok).toBe(
      false,
    );
    await queue('bare');
    expect(sendToQueue(rt, arnOf('bare'), 'x', { senderService: 'events.amazonaws.com', sourceArn: rule }).ok).toBe(
      false,
    );
    expect(sendToQueue(rt, arnOf('missing'), 'x', { senderService: 'events.amazonaws.com' })).toEqual({
      ok: false,
      reason: `Queue ${arnOf('missing')} does not exist.`,
    });
    expect(peekQueue(rt, arnOf('dlq-hub'))).toEqual([]);
  });

  it('sends without a policy check when the sandbox itself sends', async () => {
    await queue('internal');
    expect(sendToQueue(rt, arnOf('internal'), 'x').ok).toBe(true);
    expect(sendToQueue(rt, arnOf('internal'), '').ok).toBe(false);
  });
});
