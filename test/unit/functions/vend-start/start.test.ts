import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import sample from '../../../../events/samples/vendguard.requests/account-request.json';
import { TransientError } from '../../../../functions/shared/errors';
import { requestIdFor } from '../../../../functions/shared/vending/plan';
import { handler } from '../../../../functions/vend-start/app';
import { startVending } from '../../../../functions/vend-start/start';
import { awsError, CONTEXT, REQUEST } from '../shared/vending/fixtures';

const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const SM = 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending';
const deps = () => ({
  sfn: sfn as unknown as SFNClient,
  sts: sts as unknown as STSClient,
  region: 'eu-west-1',
  stateMachineArn: SM,
});

beforeEach(() => {
  sfn.reset();
  sts.reset();
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
