import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { fetchAlerts } from '../../../cli/commands/sandbox-alerts';
import { exampleOf } from '../../../scripts/slack-examples';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { type FakeSlack, startFakeSlack } from './fake-slack';
import { until } from './until';

interface EventBridgeDeadLetter {
  readonly id: string;
  readonly rule: string;
  readonly errorName: string;
  readonly errorMessage: string;
}

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
  it('is kept in the state table, fails the invocation visibly, and posts once redelivered after the fix', async () => {
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

    const dead = await until(async () => {
      const res = await fetch(`${sb.endpoint}/_sandbox/deadletters`);
      const { deadLetters } = (await res.json()) as { deadLetters: EventBridgeDeadLetter[] };
      return deadLetters.find((d) => d.rule === 'notify-slack');
    }, 15_000);
    expect(dead.errorName).toBe('SlackAlertDeadLetteredError');
    expect(dead.errorMessage).toContain('no_service');
    expect(dead.errorMessage).not.toContain('xoxSuperSecretToken123');

    const key = `finding:trail-tampered:${finding.accountId}:${finding.region}:${finding.resource}:remediated`;
    const item = await sb
      .client(DynamoDBClient)
      .send(new GetItemCommand({ TableName: 'vendguard-state', Key: { id: { S: `slack-deadletter#${key}` } } }));
    expect(item.Item?.errorName?.S).toBe('SlackDeliveryError');
    expect(item.Item?.channel?.S).toBe('#sec-critical');
    expect(JSON.parse(item.Item?.payload?.S ?? '{}')).toMatchObject({ channel: '#sec-critical' });

    // Slack is fixed (here: back to the outbox); redelivering the EventBridge dead letter posts the alert.
    process.env.SLACK_WEBHOOK_URL = `${sb.endpoint}/_sandbox/slack/webhook`;
    const res = await fetch(`${sb.endpoint}/_sandbox/deadletters/redeliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: dead.id }),
    });
    expect(res.status).toBe(200);
    const alert = await until(async () => (await fetchAlerts(sb.endpoint, 5)).alerts[0], 15_000);
    expect(alert).toMatchObject({ channel: '#sec-critical', kind: 'finding', severity: 'critical' });
  });
});
