import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PROJECT_ROOT } from '../../../config/load';
import { fillPlaceholders } from '../../../sandbox/services/stepfunctions/definitions';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'asl');
const ROLE = 'arn:aws:iam::100000000001:role/test-state-machine';

/** Fixture text with `${<Name>FunctionArn}` filled with the sandbox's ARN of function `<name>`. */
function fixture(sb: TestSandbox, file: string): string {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const subs: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Za-z]+)FunctionArn\}/g)) {
    subs[`${m[1]}FunctionArn`] = sb.runtime.functions.functionArn(String(m[1]).toLowerCase());
  }
  return fillPlaceholders(text, subs);
}

async function waitUntilDone(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The error name an SDK call rejects with. */
async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).name;
  }
  throw new Error('the call succeeded');
}

describe('sandbox Step Functions through @aws-sdk/client-sfn', () => {
  const home = mkdtempSync(join(tmpdir(), 'vendguard-sfn-'));
  let sb: TestSandbox;
  let sfn: SFNClient;
  const calls: string[] = [];
  let secondFails = true;

  const fakeFunctions = (target: TestSandbox) =>
    jest.spyOn(target.runtime.functions, 'invoke').mockImplementation(async (name: string, event: unknown) => {
      calls.push(name);
      if (name === 'second' && secondFails)
        throw Object.assign(new Error('downstream unavailable'), { name: 'TransientError' });
      return { from: name, saw: event };
    });

  beforeAll(async () => {
    sb = await startTestSandbox({ home });
    fakeFunctions(sb);
    sfn = sb.client(SFNClient);
  });

  afterAll(async () => {
    await sb.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('loads the state machines of statemachines/ on start', async () => {
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((s) => s.stateMachineArn)).toContain(
      'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending',
    );
  });

  it('runs an execution, fails it with a named function error, and redrives it from the failed state', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'three-steps',
        definition: fixture(sb, 'three-steps.asl.json'),
        roleArn: ROLE,
      }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{"id":"r-1"}' }),
    );

    const failed = await waitUntilDone(sfn, String(executionArn));
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'TransientError',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{}' })))).toBe(
      'ExecutionAlreadyExists',
    );

    secondFails = false;
    const { redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriveDate).toBeInstanceOf(Date);
    const done = await waitUntilDone(sfn, String(executionArn));

    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(calls.filter((c) => c === 'first')).toHaveLength(1);
    expect(calls.filter((c) => c === 'second')).toHaveLength(2);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted' });
    expect(events?.map((e) => e.type)).toContain('ExecutionRedriven');
    expect(events?.find((e) => e.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails?.error).toBe(
      'TransientError',
    );
    expect(await errorName(sfn.send(new RedriveExecutionCommand({ executionArn })))).toBe('ExecutionNotRedrivable');
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'REDRIVEN' }));
    expect(executions?.map((e) => e.name)).toEqual(['run-1']);
  });

  it('sends the documented errors as named exceptions', async () => {
    const missing = 'arn:aws:states:eu-west-1:100000000001:stateMachine:nope';
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: missing })))).toBe(
      'StateMachineDoesNotExist',
    );
    expect(
      await errorName(
        sfn.send(
          new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"X","States":{}}', roleArn: ROLE }),
        ),
      ),
    ).toBe('InvalidDefinition');
  });

  it('stops an execution, and after a restart marks one left running FAILED and redrivable', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'long-wait',
        definition: fixture(sb, 'long-wait.asl.json'),
        roleArn: ROLE,
      }),
    );
    const stopped = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await sfn.send(new StopExecutionCommand({ executionArn: stopped.executionArn, cause: 'test' }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: stopped.executionArn }))).status).toBe(
      'ABORTED',
    );

    const left = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'left-running', input: '{}' }));
    await new Promise((r) => setTimeout(r, 50));
    await sb.stop();
    // Same home, a clock fast enough that the day-long wait takes a fraction of a second.
    sb = await startTestSandbox({ home, timeScale: 86_400 * 10 });
    fakeFunctions(sb);
    sfn = sb.client(SFNClient);

    const recovered = await sfn.send(new DescribeExecutionCommand({ executionArn: left.executionArn }));
    expect(recovered).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'sandbox restarted while the execution was running',
      redriveStatus: 'REDRIVABLE',
    });
    await sfn.send(new RedriveExecutionCommand({ executionArn: left.executionArn }));
    expect(await waitUntilDone(sfn, String(left.executionArn))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });
});
