import type { LocalRuntime } from '../../core/runtime';
import type { RawHttpService } from '../../core/server';
import type { ServiceDefinition } from '../../core/types';
import { queryFront } from '../query-front';
import { sqsAuthorization } from './authorization';
import { SqsAccessDenied } from './errors';
import * as operations from './operations';
import { SQS_NAMESPACE, SQS_QUERY } from './query';

export type { SendToQueueOptions, SendToQueueResult } from './api';
export { peekQueue, sendToQueue } from './api';
export type { QueueRecord } from './model';
export { parseQueueArn, parseQueueUrl, queueUrl, SQS_TABLES } from './model';
export { createQueue, deleteQueue, setQueueAttributes } from './queues';

/**
 * What CloudTrail logs as SQS data events: not management events, so not in Event history and not
 * on the default bus (SQS developer guide, "Logging Amazon SQS API calls using CloudTrail").
 */
export const SQS_DATA_EVENTS: ReadonlySet<string> = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

/**
 * Amazon SQS (standard queues): awsJson1_0 with target prefix `AmazonSQS` (SDK v3, the AWS CLI v1),
 * and the query protocol, version 2012-11-05 (the AWS CLI v2 2.9). Queue URLs are
 * `<endpoint>/<account>/<name>`; queues and messages persist in the store; visibility timeouts,
 * delays and retention run on the sandbox clock.
 *
 * @example
 * const service = sqsService();
 * await service.operations.CreateQueue?.({ QueueName: 'jobs' }, ctx);
 */
export function sqsService(): ServiceDefinition {
  return {
    signingName: 'sqs',
    protocol: 'awsJson1_0',
    targetPrefix: 'AmazonSQS',
    queryCompatible: { version: '2012-11-05' },
    xmlNamespace: SQS_NAMESPACE,
    eventSource: 'sqs.amazonaws.com',
    authorization: sqsAuthorization,
    operations: { ...operations },
  };
}

/**
 * The SQS service the server registers: {@link sqsService} behind the query front, which writes the
 * query protocol's flattened lists and maps that the server's generic XML encoder cannot.
 */
export function createSqsService(runtime: LocalRuntime): RawHttpService {
  return queryFront(runtime, sqsService(), {
    query: SQS_QUERY,
    dataEvents: SQS_DATA_EVENTS,
    accessDenied: (message) => new SqsAccessDenied(message),
  });
}
