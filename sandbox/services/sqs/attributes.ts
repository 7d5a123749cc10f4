import { MalformedPolicyError, parsePolicy } from '../../policy';
import {
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidParameterValue,
  invalidValue,
  UnsupportedOperation,
} from './errors';
import type { QueueRecord } from './model';

/**
 * Queue attributes (API reference, CreateQueue and SetQueueAttributes): which a caller may set, their
 * ranges, their defaults, and how GetQueueAttributes reports them. Standard queues only: FIFO queues
 * are not modelled (`FifoQueue=true` is refused as unsupported).
 */

/** Integer attributes and their valid ranges. */
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

/** What a new standard queue has (MaximumMessageSize: 1 MiB since August 2025). */
export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

/** Attributes a caller may set on a standard queue. */
const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
]);

/** Attributes SQS computes: readable, never settable ("Unknown Attribute …"). */
const COMPUTED = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Every name GetQueueAttributes accepts. */
const READABLE = new Set<string>([
  'All',
  ...SETTABLE,
  ...COMPUTED,
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

const FIFO_ONLY = new Set(['DeduplicationScope', 'FifoThroughputLimit']);

function checkInteger(name: string, value: string): string {
  const range = INTEGER_RANGES[name] as readonly [number, number];
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < range[0] || n > range[1])
    throw new InvalidAttributeValue(name);
  return String(n);
}

function checkPolicy(value: string): string {
  try {
    parsePolicy(value, 'resource', { kind: 'resource', name: 'Policy' });
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw new InvalidAttributeValue('Policy');
    throw error;
  }
  return value;
}

/** A redrive policy's JSON, checked as SQS checks it (`deadLetterTargetArn`, `maxReceiveCount` 1–1000). */
function checkRedrivePolicy(value: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw invalidValue('RedrivePolicy', value, 'Redrive policy is not a valid JSON map.');
  }
  const policy = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  if (typeof policy.deadLetterTargetArn !== 'string' || policy.deadLetterTargetArn === '')
    throw new InvalidParameterValue("The required parameter 'deadLetterTargetArn' is missing");
  if (policy.maxReceiveCount === undefined)
    throw new InvalidParameterValue("The required parameter 'maxReceiveCount' is missing");
  const count = Number(policy.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidValue(
      'RedrivePolicy',
      value,
      `Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  return JSON.stringify({ deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count });
}

/**
 * Validates attributes a caller sets (CreateQueue, SetQueueAttributes) and returns them normalised.
 * An empty `Policy`, `RedrivePolicy` or `KmsMasterKeyId` removes it (`null` in the result).
 *
 * @param creating - CreateQueue accepts `FifoQueue=false`; SetQueueAttributes does not know it
 */
export function checkAttributes(
  attributes: Readonly<Record<string, unknown>>,
  creating: boolean,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
    if (name === 'FifoQueue' && creating) {
      if (value.toLowerCase() === 'true')
        throw new UnsupportedOperation('FIFO queues are not modelled by the vendguard sandbox.');
      if (value.toLowerCase() !== 'false') throw new InvalidAttributeValue('FifoQueue');
      continue;
    }
    if (FIFO_ONLY.has(name))
      throw new InvalidAttributeName(`You can specify the ${name} only when FifoQueue is set to true.`);
    if (!SETTABLE.has(name)) throw new InvalidAttributeName(`Unknown Attribute ${name}.`);
    if (name in INTEGER_RANGES) out[name] = checkInteger(name, value);
    else if (name === 'SqsManagedSseEnabled') {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw new InvalidAttributeValue(name);
      out[name] = v;
    } else if (name === 'Policy') out[name] = value === '' ? null : checkPolicy(value);
    else if (name === 'RedrivePolicy') out[name] = value === '' ? null : checkRedrivePolicy(value);
    else if (name === 'RedriveAllowPolicy') {
      if (value !== '') {
        try {
          JSON.parse(value);
        } catch {
          throw new InvalidAttributeValue(name);
        }
      }
      out[name] = value === '' ? null : value;
    } else out[name] = value === '' ? null : value;
  }
  return out;
}

/** The stored attributes after applying checked changes (a `null` removes an attribute). */
export function applyAttributes(
  current: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  // SSE-SQS and SSE-KMS exclude each other: a KMS key set without SqsManagedSseEnabled turns SSE-SQS off
  if (changes.KmsMasterKeyId && changes.SqsManagedSseEnabled === undefined) next.SqsManagedSseEnabled = 'false';
  if (!next.KmsMasterKeyId) delete next.KmsDataKeyReusePeriodSeconds;
  else next.KmsDataKeyReusePeriodSeconds ??= '300';
  return next;
}

/** The counts GetQueueAttributes computes. */
export interface QueueCounts {
  readonly visible: number;
  readonly delayed: number;
  readonly inFlight: number;
}

/**
 * GetQueueAttributes: the named attributes (or every one for `All`) that the queue has, in
 * alphabetical order as SQS lists them. An unknown name is `InvalidAttributeName`.
 */
export function readAttributes(
  queue: QueueRecord,
  names: readonly string[],
  counts: QueueCounts,
): Record<string, string> {
  for (const name of names) if (!READABLE.has(name)) throw new InvalidAttributeName(`Unknown Attribute ${name}.`);
  if (names.length === 0) return {};
  const all: Record<string, string> = {
    ...queue.attributes,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    CreatedTimestamp: String(queue.createdTimestamp),
    LastModifiedTimestamp: String(queue.lastModifiedTimestamp),
    QueueArn: queue.arn,
  };
  const wanted = names.includes('All') ? Object.keys(all) : names;
  const out: Record<string, string> = {};
  for (const name of [...new Set(wanted)].sort()) {
    const value = all[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The attribute CreateQueue finds different on an existing queue, or undefined when every given
 * attribute matches (CreateQueue is then idempotent).
 */
export function differingAttribute(
  queue: QueueRecord,
  checked: Readonly<Record<string, string | null>>,
): string | undefined {
  const effective = { ...DEFAULT_ATTRIBUTES, ...queue.attributes };
  for (const [name, value] of Object.entries(checked)) {
    const current = effective[name];
    if (name === 'Policy' && value !== null && current !== undefined) {
      if (JSON.stringify(JSON.parse(value)) !== JSON.stringify(JSON.parse(current))) return name;
      continue;
    }
    if ((current ?? null) !== value) return name;
  }
  return undefined;
}
