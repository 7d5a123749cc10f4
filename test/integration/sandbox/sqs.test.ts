import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let sqs: SQSClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  sqs = sb.client(SQSClient);
});
afterAll(() => sb.stop());

/** Moves the sandbox clock forward (visibility timeouts, retention, the 60-second holds). */
async function advance(seconds: number): Promise<void> {
  const res = await fetch(`${sb.endpoint}/_sandbox/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  expect(res.status).toBe(200);
}

type AwsError = Error & { $metadata: { httpStatusCode?: number }; Code?: string };
const failure = (p: Promise<unknown>): Promise<AwsError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: AwsError) => e,
  );

async function newQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: name, ...(attributes ? { Attributes: attributes } : {}) }),
  );
  return out.QueueUrl as string;
}

describe('SQS over the SDK (awsJson1_0)', () => {
  it('creates a queue at <endpoint>/<account>/<name> with the default attributes, idempotently', async () => {
    const url = await newQueue('jobs');
    expect(url).toBe(`${sb.endpoint}/100000000001/jobs`);
    expect(await newQueue('jobs')).toBe(url);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).QueueUrl).toBe(url);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      DelaySeconds: '0',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      QueueArn: 'arn:aws:sqs:eu-west-1:100000000001:jobs',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
      VisibilityTimeout: '30',
    });
    expect(Number(Attributes?.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
    expect(Attributes?.Policy).toBeUndefined();
  });

  it('refuses CreateQueue of an existing name with another attribute value (QueueNameExists)', async () => {
    await newQueue('strict', { VisibilityTimeout: '60' });
    const err = await failure(
      sqs.send(new CreateQueueCommand({ QueueName: 'strict', Attributes: { VisibilityTimeout: '45' } })),
    );
    expect(err.name).toBe('QueueNameExists');
    expect(err.message).toBe(
      'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
    );
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('answers a queue that does not exist with QueueDoesNotExist', async () => {
    const err = await failure(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(err.name).toBe('QueueDoesNotExist');
    expect(err.message).toBe('The specified queue does not exist.');
  });

  it('refuses an attribute out of range (InvalidAttributeValue) and an unknown one (InvalidAttributeName)', async () => {
    const range = await failure(
      sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { VisibilityTimeout: '43201' } })),
    );
    expect(range.name).toBe('InvalidAttributeValue');
    expect(range.message).toBe('Invalid value for the parameter VisibilityTimeout.');
    const unknown = await failure(
      sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { ContentBasedDeduplication: 'true' } })),
    );
    expect(unknown.name).toBe('InvalidAttributeName');
    expect(unknown.message).toBe('Unknown Attribute ContentBasedDeduplication.');
  });

  it('sends, receives with attributes, hides in flight for the visibility timeout and deletes', async () => {
    const url = await newQueue('flow');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'hello',
        MessageAttributes: { team: { DataType: 'String', StringValue: 'platform' } },
      }),
    );
    // the SDK checks MD5OfMessageBody itself; this is the digest of "hello"
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 20,
      }),
    );
    const message = first.Messages?.[0];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello',
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
    });
    expect(message?.MessageAttributes).toEqual({ team: { DataType: 'String', StringValue: 'platform' } });
    expect(message?.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: expect.stringMatching(/^AIDA[A-Z0-9]+$/),
    });
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(0);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const counts = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(counts.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    await advance(21);
    const again = (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      )
    ).Messages?.[0];
    expect(again?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    expect(again?.ReceiptHandle).not.toBe(message?.ReceiptHandle);
    // only the latest receipt handle deletes
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle as string }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: again?.ReceiptHandle as string,
        VisibilityTimeout: 0,
      }),
    );
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages?.[0];
    expect(third?.MessageId).toBe(sent.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third?.ReceiptHandle as string }));
    await advance(31);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });

  it('refuses a receipt handle of nothing it issued (ReceiptHandleIsInvalid) and MaxNumberOfMessages past 10', async () => {
    const url = await newQueue('handles');
    const err = await failure(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })));
    expect(err.name).toBe('ReceiptHandleIsInvalid');
    expect(err.message).toBe('The input receipt handle "garbage" is not a valid receipt handle.');
    expect(err.$metadata.httpStatusCode).toBe(404);
    const many = await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })));
    expect(many.message).toBe(
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    );
  });

  it('sends and deletes in batches, reporting each entry', async () => {
    const url = await newQueue('batch');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    expect(sent.Successful?.map((e) => e.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([
      {
        Id: 'b',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      },
    ]);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['one', 'three']);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: (got.Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
    expect(deleted.Successful?.map((e) => e.Id)).toEqual(['m0', 'm1']);
    const empty = await failure(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe('EmptyBatchRequest');
  });

  it('lists queues by prefix and pages with MaxResults', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await newQueue(n);
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-' }));
    expect(all.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['page-a', 'page-b', 'page-c']);
    expect(all.NextToken).toBeUndefined();
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2 }));
    expect(first.QueueUrls).toHaveLength(2);
    const second = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['page-c']);
    expect(second.NextToken).toBeUndefined();
  });

  it('tags, untags and lists tags', async () => {
    const url = await newQueue('tagged');
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'platform', env: 'dev' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'platform' });
  });

  it('purges once a minute (PurgeQueueInProgress) and holds a deleted name for 60 seconds', async () => {
    const url = await newQueue('purged');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const again = await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    expect(again.name).toBe('PurgeQueueInProgress');
    expect(again.$metadata.httpStatusCode).toBe(403);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const recreate = await failure(sqs.send(new CreateQueueCommand({ QueueName: 'purged' })));
    expect(recreate.name).toBe('QueueDeletedRecently');
    await advance(61);
    expect(await newQueue('purged')).toBe(url);
  });

  it('validates a queue policy as a resource policy (InvalidAttributeValue)', async () => {
    const url = await newQueue('policy-check');
    const err = await failure(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*' }] }),
          },
        }),
      ),
    );
    expect(err.name).toBe('InvalidAttributeValue');
    expect(err.message).toBe('Invalid value for the parameter Policy.');
  });

  it("lets another account send only when the queue's policy admits it", async () => {
    const url = await newQueue('shared');
    const member = sb.accountId('egress');
    const other = sb.client(SQSClient, { accountId: member });
    const denied = await failure(other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi' })));
    // SDK v3 names an SQS error by its query code (x-amzn-query-error)
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toContain('because no resource-based policy allows the sqs:SendMessage action');
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${member}:root` },
                Action: 'sqs:SendMessage',
                Resource: 'arn:aws:sqs:eu-west-1:100000000001:shared',
              },
            ],
          }),
        },
      }),
    );
    expect((await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi' }))).MessageId).toBeDefined();
    // deleting another account's queue never works across accounts
    const del = await failure(other.send(new DeleteQueueCommand({ QueueUrl: url })));
    expect(del.name).toBe('AccessDenied');
  });

  it('records queue management in CloudTrail, not the data events', async () => {
    const url = await newQueue('trailed');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const names = sb.runtime.recentTrail
      .filter((e) => e.source === 'aws.sqs')
      .map((e) => [e.detail.eventName, (e.detail.requestParameters as { queueName?: string } | null)?.queueName]);
    expect(names).toContainEqual(['CreateQueue', 'trailed']);
    expect(names.map((n) => n[0])).not.toContain('SendMessage');
  });
});
