/**
 * The state machine definitions of `statemachines/*.asl.json` and the names they use. The CDK app
 * and the sandbox fill the same `${Placeholders}`: the CDK app with `definitionSubstitutions` from
 * {@link definitionSubstitutions}, the sandbox with its own ARNs, so one ASL file runs in both.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { FUNCTIONS } from '../../../functions/manifest';
import { PROJECT_ROOT } from '../../../infra/config/load';
import { DefinitionFileError } from './errors';

/** Where the ASL files live. */
export const STATE_MACHINE_DIR = join(PROJECT_ROOT, 'statemachines');

/** The central event bus and state table every definition may name. */
export const EVENT_BUS_NAME = 'vendguard';
export const STATE_TABLE_NAME = 'vendguard-state';

/** The deployed name of a state machine file: `account-vending` → `vendguard-account-vending`. */
export function stateMachineName(fileName: string): string {
  return `vendguard-${fileName}`;
}

/**
 * The value of every `${Placeholder}` an ASL file may use: each state-machine function's
 * `trigger.placeholder` (its ARN), `EventBusName` and `StateTableName`.
 *
 * @param functionArn - the ARN of a manifest function by name (the sandbox's or a CDK token)
 * @example
 * definitionSubstitutions((name) => runtime.functions.functionArn(name));
 * // { ValidateRequestFunctionArn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-validate-request', … }
 */
export function definitionSubstitutions(functionArn: (functionName: string) => string): Record<string, string> {
  const map: Record<string, string> = { EventBusName: EVENT_BUS_NAME, StateTableName: STATE_TABLE_NAME };
  for (const fn of FUNCTIONS) {
    if (fn.trigger.kind === 'stateMachine') map[fn.trigger.placeholder] = functionArn(fn.name);
  }
  return map;
}

/**
 * Replaces every `${Name}` of `text` with `substitutions[Name]`, as CloudFormation's
 * `DefinitionSubstitutions` do. Throws on a placeholder without a value, naming it.
 */
export function fillPlaceholders(text: string, substitutions: Readonly<Record<string, string>>): string {
  const missing = new Set<string>();
  const filled = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    const value = substitutions[key];
    if (value === undefined) {
      missing.add(key);
      return whole;
    }
    return value;
  });
  if (missing.size > 0)
    throw new Error(`no value for placeholder(s) ${[...missing].map((k) => `\${${k}}`).join(', ')}`);
  return filled;
}

/** Validation results by definition text: asl-validator builds its JSON schema on every call (~0.2 s). */
const validated = new Map<string, string[]>();
const MAX_CACHED = 200;

/**
 * Validates an ASL definition (JSON text) with `asl-validator`; returns the problems, empty when
 * valid. The validator mutates its input, so it gets its own parse. Results are cached by text.
 */
export function validateDefinition(text: string): string[] {
  const cached = validated.get(text);
  if (cached) return [...cached];
  const problems = validateUncached(text);
  if (validated.size >= MAX_CACHED) validated.delete(validated.keys().next().value ?? '');
  validated.set(text, problems);
  return [...problems];
}

function validateUncached(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return ['not a JSON object'];
  const result = aslValidator(parsed, { checkArn: true, checkPaths: true });
  return result.isValid ? [] : result.errors.map((e) => `${e['Error code']}: ${e.Message}`);
}

/** One `statemachines/<name>.asl.json` file with its placeholders filled. */
export interface DefinitionFile {
  /** kebab file name without `.asl.json` (`account-vending`). */
  readonly name: string;
  readonly file: string;
  /** The filled definition text. */
  readonly definition: string;
}

/**
 * Loads every `*.asl.json` of `dir`, fills its placeholders and validates it. Throws
 * {@link DefinitionFileError} naming the file and the problem.
 */
export function loadDefinitionFiles(
  substitutions: Readonly<Record<string, string>>,
  dir: string = STATE_MACHINE_DIR,
): DefinitionFile[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.asl.json'))
    .sort();
  return files.map((f) => {
    const file = join(dir, f);
    let definition: string;
    try {
      definition = fillPlaceholders(readFileSync(file, 'utf8'), substitutions);
    } catch (err) {
      throw new DefinitionFileError(file, (err as Error).message, { cause: err });
    }
    const problems = validateDefinition(definition);
    if (problems.length > 0) throw new DefinitionFileError(file, problems.join('; '));
    return { name: f.slice(0, -'.asl.json'.length), file, definition };
  });
}
