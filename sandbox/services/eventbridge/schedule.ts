/**
 * Scheduled rules on the sandbox clock: a `rate(…)` rule sends a `Scheduled Event` (source
 * `aws.events`) to its targets once per period of simulated time, a `cron(…)` rule at each of its
 * due times (UTC, see `cron.ts`). The next due time of every rule is kept in the store, so a
 * restart neither fires a time twice nor skips one.
 */
import { randomUUID } from 'node:crypto';
import type { BusEvent, SandboxRuntime } from '../../core/types';
import { type CronExpression, nextCronTime, parseCron } from './cron';
import type { EventRouter } from './delivery';
import { eventTime, keys, type RuleRecord, TABLES } from './model';
import { targetsOf } from './rules';
import { traceEvent } from './trace';

/** A parsed schedule expression. */
export type Schedule =
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly fields: string[]; readonly cron: CronExpression };

const UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * Parses `rate(5 minutes)` / `cron(0 12 * * ? *)`; undefined when invalid (as AWS: `rate(1 minutes)`
 * is invalid, and so is a cron expression without exactly one `?` in its day fields).
 */
export function parseSchedule(expression: string): Schedule | undefined {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1 || (value === 1) !== !unit.endsWith('s')) return undefined;
    return { kind: 'rate', periodMs: value * (UNITS[unit] as number) };
  }
  const cron = /^cron\(([^)]+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = (cron[1] as string).trim().split(/\s+/);
    const parsed = parseCron(fields);
    return parsed ? { kind: 'cron', fields, cron: parsed } : undefined;
  }
  return undefined;
}

interface ScheduleState {
  readonly nextRunMs: number;
  /** The expression the due time was computed from (absent in states written before cron ran). */
  readonly expression?: string;
}

/** Most events one rule sends for the due times a clock jump passed over. */
export const MAX_CATCH_UP = 100;

/** Stored for a cron expression whose years are over (JSON has no Infinity). */
const NEVER_MS = Number.MAX_SAFE_INTEGER;

/** The first due time of a schedule after `nowMs`. */
function nextAfter(schedule: Schedule, nowMs: number): number {
  if (schedule.kind === 'rate') return nowMs + schedule.periodMs;
  return nextCronTime(schedule.cron, nowMs) ?? NEVER_MS;
}

/**
 * Starts a scheduled rule's count from `nowMs` when it is new or its expression changed; true when it
 * did (the rule is not due yet). `PutRule` calls it, so a schedule runs from its creation, not from
 * the scheduler's next look; the scheduler calls it for rules stored before.
 */
export function armSchedule(runtime: SandboxRuntime, rule: RuleRecord, nowMs: number): boolean {
  const expression = rule.ScheduleExpression;
  const schedule = expression ? parseSchedule(expression) : undefined;
  if (!expression || !schedule) return false;
  const key = keys.rule(rule, rule.EventBusName, rule.Name);
  const state = runtime.store.get<ScheduleState>(TABLES.schedules, key);
  if (state && (state.expression === undefined || state.expression === expression)) return false;
  runtime.store.put<ScheduleState>(TABLES.schedules, key, { nextRunMs: nextAfter(schedule, nowMs), expression });
  return true;
}

/** Fires due `rate()` rules; re-arms itself on real timers scaled from the sandbox clock. */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly router: EventRouter,
  ) {}

  start(): void {
    this.stop();
    this.stopped = false;
    this.fireDue();
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Fires every enabled scheduled rule whose time has come; returns how many fired. */
  fireDue(): number {
    const store = this.runtime.store;
    const now = this.runtime.clock.nowMs();
    let fired = 0;
    for (const rule of store.list<RuleRecord>(TABLES.rules)) {
      const expression = rule.ScheduleExpression;
      if (!expression || rule.State !== 'ENABLED') continue;
      const schedule = parseSchedule(expression);
      if (!schedule) continue;
      // A new rule, or a changed expression, starts counting from now.
      if (armSchedule(this.runtime, rule, now)) continue;
      const key = keys.rule(rule, rule.EventBusName, rule.Name);
      const state = store.get<ScheduleState>(TABLES.schedules, key);
      if (!state || state.nextRunMs > now) continue;
      // One event per due time that passed (a clock advanced by three periods fires three times, as
      // AWS would have over that time), at most MAX_CATCH_UP; the next due time is stored before the
      // events go out, so a restart does not send them twice.
      const due: number[] = [];
      let nextRunMs = state.nextRunMs;
      while (nextRunMs <= now) {
        if (due.length < MAX_CATCH_UP) due.push(nextRunMs);
        nextRunMs =
          schedule.kind === 'rate'
            ? due.length < MAX_CATCH_UP
              ? nextRunMs + schedule.periodMs
              : nextRunMs + (Math.floor((now - nextRunMs) / schedule.periodMs) + 1) * schedule.periodMs
            : due.length < MAX_CATCH_UP
              ? nextAfter(schedule, nextRunMs)
              : nextAfter(schedule, now);
      }
      store.put<ScheduleState>(TABLES.schedules, key, { nextRunMs, expression });
      for (const at of due) this.fire(rule, at);
      fired += due.length;
    }
    return fired;
  }

  /** Sends the rule's `Scheduled Event` (in the rule's account and region) to its targets. */
  private fire(rule: RuleRecord, atMs: number): void {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: rule.account,
      time: eventTime(new Date(atMs)),
      region: rule.region,
      resources: [rule.Arn],
      detail: {},
    };
    const targets = targetsOf(this.runtime, rule);
    this.runtime.store.transaction(() => {
      traceEvent(this.runtime, rule, rule.EventBusName, event, [
        { rule: rule.Name, targets: targets.map((t) => t.Arn) },
      ]);
      for (const target of targets) this.router.enqueue(rule, target, event);
    });
  }

  /** Next wake-up: the earliest due time, polled at least once a real second for new rules. */
  private arm(): void {
    if (this.stopped) return;
    const states = this.runtime.store.list<ScheduleState>(TABLES.schedules);
    const now = this.runtime.clock.nowMs();
    const earliest = states.reduce((min, s) => Math.min(min, s.nextRunMs), Number.POSITIVE_INFINITY);
    const realMs = Number.isFinite(earliest) ? this.runtime.clock.toRealMs(Math.max(0, earliest - now)) : 1000;
    if (!Number.isFinite(realMs)) return; // a manual clock: tests call fireDue()
    this.timer = setTimeout(
      () => {
        try {
          this.fireDue();
        } catch {
          // the store may be closing
        }
        this.arm();
      },
      Math.max(5, Math.min(realMs, 1000)),
    );
    this.timer.unref();
  }
}
