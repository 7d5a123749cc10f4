import { createHash } from 'node:crypto';
import type { SandboxRuntime } from '../../core/types';
import {
  BatchEntryIdsNotDistinct,
  EmptyBatchRequest,
  InvalidBatchEntryId,
  InvalidMessageContents,
  InvalidParameterValue,
  invalidValue,
  MessageNotInflight,
  MissingParameter,
  ReceiptHandleIsInvalid,
  TooManyEntriesInBatchRequest,
} from './errors';
import {
  getQueue,
  type MessageAttributeValue,
  type MessageRecord,
  messagePrefix,
  parseQueueArn,
  type QueueRecord,
  queueMessages,
  SQS_TABLES,
  seededUuid,
} from './model';

/**
 * Messages: what SendMessage accepts (body characters, size, attributes, delay), how ReceiveMessage
 * hands them out (visibility timeouts and retention on the sandbox clock, redrive to a dead-letter
 * queue past `maxReceiveCount`), and the receipt handles that DeleteMessage and
 * ChangeMessageVisibility take. Standard-queue semantics, with one copy of each message.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: SQS's allowed set (API reference, SendMessage) includes tab, LF and CR
const BODY_CHARACTERS = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const ATTRIBUTE_NAME = /^[\u00c0-\u017fa-zA-Z0-9_.-]*$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const GROUP_ID = /^[0-9a-zA-Z!"#$%&'()*+,./:;<=>?@[\\\]^_`{|}~-]{1,128}$/;
export const MAX_ATTRIBUTES = 10;
export const MAX_BATCH = 10;
/** The largest batch SQS takes, all messages together. */
export const MAX_BATCH_BYTES = 1_048_576;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** What a sender gives for one message. */
export interface OutgoingMessage {
  readonly body: string;
  readonly delaySeconds?: number;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly traceHeader?: string;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly senderId: string;
}

/** The MD5 hex digest of a string. */
export const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function lengthPrefixed(hash: ReturnType<typeof createHash>, value: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length, 0);
  hash.update(length);
  hash.update(value);
}

/**
 * `MD5OfMessageAttributes`: for each attribute by name, the length-prefixed name, data type, a
 * transport byte (1 string, 2 binary) and the length-prefixed value (SQS developer guide,
 * "Calculating the MD5 message digest for message attributes").
 */
export function md5OfAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(hash, Buffer.from(name, 'utf8'));
    lengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.StringValue !== undefined && value.StringValue !== '') {
      hash.update(Buffer.from([1]));
      lengthPrefixed(hash, Buffer.from(value.StringValue, 'utf8'));
    } else if (value.BinaryValue !== undefined && value.BinaryValue !== '') {
      hash.update(Buffer.from([2]));
      lengthPrefixed(hash, Buffer.from(value.BinaryValue, 'base64'));
    }
  }
  return hash.digest('hex');
}

/** Message attributes checked as SQS checks them (names, data types, non-empty values, at most 10). */
export function checkMessageAttributes(raw: unknown): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidParameterValue('MessageAttributes must be a map.');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_ATTRIBUTES) {
    throw new InvalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (bytes(name) >= 256)
      throw new InvalidParameterValue('Message (user) attribute names must be shorter than 256 Bytes');
    if (!ATTRIBUTE_NAME.test(name.toLowerCase())) {
      throw new InvalidParameterValue(
        'Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores. ',
      );
    }
    const lower = name.toLowerCase();
    if (lower.startsWith('aws.') || lower.startsWith('amazon.') || name.startsWith('.') || name.endsWith('.')) {
      throw new InvalidParameterValue(
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.",
      );
    }
    const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    const dataType = typeof v.DataType === 'string' ? v.DataType : '';
    if (dataType === '')
      throw new InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (!ATTRIBUTE_TYPE.test(dataType)) {
      throw new InvalidParameterValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const base = dataType.split('.')[0] as 'String' | 'Number' | 'Binary';
    if (base === 'Binary') {
      const binary = typeof v.BinaryValue === 'string' ? v.BinaryValue : '';
      if (binary === '')
        throw new InvalidParameterValue(
          `Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`,
        );
      out[name] = { DataType: dataType, BinaryValue: binary };
    } else {
      const text = typeof v.StringValue === 'string' ? v.StringValue : '';
      if (text === '')
        throw new InvalidParameterValue(
          `Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`,
        );
      if (!BODY_CHARACTERS.test(text)) throw new InvalidMessageContents();
      out[name] = { DataType: dataType, StringValue: text };
    }
  }
  return out;
}

/** The bytes a message counts against MaximumMessageSize: its body and every attribute's name, type and value. */
export function messageSize(body: string, attributes?: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = bytes(body);
  for (const [name, v] of Object.entries(attributes ?? {})) {
    size += bytes(name) + bytes(v.DataType);
    if (v.StringValue !== undefined) size += bytes(v.StringValue);
    if (v.BinaryValue !== undefined) size += Buffer.from(v.BinaryValue, 'base64').length;
  }
  return size;
}

/** Checks a message against its queue (body, size, delay, FIFO-only parameters). */
export function checkMessage(queue: QueueRecord, message: OutgoingMessage): void {
  if (message.body === '') throw new MissingParameter('MessageBody');
  const limit = Number(queue.attributes.MaximumMessageSize ?? 1_048_576);
  if (messageSize(message.body, message.messageAttributes) > limit) {
    throw new InvalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
    );
  }
  if (!BODY_CHARACTERS.test(message.body)) throw new InvalidMessageContents();
  if (message.delaySeconds !== undefined && (message.delaySeconds < 0 || message.delaySeconds > 900)) {
    throw invalidValue('DelaySeconds', message.delaySeconds, 'DelaySeconds must be >= 0 and <= 900.');
  }
  if (message.messageGroupId !== undefined && !GROUP_ID.test(message.messageGroupId)) {
    throw invalidValue(
      'MessageGroupId',
      message.messageGroupId,
      'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  if (message.messageDeduplicationId !== undefined) {
    throw invalidValue(
      'MessageDeduplicationId',
      message.messageDeduplicationId,
      'The request includes a parameter that is not valid for this queue type.',
    );
  }
}

/** Puts a checked message on its queue; returns the stored record. */
export function enqueue(runtime: SandboxRuntime, queue: QueueRecord, message: OutgoingMessage): MessageRecord {
  const now = runtime.clock.nowMs();
  const delay = message.delaySeconds ?? Number(queue.attributes.DelaySeconds ?? 0);
  const key = `${messagePrefix(queue)}${String(runtime.store.nextSequence('sqs.message')).padStart(16, '0')}`;
  const md5OfMessageAttributes = message.messageAttributes ? md5OfAttributes(message.messageAttributes) : undefined;
  const record: MessageRecord = {
    key,
    messageId: seededUuid(runtime),
    body: message.body,
    md5OfBody: md5(message.body),
    ...(message.messageAttributes ? { messageAttributes: message.messageAttributes } : {}),
    ...(md5OfMessageAttributes ? { md5OfMessageAttributes } : {}),
    ...(message.traceHeader ? { traceHeader: message.traceHeader } : {}),
    ...(message.messageGroupId ? { messageGroupId: message.messageGroupId } : {}),
    senderId: message.senderId,
    sentAtMs: now,
    visibleAtMs: now + delay * 1000,
    receiveCount: 0,
  };
  runtime.store.put(SQS_TABLES.messages, key, record);
  return record;
}

/** The queue's messages still retained (expired ones are dropped from the store on the way). */
function liveMessages(runtime: SandboxRuntime, queue: QueueRecord, now: number): MessageRecord[] {
  const retentionMs = Number(queue.attributes.MessageRetentionPeriod ?? 345_600) * 1000;
  const live: MessageRecord[] = [];
  for (const m of queueMessages(runtime, queue)) {
    if (m.sentAtMs + retentionMs <= now) runtime.store.delete(SQS_TABLES.messages, m.key);
    else live.push(m);
  }
  return live;
}

/** ApproximateNumberOfMessages (visible), …Delayed (never received, still delayed), …NotVisible (in flight). */
export function messageCounts(
  runtime: SandboxRuntime,
  queue: QueueRecord,
): { visible: number; delayed: number; inFlight: number } {
  const now = runtime.clock.nowMs();
  let visible = 0;
  let delayed = 0;
  let inFlight = 0;
  for (const m of liveMessages(runtime, queue, now)) {
    if (m.visibleAtMs <= now) visible++;
    else if (m.receiveCount === 0) delayed++;
    else inFlight++;
  }
  return { visible, delayed, inFlight };
}

function receiptHandle(runtime: SandboxRuntime, queue: QueueRecord, m: MessageRecord, count: number): string {
  return Buffer.from(`${seededUuid(runtime)} ${queue.arn} ${m.messageId} ${count}`, 'utf8').toString('base64');
}

/** The message id a receipt handle of this queue names; `ReceiptHandleIsInvalid` when it is not one. */
function handleTarget(queue: QueueRecord, handle: string): string {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
  if (parts.length !== 4 || parts[1] !== queue.arn || !parseQueueArn(parts[1] as string)) {
    throw new ReceiptHandleIsInvalid(handle);
  }
  return parts[2] as string;
}

/** What ReceiveMessage asks for. */
export interface ReceiveRequest {
  readonly maxMessages: number;
  readonly visibilityTimeout?: number;
}

/** A message as it is handed out: the stored record after this receive. */
export type ReceivedMessage = MessageRecord & { readonly receiptHandle: string };

/**
 * Hands out up to `maxMessages` visible messages in send order, hiding each for the visibility
 * timeout (the request's, else the queue's). A message received more than the redrive policy's
 * `maxReceiveCount` times moves to the dead-letter queue instead (when that queue exists).
 */
export function receive(runtime: SandboxRuntime, queue: QueueRecord, request: ReceiveRequest): ReceivedMessage[] {
  const now = runtime.clock.nowMs();
  const timeout = request.visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout ?? 30);
  const redrive = queue.attributes.RedrivePolicy
    ? (JSON.parse(queue.attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number })
    : undefined;
  const out: ReceivedMessage[] = [];
  for (const m of liveMessages(runtime, queue, now)) {
    if (out.length >= request.maxMessages) break;
    if (m.visibleAtMs > now) continue;
    const count = m.receiveCount + 1;
    if (
      redrive &&
      count > redrive.maxReceiveCount &&
      moveToDeadLetterQueue(runtime, queue, m, redrive.deadLetterTargetArn)
    ) {
      continue;
    }
    const handle = receiptHandle(runtime, queue, m, count);
    const next: ReceivedMessage = {
      ...m,
      receiveCount: count,
      firstReceivedAtMs: m.firstReceivedAtMs ?? now,
      visibleAtMs: now + timeout * 1000,
      receiptHandle: handle,
    };
    runtime.store.put(SQS_TABLES.messages, m.key, next);
    out.push(next);
  }
  return out;
}

function moveToDeadLetterQueue(runtime: SandboxRuntime, from: QueueRecord, m: MessageRecord, dlqArn: string): boolean {
  const target = parseQueueArn(dlqArn);
  const dlq = target ? getQueue(runtime, target, target.name) : undefined;
  if (!dlq) return false;
  const key = `${messagePrefix(dlq)}${String(runtime.store.nextSequence('sqs.message')).padStart(16, '0')}`;
  const { receiptHandle: _handle, ...rest } = m;
  runtime.store.transaction(() => {
    runtime.store.delete(SQS_TABLES.messages, m.key);
    runtime.store.put<MessageRecord>(SQS_TABLES.messages, key, {
      ...rest,
      key,
      visibleAtMs: runtime.clock.nowMs(),
      deadLetterQueueSourceArn: from.arn,
    });
  });
  return true;
}

/**
 * DeleteMessage: a handle of another queue (or none at all) is `ReceiptHandleIsInvalid`; the latest
 * handle of a message deletes it; an older handle, or one of a message already gone, succeeds and
 * deletes nothing (API reference: "the request succeeds, but the message will not be deleted").
 */
export function deleteMessage(runtime: SandboxRuntime, queue: QueueRecord, handle: string): void {
  const messageId = handleTarget(queue, handle);
  const m = queueMessages(runtime, queue).find((x) => x.messageId === messageId);
  if (m && m.receiptHandle === handle) runtime.store.delete(SQS_TABLES.messages, m.key);
}

/** ChangeMessageVisibility: hides (or, with 0, releases) an in-flight message from now on. */
export function changeVisibility(runtime: SandboxRuntime, queue: QueueRecord, handle: string, timeout: number): void {
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200) {
    throw invalidValue('VisibilityTimeout', timeout, 'Must be >= 0 and <= 43200, if provided.');
  }
  const messageId = handleTarget(queue, handle);
  const now = runtime.clock.nowMs();
  const m = queueMessages(runtime, queue).find((x) => x.messageId === messageId);
  if (!m || m.receiptHandle !== handle) {
    throw invalidValue(
      'ReceiptHandle',
      handle,
      'Message does not exist or is not available for visibility timeout change.',
    );
  }
  if (m.visibleAtMs <= now) throw new MessageNotInflight();
  runtime.store.put<MessageRecord>(SQS_TABLES.messages, m.key, { ...m, visibleAtMs: now + timeout * 1000 });
}

/** Removes every message of a queue. */
export function purgeMessages(runtime: SandboxRuntime, queue: QueueRecord): void {
  for (const m of queueMessages(runtime, queue)) runtime.store.delete(SQS_TABLES.messages, m.key);
}

/** A batch's entries checked as SQS checks them (1–10, ids of letters, digits, `-`, `_`, distinct). */
export function checkBatch<T extends { Id?: unknown }>(raw: unknown, entryName: string): (T & { Id: string })[] {
  const entries = Array.isArray(raw) ? (raw as T[]) : [];
  if (entries.length === 0) throw new EmptyBatchRequest(entryName);
  if (entries.length > MAX_BATCH) throw new TooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = e?.Id;
    if (typeof id !== 'string' || !BATCH_ID.test(id)) throw new InvalidBatchEntryId();
    if (seen.has(id)) throw new BatchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries as (T & { Id: string })[];
}
