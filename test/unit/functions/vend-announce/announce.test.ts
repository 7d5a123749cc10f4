import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { organizationConfig } from '../../../../functions/shared/config';
import { TransientError } from '../../../../functions/shared/errors';
import {
  AccountVendedSchema,
  AccountVendingFailedSchema,
  VENDING_SOURCE,
} from '../../../../functions/shared/schemas/findings';
import { announce, effectiveScps, raiseFailure } from '../../../../functions/vend-announce/announce';
import { ACCOUNT_ID, plan, REQUEST, REQUEST_ID } from '../shared/vending/fixtures';

const events = mockClient(EventBridgeClient);
const client = events as unknown as EventBridgeClient;
const EXECUTION = `arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:${REQUEST_ID}`;
const context = (RedriveCount = 0) => ({
  Execution: { Id: EXECUTION, Name: REQUEST_ID, StartTime: '2026-11-26T10:00:00.000Z', RedriveCount },
});
const deps = {
  config: organizationConfig(),
  eventBusName: 'vendguard',
  now: () => new Date('2026-11-26T10:12:00.000Z'),
};
const state = {
  request: REQUEST,
  requestId: REQUEST_ID,
  plan: plan(),
  account: { accountId: ACCOUNT_ID, state: 'SUCCEEDED' as const, waitSeconds: 0, attempts: 1, adopted: false },
};
const failedState = {
  ...state,
  failure: { step: 'CheckBaseline', redriveCount: 0 },
  error: {
    Error: 'BaselineDeploymentFailedError',
    Cause: JSON.stringify({
      errorType: 'BaselineDeploymentFailedError',
      errorMessage: `baseline stack set vendguard-baseline-security failed in account ${ACCOUNT_ID}, region eu-central-1: boom`,
    }),
  },
};

function putEntry() {
  const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
  return { ...entry, detail: JSON.parse(entry?.Detail ?? '{}') as Record<string, unknown> };
}

beforeEach(() => {
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('AnnounceSuccess', () => {
  it('puts Account Vended on the central bus with what onboarding needs', async () => {
    await announce(client, { outcome: 'success', state, context: context() }, deps);
    const entry = putEntry();
    expect(entry).toMatchObject({ EventBusName: 'vendguard', Source: VENDING_SOURCE, DetailType: 'Account Vended' });
    expect(AccountVendedSchema.parse(entry.detail)).toMatchObject({
      accountId: ACCOUNT_ID,
      accountName: 'payments-prod',
      ou: 'Workloads/Prod',
      owner: 'team-payments',
      baselines: ['vendguard-baseline-security', 'vendguard-baseline-network'],
      executionArn: EXECUTION,
      durationSeconds: 720,
    });
  });

  it('lists the SCPs in effect: those of the OU and its parents, without the quarantine', () => {
    const scps = effectiveScps(organizationConfig(), 'Workloads/Prod', []);
    expect(scps).toContain('vendguard-deny-internet-gateway');
    expect(scps).not.toContain('vendguard-quarantine');
  });

  it('turns a failed PutEvents entry into a TransientError', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(announce(client, { outcome: 'success', state, context: context() }, deps)).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});

describe('AnnounceFailure', () => {
  it('puts Account Vending Failed with the step, error, cause, region, stack set and the redrive command', async () => {
    await announce(client, { outcome: 'failure', state: failedState, context: context() }, deps);
    const entry = putEntry();
    expect(entry.DetailType).toBe('Account Vending Failed');
    expect(AccountVendingFailedSchema.parse(entry.detail)).toEqual({
      requestId: REQUEST_ID,
      accountName: 'payments-prod',
      accountId: ACCOUNT_ID,
      ou: 'Workloads/Prod',
      owner: 'team-payments',
      failedStep: 'CheckBaseline',
      error: 'BaselineDeploymentFailedError',
      cause: `baseline stack set vendguard-baseline-security failed in account ${ACCOUNT_ID}, region eu-central-1: boom`,
      region: 'eu-central-1',
      stackSet: 'vendguard-baseline-security',
      executionArn: EXECUTION,
      redriveCommand: `npx vendguard replay ${REQUEST_ID} --mode redrive`,
    });
  });

  it('announces a failure of the first step, before any plan exists', async () => {
    const early = {
      request: REQUEST,
      requestId: REQUEST_ID,
      failure: { step: 'ValidateRequest', redriveCount: 0 },
      error: { Error: 'InputValidationError', Cause: 'account request is invalid: email: already used' },
    };
    await announce(client, { outcome: 'failure', state: early, context: context() }, deps);
    expect(putEntry().detail).toMatchObject({ failedStep: 'ValidateRequest', error: 'InputValidationError' });
  });
});

describe('RaiseFailure', () => {
  it('throws the failed step error under its own name', () => {
    expect(() => raiseFailure({ outcome: 'raise', state: failedState, context: context() })).toThrow(
      expect.objectContaining({
        name: 'BaselineDeploymentFailedError',
        message: expect.stringContaining('eu-central-1'),
      }),
    );
  });

  it('renames Lambda and States errors so RaiseFailure does not retry or catch its own error', () => {
    const lambda = { ...failedState, error: { Error: 'Lambda.ServiceException', Cause: 'x' } };
    expect(() => raiseFailure({ outcome: 'raise', state: lambda, context: context() })).toThrow(
      expect.objectContaining({ name: 'VendingStepFailedError' }),
    );
  });

  it('names the step to resume once the execution is redriven', () => {
    expect(raiseFailure({ outcome: 'raise', state: failedState, context: context(1) })).toEqual({
      step: 'CheckBaseline',
    });
  });
});
