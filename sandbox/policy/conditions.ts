import { type ContextKey, contextKey, type LookedUp, lookup } from './context';
import { parseCidr, parseIp } from './ip';
import { compileArn, compileGlob, hasVariables, resolveText, type Token, tokenize } from './patterns';
import type { AuthRequest } from './types';

/**
 * The `Condition` element, compiled. Semantics follow "IAM JSON policy elements: Condition operators"
 * and "Single-valued vs. multivalued context keys":
 *
 * - operators are ANDed, keys within an operator are ANDed, the values of one key are ORed;
 * - a key absent from the request makes a positive operator false and a negated one
 *   (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, …) true; `…IfExists` makes any operator true
 *   on an absent key; `Null` tests presence (`"true"`: the key is absent);
 * - `ForAllValues:` is true for an absent key and otherwise requires every request value to satisfy
 *   the operator; `ForAnyValue:` is false for an absent key and otherwise requires one;
 * - without a set qualifier a multivalued request value does not match (AWS requires a set
 *   operator for multivalued keys);
 * - a policy value whose variable cannot be resolved makes the whole condition false.
 */

/** A condition check: does the request satisfy it. */
export type ConditionCheck = (req: AuthRequest) => boolean;

/**
 * Whether one request value matches any of the policy values: `1` yes, `0` no, `2` a policy value
 * needed a variable that could not be resolved.
 */
type AnyOf = (value: string, req: AuthRequest) => 0 | 1 | 2;

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn';
type Compare = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface Operator {
  readonly family: Family | 'null';
  readonly negated: boolean;
  readonly compare: Compare;
  /** Whether policy values may contain policy variables (String, ARN and Bool operators). */
  readonly variables: boolean;
}

const op = (family: Operator['family'], negated = false, compare: Compare = 'eq'): Operator => ({
  family,
  negated,
  compare,
  variables: family.startsWith('string') || family === 'arn' || family === 'bool',
});

/** Every base operator AWS documents, keyed by its lower-case name. */
const OPERATORS: ReadonlyMap<string, Operator> = new Map([
  ['stringequals', op('string')],
  ['stringnotequals', op('string', true)],
  ['stringequalsignorecase', op('stringIgnoreCase')],
  ['stringnotequalsignorecase', op('stringIgnoreCase', true)],
  ['stringlike', op('stringLike')],
  ['stringnotlike', op('stringLike', true)],
  ['numericequals', op('numeric')],
  ['numericnotequals', op('numeric', true)],
  ['numericlessthan', op('numeric', false, 'lt')],
  ['numericlessthanequals', op('numeric', false, 'lte')],
  ['numericgreaterthan', op('numeric', false, 'gt')],
  ['numericgreaterthanequals', op('numeric', false, 'gte')],
  ['dateequals', op('date')],
  ['datenotequals', op('date', true)],
  ['datelessthan', op('date', false, 'lt')],
  ['datelessthanequals', op('date', false, 'lte')],
  ['dategreaterthan', op('date', false, 'gt')],
  ['dategreaterthanequals', op('date', false, 'gte')],
  ['bool', op('bool')],
  ['binaryequals', op('binary')],
  ['ipaddress', op('ip')],
  ['notipaddress', op('ip', true)],
  ['arnequals', op('arn')],
  ['arnlike', op('arn')],
  ['arnnotequals', op('arn', true)],
  ['arnnotlike', op('arn', true)],
  ['null', op('null')],
]);

/** A parsed operator name: `ForAnyValue:StringLikeIfExists` → set `any`, base `stringlike`, ifExists. */
export interface OperatorName {
  readonly operator: Operator;
  readonly set: 'none' | 'any' | 'all';
  readonly ifExists: boolean;
}

/** Parses an operator name (case-insensitively, as IAM does); `undefined` when IAM would reject it. */
export function parseOperator(name: string): OperatorName | undefined {
  let rest = name.toLowerCase();
  let set: OperatorName['set'] = 'none';
  if (rest.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('foranyvalue:'.length);
  } else if (rest.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('forallvalues:'.length);
  }
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  const operator = OPERATORS.get(rest);
  if (!operator || (operator.family === 'null' && (ifExists || set !== 'none'))) return undefined;
  return { operator, set, ifExists };
}

function compareNumbers(a: number, b: number, c: Compare): boolean {
  switch (c) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

/** Epoch seconds (`1700000000`) or ISO 8601 (`2026-01-01T00:00:00Z`) → milliseconds; NaN when neither. */
function parseDate(s: string): number {
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s);
}

/** The policy values of one key as one "matches any" function. */
function anyOf(operator: Operator, values: readonly string[], variables: boolean): AnyOf {
  const { family, compare } = operator;
  if (family === 'numeric' || family === 'date') {
    const parse = family === 'numeric' ? (s: string) => (s.trim() === '' ? Number.NaN : Number(s)) : parseDate;
    const numbers = values.map(parse);
    return (value) => {
      const v = parse(value);
      for (const n of numbers) if (compareNumbers(v, n, compare)) return 1;
      return 0;
    };
  }
  if (family === 'ip') {
    const ranges = values.map(parseCidr);
    return (value) => {
      const ip = parseIp(value);
      if (!ip) return 0;
      for (const r of ranges) if (r?.contains(ip)) return 1;
      return 0;
    };
  }
  if (family === 'binary') {
    const set = new Set(values);
    return (value) => (set.has(value) ? 1 : 0);
  }
  const tokens: Token[][] = values.map((v) => tokenize(v, variables && operator.variables));
  if (family === 'stringLike' || family === 'arn') {
    const testers = tokens.map((t) => (family === 'arn' ? compileArn(t, false) : compileGlob(t, false)));
    return (value, req) => {
      let unresolved = false;
      for (const test of testers) {
        const m = test(value, req);
        if (m) return 1;
        if (m === undefined) unresolved = true;
      }
      return unresolved ? 2 : 0;
    };
  }
  // Equality families: string, stringIgnoreCase, bool (`true` / `false` in either case).
  const fold = family !== 'string';
  if (!tokens.some(hasVariables)) {
    const set = new Set(fold ? values.map((v) => v.toLowerCase()) : values);
    if (!fold) return (value) => (set.has(value) ? 1 : 0);
    return (value) => (set.has(value) || set.has(value.toLowerCase()) ? 1 : 0);
  }
  return (value, req) => {
    const v = fold ? value.toLowerCase() : value;
    let unresolved = false;
    for (const t of tokens) {
      const text = resolveText(t, req);
      if (text === undefined) unresolved = true;
      else if ((fold ? text.toLowerCase() : text) === v) return 1;
    }
    return unresolved ? 2 : 0;
  };
}

/** One `operator: { key: values }` entry as a check. */
export function compileCondition(
  name: OperatorName,
  keyName: string,
  values: readonly string[],
  variables: boolean,
): ConditionCheck {
  const key: ContextKey = contextKey(keyName);
  const { operator, set, ifExists } = name;
  if (operator.family === 'null') {
    const wantAbsent = values.some((v) => v.toLowerCase() === 'true');
    const wantPresent = values.some((v) => v.toLowerCase() === 'false');
    return (req) => (lookup(req, key) === undefined ? wantAbsent : wantPresent);
  }
  const matches = anyOf(operator, values, variables);
  const { negated } = operator;
  /** Whether one request value satisfies the operator; `undefined` when a variable was unresolvable. */
  const one = (v: string, req: AuthRequest): boolean | undefined => {
    const m = matches(v, req);
    if (m === 2) return undefined;
    return negated ? m === 0 : m === 1;
  };
  if (set === 'none') {
    return (req) => {
      const v: LookedUp = lookup(req, key);
      if (v === undefined) return ifExists || negated;
      if (typeof v !== 'string') return false;
      return one(v, req) === true;
    };
  }
  const any = set === 'any';
  return (req) => {
    const v: LookedUp = lookup(req, key);
    if (v === undefined) return ifExists || !any;
    if (typeof v === 'string') return one(v, req) === true;
    for (const item of v) {
      const r = one(item, req);
      if (r === undefined) return false;
      if (any ? r : !r) return any;
    }
    return !any;
  };
}
