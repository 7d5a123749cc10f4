import { AwsServiceError, type RequestContext, type SandboxRuntime } from '../../core/types';

/**
 * The persisted shape of CloudWatch Logs log groups, streams and events. A log group belongs to one
 * account and region: store ids `<account>/<region>/<group>`; streams `<…group>:<stream>` and events
 * `<…stream>:<sequence>` (`:` can appear in neither name). The log group ARN is
 * `arn:aws:logs:<region>:<account>:log-group:<name>`; `DescribeLogGroups`' `arn` (and CloudFormation's
 * `Arn`) add `:*`.
 */

export const TABLES = { groups: 'logs.groups', streams: 'logs.streams', events: 'logs.events' } as const;

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface LogGroupRecord {
  readonly account: string;
  readonly region: string;
  readonly logGroupName: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
  readonly logGroupClass: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LogStreamRecord {
  /** Its store id (for deletion by prefix). */
  readonly _id: string;
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly uploadSequenceToken: number;
}

export interface LogEventRecord {
  readonly _id: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });

/** The log group ARN without the `:*` suffix (`logGroupArn`; what tagging calls take). */
export const logGroupArn = (scope: Scope, name: string): string =>
  `arn:aws:logs:${scope.region}:${scope.account}:log-group:${name}`;

export const groupId = (scope: Scope, name: string): string => `${scope.account}/${scope.region}/${name}`;
export const streamId = (scope: Scope, group: string, stream: string): string => `${groupId(scope, group)}:${stream}`;

/** Logs' errors (awsJson1_1, HTTP 400). */
export class LogsError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 400 });
    this.name = code;
  }
}

export const invalidParameter = (message: string): LogsError => new LogsError('InvalidParameterException', message);
export const groupNotFound = (): LogsError =>
  new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = (): LogsError =>
  new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');

/** `1 validation error detected: Value 'x' at 'logGroupName' failed to satisfy constraint: …`. */
export const constraint = (value: unknown, member: string, rule: string): LogsError =>
  invalidParameter(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`,
  );

export function getGroup(runtime: SandboxRuntime, scope: Scope, name: string): LogGroupRecord | undefined {
  return runtime.store.get<LogGroupRecord>(TABLES.groups, groupId(scope, name));
}

export function mustGroup(runtime: SandboxRuntime, scope: Scope, name: string): LogGroupRecord {
  const group = getGroup(runtime, scope, name);
  if (!group) throw groupNotFound();
  return group;
}

export function saveGroup(runtime: SandboxRuntime, group: LogGroupRecord): void {
  runtime.store.put(TABLES.groups, groupId(group, group.logGroupName), group);
}

/** The scope's log groups, sorted by name. */
export function listGroups(runtime: SandboxRuntime, scope: Scope): LogGroupRecord[] {
  return runtime.store
    .list<LogGroupRecord>(TABLES.groups, `${scope.account}/${scope.region}/`)
    .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : a.logGroupName > b.logGroupName ? 1 : 0));
}

/** Deletes a log group with its streams and events. */
export function removeGroup(runtime: SandboxRuntime, group: LogGroupRecord): void {
  const id = groupId(group, group.logGroupName);
  runtime.store.transaction(() => {
    deletePrefix(runtime, TABLES.events, `${id}:`);
    deletePrefix(runtime, TABLES.streams, `${id}:`);
    runtime.store.delete(TABLES.groups, id);
  });
}

/** Deletes every record of a table under a prefix (records carry their own `_id`). */
function deletePrefix(runtime: SandboxRuntime, table: string, prefix: string): void {
  for (const record of runtime.store.list<{ _id: string }>(table, prefix)) runtime.store.delete(table, record._id);
}

/** The group a `logGroupIdentifier` (name or ARN, with or without `:*`) names. */
export function groupNameOf(identifier: string): string {
  const m = /^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:(.+?)(:\*)?$/.exec(identifier);
  return m ? (m[1] as string) : identifier;
}

/** A log group as `DescribeLogGroups` returns it. */
export function groupView(group: LogGroupRecord): Record<string, unknown> {
  const arn = logGroupArn(group, group.logGroupName);
  return {
    logGroupName: group.logGroupName,
    creationTime: group.creationTime,
    ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: 0,
    ...(group.kmsKeyId !== undefined ? { kmsKeyId: group.kmsKeyId } : {}),
    logGroupClass: group.logGroupClass,
    logGroupArn: arn,
  };
}
