import { AwsServiceError } from '../../../core/types';
import { DEFAULT_ATTRIBUTES } from '../../sqs/attributes';
import { getQueue, parseQueueUrl, type QueueRecord, queueByUrl, queueUrl } from '../../sqs/model';
import { createQueue, deleteQueue, setQueueAttributes, tagQueue } from '../../sqs/queues';
import {
  bool,
  generatedName,
  policyOnResourcesProvider,
  type ResourceContext,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::SQS::Queue` and `AWS::SQS::QueuePolicy` (standard queues), through the same functions as
 * the SQS API, so a value SQS would refuse fails the resource with SQS's message. Return values as
 * CloudFormation documents them: a queue's Ref is its URL, `Fn::GetAtt` `Arn`, `QueueName`,
 * `QueueUrl`; a queue policy's Ref (and `Id`) is an id of its own. Deleting a queue policy removes
 * the policy from its queues.
 */

/** Integer attributes, given as numbers or strings. */
const INTEGER_PROPS = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'KmsDataKeyReusePeriodSeconds',
] as const;

const json = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The SQS attributes a queue's properties set. */
function attributesOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INTEGER_PROPS) {
    const v = str(props, name);
    if (v !== undefined) out[name] = v;
  }
  const kms = str(props, 'KmsMasterKeyId');
  if (kms !== undefined) out.KmsMasterKeyId = kms;
  const sse = bool(props, 'SqsManagedSseEnabled');
  if (sse !== undefined) out.SqsManagedSseEnabled = String(sse);
  if (props.RedrivePolicy !== undefined && props.RedrivePolicy !== null) out.RedrivePolicy = json(props.RedrivePolicy);
  if (props.RedriveAllowPolicy !== undefined && props.RedriveAllowPolicy !== null)
    out.RedriveAllowPolicy = json(props.RedriveAllowPolicy);
  return out;
}

const tagsOf = (ctx: ResourceContext, props: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(stackTags(ctx, props.Tags).map((t) => [t.Key, t.Value]));

function created(ctx: ResourceContext, queue: QueueRecord) {
  const url = queueUrl(ctx.runtime, queue);
  return { physicalId: url, attributes: { Arn: queue.arn, QueueName: queue.name, QueueUrl: url } };
}

/** The queue a physical id (its URL) names, in the stack's region; undefined when gone. */
function queueOf(ctx: ResourceContext, url: string): QueueRecord | undefined {
  const { account, name } = parseQueueUrl(url);
  return getQueue(ctx.runtime, { account, region: ctx.region }, name);
}

export const queueProvider: ResourceProvider = {
  type: 'AWS::SQS::Queue',
  properties: [
    'DelaySeconds',
    'KmsDataKeyReusePeriodSeconds',
    'KmsMasterKeyId',
    'MaximumMessageSize',
    'MessageRetentionPeriod',
    'QueueName',
    'ReceiveMessageWaitTimeSeconds',
    'RedriveAllowPolicy',
    'RedrivePolicy',
    'SqsManagedSseEnabled',
    'Tags',
    'VisibilityTimeout',
  ],
  create(ctx, props) {
    const name = str(props, 'QueueName') ?? generatedName(ctx, 80);
    if (getQueue(ctx.runtime, scopeOf(ctx), name)) {
      throw new AwsServiceError(
        'AlreadyExists',
        `Resource of type 'AWS::SQS::Queue' with identifier '${name}' already exists.`,
      );
    }
    const { queue } = createQueue(ctx.runtime, scopeOf(ctx), name, attributesOf(props), tagsOf(ctx, props));
    return created(ctx, queue);
  },
  update(ctx, physicalId, props, previous) {
    const queue = queueOf(ctx, physicalId);
    if (!queue || (str(props, 'QueueName') ?? queue.name) !== queue.name) return undefined;
    const changes: Record<string, string> = attributesOf(props);
    // a property no longer given goes back to SQS's default
    for (const name of Object.keys(attributesOf(previous))) {
      if (!(name in changes)) changes[name] = DEFAULT_ATTRIBUTES[name] ?? '';
    }
    const updated = setQueueAttributes(ctx.runtime, queue, changes);
    const tags = tagsOf(ctx, props);
    const tagged = tagQueue(
      ctx.runtime,
      updated,
      tags,
      Object.keys(updated.tags).filter((k) => !(k in tags)),
    );
    return created(ctx, tagged);
  },
  delete(ctx, physicalId) {
    const queue = queueOf(ctx, physicalId);
    if (queue) deleteQueue(ctx.runtime, queue);
  },
};

/** The queue URLs of a QueuePolicy's `Queues`. */
function applyPolicy(ctx: ResourceContext, urls: readonly string[], policy: string): void {
  for (const url of urls) setQueueAttributes(ctx.runtime, queueByUrl(ctx.runtime, ctx.region, url), { Policy: policy });
}

function clearPolicy(ctx: ResourceContext, urls: readonly string[]): void {
  for (const url of urls) {
    let queue: QueueRecord | undefined;
    try {
      queue = queueOf(ctx, url);
    } catch {
      queue = undefined;
    }
    if (queue?.attributes.Policy) setQueueAttributes(ctx.runtime, queue, { Policy: '' });
  }
}

export const queuePolicyProvider = policyOnResourcesProvider({
  type: 'AWS::SQS::QueuePolicy',
  listProperty: 'Queues',
  apply: applyPolicy,
  clear: clearPolicy,
});

/** The SQS resource types. */
export const sqsProviders: readonly ResourceProvider[] = [queueProvider, queuePolicyProvider];
