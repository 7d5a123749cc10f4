import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import {
  constraint,
  getGroup,
  groupNameOf,
  groupView,
  invalidParameter,
  type LogGroupRecord,
  LogsError,
  listGroups,
  mustGroup,
  removeGroup,
  type Scope,
  saveGroup,
  scopeOf,
} from './model';

/**
 * Log group operations: creation (with AWS's name rules), listing, deletion, retention and tags (the
 * ARN-based `TagResource` family and the older name-based `TagLogGroup` family).
 */

type Input = Record<string, unknown>;

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const TAG_KEY = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u;
const TAG_VALUE = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const CLASSES = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'];

/** A required string member, refused as Logs refuses it. */
export function required(input: Input, name: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v === '')
    throw constraint(v === undefined ? 'null' : v, name, 'Member must not be null');
  return v;
}

/** Validates a log group name (1–512 characters of `[.-_/#A-Za-z0-9]`, not `aws/…`). */
export function checkGroupName(name: string, member = 'logGroupName'): void {
  if (name.length > 512) throw constraint(name, member, 'Member must have length less than or equal to 512');
  if (!GROUP_NAME.test(name)) {
    throw constraint(name, member, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
  }
  if (name.toLowerCase().startsWith('aws/'))
    throw invalidParameter('Log groups starting with AWS/ are reserved for AWS.');
}

/** Validates a retention period. */
export function checkRetention(days: unknown): number {
  if (typeof days !== 'number' || !(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw invalidParameter(`Invalid retention value. Valid values are: [${RETENTION_DAYS.join(', ')}]`);
  }
  return days;
}

/** Validates a tag map. */
export function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== 'object' || Array.isArray(tags)) throw invalidParameter('tags must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (k.length > 128 || !TAG_KEY.test(k))
      throw constraint(
        k,
        'tags',
        'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]',
      );
    const value = String(v ?? '');
    if (value.length > 256 || !TAG_VALUE.test(value))
      throw constraint(
        value,
        'tags',
        'Map value must satisfy constraint: [Member must have length less than or equal to 256]',
      );
    out[k] = value;
  }
  if (Object.keys(out).length > 50)
    throw new LogsError('TooManyTagsException', 'A resource can have no more than 50 tags.');
  return out;
}

/** What `CreateLogGroup` (and `AWS::Logs::LogGroup`) asks for. */
export interface CreateLogGroupRequest {
  readonly logGroupName: string;
  readonly kmsKeyId?: string;
  readonly tags?: unknown;
  readonly logGroupClass?: string;
  readonly retentionInDays?: number;
}

/** Creates a log group. Errors: `ResourceAlreadyExistsException`, `InvalidParameterException`. */
export function createLogGroup(runtime: SandboxRuntime, scope: Scope, request: CreateLogGroupRequest): LogGroupRecord {
  checkGroupName(request.logGroupName);
  const tags = checkTags(request.tags);
  const logGroupClass = request.logGroupClass ?? 'STANDARD';
  if (!CLASSES.includes(logGroupClass)) {
    throw constraint(logGroupClass, 'logGroupClass', `Member must satisfy enum value set: [${CLASSES.join(', ')}]`);
  }
  if (request.kmsKeyId !== undefined && !/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/.+$/.test(request.kmsKeyId)) {
    throw invalidParameter(`Specified KMS key ${request.kmsKeyId} is not a valid KMS key ARN.`);
  }
  const retention = request.retentionInDays === undefined ? undefined : checkRetention(request.retentionInDays);
  if (getGroup(runtime, scope, request.logGroupName)) {
    throw new LogsError('ResourceAlreadyExistsException', 'The specified log group already exists');
  }
  const group: LogGroupRecord = {
    account: scope.account,
    region: scope.region,
    logGroupName: request.logGroupName,
    creationTime: runtime.clock.nowMs(),
    ...(retention !== undefined ? { retentionInDays: retention } : {}),
    ...(request.kmsKeyId !== undefined ? { kmsKeyId: request.kmsKeyId } : {}),
    logGroupClass,
    tags,
  };
  saveGroup(runtime, group);
  return group;
}

/** Sets (a number) or removes (undefined) a log group's retention. */
export function setRetention(
  runtime: SandboxRuntime,
  scope: Scope,
  name: string,
  days: number | undefined,
): LogGroupRecord {
  const group = mustGroup(runtime, scope, name);
  const { retentionInDays: _old, ...rest } = group;
  const next = days === undefined ? rest : { ...rest, retentionInDays: checkRetention(days) };
  saveGroup(runtime, next);
  return next;
}

/** Deletes a log group with its streams. Errors: `ResourceNotFoundException`. */
export function deleteLogGroup(runtime: SandboxRuntime, scope: Scope, name: string): void {
  removeGroup(runtime, mustGroup(runtime, scope, name));
}

/** The group a tagging call names by ARN (`arn:aws:logs:…:log-group:<name>`, optionally with `:*`). */
function taggedGroup(runtime: SandboxRuntime, ctx: RequestContext, input: Input): LogGroupRecord {
  const arn = required(input, 'resourceArn');
  const m = /^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(:\*)?$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid resourceArn: ${arn}`);
  const scope = scopeOf(ctx);
  if (m[1] !== scope.region || m[2] !== scope.account)
    throw new LogsError('ResourceNotFoundException', 'The specified resource does not exist.');
  return mustGroup(runtime, scope, m[3] as string);
}

function tagKeys(input: Input, name: string): string[] {
  const keys = input[name];
  if (!Array.isArray(keys)) throw constraint('null', name, 'Member must not be null');
  return keys.map(String);
}

const withTags = (group: LogGroupRecord, tags: Record<string, string>) => ({ ...group, tags });

/** The log group operations, bound to the runtime. */
export function groupOperations(runtime: SandboxRuntime) {
  return {
    CreateLogGroup(input: Input, ctx: RequestContext) {
      createLogGroup(runtime, scopeOf(ctx), {
        logGroupName: required(input, 'logGroupName'),
        ...(typeof input.kmsKeyId === 'string' ? { kmsKeyId: input.kmsKeyId } : {}),
        ...(typeof input.logGroupClass === 'string' ? { logGroupClass: input.logGroupClass } : {}),
        tags: input.tags,
      });
      return {};
    },

    DescribeLogGroups(input: Input, ctx: RequestContext) {
      const prefix = typeof input.logGroupNamePrefix === 'string' ? input.logGroupNamePrefix : undefined;
      const pattern = typeof input.logGroupNamePattern === 'string' ? input.logGroupNamePattern : undefined;
      const identifiers = Array.isArray(input.logGroupIdentifiers)
        ? input.logGroupIdentifiers.map((i) => groupNameOf(String(i)))
        : undefined;
      if (prefix !== undefined && pattern !== undefined) {
        throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      if (identifiers && (prefix !== undefined || pattern !== undefined)) {
        throw invalidParameter(
          'LogGroup identifiers and LogGroup name prefix or pattern are mutually exclusive parameters.',
        );
      }
      const limit = input.limit === undefined ? 50 : Number(input.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
        throw constraint(
          input.limit,
          'limit',
          `Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 50'}`,
        );
      }
      const groups = listGroups(runtime, scopeOf(ctx)).filter(
        (g) =>
          (prefix === undefined || g.logGroupName.startsWith(prefix)) &&
          (pattern === undefined || g.logGroupName.toLowerCase().includes(pattern.toLowerCase())) &&
          (identifiers === undefined || identifiers.includes(g.logGroupName)) &&
          (typeof input.logGroupClass !== 'string' || g.logGroupClass === input.logGroupClass),
      );
      const { page, next } = pageAt(
        groups,
        typeof input.nextToken === 'string' ? input.nextToken : undefined,
        limit,
        () => invalidParameter('The specified nextToken is invalid.'),
      );
      return { logGroups: page.map(groupView), ...(next ? { nextToken: next } : {}) };
    },

    DeleteLogGroup(input: Input, ctx: RequestContext) {
      deleteLogGroup(runtime, scopeOf(ctx), required(input, 'logGroupName'));
      return {};
    },

    PutRetentionPolicy(input: Input, ctx: RequestContext) {
      const name = required(input, 'logGroupName');
      if (input.retentionInDays === undefined) throw constraint('null', 'retentionInDays', 'Member must not be null');
      checkRetention(input.retentionInDays);
      setRetention(runtime, scopeOf(ctx), name, input.retentionInDays as number);
      return {};
    },

    DeleteRetentionPolicy(input: Input, ctx: RequestContext) {
      setRetention(runtime, scopeOf(ctx), required(input, 'logGroupName'), undefined);
      return {};
    },

    TagResource(input: Input, ctx: RequestContext) {
      const group = taggedGroup(runtime, ctx, input);
      if (input.tags === undefined) throw constraint('null', 'tags', 'Member must not be null');
      saveGroup(runtime, withTags(group, checkTags({ ...group.tags, ...checkTags(input.tags) })));
      return {};
    },

    UntagResource(input: Input, ctx: RequestContext) {
      const group = taggedGroup(runtime, ctx, input);
      const keys = tagKeys(input, 'tagKeys');
      saveGroup(
        runtime,
        withTags(group, Object.fromEntries(Object.entries(group.tags).filter(([k]) => !keys.includes(k)))),
      );
      return {};
    },

    ListTagsForResource(input: Input, ctx: RequestContext) {
      return { tags: { ...taggedGroup(runtime, ctx, input).tags } };
    },

    TagLogGroup(input: Input, ctx: RequestContext) {
      const group = mustGroup(runtime, scopeOf(ctx), required(input, 'logGroupName'));
      if (input.tags === undefined) throw constraint('null', 'tags', 'Member must not be null');
      saveGroup(runtime, withTags(group, checkTags({ ...group.tags, ...checkTags(input.tags) })));
      return {};
    },

    UntagLogGroup(input: Input, ctx: RequestContext) {
      const group = mustGroup(runtime, scopeOf(ctx), required(input, 'logGroupName'));
      const keys = tagKeys(input, 'tags');
      saveGroup(
        runtime,
        withTags(group, Object.fromEntries(Object.entries(group.tags).filter(([k]) => !keys.includes(k)))),
      );
      return {};
    },

    ListTagsLogGroup(input: Input, ctx: RequestContext) {
      return { tags: { ...mustGroup(runtime, scopeOf(ctx), required(input, 'logGroupName')).tags } };
    },
  };
}
