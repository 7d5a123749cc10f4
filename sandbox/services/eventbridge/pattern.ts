/**
 * The EventBridge event pattern matcher, following the Amazon EventBridge user guide ("Event
 * patterns", "Content filtering", "Arrays in event patterns", "Null values and empty strings").
 * Pure: no dependencies, no I/O.
 *
 * - A pattern is a JSON object whose fields are objects (nested fields) or arrays of conditions.
 * - Fields are ANDed, the conditions of one array are ORed, `$or` ORs whole sub-patterns.
 * - The event is flattened as EventBridge does: an array anywhere on a field's path contributes
 *   each of its elements, so `detail.items.name` has every `name` of every object in `items`, and
 *   each pattern field is evaluated independently across array elements.
 * - `exists` applies to leaf values only: `{"exists": false}` matches an absent field, an empty
 *   array, and a field whose value is an object.
 *
 * @example
 * const pattern = compileEventPattern('{"source":["aws.ec2"],"detail":{"errorCode":[{"exists":false}]}}');
 * pattern.matches({ source: 'aws.ec2', detail: { eventName: 'CreateInternetGateway' } }); // true
 */
import { inCidr, parseCidr } from './cidr';
import { InvalidEventPatternError } from './errors';

/** A JSON leaf value of an event. */
type Leaf = string | number | boolean | null;
type Predicate = (value: Leaf) => boolean;

interface LeafMatcher {
  readonly predicates: Predicate[];
  readonly existsTrue: boolean;
  readonly existsFalse: boolean;
}

interface FieldMatcher {
  readonly key: string;
  readonly leaf?: LeafMatcher;
  readonly object?: ObjectMatcher;
}

interface ObjectMatcher {
  readonly fields: FieldMatcher[];
  /** Each entry is one `$or`: at least one alternative must match. */
  readonly ors: ObjectMatcher[][];
}

/** A validated, compiled event pattern. */
export interface CompiledEventPattern {
  /** The pattern as given (parsed). */
  readonly source: Record<string, unknown>;
  /** True when the event (an EventBridge envelope, parsed) matches. */
  matches(event: unknown): boolean;
}

/** Numeric matching is limited to this range, as in EventBridge. */
const NUMERIC_LIMIT = 5e9;

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'wildcard',
  'equals-ignore-case',
]);

/**
 * Parses and validates an event pattern as `PutRule`/`TestEventPattern` do.
 *
 * @param pattern - the pattern as a JSON string or an already parsed object
 * @throws InvalidEventPatternError naming the reason and the path of the first problem
 */
export function compileEventPattern(pattern: string | Record<string, unknown>): CompiledEventPattern {
  let parsed: unknown = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`Filter is not valid JSON: ${(error as Error).message}`, '');
    }
  }
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError('Filter is not an object', '');
  const root = compileObject(parsed, '');
  return {
    source: parsed,
    matches: (event: unknown) => matchObject(root, isPlainObject(event) ? [event] : []),
  };
}

/**
 * Validates a pattern and returns the reason it is invalid, or `undefined` when it is valid.
 *
 * @param pattern - the pattern as a JSON string or a parsed object
 */
export function eventPatternProblem(pattern: string | Record<string, unknown>): string | undefined {
  try {
    compileEventPattern(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.message;
    throw error;
  }
}

/**
 * True when the event matches the pattern (compiles the pattern each time; keep a
 * {@link CompiledEventPattern} for repeated use).
 */
export function matchesEventPattern(pattern: string | Record<string, unknown>, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

// ---------------------------------------------------------------------------------------------
// Compilation and validation

function compileObject(node: Record<string, unknown>, path: string): ObjectMatcher {
  const keys = Object.keys(node);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed', path || '(root)');
  const fields: FieldMatcher[] = [];
  const ors: ObjectMatcher[][] = [];
  for (const key of keys) {
    const value = node[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value)) throw new InvalidEventPatternError('"$or" must be an array of objects', at);
      if (value.length < 2) throw new InvalidEventPatternError('"$or" needs at least 2 alternatives', at);
      ors.push(
        value.map((alt, i) => {
          if (!isPlainObject(alt))
            throw new InvalidEventPatternError('"$or" alternatives must be objects', `${at}[${i}]`);
          return compileObject(alt, `${at}[${i}]`);
        }),
      );
    } else if (Array.isArray(value)) {
      fields.push({ key, leaf: compileLeaf(value, at) });
    } else if (isPlainObject(value)) {
      fields.push({ key, object: compileObject(value, at) });
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`, at);
    }
  }
  return { fields, ors };
}

function compileLeaf(conditions: unknown[], path: string): LeafMatcher {
  if (conditions.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  const predicates: Predicate[] = [];
  let existsTrue = false;
  let existsFalse = false;
  conditions.forEach((condition, i) => {
    const at = `${path}[${i}]`;
    if (condition === null || typeof condition === 'string' || typeof condition === 'boolean') {
      predicates.push((v) => v === condition);
    } else if (typeof condition === 'number') {
      predicates.push((v) => typeof v === 'number' && v === condition);
    } else if (Array.isArray(condition)) {
      throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', at);
    } else if (isPlainObject(condition)) {
      const keys = Object.keys(condition);
      if (keys.length !== 1) {
        throw new InvalidEventPatternError('Only one key allowed in match expression', at);
      }
      const operator = keys[0] as string;
      const operand = condition[operator];
      if (!OPERATORS.has(operator)) throw new InvalidEventPatternError(`Unrecognized match type ${operator}`, at);
      if (operator === 'exists') {
        if (typeof operand !== 'boolean')
          throw new InvalidEventPatternError('exists match pattern must be either true or false', at);
        if (operand) existsTrue = true;
        else existsFalse = true;
      } else {
        predicates.push(compileOperator(operator, operand, at));
      }
    } else {
      throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', at);
    }
  });
  return { predicates, existsTrue, existsFalse };
}

function compileOperator(operator: string, operand: unknown, at: string): Predicate {
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return compilePrefixSuffix(operator, operand, at);
    case 'equals-ignore-case': {
      if (typeof operand !== 'string')
        throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string', at);
      const folded = fold(operand);
      return (v) => typeof v === 'string' && fold(v) === folded;
    }
    case 'wildcard': {
      if (typeof operand !== 'string')
        throw new InvalidEventPatternError('wildcard match pattern must be a string', at);
      const regex = wildcardRegex(operand, at);
      return (v) => typeof v === 'string' && regex.test(v);
    }
    case 'numeric':
      return compileNumeric(operand, at);
    case 'cidr': {
      if (typeof operand !== 'string') throw new InvalidEventPatternError('cidr match pattern must be a string', at);
      const range = parseCidr(operand);
      if (!range) throw new InvalidEventPatternError(`Nonstandard IP address: ${operand}`, at);
      return (v) => typeof v === 'string' && inCidr(range, v);
    }
    default:
      return compileAnythingBut(operand, at);
  }
}

function compilePrefixSuffix(operator: 'prefix' | 'suffix', operand: unknown, at: string): Predicate {
  const test =
    operator === 'prefix' ? (v: string, s: string) => v.startsWith(s) : (v: string, s: string) => v.endsWith(s);
  if (typeof operand === 'string') return (v) => typeof v === 'string' && test(v, operand);
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const inner = operand['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') {
      const folded = fold(inner);
      return (v) => typeof v === 'string' && test(fold(v), folded);
    }
    throw new InvalidEventPatternError(
      `${operator} match pattern must be a string or {"equals-ignore-case": string}`,
      at,
    );
  }
  throw new InvalidEventPatternError(`${operator} match pattern must be a string`, at);
}

function compileAnythingBut(operand: unknown, at: string): Predicate {
  if (typeof operand === 'string') return (v) => v !== operand;
  if (typeof operand === 'number') return (v) => !(typeof v === 'number' && v === operand);
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', at);
    if (operand.every((x) => typeof x === 'string')) {
      const set = new Set<Leaf>(operand as string[]);
      return (v) => !set.has(v);
    }
    if (operand.every((x) => typeof x === 'number')) {
      const numbers = operand as number[];
      return (v) => !(typeof v === 'number' && numbers.includes(v));
    }
    throw new InvalidEventPatternError('Inside anything-but list, values must be all strings or all numbers', at);
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) throw new InvalidEventPatternError('Only one key allowed in anything-but', at);
    const key = keys[0] as string;
    const inner = operand[key];
    switch (key) {
      case 'prefix':
      case 'suffix': {
        if (typeof inner !== 'string' || inner === '') {
          throw new InvalidEventPatternError(`anything-but ${key} must be a non-empty string`, at);
        }
        return key === 'prefix'
          ? (v) => typeof v === 'string' && !v.startsWith(inner)
          : (v) => typeof v === 'string' && !v.endsWith(inner);
      }
      case 'equals-ignore-case': {
        const values = stringOrStrings(inner, 'anything-but equals-ignore-case', at).map(fold);
        return (v) => typeof v === 'string' && !values.includes(fold(v));
      }
      case 'wildcard': {
        const regexes = stringOrStrings(inner, 'anything-but wildcard', at).map((w) => wildcardRegex(w, at));
        return (v) => typeof v === 'string' && !regexes.some((r) => r.test(v));
      }
      default:
        throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${key}`, at);
    }
  }
  throw new InvalidEventPatternError('Inside anything-but, value must be a string, a number, a list or an object', at);
}

function stringOrStrings(value: unknown, what: string, at: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string')) return value as string[];
  throw new InvalidEventPatternError(`${what} must be a string or a list of strings`, at);
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function compileNumeric(operand: unknown, at: string): Predicate {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new InvalidEventPatternError('Value of numeric must be an array of 2 or 4 elements', at);
  }
  const checks: Array<(n: number) => boolean> = [];
  let lower: { value: number; inclusive: boolean } | undefined;
  let upper: { value: number; inclusive: boolean } | undefined;
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const value = operand[i + 1];
    if (typeof op !== 'string' || !(LOWER.has(op) || UPPER.has(op) || op === '=')) {
      throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${String(op)}`, at);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidEventPatternError(`Value of ${op} must be a number`, at);
    }
    if (Math.abs(value) > NUMERIC_LIMIT) {
      throw new InvalidEventPatternError(`Value ${value} is out of range (-5.0e9 to 5.0e9)`, at);
    }
    if (op === '=') {
      if (operand.length !== 2) throw new InvalidEventPatternError('"=" cannot be combined with a range', at);
      checks.push((n) => n === value);
    } else if (LOWER.has(op)) {
      if (lower) throw new InvalidEventPatternError('Bad numeric range: two lower bounds', at);
      lower = { value, inclusive: op === '>=' };
      checks.push(op === '>=' ? (n) => n >= value : (n) => n > value);
    } else {
      if (upper) throw new InvalidEventPatternError('Bad numeric range: two upper bounds', at);
      upper = { value, inclusive: op === '<=' };
      checks.push(op === '<=' ? (n) => n <= value : (n) => n < value);
    }
  }
  if (
    lower &&
    upper &&
    !(lower.value < upper.value || (lower.value === upper.value && lower.inclusive && upper.inclusive))
  ) {
    throw new InvalidEventPatternError('Bad numeric range: the lower bound must be below the upper bound', at);
  }
  return (v) => typeof v === 'number' && checks.every((check) => check(v));
}

/** Builds the regex of a wildcard: `*` is any run of characters, `\*` a star, `\\` a backslash. */
function wildcardRegex(wildcard: string, at: string): RegExp {
  let source = '^';
  let previousStar = false;
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i] as string;
    if (c === '*') {
      if (previousStar) {
        throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${i} are not allowed`, at);
      }
      source += '[\\s\\S]*';
      previousStar = true;
      continue;
    }
    previousStar = false;
    if (c === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(`Invalid escape character at pos ${i + 1}`, at);
      }
      source += `\\${next}`;
      i++;
      continue;
    }
    source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 'u');
}

function fold(s: string): string {
  return s.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Matching

function matchObject(node: ObjectMatcher, values: readonly Record<string, unknown>[]): boolean {
  for (const field of node.fields) {
    const children = childValues(values, field.key);
    if (field.leaf) {
      if (!matchLeaf(field.leaf, children)) return false;
    } else if (field.object && !matchObject(field.object, children.filter(isPlainObject))) {
      return false;
    }
  }
  for (const alternatives of node.ors) {
    if (!alternatives.some((alternative) => matchObject(alternative, values))) return false;
  }
  return true;
}

function matchLeaf(leaf: LeafMatcher, values: readonly unknown[]): boolean {
  const leaves = values.filter((v): v is Leaf => !isPlainObject(v));
  if (leaves.length === 0) return leaf.existsFalse;
  if (leaf.existsTrue) return true;
  return leaves.some((v) => leaf.predicates.some((p) => p(v)));
}

/** The values of `key` in every object, with arrays flattened (recursively) into their elements. */
function childValues(values: readonly Record<string, unknown>[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    if (Object.hasOwn(value, key)) flattenInto(value[key], out);
  }
  return out;
}

function flattenInto(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const item of value) flattenInto(item, out);
  else out.push(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
