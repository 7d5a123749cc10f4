import type { SandboxRuntime } from '../../core/types';
import { type BusRecord, TABLES as EVENT_TABLES, keys as eventKeys, parseBusArn } from '../eventbridge/model';
import { busPolicy } from '../eventbridge/permissions';
import { publishToTopic } from '../sns/api';
import { getTopic, parseTopicArn, topicPolicy } from '../sns/model';
import { sendToQueue } from '../sqs/api';
import { getQueue, parseQueueArn, queuePolicy } from '../sqs/model';
import type { Delivery } from './async';
import { destinationAction } from './event-invoke-config';
import { executionPrincipal, roleDenial } from './execution-role';
import { type FunctionRecord, LATEST } from './model';

/**
 * Delivering what an asynchronous invocation leaves: the invocation record to an on-success or
 * on-failure destination (an SQS queue, an SNS topic, an EventBridge bus — detail-type
 * `Lambda Function Invocation Result - Success|Failure`, source `lambda` — or another function,
 * invoked asynchronously), and the original event to the dead-letter queue or topic.
 *
 * Lambda delivers as the function's execution role ("the execution role needs `sqs:SendMessage`,
 * `sns:Publish`, `events:PutEvents`, `lambda:InvokeFunction`"): the role's policies and the account's
 * SCPs decide, with the destination's own policy when it is in another account. A record Lambda may
 * not send, or cannot (a queue that does not exist, a FIFO queue or topic), is lost, as on AWS
 * (CloudWatch's `DestinationDeliveryFailures`); the outcome says why.
 */

/** Sends `body` (a record, or the event for a dead letter) to one destination. */
export async function deliver(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  kind: Delivery['kind'],
  target: string,
  body: unknown,
): Promise<Delivery> {
  const result = (delivered: boolean, reason?: string): Delivery => ({
    kind,
    target,
    delivered,
    ...(reason ? { reason } : {}),
  });
  const action = destinationAction(target);
  if (!action) return result(false, `${target} is not a destination Lambda delivers to`);
  if (/\.fifo$/.test(target))
    return result(false, `${target} is a FIFO queue or topic: Lambda does not deliver to those`);
  const region = target.split(':')[3] || fn.region;
  const text = JSON.stringify(body);
  try {
    switch (action) {
      case 'sqs:SendMessage': {
        const where = parseQueueArn(target);
        const queue = where ? getQueue(runtime, where, where.name) : undefined;
        if (!queue) return result(false, `Queue ${target} does not exist.`);
        const policy = queuePolicy(queue);
        const denial = roleDenial(runtime, fn, action, target, {
          region,
          ...(policy ? { resourcePolicy: policy } : {}),
          resourceAccountId: queue.account,
        });
        if (denial) return result(false, denial);
        const sent = sendToQueue(runtime, target, text);
        return sent.ok ? result(true) : result(false, sent.reason);
      }
      case 'sns:Publish': {
        const where = parseTopicArn(target);
        const topic = getTopic(runtime, where, where.name);
        if (!topic) return result(false, `Topic ${target} does not exist.`);
        const policy = topicPolicy(topic);
        const denial = roleDenial(runtime, fn, action, target, {
          region,
          ...(policy ? { resourcePolicy: policy } : {}),
          resourceAccountId: topic.account,
        });
        if (denial) return result(false, denial);
        const sent = publishToTopic(runtime, target, text, { sourceArn: fn.FunctionArn });
        return sent.ok ? result(true) : result(false, sent.reason);
      }
      case 'events:PutEvents': {
        const bus = parseBusArn(target);
        const record = bus ? runtime.store.get<BusRecord>(EVENT_TABLES.buses, eventKeys.bus(bus, bus.name)) : undefined;
        if (!bus || (!record && bus.name !== 'default')) return result(false, `Event bus ${target} does not exist`);
        const policy = record ? busPolicy(record) : undefined;
        const denial = roleDenial(runtime, fn, action, target, {
          region,
          ...(policy ? { resourcePolicy: policy } : {}),
          resourceAccountId: bus.account,
        });
        if (denial) return result(false, denial);
        runtime.bus.publish({
          source: 'lambda',
          detailType: `Lambda Function Invocation Result - ${kind === 'OnSuccess' ? 'Success' : 'Failure'}`,
          detail: body as Record<string, unknown>,
          resources: [target, `${fn.FunctionArn}:${LATEST}`],
          account: bus.account,
          region: bus.region,
          eventBusName: target,
          time: runtime.clock.now(),
        });
        return result(true);
      }
      default: {
        // another function, invoked asynchronously as the execution role (imported late: api → async → here)
        const { invokeFunction } = await import('./api');
        await invokeFunction(runtime, target, text, {
          invocationType: 'Event',
          principal: executionPrincipal(fn),
          region,
        });
        return result(true);
      }
    }
  } catch (error) {
    return result(false, error instanceof Error ? error.message : String(error));
  }
}
