/** Helpers the benchmark programs share: percentiles, rounding, and writing `bench/results/<name>.json`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';

/** The nearest-rank `p`th percentile of samples sorted ascending (0 when there are none). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

/** The median of samples (the mean of the middle two for an even count; 0 when there are none). */
export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Rounds to two decimals, as the result files show figures. */
export const round = (n: number): number => Math.round(n * 100) / 100;

/** Writes a benchmark's result as `bench/results/<name>.json`; returns the path relative to the project. */
export function writeResult(name: string, result: unknown): string {
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return `bench/results/${name}.json`;
}
