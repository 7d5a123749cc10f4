import './log-everything';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/notify-slack/app';
import { resetWebhookUrlCache, webhookUrl } from '../../../functions/shared/notify/webhook-url';
import { exampleOf } from '../../../scripts/slack-examples';
import { type FakeSlack, SECRET_PATH, startFakeSlack } from './fake-slack';

const TOKEN = 'xoxSuperSecretToken123';
const context = { functionName: 'vendguard-notify-slack', awsRequestId: 'req-1' } as unknown as Context;

const findingEvent = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'Guardrail Finding',
  source: 'vendguard.guardrails',
  account: '100000000001',
  time: '2026-11-26T10:00:09Z',
  region: 'eu-west-1',
  resources: [],
  detail: exampleOf('finding', 1).finding,
};

let slack: FakeSlack;
const ddb = mockClient(DynamoDBClient);
const sm = mockClient(SecretsManagerClient);
let output: string[];
const spies: jest.SpyInstance[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());

beforeEach(() => {
  slack.reset();
  ddb.reset();
  ddb.on(PutItemCommand).resolves({});
  sm.reset();
  resetWebhookUrlCache();
  output = [];
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(capture));
  spies.push(jest.spyOn(process.stderr, 'write').mockImplementation(capture));
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    spies.push(jest.spyOn(console, m).mockImplementation((...args: unknown[]) => capture(args.join(' '))));
  }
  process.env.VENDGUARD_SLACK_MAX_DELIVERY_MS = '600';
});

afterEach(() => {
  for (const s of spies.splice(0)) s.mockRestore();
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env.VENDGUARD_SLACK_MAX_DELIVERY_MS;
  delete process.env.VENDGUARD_SLACK_SECRET;
});

/** Asserts that neither the log nor the error holds the URL or its token. */
function expectNoSecret(err?: unknown) {
  const everything = [...output, err instanceof Error ? `${err.message}\n${err.stack}\n${JSON.stringify(err)}` : ''];
  for (const text of everything) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET_PATH);
  }
}

describe('the webhook URL stays secret', () => {
  it('is absent from the logs of a posted alert and of a duplicate', async () => {
    process.env.SLACK_WEBHOOK_URL = slack.url;
    await expect(handler(findingEvent, context)).resolves.toMatchObject({ status: 'posted' });
    ddb
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    await expect(handler(findingEvent, context)).resolves.toMatchObject({ status: 'duplicate' });
    expect(output.join('')).toContain('Slack alert posted');
    expect(output.join('')).toContain('#sec-alerts');
    expectNoSecret();
  });

  it('is absent from the logs and the error of a rejected (400) alert', async () => {
    process.env.SLACK_WEBHOOK_URL = slack.url;
    slack.script({ status: 400, body: `invalid_payload for ${slack.url}` });
    const err = await Promise.resolve(handler(findingEvent, context)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('SlackAlertDeadLetteredError');
    expect(output.join('')).toContain('kept in the dead-letter store');
    const deadLetter = ddb
      .commandCalls(PutItemCommand)
      .find((c) => c.args[0].input.Item?.id?.S?.startsWith('slack-deadletter#'));
    expect(deadLetter).toBeDefined();
    expect(JSON.stringify(deadLetter?.args[0].input)).not.toContain(TOKEN);
    expectNoSecret(err);
  });

  it('is absent from the logs and the error of a network failure', async () => {
    const gone = await startFakeSlack();
    await gone.close();
    process.env.SLACK_WEBHOOK_URL = gone.url;
    const err = await Promise.resolve(handler(findingEvent, context)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/network error/);
    expectNoSecret(err);
  });

  it('is absent from errors about the Secrets Manager secret', async () => {
    process.env.VENDGUARD_SLACK_SECRET = 'team/slack';
    sm.on(GetSecretValueCommand).resolves({ SecretString: `{"hook": "${slack.url}"}` });
    const err = await webhookUrl().catch((e: unknown) => e);
    expect((err as Error).name).toBe('SlackWebhookUnavailableError');
    expect((err as Error).message).toContain('team/slack');
    expectNoSecret(err);
  });
});
