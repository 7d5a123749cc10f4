/** Output helpers shared by the commands: aligned tables, JSON, durations, errors with exit codes. */

/** Exit codes of every command; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (an execution failed, a replay had failures). */
  failed: 1,
  /** Bad usage or invalid input; nothing was changed. */
  usage: 2,
  /** AWS (or the sandbox) could not be reached or refused the call. */
  aws: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends a command with a given exit code and a message that says what to do next. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Formats rows as an aligned text table; `columns` maps header → cell getter. */
export function table<T>(rows: readonly T[], columns: Readonly<Record<string, (row: T) => string>>): string {
  const headers = Object.keys(columns);
  const cells = rows.map((row) => headers.map((h) => columns[h]!(row)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

/** `1h 02m`, `3m 05s`, `4.2s`, `350ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  // Round once, then split, so 119.6 s is `2m 00s`, never `1m 60s`.
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Prints a value as pretty JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a line of results to stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Progress lines go to stderr so `--json` output on stdout stays parseable. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
