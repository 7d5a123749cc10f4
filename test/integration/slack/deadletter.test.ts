import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fetchAlerts } from '../../../cli/commands/sandbox-alerts';
import { exampleOf } from '../../../scripts/slack-examples';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';
import { type FakeSlack, startFakeSlack } from './fake-slack';

let sb: TestSandbox;
let slack: FakeSlack;
beforeAll(async () => {
  sb = await startTestSandbox();
  slack = await startFakeSlack();
});
afterAll(async () => {
  delete process.env.SLACK_WEBHOOK_URL;
  await slack.close();
  await sb.stop();
});

describe('an alert Slack refuses, in the sandbox', () => {
  it("is kept in the state table and in the notifier's on-failure queue, and posts once invoked again after the fix", async () => {
    process.env.SLACK_WEBHOOK_URL = slack.url;
    slack.always({ status: 404, body: 'no_service' });
    const { finding } = exampleOf('finding', 4);
    await sb.client(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'vendguard',
            Source: 'vendguard.guardrails',
            DetailType: 'Guardrail Finding',
            Detail: JSON.stringify(finding),
          },
        ],
      }),
    );

    // EventBridge handed the event to Lambda (asynchronous invocation); the notifier failed three
    // times (Lambda's two retries), and the deployed on-failure destination keeps the invocation
    const sqs = sb.client(SQSClient);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'vendguard-notify-slack-failures' }));
    const message = await until(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
      return out.Messages?.[0];
    }, 15_000);
    const record = JSON.parse(message.Body as string) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      requestPayload: unknown;
      responsePayload: { errorType: string; errorMessage: string };
    };
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.responsePayload.errorType).toBe('SlackAlertDeadLetteredError');
    expect(record.responsePayload.errorMessage).toContain('no_service');
    expect(JSON.stringify(record)).not.toContain('xoxSuperSecretToken123');

    const key = `finding:trail-tampered:${finding.accountId}:${finding.region}:${finding.resource}:${finding.eventName}:remediated`;
    const item = await sb
      .client(DynamoDBClient)
      .send(new GetItemCommand({ TableName: 'vendguard-state', Key: { id: { S: `slack-deadletter#${key}` } } }));
    expect(item.Item?.errorName?.S).toBe('SlackDeliveryError');
    expect(item.Item?.channel?.S).toBe('#sec-critical');
    expect(JSON.parse(item.Item?.payload?.S ?? '{}')).toMatchObject({ channel: '#sec-critical' });

    // Slack is fixed (here: back to the outbox); invoking the notifier again with the kept event posts
    // the alert (what `vendguard invoke notify-slack <record's requestPayload>` does)
    delete process.env.SLACK_WEBHOOK_URL;
    const again = await sb.client(LambdaClient).send(
      new InvokeCommand({
        FunctionName: 'vendguard-notify-slack',
        Payload: Buffer.from(JSON.stringify(record.requestPayload)),
      }),
    );
    expect(again.FunctionError).toBeUndefined();
    const alert = await until(async () => (await fetchAlerts(sb.endpoint, 5)).alerts[0], 15_000);
    expect(alert).toMatchObject({ channel: '#sec-critical', kind: 'finding', severity: 'critical' });
  });
});
