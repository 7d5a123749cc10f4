/**
 * EventBridge's six-field cron expressions (`cron(minutes hours day-of-month month day-of-week year)`),
 * evaluated in UTC, as the user guide documents them
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):
 *
 * - `,` lists, `-` ranges, `*` every value, `/` increments (`0/15`, `*\/5`, `10-40/10`) in every field;
 * - day-of-week is 1-7 or SUN-SAT (1 = Sunday), month 1-12 or JAN-DEC, year 1970-2199;
 * - exactly one of day-of-month and day-of-week is `?`;
 * - day-of-month: `L` (last day of the month), `nW` (the weekday nearest day n, not leaving the
 *   month), `LW` (the last weekday of the month);
 * - day-of-week: `L` (the last day of the week, Saturday), `nL` (the last day n of the month),
 *   `n#k` (the k-th day n of the month; only one such expression in the field).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** How day-of-month or day-of-week picks days. */
type DaySpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'lastDay' }
  | { readonly kind: 'lastWeekday' }
  | { readonly kind: 'nearestWeekday'; readonly day: number }
  | { readonly kind: 'lastOfWeekday'; readonly weekday: number }
  | { readonly kind: 'nthWeekday'; readonly weekday: number; readonly nth: number };

/** A parsed cron expression. */
export interface CronExpression {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly dayOfMonth: DaySpec;
  readonly months: ReadonlySet<number>;
  readonly dayOfWeek: DaySpec;
  readonly years: ReadonlySet<number>;
}

interface FieldRange {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const RANGES = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  months: { min: 1, max: 12, names: MONTHS },
  dayOfWeek: { min: 1, max: 7, names: DAYS },
  years: { min: MIN_YEAR, max: MAX_YEAR },
} as const satisfies Record<string, FieldRange>;

/** A single value: a number or a name (`JAN`, `MON`), 1-based for names; undefined when invalid. */
function value(text: string, range: FieldRange): number | undefined {
  let n: number;
  if (/^\d+$/.test(text)) n = Number(text);
  else {
    const index = range.names?.indexOf(text.toUpperCase()) ?? -1;
    if (index < 0) return undefined;
    n = index + 1;
  }
  return n >= range.min && n <= range.max ? n : undefined;
}

/** A `,`/`-`/`*`/`/` field as the set of its values; undefined when invalid. */
function valueSet(text: string, range: FieldRange): Set<number> | undefined {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const base = m[1] as string;
    const step = m[2] === undefined ? undefined : Number(m[2]);
    if (step !== undefined && step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (base === '*') {
      from = range.min;
      to = range.max;
    } else if (base.includes('-')) {
      const [a, b, ...rest] = base.split('-');
      if (rest.length > 0) return undefined;
      from = value(a ?? '', range);
      to = value(b ?? '', range);
    } else {
      from = value(base, range);
      to = step === undefined ? from : range.max;
    }
    if (from === undefined || to === undefined) return undefined;
    // A range may wrap around the end of the field (`FRI-MON`, `NOV-FEB`).
    const span = to >= from ? to - from : to + (range.max - range.min + 1) - from;
    for (let i = 0; i <= span; i += step ?? 1) {
      const v = from + i;
      out.add(v > range.max ? v - (range.max - range.min + 1) : v);
    }
  }
  return out;
}

function dayOfMonthSpec(text: string): DaySpec | undefined {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'lastDay' };
  if (text === 'LW') return { kind: 'lastWeekday' };
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    const day = value(w[1] as string, RANGES.dayOfMonth);
    return day === undefined ? undefined : { kind: 'nearestWeekday', day };
  }
  const values = valueSet(text, RANGES.dayOfMonth);
  return values ? { kind: 'set', values } : undefined;
}

function dayOfWeekSpec(text: string): DaySpec | undefined {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'set', values: new Set([7]) };
  const last = /^(\w+)L$/.exec(text);
  if (last) {
    const weekday = value(last[1] as string, RANGES.dayOfWeek);
    return weekday === undefined ? undefined : { kind: 'lastOfWeekday', weekday };
  }
  if (text.includes('#')) {
    const nth = /^(\w+)#([1-5])$/.exec(text);
    const weekday = nth ? value(nth[1] as string, RANGES.dayOfWeek) : undefined;
    return weekday === undefined ? undefined : { kind: 'nthWeekday', weekday, nth: Number(nth?.[2]) };
  }
  const values = valueSet(text, RANGES.dayOfWeek);
  return values ? { kind: 'set', values } : undefined;
}

/**
 * Parses the six fields of a cron expression; undefined when EventBridge would refuse it.
 *
 * @example
 * parseCron('0 12 ? * MON-FRI *'.split(' ')); // weekdays at noon UTC
 */
export function parseCron(fields: readonly string[]): CronExpression | undefined {
  if (fields.length !== 6) return undefined;
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // Exactly one of day-of-month and day-of-week is `?`.
  if ((dom === '?') === (dow === '?')) return undefined;
  const minutes = valueSet(min, RANGES.minutes);
  const hours = valueSet(hour, RANGES.hours);
  const dayOfMonth = dayOfMonthSpec(dom);
  const months = valueSet(month, RANGES.months);
  const dayOfWeek = dayOfWeekSpec(dow);
  const years = valueSet(year, RANGES.years);
  if (!minutes || !hours || !dayOfMonth || !months || !dayOfWeek || !years) return undefined;
  return { minutes, hours, dayOfMonth, months, dayOfWeek, years };
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday … 7 = Saturday, as in the cron field. */
const weekdayOf = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Mon–Fri) nearest `day`, staying in the month. */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysIn(year, month);
  if (day > last) return undefined;
  const wd = weekdayOf(year, month, day);
  if (wd === 7) return day === 1 ? 3 : day - 1; // Saturday: Friday before, or Monday the 3rd
  if (wd === 1) return day === last ? day - 2 : day + 1; // Sunday: Monday after, or Friday before
  return day;
}

function dayMatches(spec: DaySpec, year: number, month: number, day: number): boolean {
  const last = daysIn(year, month);
  switch (spec.kind) {
    case 'any':
      return true;
    case 'set':
      return spec.values.has(day);
    case 'lastDay':
      return day === last;
    case 'lastWeekday':
      return day === lastWeekdayOf(year, month);
    case 'nearestWeekday':
      return day === nearestWeekday(year, month, spec.day);
    case 'lastOfWeekday':
      return weekdayOf(year, month, day) === spec.weekday && day + 7 > last;
    case 'nthWeekday':
      return weekdayOf(year, month, day) === spec.weekday && Math.ceil(day / 7) === spec.nth;
  }
}

function lastWeekdayOf(year: number, month: number): number {
  let day = daysIn(year, month);
  while (weekdayOf(year, month, day) === 1 || weekdayOf(year, month, day) === 7) day--;
  return day;
}

/** Day-of-month and day-of-week (one of them is `?`, which matches every day). */
function dateMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  const dow = cron.dayOfWeek;
  const byWeek = dow.kind === 'set' ? dow.values.has(weekdayOf(year, month, day)) : dayMatches(dow, year, month, day);
  return byWeek && dayMatches(cron.dayOfMonth, year, month, day);
}

/** The first of `values` at or after `from`, or undefined. */
function firstAtLeast(values: ReadonlySet<number>, from: number): number | undefined {
  let best: number | undefined;
  for (const v of values) if (v >= from && (best === undefined || v < best)) best = v;
  return best;
}

/**
 * The first due time strictly after `afterMs` (epoch ms, UTC, on a whole minute), or undefined when
 * the expression never fires again (its years are over).
 *
 * @example
 * nextCronTime(parseCron('0 10 * * ? *'.split(' '))!, Date.UTC(2026, 0, 1, 12)); // 2026-01-02T10:00Z
 */
export function nextCronTime(cron: CronExpression, afterMs: number): number | undefined {
  const start = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  let dayStart = Math.floor(start / DAY_MS) * DAY_MS;
  let fromMinuteOfDay = (start - dayStart) / MINUTE_MS;
  while (true) {
    const date = new Date(dayStart);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (year > MAX_YEAR) return undefined;
    if (!cron.years.has(year)) {
      dayStart = Date.UTC(year + 1, 0, 1);
      fromMinuteOfDay = 0;
      continue;
    }
    if (!cron.months.has(month)) {
      dayStart = Date.UTC(year, month, 1);
      fromMinuteOfDay = 0;
      continue;
    }
    if (dateMatches(cron, year, month, day)) {
      const time = firstTimeOfDay(cron, fromMinuteOfDay);
      if (time !== undefined) return dayStart + time * MINUTE_MS;
    }
    dayStart += DAY_MS;
    fromMinuteOfDay = 0;
  }
}

/** The first minute of the day (0–1439) at or after `from` that the hours and minutes allow. */
function firstTimeOfDay(cron: CronExpression, from: number): number | undefined {
  let hour = firstAtLeast(cron.hours, Math.floor(from / 60));
  while (hour !== undefined) {
    const minFrom = hour === Math.floor(from / 60) ? from % 60 : 0;
    const minute = firstAtLeast(cron.minutes, minFrom);
    if (minute !== undefined) return hour * 60 + minute;
    hour = firstAtLeast(cron.hours, hour + 1);
  }
  return undefined;
}
