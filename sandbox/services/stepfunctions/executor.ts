/**
 * Runs executions with aws-local-stepfunctions and records what happens: the interpreter's event
 * log becomes AWS history events and status changes in the store; Task states call the in-process
 * functions through {@link prepareDefinition}'s handlers, which record the `LambdaFunction*` /
 * `Task*` events themselves. A handler first yields one macrotask so the interpreter's queued
 * events (the `TaskStateEntered` before it) are recorded before its own, keeping history in order.
 */
import '../../core/polyfills';
import type { RunOptions, StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { assumedRolePrincipal } from '../../core/identity';
import type { SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { getFunctionRecord, invokeFunction, parseFunctionArn } from '../lambda/api';
import { runCallbackTask, type TaskTokens } from './callbacks';
import { TaskError } from './errors';
import { History, HistoryEventType, NOT_TRUNCATED } from './history';
import { type LocalHandlers, loadInterpreter, statesTimeoutError } from './interpreter';
import {
  type AslObject,
  type CallbackInput,
  evaluateReferencePath,
  functionNameOf,
  prepareDefinition,
  type RunHooks,
  type StateInfo,
  type TaskTarget,
  type WaitSpec,
} from './prepare';
import { type ExecutionRecord, ExecutionStatus, type Records } from './records';

type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];
type JsonInput = Parameters<StateMachine['run']>[0];

/** Error and cause of an execution the sandbox stopped by restarting. */
export const RESTART_ERROR = 'States.Runtime';
export const RESTART_CAUSE = 'sandbox restarted while the execution was running';

/** The synthetic first state of a redriven run (never recorded in history). */
const REDRIVE_START = 'VendguardSandboxRedriveStart';

/** The longest real delay a timer may get (Node's limit is 2^31-1 ms). */
const MAX_TIMER_MS = 2_000_000_000;

/** One run of an execution (the first, or one per redrive). */
interface Attempt {
  readonly executionArn: string;
  readonly controller: AbortController;
  abort: () => void;
  /** Set once the attempt is over, stopped or abandoned: nothing more is recorded. */
  closed: boolean;
}

function sleep(realMs: number, signal: AbortSignal): Promise<void> {
  const ms = Number.isFinite(realMs) ? Math.min(Math.max(0, realMs), MAX_TIMER_MS) : MAX_TIMER_MS;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `{ error, cause }` of a failed Lambda invocation, as Step Functions reports it. */
export function lambdaFailure(err: unknown): { error: string; cause: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const errorType = e.name || 'Error';
  const trace = (e.stack ?? '').split('\n').filter((line) => line.length > 0);
  return { error: errorType, cause: JSON.stringify({ errorType, errorMessage: e.message, trace }) };
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/** Starts, stops and tracks the running attempts of executions. */
export class Executor {
  private readonly attempts = new Map<string, Attempt>();
  private readonly history: History;

  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly records: Records,
    private readonly tokens: TaskTokens,
  ) {
    this.history = new History(runtime.store, runtime.clock);
  }

  /** Whether an execution has an attempt running in this process. */
  isRunning(executionArn: string): boolean {
    return this.attempts.has(executionArn);
  }

  /**
   * Runs an execution from `startAt` (default: the definition's `StartAt`) with `input` (default:
   * the execution input). The execution record must be RUNNING already.
   */
  launch(record: ExecutionRecord, resume?: { startAt: string; input: unknown }): void {
    try {
      this.run(record, resume);
    } catch (err) {
      this.finish(record.executionArn, ExecutionStatus.Failed, {
        error: 'States.Runtime',
        cause: `The sandbox could not run the execution: ${(err as Error).message}`,
      });
    }
  }

  private run(record: ExecutionRecord, resume?: { startAt: string; input: unknown }): void {
    const controller = new AbortController();
    const attempt: Attempt = { executionArn: record.executionArn, controller, abort: () => {}, closed: false };
    const parsed = JSON.parse(record.definition) as AslObject;
    const input = JSON.parse(record.input) as unknown;
    const context = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: record.roleArn,
        StartTime: new Date(record.startDate).toISOString(),
        RedriveCount: record.redriveCount,
        ...(record.redriveDate !== undefined ? { RedriveTime: new Date(record.redriveDate).toISOString() } : {}),
      },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineArn.split(':').pop() ?? '' },
    };
    const prepared = prepareDefinition(parsed, this.runtime.clock, this.hooks(attempt, context));
    // A redrive starts at a synthetic Pass state that hands the resumed state its recorded input,
    // so the interpreter still sees the execution input (`$$.Execution.Input`) as AWS keeps it.
    const definition = resume
      ? {
          ...prepared.definition,
          StartAt: REDRIVE_START,
          States: {
            [REDRIVE_START]: { Type: 'Pass', Result: resume.input ?? null, Next: resume.startAt },
            ...(prepared.definition.States as AslObject),
          },
        }
      : prepared.definition;
    const machine = new (loadInterpreter().StateMachine)(definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const run = machine.run(input as JsonInput, {
      overrides: { taskResourceLocalHandlers: prepared.handlers as unknown as LocalHandlers },
      noThrowOnAbort: true,
      context: context as NonNullable<RunOptions['context']>,
    });
    attempt.abort = run.abort;
    this.attempts.set(record.executionArn, attempt);
    const consume = (async () => {
      for await (const event of run.eventLogs) {
        if (attempt.closed) break;
        this.record(attempt, event, prepared.states);
      }
    })();
    const done = Promise.allSettled([run.result, consume]).then(() => {
      attempt.closed = true;
      controller.abort();
      if (this.attempts.get(record.executionArn) === attempt) this.attempts.delete(record.executionArn);
    });
    this.runtime.track(done);
  }

  /** Stops a running attempt; the caller records the outcome. */
  stop(executionArn: string): void {
    const attempt = this.attempts.get(executionArn);
    if (!attempt) return;
    attempt.closed = true;
    attempt.controller.abort();
    attempt.abort();
    this.attempts.delete(executionArn);
  }

  /** Abandons every attempt (sandbox shutdown): their executions stay RUNNING in the store. */
  shutdown(): void {
    for (const arn of [...this.attempts.keys()]) this.stop(arn);
  }

  /** Marks an execution finished (status, output or error) and appends the closing event. */
  finish(
    executionArn: string,
    status: ExecutionStatus,
    result: { output?: string; error?: string; cause?: string },
  ): ExecutionRecord | undefined {
    const stopDate = this.runtime.clock.nowMs();
    const updated = this.records.updateExecution(executionArn, (current) => {
      if (current.status !== ExecutionStatus.Running) return current;
      return { ...current, status, stopDate, ...result };
    });
    if (!updated || updated.stopDate !== stopDate) return updated;
    const type = {
      [ExecutionStatus.Succeeded]: HistoryEventType.ExecutionSucceeded,
      [ExecutionStatus.Failed]: HistoryEventType.ExecutionFailed,
      [ExecutionStatus.Aborted]: HistoryEventType.ExecutionAborted,
      [ExecutionStatus.TimedOut]: HistoryEventType.ExecutionTimedOut,
      [ExecutionStatus.Running]: undefined,
    }[status];
    if (!type) return updated;
    const details =
      status === ExecutionStatus.Succeeded
        ? { output: result.output ?? 'null', outputDetails: NOT_TRUNCATED }
        : {
            ...(result.error !== undefined ? { error: result.error } : {}),
            ...(result.cause !== undefined ? { cause: result.cause } : {}),
          };
    this.history.append(executionArn, type, details);
    return updated;
  }

  /** Maps one interpreter event to history and status. */
  private record(attempt: Attempt, event: EventLog, states: ReadonlyMap<string, StateInfo>): void {
    const arn = attempt.executionArn;
    if ('state' in event && event.state.name === REDRIVE_START) return;
    switch (event.type) {
      case 'StateEntered': {
        const info = states.get(event.state.name);
        const type = info?.type ?? event.state.type;
        this.history.append(arn, `${type}StateEntered`, {
          name: event.state.name,
          input: json(event.state.input),
          inputDetails: NOT_TRUNCATED,
        });
        if (info?.topLevel) {
          this.records.updateExecution(arn, (current) => ({
            ...current,
            resumeFrom: { name: event.state.name, input: event.state.input },
          }));
        }
        return;
      }
      case 'StateExited': {
        const type = states.get(event.state.name)?.type ?? event.state.type;
        this.history.append(arn, `${type}StateExited`, {
          name: event.state.name,
          output: json(event.state.output),
          outputDetails: NOT_TRUNCATED,
        });
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.history.append(arn, event.type, { name: event.parentState.name, index: event.index });
        return;
      case 'ExecutionSucceeded':
        this.finish(arn, ExecutionStatus.Succeeded, { output: json(event.output) });
        return;
      case 'ExecutionFailed': {
        // a SendTaskFailure without error or cause leaves them null; AWS leaves out an empty cause
        // (a task's States.Timeout)
        const cause: unknown = event.Cause;
        this.finish(arn, ExecutionStatus.Failed, {
          ...(event.Error != null ? { error: event.Error } : {}),
          ...(cause != null && cause !== '' ? { cause: typeof cause === 'string' ? cause : json(cause) } : {}),
        });
        return;
      }
      case 'ExecutionTimeout':
        attempt.controller.abort();
        this.finish(arn, ExecutionStatus.TimedOut, {
          error: 'States.Timeout',
          cause: 'The execution ran longer than its TimeoutSeconds',
        });
        return;
      default:
        // ExecutionStarted is recorded by StartExecution/RedriveExecution, ExecutionAborted by
        // StopExecution; retries, catches and branch events have no AWS history event.
        return;
    }
  }

  private hooks(attempt: Attempt, context: unknown): RunHooks {
    const { runtime } = this;
    return {
      executionStartTime: (context as { Execution: { StartTime: string } }).Execution.StartTime,
      task: async (stateName: string, target: TaskTarget, input: unknown) => {
        await nextMacrotask();
        if (attempt.closed)
          throw new TaskError('States.Runtime', 'the execution is no longer running', { terminal: true });
        return this.runTask(attempt, stateName, target, input);
      },
      wait: async (stateName: string, spec: WaitSpec, input: unknown) => {
        const simulatedMs = waitMs(stateName, spec, input, context, runtime.clock.nowMs());
        // a Wait state is a modelled wait: the clock runs compressed while it lasts
        runtime.clock.holdUntil(runtime.clock.nowMs() + simulatedMs);
        await sleep(runtime.clock.toRealMs(simulatedMs), attempt.controller.signal);
      },
    };
  }

  private async runTask(attempt: Attempt, stateName: string, target: TaskTarget, input: unknown): Promise<unknown> {
    const arn = attempt.executionArn;
    const region = parseRegion(arn);
    if (target.kind === 'unsupported') {
      throw new TaskError(
        'States.Runtime',
        `The sandbox cannot run the resource '${target.resource}' of state '${stateName}'`,
        { terminal: true },
      );
    }
    if (target.kind === 'function') {
      this.history.append(arn, HistoryEventType.LambdaFunctionScheduled, {
        resource: target.functionArn,
        input: json(input),
        inputDetails: NOT_TRUNCATED,
      });
      this.history.append(arn, HistoryEventType.LambdaFunctionStarted);
      try {
        const output = (await this.invoke(attempt, target.functionName, input, target.functionArn)) ?? null;
        if (!attempt.closed) {
          this.history.append(arn, HistoryEventType.LambdaFunctionSucceeded, {
            output: json(output),
            outputDetails: NOT_TRUNCATED,
          });
        }
        return output;
      } catch (err) {
        const failure = err instanceof TaskError ? { error: err.name, cause: err.message } : lambdaFailure(err);
        if (!attempt.closed) this.history.append(arn, HistoryEventType.LambdaFunctionFailed, failure);
        throw new TaskError(failure.error, failure.cause);
      }
    }
    if (target.kind === 'lambdaCallback') {
      // arn:aws:states:::lambda:invoke.waitForTaskToken — the input is prepare's CallbackInput.
      return runCallbackTask(this.tokens, this.history, {
        executionArn: arn,
        stateName,
        input: (input ?? {}) as CallbackInput,
        signal: attempt.controller.signal,
        closed: () => attempt.closed || attempt.controller.signal.aborted,
        invoke: (params) => this.lambdaInvoke(attempt, stateName, target.functionName, params),
        timeoutError: statesTimeoutError,
      });
    }
    // arn:aws:states:::lambda:invoke — the input is the evaluated Parameters.
    const params = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const base = { resourceType: 'lambda', resource: 'invoke' };
    this.history.append(arn, HistoryEventType.TaskScheduled, { ...base, region, parameters: json(params) });
    this.history.append(arn, HistoryEventType.TaskStarted, base);
    try {
      const output = await this.lambdaInvoke(attempt, stateName, target.functionName, params);
      if (!attempt.closed) {
        this.history.append(arn, HistoryEventType.TaskSucceeded, {
          ...base,
          output: json(output),
          outputDetails: NOT_TRUNCATED,
        });
      }
      return output;
    } catch (err) {
      const failure = { error: (err as Error).name, cause: (err as Error).message };
      if (!attempt.closed) this.history.append(arn, HistoryEventType.TaskFailed, { ...base, ...failure });
      throw err;
    }
  }

  /**
   * Invokes the function of `lambda:invoke` Parameters (`FunctionName`, `Payload`): resolves to
   * `{ ExecutedVersion, Payload, StatusCode }`, rejects with the task's error as Step Functions names it.
   */
  private async lambdaInvoke(
    attempt: Attempt,
    stateName: string,
    targetFunctionName: string | undefined,
    params: Record<string, unknown>,
  ): Promise<unknown> {
    const arn = attempt.executionArn;
    const functionName =
      typeof params.FunctionName === 'string' ? functionNameOf(params.FunctionName) : targetFunctionName;
    try {
      if (!functionName) throw new TaskError('States.Runtime', `state '${stateName}' names no FunctionName`);
      const functionArn =
        typeof params.FunctionName === 'string' && params.FunctionName.startsWith('arn:')
          ? params.FunctionName
          : `arn:aws:lambda:${parseRegion(arn)}:${arn.split(':')[4] ?? ''}:function:${functionName}`;
      const payload = (await this.invoke(attempt, functionName, params.Payload ?? {}, functionArn)) ?? null;
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    } catch (err) {
      const failure = err instanceof TaskError ? { error: err.name, cause: err.message } : lambdaFailure(err);
      throw new TaskError(failure.error, failure.cause);
    }
  }

  /**
   * Invokes a function, after any fault configured for `lambda`/`Invoke` (e.g. `Lambda.ServiceException`).
   * A function deployed through the Lambda API is invoked through it, as the execution's role (whose
   * policies must allow `lambda:InvokeFunction`); the sandbox's hand-wired hub functions run by
   * manifest name.
   */
  private async invoke(attempt: Attempt, functionName: string, event: unknown, functionArn?: string): Promise<unknown> {
    const fault = this.runtime.fault('lambda', 'Invoke');
    if (fault?.error) {
      const code = fault.error.code.startsWith('Lambda.') ? fault.error.code : `Lambda.${fault.error.code}`;
      throw new TaskError(code, fault.error.message);
    }
    const deployed = functionArn ? parseFunctionArn(functionArn) : undefined;
    if (deployed && getFunctionRecord(this.runtime, deployed, deployed.name)) {
      return this.invokeDeployed(attempt, functionArn as string, event);
    }
    try {
      return await this.runtime.functions.invoke(functionName, event);
    } catch (err) {
      // Lambda refused the invocation (no such function, throttled): Step Functions names it Lambda.<code>
      if (err instanceof AwsServiceError) throw new TaskError(`Lambda.${err.code}`, err.message);
      throw err;
    }
  }

  private async invokeDeployed(attempt: Attempt, functionArn: string, event: unknown): Promise<unknown> {
    const execution = this.records.execution(attempt.executionArn);
    const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(execution?.roleArn ?? '');
    if (!execution || !role)
      throw new TaskError('States.Runtime', `execution ${attempt.executionArn} has no role to invoke with`);
    const principal = {
      ...assumedRolePrincipal(role[1] as string, role[2] as string, execution.name),
      accessKeyId: '',
    };
    let result: Awaited<ReturnType<typeof invokeFunction>>;
    try {
      result = await invokeFunction(this.runtime, functionArn, JSON.stringify(event ?? null), {
        invocationType: 'RequestResponse',
        principal,
      });
    } catch (error) {
      if (error instanceof AwsServiceError) throw new TaskError(`Lambda.${error.code}`, error.message);
      throw error;
    }
    const payload = result.payload ? (JSON.parse(result.payload) as unknown) : null;
    if (result.functionError) {
      const failure = (payload ?? {}) as { errorType?: string };
      throw new TaskError(failure.errorType ?? 'Lambda.Unknown', result.payload ?? '');
    }
    return payload;
  }
}

function parseRegion(executionArn: string): string {
  return executionArn.split(':')[3] ?? '';
}

/**
 * The simulated milliseconds a Wait state waits: `Seconds`, `SecondsPath` (a non-negative
 * integer), `Timestamp` or `TimestampPath` (an RFC 3339 time, compared with simulated now).
 */
export function waitMs(stateName: string, spec: WaitSpec, input: unknown, context: unknown, nowMs: number): number {
  if (spec.Seconds !== undefined) return spec.Seconds * 1000;
  if (spec.SecondsPath !== undefined) {
    const seconds = evaluateReferencePath(spec.SecondsPath, input, context);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new TaskError(
        'States.Runtime',
        `The SecondsPath parameter of state '${stateName}' does not reference a non-negative integer: ${spec.SecondsPath} is ${json(seconds)}`,
        { terminal: true },
      );
    }
    return seconds * 1000;
  }
  const timestamp =
    spec.Timestamp ??
    (spec.TimestampPath !== undefined ? evaluateReferencePath(spec.TimestampPath, input, context) : undefined);
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new TaskError(
      'States.Runtime',
      `The TimestampPath parameter of state '${stateName}' does not reference a valid timestamp: ${json(timestamp)}`,
      { terminal: true },
    );
  }
  return Math.max(0, at - nowMs);
}
