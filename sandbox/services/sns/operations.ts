import { pageAt } from '../../core/paging';
import type { OperationHandler, RequestContext } from '../../core/types';
import type { MessageAttributeValue } from '../sqs/model';
import { InvalidParameter, ResourceNotFound, ValidationError } from './errors';
import { existingTopic, getTopic, parseTopicArn, SNS_TABLES, type SubscriptionRecord, type TopicRecord } from './model';
import { deliver } from './publish';
import {
  existingSubscription,
  getSubscription,
  listedSubscription,
  setSubscriptionAttribute,
  subscribe,
  subscriptionAttributes,
  unsubscribe,
} from './subscriptions';
import { checkTags, createTopic, deleteTopic, setTopicAttribute, tagTopic, topicAttributes } from './topics';

/**
 * The SNS API actions the sandbox serves (standard topics), one function per action, on the
 * awsQuery input (`Attributes.entry.N.key` already a map, `Tags.member.N` a list). Topics belong to
 * the caller's account and the call's region; a topic ARN may name another account's topic, which
 * its policy then admits or not.
 */

type Input = Record<string, unknown>;

/** A required string member (awsQuery's `ValidationError` when absent). */
function required(input: Input, name: string): string {
  const v = input[name];
  if (v === undefined || v === null) throw new ValidationError(name.charAt(0).toLowerCase() + name.slice(1));
  return String(v);
}

const optional = (input: Input, name: string): string | undefined =>
  input[name] === undefined || input[name] === null ? undefined : String(input[name]);

const asMap = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

const scopeOf = (ctx: RequestContext) => ({ account: ctx.principal.accountId, region: ctx.region });

/** The topic a tagging call names: `ResourceNotFound` when absent. */
function taggedTopic(input: Input, ctx: RequestContext): TopicRecord {
  const ref = parseTopicArn(required(input, 'ResourceArn'), 'ResourceArn');
  const topic = ref.region === ctx.region ? getTopic(ctx.runtime, ref, ref.name) : undefined;
  if (!topic) throw new ResourceNotFound();
  return topic;
}

/** Subscriptions a caller sees in a region: of its topics, or its own. */
function visibleSubscriptions(ctx: RequestContext): SubscriptionRecord[] {
  const account = ctx.principal.accountId;
  return ctx.runtime.store
    .list<SubscriptionRecord>(SNS_TABLES.subscriptions)
    .filter(
      (s) => s.topicArn.split(':')[3] === ctx.region && (s.owner === account || s.topicArn.split(':')[4] === account),
    );
}

const PAGE = 100;
const invalidToken = () => new InvalidParameter('Invalid parameter: NextToken');

export const CreateTopic: OperationHandler = (input, ctx) => {
  if (input.DataProtectionPolicy !== undefined) {
    throw new InvalidParameter('Invalid parameter: DataProtectionPolicy Reason: not modelled by the vendguard sandbox');
  }
  const { topic } = createTopic(
    ctx.runtime,
    scopeOf(ctx),
    required(input, 'Name'),
    asMap(input.Attributes),
    checkTags(input.Tags),
  );
  return { TopicArn: topic.arn };
};

export const GetTopicAttributes: OperationHandler = (input, ctx) => {
  const topic = existingTopic(ctx.runtime, ctx.region, required(input, 'TopicArn'));
  return { Attributes: topicAttributes(ctx.runtime, topic) };
};

export const SetTopicAttributes: OperationHandler = (input, ctx) => {
  const topic = existingTopic(ctx.runtime, ctx.region, required(input, 'TopicArn'));
  setTopicAttribute(ctx.runtime, topic, required(input, 'AttributeName'), optional(input, 'AttributeValue') ?? '');
  return {};
};

export const ListTopics: OperationHandler = (input, ctx) => {
  const scope = scopeOf(ctx);
  const topics = ctx.runtime.store
    .list<TopicRecord>(SNS_TABLES.topics, `${scope.account}/${scope.region}/`)
    .map((t) => ({ TopicArn: t.arn }));
  const { page, next } = pageAt(topics, optional(input, 'NextToken') || undefined, PAGE, invalidToken);
  return { Topics: page, ...(next ? { NextToken: next } : {}) };
};

export const DeleteTopic: OperationHandler = (input, ctx) => {
  const ref = parseTopicArn(required(input, 'TopicArn'));
  if (ref.region !== ctx.region) throw new InvalidParameter('Invalid parameter: TopicArn');
  const topic = getTopic(ctx.runtime, ref, ref.name);
  // deleting a topic that does not exist succeeds, as on AWS
  if (topic) deleteTopic(ctx.runtime, topic);
  return {};
};

export const Subscribe: OperationHandler = (input, ctx) => {
  const topic = existingTopic(ctx.runtime, ctx.region, required(input, 'TopicArn'));
  const { subscription } = subscribe(
    ctx.runtime,
    topic,
    ctx.principal.accountId,
    required(input, 'Protocol'),
    optional(input, 'Endpoint') ?? '',
    asMap(input.Attributes),
  );
  const returnArn = String(input.ReturnSubscriptionArn ?? 'false').toLowerCase() === 'true';
  return {
    SubscriptionArn: subscription.pendingConfirmation && !returnArn ? 'pending confirmation' : subscription.arn,
  };
};

export const Unsubscribe: OperationHandler = (input, ctx) => {
  const arn = required(input, 'SubscriptionArn');
  const parts = arn.split(':');
  if (parts.length < 6) {
    throw new InvalidParameter(
      `Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ${parts.length}`,
    );
  }
  if (parts.length !== 7 || parts[2] !== 'sns') throw new InvalidParameter('Invalid parameter: SubscriptionId');
  if (parts[3] !== ctx.region) throw new InvalidParameter('Invalid parameter: SubscriptionArn');
  // unsubscribing twice succeeds
  if (getSubscription(ctx.runtime, arn)) unsubscribe(ctx.runtime, arn);
  return {};
};

export const GetSubscriptionAttributes: OperationHandler = (input, ctx) => ({
  Attributes: subscriptionAttributes(existingSubscription(ctx.runtime, required(input, 'SubscriptionArn'))),
});

export const SetSubscriptionAttributes: OperationHandler = (input, ctx) => {
  const subscription = existingSubscription(ctx.runtime, required(input, 'SubscriptionArn'));
  setSubscriptionAttribute(
    ctx.runtime,
    subscription,
    required(input, 'AttributeName'),
    optional(input, 'AttributeValue') ?? '',
  );
  return {};
};

export const ListSubscriptions: OperationHandler = (input, ctx) => {
  const all = visibleSubscriptions(ctx).map(listedSubscription);
  const { page, next } = pageAt(all, optional(input, 'NextToken') || undefined, PAGE, invalidToken);
  return { Subscriptions: page, ...(next ? { NextToken: next } : {}) };
};

export const ListSubscriptionsByTopic: OperationHandler = (input, ctx) => {
  const topic = existingTopic(ctx.runtime, ctx.region, required(input, 'TopicArn'));
  const all = ctx.runtime.store
    .list<SubscriptionRecord>(SNS_TABLES.subscriptions)
    .filter((s) => s.topicArn === topic.arn)
    .map(listedSubscription);
  const { page, next } = pageAt(all, optional(input, 'NextToken') || undefined, PAGE, invalidToken);
  return { Subscriptions: page, ...(next ? { NextToken: next } : {}) };
};

export const Publish: OperationHandler = (input, ctx) => {
  if (input.PhoneNumber !== undefined) {
    throw new InvalidParameter('Invalid parameter: PhoneNumber Reason: SMS is not modelled by the vendguard sandbox');
  }
  const arn = optional(input, 'TopicArn') ?? optional(input, 'TargetArn');
  if (arn === undefined)
    throw new InvalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  if (arn.includes(':endpoint/')) {
    throw new InvalidParameter(
      'Invalid parameter: TargetArn Reason: mobile push endpoints are not modelled by the vendguard sandbox',
    );
  }
  const message = required(input, 'Message');
  if (input.MessageDeduplicationId !== undefined) {
    throw new InvalidParameter(
      'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    );
  }
  const topic = existingTopic(ctx.runtime, ctx.region, arn, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
  const subject = optional(input, 'Subject');
  const structure = optional(input, 'MessageStructure');
  const messageId = deliver(ctx.runtime, topic, {
    message,
    ...(subject !== undefined ? { subject } : {}),
    ...(structure !== undefined ? { messageStructure: structure } : {}),
    ...(input.MessageAttributes !== undefined
      ? { messageAttributes: asMap(input.MessageAttributes) as Record<string, MessageAttributeValue> }
      : {}),
  });
  return { MessageId: messageId };
};

export const TagResource: OperationHandler = (input, ctx) => {
  const topic = taggedTopic(input, ctx);
  tagTopic(ctx.runtime, topic, checkTags(input.Tags));
  return {};
};

export const UntagResource: OperationHandler = (input, ctx) => {
  const topic = taggedTopic(input, ctx);
  tagTopic(ctx.runtime, topic, [], asList(input.TagKeys).map(String));
  return {};
};

export const ListTagsForResource: OperationHandler = (input, ctx) => ({ Tags: [...taggedTopic(input, ctx).tags] });
