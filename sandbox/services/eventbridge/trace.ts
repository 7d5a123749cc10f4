import type { BusEvent, SandboxRuntime } from '../../core/types';
import { hubScope, type Scope } from './model';

/**
 * The flow of events through the buses, for "why didn't my guardrail fire?": every event a bus
 * received (in which account and region), which rules matched it and what became of each target
 * delivery (`pending` until the delivery ends, then `delivered` or `failed`; `dropped` when
 * EventBridge was not allowed to deliver it: a bus policy or a rule role refused). An event forwarded
 * from bus to bus keeps its id, so one id can have several records: one per bus it reached. The store
 * keeps the last {@link KEEP_BUS_EVENTS}. Read through `GET /_sandbox/bus-events` and
 * `vendguard sandbox trace <event-id>`.
 */

const TABLE = 'events.bus-events';
/** Event id → sequence keys of its records (one per bus it reached). */
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

function keysOf(runtime: SandboxRuntime, eventId: string): string[] {
  return runtime.store.get<string[]>(BY_ID, eventId) ?? [];
}

/** Records an event a bus received and the targets of the rules that matched it. */
export function traceEvent(
  runtime: SandboxRuntime,
  scope: Scope,
  bus: string,
  event: BusEvent,
  matched: readonly { readonly rule: string; readonly targets: readonly string[] }[],
): void {
  const { store } = runtime;
  const seq = store.nextSequence(TABLE);
  const record: BusEventTrace = {
    account: scope.account,
    region: scope.region,
    bus,
    event,
    rules: matched.map((m) => ({ name: m.rule, targets: m.targets.map((arn) => ({ arn, outcome: 'pending' })) })),
  };
  store.put(TABLE, pad(seq), record);
  store.put(BY_ID, event.id, [...keysOf(runtime, event.id), pad(seq)]);
  if (seq > KEEP_BUS_EVENTS) {
    const oldKey = pad(seq - KEEP_BUS_EVENTS);
    const old = store.get<BusEventTrace>(TABLE, oldKey);
    store.delete(TABLE, oldKey);
    if (old) {
      const rest = keysOf(runtime, old.event.id).filter((k) => k !== oldKey);
      if (rest.length > 0) store.put(BY_ID, old.event.id, rest);
      else store.delete(BY_ID, old.event.id);
    }
  }
}

/** Where a delivery happened: the rule's scope and bus, the rule and the target. */
export interface TracedDelivery {
  readonly scope: Scope;
  readonly bus: string;
  readonly rule: string;
  readonly target: string;
}

/** Sets the outcome of one target delivery of a traced event (no-op for an event no longer kept). */
export function traceOutcome(
  runtime: SandboxRuntime,
  eventId: string,
  where: TracedDelivery,
  outcome: TargetOutcome,
): void {
  for (const key of keysOf(runtime, eventId)) {
    const record = runtime.store.get<BusEventTrace>(TABLE, key);
    if (
      !record ||
      record.account !== where.scope.account ||
      record.region !== where.scope.region ||
      record.bus !== where.bus
    ) {
      continue;
    }
    const target = record.rules.find((r) => r.name === where.rule)?.targets.find((t) => t.arn === where.target);
    if (!target || target.outcome === outcome) return;
    target.outcome = outcome;
    runtime.store.put(TABLE, key, record);
    return;
  }
}

/** What `GET /_sandbox/bus-events` filters on. */
export interface BusEventQuery {
  readonly account?: string;
  readonly region?: string;
  readonly bus?: string;
  readonly eventId?: string;
  readonly limit?: number;
}

/**
 * Traced events, newest first. Account and region default to the hub's; an event id returns every
 * bus the event reached (in the order it reached them), whatever the account and region.
 */
export function busEvents(runtime: SandboxRuntime, query: BusEventQuery = {}): BusEventTrace[] {
  if (query.eventId) {
    return keysOf(runtime, query.eventId).flatMap((key) => {
      const record = runtime.store.get<BusEventTrace>(TABLE, key);
      return record ? [record] : [];
    });
  }
  const hub = hubScope(runtime);
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
