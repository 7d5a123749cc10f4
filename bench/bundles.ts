/**
 * Bundle benchmark: size and cold start cost of each function bundle.
 *
 * Builds the bundles (or reuses `dist/functions` with `--no-build`), then, in rounds, spawns fresh
 * `node` processes and a bare `node -e 0` in the same round; each figure is the median of its runs
 * minus the median of the matching bare runs. Functions load SDK packages lazily (on first use), so
 * requiring a bundle no longer loads the SDK; the figures per bundle are:
 *
 * - `require`: the bundle's own code (`@aws-sdk/*` stubbed);
 * - `+ real SDK`: the bundle required with the SDK resolvable from node_modules (what the Lambda init
 *   phase pays now: only SDK packages the bundle requires at load time);
 * - `+ first use`: the bundle plus every `@aws-sdk/*` package its metafile imports, required (what the
 *   first invocation adds; an upper bound when a shared module can reach clients the function never calls).
 *
 * Prints a table and writes `bench/results/bundles.json`. Goals: each bundle < 250 KB and its own
 * cold require < 60 ms. Run it on a quiet machine: it prints the load average before and after.
 *
 * Usage: `npx tsx bench/bundles.ts [--runs 10] [--no-build] [--only a,b]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../config/load';
import { FUNCTIONS } from '../functions/manifest';
import { BUNDLE_BUDGET_BYTES, buildFunctions, DEFAULT_OUT_DIR } from '../scripts/build';
import { median } from './stats';

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

/** The `@aws-sdk/*` packages a bundle imports (lazily or not), from its esbuild metafile. */
export function sdkPackagesOf(metafileFile: string): string[] {
  if (!existsSync(metafileFile)) return [];
  const metafile = JSON.parse(readFileSync(metafileFile, 'utf8')) as {
    outputs: Record<string, { imports?: Array<{ path: string; external?: boolean }> }>;
  };
  const packages = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const i of output.imports ?? []) {
      const m = /^@aws-sdk\/[^/]+/.exec(i.path);
      if (m) packages.add(m[0]);
    }
  }
  return [...packages].sort();
}

export interface BundleFigure {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly medianMs: number;
  /** Median minus the bare `node -e 0` median of the same run, `@aws-sdk/*` stubbed. */
  readonly coldRequireMs: number;
  /** The bundle required with the real SDK resolvable (SDK packages load only when first used). */
  readonly coldRequireWithSdkMs: number;
  /** The bundle plus every `@aws-sdk/*` package of its metafile required: what the first invocation adds. */
  readonly firstUseMs: number;
  /** Those packages. */
  readonly sdkPackages: readonly string[];
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
    .map((s) => {
      const dir = join(DEFAULT_OUT_DIR, s.name);
      return { name: s.name, file: join(dir, 'index.js'), sdk: sdkPackagesOf(join(dir, 'metafile.json')) };
    })
    .filter((b) => existsSync(b.file));
  if (!bundles.length) throw new Error(`no bundles in ${DEFAULT_OUT_DIR}; run without --no-build`);

  const own = (file: string) => `${STUB_SDK}require(${JSON.stringify(file)})`;
  const withSdk = (file: string) => `require(${JSON.stringify(file)})`;
  const firstUse = (file: string, sdk: readonly string[]) =>
    [file, ...sdk].map((m) => `require(${JSON.stringify(m)});`).join('');
  const loadBefore = loadavg();
  // Warm the file cache once so the first round is not a disk read.
  timeNode('0');
  timeNode(STUB_SDK);
  for (const b of bundles) timeNode(firstUse(b.file, b.sdk));

  const bare: number[] = [];
  const bareStub: number[] = [];
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const sdkSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const firstUseSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const packages = [...new Set(bundles.flatMap((b) => b.sdk))].sort();
  const packageSamples = new Map<string, number[]>(packages.map((p) => [p, []]));
  for (let round = 0; round < opts.runs; round++) {
    bare.push(timeNode('0'));
    bareStub.push(timeNode(STUB_SDK));
    for (const b of bundles) {
      samples.get(b.name)!.push(timeNode(own(b.file)));
      sdkSamples.get(b.name)!.push(timeNode(withSdk(b.file)));
      firstUseSamples.get(b.name)!.push(timeNode(firstUse(b.file, b.sdk)));
    }
    for (const p of packages) packageSamples.get(p)!.push(timeNode(`require(${JSON.stringify(p)})`));
  }
  const loadAfter = loadavg();
  const bareMs = median(bare);
  const bareStubMs = median(bareStub);
  const figures: BundleFigure[] = bundles.map((b) => {
    const code = readFileSync(b.file);
    const medianMs = median(samples.get(b.name)!);
    const coldRequireMs = Math.max(0, medianMs - bareStubMs);
    const coldRequireWithSdkMs = Math.max(0, median(sdkSamples.get(b.name)!) - bareMs);
    const firstUseMs = Math.max(0, median(firstUseSamples.get(b.name)!) - bareMs);
    return {
      name: b.name,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      medianMs: round1(medianMs),
      coldRequireMs: round1(coldRequireMs),
      coldRequireWithSdkMs: round1(coldRequireWithSdkMs),
      firstUseMs: round1(firstUseMs),
      sdkPackages: b.sdk,
      withinSize: code.length < BUNDLE_BUDGET_BYTES,
      withinRequire: coldRequireMs < REQUIRE_GOAL_MS,
    };
  });

  const rows = [
    ['function', 'size (KB)', 'gzip (KB)', 'require (ms)', '+ real SDK (ms)', '+ first use (ms)', 'SDK pkgs', 'goals'],
  ];
  const GOALS_COLUMN = rows[0]!.length - 1;
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
      f.firstUseMs.toFixed(1),
      String(f.sdkPackages.length),
      goals || 'ok',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      r
        .map((c, j) => (j === 0 || j === GOALS_COLUMN ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `\nbare node -e 0: median ${bareMs.toFixed(1)} ms over ${opts.runs} runs; node ${process.version}, ${cpus().length} CPU(s)`,
  );
  console.log(`load average before ${load(loadBefore)}, after ${load(loadAfter)}`);
  console.log('SDK packages per function (first use):');
  for (const f of figures) console.log(`  ${f.name}: ${f.sdkPackages.join(' ') || '(none)'}`);
  // Packages share @smithy/* and @aws-sdk/core, so these do not add up to a function's first-use figure.
  const sdkPackageMs = Object.fromEntries(
    packages.map((p) => [p, round1(Math.max(0, median(packageSamples.get(p)!) - bareMs))]),
  );
  console.log('cold require of one SDK package alone (ms):');
  for (const [p, ms] of Object.entries(sdkPackageMs)) console.log(`  ${p.padEnd(32)} ${ms.toFixed(1).padStart(6)}`);

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
        loadAverage: { before: loadBefore.map(round1), after: loadAfter.map(round1) },
        goals: { bundleBytes: BUNDLE_BUDGET_BYTES, coldRequireMs: REQUIRE_GOAL_MS },
        bundles: figures,
        sdkPackageMs,
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
