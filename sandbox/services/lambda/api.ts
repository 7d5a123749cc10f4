import type { Principal, SandboxRuntime } from '../../core/types';
import { authorizeInvoke, authorizeServiceInvoke } from './access';
import { enqueue } from './async';
import { invalidParameter, resourceNotFound, tooManyRequests } from './errors';
import { acquire, execute, logTail, parsePayload, release } from './invoke';
import { type FunctionRecord, LATEST, mustFunction, parseFunctionArn, seededUuid } from './model';

/**
 * The programmatic Lambda API of the sandbox, for services that invoke functions as AWS services do
 * (EventBridge targets, Step Functions tasks, destinations): the same checks, concurrency, retries
 * and destinations as the `Invoke` operation.
 *
 * @example
 * // an EventBridge rule delivering to its target, as the rule's service principal
 * await invokeFunction(runtime, target.Arn, JSON.stringify(event), {
 *   invocationType: 'Event',
 *   principalService: 'events.amazonaws.com',
 *   sourceArn: rule.Arn,
 *   sourceAccount: rule.account,
 * });
 */

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeOptions {
  readonly invocationType: InvocationType;
  /** The caller, when a principal invokes (its policies, and the function's policy across accounts, decide). */
  readonly principal?: Principal;
  /** A service principal invoking on its own behalf (`events.amazonaws.com`): only the function's policy decides. */
  readonly principalService?: string;
  /** `aws:SourceArn` of a service's call (the rule, the bucket). */
  readonly sourceArn?: string;
  /** `aws:SourceAccount` of a service's call. */
  readonly sourceAccount?: string;
  /** The region the call is made in (default the function's). */
  readonly region?: string;
  /** The invocation's request id (default a new one). */
  readonly requestId?: string;
  /** `Tail`: the result carries the log tail. */
  readonly logType?: 'None' | 'Tail';
}

/** What `Invoke` answers: 200 with the payload (and `functionError` when the function failed), 202, 204. */
export interface InvokeResult {
  readonly statusCode: 200 | 202 | 204;
  readonly requestId: string;
  /** JSON text: the function's result, or its error `{ errorType, errorMessage, trace }`. */
  readonly payload?: string;
  readonly functionError?: 'Unhandled';
  readonly executedVersion?: string;
  /** Base64 of the log tail, for `logType: 'Tail'`. */
  readonly logResult?: string;
}

/**
 * Invokes a function that exists and that the caller may invoke: `RequestResponse` runs it and answers
 * its payload (throttled with `TooManyRequestsException` past its reserved concurrency), `Event` queues
 * it (202), `DryRun` only checks (204).
 */
export async function invokeExisting(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  payload: string,
  options: { invocationType: InvocationType; requestId: string; invokedArn: string; logType?: 'None' | 'Tail' },
): Promise<InvokeResult> {
  const event = parsePayload(payload, options.invocationType);
  const { requestId } = options;
  if (options.invocationType === 'DryRun') return { statusCode: 204, requestId };
  if (options.invocationType === 'Event') {
    enqueue(runtime, fn, payload, requestId, options.invokedArn);
    return { statusCode: 202, requestId };
  }
  if (!acquire(runtime, fn)) throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded');
  try {
    const execution = await execute(runtime, fn, event, requestId, options.invokedArn);
    return {
      statusCode: 200,
      requestId,
      payload: execution.payload,
      ...(execution.functionError ? { functionError: execution.functionError } : {}),
      executedVersion: LATEST,
      ...(options.logType === 'Tail' ? { logResult: logTail(fn, requestId, execution) } : {}),
    };
  } finally {
    release(runtime, fn);
  }
}

/**
 * Invokes a function by ARN (qualified only by `$LATEST`), as a principal or a service principal
 * would through the API. Throws Lambda's errors: `ResourceNotFoundException`, `AccessDeniedException`,
 * `TooManyRequestsException`, `RequestEntityTooLargeException`, `InvalidRequestContentException`.
 *
 * @param payload - the event as JSON text (what `Invoke`'s body carries); `''` is `{}`
 */
export async function invokeFunction(
  runtime: SandboxRuntime,
  functionArn: string,
  payload: string,
  options: InvokeOptions,
): Promise<InvokeResult> {
  const target = parseFunctionArn(functionArn);
  if (!target) throw invalidParameter(`${functionArn} is not a function ARN.`);
  const ref = { name: target.name, bare: false, ...(target.qualifier ? { qualifier: target.qualifier } : {}) };
  if (options.region !== undefined && options.region !== target.region) {
    throw resourceNotFound(`Functions from '${target.region}' are not reachable in this region ('${options.region}')`);
  }
  const fn = mustFunction(runtime, target, ref);
  if (options.principalService) {
    authorizeServiceInvoke(fn, functionArn, options.principalService, options);
  } else if (options.principal) {
    authorizeInvoke(runtime, options.principal, fn, functionArn, options.region ?? fn.region);
  }
  return invokeExisting(runtime, fn, payload, {
    invocationType: options.invocationType,
    requestId: options.requestId ?? seededUuid(runtime),
    invokedArn: functionArn,
    ...(options.logType ? { logType: options.logType } : {}),
  });
}

export { type AsyncOutcome, asyncOutcomes, settleAsyncInvocations } from './async';
export { functionArn, getFunctionRecord, parseFunctionArn } from './model';
