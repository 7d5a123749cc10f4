import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { getTopic, topicArn, topicPolicy } from './model';

/**
 * What the gatekeeper decides for an SNS call (Service Authorization Reference, Amazon SNS): the
 * topic's ARN (a subscription's calls are on its topic), the topic's policy as the resource policy
 * and its owner as the resource's account. ListTopics and ListSubscriptions have no resource (`*`).
 * Subscribe carries `sns:Protocol` and `sns:Endpoint`; CreateTopic and the tagging calls carry
 * `aws:RequestTag/…` and `aws:TagKeys`.
 */

/** Calls a topic policy can grant to another account (the actions of SNS's default policy). */
const POLICY_ACTIONS = new Set([
  'GetTopicAttributes',
  'SetTopicAttributes',
  'DeleteTopic',
  'Subscribe',
  'ListSubscriptionsByTopic',
  'Publish',
]);

type Context = Record<string, string | readonly string[] | boolean | undefined>;

/** `arn:aws:sns:region:account:name…` → the topic's account, region and name, without validating. */
function topicRef(arn: unknown): { account: string; region: string; name: string } | undefined {
  if (typeof arn !== 'string') return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[2] !== 'sns' || !parts[3] || !/^\d{12}$/.test(parts[4] ?? '') || !parts[5])
    return undefined;
  return { region: parts[3] as string, account: parts[4] as string, name: parts[5] as string };
}

function tagsContext(raw: unknown, context: Context): void {
  const tags = Array.isArray(raw) ? (raw as { Key?: unknown; Value?: unknown }[]) : [];
  for (const t of tags) if (typeof t?.Key === 'string') context[`aws:RequestTag/${t.Key}`] = String(t.Value ?? '');
  const keys = tags.flatMap((t) => (typeof t?.Key === 'string' ? [t.Key] : []));
  if (keys.length > 0) context['aws:TagKeys'] = keys;
}

export function snsAuthorization(
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  const context: Context = {};
  if (operation === 'CreateTopic') {
    if (typeof input.Name !== 'string') return {};
    tagsContext(input.Tags, context);
    return { resources: [topicArn({ account: ctx.principal.accountId, region: ctx.region }, input.Name)], context };
  }
  const ref = topicRef(input.TopicArn ?? input.TargetArn ?? input.ResourceArn ?? input.SubscriptionArn);
  if (!ref) return {};
  const topic = getTopic(ctx.runtime, ref, ref.name);
  for (const t of topic?.tags ?? []) context[`aws:ResourceTag/${t.Key}`] = t.Value;
  if (operation === 'Subscribe') {
    if (typeof input.Protocol === 'string') context['sns:Protocol'] = input.Protocol;
    if (typeof input.Endpoint === 'string') context['sns:Endpoint'] = input.Endpoint;
  }
  if (operation === 'TagResource') tagsContext(input.Tags, context);
  if (operation === 'UntagResource' && Array.isArray(input.TagKeys)) context['aws:TagKeys'] = input.TagKeys.map(String);
  const sameAccount = ref.account === ctx.principal.accountId;
  const policy = topic && (sameAccount || POLICY_ACTIONS.has(operation)) ? topicPolicy(topic) : undefined;
  return {
    resources: [topicArn(ref, ref.name)],
    context,
    ...(policy ? { resourcePolicy: policy } : {}),
    resourceAccountId: ref.account,
  };
}
