import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The synthesized CDK app as the sandbox consumes it: the cloud assembly (`manifest.json` and a
 * template per stack) that `infra/app.ts` writes, never the app's constructs. Synthesis runs the app
 * in a child process, offline, with `cdk.json`'s context and the sandbox's organization ids, and is
 * cached (see {@link defaultCacheDir}) by a hash of its inputs (the config, the app, the functions,
 * the state machines, the rules, the build script, the context and the lockfile): an unchanged start
 * reuses it.
 */

/** The folders and files whose content decides the assembly. */
const INPUTS = ['config', 'infra', 'functions', 'statemachines', 'events', 'scripts', 'cdk.json', 'package-lock.json'];
const SKIP = new Set(['node_modules', 'cdk.out', '.git']);

export interface AssemblyStack {
  /** The stack's name (`VendguardHub`). */
  readonly name: string;
  /** The account it targets, when the app names one (`aws://123456789012/eu-west-1`); env-agnostic otherwise. */
  readonly account?: string;
  /** The region it targets (`aws://unknown-account/eu-west-1` → `eu-west-1`). */
  readonly region: string;
  readonly templateFile: string;
  readonly template: Record<string, unknown>;
}

export interface Assembly {
  readonly dir: string;
  readonly hash: string;
  /** Whether a previous synthesis was reused. */
  readonly cached: boolean;
  /** Real milliseconds synthesis (or reading the cache) took. */
  readonly ms: number;
  readonly stacks: readonly AssemblyStack[];
}

export interface SynthOptions {
  /** The project root (where `cdk.json` is). */
  readonly root: string;
  /** Where assemblies are cached (`<home>/cdk.out`). */
  readonly cacheDir: string;
  /** Context that overrides `cdk.json`'s (the sandbox's organization and OU ids). */
  readonly context: Readonly<Record<string, unknown>>;
  /** Synthesize even when a cached assembly exists. */
  readonly force?: boolean;
  /** The organization config the app reads (`VENDGUARD_CONFIG` of the child); default the app's own. */
  readonly configPath?: string;
}

function files(root: string, path: string, out: string[]): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return out;
  const stat = statSync(full);
  if (stat.isFile()) {
    out.push(path);
    return out;
  }
  for (const entry of readdirSync(full).sort()) {
    if (SKIP.has(entry)) continue;
    files(root, join(path, entry), out);
  }
  return out;
}

/** The hash of everything synthesis reads (file names and contents, the context). */
export function inputsHash(root: string, context: Readonly<Record<string, unknown>>, configPath?: string): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(root, input, [])) {
      hash.update(file);
      hash.update('\0');
      hash.update(readFileSync(join(root, file)));
      hash.update('\0');
    }
  }
  hash.update(JSON.stringify(context));
  // a config file outside config/ (VENDGUARD_CONFIG) decides the app too
  if (configPath) hash.update(readFileSync(configPath));
  return hash.digest('hex').slice(0, 16);
}

/** Reads a cloud assembly's stacks. */
export function readAssembly(dir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<
      string,
      { type?: string; environment?: string; properties?: { templateFile?: string; stackName?: string } }
    >;
  };
  return Object.entries(manifest.artifacts ?? {}).flatMap(([id, artifact]) => {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) return [];
    const templateFile = join(dir, artifact.properties.templateFile);
    const [account, region] = (artifact.environment ?? '').replace(/^aws:\/\//, '').split('/');
    return [
      {
        name: artifact.properties.stackName ?? id,
        ...(account && /^\d{12}$/.test(account) ? { account } : {}),
        region: region ?? '',
        templateFile,
        template: JSON.parse(readFileSync(templateFile, 'utf8')) as Record<string, unknown>,
      },
    ];
  });
}

/** Runs `infra/app.ts` into `outdir` with the given context. */
function runApp(
  root: string,
  outdir: string,
  context: Readonly<Record<string, unknown>>,
  configPath?: string,
): Promise<void> {
  const tsx = resolve(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsx, 'infra/app.ts'], {
      cwd: root,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        ...(configPath ? { VENDGUARD_CONFIG: configPath } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done();
      else
        fail(
          new Error(
            `synthesizing the CDK app failed (exit ${code}):\n${output.trim().split('\n').slice(-20).join('\n')}`,
          ),
        );
    });
  });
}

/** How many assemblies the cache keeps (the most recently used): a few contexts share one cache. */
const KEEP = 4;

/** Removes all but the {@link KEEP} most recently used assemblies (never `hash`, never one being built). */
function prune(cacheDir: string, hash: string): void {
  const entries = readdirSync(cacheDir)
    .filter((entry) => entry !== hash && !entry.includes('.building-'))
    .flatMap((entry) => {
      try {
        return [{ entry, used: statSync(join(cacheDir, entry)).mtimeMs }];
      } catch {
        return []; // pruned by another process meanwhile
      }
    })
    .sort((a, b) => b.used - a.used);
  for (const { entry } of entries.slice(KEEP - 1)) rmSync(join(cacheDir, entry), { recursive: true, force: true });
}

/**
 * The cache the sandbox shares across homes (`VENDGUARD_CDK_CACHE`, else
 * `node_modules/.cache/vendguard/cdk.out`): every test sandbox and `npm start` read one assembly.
 */
export function defaultCacheDir(root: string): string {
  return resolve(process.env.VENDGUARD_CDK_CACHE ?? join(root, 'node_modules', '.cache', 'vendguard', 'cdk.out'));
}

/** Synthesizes the CDK app (or reuses the cached assembly of the same inputs). */
export async function synthesize(options: SynthOptions): Promise<Assembly> {
  const started = performance.now();
  const cdkJson = JSON.parse(readFileSync(join(options.root, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const context = { ...(cdkJson.context ?? {}), ...options.context };
  const hash = inputsHash(options.root, context, options.configPath);
  const dir = join(options.cacheDir, hash);
  const cached = !options.force && existsSync(join(dir, 'manifest.json'));
  if (!cached) {
    // synthesize next to the cache and move it in whole, so a crash never leaves half an assembly
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(options.cacheDir, { recursive: true });
    try {
      await runApp(options.root, building, context, options.configPath);
      // another process (a parallel test worker) may have finished the same assembly first: keep its
      if (options.force) rmSync(dir, { recursive: true, force: true });
      if (!existsSync(join(dir, 'manifest.json'))) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(building, dir);
      }
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
    prune(options.cacheDir, hash);
  } else {
    const now = new Date();
    utimesSync(dir, now, now);
  }
  const stacks = readAssembly(dir);
  return { dir, hash, cached, ms: Math.round(performance.now() - started), stacks };
}
