import { invalidParameterValue, missingParameter, validationError } from './errors';

/**
 * Input accessors that read both wire forms CloudWatch receives: JSON (SDK v3, the AWS CLI v1:
 * numbers, booleans, arrays, epoch-second timestamps) and the query protocol (the AWS CLI v2 2.9:
 * every value a string, `Foo.member.N` lists, ISO 8601 timestamps, an empty list as `Foo=`).
 */

export type Input = Record<string, unknown>;

const lowerFirst = (k: string): string => k.charAt(0).toLowerCase() + k.slice(1);

/** A string member; `required` makes its absence `MissingParameter`. */
export function text(
  input: Input,
  name: string,
  options: { required?: boolean; max?: number } = {},
): string | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') {
    if (options.required) throw missingParameter(name);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameterValue(`The value for parameter ${name} must be a string.`);
  if (options.max !== undefined && v.length > options.max) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have length less than or equal to ${options.max}`,
    );
  }
  return v;
}

/** A number member (JSON number or query string). */
export function number(
  input: Input,
  name: string,
  options: { integer?: boolean; min?: number } = {},
): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
    throw invalidParameterValue(`The value ${String(v)} for parameter ${name} is not a valid number.`);
  }
  if (options.min !== undefined && n < options.min) {
    throw validationError(
      `1 validation error detected: Value '${n}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have value greater than or equal to ${options.min}`,
    );
  }
  return n;
}

/** A boolean member (`true`/`false` or their strings). */
export function flag(input: Input, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidParameterValue(`The value ${String(v)} for parameter ${name} is not a valid boolean.`);
}

/** A list member; the query protocol's empty list (`Foo=`) is `[]`. */
export function list<T = unknown>(input: Input, name: string, options: { max?: number } = {}): T[] {
  const v = input[name];
  if (v === undefined || v === null || v === '') return [];
  const items = (Array.isArray(v) ? v : [v]) as T[];
  if (options.max !== undefined && items.length > options.max) {
    throw validationError(
      `1 validation error detected: Value '[${items.map(String).join(', ')}]' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have length less than or equal to ${options.max}`,
    );
  }
  return items;
}

/** A list of strings. */
export function strings(input: Input, name: string, options: { max?: number } = {}): string[] {
  return list(input, name, options).map(String);
}

/** A timestamp member: epoch seconds (JSON) or ISO 8601 (query). */
export function timestamp(input: Input, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const ms =
    typeof v === 'number' ? v * 1000 : /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) * 1000 : Date.parse(String(v));
  if (!Number.isFinite(ms))
    throw invalidParameterValue(`The value ${String(v)} for parameter ${name} is not a valid timestamp.`);
  return ms;
}

/** A value of an enum, with AWS's constraint message naming the allowed set. */
export function oneOf<T extends string>(
  input: Input,
  name: string,
  allowed: readonly T[],
  shownSet: string = allowed.join(', '),
): T | undefined {
  const v = text(input, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${shownSet}]`,
    );
  }
  return v as T;
}

/** `{ Key, Value }` tags of a `Tags` member. */
export function tags(input: Input, name = 'Tags'): { Key: string; Value: string }[] {
  return list<Record<string, unknown>>(input, name).map((t) => {
    const Key = t?.Key;
    if (typeof Key !== 'string' || Key === '') throw missingParameter(`${name}.member.Key`);
    if (Key.length > 128 || String(t.Value ?? '').length > 256) {
      throw validationError(`The tag ${Key} is too long: keys have at most 128 characters, values 256.`);
    }
    return { Key, Value: String(t.Value ?? '') };
  });
}
