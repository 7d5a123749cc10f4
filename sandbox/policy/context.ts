import type { AuthPrincipal, AuthRequest } from './types';

/**
 * Condition-context lookup. Keys are case-insensitive (`aws:PrincipalArn` == `aws:principalarn`,
 * `aws:ResourceTag/Owner` == `aws:resourcetag/owner`), values are returned as written. A few global
 * keys that AWS always sets are derived from the principal when the caller did not put them in the
 * context, so an SCP's `ArnNotLike aws:PrincipalArn` never meets a key that is "absent" by accident.
 */

/** A condition key or policy variable, pre-lowered once at compile time. */
export interface ContextKey {
  readonly name: string;
  readonly lower: string;
}

/** A context value as conditions see it: one string, or the values of a multivalued key (never empty). */
export type LookedUp = string | readonly string[] | undefined;

export function contextKey(name: string): ContextKey {
  return { name, lower: name.toLowerCase() };
}

/** `k` equals `lower` ignoring ASCII case, without allocating. */
function equalsFolded(k: string, lower: string): boolean {
  if (k.length !== lower.length) return false;
  for (let i = 0; i < k.length; i++) {
    let c = k.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The global keys AWS sets for every signed request, derived from the principal. */
function derived(principal: AuthPrincipal, lower: string): string | undefined {
  if (principal.service !== undefined) return lower === 'aws:principalservicename' ? principal.service : undefined;
  switch (lower) {
    case 'aws:principalarn':
      return principal.roleArn ?? principal.arn;
    case 'aws:principalaccount':
      return principal.accountId;
    case 'aws:username': {
      // Only IAM users have a user name: `arn:aws:iam::111122223333:user/path/name`.
      const at = principal.arn.indexOf(':user/');
      return at < 0 ? undefined : principal.arn.slice(principal.arn.lastIndexOf('/') + 1);
    }
    default:
      return undefined;
  }
}

/**
 * The value of `key` in the request: the context entry (matched case-insensitively), else a derived
 * global key, else `undefined`. Booleans read as `"true"` / `"false"`; an empty array reads as absent.
 */
export function lookup(req: AuthRequest, key: ContextKey): LookedUp {
  const ctx = req.context;
  let v = ctx[key.name];
  if (v === undefined) {
    for (const k in ctx) {
      if (k !== key.name && equalsFolded(k, key.lower)) {
        v = ctx[k];
        if (v !== undefined) break;
      }
    }
  }
  if (v === undefined) return derived(req.principal, key.lower);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  return v.length === 0 ? undefined : v;
}

/** A single value for a policy variable: multivalued keys cannot be substituted (AWS: no match). */
export function lookupSingle(req: AuthRequest, key: ContextKey): string | undefined {
  const v = lookup(req, key);
  return typeof v === 'string' ? v : undefined;
}
