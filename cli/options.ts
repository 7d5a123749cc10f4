/**
 * Parsers of the CLI's numeric, duration and time options, one per kind, given to commander as
 * `.option(flags, description, parser, default)`. Commander runs them while it reads the command
 * line, before any action, so a bad value ends the command before anything is sent to AWS or the
 * sandbox: the parser throws an {@link OptionError} (exit 2) naming the option, the value and what
 * the option takes. Commander passes errors other than its own `InvalidArgumentError` through
 * untouched, so `vendguard: --timeout -5: must be …` is printed by `reportError` like every other
 * usage error.
 */
import { CliError, EXIT } from './output';

/** A value the CLI refuses for an option; exit 2, nothing was sent. */
export class OptionError extends CliError {
  readonly option: string;
  readonly value: string;

  constructor(option: string, value: string, expected: string) {
    super(`${option} ${shown(value)}: ${expected}`, EXIT.usage);
    this.name = 'OptionError';
    this.option = option;
    this.value = value;
  }
}

/** A commander argument parser that also says what it accepts, for the option's `--help` text. */
export interface OptionParser<T> {
  (value: string): T;
  /** What the option takes, e.g. `1 to 3600 seconds`; each option's description includes it. */
  readonly accepts: string;
}

/** A point in time as given on the command line: an instant, or a duration before "now". */
export type PointInTime = { readonly at: Date } | { readonly agoMs: number };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)\s*([smhd])$/;
const DURATION_FORM = 'a duration like 30m, 24h or 7d (a whole number and s, m, h or d)';
/** `2026-11-26`, or `2026-11-26T09:00:00Z` / `…09:00+01:00` / `…09:00:00.123Z` (a time needs its zone). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const ISO_EXAMPLE = '2026-11-26T09:00:00Z';

function shown(value: string): string {
  return value === '' || /\s/.test(value) ? JSON.stringify(value) : value;
}

function plural(n: number, unit: string | undefined): string {
  return unit ? `${n} ${unit}` : String(n);
}

/**
 * A whole number from `min` to `max`; refuses signs, fractions, exponents and anything else.
 *
 * @param name - the option, as the user typed it (`--timeout`)
 * @param bounds - `unit` names what is counted (`seconds`) in messages and help
 * @example
 * .option('--timeout <seconds>', `stop waiting after this long, ${TIMEOUT.accepts}`, TIMEOUT, 3600)
 */
export function positiveInt(
  name: string,
  bounds: { readonly min?: number; readonly max: number; readonly unit?: string },
): OptionParser<number> {
  const { min = 1, max, unit } = bounds;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max)
    throw new Error(`${name}: bad bounds ${min}..${max}`);
  const what = `a whole number${unit ? ` of ${unit}` : ''}`;
  const parse = (value: string): number => {
    const text = value.trim();
    if (!/^-?\d+$/.test(text)) throw new OptionError(name, value, `must be ${what} from ${min} to ${max}`);
    const n = Number(text);
    if (n < min) throw new OptionError(name, value, `must be ${what}, at least ${min}`);
    if (n > max) throw new OptionError(name, value, `must be ${what}, at most ${max}`);
    return n;
  };
  return Object.assign(parse, { accepts: `${min} to ${plural(max, unit)}` });
}

/** Milliseconds of `30m`, `24h`, `7d`, `90s`, or undefined when the text is not such a duration. */
function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

function definedDuration(name: string, text: string): number {
  const ms = durationMs(text);
  if (ms === undefined || ms <= 0) throw new Error(`${name}: bad bound ${text}`);
  return ms;
}

/**
 * A duration (`90s`, `30m`, `24h`, `7d`) from `min` (default `1s`) to `max`, in milliseconds.
 *
 * @example
 * const SINCE = duration('--since', { max: '90d' });
 * SINCE('24h'); // 86_400_000
 */
export function duration(name: string, bounds: { readonly min?: string; readonly max: string }): OptionParser<number> {
  const { min = '1s', max } = bounds;
  const [minMs, maxMs] = [definedDuration(name, min), definedDuration(name, max)];
  if (minMs > maxMs) throw new Error(`${name}: bad bounds ${min}..${max}`);
  const parse = (value: string): number => {
    const ms = durationMs(value);
    if (ms === undefined) throw new OptionError(name, value, `must be ${DURATION_FORM}, from ${min} to ${max}`);
    if (ms < minMs) throw new OptionError(name, value, `must be a duration of at least ${min}`);
    if (ms > maxMs) throw new OptionError(name, value, `must be a duration of at most ${max}`);
    return ms;
  };
  return Object.assign(parse, { accepts: `${min} to ${max}` });
}

/** The instant of an ISO date or date-time with a zone, or undefined when it is not a real one. */
function isoInstant(text: string): Date | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = m;
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const fine =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59;
  const date = new Date(text.trim().replace(' ', 'T'));
  return fine && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * An ISO time with its zone (`2026-11-26T09:00:00Z`, or a date: midnight UTC) or a duration before
 * "now" (`2h`: two hours ago) from `1s` to `maxAgo`. Resolve it with {@link resolveTime} once "now"
 * is known (the sandbox clock runs ahead of wall time).
 */
export function pointInTime(name: string, bounds: { readonly maxAgo: string }): OptionParser<PointInTime> {
  const ago = duration(name, { max: bounds.maxAgo });
  const parse = (value: string): PointInTime => {
    if (durationMs(value) !== undefined) return { agoMs: ago(value) };
    const at = isoInstant(value);
    if (!at)
      throw new OptionError(
        name,
        value,
        `must be an ISO time with its zone (${ISO_EXAMPLE}) or a duration ago like 2h or 7d (up to ${bounds.maxAgo})`,
      );
    return { at };
  };
  return Object.assign(parse, { accepts: `an ISO time with its zone (${ISO_EXAMPLE}) or 1s to ${bounds.maxAgo} ago` });
}

/** The instant a {@link PointInTime} names, given "now" in epoch milliseconds. */
export function resolveTime(time: PointInTime, now: number): Date {
  return 'at' in time ? time.at : new Date(now - time.agoMs);
}
