import type { SandboxRuntime } from '../../core/types';
import { type CompiledPolicy, parsePolicy } from '../../policy';
import { InvalidAddress, QueueDoesNotExist } from './errors';

/**
 * The SQS model: queues and their messages in the store, each in its account and region. A queue is
 * `sqs.queues` `<account>/<region>/<name>`; its messages are `sqs.messages`
 * `<account>/<region>/<name>/<sequence>` (in send order); a deleted name is remembered in
 * `sqs.deleted` for the 60 seconds SQS refuses to reuse it. Times are the sandbox clock's.
 */

export const SQS_TABLES = {
  queues: 'sqs.queues',
  messages: 'sqs.messages',
  deleted: 'sqs.deleted',
} as const;

/** Where a queue lives. */
export interface QueueScope {
  readonly account: string;
  readonly region: string;
}

export interface QueueRecord extends QueueScope {
  readonly name: string;
  readonly arn: string;
  /** The attributes a caller set (or their defaults), as SQS reports them: strings. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly createdTimestamp: number;
  readonly lastModifiedTimestamp: number;
  readonly tags: Readonly<Record<string, string>>;
  /** When the last PurgeQueue ran (simulated ms). */
  readonly lastPurgeMs?: number;
}

/** A message attribute as the JSON protocol carries it (`BinaryValue` base64). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface MessageRecord {
  /** The store id (`<queue key>/<sequence>`). */
  readonly key: string;
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfMessageAttributes?: string;
  /** `AWSTraceHeader`, when the sender set it. */
  readonly traceHeader?: string;
  readonly senderId: string;
  readonly sentAtMs: number;
  /** The message is delayed or in flight until then. */
  readonly visibleAtMs: number;
  readonly receiveCount: number;
  readonly firstReceivedAtMs?: number;
  /** The handle of the latest receive (only it deletes the message). */
  readonly receiptHandle?: string;
  /** The queue a message came from when a redrive policy moved it here. */
  readonly deadLetterQueueSourceArn?: string;
  readonly messageGroupId?: string;
}

export const queueKey = (scope: QueueScope, name: string): string => `${scope.account}/${scope.region}/${name}`;
export const messagePrefix = (queue: QueueRecord): string => `${queueKey(queue, queue.name)}/`;
export const queueArn = (scope: QueueScope, name: string): string =>
  `arn:aws:sqs:${scope.region}:${scope.account}:${name}`;

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;

/** The scope and name of a queue ARN, or undefined. */
export function parseQueueArn(arn: string): (QueueScope & { name: string }) | undefined {
  const m = QUEUE_ARN.exec(arn);
  return m ? { region: m[1] as string, account: m[2] as string, name: m[3] as string } : undefined;
}

/** The endpoint queue URLs start with: the running sandbox's, else the default port's. */
export function sqsEndpoint(runtime: SandboxRuntime): string {
  const endpoint = (runtime as { endpoint?: unknown }).endpoint;
  return typeof endpoint === 'string' ? endpoint.replace(/\/+$/, '') : 'http://127.0.0.1:4566';
}

/** `<endpoint>/<account>/<name>`: a queue URL as the sandbox hands it out. */
export function queueUrl(runtime: SandboxRuntime, queue: { account: string; name: string }): string {
  return `${sqsEndpoint(runtime)}/${queue.account}/${queue.name}`;
}

/**
 * The account and name a queue URL names (its path `/<account>/<name>`, whatever the host: a URL
 * from before a restart on another port still names the same queue). Anything else is `InvalidAddress`.
 */
export function parseQueueUrl(url: string): { account: string; name: string } {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new InvalidAddress(url);
  }
  const m = /^\/(\d{12})\/([A-Za-z0-9_.-]{1,80})\/?$/.exec(path);
  if (!m) throw new InvalidAddress(url);
  return { account: m[1] as string, name: m[2] as string };
}

export function getQueue(runtime: SandboxRuntime, scope: QueueScope, name: string): QueueRecord | undefined {
  return runtime.store.get<QueueRecord>(SQS_TABLES.queues, queueKey(scope, name));
}

/** The queue a URL names in the call's region, or `QueueDoesNotExist`. */
export function queueByUrl(runtime: SandboxRuntime, region: string, url: string): QueueRecord {
  const { account, name } = parseQueueUrl(url);
  const queue = getQueue(runtime, { account, region }, name);
  if (!queue) throw new QueueDoesNotExist();
  return queue;
}

export function putQueue(runtime: SandboxRuntime, queue: QueueRecord): void {
  runtime.store.put(SQS_TABLES.queues, queueKey(queue, queue.name), queue);
}

/** Every queue of an account and region, in creation order. */
export function listQueueRecords(runtime: SandboxRuntime, scope: QueueScope): QueueRecord[] {
  return runtime.store.list<QueueRecord>(SQS_TABLES.queues, `${scope.account}/${scope.region}/`);
}

export function queueMessages(runtime: SandboxRuntime, queue: QueueRecord): MessageRecord[] {
  return runtime.store.list<MessageRecord>(SQS_TABLES.messages, messagePrefix(queue));
}

/** The queue's resource policy, compiled (undefined without one, or if it no longer compiles). */
export function queuePolicy(queue: QueueRecord): CompiledPolicy | undefined {
  const text = queue.attributes.Policy;
  if (!text) return undefined;
  try {
    return parsePolicy(text, 'resource', { kind: 'resource', name: `${queue.arn} policy` });
  } catch {
    return undefined;
  }
}

/** A v4 UUID from the sandbox's seeded generator. */
export function seededUuid(runtime: SandboxRuntime): string {
  let h = '';
  for (let i = 0; i < 32; i++) h += Math.floor(runtime.random() * 16).toString(16);
  const variant = '89ab'[Math.floor(runtime.random() * 4)] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}
