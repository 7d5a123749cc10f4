import { controlRoute } from '../../core/control';
import type { LocalRuntime } from '../../core/runtime';
import type { RawHttpService } from '../../core/server';
import type { ServiceDefinition } from '../../core/types';
import { queryFront } from '../query-front';
import { snsAuthorization } from './authorization';
import { AuthorizationError } from './errors';
import * as operations from './operations';
import { recentDeliveries } from './publish';
import { SNS_NAMESPACE, SNS_QUERY } from './query';

export type { PublishToTopicOptions, PublishToTopicResult } from './api';
export { publishToTopic } from './api';
export type { DeliveryRecord, SubscriptionRecord, TopicRecord } from './model';
export { defaultTopicPolicy, getTopic, parseTopicArn, SNS_TABLES } from './model';
export { recentDeliveries, registerSnsDeliverer, type SnsDeliverer } from './publish';
export { existingSubscription, subscribe, unsubscribe } from './subscriptions';
export { createTopic, deleteTopic, setTopicAttribute } from './topics';

/** What CloudTrail logs as SNS data events (not recorded: not management events). */
export const SNS_DATA_EVENTS: ReadonlySet<string> = new Set(['Publish', 'PublishBatch']);

/**
 * Amazon SNS (standard topics): awsQuery, version 2010-03-31. Topics, subscriptions and tags persist
 * in the store; Publish delivers to the topic's `sqs` subscriptions through SQS (`sendToQueue`, as
 * `sns.amazonaws.com`) and records every other delivery.
 *
 * @example
 * const service = snsService();
 * await service.operations.CreateTopic?.({ Name: 'alarms' }, ctx);
 */
export function snsService(): ServiceDefinition {
  return {
    signingName: 'sns',
    protocol: 'awsQuery',
    xmlNamespace: SNS_NAMESPACE,
    eventSource: 'sns.amazonaws.com',
    authorization: snsAuthorization,
    operations: { ...operations },
  };
}

/**
 * The SNS service the server registers: {@link snsService} behind the query front, which writes the
 * `<entry>` attribute maps the server's generic XML encoder cannot. Adds
 * `GET /_sandbox/sns/deliveries?topicArn=&limit=` (the last deliveries, newest first).
 */
export function createSnsService(runtime: LocalRuntime): RawHttpService {
  controlRoute('GET', '/_sandbox/sns/deliveries', (rt, _body, query) => {
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return { status: 400, body: { error: 'BadRequest', message: 'limit must be an integer from 1 to 1000' } };
    }
    return { status: 200, body: { deliveries: recentDeliveries(rt, query.topicArn, limit) } };
  });
  return queryFront(runtime, snsService(), {
    query: SNS_QUERY,
    dataEvents: SNS_DATA_EVENTS,
    accessDenied: (message) => new AuthorizationError(message),
  });
}
