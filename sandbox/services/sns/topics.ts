import type { SandboxRuntime } from '../../core/types';
import { MalformedPolicyError, parsePolicy } from '../../policy';
import { InvalidParameter } from './errors';
import {
  defaultTopicPolicy,
  getTopic,
  putTopic,
  SNS_TABLES,
  type Tag,
  type TopicRecord,
  type TopicScope,
  topicArn,
  topicKey,
  topicSubscriptions,
} from './model';

/**
 * Topic lifecycle shared by the API and the CloudFormation providers: create (idempotent for the
 * same attributes and tags), attributes, tags, delete. Standard topics only: FIFO topics and data
 * protection policies are refused as not modelled.
 */

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** Attributes SetTopicAttributes and CreateTopic accept (API reference, SetTopicAttributes). */
const SETTABLE = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'TracingConfig',
  'KmsMasterKeyId',
  'SignatureVersion',
  'ArchivePolicy',
  ...['Application', 'Firehose', 'HTTP', 'Lambda', 'SQS'].flatMap((p) => [
    `${p}SuccessFeedbackRoleArn`,
    `${p}SuccessFeedbackSampleRate`,
    `${p}FailureFeedbackRoleArn`,
  ]),
]);

/** The delivery policy SNS reports for a topic nobody gave one (GetTopicAttributes on AWS). */
export const EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

/** A topic policy checked by the sandbox's policy evaluator as a resource policy. */
function checkPolicy(value: string): string {
  try {
    parsePolicy(value, 'resource', { kind: 'resource', name: 'Policy' });
  } catch (error) {
    if (error instanceof MalformedPolicyError)
      throw new InvalidParameter(`Invalid parameter: Policy Error: ${error.message}`);
    throw error;
  }
  return value;
}

/** One attribute value checked; `prefix` is `Invalid parameter: Attributes Reason: ` for CreateTopic. */
function checkAttribute(name: string, value: string, prefix: string): string {
  if (name === 'Policy') return checkPolicy(value);
  if (name === 'SignatureVersion' && value !== '1' && value !== '2') {
    throw new InvalidParameter(`${prefix}SignatureVersion`);
  }
  if (name === 'TracingConfig' && value !== 'PassThrough' && value !== 'Active') {
    throw new InvalidParameter(`${prefix}TracingConfig`);
  }
  if (name === 'DeliveryPolicy' || name === 'ArchivePolicy') {
    try {
      JSON.parse(value);
    } catch {
      throw new InvalidParameter(`${prefix}${name}: failed to parse JSON.`);
    }
  }
  return value;
}

/** Tags checked (`Invalid parameter: Duplicated keys are not allowed.`). */
export function checkTags(raw: unknown): Tag[] {
  const list = Array.isArray(raw) ? (raw as { Key?: unknown; Value?: unknown }[]) : [];
  const tags = list.map((t) => ({ Key: String(t?.Key ?? ''), Value: String(t?.Value ?? '') }));
  if (new Set(tags.map((t) => t.Key)).size < tags.length) {
    throw new InvalidParameter('Invalid parameter: Duplicated keys are not allowed.');
  }
  return tags;
}

/**
 * CreateTopic: a new topic with the default policy (unless `Policy` is given), or the existing one
 * when the given attributes and tags match it.
 */
export function createTopic(
  runtime: SandboxRuntime,
  scope: TopicScope,
  name: string,
  attributes: Readonly<Record<string, unknown>> = {},
  tags: readonly Tag[] = [],
): { topic: TopicRecord; created: boolean } {
  const given: Record<string, string> = {};
  for (const [k, raw] of Object.entries(attributes)) {
    const v = raw === undefined || raw === null ? '' : String(raw);
    if (k === 'FifoTopic') {
      if (v.toLowerCase() === 'true') {
        throw new InvalidParameter(
          'Invalid parameter: Attributes Reason: FIFO topics are not modelled by the vendguard sandbox',
        );
      }
      continue; // SNS does not keep FifoTopic=false
    }
    if (!SETTABLE.has(k))
      throw new InvalidParameter(`Invalid parameter: Attributes Reason: Invalid attribute name: ${k}`);
    given[k] = checkAttribute(k, v, 'Invalid parameter: Attributes Reason: ');
  }
  if (!TOPIC_NAME.test(name)) throw new InvalidParameter('Invalid parameter: Topic Name');
  const existing = getTopic(runtime, scope, name);
  if (existing) {
    for (const [k, v] of Object.entries(given)) {
      if (existing.attributes[k] !== v) {
        throw new InvalidParameter(
          'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
        );
      }
    }
    for (const t of tags) {
      if (!existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value)) {
        throw new InvalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags');
      }
    }
    return { topic: existing, created: false };
  }
  const arn = topicArn(scope, name);
  const topic: TopicRecord = {
    account: scope.account,
    region: scope.region,
    name,
    arn,
    attributes: { Policy: defaultTopicPolicy(arn, scope.account), ...given },
    tags: [...tags],
  };
  putTopic(runtime, topic);
  return { topic, created: true };
}

/** SetTopicAttributes: one attribute; an empty value removes it (the default policy comes back for `Policy`). */
export function setTopicAttribute(
  runtime: SandboxRuntime,
  topic: TopicRecord,
  name: string,
  value: string,
): TopicRecord {
  if (!SETTABLE.has(name)) throw new InvalidParameter('Invalid parameter: AttributeName');
  const attributes: Record<string, string> = { ...topic.attributes };
  if (value === '') {
    if (name === 'Policy') attributes.Policy = defaultTopicPolicy(topic.arn, topic.account);
    else delete attributes[name];
  } else attributes[name] = checkAttribute(name, value, 'Invalid parameter: ');
  const next: TopicRecord = { ...topic, attributes };
  putTopic(runtime, next);
  return next;
}

/** GetTopicAttributes: what the topic has, its owner, policy and subscription counts, by name. */
export function topicAttributes(runtime: SandboxRuntime, topic: TopicRecord): Record<string, string> {
  const subscriptions = topicSubscriptions(runtime, topic);
  const pending = subscriptions.filter((s) => s.pendingConfirmation).length;
  const all: Record<string, string> = {
    DisplayName: '',
    EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy ?? EFFECTIVE_DELIVERY_POLICY,
    Owner: topic.account,
    SubscriptionsConfirmed: String(subscriptions.length - pending),
    SubscriptionsDeleted: '0',
    SubscriptionsPending: String(pending),
    TopicArn: topic.arn,
    ...topic.attributes,
  };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k] as string]),
  );
}

/** TagResource / UntagResource on a topic. */
export function tagTopic(
  runtime: SandboxRuntime,
  topic: TopicRecord,
  add: readonly Tag[],
  remove: readonly string[] = [],
): TopicRecord {
  const byKey = new Map(topic.tags.map((t) => [t.Key, t.Value]));
  for (const t of add) byKey.set(t.Key, t.Value);
  for (const k of remove) byKey.delete(k);
  const next: TopicRecord = { ...topic, tags: [...byKey].map(([Key, Value]) => ({ Key, Value })) };
  putTopic(runtime, next);
  return next;
}

/** DeleteTopic: the topic and its subscriptions. */
export function deleteTopic(runtime: SandboxRuntime, topic: TopicRecord): void {
  runtime.store.transaction(() => {
    for (const s of topicSubscriptions(runtime, topic)) {
      runtime.store.delete(SNS_TABLES.subscriptions, `${topicKey(topic, topic.name)}/${s.arn.split(':')[6]}`);
    }
    runtime.store.delete(SNS_TABLES.topics, topicKey(topic, topic.name));
  });
}
