import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigValidationError } from './errors';
import type { OrganizationConfig } from './schema';
import { validateOrganizationConfig } from './validate';

/** Root of the repository (this file lives in `config/`). */
export const PROJECT_ROOT = resolve(__dirname, '..');
export const DEFAULT_CONFIG_PATH = join(PROJECT_ROOT, 'config', 'organization.yaml');
export const SCP_DIR = join(PROJECT_ROOT, 'config', 'scps');
export const BASELINE_DIR = join(PROJECT_ROOT, 'config', 'baselines');

/** A validated config with the documents it references. */
export interface LoadedConfig {
  readonly path: string;
  readonly config: OrganizationConfig;
  /** SCP document text by file name. */
  readonly scpDocuments: Readonly<Record<string, string>>;
  /** Baseline template text by file name. */
  readonly baselineTemplates: Readonly<Record<string, string>>;
}

function readDir(dir: string, pattern: RegExp): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (pattern.test(name)) out[name] = readFileSync(join(dir, name), 'utf8');
  }
  return out;
}

/**
 * Reads, parses and validates an organization config file and the SCP documents and baseline
 * templates it names. Throws {@link ConfigValidationError} listing every problem. No AWS call.
 *
 * @param path - the YAML file; defaults to `VENDGUARD_CONFIG` or `config/organization.yaml`
 * @example
 * const { config } = loadOrganizationConfig();
 */
export function loadOrganizationConfig(path = process.env.VENDGUARD_CONFIG ?? DEFAULT_CONFIG_PATH): LoadedConfig {
  const file = resolve(path);
  const label = basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigValidationError(label, [{ path: '', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigValidationError(label, [{ path: '', message: `not valid YAML: ${(err as Error).message}` }]);
  }
  // SCP documents and templates sit next to the default config (`scps/`, `baselines/`); a config
  // elsewhere may bring its own the same way.
  const beside = dirname(file);
  const scpDir = existsSync(join(beside, 'scps')) ? join(beside, 'scps') : SCP_DIR;
  const baselineDir = existsSync(join(beside, 'baselines')) ? join(beside, 'baselines') : BASELINE_DIR;
  const scpDocuments = readDir(scpDir, /\.json$/);
  const baselineTemplates = readDir(baselineDir, /\.ya?ml$/);
  const result = validateOrganizationConfig(raw, { scpDocuments, baselineTemplates: Object.keys(baselineTemplates) });
  if (!result.ok) throw new ConfigValidationError(label, result.issues);
  return { path: file, config: result.config, scpDocuments, baselineTemplates };
}
