import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/load';
import type { IssuedCredentials } from './identity';
import type { Clock, FunctionInvoker, Store } from './types';

/**
 * Runs the Lambda service's functions in-process: `require`s a function's handler module (cached by
 * node; tsx and swc make `.ts` requirable), gives it its own environment (its configuration's
 * variables and its execution role's credentials) and calls `handler(event, context)` with a
 * Lambda-like context. Every invocation is recorded in the store (table `invocations`).
 */

/** One recorded invocation (`/_sandbox/invocations`). */
export interface InvocationRecord {
  readonly seq: number;
  readonly functionName: string;
  readonly requestId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly error?: string;
  readonly errorMessage?: string;
  /** The ARN the function was invoked by, for invocations through the Lambda API. */
  readonly functionArn?: string;
}

const errorFields = (error: unknown): { error: string; errorMessage: string } => ({
  error: error instanceof Error ? error.name : 'Error',
  errorMessage: error instanceof Error ? error.message : String(error),
});

/** The subset of the Lambda context handlers use. */
export interface LambdaLikeContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(): void;
  fail(): void;
  succeed(): void;
}

/**
 * Environment variables that differ per function (its role's credentials, its name), as each Lambda
 * function has its own environment. Functions run in one process here, so `process.env` is made to
 * answer from the invocation's own overrides first: code running inside `handler` sees its
 * function's variables, everything else the process's.
 */
const functionEnvironment = new AsyncLocalStorage<Readonly<Record<string, string>>>();
let environmentInstalled = false;

function installFunctionEnvironment(): void {
  if (environmentInstalled) return;
  environmentInstalled = true;
  const base = process.env;
  process.env = new Proxy(base, {
    get(target, key, receiver) {
      if (typeof key === 'string') {
        const own = functionEnvironment.getStore();
        if (own && Object.hasOwn(own, key)) return own[key];
      }
      return Reflect.get(target, key, receiver);
    },
    // set on the environment itself: with the proxy as receiver, an assignment to an existing variable
    // becomes a partial property definition that process.env refuses
    set(target, key, value) {
      return Reflect.set(target, key, value);
    },
    has(target, key) {
      const own = functionEnvironment.getStore();
      return (typeof key === 'string' && own !== undefined && Object.hasOwn(own, key)) || Reflect.has(target, key);
    },
  });
}

/**
 * Runs `fn` with per-function environment variables: inside it (and everything it awaits),
 * `process.env[key]` answers from `environment` first.
 */
export function withFunctionEnvironment<T>(environment: Readonly<Record<string, string>>, fn: () => T): T {
  installFunctionEnvironment();
  return functionEnvironment.run(environment, fn);
}

/**
 * A handler module that cannot run: it cannot be loaded (`import`: Lambda's `Runtime.ImportModuleError`)
 * or does not export the handler (`export`: `Runtime.HandlerNotFound`). `detail` is the loader's reason.
 */
export class HandlerModuleError extends Error {
  constructor(
    readonly kind: 'import' | 'export',
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'HandlerModuleError';
  }
}

/** A handler that ran past its function's timeout (real time: computing is not compressed). */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'HandlerTimeoutError';
  }
}

/** One run of a handler module as a function of the Lambda API (see {@link runHandlerModule}). */
export interface ModuleInvocation {
  /** Module path relative to the project root, with or without extension (`functions/vend-start/app.ts`). */
  readonly modulePath: string;
  /** The export that is the handler (`handler`). */
  readonly exportName: string;
  /** How `/_sandbox/invocations` names the function (the manifest name when it is a manifest function). */
  readonly recordName: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly requestId: string;
  readonly logGroupName: string;
  readonly event: unknown;
  /** The function's own variables: its configuration's, its execution role's credentials, `AWS_LAMBDA_*`. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Loads a handler module (`require`, cached by node) and calls its handler with a Lambda-like context
 * inside the function's own environment ({@link withFunctionEnvironment}). Rejects with
 * {@link HandlerModuleError} when the module cannot be loaded or exports no such function, with
 * {@link HandlerTimeoutError} past `timeoutSeconds` of real time (counted once the module is loaded;
 * the handler itself cannot be stopped and finishes in the background), else with the handler's error.
 * Handlers may be async or take Lambda's callback as a third argument.
 */
export async function runHandlerModule(invocation: ModuleInvocation, startedAt: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = require(join(PROJECT_ROOT, invocation.modulePath)) as Record<string, unknown>;
  } catch (err) {
    throw new HandlerModuleError('import', (err as Error).message, { cause: err });
  }
  const handler = mod[invocation.exportName];
  if (typeof handler !== 'function') {
    throw new HandlerModuleError('export', `${invocation.modulePath} exports no function ${invocation.exportName}`);
  }
  const timeoutMs = invocation.timeoutSeconds * 1000;
  const deadline = performance.now() + timeoutMs;
  const context: LambdaLikeContext = {
    functionName: invocation.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: String(invocation.memoryMb),
    awsRequestId: invocation.requestId,
    logGroupName: invocation.logGroupName,
    logStreamName: `${startedAt.slice(0, 10).replace(/-/g, '/')}/[$LATEST]${invocation.requestId.replace(/-/g, '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const fn = handler as (event: unknown, context: LambdaLikeContext, callback?: unknown) => unknown;
  const run = withFunctionEnvironment(
    invocation.environment,
    () =>
      new Promise<unknown>((resolve, reject) => {
        const callback = (error: unknown, result?: unknown): void => (error ? reject(error) : resolve(result));
        try {
          const out = fn.length >= 3 ? fn(invocation.event, context, callback) : fn(invocation.event, context);
          if (out && typeof (out as PromiseLike<unknown>).then === 'function') {
            (out as PromiseLike<unknown>).then(resolve, reject);
          } else if (fn.length < 3) resolve(out);
        } catch (err) {
          reject(err);
        }
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(invocation.timeoutSeconds)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface InvokerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly region: string;
  readonly managementAccountId: string;
  /** The sandbox endpoint, known once the server listens. */
  readonly endpoint: () => string;
  readonly hubCredentials: () => IssuedCredentials;
  /**
   * Invokes a deployed function through the Lambda API (`RequestResponse`, as the hub principal):
   * its payload, and `functionError` when it failed. Bound by the runtime (the Lambda service).
   */
  readonly invokeDeployed: (
    functionArn: string,
    payload: string,
  ) => Promise<{ payload?: string; functionError?: string }>;
}

const TABLE = 'invocations';
/** How many invocation records the store keeps. */
export const KEEP_INVOCATIONS = 5000;

/**
 * Sets what the process gives every function: the sandbox as the AWS endpoint, the home region, and
 * the hub's credentials as a fallback (each invocation overrides them with its execution role's).
 * A function's own settings (bus, table, secret names) come only from its deployed configuration.
 */
export function applyFunctionEnvironment(endpoint: string, region: string, credentials: IssuedCredentials): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
  process.env.AWS_REGION = region;
  process.env.VENDGUARD_MAX_ATTEMPTS ??= '4';
}

/** A deployed function's error, as `invoke` rejects with it (`name` is Lambda's `errorType`). */
export class FunctionInvocationError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * The in-process {@link FunctionInvoker}: runs handler modules for the Lambda service
 * ({@link runModule}) and records every invocation; `invoke` calls a hub function that the deployed
 * stack made, through the Lambda API.
 */
export class InProcessFunctions implements FunctionInvoker {
  private envKey: string | undefined;

  constructor(private readonly options: InvokerOptions) {}

  functionArn(functionName: string): string {
    const name = functionName.startsWith('vendguard-') ? functionName : `vendguard-${functionName}`;
    return `arn:aws:lambda:${this.options.region}:${this.options.managementAccountId}:function:${name}`;
  }

  /** Sets the process environment the functions read; re-applied whenever another sandbox in this process (tests) changed it. */
  private ensureProcessEnvironment(): void {
    const endpoint = this.options.endpoint();
    if (process.env.AWS_ENDPOINT_URL !== endpoint || process.env.AWS_ACCESS_KEY_ID !== this.envKey) {
      const credentials = this.options.hubCredentials();
      applyFunctionEnvironment(endpoint, this.options.region, credentials);
      this.envKey = credentials.accessKeyId;
    }
  }

  /** Stores one invocation record (`/_sandbox/invocations`), keeping the last {@link KEEP_INVOCATIONS}. */
  private recordInvocation(rec: Omit<InvocationRecord, 'seq'>): void {
    const seq = this.options.store.nextSequence(TABLE);
    this.options.store.put(TABLE, String(seq).padStart(12, '0'), { seq, ...rec });
    if (seq > KEEP_INVOCATIONS) this.options.store.delete(TABLE, String(seq - KEEP_INVOCATIONS).padStart(12, '0'));
  }

  /**
   * Runs a handler module as one function of the Lambda API (its own name, ARN, environment and
   * execution role's credentials, see {@link runHandlerModule}) and records the invocation.
   */
  async runModule(invocation: ModuleInvocation): Promise<unknown> {
    this.ensureProcessEnvironment();
    const started = performance.now();
    const startedAt = this.options.clock.now().toISOString();
    const record = (error?: unknown): void =>
      this.recordInvocation({
        functionName: invocation.recordName,
        functionArn: invocation.invokedFunctionArn,
        requestId: invocation.requestId,
        startedAt,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(error !== undefined ? errorFields(error) : {}),
      });
    try {
      const result = await runHandlerModule(invocation, startedAt);
      record();
      return result;
    } catch (err) {
      record(err ?? new Error('unknown error'));
      throw err;
    }
  }

  /**
   * Invokes the hub's deployed function `vendguard-<name>` through the Lambda API and resolves to
   * its result; rejects with Lambda's error (`ResourceNotFoundException` when the stack has no such
   * function) or the function's ({@link FunctionInvocationError}).
   */
  async invoke(functionName: string, event: unknown): Promise<unknown> {
    const out = await this.options.invokeDeployed(this.functionArn(functionName), JSON.stringify(event ?? null));
    const payload = out.payload === undefined || out.payload === '' ? null : (JSON.parse(out.payload) as unknown);
    if (out.functionError) {
      const error = (payload ?? {}) as { errorType?: string; errorMessage?: string };
      throw new FunctionInvocationError(error.errorType ?? 'Error', error.errorMessage ?? 'the function failed');
    }
    return payload;
  }

  /** The last `limit` invocations, newest last. */
  recent(limit = 100, functionName?: string): InvocationRecord[] {
    const all = this.options.store.list<InvocationRecord>(TABLE);
    const filtered = functionName ? all.filter((r) => r.functionName === functionName) : all;
    return filtered.slice(-limit);
  }
}
