import { createHash } from 'node:crypto';
import type { SandboxRuntime } from '../../core/types';
import { sendToQueue } from '../sqs/api';
import type { MessageAttributeValue } from '../sqs/model';
import { InvalidParameter, ParameterValueInvalid, ValidationError } from './errors';
import {
  type DeliveryRecord,
  SNS_TABLES,
  type SubscriptionRecord,
  seededUuid,
  type TopicRecord,
  topicSubscriptions,
} from './model';

/**
 * Publishing: what Publish accepts (AWS's checks and messages), and what a publish delivers. Each
 * confirmed `sqs` subscription gets the message on its queue, sent as `sns.amazonaws.com` for the
 * topic (`aws:SourceArn`), so the queue's policy decides, as on AWS; a queue that refuses gets
 * nothing and Publish still succeeds. Every other protocol is recorded, not delivered, unless a
 * module registers a deliverer for it ({@link registerSnsDeliverer}: Lambda's, when it exists).
 * Every outcome is kept in `sns.deliveries` (`GET /_sandbox/sns/deliveries`).
 */

/** SNS's largest message, attributes included. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_DELIVERY_RECORDS = 1000;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;

/** What a publisher gives. */
export interface Publication {
  readonly message: string;
  readonly subject?: string;
  /** `json`: `message` is a JSON object of a message per protocol, with a `default`. */
  readonly messageStructure?: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/** A publication checked: the message for each protocol. */
interface CheckedPublication extends Publication {
  readonly perProtocol?: Readonly<Record<string, string>>;
}

/** How a protocol's endpoint receives a message; answers whether it was delivered. */
export type SnsDeliverer = (
  runtime: SandboxRuntime,
  delivery: { readonly topic: TopicRecord; readonly subscription: SubscriptionRecord; readonly body: string },
) => { ok: true } | { ok: false; reason: string };

const deliverers = new Map<string, SnsDeliverer>();

/**
 * Lets a module deliver a protocol SNS records otherwise (Lambda: invoke the function with the SNS
 * event); returns how to take it back.
 */
export function registerSnsDeliverer(protocol: string, deliverer: SnsDeliverer): () => void {
  deliverers.set(protocol, deliverer);
  return () => {
    if (deliverers.get(protocol) === deliverer) deliverers.delete(protocol);
  };
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function checkAttributeName(name: string): void {
  if (bytes(name) > 256)
    throw new ParameterValueInvalid('Length of message attribute name must be less than 256 bytes.');
  if (name.startsWith('.'))
    throw new ParameterValueInvalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.'))
    throw new ParameterValueInvalid("Invalid message attribute name ending with character '.' was found.");
  if (!ATTRIBUTE_NAME.test(name)) {
    const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c)) as string;
    throw new ParameterValueInvalid(
      `Invalid non-alphanumeric character '#x${(bad.codePointAt(0) as number).toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
    );
  }
  if (name.includes('..'))
    throw new ParameterValueInvalid("Message attribute name can not have successive '.' character.");
}

/** Message attributes checked as SNS checks them (LocalStack's AWS-validated messages). */
export function checkMessageAttributes(raw: unknown): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    checkAttributeName(name);
    const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    if (typeof v.DataType !== 'string') throw new ValidationError(`messageAttributes.${name}.member.dataType`);
    const type = v.DataType;
    if (!ATTRIBUTE_TYPE.test(type)) {
      throw new ParameterValueInvalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const field = type.startsWith('Binary') ? 'Binary' : 'String';
    const empty = `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`;
    if (v.StringValue === undefined && v.BinaryValue === undefined) throw new ParameterValueInvalid(empty);
    const given = v[`${field}Value`];
    if (given === undefined) {
      throw new ParameterValueInvalid(`The message attribute '${name}' with type '${type}' must use field '${field}'.`);
    }
    if (given === '' || given === null) throw new ParameterValueInvalid(empty);
    out[name] =
      field === 'Binary'
        ? { DataType: type, BinaryValue: String(given) }
        : { DataType: type, StringValue: String(given) };
  }
  return out;
}

/** Publish's checks: subject, message, its structure, attributes and size. */
export function checkPublication(p: Publication): CheckedPublication {
  if (p.subject !== undefined && (p.subject === '' || p.subject.length >= 100 || !/^[\x20-\x7e]+$/.test(p.subject))) {
    throw new InvalidParameter('Invalid parameter: Subject');
  }
  if (p.message === '') throw new InvalidParameter('Invalid parameter: Empty message');
  const attributes = checkMessageAttributes(p.messageAttributes);
  let size = bytes(p.message);
  for (const [k, v] of Object.entries(attributes ?? {})) {
    size += bytes(k) + bytes(v.DataType) + bytes(v.StringValue ?? v.BinaryValue ?? '');
  }
  if (size > MAX_MESSAGE_BYTES) throw new InvalidParameter('Invalid parameter: Message too long');
  let perProtocol: Record<string, string> | undefined;
  if (p.messageStructure === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(p.message);
    } catch {
      throw new InvalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    perProtocol = Object.fromEntries(
      Object.entries(doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {}).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
    if (perProtocol.default === undefined) {
      throw new InvalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
    }
  }
  return { ...p, ...(attributes ? { messageAttributes: attributes } : {}), ...(perProtocol ? { perProtocol } : {}) };
}

/** The JSON body SNS delivers to SQS (and HTTP, email-json): AWS's field order and layout. */
export function notificationBody(
  topic: TopicRecord,
  subscription: SubscriptionRecord,
  fields: {
    messageId: string;
    message: string;
    subject?: string;
    timestamp: string;
    attributes?: Readonly<Record<string, MessageAttributeValue>>;
  },
): string {
  const host = `https://sns.${topic.region}.amazonaws.com`;
  const signatureVersion = topic.attributes.SignatureVersion ?? '1';
  const canonical = [fields.message, fields.messageId, fields.subject ?? '', fields.timestamp, topic.arn].join('\n');
  const data: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: fields.messageId,
    TopicArn: topic.arn,
    ...(fields.subject !== undefined ? { Subject: fields.subject } : {}),
    Message: fields.message,
    Timestamp: fields.timestamp,
    SignatureVersion: signatureVersion,
    // not a verifiable signature: the sandbox has no SNS signing certificate
    Signature: createHash(signatureVersion === '2' ? 'sha256' : 'sha1')
      .update(canonical)
      .digest('base64'),
    SigningCertURL: `${host}/SimpleNotificationService-${createHash('md5').update(topic.region).digest('hex')}.pem`,
    UnsubscribeURL: `${host}/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
    ...(fields.attributes
      ? {
          MessageAttributes: Object.fromEntries(
            Object.entries(fields.attributes).map(([k, v]) => [
              k,
              { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue },
            ]),
          ),
        }
      : {}),
  };
  const lines = Object.entries(data).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** How much of a delivered body the record keeps. */
const RECORDED_BODY_CHARS = 8192;

function record(runtime: SandboxRuntime, delivery: DeliveryRecord): void {
  const seq = runtime.store.nextSequence(SNS_TABLES.deliveries);
  const id = (n: number) => String(n).padStart(16, '0');
  const body =
    delivery.body.length > RECORDED_BODY_CHARS ? `${delivery.body.slice(0, RECORDED_BODY_CHARS)}…` : delivery.body;
  runtime.store.put(SNS_TABLES.deliveries, id(seq), { ...delivery, body });
  if (seq > MAX_DELIVERY_RECORDS) runtime.store.delete(SNS_TABLES.deliveries, id(seq - MAX_DELIVERY_RECORDS));
}

/** The last deliveries (newest first), of one topic when `topicArn` is given. */
export function recentDeliveries(runtime: SandboxRuntime, topicArn?: string, limit = 100): DeliveryRecord[] {
  return runtime.store
    .list<DeliveryRecord>(SNS_TABLES.deliveries)
    .filter((d) => topicArn === undefined || d.topicArn === topicArn)
    .reverse()
    .slice(0, limit);
}

/**
 * Delivers a checked publication to the topic's subscriptions; returns the message id. The caller
 * has already been authorized (Publish) or the service's publish allowed by the topic policy.
 */
export function deliver(runtime: SandboxRuntime, topic: TopicRecord, p: Publication): string {
  const checked = checkPublication(p);
  const messageId = seededUuid(runtime);
  const timestamp = runtime.clock.now().toISOString();
  for (const subscription of topicSubscriptions(runtime, topic)) {
    const message = checked.perProtocol?.[subscription.protocol] ?? checked.perProtocol?.default ?? checked.message;
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    const body = raw
      ? message
      : notificationBody(topic, subscription, {
          messageId,
          message,
          timestamp,
          ...(checked.subject !== undefined ? { subject: checked.subject } : {}),
          ...(checked.messageAttributes ? { attributes: checked.messageAttributes } : {}),
        });
    const base = {
      time: timestamp,
      topicArn: topic.arn,
      subscriptionArn: subscription.arn,
      protocol: subscription.protocol,
      endpoint: subscription.endpoint,
      messageId,
      body,
    };
    if (subscription.pendingConfirmation) {
      record(runtime, { ...base, outcome: 'not-delivered', reason: 'The subscription is pending confirmation.' });
      continue;
    }
    let outcome: { ok: true } | { ok: false; reason: string };
    if (subscription.protocol === 'sqs') {
      outcome = sendToQueue(runtime, subscription.endpoint, body, {
        senderService: 'sns.amazonaws.com',
        sourceArn: topic.arn,
        sourceAccount: topic.account,
        ...(raw && checked.messageAttributes ? { messageAttributes: checked.messageAttributes } : {}),
      });
    } else {
      const deliverer = deliverers.get(subscription.protocol);
      if (!deliverer) {
        record(runtime, {
          ...base,
          outcome: 'not-delivered',
          reason: `The vendguard sandbox does not deliver to ${subscription.protocol} endpoints.`,
        });
        continue;
      }
      outcome = deliverer(runtime, { topic, subscription, body });
    }
    record(
      runtime,
      outcome.ok ? { ...base, outcome: 'delivered' } : { ...base, outcome: 'failed', reason: outcome.reason },
    );
  }
  return messageId;
}
