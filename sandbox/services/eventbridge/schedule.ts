/**
 * Scheduled rules on the sandbox clock: a `rate(…)` rule sends a `Scheduled Event` (source
 * `aws.events`) to its targets once per period of simulated time. `cron(…)` expressions are
 * accepted and validated (six fields) but not run.
 */
import { randomUUID } from 'node:crypto';
import type { BusEvent, SandboxRuntime } from '../../core/types';
import type { EventRouter } from './delivery';
import { eventTime, type RuleRecord, scopeOf, TABLES } from './model';

/** A parsed schedule expression. */
export type Schedule =
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly fields: string[] };

const UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Parses `rate(5 minutes)` / `cron(0 12 * * ? *)`; undefined when invalid (as AWS: `rate(1 minutes)` is invalid). */
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
    return fields.length === 6 ? { kind: 'cron', fields } : undefined;
  }
  return undefined;
}

interface ScheduleState {
  readonly nextRunMs: number;
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

  /** Fires every enabled rate rule whose time has come; returns how many fired. */
  fireDue(): number {
    const store = this.runtime.store;
    const now = this.runtime.clock.nowMs();
    let fired = 0;
    for (const rule of store.list<RuleRecord>(TABLES.rules)) {
      if (!rule.ScheduleExpression || rule.State !== 'ENABLED') continue;
      const schedule = parseSchedule(rule.ScheduleExpression);
      if (schedule?.kind !== 'rate') continue;
      const key = `${rule.EventBusName}/${rule.Name}`;
      const state = store.get<ScheduleState>(TABLES.schedules, key);
      if (!state) {
        store.put<ScheduleState>(TABLES.schedules, key, { nextRunMs: now + schedule.periodMs });
        continue;
      }
      if (state.nextRunMs > now) continue;
      // one event per due time, without catching up missed periods (as after a restart)
      const periods = Math.floor((now - state.nextRunMs) / schedule.periodMs) + 1;
      store.put<ScheduleState>(TABLES.schedules, key, { nextRunMs: state.nextRunMs + periods * schedule.periodMs });
      this.fire(rule, state.nextRunMs);
      fired++;
    }
    return fired;
  }

  private fire(rule: RuleRecord, atMs: number): void {
    const scope = scopeOf(this.runtime);
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: scope.account,
      time: eventTime(new Date(atMs)),
      region: scope.region,
      resources: [rule.Arn],
      detail: {},
    };
    for (const target of this.router.targetsOf(rule)) this.router.deliverLater(rule, target, event);
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
