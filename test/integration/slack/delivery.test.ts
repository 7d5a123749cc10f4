import { blockKitProblems, LIMITS, type SlackMessage } from '../../../functions/shared/notify/blockkit';
import { MemoryDeadLetterStore } from '../../../functions/shared/notify/deadletter';
import { MemoryDedupeStore } from '../../../functions/shared/notify/dedupe';
import { deliver } from '../../../functions/shared/notify/deliver';
import { SlackAlertDeadLetteredError, SlackDeliveryError } from '../../../functions/shared/notify/errors';
import { type NotifyDeps, notify } from '../../../functions/shared/notify/index';
import type { Notification } from '../../../functions/shared/notify/notification';
import { SLACK_EXAMPLES } from '../../../scripts/slack-examples';
import { type FakeSlack, recordingSleep, startFakeSlack } from './fake-slack';

const SLACK = {
  webhookSecretName: 'vendguard/slack-webhook',
  channels: {
    critical: '#sec-critical',
    high: '#sec-alerts',
    medium: '#sec-alerts',
    low: '#platform-notices',
    info: '#platform-notices',
    vending: '#account-vending',
  },
  dedupeWindowMinutes: 15,
};

const finding = SLACK_EXAMPLES[1]?.notification as Extract<Notification, { kind: 'finding' }>;

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

function deps(overrides: Partial<NotifyDeps> = {}) {
  const sleeper = recordingSleep();
  const deadLetters = new MemoryDeadLetterStore();
  const dedupe = new MemoryDedupeStore();
  const all: NotifyDeps = {
    slack: SLACK,
    dedupe,
    deadLetters,
    webhookUrl: async () => slack.url,
    delivery: { sleep: sleeper.sleep, random: () => 0.5 },
    ...overrides,
  };
  return { deps: all, sleeper, deadLetters, dedupe };
}

describe('delivering to a Slack webhook on loopback', () => {
  it('posts valid Block Kit for every guardrail rule and vending outcome, routed to its channel', async () => {
    for (const { notification } of SLACK_EXAMPLES) {
      const { deps: d } = deps();
      const result = await notify(notification, d);
      expect(result.status).toBe('posted');
    }
    expect(slack.requests).toHaveLength(SLACK_EXAMPLES.length);
    for (const req of slack.requests) {
      expect(req.contentType).toBe('application/json');
      const msg = req.body as SlackMessage;
      expect(blockKitProblems(msg)).toEqual([]);
      expect(msg.text.length).toBeGreaterThan(0);
      expect(Object.values(SLACK.channels)).toContain(msg.channel);
    }
    const channels = slack.requests.map((r) => (r.body as SlackMessage).channel);
    expect(channels).toContain('#sec-critical');
    expect(channels).toContain('#account-vending');
  });

  it('truncates long fields with an ellipsis instead of being rejected', async () => {
    const long: Notification = {
      kind: 'finding',
      finding: {
        ...finding.finding,
        rule: `igw-attached-${'r'.repeat(400)}`,
        summary: 'S'.repeat(10_000),
        actor: `arn:aws:sts::482913570264:assumed-role/${'x'.repeat(5_000)}`,
        action: 'A'.repeat(2_500),
        reason: 'R'.repeat(4_000),
      },
    };
    const { deps: d } = deps();
    await notify(long, d);
    const msg = slack.requests[0]?.body as SlackMessage;
    expect(blockKitProblems(msg)).toEqual([]);
    const header = msg.blocks[0] as { text: { text: string } };
    expect(Array.from(header.text.text).length).toBeLessThanOrEqual(LIMITS.headerText);
    expect(header.text.text.endsWith('…')).toBe(true);
    const json = JSON.stringify(msg);
    expect(json).toContain('SSSS…');
    expect(json).toContain('AAAA…');
  });

  it('retries on 500 with growing backoff, then succeeds', async () => {
    slack.script({ status: 500 }, { status: 502 }, { status: 503 });
    const { deps: d, sleeper, deadLetters } = deps();
    const result = await notify(finding, d);
    expect(result).toMatchObject({ status: 'posted', attempts: 4, channel: '#sec-alerts' });
    expect(slack.requests).toHaveLength(4);
    expect(sleeper.delays).toHaveLength(3);
    expect(sleeper.delays[1]).toBeGreaterThan(sleeper.delays[0] ?? Number.POSITIVE_INFINITY);
    expect(sleeper.delays[2]).toBeGreaterThan(sleeper.delays[1] ?? Number.POSITIVE_INFINITY);
    expect(deadLetters.letters).toEqual([]);
  });

  it('waits what Retry-After asks on 429', async () => {
    slack.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '7' } });
    const { deps: d, sleeper } = deps();
    const result = await notify(finding, d);
    expect(result.attempts).toBe(2);
    expect(sleeper.delays).toEqual([7_000]);
  });

  it('posts anyway when the dedupe store is down (a duplicate is better than a lost alert)', async () => {
    const broken = {
      claim: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      release: async () => undefined,
    };
    const { deps: d } = deps({ dedupe: broken });
    expect((await notify(finding, d)).status).toBe('posted');
    expect(slack.requests).toHaveLength(1);
  });

  it('also honours Retry-After on a 503', async () => {
    slack.script({ status: 503, headers: { 'retry-after': '3' } });
    const { deps: d, sleeper } = deps();
    await notify(finding, d);
    expect(sleeper.delays).toEqual([3_000]);
  });

  it('dead-letters an alert when Retry-After exceeds the bound, without waiting', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '60' } });
    const sleeper = recordingSleep();
    const { deps: d, deadLetters } = deps({ delivery: { maxTotalMs: 20_000, sleep: sleeper.sleep } });
    await expect(notify(finding, d)).rejects.toBeInstanceOf(SlackAlertDeadLetteredError);
    expect(sleeper.delays).toEqual([]);
    expect(deadLetters.letters[0]).toMatchObject({ status: 429, attempts: 1 });
    expect(deadLetters.letters[0]?.error).toContain('Retry-After asked for 60000 ms');
  });

  it('keeps retrying 5xx within the bound, then dead-letters with the payload and the last error', async () => {
    slack.always({ status: 503, body: 'service_unavailable' });
    const sleeper = recordingSleep();
    const { deps: d, deadLetters } = deps({
      delivery: { sleep: sleeper.sleep, random: () => 0.5, maxTotalMs: 5_000 },
    });
    const err = await notify(finding, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackAlertDeadLetteredError);
    expect((err as Error).message).toContain('slack-deadletter#finding:igw-attached:482913570264');
    const total = sleeper.delays.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(5_000);
    expect(slack.requests.length).toBe(sleeper.delays.length + 1);
    expect(slack.requests.length).toBeGreaterThan(2);
    const letter = deadLetters.letters[0];
    expect(letter).toMatchObject({
      key: 'finding:igw-attached:482913570264:eu-west-1:igw-0c4d5e6f7a8b9c0d1:AttachInternetGateway:remediated',
      channel: '#sec-alerts',
      routeReason: 'severity high',
      errorName: 'SlackDeliveryError',
      status: 503,
      attempts: slack.requests.length,
    });
    expect(letter?.error).toContain('HTTP 503');
    expect(letter?.payload).toEqual(slack.requests[0]?.body);
  });

  it('does not retry a 400 (bad payload): dead-letters at once', async () => {
    slack.script({ status: 400, body: 'invalid_payload' });
    const { deps: d, sleeper, deadLetters } = deps();
    await expect(notify(finding, d)).rejects.toThrow(/not delivered .*invalid_payload.*not retried/);
    expect(slack.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
    expect(deadLetters.letters[0]).toMatchObject({ status: 400, attempts: 1 });
  });

  it('retries network errors and reports them without the URL', async () => {
    const closed = await startFakeSlack();
    const url = closed.url;
    await closed.close();
    const sleeper = recordingSleep();
    const err = await deliver(url, { text: 'x' }, { sleep: sleeper.sleep, maxTotalMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackDeliveryError);
    expect((err as SlackDeliveryError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/network error/);
    expect((err as Error).message).not.toContain('xoxSuperSecretToken123');
    expect(sleeper.delays.length).toBeGreaterThan(1);
  });

  it('posts the same finding once within the dedupe window and again after it', async () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const { deps: d } = deps({ now: () => now });
    expect((await notify(finding, d)).status).toBe('posted');
    now = new Date('2026-11-26T10:14:00Z');
    expect((await notify(finding, d)).status).toBe('duplicate');
    const otherOutcome: Notification = { kind: 'finding', finding: { ...finding.finding, outcome: 'failed' } };
    expect((await notify(otherOutcome, d)).status).toBe('posted');
    expect(slack.requests).toHaveLength(2);
    now = new Date('2026-11-26T10:16:00Z');
    expect((await notify(finding, d)).status).toBe('posted');
    expect(slack.requests).toHaveLength(3);
  });

  it('releases the dedupe claim of an undelivered alert so a retry posts it', async () => {
    slack.script({ status: 404, body: 'no_service' });
    const { deps: d } = deps();
    await expect(notify(finding, d)).rejects.toBeInstanceOf(SlackAlertDeadLetteredError);
    expect((await notify(finding, d)).status).toBe('posted');
  });
});
