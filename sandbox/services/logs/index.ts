import type {
  AuthorizationDetails,
  OperationHandler,
  RequestContext,
  SandboxRuntime,
  ServiceDefinition,
} from '../../core/types';
import { groupOperations } from './groups';
import { getGroup, groupNameOf, logGroupArn, scopeOf } from './model';
import { streamOperations } from './streams';

export { checkGroupName, checkRetention, createLogGroup, deleteLogGroup, RETENTION_DAYS, setRetention } from './groups';
export type { LogGroupRecord } from './model';
export { getGroup as getLogGroup, logGroupArn, TABLES as LOGS_TABLES } from './model';
export { createLogStream, putLogEvents } from './streams';

/** A call's log group, by name, identifier or tagging ARN. */
function groupName(input: Record<string, unknown>): string | undefined {
  for (const key of ['logGroupName', 'logGroupIdentifier', 'resourceArn']) {
    if (typeof input[key] === 'string') return groupNameOf(input[key] as string);
  }
  return undefined;
}

/** Log group calls are authorized on `arn:aws:logs:<region>:<account>:log-group:<name>` (stream calls on `…:log-stream:<stream>`). */
function authorization(
  runtime: SandboxRuntime,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  const name = groupName(input);
  if (name === undefined) return {};
  const scope = scopeOf(ctx);
  const arn = logGroupArn(scope, name);
  const stream = typeof input.logStreamName === 'string' ? `${arn}:log-stream:${input.logStreamName}` : undefined;
  const group = getGroup(runtime, scope, name);
  const tags =
    typeof input.tags === 'object' && input.tags && !Array.isArray(input.tags) ? Object.keys(input.tags) : [];
  return {
    resources: [stream ?? arn],
    context: {
      ...Object.fromEntries(Object.entries(group?.tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
      ...Object.fromEntries(
        tags.map((k) => [`aws:RequestTag/${k}`, String((input.tags as Record<string, unknown>)[k])]),
      ),
      ...(tags.length > 0 ? { 'aws:TagKeys': tags } : {}),
    },
  };
}

/**
 * Amazon CloudWatch Logs (awsJson1_1, `Logs_20140328`): log groups with retention and tags, and
 * minimal log streams and events. See docs/services/logs.md.
 *
 * @example
 * const logs = createLogsService(runtime);
 * await logs.operations.CreateLogGroup?.({ logGroupName: '/aws/lambda/x' }, ctx);
 */
export function createLogsService(runtime: SandboxRuntime): ServiceDefinition {
  const operations: Record<string, OperationHandler> = { ...groupOperations(runtime), ...streamOperations(runtime) };
  return {
    signingName: 'logs',
    protocol: 'awsJson1_1',
    targetPrefix: 'Logs_20140328',
    eventSource: 'logs.amazonaws.com',
    authorization: (_operation, input, ctx) => authorization(runtime, input, ctx),
    // PutLogEvents is a data-plane call CloudTrail does not record as a management event
    isReadOnly: (operation) => operation === 'PutLogEvents' || /^(Describe|List|Get|Filter)/.test(operation),
    operations,
  };
}
