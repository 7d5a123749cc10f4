import { createHash } from 'node:crypto';
import { serviceCallDenial } from '../../core/service-call';
import { AwsServiceError, type SandboxRuntime } from '../../core/types';
import { checkMessage, checkMessageAttributes, enqueue } from './messages';
import {
  getQueue,
  type MessageAttributeValue,
  type MessageRecord,
  parseQueueArn,
  queueMessages,
  queuePolicy,
} from './model';

/**
 * How other services deliver to a queue (EventBridge dead-letter queues, Lambda on-failure
 * destinations, SNS subscriptions): {@link sendToQueue} puts a message on a queue by ARN, as the
 * sending AWS service would. With `senderService` the queue's policy decides, for that service
 * principal, with `aws:SourceArn`/`aws:SourceAccount` of the resource it sends for and
 * `aws:SecureTransport` true (services call SQS over TLS); a queue without a policy refuses every
 * service, as on AWS.
 */

export interface SendToQueueOptions {
  /** The service principal that sends (`events.amazonaws.com`); omitted: the sandbox itself, no policy check. */
  readonly senderService?: string;
  /** The resource it sends for (`aws:SourceArn`: the rule, the topic, the function). */
  readonly sourceArn?: string;
  /** `aws:SourceAccount`; default: the account of `sourceArn`. */
  readonly sourceAccount?: string;
  /** Message attributes (SNS raw delivery passes the publish's attributes on). */
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

export type SendToQueueResult = { ok: true; messageId: string } | { ok: false; reason: string };

/** The `SenderId` a service's messages carry: a stable `AIDA…` id per service principal. */
export function serviceSenderId(service: string): string {
  return `AIDA${createHash('sha256').update(service).digest('hex').slice(0, 17).toUpperCase()}`;
}

/**
 * Sends `body` to the queue `queueArn` as `senderService` would; never throws for AWS reasons.
 *
 * @example
 * const sent = sendToQueue(runtime, dlqArn, JSON.stringify(event), { senderService: 'events.amazonaws.com', sourceArn: ruleArn });
 * if (!sent.ok) record(sent.reason);
 */
export function sendToQueue(
  runtime: SandboxRuntime,
  queueArn: string,
  body: string,
  options: SendToQueueOptions = {},
): SendToQueueResult {
  const target = parseQueueArn(queueArn);
  if (!target) return { ok: false, reason: `${queueArn} is not an SQS queue ARN.` };
  const queue = getQueue(runtime, target, target.name);
  if (!queue) return { ok: false, reason: `Queue ${queueArn} does not exist.` };
  const service = options.senderService;
  if (service) {
    const reason = serviceCallDenial(runtime, {
      service,
      action: 'sqs:SendMessage',
      resource: queue,
      policy: queuePolicy(queue),
      ...(options.sourceArn ? { sourceArn: options.sourceArn } : {}),
      ...(options.sourceAccount ? { sourceAccount: options.sourceAccount } : {}),
    });
    if (reason) return { ok: false, reason };
  }
  try {
    const messageAttributes = checkMessageAttributes(options.messageAttributes);
    const message = {
      body,
      senderId: service ? serviceSenderId(service) : runtime.hubPrincipal.principalId,
      ...(messageAttributes ? { messageAttributes } : {}),
    };
    checkMessage(queue, message);
    return { ok: true, messageId: enqueue(runtime, queue, message).messageId };
  } catch (error) {
    if (error instanceof AwsServiceError) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Every message a queue holds, without receiving them (nothing changes): for tests and inspection.
 * Undefined when the queue does not exist.
 */
export function peekQueue(runtime: SandboxRuntime, queueArn: string): MessageRecord[] | undefined {
  const target = parseQueueArn(queueArn);
  const queue = target ? getQueue(runtime, target, target.name) : undefined;
  return queue ? queueMessages(runtime, queue) : undefined;
}
