import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadOrganizationConfig } from '../../../../config/load';
import sample from '../../../../events/samples/vendguard.requests/account-request.json';
import { setOrganizationConfig } from '../../../../functions/shared/config';
import { TransientError } from '../../../../functions/shared/errors';
import { AccountRequestRejectedSchema } from '../../../../functions/shared/schemas/findings';
import { requestIdFor } from '../../../../functions/shared/vending/plan';
import { handler } from '../../../../functions/vend-start/app';
import { MAX_FIELD_CHARS, MAX_ISSUES, rejectionDetail, sanitize } from '../../../../functions/vend-start/reject';
import { startVending } from '../../../../functions/vend-start/start';
import { awsError, CONTEXT, REQUEST } from '../shared/vending/fixtures';

const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const events = mockClient(EventBridgeClient);
const SM = 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending';
const deps = () => ({
  sfn: sfn as unknown as SFNClient,
  sts: sts as unknown as STSClient,
  events: events as unknown as EventBridgeClient,
  eventBusName: 'vendguard',
  region: 'eu-west-1',
  stateMachineArn: SM,
});

beforeEach(() => {
  sfn.reset();
  sts.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${SM.replace('stateMachine', 'execution')}:${input.name}`,
  }));
});

describe('vend-start', () => {
  it('starts one execution named from the request id with the request as input', async () => {
    const out = await startVending(sample, deps());
    expect(out).toEqual({
      status: 'started',
      requestId: 'req-payments-prod-0001',
      executionArn: `${SM.replace('stateMachine', 'execution')}:req-payments-prod-0001`,
    });
    const call = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(call?.stateMachineArn).toBe(SM);
    expect(call?.name).toBe('req-payments-prod-0001');
    expect(JSON.parse(call?.input ?? '{}')).toEqual({ request: sample.detail, requestId: 'req-payments-prod-0001' });
  });

  it('derives the request id from the email when none is given, the same for the same email', () => {
    const { requestId: _, ...anonymous } = REQUEST;
    const id = requestIdFor(anonymous);
    expect(id).toMatch(/^req-[0-9a-f]{16}$/);
    expect(requestIdFor({ ...anonymous, email: anonymous.email.toUpperCase() })).toBe(id);
    expect(requestIdFor({ ...anonymous, email: 'other@acme.example' })).not.toBe(id);
  });

  it('treats ExecutionAlreadyExists as already started', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    await expect(startVending(sample, deps())).resolves.toMatchObject({ status: 'already-started' });
  });

  it('turns throttling into a TransientError (EventBridge retries the invocation)', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));
    await expect(startVending(sample, deps())).rejects.toBeInstanceOf(TransientError);
  });

  it('derives the state machine ARN from the caller when none is configured', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '100000000001' });
    await startVending(sample, { ...deps(), stateMachineArn: undefined });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(SM);
  });

  it('runs as a Lambda handler on the sample event', async () => {
    process.env.VENDGUARD_VENDING_STATE_MACHINE_ARN = SM;
    try {
      await expect(handler(sample, CONTEXT)).resolves.toMatchObject({ status: 'started' });
    } finally {
      delete process.env.VENDGUARD_VENDING_STATE_MACHINE_ARN;
    }
  });
});

describe('vend-start with a malformed request', () => {
  it('rejects a request from an account that is neither the hub nor a requester, naming the sender', async () => {
    const out = await startVending({ ...sample, account: '222233334444' }, deps());
    expect(out).toMatchObject({ status: 'rejected', announced: true });
    expect(sfn.calls()).toHaveLength(0);
    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({
      sourceAccount: '222233334444',
      issues: [
        {
          path: 'account',
          message:
            'account 222233334444 may not request accounts: only the hub account and vending.requesters.accounts may',
        },
      ],
    });
  });

  it('starts the request of a configured requester account', async () => {
    const base = loadOrganizationConfig().config;
    setOrganizationConfig({
      ...base,
      vending: { ...base.vending, requesters: { accounts: ['222233334444'], principals: [] } },
    });
    try {
      const out = await startVending({ ...sample, account: '222233334444' }, deps());
      expect(out.status).toBe('started');
    } finally {
      setOrganizationConfig(undefined);
    }
  });

  const malformed = (detail: unknown) => ({ ...sample, detail });
  const putEntries = () => events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]);
  const rejection = () => JSON.parse(putEntries()[0]?.Detail ?? '{}');

  it('starts nothing and puts Account Request Rejected on the bus with every field and reason', async () => {
    const bad = { ...sample.detail, ou: 'Workloads/Prod/', environment: 'production', team: 'x' };
    const out = await startVending(malformed(bad), deps());
    expect(out).toMatchObject({ status: 'rejected', announced: true });
    expect(sfn.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
    expect(events.calls()).toHaveLength(1);
    expect(putEntries()[0]).toMatchObject({
      EventBusName: 'vendguard',
      Source: 'vendguard.vending',
      DetailType: 'Account Request Rejected',
    });
    const detail = rejection();
    expect(AccountRequestRejectedSchema.safeParse(detail).success).toBe(true);
    expect(detail).toEqual({
      requestId: 'req-payments-prod-0001',
      name: 'payments-prod',
      email: 'aws-payments-prod@acme.example',
      sourceAccount: '100000000001',
      requestEventId: sample.id,
      requestTime: sample.time,
      issues: [
        { path: 'ou', message: 'must be an OU path like Workloads/Prod' },
        { path: 'environment', message: 'must be one of prod, staging, dev, sandbox' },
        { path: '', message: 'Unrecognized key: "team"' },
      ],
    });
  });

  it('puts the rejection on the bus named by the deps (VENDGUARD_EVENT_BUS)', async () => {
    await startVending(malformed({}), { ...deps(), eventBusName: 'other-bus' });
    expect(putEntries()[0]?.EventBusName).toBe('other-bus');
  });

  it('names the request by the id derived from a readable email when no request id was given', async () => {
    const { requestId: _, ...anonymous } = sample.detail;
    await startVending(malformed({ ...anonymous, environment: 'qa' }), deps());
    expect(rejection().requestId).toBe(requestIdFor({ email: sample.detail.email }));
  });

  it('repeats only what it can read: a detail that is not an object gives the source account and the reason', async () => {
    await startVending(malformed('please make me an account'), deps());
    expect(rejection()).toEqual({
      sourceAccount: '100000000001',
      requestEventId: sample.id,
      requestTime: sample.time,
      issues: [{ path: '', message: 'Invalid input: expected object, received string' }],
    });
  });

  it('sanitizes and cuts what it repeats from the request', async () => {
    const name = `evil\u0000name\n<!channel>${'x'.repeat(500)}`;
    await startVending(malformed({ ...sample.detail, name, email: 42, requestId: 'bad id\u202e' }), deps());
    const detail = rejection();
    expect(Array.from(detail.name as string)).toHaveLength(MAX_FIELD_CHARS);
    expect(detail.name).toMatch(/^evil name <!channel>x+…$/);
    expect(detail.email).toBeUndefined();
    expect(detail.requestId).toBe('bad id');
    expect(detail.issues.map((i: { path: string }) => i.path)).toEqual(['name', 'email', 'requestId']);
  });

  it('keeps at most MAX_ISSUES issues and counts the rest', () => {
    const issues = Array.from({ length: MAX_ISSUES + 15 }, (_, i) => ({ path: `k${i}`, message: 'bad' }));
    const detail = rejectionDetail(malformed({}), issues);
    expect(detail.issues).toHaveLength(MAX_ISSUES);
    expect(detail.issues[0]).toEqual({ path: 'k0', message: 'bad' });
    expect(detail.omittedIssues).toBe(15);
    expect(rejectionDetail(malformed({}), issues.slice(0, 2)).omittedIssues).toBeUndefined();
  });

  it.each([
    ['PutEvents throws', () => events.on(PutEventsCommand).rejects(awsError('ThrottlingException'))],
    [
      'PutEvents reports a failed entry',
      () =>
        events
          .on(PutEventsCommand)
          .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }] }),
    ],
  ])('logs a rejection it cannot announce (%s) instead of failing the invocation', async (_name, arrange) => {
    arrange();
    await expect(startVending(malformed({ name: 'x' }), deps())).resolves.toMatchObject({
      status: 'rejected',
      announced: false,
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('runs as a Lambda handler: a malformed request resolves (EventBridge does not retry it)', async () => {
    // without VENDGUARD_VENDING_STATE_MACHINE_ARN the function learns its (the hub's) account from STS
    sts.on(GetCallerIdentityCommand).resolves({ Account: '100000000001' });
    await expect(handler(malformed({ name: 'x' }), CONTEXT)).resolves.toMatchObject({ status: 'rejected' });
  });
});

describe('sanitize', () => {
  it('turns control characters into spaces, trims and cuts with an ellipsis', () => {
    expect(sanitize(' a\tb\u0007c ')).toBe('a b c');
    expect(sanitize('abcdef', 4)).toBe('abc…');
    expect(sanitize('   ')).toBeUndefined();
    expect(sanitize(7)).toBeUndefined();
  });
});
