import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../../functions/notify-slack/app';
import { NotifySlackEventSchema } from '../../../../functions/notify-slack/events';
import { handleNotifyEvent, toNotification } from '../../../../functions/notify-slack/handle';
import { InputValidationError } from '../../../../functions/shared/errors';
import { parseInput } from '../../../../functions/shared/middleware';
import { MemoryDeadLetterStore, MemoryDedupeStore } from '../../../../functions/shared/notify';
import { SLACK_EXAMPLES } from '../../../../scripts/slack-examples';

const context = { functionName: 'vendguard-notify-slack', awsRequestId: 'r' } as unknown as Context;
const ddb = mockClient(DynamoDBClient);

const envelope = (detailType: string, source: string, detail: unknown) => ({
  version: '0',
  id: `evt-${detailType.replace(/ /g, '-')}`,
  'detail-type': detailType,
  source,
  account: '100000000001',
  time: '2026-11-26T10:00:09Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

const pick = (kind: string) => SLACK_EXAMPLES.find((e) => e.notification.kind === kind)?.notification as never;
const findingEvent = envelope(
  'Guardrail Finding',
  'vendguard.guardrails',
  (pick('finding') as { finding: unknown }).finding,
);
const vendedEvent = envelope('Account Vended', 'vendguard.vending', (pick('vended') as { vended: unknown }).vended);
const failedEvent = envelope(
  'Account Vending Failed',
  'vendguard.vending',
  (pick('vending-failed') as { failure: unknown }).failure,
);
const rejectedEvent = envelope(
  'Account Request Rejected',
  'vendguard.vending',
  (pick('request-rejected') as { rejection: unknown }).rejection,
);
const approvalEvent = envelope(
  'Account Request Awaiting Approval',
  'vendguard.vending',
  (pick('approval-requested') as { approval: unknown }).approval,
);

describe('notify-slack event parsing', () => {
  it.each([
    ['Guardrail Finding', findingEvent, 'finding'],
    ['Account Vended', vendedEvent, 'vended'],
    ['Account Vending Failed', failedEvent, 'vending-failed'],
    ['Account Request Rejected', rejectedEvent, 'request-rejected'],
    ['Account Request Awaiting Approval', approvalEvent, 'approval-requested'],
  ])('parses a %s with its schema', (_name, event, kind) => {
    const parsed = parseInput(NotifySlackEventSchema, event, 'notify-slack event');
    expect(toNotification(parsed).kind).toBe(kind);
  });

  it('rejects an unknown detail type naming the field', () => {
    expect(() =>
      parseInput(NotifySlackEventSchema, { ...findingEvent, 'detail-type': 'Something Else' }, 'notify-slack event'),
    ).toThrow(/notify-slack event is invalid: detail-type: /);
  });

  it('rejects a finding with a missing field and a bad severity, naming both', () => {
    const { actor: _actor, ...detail } = findingEvent.detail as Record<string, unknown>;
    const bad = { ...findingEvent, detail: { ...detail, severity: 'urgent' } };
    const err = (() => {
      try {
        parseInput(NotifySlackEventSchema, bad, 'notify-slack event');
      } catch (e) {
        return e as InputValidationError;
      }
    })();
    expect(err).toBeInstanceOf(InputValidationError);
    expect(err?.issues.map((i) => i.path).sort()).toEqual(['detail.actor', 'detail.severity']);
  });

  it('rejects a vended event with an unknown extra detail field (strict schema)', () => {
    const bad = { ...vendedEvent, detail: { ...(vendedEvent.detail as object), surprise: 1 } };
    expect(() => parseInput(NotifySlackEventSchema, bad, 'notify-slack event')).toThrow(/detail/);
  });

  it('rejects a rejection with an issue that is not { path, message } (strict schema)', () => {
    const detail = { ...(rejectedEvent.detail as object), issues: [{ path: 'ou' }] };
    expect(() => parseInput(NotifySlackEventSchema, { ...rejectedEvent, detail }, 'notify-slack event')).toThrow(
      /detail\.issues\.0\.message/,
    );
  });

  it('rejects an Account Request Rejected that does not come from vendguard.vending', () => {
    const parsed = parseInput(NotifySlackEventSchema, { ...rejectedEvent, source: 'vendguard.requests' }, 'x');
    expect(() => toNotification(parsed)).toThrow(/must be vendguard.vending for detail-type Account Request Rejected/);
  });

  it('rejects a detail type coming from the wrong source', () => {
    const parsed = parseInput(NotifySlackEventSchema, { ...findingEvent, source: 'vendguard.vending' }, 'x');
    expect(() => toNotification(parsed)).toThrow(
      'Guardrail Finding event is invalid: source: must be vendguard.guardrails for detail-type Guardrail Finding, got vendguard.vending',
    );
  });
});

describe('notify-slack handler', () => {
  beforeEach(() => ddb.reset());

  it.each([
    ['a truncated event', { version: '0', 'detail-type': 'Guardrail Finding' }],
    ['a string', 'not an event'],
    ['a finding without detail', { ...findingEvent, detail: undefined }],
  ])('rejects %s with InputValidationError before any AWS call', async (_name, event) => {
    await expect(Promise.resolve(handler(event, context))).rejects.toMatchObject({ name: 'InputValidationError' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('announces each event type through the notifier', async () => {
    const posted: unknown[] = [];
    const deps = {
      dedupe: new MemoryDedupeStore(),
      deadLetters: new MemoryDeadLetterStore(),
      webhookUrl: async () => 'http://127.0.0.1:9/hook',
      delivery: {
        fetch: (async (_url: string, init: RequestInit) => {
          posted.push(JSON.parse(String(init.body)));
          return new Response('ok');
        }) as unknown as typeof fetch,
      },
    };
    for (const event of [findingEvent, vendedEvent, failedEvent, rejectedEvent]) {
      const parsed = parseInput(NotifySlackEventSchema, event, 'notify-slack event');
      await expect(handleNotifyEvent(parsed, deps)).resolves.toMatchObject({ status: 'posted' });
    }
    expect(posted.map((p) => (p as { channel: string }).channel)).toEqual([
      '#sec-alerts',
      '#account-vending',
      '#account-vending',
      '#account-vending',
    ]);
  });
});
