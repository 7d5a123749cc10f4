import type {
  AuthorizationDetails,
  OperationHandler,
  RequestContext,
  SandboxRuntime,
  ServiceDefinition,
} from '../../core/types';
import { alarmOperations } from './alarms';
import { scopeOf } from './configuration';
import { list, strings } from './input';
import { alarmArn, getAlarm } from './model';
import { stateOperations } from './state';

export { deleteAlarms, putMetricAlarm } from './alarms';
export { alarmConfiguration } from './configuration';
export type { AlarmRecord, StateValue } from './model';
export { alarmArn, getAlarm, listAlarms, TABLES as CLOUDWATCH_TABLES } from './model';
export { alarmNotification, alarmSubject, setAlarmState } from './state';

/** CloudWatch's JSON target prefix (SDK v3, the AWS CLI v1) and query API (the AWS CLI v2 2.9). */
export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';
export const CLOUDWATCH_QUERY_VERSION = '2010-08-01';
export const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** Calls that name alarms: authorized on each alarm's ARN. */
function authorization(
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
  runtime: SandboxRuntime,
): AuthorizationDetails {
  const scope = scopeOf(ctx);
  switch (operation) {
    case 'PutMetricAlarm': {
      const name = typeof input.AlarmName === 'string' ? input.AlarmName : '';
      const tags = list<{ Key?: unknown; Value?: unknown }>(input, 'Tags').filter((t) => typeof t?.Key === 'string');
      return {
        resources: [alarmArn(scope, name)],
        context: {
          ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${String(t.Key)}`, String(t.Value ?? '')])),
          ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => String(t.Key)) } : {}),
        },
      };
    }
    case 'SetAlarmState':
    case 'DescribeAlarmHistory': {
      if (typeof input.AlarmName !== 'string') return {};
      const alarm = getAlarm(runtime, scope, input.AlarmName);
      return {
        resources: [alarmArn(scope, input.AlarmName)],
        context: Object.fromEntries((alarm?.Tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value])),
      };
    }
    case 'DeleteAlarms':
    case 'EnableAlarmActions':
    case 'DisableAlarmActions':
    case 'DescribeAlarms': {
      const names = strings(input, 'AlarmNames');
      return names.length > 0 ? { resources: names.map((n) => alarmArn(scope, n)) } : {};
    }
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource':
      return typeof input.ResourceARN === 'string' ? { resources: [input.ResourceARN] } : {};
    default:
      return {};
  }
}

/**
 * Amazon CloudWatch alarms (signing name `monitoring`, IAM prefix `cloudwatch`): awsJson1_0 under
 * `GraniteServiceVersion20100801` for SDK v3 and the AWS CLI v1, and the query protocol (2010-08-01)
 * for the AWS CLI v2 2.9 (`awsQueryCompatible`). Alarms are stored, listed and moved only by
 * `SetAlarmState`; metric data is accepted and discarded. See docs/services/cloudwatch.md.
 *
 * @example
 * const cw = createCloudWatchService(runtime);
 * await cw.operations.SetAlarmState?.({ AlarmName: 'x', StateValue: 'ALARM', StateReason: 'test' }, ctx);
 */
export function createCloudWatchService(runtime: SandboxRuntime): ServiceDefinition {
  const operations: Record<string, OperationHandler> = { ...alarmOperations(runtime), ...stateOperations(runtime) };
  return {
    signingName: 'monitoring',
    actionPrefix: 'cloudwatch',
    protocol: 'awsJson1_0',
    targetPrefix: CLOUDWATCH_TARGET_PREFIX,
    queryCompatible: { version: CLOUDWATCH_QUERY_VERSION },
    xmlNamespace: CLOUDWATCH_NAMESPACE,
    eventSource: 'monitoring.amazonaws.com',
    authorization: (operation, input, ctx) => authorization(operation, input, ctx, runtime),
    // PutMetricData is a data-plane call CloudTrail does not record as a management event
    isReadOnly: (operation) => operation === 'PutMetricData' || /^(Describe|List|Get)/.test(operation),
    operations,
  };
}
