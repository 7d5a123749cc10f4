import { type ConditionCheck, compileCondition, parseOperator } from './conditions';
import { MalformedPolicyError } from './errors';
import { compileArn, compileGlob, hasWildcards, segmentCount, type Tester, tokenize } from './patterns';
import { compilePrincipal, invalidAwsPrincipal, PRINCIPAL_TYPES, type PrincipalValues } from './principals';
import type { AuthRequest, CompiledPolicy, CompiledStatement, PolicyKind, PolicySource } from './types';

/**
 * Parsing and validation follow IAM ("IAM JSON policy element reference") and AWS Organizations
 * ("SCP syntax"). SCP grammar: since 19 September 2025 SCPs support the full IAM policy language
 * ("AWS Organizations service control policy now supports full IAM language", AWS Security Blog; the
 * current "SCP syntax" page lists Condition, NotAction, Resource and NotResource for both Allow and
 * Deny, and wildcards anywhere in an Action string). So an SCP statement is checked like an identity
 * policy statement: no Principal / NotPrincipal, exactly one of Action / NotAction and of Resource /
 * NotResource. The one SCP-specific rule kept is the short-ARN rule: a Resource with fewer than six
 * ARN parts must end with a wildcard.
 */

type Version = CompiledPolicy['version'];
type Json = unknown;

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);
const ACTION = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$/;

/** What the cache keeps: everything of a {@link CompiledPolicy} but its source. */
type Body = Omit<CompiledPolicy, 'source'>;

const MAX_CACHED = 2000;
/**
 * One map per kind, keyed by the document text itself: a caller that passes the same string object
 * again (a stored policy) hits without re-hashing the text.
 */
const caches: Record<PolicyKind, Map<string, Body>> = {
  identity: new Map(),
  resource: new Map(),
  trust: new Map(),
  scp: new Map(),
};

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects the context of a statement so every error names it. */
class StatementScope {
  constructor(
    readonly kind: PolicyKind,
    readonly index: number,
    readonly sid?: string,
  ) {}

  fail(message: string): never {
    const where = this.sid ? `Statement ${this.index} (Sid ${this.sid})` : `Statement ${this.index}`;
    throw new MalformedPolicyError(`${where}: ${message}`, this.kind, this.index, this.sid);
  }

  /** A string or a non-empty array of strings (Action, Resource, principal values). */
  strings(field: string, value: Json): string[] {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s !== '')) {
      this.fail(`${field} must be a non-empty string or a non-empty array of non-empty strings`);
    }
    return list as string[];
  }
}

/** One of two mutually exclusive fields (`Action` / `NotAction`): which is present, if any. */
function either(scope: StatementScope, st: Record<string, Json>, a: string, b: string): [string, Json] | undefined {
  const hasA = a in st;
  const hasB = b in st;
  if (hasA && hasB) scope.fail(`a statement cannot have both ${a} and ${b}`);
  if (hasA) return [a, st[a]];
  if (hasB) return [b, st[b]];
  return undefined;
}

function compileActions(
  scope: StatementScope,
  field: string,
  value: Json,
): (action: string, service: string) => boolean {
  let all = false;
  const exact = new Set<string>();
  const services = new Set<string>();
  const prefixes: string[] = [];
  const testers: Tester[] = [];
  for (const action of scope.strings(field, value)) {
    if (action === '*') {
      all = true;
      continue;
    }
    if (!ACTION.test(action)) scope.fail(`${field} "${action}" is not a valid action (use "*" or "service:Action")`);
    const lower = action.toLowerCase();
    if (!/[*?]/.test(lower)) exact.add(lower);
    else if (/^[^*?:]+:\*$/.test(lower)) services.add(lower.slice(0, -2));
    else if (/^[^*?]+\*$/.test(lower)) prefixes.push(lower.slice(0, -1));
    else testers.push(compileGlob(tokenize(lower, false), false));
  }
  const matches = (a: string, service: string): boolean => {
    if (all || exact.has(a) || services.has(service)) return true;
    for (const p of prefixes) if (a.startsWith(p)) return true;
    for (const t of testers) if (t(a)) return true;
    return false;
  };
  if (field === 'NotAction') return (a, service) => !matches(a, service);
  if (all) return () => true;
  if (prefixes.length === 0 && testers.length === 0) {
    return services.size === 0 ? (a) => exact.has(a) : (a, service) => exact.has(a) || services.has(service);
  }
  return matches;
}

function compileResources(
  scope: StatementScope,
  field: string,
  value: Json,
  variables: boolean,
): (req: AuthRequest) => boolean {
  let all = false;
  const testers: Tester[] = [];
  for (const resource of scope.strings(field, value)) {
    if (resource === '*') {
      all = true;
      continue;
    }
    if (!resource.startsWith('arn:')) scope.fail(`${field} "${resource}" must be in ARN format or "*"`);
    const tokens = tokenize(resource, variables);
    if (segmentCount(tokens) < 6) {
      // Short ARNs: IAM pads identity policies with `*` parts; Organizations rejects one that does not
      // end with a wildcard; a resource-based policy's short ARN without a wildcard matches nothing.
      if (scope.kind === 'scp' && !resource.endsWith('*')) {
        scope.fail(`${field} "${resource}" is not a complete ARN (six colon-separated parts)`);
      }
      if (scope.kind === 'resource' && !hasWildcards(tokens)) continue;
    }
    testers.push(compileArn(tokens, true));
  }
  if (field === 'Resource') {
    if (all) return () => true;
    return (req) => {
      for (const t of testers) if (t(req.resource, req) === true) return true;
      return false;
    };
  }
  if (all) return () => false;
  return (req) => {
    for (const t of testers) {
      // A variable that cannot be resolved makes the statement invalid: it does not apply.
      if (t(req.resource, req) !== false) return false;
    }
    return true;
  };
}

function principalValues(scope: StatementScope, field: string, value: Json): PrincipalValues {
  if (value === '*') return '*';
  if (!isObject(value) || Object.keys(value).length === 0) scope.fail(`${field} must be "*" or an object`);
  const out: Record<string, readonly string[]> = {};
  for (const [type, v] of Object.entries(value)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      scope.fail(`${field} type "${type}" is not one of ${PRINCIPAL_TYPES.join(', ')}`);
    }
    const list = scope.strings(`${field} ${type}`, v);
    if (type === 'AWS') {
      for (const p of list) {
        const problem = invalidAwsPrincipal(p);
        if (problem) scope.fail(problem);
      }
    }
    out[type] = list;
  }
  return out as PrincipalValues;
}

function conditionValues(scope: StatementScope, operator: string, key: string, value: Json): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return scope.fail(`Condition ${operator} ${key} values must be strings, numbers or booleans`);
  });
}

function compileConditions(scope: StatementScope, value: Json, variables: boolean): ConditionCheck[] {
  if (!isObject(value)) scope.fail('Condition must be an object of operator to { key: values }');
  const checks: ConditionCheck[] = [];
  for (const [operator, block] of Object.entries(value)) {
    const name = parseOperator(operator);
    if (!name) scope.fail(`Condition operator "${operator}" is not valid`);
    if (!isObject(block)) scope.fail(`Condition ${operator} must be an object of key to values`);
    for (const [key, values] of Object.entries(block)) {
      if (!key) scope.fail(`Condition ${operator} has an empty key`);
      const list = conditionValues(scope, operator, key, values);
      if (name.operator.family === 'null' && !list.every((v) => /^(true|false)$/i.test(v))) {
        scope.fail(`Condition Null ${key} must be "true" or "false"`);
      }
      checks.push(compileCondition(name, key, list, variables));
    }
  }
  return checks;
}

function compileStatement(kind: PolicyKind, index: number, raw: Json, version: Version): CompiledStatement {
  const bare = new StatementScope(kind, index);
  if (!isObject(raw)) return bare.fail('a statement must be a JSON object');
  const sidValue = raw.Sid;
  if (sidValue !== undefined && typeof sidValue !== 'string') bare.fail('Sid must be a string');
  const sid = (sidValue as string | undefined) || undefined;
  const scope = new StatementScope(kind, index, sid);
  if (sid && (kind === 'identity' || kind === 'trust') && !/^[A-Za-z0-9]+$/.test(sid)) {
    scope.fail('Statement IDs (SID) must be alpha-numeric');
  }
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) scope.fail(`unknown field "${field}"`);
  }
  const effect = raw.Effect;
  if (effect === undefined) return scope.fail('missing required field Effect');
  if (effect !== 'Allow' && effect !== 'Deny') return scope.fail(`Effect "${String(effect)}" must be Allow or Deny`);

  const action = either(scope, raw, 'Action', 'NotAction');
  if (!action) return scope.fail('a statement must have Action or NotAction');

  const variables = version === '2012-10-17';
  const resource = either(scope, raw, 'Resource', 'NotResource');
  if (kind === 'trust' && resource)
    scope.fail(`Has prohibited field ${resource[0]} (a trust policy names no resource)`);
  if (kind !== 'trust' && !resource) scope.fail('a statement must have Resource or NotResource');

  const principal = either(scope, raw, 'Principal', 'NotPrincipal');
  if ((kind === 'identity' || kind === 'scp') && principal) {
    scope.fail(
      `Policy document should not specify a principal (${principal[0]} in ${kind === 'scp' ? 'an SCP' : 'an identity policy'})`,
    );
  }
  if ((kind === 'trust' || kind === 'resource') && !principal) scope.fail('missing required field Principal');

  return {
    index,
    ...(sid ? { sid } : {}),
    effect,
    action: compileActions(scope, action[0], action[1]),
    ...(resource ? { resource: compileResources(scope, resource[0], resource[1], variables) } : {}),
    ...(principal
      ? {
          principal: compilePrincipal(
            principalValues(scope, principal[0], principal[1]),
            principal[0] === 'NotPrincipal',
          ),
        }
      : {}),
    conditions: raw.Condition === undefined ? [] : compileConditions(scope, raw.Condition, variables),
  };
}

function compileDocument(doc: Json, kind: PolicyKind): Body {
  const fail = (message: string): never => {
    throw new MalformedPolicyError(message, kind);
  };
  if (!isObject(doc)) return fail('Syntax errors in policy.');
  for (const field of Object.keys(doc))
    if (!TOP_LEVEL.has(field)) fail(`Syntax errors in policy: unknown field "${field}".`);
  const v = doc.Version;
  if (v !== undefined && v !== '2012-10-17' && v !== '2008-10-17') {
    fail(`The policy version "${String(v)}" is not valid (use 2012-10-17).`);
  }
  const version: Version = v === '2012-10-17' ? '2012-10-17' : '2008-10-17';
  if (doc.Statement === undefined) fail('Missing required field Statement.');
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (raw.length === 0) fail('Statement must contain at least one statement.');
  const statements = raw.map((s, i) => compileStatement(kind, i + 1, s, version));
  const seen = new Set<string>();
  for (const s of statements) {
    if (s.sid === undefined) continue;
    if (seen.has(s.sid)) {
      throw new MalformedPolicyError(
        `Statement ${s.index} (Sid ${s.sid}): Statement IDs (SID) in a single policy must be unique`,
        kind,
        s.index,
        s.sid,
      );
    }
    seen.add(s.sid);
  }
  return {
    version,
    statements,
    denies: statements.filter((s) => s.effect === 'Deny'),
    allows: statements.filter((s) => s.effect === 'Allow'),
  };
}

/**
 * Parses, validates and compiles a policy document. The same document text of the same kind is
 * compiled once (a bounded cache of 2,000 documents per kind, least recently used out first).
 *
 * @param document - the JSON text, or the already-parsed object (CloudFormation YAML, CDK output)
 * @param kind - the rules to apply: `identity`, `resource`, `trust` or `scp`
 * @param source - where the document comes from, carried into decisions
 * @throws {@link MalformedPolicyError} when IAM or Organizations would refuse the document
 * @example
 * const scp = parsePolicy(readFileSync('config/scps/quarantine.json', 'utf8'), 'scp', { kind: 'scp', name: 'p-quarantine' });
 */
export function parsePolicy(document: string | object, kind: PolicyKind, source: PolicySource): CompiledPolicy {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  const cache = caches[kind];
  let body = cache.get(text);
  if (body) {
    cache.delete(text);
    cache.set(text, body);
  } else {
    let doc: Json = document;
    if (typeof document === 'string') {
      try {
        doc = JSON.parse(document);
      } catch (cause) {
        throw new MalformedPolicyError('Syntax errors in policy.', kind, undefined, undefined, { cause });
      }
    }
    body = compileDocument(doc, kind);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(text, body);
  }
  return { source, ...body };
}
