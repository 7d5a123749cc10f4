/**
 * Bundle benchmark: size and cold `require` time of each function bundle.
 *
 * Builds the bundles (or reuses `dist/functions` with `--no-build`), then, in rounds, spawns a fresh
 * `node` that requires one bundle, and a bare `node -e 0` in the same round; the cold require time is
 * the median of a bundle's runs minus the median of the bare runs. Two figures per bundle: the
 * bundle's own code (`@aws-sdk/*` stubbed: the SDK is external, the Lambda runtime provides it) and
 * with the SDK clients loaded from node_modules (what a cold start also pays). Prints a table and
 * writes `bench/results/bundles.json`. Goals: each bundle < 250 KB and its own cold require < 60 ms.
 *
 * Usage: `npx tsx bench/bundles.ts [--runs 10] [--no-build] [--only a,b]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FUNCTIONS } from '../functions/manifest';
import { PROJECT_ROOT } from '../infra/config/load';
import { BUNDLE_BUDGET_BYTES, buildFunctions, DEFAULT_OUT_DIR } from '../scripts/build';

export const REQUIRE_GOAL_MS = 60;
export const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'bundles.json');

interface Args {
  readonly runs: number;
  readonly build: boolean;
  readonly only?: readonly string[];
}

function parseArgs(args: readonly string[]): Args {
  let runs = 10;
  let build = true;
  let only: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--runs') runs = Number(args[++i]);
    else if (a === '--no-build') build = false;
    else if (a === '--only') only = (args[++i] ?? '').split(',').filter(Boolean);
    else throw new Error(`unknown argument ${a}; use --runs <n>, --no-build, --only <names>`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return { runs, build, only };
}

/** Wall time in ms of one fresh `node` running `code`. */
function timeNode(code: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', code], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node -e ${code} failed: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

/** Makes every `@aws-sdk/*` module a do-nothing proxy, so only the bundle's own code is timed. */
const STUB_SDK = [
  "const M=require('module'),load=M._load;",
  'const h={get:(t,k)=>k===Symbol.toPrimitive?()=>"":p,apply:()=>p,construct:()=>p};',
  'const p=new Proxy(function(){},h);',
  "M._load=function(r,...a){return r.startsWith('@aws-sdk/')?p:load.call(this,r,...a)};",
].join('');

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface BundleFigure {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly medianMs: number;
  /** Median minus the bare `node -e 0` median of the same run, `@aws-sdk/*` stubbed. */
  readonly coldRequireMs: number;
  /** The same with the SDK clients loaded from node_modules. */
  readonly coldRequireWithSdkMs: number;
  readonly withinSize: boolean;
  readonly withinRequire: boolean;
}

/** Runs the benchmark; returns the figures it printed and wrote. */
export async function run(args: readonly string[] = []): Promise<BundleFigure[]> {
  const opts = parseArgs(args);
  const specs = FUNCTIONS.filter((f) => !opts.only || opts.only.includes(f.name));
  if (opts.build) {
    const report = await buildFunctions({ functions: specs, allowMissing: true });
    if (report.missing.length) console.log(`skipping functions without an entry yet: ${report.missing.join(', ')}`);
  }
  const bundles = specs
    .map((s) => ({ name: s.name, file: join(DEFAULT_OUT_DIR, s.name, 'index.js') }))
    .filter((b) => existsSync(b.file));
  if (!bundles.length) throw new Error(`no bundles in ${DEFAULT_OUT_DIR}; run without --no-build`);

  const own = (file: string) => `${STUB_SDK}require(${JSON.stringify(file)})`;
  const withSdk = (file: string) => `require(${JSON.stringify(file)})`;
  // Warm the file cache once so the first round is not a disk read.
  timeNode('0');
  timeNode(STUB_SDK);
  for (const b of bundles) timeNode(withSdk(b.file));

  const bare: number[] = [];
  const bareStub: number[] = [];
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const sdkSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  for (let round = 0; round < opts.runs; round++) {
    bare.push(timeNode('0'));
    bareStub.push(timeNode(STUB_SDK));
    for (const b of bundles) {
      samples.get(b.name)!.push(timeNode(own(b.file)));
      sdkSamples.get(b.name)!.push(timeNode(withSdk(b.file)));
    }
  }
  const bareMs = median(bare);
  const bareStubMs = median(bareStub);
  const figures: BundleFigure[] = bundles.map((b) => {
    const code = readFileSync(b.file);
    const medianMs = median(samples.get(b.name)!);
    const coldRequireMs = Math.max(0, medianMs - bareStubMs);
    const coldRequireWithSdkMs = Math.max(0, median(sdkSamples.get(b.name)!) - bareMs);
    return {
      name: b.name,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      medianMs: round1(medianMs),
      coldRequireMs: round1(coldRequireMs),
      coldRequireWithSdkMs: round1(coldRequireWithSdkMs),
      withinSize: code.length < BUNDLE_BUDGET_BYTES,
      withinRequire: coldRequireMs < REQUIRE_GOAL_MS,
    };
  });

  const rows = [['function', 'size (KB)', 'gzip (KB)', 'require (ms)', 'with SDK (ms)', 'goals']];
  for (const f of figures) {
    const goals = [
      f.withinSize ? '' : `size>${BUNDLE_BUDGET_BYTES / 1024}KB`,
      f.withinRequire ? '' : `require>${REQUIRE_GOAL_MS}ms`,
    ]
      .filter(Boolean)
      .join(' ');
    rows.push([
      f.name,
      kb(f.bytes),
      kb(f.gzipBytes),
      f.coldRequireMs.toFixed(1),
      f.coldRequireWithSdkMs.toFixed(1),
      goals || 'ok',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      r
        .map((c, j) => (j === 0 || j === 5 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log(
    `\nbare node -e 0: median ${bareMs.toFixed(1)} ms over ${opts.runs} runs; node ${process.version}, ${cpus().length} CPU(s)`,
  );

  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        runs: opts.runs,
        bareNodeMs: round1(bareMs),
        bareNodeWithSdkStubMs: round1(bareStubMs),
        goals: { bundleBytes: BUNDLE_BUDGET_BYTES, coldRequireMs: REQUIRE_GOAL_MS },
        bundles: figures,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${RESULTS_FILE}`);
  return figures;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const round1 = (x: number) => Math.round(x * 10) / 10;

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
