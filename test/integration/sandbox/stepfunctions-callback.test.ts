import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const ROLE = 'arn:aws:iam::100000000001:role/test-state-machine';
const DAY = 86_400;
/**
 * Timeouts are days long and "not yet" checks leave a day or more to spare, so a modelled wait that
 * compressed the clock while a test waits real time could not fire them early.
 */
const MONTH = 30 * DAY;

/** What the fake function `approver` was invoked with, oldest first. */
interface ApproverCall {
  readonly taskToken: string;
  readonly note: string;
  readonly context: { Execution: { Id: string }; Task: { Token: string } };
}

describe('sandbox Step Functions callback tasks (lambda:invoke.waitForTaskToken)', () => {
  let sb: TestSandbox;
  let sfn: SFNClient;
  const calls: ApproverCall[] = [];
  let machines = 0;

  beforeAll(async () => {
    sb = await startTestSandbox();
    sfn = sb.client(SFNClient);
    jest.spyOn(sb.runtime.functions, 'invoke').mockImplementation(async (name: string, event: unknown) => {
      if (name === 'approver') calls.push(event as ApproverCall);
      return { announced: true };
    });
  });

  afterAll(() => sb.stop());

  /**
   * A state machine whose `AwaitAnswer` callback task has `task` merged in (each `Catch` goes to a
   * Pass state of its `Next` name); returns its ARN.
   */
  async function machine(task: Record<string, unknown> = {}): Promise<string> {
    const catchers = (task.Catch ?? []) as { Next: string }[];
    const handlers = Object.fromEntries(catchers.map((c) => [c.Next, { Type: 'Pass', End: true }]));
    const definition = {
      Comment: 'Waits for SendTaskSuccess / SendTaskFailure on the token it hands the approver',
      StartAt: 'AwaitAnswer',
      States: {
        AwaitAnswer: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: sb.runtime.functions.functionArn('approver'),
            Payload: {
              'taskToken.$': '$$.Task.Token',
              'note.$': "States.Format('token {}', $$.Task.Token)",
              'request.$': '$.request',
              'context.$': '$$',
            },
          },
          ResultPath: '$.answer',
          Next: 'Done',
          ...task,
        },
        Done: { Type: 'Succeed' },
        ...handlers,
      },
    };
    machines += 1;
    const out = await sfn.send(
      new CreateStateMachineCommand({
        name: `callback-${machines}`,
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      }),
    );
    return String(out.stateMachineArn);
  }

  async function start(stateMachineArn: string, input: unknown = { request: 'r-1' }): Promise<string> {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
    return String(out.executionArn);
  }

  /** The token of the `nth` (0-based) callback task of an execution, once its function has it. */
  async function tokenOf(executionArn: string, nth = 0): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const mine = calls.filter((c) => c.context.Execution.Id === executionArn);
      const call = mine[nth];
      if (call) return call.taskToken;
      if (Date.now() > deadline) throw new Error(`no callback task of ${executionArn} invoked the approver`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  async function waitUntilDone(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const d = await describe(executionArn);
      if (d.status !== 'RUNNING') return d;
      if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function history(executionArn: string): Promise<HistoryEvent[]> {
    return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
  }

  /** Advances the sandbox clock through its control API (`POST /_sandbox/clock`). */
  async function advance(seconds: number): Promise<void> {
    const res = await fetch(`${sb.endpoint}/_sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: seconds }),
    });
    expect(res.status).toBe(200);
  }

  /** Real time for a waiting task to look at its token and the clock again (it does every 100 ms). */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  async function errorName(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (err) {
      return (err as Error).name;
    }
    throw new Error('the call succeeded');
  }

  const success = (taskToken: string, output = '{"approved":true}') =>
    sfn.send(new SendTaskSuccessCommand({ taskToken, output }));

  it('hands the function a fresh token in $$.Task.Token and resumes with the SendTaskSuccess output', async () => {
    const executionArn = await start(await machine({ TimeoutSeconds: DAY }));
    const token = await tokenOf(executionArn);
    const call = calls.find((c) => c.taskToken === token);
    expect(call?.note).toBe(`token ${token}`);
    expect(call?.context.Task.Token).toBe(token);

    await success(token, '{"approved":true,"by":"alice"}');
    const done = await waitUntilDone(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(done.output))).toEqual({ request: 'r-1', answer: { approved: true, by: 'alice' } });
    const events = await history(executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: 'eu-west-1',
      timeoutInSeconds: DAY,
    });
    expect(JSON.parse(String(scheduled?.parameters)).Payload.taskToken).toBe(token);
    expect(events.find((e) => e.type === 'TaskSubmitted')?.taskSubmittedEventDetails).toMatchObject({
      resource: 'invoke.waitForTaskToken',
      output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: { announced: true }, StatusCode: 200 }),
    });
    expect(events.find((e) => e.type === 'TaskSucceeded')?.taskSucceededEventDetails?.output).toBe(
      '{"approved":true,"by":"alice"}',
    );
  });

  it('fails the task with the SendTaskFailure error, which a Catch matches by name', async () => {
    const executionArn = await start(
      await machine({
        Catch: [
          { ErrorEquals: ['Vendguard.RequestRejected'], ResultPath: '$.error', Next: 'Rejected' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'OtherFailure' },
        ],
      }),
    );
    const token = await tokenOf(executionArn);

    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'Vendguard.RequestRejected', cause: 'no budget' }),
    );
    const done = await waitUntilDone(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(done.output)).error).toEqual({ Error: 'Vendguard.RequestRejected', Cause: 'no budget' });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'Vendguard.RequestRejected',
      cause: 'no budget',
    });
    expect(events.map((e) => e.type)).toContain('PassStateEntered');
  });

  it('fails the task with null error and cause for a SendTaskFailure that gives neither', async () => {
    const caught = await start(
      await machine({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rejected' }] }),
    );
    const uncaught = await start(await machine());

    await sfn.send(new SendTaskFailureCommand({ taskToken: await tokenOf(caught) }));
    await sfn.send(new SendTaskFailureCommand({ taskToken: await tokenOf(uncaught) }));

    expect(JSON.parse(String((await waitUntilDone(caught)).output)).error).toEqual({ Error: null, Cause: null });
    const failed = await waitUntilDone(uncaught);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBeUndefined();
    expect(failed.cause).toBeUndefined();
    expect((await history(uncaught)).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
    });
  });

  it('answers a token whose task is over with TaskTimedOut, as AWS does for a token used twice', async () => {
    const executionArn = await start(await machine());
    const token = await tokenOf(executionArn);
    await success(token);
    await waitUntilDone(executionArn);

    expect(await errorName(success(token))).toBe('TaskTimedOut');
    expect(await errorName(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Late' })))).toBe(
      'TaskTimedOut',
    );
    expect(await errorName(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe('TaskTimedOut');
  });

  it('refuses output that is not JSON, malformed tokens and unknown tokens with AWS errors', async () => {
    const executionArn = await start(await machine());
    const token = await tokenOf(executionArn);

    expect(await errorName(success(token, '{"approved":'))).toBe('InvalidOutput');
    expect(await errorName(success('not-a-sandbox-token'))).toBe('InvalidToken');
    expect(await errorName(success('x'.repeat(2049)))).toBe('ValidationException');
    expect(await errorName(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'E'.repeat(257) })))).toBe(
      'ValidationException',
    );
    const neverIssued = token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await errorName(success(neverIssued))).toBe('TaskDoesNotExist');

    // none of it touched the task: the real answer still goes through
    await success(token);
    expect((await waitUntilDone(executionArn)).status).toBe('SUCCEEDED');
  });

  it('refuses a token of another account with TaskDoesNotExist', async () => {
    const executionArn = await start(await machine());
    const token = await tokenOf(executionArn);
    const other = sb.client(SFNClient, { accountId: sb.accountId('egress') });

    expect(await errorName(other.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe(
      'TaskDoesNotExist',
    );
    expect(await errorName(other.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe('TaskDoesNotExist');

    await success(token);
    expect((await waitUntilDone(executionArn)).status).toBe('SUCCEEDED');
  });

  it('times the task out with States.Timeout when the sandbox clock passes TimeoutSecondsPath', async () => {
    const executionArn = await start(
      await machine({
        TimeoutSecondsPath: '$.timeoutSeconds',
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'OtherFailure' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
        ],
      }),
      { request: 'r-1', timeoutSeconds: MONTH },
    );
    const token = await tokenOf(executionArn);

    await advance(MONTH - 3 * DAY);
    await settle();
    expect((await describe(executionArn)).status).toBe('RUNNING');
    await advance(3 * DAY + 1);
    const done = await waitUntilDone(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(done.output));
    expect(output.error).toEqual({ Error: 'States.Timeout', Cause: '' });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.timeoutInSeconds).toBe(MONTH);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
    });
    expect(events.find((e) => e.type === 'PassStateEntered')?.stateEnteredEventDetails?.name).toBe('TimedOut');
    expect(await errorName(success(token))).toBe('TaskTimedOut');
  });

  it('times the task out when no SendTaskHeartbeat comes within HeartbeatSeconds', async () => {
    const executionArn = await start(
      await machine({
        TimeoutSeconds: MONTH,
        HeartbeatSeconds: 3 * DAY,
        Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'TimedOut' }],
      }),
    );
    const token = await tokenOf(executionArn);

    await advance(2 * DAY);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await advance(2 * DAY);
    await settle();
    expect((await describe(executionArn)).status).toBe('RUNNING');
    await advance(DAY + 1);
    const done = await waitUntilDone(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(done.output)).error).toEqual({ Error: 'States.Timeout', Cause: '' });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      timeoutInSeconds: MONTH,
      heartbeatInSeconds: 3 * DAY,
    });
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails?.error).toBe('States.Timeout');
    expect(await errorName(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe('TaskTimedOut');
  });

  it('closes the token when the execution is stopped', async () => {
    const executionArn = await start(await machine());
    const token = await tokenOf(executionArn);

    await sfn.send(new StopExecutionCommand({ executionArn, cause: 'test' }));

    expect(await errorName(success(token))).toBe('TaskTimedOut');
    expect((await describe(executionArn)).status).toBe('ABORTED');
  });

  it('redrives an execution that timed out at a callback task with a new token', async () => {
    const executionArn = await start(await machine({ TimeoutSeconds: 3600 }));
    const first = await tokenOf(executionArn);
    await advance(3601);
    const failed = await waitUntilDone(executionArn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.Timeout', redriveStatus: 'REDRIVABLE' });
    expect(failed.cause).toBeUndefined();

    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const second = await tokenOf(executionArn, 1);

    expect(second).not.toBe(first);
    expect(await errorName(success(first))).toBe('TaskTimedOut');
    await success(second);
    expect(await waitUntilDone(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(2);
    expect(types.slice(types.indexOf('ExecutionRedriven'))).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
