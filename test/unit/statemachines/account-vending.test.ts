import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import validator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { VENDING_EXECUTION_TIMEOUT_HOURS } from '../../../config/schema';
import { FUNCTIONS } from '../../../functions/manifest';

type State = Record<string, unknown> & { Type: string };
type Definition = { Comment?: string; StartAt: string; States: Record<string, State> };

const path = join(__dirname, '..', '..', '..', 'statemachines', 'account-vending.asl.json');
const text = readFileSync(path, 'utf8');
const definition = JSON.parse(text) as Definition;
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');

const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** The step tasks: every Task but the failure path's own. */
const stepTasks = tasks.filter(([name]) => name !== 'AnnounceFailure' && name !== 'RaiseFailure');

function nextOf(state: State): string[] {
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const c of (state.Choices as { Next: string }[] | undefined) ?? []) out.push(c.Next);
  for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) out.push(c.Next);
  return out;
}

describe('statemachines/account-vending.asl.json', () => {
  it('is valid ASL with a Comment and PascalCase state names', () => {
    const result = validator(structuredClone(definition) as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(definition.Comment).toBeTruthy();
    for (const [name] of states) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });

  it('names every function with a placeholder of the manifest and nothing else', () => {
    const placeholders = new Set(
      FUNCTIONS.flatMap((f) => (f.trigger.kind === 'stateMachine' ? [`\${${f.trigger.placeholder}}`] : [])),
    );
    for (const [name, s] of tasks) {
      // a callback task names its function in Parameters; its Resource is the service integration
      const callback = s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken';
      const fn = callback ? (s.Parameters as { FunctionName?: string }).FunctionName : s.Resource;
      expect([name, placeholders.has(String(fn))]).toEqual([name, true]);
    }
    expect(text.replaceAll('arn:aws:states:::lambda:invoke.waitForTaskToken', '')).not.toMatch(/arn:aws:/);
    expect(text).not.toMatch(/\d{12}/);
  });

  it('waits for approval only when the plan says so, with the timeout from the plan, and fails a timeout by name', () => {
    const choice = definition.States.ApprovalNeeded as unknown as { Choices: { Next: string }[]; Default: string };
    expect(choice.Choices.map((c) => c.Next)).toEqual(['AwaitApproval']);
    expect(choice.Default).toBe('EnrollOrCreate');
    const wait = definition.States.AwaitApproval as Record<string, unknown>;
    expect(wait.TimeoutSecondsPath).toBe('$.plan.approval.timeoutSeconds');
    expect(JSON.stringify(wait.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    const catches = wait.Catch as { ErrorEquals: string[]; Next: string }[];
    expect(catches[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'ApprovalTimedOut' });
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(VENDING_EXECUTION_TIMEOUT_HOURS * 3600);
  });

  it('retries the transient Lambda errors on every Task, and TransientError on every step', () => {
    for (const [name, s] of tasks) {
      const retried = ((s.Retry as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap((r) => r.ErrorEquals);
      for (const e of LAMBDA_ERRORS) expect([name, retried.includes(e)]).toEqual([name, true]);
    }
    for (const [name, s] of stepTasks) {
      const retried = ((s.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap((r) => r.ErrorEquals);
      expect([name, retried.includes('TransientError')]).toEqual([name, true]);
    }
  });

  it('gives every Choice a Default', () => {
    const choices = states.filter(([, s]) => s.Type === 'Choice');
    expect(choices.length).toBeGreaterThanOrEqual(3);
    for (const [name, s] of choices) expect([name, typeof s.Default]).toEqual([name, 'string']);
  });

  it('catches every error of every step into a path that announces the failure, then fails', () => {
    for (const [name, s] of stepTasks) {
      const catchers = (s.Catch as { ErrorEquals: string[]; Next: string }[] | undefined) ?? [];
      const all = catchers.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect([name, all?.Next]).toEqual([name, `${name}Failed`]);
      // follow the path: <Step>Failed → AnnounceFailure → RaiseFailure
      const failed = definition.States[`${name}Failed`];
      expect(failed?.Next).toBe('AnnounceFailure');
    }
    expect(definition.States.AnnounceFailure?.Next).toBe('RaiseFailure');
    const raise = definition.States.RaiseFailure as State;
    // RaiseFailure does not catch the error it raises: the execution fails with it.
    const caught = ((raise.Catch as { ErrorEquals: string[] }[]) ?? []).flatMap((c) => c.ErrorEquals);
    expect(caught).not.toContain('States.ALL');
    const fail = definition.States.VendingFailed as State;
    expect(fail.Type).toBe('Fail');
    expect(fail.ErrorPath ?? fail.Error).toBeTruthy();
  });

  it('has every state reachable and every transition pointing to a state', () => {
    const seen = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length) {
      const name = queue.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const s = definition.States[name];
      expect([name, s !== undefined]).toEqual([name, true]);
      if (s) queue.push(...nextOf(s));
    }
    expect([...seen].sort()).toEqual(states.map(([n]) => n).sort());
  });

  it('waits with Wait states between status checks, never in a Lambda', () => {
    const waits = states.filter(([, s]) => s.Type === 'Wait').map(([n]) => n);
    expect(waits).toEqual(expect.arrayContaining(['WaitForAccount', 'WaitForBaseline']));
    expect(definition.States.WaitForAccount?.Next).toBe('CheckAccountStatus');
    expect(definition.States.WaitForBaseline?.Next).toBe('CheckBaseline');
  });
});

/** Scripted fakes of the functions, keyed by state name (the interpreter's task override). */
type Fake = (input: Record<string, unknown>, context: Record<string, unknown>) => unknown;

function run(fakes: Record<string, Fake>, context: Record<string, unknown> = {}, startAt?: string, input?: unknown) {
  const calls: string[] = [];
  const handlers: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {};
  for (const [name] of tasks) {
    handlers[name] = async (i) => {
      calls.push(name);
      const fake = fakes[name];
      return fake ? fake(i, context) : {};
    };
  }
  const def = structuredClone(definition);
  if (startAt) def.StartAt = startAt;
  const machine = new StateMachine(def as never, { validationOptions: { checkPaths: false } });
  const execution = machine.run((input ?? { request: { name: 'payments-prod' }, requestId: 'req-1' }) as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, 0])),
      retryIntervalOverrides: Object.fromEntries(tasks.map(([n]) => [n, 0])),
    },
    context: { Execution: { Id: 'arn:exec:req-1', Name: 'req-1', RedriveCount: 0, ...context } },
  });
  return { calls, result: execution.result };
}

const plan = { requestId: 'req-1', waits: { accountFirst: 30, account: 20, baselineFirst: 45, baseline: 20 } };

function happyFakes(): Record<string, Fake> {
  let checks = 0;
  let baselineChecks = 0;
  return {
    ValidateRequest: () => plan,
    CreateAccount: () => ({ createAccountRequestId: 'car-1', state: 'IN_PROGRESS', waitSeconds: 30, attempts: 1 }),
    CheckAccountStatus: (i) => {
      checks++;
      const account = i.account as Record<string, unknown>;
      return checks < 3
        ? { ...account, state: 'IN_PROGRESS' }
        : { ...account, state: 'SUCCEEDED', accountId: '123456789012' };
    },
    DeployBaseline: () => ({ status: 'RUNNING', operations: [], waitSeconds: 45, redriveCount: 0 }),
    CheckBaseline: () => {
      baselineChecks++;
      return { status: baselineChecks < 2 ? 'RUNNING' : 'SUCCEEDED', operations: [], waitSeconds: 20, redriveCount: 0 };
    },
    AnnounceSuccess: () => ({ accountId: '123456789012' }),
  };
}

describe('account-vending run on aws-local-stepfunctions', () => {
  it('runs every step in order, polling the account and the baseline until they are done', async () => {
    const { calls, result } = run(happyFakes());
    const output = (await result) as Record<string, unknown>;
    expect(calls).toEqual([
      'ValidateRequest',
      'CreateAccount',
      'CheckAccountStatus',
      'CheckAccountStatus',
      'CheckAccountStatus',
      'Quarantine',
      'MoveToOu',
      'TagAccount',
      'DeployBaseline',
      'CheckBaseline',
      'CheckBaseline',
      'ConnectNetwork',
      'AttachScps',
      'ReleaseQuarantine',
      'AnnounceSuccess',
    ]);
    expect((output.account as Record<string, unknown>).accountId).toBe('123456789012');
  });

  it('passes the governance action and the account id to the govern function', async () => {
    const seen: unknown[] = [];
    const fakes = happyFakes();
    for (const name of ['Quarantine', 'MoveToOu', 'TagAccount', 'AttachScps', 'ReleaseQuarantine']) {
      fakes[name] = (i) => {
        seen.push([i.action, i.accountId]);
        return {};
      };
    }
    await run(fakes).result;
    expect(seen).toEqual([
      ['quarantine', '123456789012'],
      ['move', '123456789012'],
      ['tag', '123456789012'],
      ['attach-scps', '123456789012'],
      ['release', '123456789012'],
    ]);
  });

  it('starts the creation again after a RETRY status', async () => {
    const fakes = happyFakes();
    let creates = 0;
    fakes.CreateAccount = () => ({
      createAccountRequestId: `car-${++creates}`,
      state: 'IN_PROGRESS',
      waitSeconds: 30,
      attempts: creates,
    });
    fakes.CheckAccountStatus = (i) => {
      const account = i.account as Record<string, unknown>;
      return account.createAccountRequestId === 'car-1'
        ? { ...account, state: 'RETRY', waitSeconds: 10 }
        : { ...account, state: 'SUCCEEDED', accountId: '123456789012' };
    };
    const { calls, result } = run(fakes);
    await result;
    expect(calls.filter((c) => c === 'CreateAccount')).toHaveLength(2);
  });

  it('waits and tries CreateAccount again while the organization has no free creation slot', async () => {
    const fakes = happyFakes();
    let creates = 0;
    fakes.CreateAccount = () =>
      ++creates < 3
        ? { state: 'QUEUED', waitSeconds: 20, attempts: 0, queued: creates }
        : { createAccountRequestId: 'car-1', state: 'IN_PROGRESS', waitSeconds: 30, attempts: 1 };
    const { calls, result } = run(fakes);
    await result;
    expect(calls.slice(0, 4)).toEqual(['ValidateRequest', 'CreateAccount', 'CreateAccount', 'CreateAccount']);
  });

  it('announces a failed step with its name and error, then fails with that error', async () => {
    const fakes = happyFakes();
    let announced: Record<string, unknown> | undefined;
    fakes.CheckBaseline = () => {
      const err = new Error(
        'baseline stack set vendguard-baseline-security failed in account 123456789012, region eu-west-1: boom',
      );
      err.name = 'BaselineDeploymentFailedError';
      throw err;
    };
    fakes.AnnounceFailure = (i) => {
      announced = i.state as Record<string, unknown>;
      return {};
    };
    fakes.RaiseFailure = (i) => {
      const state = i.state as { error: { Error: string; Cause: string } };
      const err = new Error(state.error.Cause);
      err.name = state.error.Error;
      throw err;
    };
    const { calls, result } = run(fakes);
    await expect(result).rejects.toMatchObject({
      cause: expect.objectContaining({ name: 'BaselineDeploymentFailedError' }),
    });
    expect(calls.slice(-3)).toEqual(['CheckBaseline', 'AnnounceFailure', 'RaiseFailure']);
    expect(announced?.failure).toEqual({ step: 'CheckBaseline', redriveCount: 0 });
    expect(announced?.error).toMatchObject({ Error: 'BaselineDeploymentFailedError' });
  });

  it('on redrive, RaiseFailure sends the execution back to the failed step', async () => {
    const fakes = happyFakes();
    fakes.RaiseFailure = () => ({ step: 'CheckBaseline' });
    const failedState = {
      request: { name: 'payments-prod' },
      requestId: 'req-1',
      plan,
      account: { accountId: '123456789012', state: 'SUCCEEDED' },
      baseline: { status: 'RUNNING', operations: [], waitSeconds: 20, redriveCount: 0 },
      failure: { step: 'CheckBaseline', redriveCount: 0 },
      error: { Error: 'BaselineDeploymentFailedError', Cause: 'boom' },
    };
    const { calls, result } = run(fakes, { RedriveCount: 1 }, 'RaiseFailure', failedState);
    await result;
    expect(calls).toEqual([
      'RaiseFailure',
      'CheckBaseline',
      'CheckBaseline',
      'ConnectNetwork',
      'AttachScps',
      'ReleaseQuarantine',
      'AnnounceSuccess',
    ]);
  });

  it('routes an account creation that reports FAILED to the failure path', async () => {
    const fakes = happyFakes();
    fakes.CheckAccountStatus = (i) => ({ ...(i.account as object), state: 'FAILED', failureReason: 'UNKNOWN' });
    fakes.RaiseFailure = () => {
      const err = new Error('x');
      err.name = 'AccountCreationFailedError';
      throw err;
    };
    const { calls, result } = run(fakes);
    await expect(result).rejects.toMatchObject({
      cause: expect.objectContaining({ name: 'AccountCreationFailedError' }),
    });
    expect(calls).toContain('AnnounceFailure');
    expect(calls).not.toContain('Quarantine');
  });
});
