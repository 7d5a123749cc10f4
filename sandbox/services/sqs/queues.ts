import type { SandboxRuntime } from '../../core/types';
import { applyAttributes, checkAttributes, DEFAULT_ATTRIBUTES, differingAttribute } from './attributes';
import { InvalidParameterValue, PurgeQueueInProgress, QueueDeletedRecently, QueueNameExists } from './errors';
import { purgeMessages } from './messages';
import { getQueue, putQueue, type QueueRecord, type QueueScope, queueArn, queueKey, SQS_TABLES } from './model';

/**
 * Queue lifecycle shared by the API and the CloudFormation providers: create (idempotent when the
 * given attributes match), set attributes, tag, purge, delete. Every check is here, so a template
 * that AWS would refuse fails its resource with the API's own error.
 */

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** SQS refuses a deleted queue's name for this long. */
export const DELETED_NAME_HOLD_MS = 60_000;
/** And one PurgeQueue per queue per this long. */
export const PURGE_INTERVAL_MS = 60_000;

interface DeletedName {
  readonly deletedAtMs: number;
}

/** Tags as a string map, whatever shape they came in (`{ k: v }`, `[{ Key, Value }]`). */
export function tagMap(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) {
    const out: Record<string, string> = {};
    for (const t of raw as { Key?: unknown; Value?: unknown }[]) {
      if (t && typeof t.Key === 'string') out[t.Key] = String(t.Value ?? '');
    }
    return out;
  }
  if (typeof raw !== 'object') throw new InvalidParameterValue('Tags must be a map of keys to values.');
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
}

/**
 * CreateQueue: a new standard queue, or the existing one when every given attribute has the same
 * value (`QueueNameExists` naming the first that differs otherwise). A name deleted less than 60
 * seconds ago (sandbox clock) is `QueueDeletedRecently`.
 */
export function createQueue(
  runtime: SandboxRuntime,
  scope: QueueScope,
  name: string,
  attributes: Readonly<Record<string, unknown>> = {},
  tags: Readonly<Record<string, string>> = {},
): { queue: QueueRecord; created: boolean } {
  if (!QUEUE_NAME.test(name)) {
    throw new InvalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  const checked = checkAttributes(attributes, true);
  const existing = getQueue(runtime, scope, name);
  if (existing) {
    const differs = differingAttribute(existing, checked);
    if (differs) throw new QueueNameExists(differs);
    return { queue: existing, created: false };
  }
  const now = runtime.clock.nowMs();
  const deleted = runtime.store.get<DeletedName>(SQS_TABLES.deleted, queueKey(scope, name));
  if (deleted && now < deleted.deletedAtMs + DELETED_NAME_HOLD_MS) throw new QueueDeletedRecently();
  const seconds = Math.floor(now / 1000);
  const queue: QueueRecord = {
    account: scope.account,
    region: scope.region,
    name,
    arn: queueArn(scope, name),
    attributes: applyAttributes(DEFAULT_ATTRIBUTES, checked),
    createdTimestamp: seconds,
    lastModifiedTimestamp: seconds,
    tags: { ...tags },
  };
  putQueue(runtime, queue);
  return { queue, created: true };
}

/** SetQueueAttributes: checked as CreateQueue checks them; LastModifiedTimestamp moves. */
export function setQueueAttributes(
  runtime: SandboxRuntime,
  queue: QueueRecord,
  attributes: Readonly<Record<string, unknown>>,
): QueueRecord {
  const checked = checkAttributes(attributes, false);
  const next: QueueRecord = {
    ...queue,
    attributes: applyAttributes(queue.attributes, checked),
    lastModifiedTimestamp: Math.floor(runtime.clock.nowMs() / 1000),
  };
  putQueue(runtime, next);
  return next;
}

/** TagQueue / UntagQueue. */
export function tagQueue(
  runtime: SandboxRuntime,
  queue: QueueRecord,
  add: Readonly<Record<string, string>>,
  remove: readonly string[] = [],
): QueueRecord {
  const tags: Record<string, string> = { ...queue.tags, ...add };
  for (const k of remove) delete tags[k];
  const next: QueueRecord = { ...queue, tags };
  putQueue(runtime, next);
  return next;
}

/** PurgeQueue: every message goes; a second purge within 60 seconds is `PurgeQueueInProgress`. */
export function purgeQueue(runtime: SandboxRuntime, queue: QueueRecord): void {
  const now = runtime.clock.nowMs();
  if (queue.lastPurgeMs !== undefined && now < queue.lastPurgeMs + PURGE_INTERVAL_MS) {
    throw new PurgeQueueInProgress(queue.name);
  }
  runtime.store.transaction(() => {
    purgeMessages(runtime, queue);
    putQueue(runtime, { ...queue, lastPurgeMs: now });
  });
}

/** DeleteQueue: the queue and its messages; the name is held for 60 seconds. */
export function deleteQueue(runtime: SandboxRuntime, queue: QueueRecord): void {
  runtime.store.transaction(() => {
    purgeMessages(runtime, queue);
    runtime.store.delete(SQS_TABLES.queues, queueKey(queue, queue.name));
    runtime.store.put<DeletedName>(SQS_TABLES.deleted, queueKey(queue, queue.name), {
      deletedAtMs: runtime.clock.nowMs(),
    });
  });
}
