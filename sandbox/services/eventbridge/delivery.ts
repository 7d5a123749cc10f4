/**
 * The bus itself: stamps events, archives them, matches them against the enabled rules of their
 * bus and delivers them to the rules' targets in the background (manifest functions, state
 * machines, other buses), with retries on the sandbox clock, a delivery log and dead letters.
 */

import { randomUUID } from 'node:crypto';
import type { BusEntry, BusEvent, EventBus, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { getFunctionRecord, invokeFunction } from '../lambda/api';
import { sendToQueue } from '../sqs/api';
import { busPutDenial } from './cross-account';
import { DeliveryDeniedError, TargetDeliveryError } from './errors';
import {
  type ArchivedEvent,
  type ArchiveRecord,
  arns,
  busNameOf,
  type DeadLetterRecord,
  type DeliveryRecord,
  eventTime,
  keys,
  parseBusArn,
  type RuleRecord,
  rulesVersion,
  type Scope,
  scopePrefix,
  TABLES,
  type TargetRecord,
} from './model';
import { type CompiledEventPattern, compileEventPattern } from './pattern';
import { ensureBus, targetsOf } from './rules';
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

/** A delivery accepted and not finished yet: persisted so that a restart resumes it. */
interface PendingDelivery {
  readonly key: string;
  readonly rule: RuleRecord;
  readonly target: TargetRecord;
  readonly event: BusEvent;
  readonly replayName?: string;
}

/** A rule's delivery counters, as EventBridge's CloudWatch metrics name them. */
export interface RuleMetrics {
  readonly ruleArn: string;
  readonly Invocations: number;
  readonly FailedInvocations: number;
}

/** The bus: publish, route, deliver. One per sandbox runtime. */
export class EventRouter implements EventBus {
  private readonly patterns = new Map<string, CompiledEventPattern>();
  /** Enabled pattern rules per scoped bus with their targets, valid while the rules version holds. */
  private cache: { version: string | undefined; buses: Map<string, RoutableRule[]> } | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly runtime: SandboxRuntime) {}

  /**
   * What an AWS service does with an event: it lands on a bus of the entry's account and region
   * (`default` unless the entry names one), is archived and routed, and every delivery it causes is
   * persisted before this returns. Returns the event id.
   */
  publish(entry: BusEntry): string {
    const scope: Scope = { account: entry.account, region: entry.region };
    const bus = entry.eventBusName ? busNameOf(entry.eventBusName) : 'default';
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
    this.accept(scope, bus, event);
    return event.id;
  }

  /**
   * A bus receives an event: archived by the bus's archives, traced, matched against its rules and
   * each delivery persisted, in one store transaction. Returns the number of deliveries.
   */
  accept(scope: Scope, bus: string, event: BusEvent): number {
    const { store } = this.runtime;
    return store.transaction(() => {
      if (bus === 'default') ensureBus(this.runtime, scope, 'default');
      else if (!store.get(TABLES.buses, keys.bus(scope, bus))) return 0;
      this.archive(scope, bus, event);
      return this.route(scope, bus, event, { trace: true });
    });
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
  archive(scope: Scope, bus: string, event: BusEvent): void {
    const busArn = arns.bus(scope, bus);
    const archives = this.runtime.store.list<ArchiveRecord>(TABLES.archives, scopePrefix(scope));
    for (const archive of archives) {
      if (archive.EventSourceArn !== busArn || archive.State !== 'ENABLED') continue;
      if (archive.EventPattern && !this.safeMatch(archive.EventPattern, event)) continue;
      const name = keys.archive(scope, archive.ArchiveName);
      const seq = this.runtime.store.nextSequence(`${TABLES.archived}/${name}`);
      const key = `${name}/${String(seq).padStart(12, '0')}`;
      const record: ArchivedEvent = {
        key,
        event,
        timeMs: Date.parse(event.time),
        size: Buffer.byteLength(JSON.stringify(event)),
      };
      this.runtime.store.put(TABLES.archived, key, record);
    }
  }

  /** Matches the event against the enabled pattern rules of the bus and schedules (persisted) deliveries. */
  route(scope: Scope, bus: string, event: BusEvent, options: RouteOptions = {}): number {
    const filter = options.filterArns && options.filterArns.length > 0 ? new Set(options.filterArns) : undefined;
    const matched = this.routableRules(scope, bus).filter(
      ({ rule, pattern }) => (!filter || filter.has(rule.Arn)) && pattern.matches(event),
    );
    // traced before any delivery starts, so a bus this one forwards to is recorded after it
    if (options.trace) {
      traceEvent(
        this.runtime,
        scope,
        bus,
        event,
        matched.map(({ rule, targets }) => ({ rule: rule.Name, targets: targets.map((t) => t.Arn) })),
      );
    }
    let deliveries = 0;
    for (const { rule, targets } of matched) {
      for (const target of targets) {
        this.enqueue(rule, target, event, options.replayName);
        deliveries++;
      }
    }
    return deliveries;
  }

  /** Persists a delivery, then starts it in the background. */
  enqueue(rule: RuleRecord, target: TargetRecord, event: BusEvent, replayName?: string): void {
    const { store } = this.runtime;
    const key = String(store.nextSequence(TABLES.pending)).padStart(12, '0');
    const pending: PendingDelivery = { key, rule, target, event, ...(replayName ? { replayName } : {}) };
    store.put(TABLES.pending, key, pending);
    this.deliverLater(rule, target, event, replayName, key);
  }

  /** Restarts the deliveries a previous run accepted but did not finish (at least once, as EventBridge). */
  resumePending(): number {
    const pending = this.runtime.store.list<PendingDelivery>(TABLES.pending);
    for (const p of pending) this.deliverLater(p.rule, p.target, p.event, p.replayName, p.key);
    return pending.length;
  }

  private routableRules(scope: Scope, bus: string): RoutableRule[] {
    const version = rulesVersion(this.runtime.store);
    if (!this.cache || this.cache.version !== version) this.cache = { version, buses: new Map() };
    const cacheKey = keys.bus(scope, bus);
    let rules = this.cache.buses.get(cacheKey);
    if (!rules) {
      rules = [];
      for (const rule of this.runtime.store.list<RuleRecord>(TABLES.rules, `${cacheKey}/`)) {
        if (rule.State !== 'ENABLED' || !rule.EventPattern) continue;
        try {
          rules.push({ rule, pattern: this.compiled(rule.EventPattern), targets: targetsOf(this.runtime, rule) });
        } catch {
          // a pattern stored before validation existed: never matches
        }
      }
      this.cache.buses.set(cacheKey, rules);
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

  /** Starts a delivery in the background (tracked by the runtime, awaited by {@link settle}). */
  deliverLater(
    rule: RuleRecord,
    target: TargetRecord,
    event: BusEvent,
    replayName?: string,
    pendingKey?: string,
  ): void {
    const promise = this.deliver(rule, target, event, {
      ...(replayName ? { replayName } : {}),
      ...(pendingKey ? { pendingKey } : {}),
    })
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
   * dead-letter table, one EventBridge may not make is dropped. Every delivery is logged in
   * `events.deliveries` and counted in the rule's metrics.
   */
  async deliver(
    rule: RuleRecord,
    target: TargetRecord,
    event: BusEvent,
    options: { readonly replayName?: string; readonly deadLetter?: boolean; readonly pendingKey?: string } = {},
  ): Promise<DeliveryRecord> {
    const replayName = options.replayName;
    const started = performance.now();
    const retries = Math.min(Math.max(target.RetryPolicy?.MaximumRetryAttempts ?? 185, 0), MAX_SANDBOX_RETRIES);
    let attempts = 0;
    let failure: Error | undefined;
    while (attempts <= retries) {
      attempts++;
      try {
        await this.invoke(rule, target, event);
        failure = undefined;
        break;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof TargetDeliveryError || attempts > retries) break;
        await this.runtime.clock.sleep(RETRY_BASE_MS * 2 ** (attempts - 1));
      }
    }
    const dropped = failure instanceof DeliveryDeniedError;
    const record: DeliveryRecord = {
      eventId: event.id,
      rule: rule.Arn,
      target: target.Id,
      status: failure ? 'FAILED' : 'SUCCEEDED',
      attempts,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      at: this.runtime.clock.nowMs(),
      ...(replayName ? { replayName } : {}),
      ...(failure ? { error: failure.message } : {}),
    };
    const store = this.runtime.store;
    try {
      store.transaction(() => {
        store.put(TABLES.deliveries, String(store.nextSequence(TABLES.deliveries)).padStart(12, '0'), record);
        this.count(rule, failure !== undefined);
        traceOutcome(
          this.runtime,
          event.id,
          { scope: rule, bus: rule.EventBusName, rule: rule.Name, target: target.Arn },
          failure ? (dropped ? 'dropped' : 'failed') : 'delivered',
        );
        // the target's own dead-letter queue keeps the event, as EventBridge sends it there
        const parked =
          failure && options.deadLetter !== false
            ? this.toDeadLetterQueue(rule, target, event, failure, attempts)
            : undefined;
        if (failure && !dropped && options.deadLetter !== false && parked?.ok !== true) {
          const dead: DeadLetterRecord = {
            id: randomUUID(),
            account: rule.account,
            region: rule.region,
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
        if (options.pendingKey) store.delete(TABLES.pending, options.pendingKey);
      });
    } catch {
      // the store closes on shutdown while deliveries may still finish (the pending record stays: resumed on start)
    }
    return record;
  }

  /**
   * Sends an event that could not be delivered to the target's `DeadLetterConfig` queue, as
   * `events.amazonaws.com` for the rule (the queue's policy decides), with the attributes EventBridge
   * adds (`RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`, `RETRY_ATTEMPTS`).
   */
  private toDeadLetterQueue(
    rule: RuleRecord,
    target: TargetRecord,
    event: BusEvent,
    failure: Error,
    attempts: number,
  ): { ok: boolean } | undefined {
    const queueArn = target.DeadLetterConfig?.Arn;
    if (!queueArn) return undefined;
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    return sendToQueue(this.runtime, queueArn, JSON.stringify(event), {
      senderService: 'events.amazonaws.com',
      sourceArn: rule.Arn,
      sourceAccount: rule.account,
      messageAttributes: {
        RULE_ARN: text(rule.Arn),
        TARGET_ARN: text(target.Arn),
        ERROR_CODE: text('code' in failure && typeof failure.code === 'string' ? failure.code : failure.name),
        ERROR_MESSAGE: text(failure.message.slice(0, 256)),
        RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(Math.max(0, attempts - 1)) },
      },
    });
  }

  private count(rule: RuleRecord, failed: boolean): void {
    const key = keys.rule(rule, rule.EventBusName, rule.Name);
    const current = this.runtime.store.get<RuleMetrics>(TABLES.metrics, key);
    this.runtime.store.put<RuleMetrics>(TABLES.metrics, key, {
      ruleArn: rule.Arn,
      Invocations: (current?.Invocations ?? 0) + 1,
      FailedInvocations: (current?.FailedInvocations ?? 0) + (failed ? 1 : 0),
    });
  }

  /** An asynchronous invoke of a deployed function for a rule; a refusal by its policy is a dropped delivery. */
  private async invokeLambda(rule: RuleRecord, arn: string, payload: unknown): Promise<void> {
    try {
      await invokeFunction(this.runtime, arn, JSON.stringify(payload ?? null), {
        invocationType: 'Event',
        principalService: 'events.amazonaws.com',
        sourceArn: rule.Arn,
        sourceAccount: rule.account,
      });
    } catch (error) {
      if (error instanceof AwsServiceError && /AccessDenied/.test(error.code))
        throw new DeliveryDeniedError(error.message);
      if (error instanceof AwsServiceError && error.code === 'ResourceNotFoundException') {
        throw new TargetDeliveryError(error.message);
      }
      throw error;
    }
  }

  /**
   * Invokes a rule's target: a manifest function or state machine (of the rule's own account and
   * region), or a bus, which then receives the event as its own (cross-account and cross-region
   * only with the rule target's role and the target bus's policy, as EventBridge requires).
   */
  async invoke(rule: RuleRecord, target: TargetRecord, event: BusEvent): Promise<void> {
    const fault = this.runtime.fault('events', 'DeliverToTarget');
    if (fault?.latencyMs) await this.runtime.clock.sleep(fault.latencyMs);
    if (fault?.error) {
      const error = new Error(fault.error.message);
      error.name = fault.error.code;
      throw error;
    }
    const arn = target.Arn;
    const fn = /^arn:aws:lambda:([^:]*):(\d{12}):function:([^:]+)(?::[^:]+)?$/.exec(arn);
    if (fn) {
      // a function deployed through the Lambda API: invoked as EventBridge invokes, asynchronously,
      // as events.amazonaws.com for this rule, the function's resource policy deciding
      if (getFunctionRecord(this.runtime, { region: fn[1] as string, account: fn[2] as string }, fn[3] as string)) {
        await this.invokeLambda(rule, arn, transformInput(target, event, rule));
        return;
      }
      // the hub's functions as the sandbox wires them by hand (until the deployed hub replaces it)
      if (fn[1] !== rule.region || fn[2] !== rule.account) {
        throw new DeliveryDeniedError(
          `Function ${arn} is not in the rule's account and region ${rule.account}/${rule.region}`,
        );
      }
      const name = (fn[3] as string).replace(/^vendguard-/, '');
      await this.runtime.functions.invoke(name, transformInput(target, event, rule));
      return;
    }
    if (/^arn:aws:states:[^:]*:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      await this.runtime.stateMachines.startExecution(arn, JSON.stringify(transformInput(target, event, rule)));
      return;
    }
    const bus = parseBusArn(arn);
    if (bus) {
      const denial = busPutDenial(this.runtime, rule, target, bus);
      if (denial) throw new DeliveryDeniedError(denial);
      this.accept(bus, bus.name, event);
      return;
    }
    throw new TargetDeliveryError(`Target ${arn} is not supported by the sandbox (functions, state machines, buses)`);
  }

  /** Delivery counters of the rules of a scope. */
  metrics(scope: Scope): RuleMetrics[] {
    return this.runtime.store.list<RuleMetrics>(TABLES.metrics, scopePrefix(scope));
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
  const scope: Scope = { account: dead.account, region: dead.region };
  const rule: RuleRecord = runtime.store.get<RuleRecord>(TABLES.rules, keys.rule(scope, dead.bus, dead.rule)) ?? {
    ...scope,
    Name: dead.rule,
    Arn: dead.ruleArn,
    EventBusName: dead.bus,
    State: 'ENABLED',
    CreatedBy: dead.account,
  };
  const target = runtime.store.get<TargetRecord>(
    TABLES.targets,
    `${keys.targets(scope, dead.bus, dead.rule)}${dead.targetId}`,
  ) ?? {
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
