/**
 * A malformed CloudTrail delivery (a 20 KB eventID, a record without eventName) reaches a deployed
 * guardrail as EventBridge delivers it (asynchronous Lambda invocation): it is kept with why and
 * counted in the state table, listed by `vendguard events rejected`, and nothing else happens (no
 * retry, nothing in the on-failure queue).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { rejectedEvents } from '../../../cli/commands/events';
import { PROJECT_ROOT } from '../../../config/load';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
}, 60_000);
afterAll(() => sb?.stop());

const sample = () =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/samples/aws.ec2/create-internet-gateway.json'), 'utf8')) as {
    detail: Record<string, unknown>;
  };

async function deliver(event: unknown): Promise<void> {
  const out = await sb.client(LambdaClient).send(
    new InvokeCommand({
      FunctionName: 'vendguard-guard-internet-gateway',
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(event)),
    }),
  );
  expect(out.StatusCode).toBe(202);
}

describe('a malformed delivery to a guardrail', () => {
  it('is kept with why and counted, and listed by vendguard events rejected', async () => {
    const hugeId = sample();
    hugeId.detail.eventID = 'x'.repeat(20_000);
    await deliver(hugeId);
    await deliver(hugeId); // EventBridge delivering it again
    const noName = sample();
    delete noName.detail.eventName;
    await deliver(noName);

    const dynamodb = sb.client(DynamoDBClient);
    const listed = await until(
      async () => {
        const rejected = await rejectedEvents(dynamodb);
        const huge = rejected.find((r) => r.reason.includes('detail.eventID'));
        return huge?.deliveries === 2 && rejected.length === 2 ? rejected : undefined;
      },
      15_000,
      'both rejected deliveries',
    );
    const huge = listed.find((r) => r.reason.includes('detail.eventID'));
    expect(huge).toMatchObject({
      function: 'guard-internet-gateway',
      deliveries: 2,
      reason: expect.stringContaining('must be at most 128 characters'),
    });
    expect(huge?.eventId).toHaveLength(128);
    expect(huge?.sample.length).toBeLessThanOrEqual(2048);
    expect(huge?.size).toBeGreaterThan(20_000);
    expect(listed.find((r) => r !== huge)).toMatchObject({
      deliveries: 1,
      reason: expect.stringContaining('detail.eventName'),
    });

    // rejected, not failed: nothing is retried into the on-failure queue
    const sqs = sb.client(SQSClient);
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'vendguard-guard-internet-gateway-failures' }),
    );
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(Messages ?? []).toEqual([]);
  }, 30_000);
});
