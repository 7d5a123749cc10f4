import { pageAt } from '../../core/paging';
import type { OperationHandler, RequestContext } from '../../core/types';
import { readAttributes } from './attributes';
import {
  BatchRequestTooLong,
  InvalidParameterValue,
  invalidValue,
  MissingParameter,
  QueueDoesNotExist,
  type SqsError,
} from './errors';
import {
  changeVisibility,
  checkBatch,
  checkMessage,
  checkMessageAttributes,
  deleteMessage,
  enqueue,
  MAX_BATCH_BYTES,
  md5OfAttributes,
  messageCounts,
  messageSize,
  type OutgoingMessage,
  type ReceivedMessage,
  receive,
} from './messages';
import { getQueue, listQueueRecords, type MessageAttributeValue, queueByUrl, queueUrl } from './model';
import { createQueue, deleteQueue, purgeQueue, setQueueAttributes, tagMap, tagQueue } from './queues';

/**
 * The SQS API actions (standard queues), one function per action, on the JSON input shape (the
 * query codec turns a query form into it). Queues belong to the caller's account and the call's
 * region unless a queue URL names another account (authorized by the queue's policy).
 */

type Input = Record<string, unknown>;

function requiredString(input: Input, name: string): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw new MissingParameter(name);
  if (typeof v !== 'string') throw invalidValue(name, v, 'Must be a string.');
  return v;
}

function optionalString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** An integer member: a JSON number or a query string of digits. */
function optionalInt(input: Input, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw invalidValue(name, v, 'Must be an integer.');
  return n;
}

function stringList(input: Input, name: string): string[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

function stringMap(input: Input, name: string): Record<string, unknown> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue(name, v, 'Must be a map.');
  return v as Record<string, unknown>;
}

const scopeOf = (ctx: RequestContext) => ({ account: ctx.principal.accountId, region: ctx.region });
const queueOf = (input: Input, ctx: RequestContext) =>
  queueByUrl(ctx.runtime, ctx.region, requiredString(input, 'QueueUrl'));

/** The message a SendMessage input or a batch entry describes. */
function outgoing(input: Input, ctx: RequestContext): OutgoingMessage {
  const body = input.MessageBody;
  if (body === undefined || body === null || body === '') throw new MissingParameter('MessageBody');
  const messageAttributes = checkMessageAttributes(input.MessageAttributes);
  const system = stringMap(input, 'MessageSystemAttributes');
  for (const name of Object.keys(system)) {
    if (name !== 'AWSTraceHeader')
      throw invalidValue('MessageSystemAttributes', name, 'Only AWSTraceHeader is supported.');
  }
  const trace = (system.AWSTraceHeader as MessageAttributeValue | undefined)?.StringValue;
  const delaySeconds = optionalInt(input, 'DelaySeconds');
  const messageGroupId = optionalString(input, 'MessageGroupId');
  const messageDeduplicationId = optionalString(input, 'MessageDeduplicationId');
  return {
    body: String(body),
    senderId: ctx.principal.principalId,
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    ...(messageAttributes ? { messageAttributes } : {}),
    ...(trace ? { traceHeader: trace } : {}),
    ...(messageGroupId !== undefined ? { messageGroupId } : {}),
    ...(messageDeduplicationId !== undefined ? { messageDeduplicationId } : {}),
  };
}

/** A batch entry's failure as SQS reports it (`BatchResultErrorEntry`). */
function failedEntry(id: string, error: unknown): Record<string, unknown> {
  const e = error as Partial<SqsError>;
  return {
    Id: id,
    SenderFault: (e.status ?? 400) < 500,
    Code: e.queryCode ?? e.code ?? 'InternalError',
    Message: e.message ?? String(error),
  };
}

/** The system attributes of a received message that were asked for (`All` or by name). */
function systemAttributes(m: ReceivedMessage, names: readonly string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all: Record<string, string> = {
    SenderId: m.senderId,
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAtMs ?? m.sentAtMs),
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentAtMs),
    ...(m.traceHeader ? { AWSTraceHeader: m.traceHeader } : {}),
    ...(m.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn } : {}),
    ...(m.messageGroupId ? { MessageGroupId: m.messageGroupId } : {}),
  };
  const wanted = names.includes('All') ? Object.keys(all) : names;
  const out: Record<string, string> = {};
  for (const name of wanted) if (all[name] !== undefined) out[name] = all[name] as string;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The message attributes asked for: `All`, `.*`, `prefix.*` or names. */
function selectedAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  names: readonly string[],
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || names.length === 0) return undefined;
  const all = names.some((n) => n === 'All' || n === '.*');
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -2));
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (all || names.includes(k) || prefixes.some((p) => k.startsWith(p))) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export const CreateQueue: OperationHandler = (input, ctx) => {
  const name = requiredString(input, 'QueueName');
  const { queue } = createQueue(
    ctx.runtime,
    scopeOf(ctx),
    name,
    stringMap(input, 'Attributes'),
    tagMap(input.tags ?? input.Tags),
  );
  return { QueueUrl: queueUrl(ctx.runtime, queue) };
};

export const GetQueueUrl: OperationHandler = (input, ctx) => {
  const name = requiredString(input, 'QueueName');
  const owner = optionalString(input, 'QueueOwnerAWSAccountId') ?? ctx.principal.accountId;
  const queue = getQueue(ctx.runtime, { account: owner, region: ctx.region }, name);
  if (!queue) throw new QueueDoesNotExist();
  return { QueueUrl: queueUrl(ctx.runtime, queue) };
};

export const ListQueues: OperationHandler = (input, ctx) => {
  const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
  const max = optionalInt(input, 'MaxResults');
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw invalidValue('MaxResults', max, 'MaxResults must be an integer between 1 and 1000.');
  }
  const urls = listQueueRecords(ctx.runtime, scopeOf(ctx))
    .filter((q) => q.name.startsWith(prefix))
    .map((q) => queueUrl(ctx.runtime, q));
  const token = optionalString(input, 'NextToken') || undefined;
  const { page, next } = pageAt(urls, token, max ?? 1000, () => new InvalidParameterValue('Invalid NextToken value.'));
  return {
    ...(page.length > 0 ? { QueueUrls: page } : {}),
    // without MaxResults SQS answers at most 1,000 URLs and no token
    ...(next && max !== undefined ? { NextToken: next } : {}),
  };
};

export const GetQueueAttributes: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const attributes = readAttributes(queue, stringList(input, 'AttributeNames'), messageCounts(ctx.runtime, queue));
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
};

export const SetQueueAttributes: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  if (input.Attributes === undefined || input.Attributes === null) throw new MissingParameter('Attributes');
  setQueueAttributes(ctx.runtime, queue, stringMap(input, 'Attributes'));
  return {};
};

export const DeleteQueue: OperationHandler = (input, ctx) => {
  deleteQueue(ctx.runtime, queueOf(input, ctx));
  return {};
};

export const PurgeQueue: OperationHandler = (input, ctx) => {
  purgeQueue(ctx.runtime, queueOf(input, ctx));
  return {};
};

export const SendMessage: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const message = outgoing(input, ctx);
  checkMessage(queue, message);
  const m = enqueue(ctx.runtime, queue, message);
  const system = m.traceHeader
    ? md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: m.traceHeader } })
    : undefined;
  return {
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    ...(system ? { MD5OfMessageSystemAttributes: system } : {}),
    MessageId: m.messageId,
  };
};

export const SendMessageBatch: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const entries = checkBatch<Input>(input.Entries, 'SendMessageBatchRequestEntry');
  const total = entries.reduce(
    (sum, e) =>
      sum +
      messageSize(
        typeof e.MessageBody === 'string' ? e.MessageBody : '',
        (e.MessageAttributes ?? undefined) as Record<string, MessageAttributeValue> | undefined,
      ),
    0,
  );
  if (total > MAX_BATCH_BYTES) throw new BatchRequestTooLong(MAX_BATCH_BYTES, total);
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      const message = outgoing(entry, ctx);
      checkMessage(queue, message);
      const m = enqueue(ctx.runtime, queue, message);
      Successful.push({
        Id: entry.Id,
        MessageId: m.messageId,
        MD5OfMessageBody: m.md5OfBody,
        ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      });
    } catch (error) {
      Failed.push(failedEntry(entry.Id, error));
    }
  }
  return { Successful, Failed };
};

export const ReceiveMessage: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const max = optionalInt(input, 'MaxNumberOfMessages') ?? 1;
  if (max < 1 || max > 10) throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
  const wait = optionalInt(input, 'WaitTimeSeconds');
  if (wait !== undefined && (wait < 0 || wait > 20)) {
    throw invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
  }
  const visibility = optionalInt(input, 'VisibilityTimeout');
  if (visibility !== undefined && (visibility < 0 || visibility > 43_200)) {
    throw invalidValue('VisibilityTimeout', visibility, 'Must be >= 0 and <= 43200, if provided.');
  }
  const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
  const attributeNames = stringList(input, 'MessageAttributeNames');
  // no long poll: an empty queue answers at once, whatever WaitTimeSeconds says
  const messages = receive(ctx.runtime, queue, {
    maxMessages: max,
    ...(visibility !== undefined ? { visibilityTimeout: visibility } : {}),
  });
  if (messages.length === 0) return {};
  return {
    Messages: messages.map((m) => {
      const attributes = systemAttributes(m, systemNames);
      const selected = selectedAttributes(m.messageAttributes, attributeNames);
      const md5 = selected ? md5OfAttributes(selected) : undefined;
      return {
        MessageId: m.messageId,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5OfBody,
        Body: m.body,
        ...(attributes ? { Attributes: attributes } : {}),
        ...(md5 ? { MD5OfMessageAttributes: md5 } : {}),
        ...(selected ? { MessageAttributes: selected } : {}),
      };
    }),
  };
};

export const DeleteMessage: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  deleteMessage(ctx.runtime, queue, requiredString(input, 'ReceiptHandle'));
  return {};
};

export const DeleteMessageBatch: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const entries = checkBatch<Input>(input.Entries, 'DeleteMessageBatchRequestEntry');
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      deleteMessage(ctx.runtime, queue, requiredString(entry, 'ReceiptHandle'));
      Successful.push({ Id: entry.Id });
    } catch (error) {
      Failed.push(failedEntry(entry.Id, error));
    }
  }
  return { Successful, Failed };
};

export const ChangeMessageVisibility: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const handle = requiredString(input, 'ReceiptHandle');
  const timeout = optionalInt(input, 'VisibilityTimeout');
  if (timeout === undefined) throw new MissingParameter('VisibilityTimeout');
  changeVisibility(ctx.runtime, queue, handle, timeout);
  return {};
};

export const ChangeMessageVisibilityBatch: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const entries = checkBatch<Input>(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      const timeout = optionalInt(entry, 'VisibilityTimeout');
      if (timeout === undefined) throw new MissingParameter('VisibilityTimeout');
      changeVisibility(ctx.runtime, queue, requiredString(entry, 'ReceiptHandle'), timeout);
      Successful.push({ Id: entry.Id });
    } catch (error) {
      Failed.push(failedEntry(entry.Id, error));
    }
  }
  return { Successful, Failed };
};

export const TagQueue: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  if (input.Tags === undefined || input.Tags === null) throw new MissingParameter('Tags');
  tagQueue(ctx.runtime, queue, tagMap(input.Tags));
  return {};
};

export const UntagQueue: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  const keys = stringList(input, 'TagKeys');
  if (keys.length === 0) throw new MissingParameter('TagKeys');
  tagQueue(ctx.runtime, queue, {}, keys);
  return {};
};

export const ListQueueTags: OperationHandler = (input, ctx) => {
  const queue = queueOf(input, ctx);
  return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
};
