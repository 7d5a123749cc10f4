/**
 * Turning an EventBridge delivery into what a guardrail acts on. A malformed or truncated
 * CloudTrail event is rejected here with the reason, before any AWS call.
 */
import { describeIssues, zodIssues } from '../errors';
import { CloudTrailEventSchema, type CloudTrailRecord } from '../schemas/cloudtrail';
import { type GuardRule, ruleForRecord } from './rules';

/** One violation to look at, from a CloudTrail event or synthesised by the reconciliation sweep. */
export interface GuardEvent {
  /** CloudTrail `eventID`, or `reconcile:<account>:<region>:<resource>`: the idempotency key. */
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly accountId: string;
  readonly region: string;
  /** Who did it: the caller's ARN (or principal id / identity type when there is no ARN). */
  readonly actor: string;
  /** The CloudTrail record; absent for a sweep. */
  readonly record?: CloudTrailRecord;
  /**
   * The EventBridge replay that delivered it (`replay-name`). A replay is an operator asking for the
   * event to be looked at again, so it is claimed under its own key: a violation that came back is
   * remediated again, one already fixed is found compliant and nothing changes.
   */
  readonly replayName?: string;
}

/**
 * The idempotency key of an event for one rule: its id and the rule (one call can be the business
 * of two rules, e.g. ingress opened to the world in a production account), scoped to the replay that
 * delivered it, if any.
 */
export function claimKeyOf(event: GuardEvent, ruleName: string): string {
  const key = `${event.eventId}#rule#${ruleName}`;
  return event.replayName ? `${key}#replay#${event.replayName}` : key;
}

/** The outcome of reading a delivery. */
export type ParsedDelivery =
  | { readonly kind: 'event'; readonly event: GuardEvent; readonly rule: GuardRule }
  | { readonly kind: 'rejected'; readonly reason: string; readonly eventId?: string }
  | { readonly kind: 'ignored'; readonly reason: string; readonly eventId: string };

/** The caller of a CloudTrail record, as the finding names it. */
export function actorOf(record: CloudTrailRecord): string {
  const identity = record.userIdentity;
  return identity.arn ?? identity.principalId ?? identity.invokedBy ?? identity.type;
}

/** True when the call was made by the remediation role itself (never react to our own calls). */
export function isRemediator(record: CloudTrailRecord, roleName: string): boolean {
  const identity = record.userIdentity;
  if (identity.sessionContext?.sessionIssuer?.userName === roleName) return true;
  return identity.arn?.includes(`:assumed-role/${roleName}/`) ?? false;
}

function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const detail = (raw as { detail?: unknown }).detail;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const id = (detail as { eventID?: unknown }).eventID;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Validates a delivery with {@link CloudTrailEventSchema} and finds the rule of `functionName`
 * that it belongs to.
 *
 * @param raw - the event as EventBridge delivered it (untrusted)
 * @param functionName - the guardrail function (`guard-internet-gateway`)
 * @param remediationRole - calls made by this role are ignored
 */
export function readDelivery(raw: unknown, functionName: string, remediationRole: string): ParsedDelivery {
  const parsed = CloudTrailEventSchema.safeParse(raw);
  if (!parsed.success) {
    const why = describeIssues(zodIssues(parsed.error));
    const eventId = eventIdOf(raw);
    return { kind: 'rejected', reason: `malformed CloudTrail event: ${why}`, ...(eventId ? { eventId } : {}) };
  }
  const record = parsed.data.detail;
  const rule = ruleForRecord(functionName, record);
  if (!rule) {
    return {
      kind: 'ignored',
      reason: `${record.eventName}${record.errorCode ? ` (${record.errorCode})` : ''} is not handled by ${functionName}`,
      eventId: record.eventID,
    };
  }
  if (isRemediator(record, remediationRole)) {
    return { kind: 'ignored', reason: `call made by the remediation role ${remediationRole}`, eventId: record.eventID };
  }
  return {
    kind: 'event',
    rule,
    event: {
      eventId: record.eventID,
      eventName: record.eventName,
      eventTime: record.eventTime,
      accountId: record.recipientAccountId,
      region: record.awsRegion,
      actor: actorOf(record),
      record,
      ...(parsed.data['replay-name'] ? { replayName: parsed.data['replay-name'] } : {}),
    },
  };
}

/** A string field of a loose object, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** The `items` of a CloudTrail list (`{ items: [...] }`), or the value itself when it is an array. */
export function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return [];
  const items = (value as { items?: unknown }).items;
  return Array.isArray(items) ? items : [];
}
