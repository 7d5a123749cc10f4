import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { getQueue, parseQueueUrl, queueArn, queuePolicy } from './model';
import { tagMap } from './queues';

/**
 * What the gatekeeper decides for an SQS call (Service Authorization Reference, Amazon SQS): the
 * queue's ARN, its policy as the resource policy and its owner as the resource's account, so a call
 * from another account is allowed only when both its identity policies and the queue policy allow it.
 * Batch actions are authorized as their single actions (`SendMessageBatch` → `sqs:SendMessage`).
 * ListQueues has no resource (`*`).
 */

const ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'sqs:SendMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
};

/**
 * Actions that never work across accounts (the API reference: "Cross-account permissions don't apply
 * to this action"): for another account's queue the policy is not consulted, so they are denied.
 */
const OWNER_ONLY = new Set([
  'CreateQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'AddPermission',
  'RemovePermission',
]);

type Context = Record<string, string | readonly string[] | boolean | undefined>;

/** The queue a call names: by QueueUrl, or by QueueName (CreateQueue, GetQueueUrl). */
function target(operation: string, input: Record<string, unknown>, ctx: RequestContext) {
  if (operation === 'CreateQueue' || operation === 'GetQueueUrl') {
    if (typeof input.QueueName !== 'string') return undefined;
    const owner =
      operation === 'GetQueueUrl' && typeof input.QueueOwnerAWSAccountId === 'string'
        ? input.QueueOwnerAWSAccountId
        : ctx.principal.accountId;
    return { account: owner, name: input.QueueName };
  }
  if (typeof input.QueueUrl !== 'string') return undefined;
  try {
    return parseQueueUrl(input.QueueUrl);
  } catch {
    return undefined; // the operation answers InvalidAddress
  }
}

export function sqsAuthorization(
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  const action = ACTIONS[operation];
  const base: AuthorizationDetails = action ? { action } : {};
  const queueRef = target(operation, input, ctx);
  if (!queueRef) return base;
  const scope = { account: queueRef.account, region: ctx.region };
  const arn = queueArn(scope, queueRef.name);
  const queue = getQueue(ctx.runtime, scope, queueRef.name);
  const context: Context = {};
  for (const [k, v] of Object.entries(queue?.tags ?? {})) context[`aws:ResourceTag/${k}`] = v;
  if (operation === 'CreateQueue' || operation === 'TagQueue') {
    const requested = tagMap(operation === 'CreateQueue' ? (input.tags ?? input.Tags) : input.Tags);
    for (const [k, v] of Object.entries(requested)) context[`aws:RequestTag/${k}`] = v;
    if (Object.keys(requested).length > 0) context['aws:TagKeys'] = Object.keys(requested);
  }
  if (operation === 'UntagQueue' && Array.isArray(input.TagKeys)) context['aws:TagKeys'] = input.TagKeys.map(String);
  const sameAccount = queueRef.account === ctx.principal.accountId;
  const policy = queue && (sameAccount || !OWNER_ONLY.has(operation)) ? queuePolicy(queue) : undefined;
  return {
    ...base,
    resources: [arn],
    context,
    ...(policy ? { resourcePolicy: policy } : {}),
    resourceAccountId: queueRef.account,
  };
}
