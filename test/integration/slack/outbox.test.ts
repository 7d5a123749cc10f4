import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { fetchAlerts, formatAlerts } from '../../../cli/commands/sandbox-alerts';
import { buildProgram } from '../../../cli/main';
import { blockKitProblems, type SlackMessage } from '../../../functions/shared/notify/blockkit';
import { render } from '../../../functions/shared/notify/render';
import { adoptUserWebhook, classify, OUTBOX_TABLE, type OutboxMessage } from '../../../sandbox/slack-outbox';
import { exampleOf, SLACK_EXAMPLES } from '../../../scripts/slack-examples';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';
import { startFakeSlack } from './fake-slack';

const post = (endpoint: string, body: string) =>
  fetch(`${endpoint}/_sandbox/slack/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.stop());
beforeEach(async () => {
  await fetch(`${sb.endpoint}/_sandbox/alerts`, { method: 'DELETE' });
});

describe('the sandbox Slack outbox', () => {
  it('answers like a Slack webhook and lists messages newest first with their rendered text', async () => {
    for (const { notification } of SLACK_EXAMPLES.slice(0, 3)) {
      const res = await post(sb.endpoint, JSON.stringify(render(notification, '#sec-alerts')));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok');
    }
    const { alerts, total } = await fetchAlerts(sb.endpoint, 2);
    expect(total).toBe(3);
    expect(alerts).toHaveLength(2);
    expect(alerts[0]?.rendered.split('\n')[0]).toBe('🔵 INFO · igw-attached · exempt');
    expect(alerts[1]?.rendered.split('\n')[0]).toBe('🔴 HIGH · igw-attached · remediated');
    expect(alerts[0]).toMatchObject({ channel: '#sec-alerts', kind: 'finding', severity: 'info' });
    expect(blockKitProblems({ text: alerts[0]?.text ?? '', blocks: alerts[0]?.blocks ?? [] } as SlackMessage)).toEqual(
      [],
    );
    const printed = formatAlerts(alerts, total);
    expect(printed).toContain('#sec-alerts  finding info');
    expect(printed).toContain('2 of 3 alert(s), newest first');
  });

  it('rejects what Slack rejects', async () => {
    expect(await (await post(sb.endpoint, '{"channel":"#x"}')).text()).toBe('no_text');
    expect((await post(sb.endpoint, '[1,2]')).status).toBe(400);
    expect((await fetchAlerts(sb.endpoint, 10)).total).toBe(0);
  });

  it('forwards to VENDGUARD_SLACK_FORWARD_URL when set, and records that it did', async () => {
    const real = await startFakeSlack();
    process.env.VENDGUARD_SLACK_FORWARD_URL = real.url;
    try {
      const msg = render(SLACK_EXAMPLES[0]?.notification as never, '#sec-alerts');
      await post(sb.endpoint, JSON.stringify(msg));
      await until(async () => (real.requests.length ? true : undefined));
      expect(real.requests[0]?.body).toEqual(msg);
      const forwarded = await until(async () => {
        const [first] = (await fetchAlerts(sb.endpoint, 1)).alerts;
        return first?.forwarded === 'ok' ? first : undefined;
      });
      expect(forwarded.forwarded).toBe('ok');
    } finally {
      delete process.env.VENDGUARD_SLACK_FORWARD_URL;
      await real.close();
    }
  });

  it('receives a Guardrail Finding put on the bus, through rule notify-slack and the in-process function', async () => {
    const events = sb.client(EventBridgeClient);
    const { finding } = exampleOf('finding', 3);
    const detail = JSON.stringify(finding);
    const put = () =>
      events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'vendguard',
              Source: 'vendguard.guardrails',
              DetailType: 'Guardrail Finding',
              Detail: detail,
            },
          ],
        }),
      );
    await put();
    const alert = await until(async () => (await fetchAlerts(sb.endpoint, 5)).alerts[0]);
    expect(alert).toMatchObject({ channel: '#sec-alerts', kind: 'finding', severity: 'high' });
    expect(alert.rendered).toContain('sg-0123456789abcdef0');
    // The same finding again within the dedupe window: no second message.
    await put();
    await new Promise((r) => setTimeout(r, 500));
    expect(sb.runtime.store.count(OUTBOX_TABLE)).toBe(1);
  });
  it('receives vending outcomes put on the bus by source vendguard.vending, in the vending channel', async () => {
    const events = sb.client(EventBridgeClient);
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'vendguard',
            Source: 'vendguard.vending',
            DetailType: 'Account Vending Failed',
            Detail: JSON.stringify(exampleOf('vending-failed').failure),
          },
          {
            EventBusName: 'vendguard',
            Source: 'vendguard.vending',
            DetailType: 'Account Vended',
            Detail: JSON.stringify(exampleOf('vended').vended),
          },
        ],
      }),
    );
    const alerts = await until(async () => {
      const out = (await fetchAlerts(sb.endpoint, 5)).alerts;
      return out.length >= 2 ? out : undefined;
    });
    expect(alerts.map((a) => a.kind).sort()).toEqual(['vended', 'vending-failed']);
    expect(alerts.every((a) => a.channel === '#account-vending')).toBe(true);
  });
});

describe('vendguard sandbox alerts', () => {
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      out.push(`${a.join(' ')}\n`);
    });
    const before = process.env.AWS_ENDPOINT_URL;
    try {
      await buildProgram().parseAsync([
        'node',
        'vendguard',
        '--endpoint-url',
        sb.endpoint,
        'sandbox',
        'alerts',
        ...args,
      ]);
    } finally {
      spy.mockRestore();
      log.mockRestore();
      process.env.AWS_ENDPOINT_URL = before;
    }
    return out.join('');
  };

  it('prints the outbox newest first, as text or JSON', async () => {
    await post(sb.endpoint, JSON.stringify(render(exampleOf('vended'), '#account-vending')));
    await post(sb.endpoint, JSON.stringify(render(exampleOf('vending-failed'), '#account-vending')));
    const text = await run('--limit', '5');
    expect(text.indexOf('Account vending failed')).toBeLessThan(text.indexOf('Account vended'));
    expect(text).toContain('#account-vending  vending-failed');
    expect(text).toContain('vendguard replay req-5f3a9c0e1b7d4a26 --mode redrive --wait');
    const json = JSON.parse(await run('--json', '--limit', '1')) as { alerts: OutboxMessage[]; total: number };
    expect(json.total).toBe(2);
    expect(json.alerts.map((a) => a.kind)).toEqual(['vending-failed']);
  });
});

describe('classify', () => {
  it('reads kind and severity from the header', () => {
    const kinds = SLACK_EXAMPLES.map(
      (e) => classify(render(e.notification).blocks as unknown[]) as Partial<OutboxMessage>,
    );
    expect(kinds[0]).toEqual({ kind: 'finding', severity: 'high' });
    expect(kinds.at(-2)).toEqual({ kind: 'vended' });
    expect(kinds.at(-1)).toEqual({ kind: 'vending-failed' });
    expect(kinds.at(-4)).toEqual({ kind: 'request-rejected' });
    expect(kinds.at(-3)).toEqual({ kind: 'approval-requested' });
    expect(classify([{ type: 'section' }])).toEqual({ kind: 'message' });
  });
});

describe('adoptUserWebhook', () => {
  it('turns a user-set SLACK_WEBHOOK_URL into the forward target so functions post to the outbox', () => {
    const env: NodeJS.ProcessEnv = { SLACK_WEBHOOK_URL: 'https://example.com/hook' };
    adoptUserWebhook(env);
    expect(env).toEqual({ VENDGUARD_SLACK_FORWARD_URL: 'https://example.com/hook' });
  });

  it('keeps an explicit forward URL and ignores the outbox URL itself', () => {
    const env: NodeJS.ProcessEnv = {
      SLACK_WEBHOOK_URL: 'https://a/hook',
      VENDGUARD_SLACK_FORWARD_URL: 'https://b/hook',
    };
    adoptUserWebhook(env);
    expect(env).toEqual({ VENDGUARD_SLACK_FORWARD_URL: 'https://b/hook' });
    const outbox: NodeJS.ProcessEnv = { SLACK_WEBHOOK_URL: 'http://127.0.0.1:4566/_sandbox/slack/webhook' };
    adoptUserWebhook(outbox);
    expect(outbox).toEqual({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:4566/_sandbox/slack/webhook' });
  });
});
