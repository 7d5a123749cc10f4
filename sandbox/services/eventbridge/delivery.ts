/**
 * The bus itself: stamps events, archives them, matches them against the enabled rules of their
 * bus and delivers them to the rules' targets in the background (manifest functions, state
 * machines, other buses), with retries on the sandbox clock, a delivery log and dead letters.
 */

import { randomUUID } from 'node:crypto';
import type { BusEntry, BusEvent, EventBus, SandboxRuntime } from '../../core/types';
import { TargetDeliveryError } from './errors';
import {
  type ArchivedEvent,
  type ArchiveRecord,
  arns,
  busNameOf,
  centralBusName,
  type DeadLetterRecord,
  type DeliveryRecord,
  eventTime,
  type RuleRecord,
  rulesVersion,
  scopeOf,
  TABLES,
  type TargetRecord,
} from './model';
import { type CompiledEventPattern, compileEventPattern } from './pattern';
import { traceEvent, traceOutcome } from './trace';

/** The sandbox caps AWS's 185 retries so a failing target ends in the dead-letter table quickly. */
export const MAX_SANDBOX_RETRIES = 3;
/** First retry delay in simulated ms; doubles per attempt. */
export const RETRY_BASE_MS = 1_000;

/** How an event is routed: all enabled rules of a bus, or (replay) only some of them. */
export interface RouteOptions {
  readonly replayName?: string;
  /** Rule ARNs to deliver to (replay `FilterArns`); all rules of the bus when absent or empty. */
  readonly filterArns?: readonly string[];
  /** Record the event and its deliveries for `/_sandbox/bus-events` (new events; replays are not). */
  readonly trace?: boolean;
}

interface RoutableRule {
  readonly rule: RuleRecord;
  readonly pattern: CompiledEventPattern;
  readonly targets: TargetRecord[];
}

/** The bus: publish, route, deliver. One per sandbox runtime. */
export class EventRouter implements EventBus {
  private readonly patterns = new Map<string, CompiledEventPattern>();
  /** Enabled pattern rules per bus with their targets, valid while the rules version holds. */
  private cache: { version: string | undefined; buses: Map<string, RoutableRule[]> } | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly runtime: SandboxRuntime) {}

  /**
   * Stamps an id and time, archives the event and routes it; returns the event id. A bus name
   * absent from the entry means the central bus (CloudTrail events arrive there).
   */
  publish(entry: BusEntry): string {
    const bus = entry.eventBusName ? busNameOf(entry.eventBusName) : centralBusName();
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: entry.account,
      time: eventTime(entry.time ?? this.runtime.clock.now()),
      region: entry.region,
      resources: [...(entry.resources ?? [])],
      detail: entry.detail,
    };
    this.archive(bus, event);
    this.route(bus, event, { trace: true });
    return event.id;
  }

  /** Compiles (once per pattern text) a rule's pattern. */
  compiled(pattern: string): CompiledEventPattern {
    let compiled = this.patterns.get(pattern);
    if (!compiled) {
      compiled = compileEventPattern(pattern);
      this.patterns.set(pattern, compiled);
    }
    return compiled;
  }

  /** Keeps the event in every enabled archive of the bus whose pattern (if any) matches. */
  archive(bus: string, event: BusEvent): void {
    const busArn = arns.bus(scopeOf(this.runtime), bus);
    const archives = this.runtime.store.list<ArchiveRecord>(TABLES.archives);
    for (const archive of archives) {
      if (archive.EventSourceArn !== busArn || archive.State !== 'ENABLED') continue;
      if (archive.EventPattern && !this.safeMatch(archive.EventPattern, event)) continue;
      const seq = this.runtime.store.nextSequence(`${TABLES.archived}/${archive.ArchiveName}`);
      const key = `${archive.ArchiveName}/${String(seq).padStart(12, '0')}`;
      const record: ArchivedEvent = {
        key,
        event,
        timeMs: Date.parse(event.time),
        size: Buffer.byteLength(JSON.stringify(event)),
      };
      this.runtime.store.put(TABLES.archived, key, record);
    }
  }

  /** Matches the event against the enabled pattern rules of the bus and schedules the deliveries. */
  route(bus: string, event: BusEvent, options: RouteOptions = {}): number {
    const filter = options.filterArns && options.filterArns.length > 0 ? new Set(options.filterArns) : undefined;
    let deliveries = 0;
    const matched: { rule: string; targets: string[] }[] = [];
    for (const { rule, pattern, targets } of this.routableRules(bus)) {
      if (filter && !filter.has(rule.Arn)) continue;
      if (!pattern.matches(event)) continue;
      matched.push({ rule: rule.Name, targets: targets.map((t) => t.Arn) });
      for (const target of targets) {
        this.deliverLater(rule, target, event, options.replayName);
        deliveries++;
      }
    }
    if (options.trace) traceEvent(this.runtime, bus, event, matched);
    return deliveries;
  }

  private routableRules(bus: string): RoutableRule[] {
    const version = rulesVersion(this.runtime.store);
    if (!this.cache || this.cache.version !== version) this.cache = { version, buses: new Map() };
    let rules = this.cache.buses.get(bus);
    if (!rules) {
      rules = [];
      for (const rule of this.runtime.store.list<RuleRecord>(TABLES.rules, `${bus}/`)) {
        if (rule.State !== 'ENABLED' || !rule.EventPattern) continue;
        try {
          rules.push({ rule, pattern: this.compiled(rule.EventPattern), targets: this.targetsOf(rule) });
        } catch {
          // a pattern stored before validation existed: never matches
        }
      }
      this.cache.buses.set(bus, rules);
    }
    return rules;
  }

  private safeMatch(pattern: string, event: BusEvent): boolean {
    try {
      return this.compiled(pattern).matches(event);
    } catch {
      return false;
    }
  }

  targetsOf(rule: RuleRecord): TargetRecord[] {
    return this.runtime.store.list<TargetRecord>(TABLES.targets, `${rule.EventBusName}/${rule.Name}/`);
  }

  /** Starts a delivery in the background (tracked by the runtime, awaited by {@link settle}). */
  deliverLater(rule: RuleRecord, target: TargetRecord, event: BusEvent, replayName?: string): void {
    const promise = this.deliver(rule, target, event, replayName ? { replayName } : {})
      .catch(() => undefined)
      .finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
    this.runtime.track(promise);
  }

  /** Resolves when every delivery started so far (and any they started) has finished. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Delivers one event to one target with retries; a delivery that still fails is written to the
   * dead-letter table. Every delivery is logged in `events.deliveries`.
   */
  async deliver(
    rule: RuleRecord,
    target: TargetRecord,
    event: BusEvent,
    options: { readonly replayName?: string; readonly deadLetter?: boolean } = {},
  ): Promise<DeliveryRecord> {
    const replayName = options.replayName;
    const started = performance.now();
    const retries = Math.min(Math.max(target.RetryPolicy?.MaximumRetryAttempts ?? 185, 0), MAX_SANDBOX_RETRIES);
    let attempts = 0;
    let failure: Error | undefined;
    while (attempts <= retries) {
      attempts++;
      try {
        await this.invoke(target.Arn, transformInput(target, event, rule));
        failure = undefined;
        break;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof TargetDeliveryError || attempts > retries) break;
        await this.runtime.clock.sleep(RETRY_BASE_MS * 2 ** (attempts - 1));
      }
    }
    const record: DeliveryRecord = {
      eventId: event.id,
      rule: rule.Arn,
      target: target.Id,
      status: failure ? 'FAILED' : 'SUCCEEDED',
      attempts,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      at: this.runtime.clock.nowMs(),
      ...(replayName ? { replayName } : {}),
    };
    const store = this.runtime.store;
    try {
      store.put(TABLES.deliveries, String(store.nextSequence(TABLES.deliveries)).padStart(12, '0'), record);
      traceOutcome(this.runtime, event.id, rule.Name, target.Arn, failure ? 'failed' : 'delivered');
      if (failure && options.deadLetter !== false) {
        const dead: DeadLetterRecord = {
          id: randomUUID(),
          bus: rule.EventBusName,
          rule: rule.Name,
          ruleArn: rule.Arn,
          targetId: target.Id,
          targetArn: target.Arn,
          event,
          errorName: 'code' in failure && typeof failure.code === 'string' ? failure.code : failure.name,
          errorMessage: failure.message,
          attempts,
          at: this.runtime.clock.nowMs(),
        };
        store.put(TABLES.deadLetters, dead.id, dead);
      }
    } catch {
      // the store closes on shutdown while deliveries may still finish
    }
    return record;
  }

  /** Invokes a target ARN: a manifest function, a state machine, or another bus. */
  async invoke(arn: string, payload: unknown): Promise<void> {
    const fault = this.runtime.fault('events', 'DeliverToTarget');
    if (fault?.latencyMs) await this.runtime.clock.sleep(fault.latencyMs);
    if (fault?.error) {
      const error = new Error(fault.error.message);
      error.name = fault.error.code;
      throw error;
    }
    const fn = /^arn:aws:lambda:[^:]*:\d{12}:function:([^:]+)(?::[^:]+)?$/.exec(arn);
    if (fn) {
      const name = (fn[1] as string).replace(/^vendguard-/, '');
      await this.runtime.functions.invoke(name, payload);
      return;
    }
    if (/^arn:aws:states:[^:]*:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      await this.runtime.stateMachines.startExecution(arn, JSON.stringify(payload));
      return;
    }
    const bus = /^arn:aws:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(arn);
    if (bus) {
      const event = payload as BusEvent;
      const name = bus[1] as string;
      this.archive(name, event);
      this.route(name, event);
      return;
    }
    throw new TargetDeliveryError(`Target ${arn} is not supported by the sandbox (functions, state machines, buses)`);
  }
}

/** Applies a target's `Input`, `InputPath` or `InputTransformer` to the event. */
export function transformInput(target: TargetRecord, event: BusEvent, rule: RuleRecord): unknown {
  if (target.Input !== undefined) {
    try {
      return JSON.parse(target.Input);
    } catch (error) {
      throw new TargetDeliveryError(`Input of target ${target.Id} is not valid JSON`, { cause: error });
    }
  }
  if (target.InputPath !== undefined) return jsonPath(event, target.InputPath);
  if (target.InputTransformer) {
    const values = new Map<string, unknown>();
    for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
      values.set(name, jsonPath(event, path));
    }
    values.set('aws.events.rule-arn', rule.Arn);
    values.set('aws.events.rule-name', rule.Name);
    values.set('aws.events.event.ingestion-time', event.time);
    values.set('aws.events.event', event);
    values.set('aws.events.event.json', event);
    const text = target.InputTransformer.InputTemplate.replace(
      /("?)<([A-Za-z0-9_.-]+)>("?)/g,
      (whole, open: string, name: string, close: string) => {
        if (!values.has(name)) return whole;
        const value = values.get(name);
        if (open && close)
          return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(JSON.stringify(value));
        const inner = typeof value === 'string' ? value : JSON.stringify(value ?? null);
        return `${open}${inner}${close}`;
      },
    );
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return event;
}

/** A JSONPath of the simple form EventBridge accepts: `$`, `$.a.b`, `$.a['b-c']`, `$.a[0]`. */
export function jsonPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new TargetDeliveryError(`InputPath ${path} is not a valid JSONPath`);
  const parts = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g)].map(
    (m) => m[1] ?? m[3] ?? m[4] ?? Number(m[2]),
  );
  let current: unknown = value;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** Dead letters, newest last. */
export function listDeadLetters(runtime: SandboxRuntime): DeadLetterRecord[] {
  return runtime.store.list<DeadLetterRecord>(TABLES.deadLetters);
}

/**
 * Delivers a dead letter's event again to its target (with the target's current configuration
 * when the rule and target still exist) and records the outcome on the dead letter.
 */
export async function redeliver(
  runtime: SandboxRuntime,
  router: EventRouter,
  id: string,
): Promise<DeadLetterRecord | undefined> {
  const dead = runtime.store.get<DeadLetterRecord>(TABLES.deadLetters, id);
  if (!dead) return undefined;
  const rule: RuleRecord = runtime.store.get<RuleRecord>(TABLES.rules, `${dead.bus}/${dead.rule}`) ?? {
    Name: dead.rule,
    Arn: dead.ruleArn,
    EventBusName: dead.bus,
    State: 'ENABLED',
    CreatedBy: runtime.managementAccountId,
  };
  const target = runtime.store.get<TargetRecord>(TABLES.targets, `${dead.bus}/${dead.rule}/${dead.targetId}`) ?? {
    Id: dead.targetId,
    Arn: dead.targetArn,
  };
  const result = await router.deliver(rule, { ...target, RetryPolicy: { MaximumRetryAttempts: 0 } }, dead.event, {
    deadLetter: false,
  });
  const updated: DeadLetterRecord = { ...dead, redeliveredAt: runtime.clock.nowMs(), redeliveryStatus: result.status };
  runtime.store.put(TABLES.deadLetters, id, updated);
  return updated;
}
