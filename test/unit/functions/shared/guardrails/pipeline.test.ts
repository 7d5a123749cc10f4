import { internetGatewayGuard } from '../../../../../functions/guard-internet-gateway/remediate';
import { securityGroupGuard } from '../../../../../functions/guard-security-group/remediate';
import { runGuardrail } from '../../../../../functions/shared/guardrails/pipeline';
import { logger } from '../../../../../functions/shared/logger';
import { type GuardHarness, guardHarness, sampleEvent } from './harness';

type Json = Record<string, unknown>;

/** 50 malformed or truncated deliveries, each with what is wrong with it. */
function malformedEvents(): [string, unknown][] {
  const attach = () => sampleEvent('aws.ec2/attach-internet-gateway.json');
  const cases: [string, unknown][] = [
    ['null', null],
    ['a string', 'AttachInternetGateway'],
    ['a number', 42],
    ['an array', [attach()]],
    ['an empty object', {}],
  ];
  // Envelope fields removed one at a time.
  for (const field of ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']) {
    const event = attach();
    delete event[field];
    cases.push([`no ${field}`, event]);
  }
  // CloudTrail record fields removed one at a time.
  for (const field of [
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'eventID',
    'eventType',
    'recipientAccountId',
  ]) {
    const event = attach();
    delete (event.detail as Json)[field];
    cases.push([`no detail.${field}`, event]);
  }
  // Wrong types and values.
  const edits: [string, (e: Json, d: Json) => void][] = [
    ['account not 12 digits', (e) => void Object.assign(e, { account: '2222' })],
    ['time not ISO', (e) => void Object.assign(e, { time: 'yesterday' })],
    ['detail-type of another event', (e) => void Object.assign(e, { 'detail-type': 'Guardrail Finding' })],
    ['resources not an array', (e) => void Object.assign(e, { resources: 'igw' })],
    ['detail a string', (e) => void Object.assign(e, { detail: '{"eventName":"AttachInternetGateway"}' })],
    ['detail null', (e) => void Object.assign(e, { detail: null })],
    ['eventTime not a date', (_e, d) => void Object.assign(d, { eventTime: '26/11/2026' })],
    ['eventSource not a service host', (_e, d) => void Object.assign(d, { eventSource: 'ec2' })],
    ['eventName empty', (_e, d) => void Object.assign(d, { eventName: '' })],
    ['eventName a number', (_e, d) => void Object.assign(d, { eventName: 7 })],
    ['eventID empty', (_e, d) => void Object.assign(d, { eventID: '' })],
    ['eventID a number', (_e, d) => void Object.assign(d, { eventID: 123 })],
    ['recipientAccountId short', (_e, d) => void Object.assign(d, { recipientAccountId: '123' })],
    ['recipientAccountId letters', (_e, d) => void Object.assign(d, { recipientAccountId: 'abcdefghijkl' })],
    ['userIdentity a string', (_e, d) => void Object.assign(d, { userIdentity: 'jane' })],
    ['userIdentity without type', (_e, d) => void Object.assign(d, { userIdentity: { arn: 'arn:aws:iam::1:user/x' } })],
    ['requestParameters an array', (_e, d) => void Object.assign(d, { requestParameters: ['igw-1'] })],
    ['responseElements a string', (_e, d) => void Object.assign(d, { responseElements: 'ok' })],
    ['readOnly a string', (_e, d) => void Object.assign(d, { readOnly: 'false' })],
    ['awsRegion empty', (_e, d) => void Object.assign(d, { awsRegion: '' })],
    ['errorCode a number', (_e, d) => void Object.assign(d, { errorCode: 403 })],
    [
      'eventType missing and eventVersion a number',
      (_e, d) => {
        delete d.eventType;
        Object.assign(d, { eventVersion: 1.09 });
      },
    ],
  ];
  for (const [why, edit] of edits) {
    const event = attach();
    edit(event, event.detail as Json);
    cases.push([why, event]);
  }
  // Truncated in transit: the JSON cut short, parsed as far as it goes (only the envelope head survives).
  const text = JSON.stringify(attach());
  for (const cut of [0.1, 0.2, 0.3, 0.4, 0.5]) {
    const head = text.slice(0, Math.floor(text.length * cut));
    const lastComma = head.lastIndexOf(',"');
    let partial: unknown;
    try {
      partial = JSON.parse(`${head.slice(0, lastComma)}}`);
    } catch {
      partial = head;
    }
    cases.push([`truncated at ${cut * 100}%`, partial]);
  }
  return cases;
}

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
});
afterEach(() => {
  h.restore();
  jest.restoreAllMocks();
});

describe('malformed and truncated CloudTrail events', () => {
  const cases = malformedEvents();

  it('has 50 cases', () => {
    expect(cases).toHaveLength(50);
  });

  it('rejects each one without a crash or an action, keeps it (one state table write), and logs why', async () => {
    const warn = jest.spyOn(logger, 'warn');
    for (const [why, event] of cases) {
      for (const [name, guard] of [
        ['guard-internet-gateway', internetGatewayGuard],
        ['guard-security-group', securityGroupGuard],
      ] as const) {
        const result = await runGuardrail(event, name, guard);
        expect({ why, status: result.status }).toEqual({ why, status: 'rejected' });
        expect(result.status === 'rejected' && result.reason).toMatch(/^malformed CloudTrail event: .+/);
      }
    }
    expect(h.memberCalls()).toEqual([]);
    // the only call: keeping the rejected delivery, counted, under a key of bounded length
    const writes = h.dynamodb.calls().map((c) => c.args[0].input as { Key?: { id?: { S?: string } } });
    expect(writes).toHaveLength(cases.length * 2);
    for (const w of writes) expect(w.Key?.id?.S).toMatch(/^guardrail#rejected#[0-9a-f]{64}$/);
    expect(h.events.calls()).toHaveLength(0);
    expect(h.sts.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(cases.length * 2);
    for (const call of warn.mock.calls) {
      expect(call[0]).toBe('rejected CloudTrail event; no action taken');
      expect(call[1]).toEqual(
        expect.objectContaining({ reason: expect.stringContaining('malformed CloudTrail event') }),
      );
    }
  });

  it('names the bad field in the reason', async () => {
    const event = sampleEvent('aws.ec2/attach-internet-gateway.json', {
      edit: (d) => {
        d.recipientAccountId = '123';
      },
    });
    const result = await runGuardrail(event, 'guard-internet-gateway', internetGatewayGuard);
    expect(result).toMatchObject({
      status: 'rejected',
      eventId: '4a6f2b3c-8d9e-4fa0-b1c2-d3e4f5a6b7c8',
      reason: expect.stringContaining('detail.recipientAccountId: must be a 12-digit account id'),
    });
  });
});

describe('state table failures', () => {
  it('lets the delivery fail (EventBridge retries) when the idempotency record cannot be written', async () => {
    h.dynamodb.reset();
    h.dynamodb.rejects(Object.assign(new Error('table missing'), { name: 'ResourceNotFoundException' }));
    await expect(
      runGuardrail(sampleEvent('aws.ec2/attach-internet-gateway.json'), 'guard-internet-gateway', internetGatewayGuard),
    ).rejects.toThrow(/cannot record event .* in vendguard-state/);
    expect(h.memberCalls()).toEqual([]);
  });
});
