import type { SandboxRuntime } from '../../core/types';
import { InvalidParameter, NotFound, SUBSCRIPTION_DOES_NOT_EXIST } from './errors';
import {
  SNS_TABLES,
  type SubscriptionRecord,
  seededUuid,
  subscriptionKey,
  type TopicRecord,
  topicKey,
  topicSubscriptions,
} from './model';

/**
 * Subscriptions: Subscribe (idempotent for the same protocol, endpoint and attributes), their
 * attributes, Unsubscribe. `sqs` subscriptions are confirmed at once and receive what the topic
 * publishes; `email`, `email-json`, `http` and `https` wait for a confirmation that never comes in
 * the sandbox (PendingConfirmation); `lambda` and the others are confirmed and recorded but not
 * delivered (see `publish.ts`).
 */

export const PROTOCOLS = new Set([
  'http',
  'https',
  'email',
  'email-json',
  'sms',
  'sqs',
  'application',
  'lambda',
  'firehose',
]);

/** Protocols whose subscriptions wait for the endpoint to confirm. */
const CONFIRMED_BY_ENDPOINT = new Set(['http', 'https', 'email', 'email-json']);

const ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
]);

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/;

/** The endpoint checked for its protocol. */
function checkEndpoint(protocol: string, endpoint: string): void {
  if ((protocol === 'http' || protocol === 'https') && !endpoint.startsWith(`${protocol}://`)) {
    throw new InvalidParameter('Invalid parameter: Endpoint must match the specified protocol');
  }
  if (protocol === 'sqs' && !ARN.test(endpoint)) throw new InvalidParameter('Invalid parameter: SQS endpoint ARN');
  if (protocol === 'lambda' && !ARN.test(endpoint))
    throw new InvalidParameter('Invalid parameter: Lambda endpoint ARN');
  if ((protocol === 'email' || protocol === 'email-json') && !/^[^@\s]+@[^@\s]+$/.test(endpoint)) {
    throw new InvalidParameter('Invalid parameter: Email address');
  }
  if (protocol === 'sqs' && endpoint.endsWith('.fifo')) {
    throw new InvalidParameter(
      'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
    );
  }
}

/**
 * One subscription attribute checked. `prefix` is `Invalid parameter: Attributes Reason: ` for
 * Subscribe and `Invalid parameter: ` for SetSubscriptionAttributes, as SNS words them.
 */
export function checkSubscriptionAttribute(name: string, value: string, prefix: string): string {
  if (!ATTRIBUTES.has(name)) throw new InvalidParameter(`${prefix}AttributeName`);
  if (name === 'FilterPolicy' || name === 'FilterPolicyScope') {
    throw new InvalidParameter(
      `${prefix}${name}: subscription filter policies are not modelled by the vendguard sandbox`,
    );
  }
  if (name === 'RawMessageDelivery') {
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') {
      throw new InvalidParameter(`${prefix}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
    }
    return v;
  }
  if (name === 'RedrivePolicy' || name === 'DeliveryPolicy') {
    let doc: unknown;
    try {
      doc = JSON.parse(value);
    } catch {
      throw new InvalidParameter(`${prefix}${name}: failed to parse JSON.`);
    }
    if (name === 'RedrivePolicy') {
      const target = (doc as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
      if (typeof target !== 'string' || !ARN.test(target)) {
        throw new InvalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
      }
    }
  }
  return value;
}

/** What Subscribe answers: the ARN, or `pending confirmation` for a subscription the endpoint must confirm. */
export interface SubscribeOutcome {
  readonly subscription: SubscriptionRecord;
  readonly created: boolean;
}

/**
 * Subscribe: a new subscription of `endpoint` by `protocol`, or the existing one for the same
 * protocol and endpoint when its attributes match (`Subscription already exists with different attributes`).
 */
export function subscribe(
  runtime: SandboxRuntime,
  topic: TopicRecord,
  owner: string,
  protocol: string,
  endpoint: string,
  attributes: Readonly<Record<string, unknown>> = {},
): SubscribeOutcome {
  if (!PROTOCOLS.has(protocol)) {
    throw new InvalidParameter(`Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`);
  }
  checkEndpoint(protocol, endpoint);
  const checked: Record<string, string> = {};
  for (const [k, raw] of Object.entries(attributes)) {
    checked[k] = checkSubscriptionAttribute(
      k,
      raw === undefined || raw === null ? '' : String(raw),
      'Invalid parameter: Attributes Reason: ',
    );
  }
  const existing = topicSubscriptions(runtime, topic).find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (existing) {
    for (const [k, v] of Object.entries(checked)) {
      if ((existing.attributes[k] ?? (k === 'RawMessageDelivery' ? 'false' : undefined)) !== v) {
        throw new InvalidParameter(
          'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
        );
      }
    }
    return { subscription: existing, created: false };
  }
  const id = seededUuid(runtime);
  const subscription: SubscriptionRecord = {
    arn: `${topic.arn}:${id}`,
    topicArn: topic.arn,
    owner,
    protocol,
    endpoint,
    pendingConfirmation: CONFIRMED_BY_ENDPOINT.has(protocol),
    attributes: checked,
  };
  runtime.store.put(SNS_TABLES.subscriptions, `${topicKey(topic, topic.name)}/${id}`, subscription);
  return { subscription, created: true };
}

/** A subscription by ARN, or undefined. */
export function getSubscription(runtime: SandboxRuntime, arn: string): SubscriptionRecord | undefined {
  const key = subscriptionKey(arn);
  return key ? runtime.store.get<SubscriptionRecord>(SNS_TABLES.subscriptions, key) : undefined;
}

/** A subscription by ARN, or `NotFound` (`Subscription does not exist`). */
export function existingSubscription(runtime: SandboxRuntime, arn: string): SubscriptionRecord {
  const s = getSubscription(runtime, arn);
  if (!s) throw new NotFound(SUBSCRIPTION_DOES_NOT_EXIST);
  return s;
}

/** SetSubscriptionAttributes. */
export function setSubscriptionAttribute(
  runtime: SandboxRuntime,
  subscription: SubscriptionRecord,
  name: string,
  value: string,
): SubscriptionRecord {
  const checked = checkSubscriptionAttribute(name, value, 'Invalid parameter: ');
  const next: SubscriptionRecord = { ...subscription, attributes: { ...subscription.attributes, [name]: checked } };
  runtime.store.put(SNS_TABLES.subscriptions, subscriptionKey(subscription.arn) as string, next);
  return next;
}

/** Unsubscribe (a subscription already gone is not an error). */
export function unsubscribe(runtime: SandboxRuntime, arn: string): void {
  const key = subscriptionKey(arn);
  if (key) runtime.store.delete(SNS_TABLES.subscriptions, key);
}

/** GetSubscriptionAttributes, by name. */
export function subscriptionAttributes(s: SubscriptionRecord): Record<string, string> {
  const all: Record<string, string> = {
    ConfirmationWasAuthenticated: s.pendingConfirmation ? 'false' : 'true',
    Endpoint: s.endpoint,
    Owner: s.owner,
    PendingConfirmation: String(s.pendingConfirmation),
    Protocol: s.protocol,
    RawMessageDelivery: 'false',
    SubscriptionArn: s.arn,
    TopicArn: s.topicArn,
    ...s.attributes,
  };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k] as string]),
  );
}

/** A subscription as the list operations show it (`PendingConfirmation` instead of the ARN while pending). */
export function listedSubscription(s: SubscriptionRecord): Record<string, string> {
  return {
    SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
    Owner: s.owner,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  };
}
