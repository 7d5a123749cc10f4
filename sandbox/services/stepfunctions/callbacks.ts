/**
 * Callback tasks (`arn:aws:states:::lambda:invoke.waitForTaskToken`): the task tokens, kept in the
 * sandbox store so whichever process serves the API finds them, and the wait of a task for
 * `SendTaskSuccess`, `SendTaskFailure` or its timeout.
 *
 * A token is open while its task waits. It closes when the task is answered, times out, or its
 * execution attempt ends (stopped, timed out, restarted, redriven): AWS answers a closed token
 * with `TaskTimedOut`, and a token its caller's account and region never issued with
 * `TaskDoesNotExist`. Timeouts count on the sandbox clock; the wait announces no modelled wait (a
 * human answers in real time), so the timeout fires when simulated time reaches it, at whatever
 * pace the clock runs or is advanced.
 */
import type { Clock, SandboxRuntime, Store } from '../../core/types';
import { TaskDoesNotExist, TaskError, TaskTimedOut } from './errors';
import type { History } from './history';
import { HistoryEventType, NOT_TRUNCATED } from './history';
import { type CallbackInput, resolveContextReferences } from './prepare';
import { ExecutionStatus, type Records } from './records';

export const TASK_TOKENS = 'sfn-task-tokens';

export const TaskTokenStatus = {
  /** The task waits for an answer. */
  Waiting: 'WAITING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  /** The task ended without an answer (its execution attempt ended, or its Lambda invocation failed). */
  Closed: 'CLOSED',
} as const;
export type TaskTokenStatus = (typeof TaskTokenStatus)[keyof typeof TaskTokenStatus];

export interface TaskTokenRecord {
  readonly token: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly stateName: string;
  /** The execution's `redriveCount` when the token was issued: a redrive closes the tokens before it. */
  readonly redriveCount: number;
  readonly status: TaskTokenStatus;
  /** Simulated epoch ms. */
  readonly issuedAt: number;
  /** When the task times out (`TimeoutSeconds`), simulated epoch ms. */
  readonly timeoutAt?: number;
  readonly heartbeatSeconds?: number;
  /** When the task times out unless a heartbeat comes first (`HeartbeatSeconds`), simulated epoch ms. */
  readonly heartbeatAt?: number;
  /** `SendTaskSuccess` output (JSON text). */
  readonly output?: string;
  /** `SendTaskFailure` error and cause (absent when not given). */
  readonly error?: string;
  readonly cause?: string;
}

/** What an API call does with an open token. */
export type TaskAnswer =
  | { readonly kind: 'success'; readonly output: string }
  | { readonly kind: 'failure'; readonly error?: string; readonly cause?: string }
  | { readonly kind: 'heartbeat' };

/** Bytes of random in a token (base64url: 128 characters). */
const TOKEN_BYTES = 96;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{128}$/;
/** How often (real ms) a waiting task looks at its token and the clock; answers in this process wake it at once. */
const POLL_MS = 100;

/** Whether `token` has the shape of a token the sandbox issues (else AWS's `InvalidToken`). */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_FORMAT.test(token);
}

/** The task tokens of one sandbox (see the module comment). */
export class TaskTokens {
  /** Wakes the task waiting on a token in this process. */
  private readonly wakers = new Map<string, () => void>();
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly records: Records,
  ) {
    this.store = runtime.store;
    this.clock = runtime.clock;
  }

  /** Issues a token for a task of a running execution, drawn from the sandbox's seeded generator. */
  issue(spec: {
    executionArn: string;
    stateName: string;
    timeoutSeconds?: number;
    heartbeatSeconds?: number;
  }): TaskTokenRecord {
    const execution = this.records.execution(spec.executionArn);
    if (!execution) {
      throw new TaskError('States.Runtime', `execution ${spec.executionArn} does not exist`, { terminal: true });
    }
    const [, , , region = '', accountId = ''] = spec.executionArn.split(':');
    const now = this.clock.nowMs();
    for (;;) {
      const bytes = Buffer.from(Array.from({ length: TOKEN_BYTES }, () => Math.floor(this.runtime.random() * 256)));
      const record: TaskTokenRecord = {
        token: bytes.toString('base64url'),
        executionArn: spec.executionArn,
        stateMachineArn: execution.stateMachineArn,
        accountId,
        region,
        stateName: spec.stateName,
        redriveCount: execution.redriveCount,
        status: TaskTokenStatus.Waiting,
        issuedAt: now,
        ...(spec.timeoutSeconds !== undefined ? { timeoutAt: now + spec.timeoutSeconds * 1000 } : {}),
        ...(spec.heartbeatSeconds !== undefined
          ? { heartbeatSeconds: spec.heartbeatSeconds, heartbeatAt: now + spec.heartbeatSeconds * 1000 }
          : {}),
      };
      if (this.store.insert(TASK_TOKENS, record.token, record)) return record;
    }
  }

  /** The token as its caller's account and region see it (a token of another account is undefined). */
  find(token: string, accountId: string, region: string): TaskTokenRecord | undefined {
    const record = this.store.get<TaskTokenRecord>(TASK_TOKENS, token);
    return record && record.accountId === accountId && record.region === region ? record : undefined;
  }

  /**
   * Applies `SendTaskSuccess`, `SendTaskFailure` or `SendTaskHeartbeat` to an open token of the
   * caller's account and region; `TaskDoesNotExist` for another token, `TaskTimedOut` for a closed one.
   */
  answer(token: string, accountId: string, region: string, answer: TaskAnswer): void {
    const outcome = this.store.transaction((): 'unknown' | 'closed' | 'done' => {
      const found = this.find(token, accountId, region);
      if (!found) return 'unknown';
      const record = this.settle(found);
      if (record.status !== TaskTokenStatus.Waiting) return 'closed';
      const next: TaskTokenRecord =
        answer.kind === 'success'
          ? { ...record, status: TaskTokenStatus.Succeeded, output: answer.output }
          : answer.kind === 'failure'
            ? {
                ...record,
                status: TaskTokenStatus.Failed,
                ...(answer.error !== undefined ? { error: answer.error } : {}),
                ...(answer.cause !== undefined ? { cause: answer.cause } : {}),
              }
            : record.heartbeatSeconds !== undefined
              ? { ...record, heartbeatAt: this.clock.nowMs() + record.heartbeatSeconds * 1000 }
              : record;
      if (next !== record) this.store.put(TASK_TOKENS, token, next);
      return 'done';
    });
    if (outcome === 'unknown') throw new TaskDoesNotExist();
    if (outcome === 'closed') throw new TaskTimedOut();
    if (answer.kind !== 'heartbeat') this.wakers.get(token)?.();
  }

  /** Closes an open token (its task ended without an answer). */
  close(token: string): void {
    this.store.transaction(() => {
      const record = this.store.get<TaskTokenRecord>(TASK_TOKENS, token);
      if (record?.status === TaskTokenStatus.Waiting) {
        this.store.put(TASK_TOKENS, token, { ...record, status: TaskTokenStatus.Closed });
      }
    });
  }

  /**
   * Waits until the token is answered or times out (its record then says which), or `signal`
   * aborts (the token is then closed).
   */
  async wait(token: string, signal: AbortSignal): Promise<TaskTokenRecord> {
    for (;;) {
      if (signal.aborted) this.close(token);
      const record = this.store.transaction(() => {
        const stored = this.store.get<TaskTokenRecord>(TASK_TOKENS, token);
        return stored && this.settle(stored);
      });
      if (!record) throw new TaskError('States.Runtime', 'the task token was lost', { terminal: true });
      if (record.status !== TaskTokenStatus.Waiting) return record;
      const due = Math.min(
        record.timeoutAt ?? Number.POSITIVE_INFINITY,
        record.heartbeatAt ?? Number.POSITIVE_INFINITY,
      );
      const realMs = Number.isFinite(due) ? this.clock.toRealMs(due - this.clock.nowMs()) : POLL_MS;
      await this.pause(token, Math.min(POLL_MS, Math.max(1, realMs)), signal);
    }
  }

  /**
   * The token as it stands now (inside a transaction): still open only while its execution runs the
   * attempt that issued it and no timeout has passed; a change is stored.
   */
  private settle(record: TaskTokenRecord): TaskTokenRecord {
    if (record.status !== TaskTokenStatus.Waiting) return record;
    const execution = this.records.execution(record.executionArn);
    let status: TaskTokenStatus = TaskTokenStatus.Waiting;
    if (!execution || execution.status !== ExecutionStatus.Running || execution.redriveCount !== record.redriveCount) {
      status = TaskTokenStatus.Closed;
    } else {
      const now = this.clock.nowMs();
      if (
        (record.timeoutAt !== undefined && now >= record.timeoutAt) ||
        (record.heartbeatAt !== undefined && now >= record.heartbeatAt)
      ) {
        status = TaskTokenStatus.TimedOut;
      }
    }
    if (status === TaskTokenStatus.Waiting) return record;
    const next = { ...record, status };
    this.store.put(TASK_TOKENS, record.token, next);
    return next;
  }

  private pause(token: string, realMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wakers.get(token) === done) this.wakers.delete(token);
        resolve();
      };
      const timer = setTimeout(done, realMs);
      signal.addEventListener('abort', done, { once: true });
      this.wakers.set(token, done);
    });
  }
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/**
 * A callback task's Parameters with the token in: each `$$` reference evaluated against the context
 * object with `Task.Token`, and the token placeholder replaced in every string.
 */
export function resolveCallbackParameters(
  stateName: string,
  template: unknown,
  context: unknown,
  token: string,
): unknown {
  const withTask = { ...(context !== null && typeof context === 'object' ? context : {}), Task: { Token: token } };
  return resolveContextReferences(stateName, template, withTask, token);
}

/** `TimeoutSeconds` / `HeartbeatSeconds` of a callback task: a positive integer, or absent. */
function positiveSeconds(stateName: string, field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new TaskError(
    'States.Runtime',
    `The ${field} of state '${stateName}' is not a positive integer: ${json(value)}`,
    { terminal: true },
  );
}

/**
 * The error of a `SendTaskFailure`; without `error` or `cause` they are null, as AWS hands a Catch
 * `{"Error": null, "Cause": null}`.
 */
export function callbackFailure(error: string | undefined, cause: string | undefined): TaskError {
  const err = new TaskError(error ?? '', cause ?? '');
  if (error === undefined) Object.defineProperty(err, 'name', { value: null });
  if (cause === undefined) Object.defineProperty(err, 'message', { value: null });
  return err;
}

/** What a callback task needs from the executor's attempt. */
export interface CallbackRun {
  readonly executionArn: string;
  readonly stateName: string;
  readonly input: CallbackInput;
  /** Aborts when the attempt ends (stopped, execution timeout, shutdown). */
  readonly signal: AbortSignal;
  /** Whether the attempt is over: nothing more is recorded. */
  closed(): boolean;
  /** Invokes the function with the resolved Parameters; rejects with the task's `TaskError`. */
  invoke(parameters: Record<string, unknown>): Promise<unknown>;
  /** A new `States.Timeout` error as the interpreter's own (so `States.TaskFailed` does not match it). */
  timeoutError(): Promise<Error>;
}

const CALLBACK_RESOURCE = { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' } as const;

/**
 * Runs a `lambda:invoke.waitForTaskToken` task: issues a token, evaluates the Parameters with it,
 * invokes the function (its result only goes to `TaskSubmitted`), then waits for the answer or the
 * timeout. History: `TaskScheduled`, `TaskStarted`, `TaskSubmitted`, then `TaskSucceeded`,
 * `TaskFailed` or `TaskTimedOut` (error `States.Timeout`, for a missed heartbeat too).
 */
export async function runCallbackTask(tokens: TaskTokens, history: History, run: CallbackRun): Promise<unknown> {
  const arn = run.executionArn;
  const region = arn.split(':')[3] ?? '';
  const timeoutSeconds = positiveSeconds(run.stateName, 'TimeoutSeconds', run.input.timeoutSeconds);
  const heartbeatSeconds = positiveSeconds(run.stateName, 'HeartbeatSeconds', run.input.heartbeatSeconds);
  const issued = tokens.issue({
    executionArn: arn,
    stateName: run.stateName,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
  });
  const ended = (): never => {
    tokens.close(issued.token);
    throw new TaskError('States.Runtime', 'the execution is no longer running', { terminal: true });
  };
  let parameters: unknown;
  try {
    parameters = resolveCallbackParameters(run.stateName, run.input.parameters, run.input.context, issued.token);
  } catch (err) {
    tokens.close(issued.token);
    throw err;
  }
  const params = (parameters !== null && typeof parameters === 'object' ? parameters : {}) as Record<string, unknown>;
  history.append(arn, HistoryEventType.TaskScheduled, {
    ...CALLBACK_RESOURCE,
    region,
    parameters: json(params),
    ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
    ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
  });
  history.append(arn, HistoryEventType.TaskStarted, CALLBACK_RESOURCE);
  let submitted: unknown;
  try {
    submitted = await run.invoke(params);
  } catch (err) {
    tokens.close(issued.token);
    if (!run.closed() && err instanceof TaskError) {
      history.append(arn, HistoryEventType.TaskFailed, { ...CALLBACK_RESOURCE, error: err.name, cause: err.message });
    }
    throw err;
  }
  if (run.closed()) return ended();
  history.append(arn, HistoryEventType.TaskSubmitted, {
    ...CALLBACK_RESOURCE,
    output: json(submitted),
    outputDetails: NOT_TRUNCATED,
  });
  const outcome = await tokens.wait(issued.token, run.signal);
  if (run.closed() || outcome.status === TaskTokenStatus.Closed) return ended();
  if (outcome.status === TaskTokenStatus.Succeeded) {
    const output = outcome.output ?? 'null';
    history.append(arn, HistoryEventType.TaskSucceeded, { ...CALLBACK_RESOURCE, output, outputDetails: NOT_TRUNCATED });
    return JSON.parse(output) as unknown;
  }
  if (outcome.status === TaskTokenStatus.Failed) {
    history.append(arn, HistoryEventType.TaskFailed, {
      ...CALLBACK_RESOURCE,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}),
    });
    throw callbackFailure(outcome.error, outcome.cause);
  }
  history.append(arn, HistoryEventType.TaskTimedOut, { ...CALLBACK_RESOURCE, error: 'States.Timeout' });
  throw await run.timeoutError();
}
