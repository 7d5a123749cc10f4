/**
 * Turns a stored ASL definition into what aws-local-stepfunctions runs in the sandbox:
 * - every Task state gets a local handler (overrides are keyed by state name, so the walk goes
 *   into Map and Parallel branches too) that resolves sandbox Lambda ARNs and
 *   `arn:aws:states:::lambda:invoke` to the in-process functions;
 * - every Wait state becomes a Task whose handler waits on the sandbox clock, so `Seconds`,
 *   `SecondsPath`, `Timestamp` and `TimestampPath` are all computed at run time in simulated time;
 * - Retry intervals (`IntervalSeconds`, `MaxDelaySeconds`) and timeouts are converted to real
 *   seconds with the clock, so `IntervalSeconds × BackoffRate^n` (and jitter) follow it too;
 * - a callback task (`lambda:invoke.waitForTaskToken`) gets its Parameters wrapped in a
 *   {@link CallbackInput}: the interpreter knows no `$$.Task.Token`, so references to it become
 *   markers the handler resolves once it has issued the token, and its timeouts (`TimeoutSeconds`,
 *   `HeartbeatSeconds` and their paths) reach the handler, which counts them on the sandbox clock.
 * State names are unique in a state machine (AWS and asl-validator require it), so a name
 * identifies a state wherever it sits.
 */
import type { Clock } from '../../core/types';
import { TaskError } from './errors';

/** A JSON object of an ASL definition. */
export type AslObject = Record<string, unknown>;

/** What a Task state's `Resource` resolves to in the sandbox. */
export type TaskTarget =
  | { readonly kind: 'function'; readonly functionName: string; readonly functionArn: string }
  | { readonly kind: 'lambdaInvoke'; readonly functionName?: string }
  | { readonly kind: 'lambdaCallback'; readonly functionName?: string }
  | { readonly kind: 'unsupported'; readonly resource: string };

/** The wait of a Wait state, as written. */
export interface WaitSpec {
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Timestamp?: string;
  readonly TimestampPath?: string;
}

/** What the executor does for tasks and waits. */
export interface RunHooks {
  task(stateName: string, target: TaskTarget, input: unknown): Promise<unknown>;
  wait(stateName: string, spec: WaitSpec, input: unknown): Promise<void>;
  /**
   * `$$.Execution.StartTime` as the execution recorded it (sandbox time, kept across redrives): the
   * interpreter sets its own from the real clock when each run starts.
   */
  readonly executionStartTime: string;
}

/** Facts about one state of the original definition. */
export interface StateInfo {
  /** The ASL type as written (a Wait stays `Wait` although it runs as a Task). */
  readonly type: string;
  /** Whether it is a state of the top level (not inside a Map or Parallel). */
  readonly topLevel: boolean;
  readonly target?: TaskTarget;
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * What the handler of a callback task receives: its Parameters as evaluated by the interpreter
 * (references to `$$.Task…` still {@link ContextReference}s, `$$.Task.Token` inside intrinsic
 * functions still {@link TASK_TOKEN_PLACEHOLDER}), the context object, and the task's
 * `TimeoutSeconds` / `HeartbeatSeconds` as written or as their paths resolved (unchecked).
 */
export interface CallbackInput {
  readonly parameters: unknown;
  readonly context: unknown;
  readonly timeoutSeconds?: unknown;
  readonly heartbeatSeconds?: unknown;
}

/** Key of a {@link ContextReference}. */
export const CONTEXT_REFERENCE = 'VendguardSandbox.ContextPath';

/** A `"field.$": "$$.Task…"` (or `"$$"`) of a callback task's Parameters, left for its handler. */
export interface ContextReference {
  readonly [CONTEXT_REFERENCE]: string;
  /** The field as written (`taskToken.$`), for the error message. */
  readonly field: string;
}

/** What `$$.Task.Token` inside an intrinsic function of a callback task evaluates to until its handler replaces it. */
export const TASK_TOKEN_PLACEHOLDER = 'VendguardSandboxTaskToken0f3a9c71';

export interface PreparedDefinition {
  /** The definition to give the interpreter (validated already; run it with `noValidate`). */
  readonly definition: AslObject;
  readonly handlers: Record<string, TaskHandler>;
  readonly states: ReadonlyMap<string, StateInfo>;
}

/** The longest timer Node accepts is about 24.8 days; "no timeout" stays below it. */
const NO_TIMEOUT_REAL_SECONDS = 2_000_000;
/** A placeholder resource for Wait states run as Tasks (never invoked: a handler overrides it). */
const WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:vendguard-sandbox-wait';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_INVOKE_CALLBACK = /^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/;
/**
 * A reference path into the context object. A Task's handler evaluates them, not the interpreter:
 * it has no task (`$$.Task.Token`) nor state (`$$.State.EnteredTime`, `Name`, `RetryCount`), and its
 * `$$.Execution.StartTime` is the real time its run began, not the execution's.
 */
const TASK_CONTEXT_PATH = /^\$\$(?:$|[.[])/;

/** Whether a Task's Parameters reference the context object (then its handler resolves them). */
function referencesTaskContext(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(referencesTaskContext);
  if (!isObject(template)) return false;
  return Object.entries(template).some(([key, value]) =>
    key.endsWith('.$') && typeof value === 'string' ? TASK_CONTEXT_PATH.test(value) : referencesTaskContext(value),
  );
}

/**
 * A Task's Parameters with every {@link ContextReference} evaluated against `context` (which the
 * caller completes with `State`, and `Task` for a callback task), and {@link TASK_TOKEN_PLACEHOLDER}
 * replaced by `token` in every string.
 */
export function resolveContextReferences(
  stateName: string,
  template: unknown,
  context: unknown,
  token?: string,
): unknown {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') return token ? value.replaceAll(TASK_TOKEN_PLACEHOLDER, token) : value;
    if (Array.isArray(value)) return value.map(resolve);
    if (!isObject(value)) return value;
    const path = value[CONTEXT_REFERENCE];
    if (typeof path === 'string') {
      const found = evaluateReferencePath(path, undefined, context);
      if (found === undefined) {
        throw new TaskError(
          'States.Runtime',
          `An error occurred while executing the state '${stateName}'. The JSONPath '${path}' specified for the field '${String(value.field)}' could not be found in the input '${JSON.stringify(context ?? null)}'`,
          { terminal: true },
        );
      }
      return found;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve(template);
}

/** The manifest name of a sandbox function from its ARN or name (`vendguard-<name>` or `<name>`). */
export function functionNameOf(nameOrArn: string): string {
  const match = LAMBDA_ARN.exec(nameOrArn);
  const name = match?.[1] ?? nameOrArn;
  return name.startsWith('vendguard-') ? name.slice('vendguard-'.length) : name;
}

/** What a Task `Resource` (and its `Parameters`) resolves to. */
export function taskTarget(state: AslObject): TaskTarget {
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  if (LAMBDA_ARN.test(resource))
    return { kind: 'function', functionName: functionNameOf(resource), functionArn: resource };
  const callback = LAMBDA_INVOKE_CALLBACK.test(resource);
  if (callback || LAMBDA_INVOKE.test(resource)) {
    const kind = callback ? 'lambdaCallback' : 'lambdaInvoke';
    const params = isObject(state.Parameters) ? state.Parameters : {};
    const fn = params.FunctionName;
    return typeof fn === 'string' ? { kind, functionName: functionNameOf(fn) } : { kind };
  }
  return { kind: 'unsupported', resource };
}

function isObject(value: unknown): value is AslObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A callback task's Parameters with every `"field.$"` that references `$$` itself or `$$.Task…`
 * turned into a {@link ContextReference} (the interpreter has no `$$.Task`), and `$$.Task.Token`
 * inside an intrinsic function into the quoted {@link TASK_TOKEN_PLACEHOLDER}.
 */
export function markTaskContextReferences(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(markTaskContextReferences);
  if (!isObject(template)) return template;
  const out: AslObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$') || typeof value !== 'string') {
      out[key] = markTaskContextReferences(value);
    } else if (TASK_CONTEXT_PATH.test(value)) {
      const reference: ContextReference = { [CONTEXT_REFERENCE]: value, field: key };
      out[key.slice(0, -2)] = reference;
    } else if (!value.startsWith('$') && value.includes('$$.Task.Token')) {
      out[key] = value.replaceAll('$$.Task.Token', `'${TASK_TOKEN_PLACEHOLDER}'`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Rewrites a callback task for the interpreter (see {@link CallbackInput}): its own timeouts are
 * the handler's, so the interpreter's is "none". AWS reports a missed heartbeat as `States.Timeout`,
 * which `States.HeartbeatTimeout` also matches: with a heartbeat, a retrier or catcher of
 * `States.HeartbeatTimeout` is given `States.Timeout` (it then also matches `TimeoutSeconds`).
 */
function prepareCallbackTask(raw: AslObject, state: AslObject): void {
  state.Parameters = {
    ...(raw.Parameters !== undefined
      ? { parameters: markTaskContextReferences(raw.Parameters) }
      : { 'parameters.$': '$' }),
    'context.$': '$$',
    ...(raw.TimeoutSeconds !== undefined ? { timeoutSeconds: raw.TimeoutSeconds } : {}),
    ...(typeof raw.TimeoutSecondsPath === 'string' ? { 'timeoutSeconds.$': raw.TimeoutSecondsPath } : {}),
    ...(raw.HeartbeatSeconds !== undefined ? { heartbeatSeconds: raw.HeartbeatSeconds } : {}),
    ...(typeof raw.HeartbeatSecondsPath === 'string' ? { 'heartbeatSeconds.$': raw.HeartbeatSecondsPath } : {}),
  };
  for (const key of ['TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) delete state[key];
  state.TimeoutSeconds = NO_TIMEOUT_REAL_SECONDS;
  if (raw.HeartbeatSeconds === undefined && raw.HeartbeatSecondsPath === undefined) return;
  const heartbeatAsTimeout = (rules: unknown): unknown =>
    Array.isArray(rules)
      ? rules.map((rule: unknown) =>
          isObject(rule) && Array.isArray(rule.ErrorEquals)
            ? {
                ...rule,
                ErrorEquals: rule.ErrorEquals.map((e: unknown) =>
                  e === 'States.HeartbeatTimeout' ? 'States.Timeout' : e,
                ),
              }
            : rule,
        )
      : rules;
  if (state.Retry !== undefined) state.Retry = heartbeatAsTimeout(state.Retry);
  if (state.Catch !== undefined) state.Catch = heartbeatAsTimeout(state.Catch);
}

/**
 * The simulated back-off of a Task's `Retry` for each failure: the first retrier that matches the
 * error, its `IntervalSeconds` × `BackoffRate`^(n-1) capped at `MaxDelaySeconds`, or undefined when
 * no retrier matches or its attempts are spent. Counts reset when the task succeeds.
 */
function retryBackOff(retry: unknown): { next(error: string | null): number | undefined; reset(): void } {
  const retriers = Array.isArray(retry) ? retry.filter(isObject) : [];
  const counts = new Map<number, number>();
  return {
    next(error) {
      const index = retriers.findIndex((r) => {
        const names = Array.isArray(r.ErrorEquals) ? r.ErrorEquals.map(String) : [];
        return (
          (error !== null && names.includes(error)) ||
          names.includes('States.ALL') ||
          (names.includes('States.TaskFailed') && !(error ?? '').startsWith('States.'))
        );
      });
      if (index < 0) return undefined;
      const r = retriers[index] as AslObject;
      const count = (counts.get(index) ?? 0) + 1;
      counts.set(index, count);
      if (count > (typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3)) return undefined;
      const interval = typeof r.IntervalSeconds === 'number' ? r.IntervalSeconds : 1;
      const rate = typeof r.BackoffRate === 'number' ? r.BackoffRate : 2;
      const seconds = interval * rate ** (count - 1);
      return 1000 * (typeof r.MaxDelaySeconds === 'number' ? Math.min(seconds, r.MaxDelaySeconds) : seconds);
    },
    reset() {
      counts.clear();
    },
  };
}

/**
 * Prepares a parsed definition to run (see the module comment).
 *
 * @param definition - the parsed ASL; not modified
 * @param clock - the sandbox clock that converts simulated durations
 * @param hooks - what tasks and waits do
 */
export function prepareDefinition(definition: AslObject, clock: Clock, hooks: RunHooks): PreparedDefinition {
  // retry back-offs and execution timeouts are compressed as modelled waits are; task timeouts bound
  // compute, which counts at 1× (see ScaledClock)
  const realSeconds = (simulatedSeconds: number) => simulatedSeconds / clock.scale;
  const handlers: Record<string, TaskHandler> = {};
  const states = new Map<string, StateInfo>();

  const scaleRetry = (state: AslObject): void => {
    if (!Array.isArray(state.Retry)) return;
    state.Retry = state.Retry.map((retrier: unknown) => {
      if (!isObject(retrier)) return retrier;
      const scaled: AslObject = { ...retrier };
      scaled.IntervalSeconds = realSeconds(typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1);
      if (typeof retrier.MaxDelaySeconds === 'number') scaled.MaxDelaySeconds = realSeconds(retrier.MaxDelaySeconds);
      return scaled;
    });
  };

  const walk = (machine: AslObject, topLevel: boolean): AslObject => {
    const out: AslObject = { ...machine };
    if (typeof machine.TimeoutSeconds === 'number') out.TimeoutSeconds = realSeconds(machine.TimeoutSeconds);
    const source = isObject(machine.States) ? machine.States : {};
    const prepared: AslObject = {};
    for (const [name, raw] of Object.entries(source)) {
      if (!isObject(raw)) continue;
      const state: AslObject = { ...raw };
      const type = String(raw.Type);
      switch (type) {
        case 'Task': {
          const target = taskTarget(raw);
          states.set(name, { type, topLevel, target });
          const callback = target.kind === 'lambdaCallback';
          // `$$` and `$$.State…` are the handler's to evaluate: the interpreter has no `State`
          const wrapsContext = !callback && referencesTaskContext(raw.Parameters);
          if (callback) prepareCallbackTask(raw, state);
          else {
            state.TimeoutSeconds =
              typeof raw.TimeoutSeconds === 'number' ? raw.TimeoutSeconds : NO_TIMEOUT_REAL_SECONDS;
            if (wrapsContext) {
              state.Parameters = { parameters: markTaskContextReferences(raw.Parameters), 'context.$': '$$' };
            }
          }
          const backOff = retryBackOff(state.Retry);
          // `$$.State`: entered at the first attempt, kept through the retries (as AWS keeps it)
          let entered: { at: string; retries: number } | undefined;
          handlers[name] = async (input) => {
            entered = entered
              ? { ...entered, retries: entered.retries + 1 }
              : { at: clock.now().toISOString(), retries: 0 };
            const stateContext = { Name: name, EnteredTime: entered.at, RetryCount: entered.retries };
            let taskInput = input;
            if (wrapsContext || callback) {
              const wrapped = (isObject(input) ? input : {}) as AslObject;
              const given = (isObject(wrapped.context) ? wrapped.context : {}) as AslObject;
              const execution = {
                ...(isObject(given.Execution) ? given.Execution : {}),
                StartTime: hooks.executionStartTime,
              };
              const context = { ...given, Execution: execution, State: stateContext };
              taskInput = wrapsContext
                ? resolveContextReferences(name, wrapped.parameters, context)
                : { ...wrapped, context };
            }
            try {
              const out = await hooks.task(name, target, taskInput);
              backOff.reset();
              entered = undefined;
              return out;
            } catch (error) {
              // the interpreter waits the back-off (compressed) before the next attempt: a modelled wait
              // (a SendTaskFailure without error fails with a null error name)
              const delayMs = backOff.next(
                error instanceof Error ? (error.name as string | null) : 'States.TaskFailed',
              );
              if (delayMs !== undefined) clock.holdUntil(clock.nowMs() + delayMs);
              else entered = undefined;
              throw error;
            }
          };
          scaleRetry(state);
          break;
        }
        case 'Wait': {
          states.set(name, { type, topLevel });
          const spec: WaitSpec = {
            ...(typeof raw.Seconds === 'number' ? { Seconds: raw.Seconds } : {}),
            ...(typeof raw.SecondsPath === 'string' ? { SecondsPath: raw.SecondsPath } : {}),
            ...(typeof raw.Timestamp === 'string' ? { Timestamp: raw.Timestamp } : {}),
            ...(typeof raw.TimestampPath === 'string' ? { TimestampPath: raw.TimestampPath } : {}),
          };
          handlers[name] = async (input) => {
            await hooks.wait(name, spec, input);
            return input;
          };
          for (const key of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[key];
          state.Type = 'Task';
          state.Resource = WAIT_RESOURCE;
          state.TimeoutSeconds = NO_TIMEOUT_REAL_SECONDS;
          break;
        }
        case 'Parallel': {
          states.set(name, { type, topLevel });
          if (Array.isArray(raw.Branches)) {
            state.Branches = raw.Branches.map((b: unknown) => (isObject(b) ? walk(b, false) : b));
          }
          scaleRetry(state);
          break;
        }
        case 'Map': {
          states.set(name, { type, topLevel });
          if (isObject(raw.ItemProcessor)) state.ItemProcessor = walk(raw.ItemProcessor, false);
          if (isObject(raw.Iterator)) state.Iterator = walk(raw.Iterator, false);
          scaleRetry(state);
          break;
        }
        default:
          states.set(name, { type, topLevel });
      }
      prepared[name] = state;
    }
    out.States = prepared;
    return out;
  };

  return { definition: walk(definition, true), handlers, states };
}

/**
 * Evaluates an ASL reference path (`$`, `$.a.b`, `$.a[0]`, `$['a b']`, `$$.Execution.Input.x`)
 * against a state's input and the context object; `undefined` when a step is missing.
 */
export function evaluateReferencePath(path: string, input: unknown, context: unknown): unknown {
  let value: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    value = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    value = input;
    rest = path.slice(1);
  } else {
    return undefined;
  }
  const step = /^(?:\.([^.[\]]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\])/;
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) return undefined;
    rest = rest.slice(match[0].length);
    if (match[2] !== undefined) {
      value = Array.isArray(value) ? value[Number(match[2])] : undefined;
    } else {
      const key = match[1] ?? match[3] ?? '';
      value = isObject(value) ? value[key] : undefined;
    }
    if (value === undefined) return undefined;
  }
  return value;
}
