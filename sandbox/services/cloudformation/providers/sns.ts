import { AwsServiceError } from '../../../core/types';
import { existingTopic, getTopic, parseTopicArn, type TopicRecord, topicSubscriptions } from '../../sns/model';
import { getSubscription, setSubscriptionAttribute, subscribe, unsubscribe } from '../../sns/subscriptions';
import { createTopic, deleteTopic, setTopicAttribute, tagTopic } from '../../sns/topics';
import {
  bool,
  generatedName,
  policyOnResourcesProvider,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::SNS::Topic`, `AWS::SNS::TopicPolicy` and `AWS::SNS::Subscription` (standard topics), through
 * the same functions as the SNS API. Return values as CloudFormation documents them: a topic's Ref
 * is its ARN, `Fn::GetAtt` `TopicArn` and `TopicName`; a topic policy's Ref (and `Id`) is an id of
 * its own; a subscription's Ref is its ARN. Deleting a topic policy gives its topics the default
 * policy back. `KmsMasterKeyId` is recorded only (KMS permissions of the topic are not checked).
 */

const json = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The SNS attributes a topic's properties set. */
function attributesOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['DisplayName', 'KmsMasterKeyId', 'SignatureVersion', 'TracingConfig'] as const) {
    const v = str(props, name);
    if (v !== undefined) out[name] = v;
  }
  for (const name of ['DeliveryPolicy', 'ArchivePolicy'] as const) {
    if (props[name] !== undefined && props[name] !== null) out[name] = json(props[name]);
  }
  return out;
}

/** The `Subscription` property: `[{ Endpoint, Protocol }]`. */
function subscriptionsOf(props: Record<string, unknown>): { Endpoint: string; Protocol: string }[] {
  const v = props.Subscription;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ResourceFailure('#/Subscription: expected type: JSONArray');
  return v.map((s: { Endpoint?: unknown; Protocol?: unknown }) => {
    const extra = Object.keys(s ?? {}).filter((k) => k !== 'Endpoint' && k !== 'Protocol');
    if (extra.length > 0) throw new ResourceFailure(`#/Subscription: extraneous key [${extra[0]}] is not permitted`);
    if (typeof s?.Endpoint !== 'string') throw new ResourceFailure('#/Subscription: required key [Endpoint] not found');
    if (typeof s.Protocol !== 'string') throw new ResourceFailure('#/Subscription: required key [Protocol] not found');
    return { Endpoint: s.Endpoint, Protocol: s.Protocol };
  });
}

const created = (topic: TopicRecord) => ({
  physicalId: topic.arn,
  attributes: { TopicArn: topic.arn, TopicName: topic.name },
});

function topicOf(ctx: ResourceContext, arn: string): TopicRecord | undefined {
  try {
    const ref = parseTopicArn(arn);
    return getTopic(ctx.runtime, ref, ref.name);
  } catch {
    return undefined;
  }
}

export const topicProvider: ResourceProvider = {
  type: 'AWS::SNS::Topic',
  properties: [
    'ArchivePolicy',
    'DeliveryPolicy',
    'DisplayName',
    'KmsMasterKeyId',
    'SignatureVersion',
    'Subscription',
    'Tags',
    'TopicName',
    'TracingConfig',
  ],
  create(ctx, props) {
    const name = str(props, 'TopicName') ?? generatedName(ctx, 256);
    if (getTopic(ctx.runtime, scopeOf(ctx), name)) {
      throw new AwsServiceError(
        'AlreadyExists',
        `Resource of type 'AWS::SNS::Topic' with identifier '${name}' already exists.`,
      );
    }
    const subscriptions = subscriptionsOf(props);
    const { topic } = createTopic(ctx.runtime, scopeOf(ctx), name, attributesOf(props), stackTags(ctx, props.Tags));
    for (const s of subscriptions) subscribe(ctx.runtime, topic, ctx.account, s.Protocol, s.Endpoint);
    return created(topic);
  },
  update(ctx, physicalId, props, previous) {
    let topic = topicOf(ctx, physicalId);
    if (!topic || (str(props, 'TopicName') ?? topic.name) !== topic.name) return undefined;
    const attributes = attributesOf(props);
    const before = attributesOf(previous);
    for (const name of new Set([...Object.keys(attributes), ...Object.keys(before)])) {
      if (attributes[name] !== before[name])
        topic = setTopicAttribute(ctx.runtime, topic, name, attributes[name] ?? '');
    }
    const tags = stackTags(ctx, props.Tags);
    topic = tagTopic(
      ctx.runtime,
      topic,
      tags,
      topic.tags.filter((t) => !tags.some((n) => n.Key === t.Key)).map((t) => t.Key),
    );
    const wanted = subscriptionsOf(props);
    const key = (s: { Endpoint: string; Protocol: string }) => `${s.Protocol} ${s.Endpoint}`;
    for (const old of subscriptionsOf(previous)) {
      if (wanted.some((s) => key(s) === key(old))) continue;
      const current = topicSubscriptionFor(ctx, topic, old);
      if (current) unsubscribe(ctx.runtime, current);
    }
    for (const s of wanted) subscribe(ctx.runtime, topic, ctx.account, s.Protocol, s.Endpoint);
    return created(topic);
  },
  delete(ctx, physicalId) {
    const topic = topicOf(ctx, physicalId);
    if (topic) deleteTopic(ctx.runtime, topic);
  },
};

/** The ARN of the topic's subscription of this protocol and endpoint, if any. */
function topicSubscriptionFor(
  ctx: ResourceContext,
  topic: TopicRecord,
  s: { Endpoint: string; Protocol: string },
): string | undefined {
  return topicSubscriptions(ctx.runtime, topic).find((x) => x.protocol === s.Protocol && x.endpoint === s.Endpoint)
    ?.arn;
}

/** The topic ARNs of a TopicPolicy's `Topics`. */
function applyPolicy(ctx: ResourceContext, arns: readonly string[], policy: string): void {
  for (const arn of arns) setTopicAttribute(ctx.runtime, existingTopic(ctx.runtime, ctx.region, arn), 'Policy', policy);
}

/** Gives topics the default policy back (SetTopicAttributes with an empty policy). */
function resetPolicy(ctx: ResourceContext, arns: readonly string[]): void {
  for (const arn of arns) {
    const topic = topicOf(ctx, arn);
    if (topic) setTopicAttribute(ctx.runtime, topic, 'Policy', '');
  }
}

export const topicPolicyProvider = policyOnResourcesProvider({
  type: 'AWS::SNS::TopicPolicy',
  listProperty: 'Topics',
  apply: applyPolicy,
  clear: resetPolicy,
});

export const subscriptionProvider: ResourceProvider = {
  type: 'AWS::SNS::Subscription',
  properties: ['Endpoint', 'Protocol', 'RawMessageDelivery', 'TopicArn'],
  required: ['Protocol', 'TopicArn'],
  create(ctx, props) {
    const topic = existingTopic(ctx.runtime, ctx.region, str(props, 'TopicArn'));
    const raw = bool(props, 'RawMessageDelivery');
    const { subscription } = subscribe(
      ctx.runtime,
      topic,
      ctx.account,
      str(props, 'Protocol') ?? '',
      str(props, 'Endpoint') ?? '',
      raw !== undefined ? { RawMessageDelivery: String(raw) } : {},
    );
    return { physicalId: subscription.arn };
  },
  update(ctx, physicalId, props, previous) {
    for (const name of ['Endpoint', 'Protocol', 'TopicArn']) {
      if (str(props, name) !== str(previous, name)) return undefined;
    }
    const subscription = getSubscription(ctx.runtime, physicalId);
    if (!subscription) return undefined;
    const raw = bool(props, 'RawMessageDelivery') ?? false;
    setSubscriptionAttribute(ctx.runtime, subscription, 'RawMessageDelivery', String(raw));
    return { physicalId };
  },
  delete(ctx, physicalId) {
    unsubscribe(ctx.runtime, physicalId);
  },
};

/** The SNS resource types. */
export const snsProviders: readonly ResourceProvider[] = [topicProvider, topicPolicyProvider, subscriptionProvider];
