/**
 * `npm run build`: one minified esbuild bundle per function of the manifest, written to
 * `dist/functions/<name>/index.js` with its metafile, the validated organization config embedded.
 * Prints each bundle's size and gzip size and fails over the size budget or when a bundle holds a
 * secret (a Slack webhook URL).
 *
 * Flags: `--allow-missing` (skip manifest entries whose file does not exist yet instead of failing),
 * `--only <name,…>`, `--out <dir>`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { loadOrganizationConfig, PROJECT_ROOT } from '../config/load';
import type { OrganizationConfig } from '../config/schema';
import { FUNCTIONS, type FunctionSpec } from '../functions/manifest';

/** Per-bundle size budget (the nodejs22.x cold start goal). */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;
/** Strings that must never appear in a bundle: secrets are read at run time from Secrets Manager. */
export const FORBIDDEN_BUNDLE_STRINGS = ['hooks.slack.com'] as const;
export const DEFAULT_OUT_DIR = join(PROJECT_ROOT, 'dist', 'functions');

/** Package entry points esbuild prefers (ESM first: smaller bundles); `npm run build` and the CDK app alike. */
export const MAIN_FIELDS = ['module', 'main'];

/** The esbuild `define`s shared by `npm run build` and the CDK app's `NodejsFunction` bundling. */
export function esbuildDefines(config: OrganizationConfig): Record<string, string> {
  return {
    __VENDGUARD_CONFIG__: JSON.stringify(JSON.stringify(config)),
    'process.env.NODE_ENV': '"production"',
  };
}

export interface BundleResult {
  readonly name: string;
  readonly entry: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Problems that fail the build (budget, secret found). */
  readonly problems: readonly string[];
}

export interface BuildOptions {
  /** @default every manifest function */
  readonly functions?: readonly FunctionSpec[];
  /** @default dist/functions */
  readonly outDir?: string;
  /** Skip entries whose file does not exist instead of failing. @default false */
  readonly allowMissing?: boolean;
  /** @default the loaded organization config */
  readonly config?: OrganizationConfig;
}

export interface BuildReport {
  readonly bundles: readonly BundleResult[];
  readonly missing: readonly string[];
  readonly ok: boolean;
}

/** Bundles one function; returns its sizes and the problems found in it. */
export async function bundleFunction(
  spec: FunctionSpec,
  outDir: string,
  config: OrganizationConfig,
): Promise<BundleResult> {
  const dir = join(outDir, spec.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.js');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, spec.entry)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // The nodejs22.x runtime ships AWS SDK v3; bundling it would only add weight.
    external: ['@aws-sdk/*'],
    mainFields: MAIN_FIELDS,
    define: esbuildDefines(config),
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'metafile.json'), JSON.stringify(result.metafile));
  const code = readFileSync(outfile);
  const problems: string[] = [];
  if (code.length > BUNDLE_BUDGET_BYTES) {
    problems.push(`${spec.name}: ${kb(code.length)} KB is over the ${kb(BUNDLE_BUDGET_BYTES)} KB budget`);
  }
  const text = code.toString('utf8');
  for (const needle of FORBIDDEN_BUNDLE_STRINGS) {
    if (text.includes(needle)) problems.push(`${spec.name}: the bundle contains "${needle}" (a secret must not ship)`);
  }
  // functions/shared/config.ts loads the YAML only in a branch that is dead once the config is defined.
  const loader = bundledInputs(result.metafile).find((p) => /node_modules\/yaml\/|(^|\/)config\/load\.ts$/.test(p));
  if (loader) problems.push(`${spec.name}: the YAML config loader is in the bundle (${loader})`);
  return {
    name: spec.name,
    entry: spec.entry,
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    problems,
  };
}

/** Input files esbuild put in the bundle (project-relative). */
export function bundledInputs(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
}

/** Builds every (or the given) manifest function. */
export async function buildFunctions(options: BuildOptions = {}): Promise<BuildReport> {
  const specs = options.functions ?? FUNCTIONS;
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const config = options.config ?? loadOrganizationConfig().config;
  const missing = specs.filter((s) => !existsSync(join(PROJECT_ROOT, s.entry))).map((s) => s.name);
  const present = specs.filter((s) => !missing.includes(s.name));
  const bundles = await Promise.all(present.map((s) => bundleFunction(s, outDir, config)));
  const ok = bundles.every((b) => b.problems.length === 0) && (options.allowMissing || missing.length === 0);
  return { bundles, missing, ok };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** The table `npm run build` prints. */
export function formatReport(report: BuildReport): string {
  const rows = [['function', 'size (KB)', 'gzip (KB)', 'status']];
  for (const b of report.bundles) {
    rows.push([b.name, kb(b.bytes), kb(b.gzipBytes), b.problems.length ? 'FAIL' : 'ok']);
  }
  for (const name of report.missing) rows.push([name, '-', '-', 'missing entry']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)));
  const out = rows.map((r) => line(r).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
}

function parseArgs(argv: readonly string[]): { allowMissing: boolean; only?: string[]; outDir?: string } {
  const out: { allowMissing: boolean; only?: string[]; outDir?: string } = { allowMissing: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--allow-missing') out.allowMissing = true;
    else if (arg === '--only') out.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--out') out.outDir = resolve(argv[++i] ?? DEFAULT_OUT_DIR);
    else throw new Error(`unknown argument ${arg}; use --allow-missing, --only <names>, --out <dir>`);
  }
  return out;
}

/** CLI entry of `npm run build`. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const args = parseArgs(argv);
  const functions = args.only ? FUNCTIONS.filter((f) => args.only?.includes(f.name)) : FUNCTIONS;
  const started = Date.now();
  const report = await buildFunctions({ functions, allowMissing: args.allowMissing, outDir: args.outDir });
  console.log(formatReport(report));
  const outDir = relative(process.cwd(), args.outDir ?? DEFAULT_OUT_DIR) || '.';
  console.log(`\n${report.bundles.length} bundle(s) in ${outDir} in ${Date.now() - started} ms`);
  for (const b of report.bundles) for (const p of b.problems) console.error(`error: ${p}`);
  if (report.missing.length && !args.allowMissing) {
    console.error(`error: missing entries: ${report.missing.join(', ')} (pass --allow-missing to skip them)`);
  }
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
