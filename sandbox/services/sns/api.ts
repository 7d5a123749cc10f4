import { serviceCallDenial } from '../../core/service-call';
import { AwsServiceError, type SandboxRuntime } from '../../core/types';
import { getTopic, parseTopicArn, topicPolicy } from './model';
import { deliver } from './publish';

/**
 * How other services publish to a topic (a CloudWatch alarm's action, a Lambda destination):
 * {@link publishToTopic} publishes as the sending AWS service would. With `senderService` the
 * topic's policy decides for that service principal, with `aws:SourceArn`, `aws:SourceAccount` (and
 * SNS's `AWS:SourceOwner`) of the resource it publishes for and `aws:SecureTransport` true: services
 * call SNS over TLS, so a policy denying plain HTTP does not stop them, but a policy that grants the
 * service nothing refuses it. KMS permissions of an encrypted topic are not checked.
 */

export interface PublishToTopicOptions {
  readonly subject?: string;
  /** The service principal that publishes (`cloudwatch.amazonaws.com`); omitted: the sandbox itself, no policy check. */
  readonly senderService?: string;
  /** The resource it publishes for (`aws:SourceArn`: the alarm, the function). */
  readonly sourceArn?: string;
  /** `aws:SourceAccount`; default: the account of `sourceArn`. */
  readonly sourceAccount?: string;
}

export type PublishToTopicResult = { ok: true; messageId: string } | { ok: false; reason: string };

/**
 * Publishes `message` to `topicArn` and delivers it to the topic's subscriptions; never throws for AWS reasons.
 *
 * @example
 * const sent = publishToTopic(runtime, topicArn, JSON.stringify(alarm), { subject, senderService: 'cloudwatch.amazonaws.com', sourceArn: alarmArn });
 */
export function publishToTopic(
  runtime: SandboxRuntime,
  topicArn: string,
  message: string,
  options: PublishToTopicOptions = {},
): PublishToTopicResult {
  try {
    const ref = parseTopicArn(topicArn);
    const topic = getTopic(runtime, ref, ref.name);
    if (!topic) return { ok: false, reason: `Topic ${topicArn} does not exist.` };
    const service = options.senderService;
    if (service) {
      const reason = serviceCallDenial(runtime, {
        service,
        action: 'sns:Publish',
        resource: topic,
        policy: topicPolicy(topic),
        ...(options.sourceArn ? { sourceArn: options.sourceArn } : {}),
        ...(options.sourceAccount ? { sourceAccount: options.sourceAccount } : {}),
      });
      if (reason) return { ok: false, reason };
    }
    const messageId = deliver(runtime, topic, {
      message,
      ...(options.subject !== undefined ? { subject: options.subject } : {}),
    });
    return { ok: true, messageId };
  } catch (error) {
    if (error instanceof AwsServiceError) return { ok: false, reason: error.message };
    throw error;
  }
}
