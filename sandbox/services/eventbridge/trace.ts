import type { BusEvent, SandboxRuntime } from '../../core/types';
import { scopeOf } from './model';

/**
 * The flow of events through the buses, for "why didn't my guardrail fire?": every event a bus
 * received, which rules matched it and what became of each target delivery (`pending` until the
 * delivery ends, then `delivered` or `failed`; `dropped` when the target refused the event). The
 * store keeps the last {@link KEEP_BUS_EVENTS}. Read through `GET /_sandbox/bus-events` and
 * `vendguard sandbox trace <event-id>`.
 */

const TABLE = 'events.bus-events';
/** Event id → sequence key of its record. */
const BY_ID = 'events.bus-events.by-id';
export const KEEP_BUS_EVENTS = 5000;

export type TargetOutcome = 'pending' | 'delivered' | 'failed' | 'dropped';

/** One event as a bus received it and where it went. */
export interface BusEventTrace {
  readonly account: string;
  readonly region: string;
  readonly bus: string;
  readonly event: BusEvent;
  readonly rules: { readonly name: string; readonly targets: { readonly arn: string; outcome: TargetOutcome }[] }[];
}

const pad = (n: number) => String(n).padStart(12, '0');

/** Records an event a bus received and the targets of the rules that matched it. */
export function traceEvent(
  runtime: SandboxRuntime,
  bus: string,
  event: BusEvent,
  matched: readonly { readonly rule: string; readonly targets: readonly string[] }[],
): void {
  const { account, region } = scopeOf(runtime);
  const seq = runtime.store.nextSequence(TABLE);
  const record: BusEventTrace = {
    account,
    region,
    bus,
    event,
    rules: matched.map((m) => ({ name: m.rule, targets: m.targets.map((arn) => ({ arn, outcome: 'pending' })) })),
  };
  runtime.store.put(TABLE, pad(seq), record);
  runtime.store.put(BY_ID, event.id, pad(seq));
  if (seq > KEEP_BUS_EVENTS) {
    const old = runtime.store.get<BusEventTrace>(TABLE, pad(seq - KEEP_BUS_EVENTS));
    runtime.store.delete(TABLE, pad(seq - KEEP_BUS_EVENTS));
    if (old) runtime.store.delete(BY_ID, old.event.id);
  }
}

/** Sets the outcome of one target delivery of a traced event (no-op for an event no longer kept). */
export function traceOutcome(
  runtime: SandboxRuntime,
  eventId: string,
  rule: string,
  targetArn: string,
  outcome: TargetOutcome,
): void {
  const key = runtime.store.get<string>(BY_ID, eventId);
  const record = key ? runtime.store.get<BusEventTrace>(TABLE, key) : undefined;
  if (!key || !record) return;
  const target = record.rules.find((r) => r.name === rule)?.targets.find((t) => t.arn === targetArn);
  if (!target || target.outcome === outcome) return;
  target.outcome = outcome;
  runtime.store.put(TABLE, key, record);
}

/** What `GET /_sandbox/bus-events` filters on. */
export interface BusEventQuery {
  readonly account?: string;
  readonly region?: string;
  readonly bus?: string;
  readonly eventId?: string;
  readonly limit?: number;
}

/** Traced events, newest first. Account and region default to the hub's. */
export function busEvents(runtime: SandboxRuntime, query: BusEventQuery = {}): BusEventTrace[] {
  if (query.eventId) {
    const key = runtime.store.get<string>(BY_ID, query.eventId);
    const record = key ? runtime.store.get<BusEventTrace>(TABLE, key) : undefined;
    return record ? [record] : [];
  }
  const hub = scopeOf(runtime);
  const account = query.account ?? hub.account;
  const region = query.region ?? hub.region;
  const limit = query.limit ?? 100;
  const out: BusEventTrace[] = [];
  const all = runtime.store.list<BusEventTrace>(TABLE);
  for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
    const r = all[i] as BusEventTrace;
    if (r.account === account && r.region === region && (!query.bus || r.bus === query.bus)) out.push(r);
  }
  return out;
}
