/**
 * The persisted shapes of the sandbox's EventBridge (buses, rules, targets, archives, replays,
 * deliveries, dead letters), their store tables and ARNs, and small input helpers shared by the
 * operation files. Every bus, rule, archive and replay belongs to one account and region (its
 * {@link Scope}): store ids start with `<account>/<region>/`, ARNs say the same, and each scope has
 * its own `default` bus.
 */
import { randomUUID } from 'node:crypto';
import { pageAt } from '../../core/paging';
import type { BusEvent, RequestContext, SandboxRuntime, Store } from '../../core/types';
import { AwsServiceError } from '../../core/types';

/**
 * Store tables. Ids start with the scope: buses `<account>/<region>/<bus>`, rules
 * `<account>/<region>/<bus>/<rule>`, targets `…/<bus>/<rule>/<id>`, archives and replays
 * `<account>/<region>/<name>`, archived events `<account>/<region>/<archive>/<sequence>`.
 */
export const TABLES = {
  buses: 'events.buses',
  rules: 'events.rules',
  targets: 'events.targets',
  archives: 'events.archives',
  /** Archived events, id `<archive>/<sequence>`. */
  archived: 'events.archived',
  replays: 'events.replays',
  deliveries: 'events.deliveries',
  deadLetters: 'events.deadletters',
  schedules: 'events.schedules',
  /** Deliveries accepted but not finished: resumed after a restart, so an accepted event is never lost. */
  pending: 'events.pending',
  /** Per rule: `Invocations`, `FailedInvocations` (EventBridge's CloudWatch metrics). */
  metrics: 'events.metrics',
  meta: 'events.meta',
} as const;

/** Marks rules or targets as changed, so routers reload their cached rules. */
export function bumpRulesVersion(store: Store): void {
  store.put(TABLES.meta, 'rules', { v: randomUUID() });
}

/** The current rules version (undefined on a fresh or reset store). */
export function rulesVersion(store: Store): string | undefined {
  return store.get<{ v: string }>(TABLES.meta, 'rules')?.v;
}

/**
 * The central bus of vendguard. Fixed in the sandbox: CloudTrail, service events, the rule files and
 * the in-process functions (`VENDGUARD_EVENT_BUS`, set by the sandbox) all use this name.
 */
export function centralBusName(): string {
  return 'vendguard';
}

/** The archive of the central bus that exists from the start. */
export const CENTRAL_ARCHIVE = 'vendguard-archive';

export interface BusRecord {
  readonly account: string;
  readonly region: string;
  readonly Name: string;
  readonly Arn: string;
  readonly CreationTime: number;
  readonly Description?: string;
  /** The resource policy (`PutPermission`), JSON text. */
  readonly Policy?: string;
}

export interface RuleRecord {
  readonly account: string;
  readonly region: string;
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  readonly EventPattern?: string;
  readonly ScheduleExpression?: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly Description?: string;
  readonly RoleArn?: string;
  readonly CreatedBy: string;
}

export interface RetryPolicy {
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
}

export interface TargetRecord {
  readonly Id: string;
  readonly Arn: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
  readonly RetryPolicy?: RetryPolicy;
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly RoleArn?: string;
}

export interface ArchiveRecord {
  readonly account: string;
  readonly region: string;
  readonly ArchiveName: string;
  readonly ArchiveArn: string;
  readonly EventSourceArn: string;
  readonly Description?: string;
  readonly EventPattern?: string;
  readonly RetentionDays: number;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly CreationTime: number;
}

/** An event kept by an archive, with its size for `SizeBytes`. */
export interface ArchivedEvent {
  /** Its id in the archived-events table. */
  readonly key: string;
  readonly event: BusEvent;
  /** Event time in ms (what replays filter on). */
  readonly timeMs: number;
  readonly size: number;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ReplayRecord {
  readonly account: string;
  readonly region: string;
  readonly ReplayName: string;
  readonly ReplayArn: string;
  readonly Description?: string;
  readonly EventSourceArn: string;
  readonly Destination: { readonly Arn: string; readonly FilterArns?: string[] };
  readonly EventStartTime: number;
  readonly EventEndTime: number;
  readonly State: ReplayState;
  readonly StateReason?: string;
  readonly ReplayStartTime: number;
  readonly ReplayEndTime?: number;
  readonly EventLastReplayedTime?: number;
  /** How many events were sent to the destination. */
  readonly replayed: number;
}

/** One delivery of an event to a target (for tests and benchmarks). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly rule: string;
  readonly target: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly attempts: number;
  readonly durationMs: number;
  readonly at: number;
  readonly replayName?: string;
  /** Why the delivery failed. */
  readonly error?: string;
}

/** A delivery that failed after every retry: visible, and redeliverable. */
export interface DeadLetterRecord {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly bus: string;
  readonly rule: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly event: BusEvent;
  readonly errorName: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly at: number;
  readonly redeliveredAt?: number;
  readonly redeliveryStatus?: 'SUCCEEDED' | 'FAILED';
}

/** The account and region a bus, rule, archive or replay belongs to. */
export interface Scope {
  readonly region: string;
  readonly account: string;
}

/** The hub's scope: the management account in the home region (the central bus, the rule files). */
export function hubScope(runtime: SandboxRuntime): Scope {
  return { region: runtime.config.organization.homeRegion, account: runtime.managementAccountId };
}

/** The scope of a call: the caller's account, the request's region. */
export function callScope(ctx: RequestContext): Scope {
  return { account: ctx.principal.accountId, region: ctx.region };
}

/** The store-id prefix of a scope (`<account>/<region>/`). */
export const scopePrefix = (s: Scope): string => `${s.account}/${s.region}/`;
export const sameScope = (a: Scope, b: Scope): boolean => a.account === b.account && a.region === b.region;

export const keys = {
  bus: (s: Scope, name: string) => `${scopePrefix(s)}${name}`,
  rule: (s: Scope, bus: string, name: string) => `${scopePrefix(s)}${bus}/${name}`,
  /** Prefix of a rule's targets. */
  targets: (s: Scope, bus: string, rule: string) => `${scopePrefix(s)}${bus}/${rule}/`,
  archive: (s: Scope, name: string) => `${scopePrefix(s)}${name}`,
  replay: (s: Scope, name: string) => `${scopePrefix(s)}${name}`,
};

export const arns = {
  bus: (s: Scope, name: string) => `arn:aws:events:${s.region}:${s.account}:event-bus/${name}`,
  rule: (s: Scope, bus: string, name: string) =>
    `arn:aws:events:${s.region}:${s.account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`,
  archive: (s: Scope, name: string) => `arn:aws:events:${s.region}:${s.account}:archive/${name}`,
  replay: (s: Scope, name: string) => `arn:aws:events:${s.region}:${s.account}:replay/${name}`,
};

/** The scope and bus name of an event bus ARN, or undefined. */
export function parseBusArn(arn: string): (Scope & { readonly name: string }) | undefined {
  const m = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(arn);
  return m ? { region: m[1] as string, account: m[2] as string, name: m[3] as string } : undefined;
}

/** The bus name of an `EventBusName` that may be a name or an ARN; `default` when absent. */
export function busNameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  const marker = ':event-bus/';
  const at = value.indexOf(marker);
  return at >= 0 ? value.slice(at + marker.length) : value;
}

/** Scope, bus and name of a rule ARN, or undefined. */
export function parseRuleArn(arn: string): (Scope & { bus: string; name: string }) | undefined {
  const m = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):rule\/(?:([^/]+)\/)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1] as string, account: m[2] as string, bus: m[3] ?? 'default', name: m[4] as string };
}

/** The EventBridge time format: ISO 8601 without milliseconds. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A timestamp input: epoch seconds (what the SDK sends), or an ISO string. */
export function timestampInput(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
    const n = Number(value);
    if (Number.isFinite(n)) return n * 1000;
  }
  throw validation(`Parameter ${name} is not a valid timestamp.`);
}

export function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

export function notFound(message: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message);
}

export function alreadyExists(message: string): AwsServiceError {
  return new AwsServiceError('ResourceAlreadyExistsException', message);
}

/** A required string parameter. */
export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`Parameter ${name} must be a string.`);
  return value;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Pages a list with `Limit`/`NextToken` (the token is the offset). */
export function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  max = 100,
): { page: T[]; next?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw validation(
      `Value '${String(input.Limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  }
  const token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined;
  return pageAt(items, token, limit, () => validation('The NextToken is not valid.'));
}

/** Epoch ms to the `Date` the JSON codec sends as epoch seconds. */
export function toDate(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}
