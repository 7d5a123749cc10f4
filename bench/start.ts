/**
 * Start benchmark: how long `startSandbox` (what `npm start` and every test sandbox run) takes in its
 * three cases, in one process:
 *
 * - `cold`: no cached assembly (a temporary cache): synthesize the CDK app, then create every stack;
 * - `warm`: the cached assembly, a fresh home: create every stack;
 * - `unchanged`: the same home again: every stack compared and left alone.
 *
 * Each case runs `--runs` times (default 3; cold synthesizes every time); the figure is the median.
 * Prints a table and writes `bench/results/start.json`.
 *
 * Usage: `npm run bench -- start [--runs 3]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/index';
import { percentile, writeResult } from './stats';

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

interface Case {
  readonly name: 'cold' | 'warm' | 'unchanged';
  readonly ms: number[];
  readonly synthesisMs: number[];
  readonly stacks: number[];
}

async function timedStart(
  home: string,
  cacheDir: string,
): Promise<{ ms: number; synthesisMs: number; created: number }> {
  process.env.VENDGUARD_CDK_CACHE = cacheDir;
  const started = performance.now();
  const sb = await startSandbox({ port: 0, home, quiet: true });
  const ms = performance.now() - started;
  const { assembly, stacks } = sb.deployment;
  await sb.stop();
  return {
    ms,
    synthesisMs: assembly.cached ? 0 : assembly.ms,
    created: stacks.filter((s) => s.action === 'created').length,
  };
}

export async function run(args: string[]): Promise<void> {
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const saved = process.env.VENDGUARD_CDK_CACHE;
  const scratch = mkdtempSync(join(tmpdir(), 'vendguard-bench-start-'));
  const cases: Case[] = [
    { name: 'cold', ms: [], synthesisMs: [], stacks: [] },
    { name: 'warm', ms: [], synthesisMs: [], stacks: [] },
    { name: 'unchanged', ms: [], synthesisMs: [], stacks: [] },
  ];
  const [cold, warm, unchanged] = cases as [Case, Case, Case];
  const load = loadavg()[0];
  try {
    for (let i = 0; i < runs; i++) {
      const cache = join(scratch, `cache-${i}`);
      const home = join(scratch, `home-${i}`);
      const first = await timedStart(home, cache);
      cold.ms.push(first.ms);
      cold.synthesisMs.push(first.synthesisMs);
      cold.stacks.push(first.created);
      const fresh = await timedStart(join(scratch, `fresh-${i}`), cache);
      warm.ms.push(fresh.ms);
      warm.stacks.push(fresh.created);
      const again = await timedStart(home, cache);
      unchanged.ms.push(again.ms);
      unchanged.stacks.push(again.created);
      console.log(
        `run ${i + 1}/${runs}: cold ${(first.ms / 1000).toFixed(2)} s, warm ${(fresh.ms / 1000).toFixed(2)} s, unchanged ${(again.ms / 1000).toFixed(2)} s`,
      );
    }
  } finally {
    if (saved === undefined) delete process.env.VENDGUARD_CDK_CACHE;
    else process.env.VENDGUARD_CDK_CACHE = saved;
    rmSync(scratch, { recursive: true, force: true });
  }
  const rows = cases.map((c) => ({
    case: c.name,
    medianMs: Math.round(median(c.ms)),
    runsMs: c.ms.map(Math.round),
    ...(c.name === 'cold' ? { synthesisMedianMs: Math.round(median(c.synthesisMs)) } : {}),
    stacksCreated: c.stacks[0] ?? 0,
  }));
  console.log(`\nstart of the sandbox (${cpus().length} cores, load ${load?.toFixed(2)} before)`);
  console.log('case        median      runs');
  for (const r of rows) {
    console.log(
      `${r.case.padEnd(11)} ${`${(r.medianMs / 1000).toFixed(2)} s`.padStart(8)}    ${r.runsMs.join(', ')} ms`,
    );
  }
  const path = writeResult('start', { runs, cores: cpus().length, loadBefore: load, cases: rows });
  console.log(`\nwrote ${path}`);
}
