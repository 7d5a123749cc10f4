/**
 * State machine definitions: `DefinitionSubstitutions` as CloudFormation fills
 * them, and ASL validation (cached).
 */
import aslValidator from 'asl-validator';

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
