import {
  HandlerModuleError,
  HandlerTimeoutError,
  type InProcessFunctions,
  type ModuleInvocation,
  runHandlerModule,
} from '../../core/functions';
import type { SandboxRuntime } from '../../core/types';
import { handlerNotFound, resolveCode } from './code';
import { invalidRequestContent, requestTooLarge } from './errors';
import { executionCredentials } from './execution-role';
import { type FunctionRecord, LATEST } from './model';

/**
 * Running a function once, as Lambda's Node.js runtime runs it: the code `code.ts` resolves, in the
 * function's own environment (its variables, its execution role's credentials, `AWS_LAMBDA_*`), with
 * its timeout in real time. A handler's error becomes the function error Lambda returns
 * (`{ errorType, errorMessage, trace }` with `X-Amz-Function-Error: Unhandled`). Also the payload
 * limits and the reserved-concurrency accounting every invocation goes through.
 */

/** Largest request payload of a synchronous invocation ("… for the InvokeFunction operation"). */
export const SYNC_PAYLOAD_LIMIT = 6291456;
/** Largest payload of an asynchronous invocation (1 MB since 2025). */
export const ASYNC_PAYLOAD_LIMIT = 1048576;
/** Largest response payload. */
export const RESPONSE_LIMIT = 6291556;

/** What one run of a function produced. */
export interface Execution {
  /** The response payload (JSON text): the handler's result, or the function error. */
  readonly payload: string;
  readonly functionError?: 'Unhandled';
  /** The function error's `errorType`. */
  readonly errorType?: string;
  readonly durationMs: number;
}

/**
 * The event a payload carries: `{}` for none, else its JSON (`InvalidRequestContentException`
 * otherwise), within the invocation type's size limit (`RequestEntityTooLargeException`).
 */
export function parsePayload(payload: string, invocationType: 'RequestResponse' | 'Event' | 'DryRun'): unknown {
  const size = Buffer.byteLength(payload);
  if (invocationType === 'Event' && size > ASYNC_PAYLOAD_LIMIT) {
    throw requestTooLarge(
      `${size} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`,
    );
  }
  if (size > SYNC_PAYLOAD_LIMIT) {
    throw requestTooLarge(`Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
  }
  if (payload.trim() === '') return {};
  try {
    return JSON.parse(payload);
  } catch (err) {
    throw invalidRequestContent(
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
    );
  }
}

// ---- reserved concurrency -------------------------------------------------------------------

const running = new WeakMap<SandboxRuntime, Map<string, number>>();

/** Takes one of the function's concurrent executions; false when its reserved concurrency is used up. */
export function acquire(runtime: SandboxRuntime, fn: FunctionRecord): boolean {
  let counts = running.get(runtime);
  if (!counts) {
    counts = new Map();
    running.set(runtime, counts);
  }
  const now = counts.get(fn.FunctionArn) ?? 0;
  if (fn.ReservedConcurrentExecutions !== undefined && now >= fn.ReservedConcurrentExecutions) return false;
  counts.set(fn.FunctionArn, now + 1);
  return true;
}

/** Gives back an execution {@link acquire} took. */
export function release(runtime: SandboxRuntime, fn: FunctionRecord): void {
  const counts = running.get(runtime);
  const now = counts?.get(fn.FunctionArn) ?? 0;
  if (now <= 1) counts?.delete(fn.FunctionArn);
  else counts?.set(fn.FunctionArn, now - 1);
}

/** Executions of a function running now (for tests and `/_sandbox/lambda/...`). */
export const runningExecutions = (runtime: SandboxRuntime, arn: string): number => running.get(runtime)?.get(arn) ?? 0;

// ---- one run --------------------------------------------------------------------------------

const errorPayload = (errorType: string, errorMessage: string, trace: readonly string[]) =>
  JSON.stringify({ errorType, errorMessage, trace });

/** The function error of a thrown value, as the Node.js runtime serialises it. */
function thrownPayload(error: unknown): { errorType: string; payload: string } {
  if (error instanceof Error) {
    const errorType = error.name || 'Error';
    return { errorType, payload: errorPayload(errorType, error.message, (error.stack ?? '').split('\n')) };
  }
  const errorType = typeof error;
  return {
    errorType,
    payload: errorPayload(errorType, typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)), []),
  };
}

/** The function's environment for one invocation. */
function environmentOf(runtime: SandboxRuntime, fn: FunctionRecord, requestId: string, startedAt: Date) {
  const credentials = executionCredentials(runtime, fn);
  return {
    ...(fn.Variables ?? {}),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.Runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.FunctionName,
    AWS_LAMBDA_FUNCTION_VERSION: LATEST,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.MemorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.LoggingConfig.LogGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: `${startedAt.toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
    _HANDLER: fn.Handler,
  };
}

/**
 * Runs the function once with an event (already parsed). Never rejects: a handler's error, a missing
 * module or handler, and a timeout are the execution's function error.
 */
export async function execute(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  event: unknown,
  requestId: string,
  invokedArn: string,
): Promise<Execution> {
  const started = performance.now();
  const done = (payload: string, errorType?: string): Execution => ({
    payload,
    ...(errorType !== undefined ? { functionError: 'Unhandled' as const, errorType } : {}),
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  });
  const code = resolveCode(fn);
  if (!code.ok) return done(errorPayload(code.errorType, code.errorMessage, code.trace), code.errorType);
  const startedAt = runtime.clock.now();
  const invocation: ModuleInvocation = {
    modulePath: code.modulePath,
    exportName: code.exportName,
    recordName: code.manifestName ?? fn.FunctionName,
    functionName: fn.FunctionName,
    invokedFunctionArn: invokedArn,
    memoryMb: fn.MemorySize,
    timeoutSeconds: fn.Timeout,
    requestId,
    logGroupName: fn.LoggingConfig.LogGroup,
    event,
    environment: environmentOf(runtime, fn, requestId, startedAt),
  };
  const runner = runtime.functions as Partial<InProcessFunctions>;
  try {
    const result =
      typeof runner.runModule === 'function'
        ? await runner.runModule(invocation)
        : await runHandlerModule(invocation, startedAt.toISOString());
    let payload: string;
    try {
      payload = JSON.stringify(result) ?? 'null';
    } catch (err) {
      return done(
        errorPayload('Runtime.MarshalError', `Unable to stringify response body: ${(err as Error).message}`, []),
        'Runtime.MarshalError',
      );
    }
    if (Buffer.byteLength(payload) > RESPONSE_LIMIT) {
      return done(
        errorPayload(
          'Function.ResponseSizeTooLarge',
          `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT} bytes).`,
          [],
        ),
        'Function.ResponseSizeTooLarge',
      );
    }
    return done(payload);
  } catch (err) {
    if (err instanceof HandlerModuleError) {
      if (err.kind === 'export') {
        const missing = handlerNotFound(fn);
        if (!missing.ok)
          return done(errorPayload(missing.errorType, missing.errorMessage, missing.trace), missing.errorType);
      }
      const message = `Error: ${err.detail}`;
      return done(
        errorPayload('Runtime.ImportModuleError', message, [`Runtime.ImportModuleError: ${message}`]),
        'Runtime.ImportModuleError',
      );
    }
    if (err instanceof HandlerTimeoutError) {
      const message = `RequestId: ${requestId} Error: ${err.message}`;
      return done(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message }), 'Sandbox.Timedout');
    }
    const thrown = thrownPayload(err);
    return done(thrown.payload, thrown.errorType);
  }
}

/** The `X-Amz-Log-Result` of a `Tail` invocation: the platform lines Lambda writes around a run (base64). */
export function logTail(fn: FunctionRecord, requestId: string, execution: Execution): string {
  const duration = execution.durationMs.toFixed(2);
  const lines = [
    `START RequestId: ${requestId} Version: ${LATEST}`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tBilled Duration: ${Math.max(1, Math.ceil(execution.durationMs))} ms\tMemory Size: ${fn.MemorySize} MB\tMax Memory Used: ${Math.min(fn.MemorySize, 64)} MB\t`,
  ];
  return Buffer.from(`${lines.join('\n')}\n`).toString('base64');
}
