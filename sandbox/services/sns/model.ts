import type { SandboxRuntime } from '../../core/types';
import { type CompiledPolicy, parsePolicy } from '../../policy';
import { InvalidParameter, NotFound, TOPIC_DOES_NOT_EXIST } from './errors';

export { seededUuid } from '../sqs/model';

/**
 * The SNS model: topics (`sns.topics` `<account>/<region>/<name>`) and their subscriptions
 * (`sns.subscriptions` `<account>/<region>/<topic>/<id>`, in the topic's account and region), and the
 * record of what each publish delivered (`sns.deliveries`, the last 1,000).
 */

export const SNS_TABLES = {
  topics: 'sns.topics',
  subscriptions: 'sns.subscriptions',
  deliveries: 'sns.deliveries',
} as const;

export interface TopicScope {
  readonly account: string;
  readonly region: string;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface TopicRecord extends TopicScope {
  readonly name: string;
  readonly arn: string;
  /** The attributes a caller set, `Policy` always (the default one until replaced). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

export interface SubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  /** The subscriber's account. */
  readonly owner: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly pendingConfirmation: boolean;
  /** RawMessageDelivery, DeliveryPolicy, RedrivePolicy, SubscriptionRoleArn as set. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What one publish did for one subscription. */
export interface DeliveryRecord {
  readonly time: string;
  readonly topicArn: string;
  readonly subscriptionArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly messageId: string;
  /** `delivered` (on the queue), `failed` (the queue refused: reason), `not-delivered` (a protocol the sandbox does not deliver). */
  readonly outcome: 'delivered' | 'failed' | 'not-delivered';
  readonly reason?: string;
  /** The body as it would reach the endpoint (its first 8,192 characters). */
  readonly body: string;
}

export const topicKey = (scope: TopicScope, name: string): string => `${scope.account}/${scope.region}/${name}`;
export const topicArn = (scope: TopicScope, name: string): string =>
  `arn:aws:sns:${scope.region}:${scope.account}:${name}`;

/**
 * A topic ARN's parts, validated as SNS validates it: fewer than six `:`-separated elements is
 * `Invalid parameter: <param> Reason: An ARN must have at least 6 elements, not N`; not an SNS topic
 * is `Invalid parameter: <param>`.
 */
export function parseTopicArn(arn: unknown, param = 'TopicArn'): TopicScope & { name: string } {
  const text = typeof arn === 'string' ? arn : '';
  const parts = text.split(':');
  if (parts.length < 6) {
    throw new InvalidParameter(
      `Invalid parameter: ${param} Reason: An ARN must have at least 6 elements, not ${parts.length}`,
    );
  }
  const [prefix, partition, service, region, account, name] = parts as [string, string, string, string, string, string];
  if (
    prefix !== 'arn' ||
    !partition.startsWith('aws') ||
    service !== 'sns' ||
    !/^\d{12}$/.test(account) ||
    !region ||
    !name
  ) {
    throw new InvalidParameter(`Invalid parameter: ${param}`);
  }
  return { account, region, name };
}

export function getTopic(runtime: SandboxRuntime, scope: TopicScope, name: string): TopicRecord | undefined {
  return runtime.store.get<TopicRecord>(SNS_TABLES.topics, topicKey(scope, name));
}

/** The topic an ARN names in the call's region: `Invalid parameter: TopicArn` for another region, `NotFound` when absent. */
export function existingTopic(runtime: SandboxRuntime, region: string, arn: unknown, param = 'TopicArn'): TopicRecord {
  const ref = parseTopicArn(arn, param);
  if (ref.region !== region) throw new InvalidParameter(`Invalid parameter: ${param}`);
  const topic = getTopic(runtime, ref, ref.name);
  if (!topic) throw new NotFound(TOPIC_DOES_NOT_EXIST);
  return topic;
}

export function putTopic(runtime: SandboxRuntime, topic: TopicRecord): void {
  runtime.store.put(SNS_TABLES.topics, topicKey(topic, topic.name), topic);
}

/** The store id of a subscription (its topic's key and its id). */
export function subscriptionKey(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 7 || parts[2] !== 'sns') return undefined;
  return `${parts[4]}/${parts[3]}/${parts[5]}/${parts[6]}`;
}

export function topicSubscriptions(runtime: SandboxRuntime, topic: TopicRecord): SubscriptionRecord[] {
  return runtime.store.list<SubscriptionRecord>(SNS_TABLES.subscriptions, `${topicKey(topic, topic.name)}/`);
}

/**
 * The policy SNS gives a topic created without one: every principal of the owner's account may use
 * the topic (`AWS:SourceOwner` is the owner), as GetTopicAttributes shows it on AWS.
 */
export function defaultTopicPolicy(arn: string, owner: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
      },
    ],
  });
}

/** The topic's resource policy, compiled (undefined if it no longer compiles). */
export function topicPolicy(topic: TopicRecord): CompiledPolicy | undefined {
  const text = topic.attributes.Policy;
  if (!text) return undefined;
  try {
    return parsePolicy(text, 'resource', { kind: 'resource', name: `${topic.arn} policy` });
  } catch {
    return undefined;
  }
}
