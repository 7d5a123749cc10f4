import { type ContextKey, contextKey, lookupSingle } from './context';
import type { AuthRequest } from './types';

/**
 * Wildcards (`*`, `?`) and policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`,
 * and the escapes `${*}`, `${?}`, `${$}`) compiled once into matchers. A pattern without variables
 * becomes a fast path (equality, prefix) or one pre-built RegExp; a pattern with variables builds its
 * RegExp source per request from the resolved values and takes the RegExp from a bounded cache.
 *
 * A matcher returns `undefined` when a variable cannot be resolved (the key is absent or
 * multivalued, and there is no default): AWS then treats the element as not matching.
 */

const STAR = 0;
const QMARK = 1;

/** A policy variable reference. */
interface VarToken {
  readonly key: ContextKey;
  readonly fallback?: string;
}

/** A literal run, a `*`, a `?` or a variable. */
export type Token = string | typeof STAR | typeof QMARK | VarToken;

/** Tests a request value; `undefined` when a variable of the pattern cannot be resolved. */
export type Tester = (value: string, req?: AuthRequest) => boolean | undefined;

/** `${name}` or `${name, 'default'}` (a quote inside the default doubled); `undefined` when not a variable. */
function variable(inner: string): VarToken | undefined {
  const comma = inner.indexOf(',');
  const name = (comma < 0 ? inner : inner.slice(0, comma)).trim();
  if (!name) return undefined;
  if (comma < 0) return { key: contextKey(name) };
  const rest = inner.slice(comma + 1).trim();
  if (rest.length < 2 || !rest.startsWith("'") || !rest.endsWith("'")) return undefined;
  return { key: contextKey(name), fallback: rest.slice(1, -1).replaceAll("''", "'") };
}

/**
 * Splits a policy string into tokens. With `variables` false (policy version 2008-10-17) `${…}` is
 * plain text, as in IAM.
 */
export function tokenize(text: string, variables: boolean): Token[] {
  const out: Token[] = [];
  let lit = '';
  const flush = () => {
    if (lit) out.push(lit);
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '*' || c === '?') {
      flush();
      out.push(c === '*' ? STAR : QMARK);
    } else if (variables && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      const inner = end < 0 ? '' : text.slice(i + 2, end);
      if (inner === '*' || inner === '?' || inner === '$') {
        lit += inner;
        i = end;
      } else {
        const v = end < 0 ? undefined : variable(inner);
        if (v) {
          flush();
          out.push(v);
          i = end;
        } else lit += c;
      }
    } else lit += c;
  }
  flush();
  return out;
}

const isVar = (t: Token): t is VarToken => typeof t === 'object';
export const hasVariables = (tokens: readonly Token[]): boolean => tokens.some(isVar);
export const hasWildcards = (tokens: readonly Token[]): boolean => tokens.some((t) => t === STAR || t === QMARK);

/** The text of `tokens` with variables resolved and wildcards kept as characters (for the `…Equals` operators). */
export function resolveText(tokens: readonly Token[], req: AuthRequest): string | undefined {
  let s = '';
  for (const t of tokens) {
    if (typeof t === 'string') s += t;
    else if (t === STAR) s += '*';
    else if (t === QMARK) s += '?';
    else {
      const v = lookupSingle(req, t.key) ?? t.fallback;
      if (v === undefined) return undefined;
      s += v;
    }
  }
  return s;
}

/** How wildcards read in one part of a pattern, and whether its letters match either case. */
interface Style {
  readonly star: string;
  readonly qmark: string;
  readonly fold: boolean;
}

const ANYTHING: Style = { star: '.*', qmark: '.', fold: false };
const ANYTHING_FOLDED: Style = { star: '.*', qmark: '.', fold: true };
const IN_SEGMENT_FOLDED: Style = { star: '[^:]*', qmark: '[^:]', fold: true };
const IN_SEGMENT: Style = { star: '[^:]*', qmark: '[^:]', fold: false };

function escapeLiteral(s: string, fold: boolean): string {
  let out = '';
  for (const c of s) {
    if (fold && c.toLowerCase() !== c.toUpperCase()) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else if ('\\^$.*+?()[]{}|/-'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** The RegExp source of `tokens`; `undefined` when a variable cannot be resolved. */
function sourceOf(tokens: readonly Token[], style: Style, req?: AuthRequest): string | undefined {
  let src = '';
  for (const t of tokens) {
    if (typeof t === 'string') src += escapeLiteral(t, style.fold);
    else if (t === STAR) src += style.star;
    else if (t === QMARK) src += style.qmark;
    else {
      const v = req ? (lookupSingle(req, t.key) ?? t.fallback) : undefined;
      if (v === undefined) return undefined;
      // A substituted value is literal text: its own `*` and `?` are not wildcards.
      src += escapeLiteral(v, style.fold);
    }
  }
  return src;
}

/** RegExps built per request from resolved variables, bounded like the policy cache. */
const dynamicRegexps = new Map<string, RegExp>();
const MAX_DYNAMIC = 2000;

function cachedRegExp(source: string): RegExp {
  let re = dynamicRegexps.get(source);
  if (!re) {
    if (dynamicRegexps.size >= MAX_DYNAMIC) dynamicRegexps.delete(dynamicRegexps.keys().next().value!);
    re = new RegExp(source, 's');
    dynamicRegexps.set(source, re);
  }
  return re;
}

/** A matcher over whole-string tokens (StringLike, wildcard action names). */
export function compileGlob(tokens: readonly Token[], ignoreCase: boolean): Tester {
  if (hasVariables(tokens)) {
    const style = ignoreCase ? ANYTHING_FOLDED : ANYTHING;
    return (value, req) => {
      const src = sourceOf(tokens, style, req);
      return src === undefined ? undefined : cachedRegExp(`^${src}$`).test(value);
    };
  }
  if (tokens.length === 1 && tokens[0] === STAR) return () => true;
  if (!hasWildcards(tokens)) {
    const text = (tokens as string[]).join('');
    if (!ignoreCase) return (value) => value === text;
    const lower = text.toLowerCase();
    return (value) => value.length === lower.length && (value === lower || value.toLowerCase() === lower);
  }
  const last = tokens.length - 1;
  if (!ignoreCase && tokens[last] === STAR && tokens.slice(0, last).every((t) => typeof t === 'string')) {
    const prefix = (tokens.slice(0, last) as string[]).join('');
    return (value) => value.startsWith(prefix);
  }
  const re = new RegExp(`^${sourceOf(tokens, ANYTHING)}$`, ignoreCase ? 'is' : 's');
  return (value) => re.test(value);
}

/** Splits tokens at the colons of their literal runs. */
function segments(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (typeof t !== 'string') {
      out[out.length - 1]!.push(t);
      continue;
    }
    const parts = t.split(':');
    parts.forEach((p, i) => {
      if (i > 0) out.push([]);
      if (p) out[out.length - 1]!.push(p);
    });
  }
  return out;
}

/** Number of colon-separated segments of an ARN pattern (variables and wildcards count as text). */
export function segmentCount(tokens: readonly Token[]): number {
  return segments(tokens).length;
}

/**
 * An ARN matcher. The six parts (`arn:partition:service:region:account:resource`) are matched each on
 * its own: a wildcard in the first five never crosses a colon, the resource part may contain colons.
 * A pattern with fewer than six parts is padded with `*` parts. With `foldPrefix` (the `Resource`
 * element) partition, service, region and account match either case, as AWS service namespaces do;
 * the resource part is always case-sensitive, and `Arn*` condition operators are case-sensitive
 * throughout ("IAM JSON policy elements: Condition operators", ARN condition operators).
 */
export function compileArn(tokens: readonly Token[], foldPrefix: boolean): Tester {
  const segs = segments(tokens);
  while (segs.length < 6) segs.push([STAR]);
  const head = segs.slice(0, 5);
  const tail = segs.slice(5).flatMap((s, i) => (i === 0 ? s : [':', ...s]));
  const style = foldPrefix ? IN_SEGMENT_FOLDED : IN_SEGMENT;
  const build = (req?: AuthRequest): string | undefined => {
    let src = '^';
    for (const s of head) {
      const part = sourceOf(s, style, req);
      if (part === undefined) return undefined;
      src += `${part}:`;
    }
    const rest = sourceOf(tail, ANYTHING, req);
    return rest === undefined ? undefined : `${src}${rest}$`;
  };
  if (hasVariables(tokens)) {
    return (value, req) => {
      const src = build(req);
      return src === undefined ? undefined : cachedRegExp(src).test(value);
    };
  }
  const re = new RegExp(build()!, 's');
  if (!hasWildcards(tokens) && segmentCount(tokens) >= 6) {
    const text = (tokens as string[]).join('');
    return (value) => value === text || re.test(value);
  }
  return (value) => re.test(value);
}
