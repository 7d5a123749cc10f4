import type { SandboxRuntime } from '../../core/types';
import { deliver } from './destinations';
import { DEFAULT_EVENT_AGE_SECONDS, DEFAULT_RETRY_ATTEMPTS } from './event-invoke-config';
import { acquire, type Execution, execute, release } from './invoke';
import { type FunctionRecord, getFunctionRecord, KEEP_ASYNC_OUTCOMES, LATEST, type Scope, TABLES } from './model';

/**
 * Asynchronous invocation (`InvocationType: Event`), as Lambda's event queue runs it: the event is
 * stored before `Invoke` answers 202 (so it survives a restart), then run in the background. A
 * function error is retried `MaximumRetryAttempts` times (default 2), one minute after the first
 * attempt and two minutes after the second; a throttle (reserved concurrency used up) goes back to the
 * queue with a back-off from 1 second doubling to 5 minutes; an event older than
 * `MaximumEventAgeInSeconds` (default 6 hours) is discarded. Every wait is a modelled wait on the
 * sandbox clock. Then the invocation record goes to the on-success or on-failure destination, and a
 * failed event to the dead-letter queue. A function with reserved concurrency 0 never runs: its
 * events go to the on-failure destination at once (condition `ZeroReservedConcurrency`).
 */

const RETRY_DELAYS_MS = [60_000, 120_000] as const;
const MAX_THROTTLE_BACKOFF_MS = 300_000;

/** Why an asynchronous invocation ended (the destination record's `condition`). */
export type AsyncCondition =
  | 'Success'
  | 'RetriesExhausted'
  | 'EventAgeExceeded'
  | 'ZeroReservedConcurrency'
  | 'FunctionDeleted';

/** One event in the queue. */
interface QueuedInvocation extends Scope {
  readonly key: string;
  readonly functionName: string;
  readonly invokedArn: string;
  readonly requestId: string;
  readonly payload: string;
  readonly enqueuedAt: number;
  /** Runs of the function so far. */
  readonly attempts: number;
  readonly throttles: number;
  /** Sandbox-clock ms before which the next attempt does not start. */
  readonly notBefore: number;
  /** The last run's response, for a record after the event's age ran out. */
  readonly last?: { readonly payload: string; readonly functionError?: 'Unhandled' };
}

/** Where a record or dead letter went. */
export interface Delivery {
  readonly kind: 'OnSuccess' | 'OnFailure' | 'DeadLetter';
  readonly target: string;
  readonly delivered: boolean;
  readonly reason?: string;
}

/** A finished asynchronous invocation (`GET /_sandbox/lambda/async-invocations`). */
export interface AsyncOutcome extends Scope {
  readonly seq: number;
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: AsyncCondition;
  readonly approximateInvokeCount: number;
  readonly enqueuedAt: string;
  readonly finishedAt: string;
  readonly deliveries: readonly Delivery[];
}

interface Worker {
  readonly active: Set<string>;
  readonly inFlight: Set<Promise<void>>;
}

const workers = new WeakMap<SandboxRuntime, Worker>();

function workerOf(runtime: SandboxRuntime): Worker {
  let worker = workers.get(runtime);
  if (!worker) {
    worker = { active: new Set(), inFlight: new Set() };
    workers.set(runtime, worker);
  }
  return worker;
}

/** Accepts an event for a function: stored, then run in the background. */
export function enqueue(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  payload: string,
  requestId: string,
  invokedArn: string,
): void {
  const seq = runtime.store.nextSequence(TABLES.queue);
  const now = runtime.clock.nowMs();
  const entry: QueuedInvocation = {
    key: `${fn.account}/${fn.region}/${String(seq).padStart(12, '0')}`,
    account: fn.account,
    region: fn.region,
    functionName: fn.FunctionName,
    invokedArn,
    requestId,
    payload,
    enqueuedAt: now,
    attempts: 0,
    throttles: 0,
    notBefore: now,
  };
  runtime.store.put(TABLES.queue, entry.key, entry);
  start(runtime, entry);
}

/** Resumes every stored event (after a restart). */
export function resumeQueue(runtime: SandboxRuntime): void {
  for (const entry of runtime.store.list<QueuedInvocation>(TABLES.queue)) start(runtime, entry);
}

/** Resolves when no asynchronous invocation of this runtime is running (tests). */
export async function settleAsyncInvocations(runtime: SandboxRuntime): Promise<void> {
  const worker = workerOf(runtime);
  while (worker.inFlight.size > 0) await Promise.allSettled([...worker.inFlight]);
}

/** Finished asynchronous invocations, oldest first, optionally of one request or function. */
export function asyncOutcomes(
  runtime: SandboxRuntime,
  filter: { readonly requestId?: string; readonly functionArn?: string } = {},
): AsyncOutcome[] {
  return runtime.store
    .list<AsyncOutcome>(TABLES.outcomes)
    .filter(
      (o) =>
        (filter.requestId === undefined || o.requestId === filter.requestId) &&
        (filter.functionArn === undefined || o.functionArn === filter.functionArn),
    );
}

function start(runtime: SandboxRuntime, entry: QueuedInvocation): void {
  const worker = workerOf(runtime);
  if (worker.active.has(entry.key)) return;
  worker.active.add(entry.key);
  const run = runQueued(runtime, entry)
    .catch(() => undefined) // the store may close under a stopping sandbox: the event stays queued
    .finally(() => {
      worker.active.delete(entry.key);
      worker.inFlight.delete(run);
    });
  worker.inFlight.add(run);
  runtime.track(run);
}

async function runQueued(runtime: SandboxRuntime, initial: QueuedInvocation): Promise<void> {
  let entry = initial;
  const save = (next: QueuedInvocation): QueuedInvocation => {
    runtime.store.put(TABLES.queue, next.key, next);
    return next;
  };
  for (;;) {
    const wait = entry.notBefore - runtime.clock.nowMs();
    if (wait > 0) await runtime.clock.sleep(wait);
    const fn = getFunctionRecord(runtime, entry, entry.functionName);
    if (!fn) return finish(runtime, entry, undefined, 'FunctionDeleted');
    const maxAge = (fn.EventInvokeConfig?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000;
    const maxRetries = fn.EventInvokeConfig?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    if (runtime.clock.nowMs() - entry.enqueuedAt >= maxAge) return finish(runtime, entry, fn, 'EventAgeExceeded');
    if (fn.ReservedConcurrentExecutions === 0) return finish(runtime, entry, fn, 'ZeroReservedConcurrency');
    if (!acquire(runtime, fn)) {
      const backoff = Math.min(MAX_THROTTLE_BACKOFF_MS, 1000 * 2 ** entry.throttles);
      entry = save({ ...entry, throttles: entry.throttles + 1, notBefore: runtime.clock.nowMs() + backoff });
      continue;
    }
    let execution: Execution;
    try {
      execution = await execute(runtime, fn, parseStored(entry.payload), entry.requestId, entry.invokedArn);
    } finally {
      release(runtime, fn);
    }
    const attempts = entry.attempts + 1;
    const last = {
      payload: execution.payload,
      ...(execution.functionError ? { functionError: execution.functionError } : {}),
    };
    entry = { ...entry, attempts, last };
    if (!execution.functionError) return finish(runtime, entry, fn, 'Success');
    if (attempts > maxRetries) return finish(runtime, entry, fn, 'RetriesExhausted');
    const delay = RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)] as number;
    entry = save({ ...entry, notBefore: runtime.clock.nowMs() + delay });
  }
}

/** A stored payload's event (validated when it was accepted). */
function parseStored(payload: string): unknown {
  if (payload.trim() === '') return {};
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The invocation record Lambda sends to a destination. */
export function invocationRecord(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  entry: QueuedInvocation,
  condition: AsyncCondition,
): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: runtime.clock.now().toISOString(),
    requestContext: {
      requestId: entry.requestId,
      functionArn: `${fn.FunctionArn}:${LATEST}`,
      condition,
      approximateInvokeCount: entry.attempts,
    },
    requestPayload: parseStored(entry.payload),
    ...(entry.last
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: LATEST,
            ...(entry.last.functionError ? { functionError: entry.last.functionError } : {}),
          },
          responsePayload: parsed(entry.last.payload),
        }
      : {}),
  };
}

async function finish(
  runtime: SandboxRuntime,
  entry: QueuedInvocation,
  fn: FunctionRecord | undefined,
  condition: AsyncCondition,
): Promise<void> {
  const deliveries: Delivery[] = [];
  if (fn) {
    const record = invocationRecord(runtime, fn, entry, condition);
    const config = fn.EventInvokeConfig;
    if (condition === 'Success') {
      if (config?.OnSuccess) deliveries.push(await deliver(runtime, fn, 'OnSuccess', config.OnSuccess, record));
    } else {
      if (fn.DeadLetterTargetArn) {
        deliveries.push(await deliver(runtime, fn, 'DeadLetter', fn.DeadLetterTargetArn, parseStored(entry.payload)));
      }
      if (config?.OnFailure) deliveries.push(await deliver(runtime, fn, 'OnFailure', config.OnFailure, record));
    }
  }
  const seq = runtime.store.nextSequence(TABLES.outcomes);
  const outcome: AsyncOutcome = {
    seq,
    account: entry.account,
    region: entry.region,
    requestId: entry.requestId,
    functionArn: fn?.FunctionArn ?? entry.invokedArn.replace(/:\$LATEST$/, ''),
    condition,
    approximateInvokeCount: entry.attempts,
    enqueuedAt: new Date(entry.enqueuedAt).toISOString(),
    finishedAt: runtime.clock.now().toISOString(),
    deliveries,
  };
  runtime.store.transaction(() => {
    runtime.store.put(TABLES.outcomes, String(seq).padStart(12, '0'), outcome);
    if (seq > KEEP_ASYNC_OUTCOMES) {
      runtime.store.delete(TABLES.outcomes, String(seq - KEEP_ASYNC_OUTCOMES).padStart(12, '0'));
    }
    runtime.store.delete(TABLES.queue, entry.key);
  });
}
