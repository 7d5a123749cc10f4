import { decodeQueryForm } from '../../../../sandbox/core/protocols/query';
import { AwsServiceError, type OperationHandler } from '../../../../sandbox/core/types';
import { publishToTopic, recentDeliveries, registerSnsDeliverer, snsService } from '../../../../sandbox/services/sns';
import { SNS_QUERY } from '../../../../sandbox/services/sns/query';
import { peekQueue, sqsService } from '../../../../sandbox/services/sqs';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

let rt: TestRuntime;
let sns: (op: string, input?: Result, account?: string) => Promise<Result>;
let sqs: (op: string, input?: Result, account?: string) => Promise<Result>;

const REGION = 'eu-west-1';
const MGMT = '100000000001';
const topicArn = (name: string, account = MGMT) => `arn:aws:sns:${REGION}:${account}:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${MGMT}:${name}`;

beforeEach(() => {
  rt = createTestRuntime();
  const caller =
    (service: ReturnType<typeof snsService>, name: string) =>
    async (op: string, input: Result = {}, account = MGMT) =>
      (await (service.operations[op] as OperationHandler)(
        input,
        rt.context(op, { service: name, accountId: account, region: REGION }),
      )) as Result;
  sns = caller(snsService(), 'sns');
  sqs = caller(sqsService(), 'sqs');
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

/** A queue subscribed to the topic, whose policy admits the topic. */
async function subscribedQueue(topic: string, name: string): Promise<void> {
  const { QueueUrl } = await sqs('CreateQueue', { QueueName: name });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn(name),
        Condition: { ArnEquals: { 'aws:SourceArn': topic } },
      },
    ],
  };
  await sqs('SetQueueAttributes', { QueueUrl, Attributes: { Policy: JSON.stringify(policy) } });
  await sns('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn(name) });
}

describe('SNS publish and delivery', () => {
  it('publishes for a service with the JSON structure per protocol, delivering the sqs entry', async () => {
    const { TopicArn } = await sns('CreateTopic', { Name: 'structured' });
    await subscribedQueue(TopicArn as string, 'structured-q');
    await sns('Publish', {
      TopicArn,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
    });
    const [m] = peekQueue(rt, queueArn('structured-q')) ?? [];
    expect(JSON.parse(m?.body as string).Message).toBe('for queues');
    const noDefault = await error(sns('Publish', { TopicArn, MessageStructure: 'json', Message: '{"sqs":"x"}' }));
    expect(noDefault.message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');
  });

  it('checks message attributes with the messages SNS uses', async () => {
    const { TopicArn } = await sns('CreateTopic', { Name: 'attrs' });
    const wrongField = await error(
      sns('Publish', {
        TopicArn,
        Message: 'x',
        MessageAttributes: { attr1: { DataType: 'Number', BinaryValue: 'AAE=' } },
      }),
    );
    expect([wrongField.code, wrongField.message]).toEqual([
      'ParameterValueInvalid',
      "The message attribute 'attr1' with type 'Number' must use field 'String'.",
    ]);
    const badName = await error(
      sns('Publish', {
        TopicArn,
        Message: 'x',
        MessageAttributes: { 'a^b': { DataType: 'String', StringValue: 'v' } },
      }),
    );
    expect(badName.message).toBe(
      "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
    );
    const long = await error(sns('Publish', { TopicArn, Message: 'x'.repeat(262_145) }));
    expect(long.message).toBe('Invalid parameter: Message too long');
  });

  it('records what it does not deliver, and delivers through a registered deliverer', async () => {
    const { TopicArn } = await sns('CreateTopic', { Name: 'recorded' });
    const fn = `arn:aws:lambda:${REGION}:${MGMT}:function:vendguard-notify`;
    await sns('Subscribe', { TopicArn, Protocol: 'lambda', Endpoint: fn });
    await sns('Subscribe', { TopicArn, Protocol: 'https', Endpoint: 'https://example.com/hook' });
    await sns('Publish', { TopicArn, Message: 'first' });
    expect(recentDeliveries(rt, TopicArn as string).map((d) => [d.protocol, d.outcome, d.reason])).toEqual([
      ['https', 'not-delivered', 'The subscription is pending confirmation.'],
      ['lambda', 'not-delivered', 'The vendguard sandbox does not deliver to lambda endpoints.'],
    ]);
    const seen: string[] = [];
    const unregister = registerSnsDeliverer('lambda', (_runtime, d) => {
      seen.push(JSON.parse(d.body).Message);
      return { ok: true };
    });
    try {
      await sns('Publish', { TopicArn, Message: 'second' });
    } finally {
      unregister();
    }
    expect(seen).toEqual(['second']);
    const latest = recentDeliveries(rt, TopicArn as string, 2);
    expect(latest.find((d) => d.protocol === 'lambda')).toMatchObject({ outcome: 'delivered' });
  });

  it('subscribes idempotently, and refuses the same endpoint with other attributes', async () => {
    const { TopicArn } = await sns('CreateTopic', { Name: 'subs' });
    const first = await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArn('q') });
    expect(await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArn('q') })).toEqual(first);
    const differs = await error(
      sns('Subscribe', {
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('q'),
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    expect(differs.message).toBe(
      'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
    );
    const raw = await error(
      sns('Subscribe', {
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('r'),
        Attributes: { RawMessageDelivery: 'maybe' },
      }),
    );
    expect(raw.message).toBe(
      'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [maybe]. Must be true or false.',
    );
    const url = await error(
      sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: 'https://sqs.eu-west-1.amazonaws.com/1/q' }),
    );
    expect(url.message).toBe('Invalid parameter: SQS endpoint ARN');
  });

  it('refuses a topic ARN of another region with InvalidParameter', async () => {
    await sns('CreateTopic', { Name: 't' });
    const e = await error(sns('GetTopicAttributes', { TopicArn: `arn:aws:sns:us-east-1:${MGMT}:t` }));
    expect([e.code, e.message]).toEqual(['InvalidParameter', 'Invalid parameter: TopicArn']);
  });
});

describe('publishToTopic (how AWS services publish)', () => {
  it("admits a service on a topic with the default policy for the owner's account, and refuses another account", async () => {
    const { TopicArn } = await sns('CreateTopic', { Name: 'default-policy' });
    await subscribedQueue(TopicArn as string, 'default-q');
    const alarm = `arn:aws:cloudwatch:${REGION}:${MGMT}:alarm:a`;
    const sent = publishToTopic(rt, TopicArn as string, 'ALARM', {
      subject: 'ALARM: "a"',
      senderService: 'cloudwatch.amazonaws.com',
      sourceArn: alarm,
    });
    expect(sent.ok).toBe(true);
    const body = JSON.parse(peekQueue(rt, queueArn('default-q'))?.[0]?.body as string);
    expect(body).toMatchObject({ Subject: 'ALARM: "a"', Message: 'ALARM', TopicArn });
    const foreign = publishToTopic(rt, TopicArn as string, 'x', {
      senderService: 'cloudwatch.amazonaws.com',
      sourceArn: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:b',
    });
    expect(foreign.ok).toBe(false);
  });

  it('refuses an unknown topic and an invalid subject without throwing', () => {
    expect(publishToTopic(rt, topicArn('none'), 'x')).toEqual({
      ok: false,
      reason: `Topic ${topicArn('none')} does not exist.`,
    });
    expect(publishToTopic(rt, 'nonsense', 'x').ok).toBe(false);
  });
});

describe('SNS query protocol codec', () => {
  it('writes attribute maps as <entry> lists and other lists as <member>', () => {
    expect(SNS_QUERY.output('GetTopicAttributes', { Attributes: { A: '1', B: '<2>' } })).toBe(
      '<Attributes><entry><key>A</key><value>1</value></entry><entry><key>B</key><value>&lt;2&gt;</value></entry></Attributes>',
    );
    expect(SNS_QUERY.output('ListTopics', { Topics: [{ TopicArn: 't1' }], NextToken: 'n' })).toBe(
      '<Topics><member><TopicArn>t1</TopicArn></member></Topics><NextToken>n</NextToken>',
    );
    expect(SNS_QUERY.output('ListTopics', { Topics: [] })).toBe('<Topics></Topics>');
  });

  it("renames Publish's Name/Value message attribute entries so the form decodes to a map", () => {
    const form = [
      'Action=Publish',
      'MessageAttributes.entry.1.Name=team',
      'MessageAttributes.entry.1.Value.DataType=String',
      'MessageAttributes.entry.1.Value.StringValue=platform',
    ]
      .map((kv) => {
        const [k, v] = kv.split('=') as [string, string];
        return `${encodeURIComponent(SNS_QUERY.formKey?.(k) ?? k)}=${encodeURIComponent(v)}`;
      })
      .join('&');
    expect(decodeQueryForm(form).input).toEqual({
      MessageAttributes: { team: { DataType: 'String', StringValue: 'platform' } },
    });
  });
});
