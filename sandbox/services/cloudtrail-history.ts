import type { LocalRuntime } from '../core/runtime';
import type { BusEntry, OperationHandler } from '../core/types';
import { AwsServiceError } from '../core/types';

/**
 * CloudTrail Event history: every management event the sandbox records (denied calls included) is
 * kept per account and region, and `LookupEvents` reads it as the console's Event history does
 * (newest first, one lookup attribute, a time window, 50 per page). The store keeps the last
 * {@link KEEP_EVENTS} events of the whole sandbox.
 */

const TABLE = 'cloudtrail.history';
/** Sequence → key of each kept event, to prune the oldest without a scan. */
const KEYS = 'cloudtrail.history.keys';
export const KEEP_EVENTS = 20_000;

interface HistoryRecord {
  readonly seq: number;
  readonly account: string;
  readonly region: string;
  readonly eventTimeMs: number;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly accessKeyId?: string;
  readonly username?: string;
  readonly detail: Record<string, unknown>;
}

const pad = (n: number) => String(n).padStart(12, '0');

/** Keeps the CloudTrail event of a call (called for every event the runtime emits). */
export function recordHistory(runtime: LocalRuntime, entry: BusEntry): void {
  const d = entry.detail as {
    eventID?: string;
    eventName?: string;
    eventSource?: string;
    readOnly?: boolean;
    recipientAccountId?: string;
    userIdentity?: { accessKeyId?: string; userName?: string; arn?: string; sessionContext?: unknown };
  };
  if (typeof d.eventName !== 'string' || typeof d.eventID !== 'string') return;
  const seq = runtime.store.nextSequence(TABLE);
  const account = d.recipientAccountId ?? entry.account;
  const identity = d.userIdentity ?? {};
  const username = identity.userName ?? identity.arn?.split('/').pop();
  const record: HistoryRecord = {
    seq,
    account,
    region: entry.region,
    // CloudTrail's eventTime has whole seconds; EventTime and the time window read the same second
    eventTimeMs: Math.floor((entry.time ?? runtime.clock.now()).getTime() / 1000) * 1000,
    eventId: d.eventID,
    eventName: d.eventName,
    eventSource: d.eventSource ?? '',
    readOnly: d.readOnly === true,
    ...(identity.accessKeyId ? { accessKeyId: identity.accessKeyId } : {}),
    ...(username ? { username } : {}),
    detail: entry.detail,
  };
  const key = `${account}/${entry.region}/${pad(seq)}`;
  runtime.store.put(TABLE, key, record);
  runtime.store.put(KEYS, pad(seq), key);
  if (seq > KEEP_EVENTS) {
    const old = pad(seq - KEEP_EVENTS);
    const oldKey = runtime.store.get<string>(KEYS, old);
    if (oldKey) runtime.store.delete(TABLE, oldKey);
    runtime.store.delete(KEYS, old);
  }
}

const ATTRIBUTES: Readonly<Record<string, (r: HistoryRecord) => string | undefined>> = {
  EventId: (r) => r.eventId,
  EventName: (r) => r.eventName,
  EventSource: (r) => r.eventSource,
  ReadOnly: (r) => String(r.readOnly),
  Username: (r) => r.username,
  AccessKeyId: (r) => r.accessKeyId,
};

function invalid(code: string, message: string): AwsServiceError {
  return new AwsServiceError(code, message);
}

const toMs = (v: unknown): number | undefined =>
  typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : undefined;

/** `LookupEvents` over the caller's account and region. */
export function lookupEventsOperation(runtime: LocalRuntime): OperationHandler {
  return (input, ctx) => {
    const attributes = Array.isArray(input.LookupAttributes)
      ? (input.LookupAttributes as { AttributeKey?: unknown; AttributeValue?: unknown }[])
      : [];
    if (attributes.length > 1) {
      throw invalid('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    }
    const filter = attributes[0];
    const read = filter ? ATTRIBUTES[String(filter.AttributeKey)] : undefined;
    if (filter && !read) {
      throw invalid(
        'InvalidLookupAttributesException',
        `Lookup attribute key ${String(filter.AttributeKey)} is not supported by the sandbox; use one of ${Object.keys(ATTRIBUTES).join(', ')}.`,
      );
    }
    const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 50) {
      throw invalid('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    }
    const start = toMs(input.StartTime) ?? Number.NEGATIVE_INFINITY;
    const end = toMs(input.EndTime) ?? Number.POSITIVE_INFINITY;
    if (start > end) throw invalid('InvalidTimeRangeException', 'StartTime must be earlier than EndTime.');
    const offset = input.NextToken === undefined ? 0 : Number.parseInt(String(input.NextToken), 36);
    if (!Number.isInteger(offset) || offset < 0) throw invalid('InvalidNextTokenException', 'Invalid NextToken.');
    const matching = runtime.store
      .list<HistoryRecord>(TABLE, `${ctx.principal.accountId}/${ctx.region}/`)
      .filter((r) => r.eventTimeMs >= start && r.eventTimeMs <= end)
      .filter((r) => !read || read(r) === String(filter?.AttributeValue))
      .reverse();
    const page = matching.slice(offset, offset + max);
    return {
      Events: page.map((r) => ({
        EventId: r.eventId,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly),
        ...(r.accessKeyId ? { AccessKeyId: r.accessKeyId } : {}),
        // epoch seconds, as awsJson1_1 sends a timestamp (both CLIs parse it; v2 prints ISO 8601)
        EventTime: Math.floor(r.eventTimeMs / 1000),
        EventSource: r.eventSource,
        ...(r.username ? { Username: r.username } : {}),
        Resources: [],
        CloudTrailEvent: JSON.stringify(r.detail),
      })),
      ...(offset + max < matching.length ? { NextToken: (offset + max).toString(36) } : {}),
    };
  };
}
