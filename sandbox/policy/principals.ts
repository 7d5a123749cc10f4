import type { AuthPrincipal, PrincipalMatch } from './types';

/**
 * The `Principal` / `NotPrincipal` element ("AWS JSON policy elements: Principal"):
 *
 * - `"*"` or `{"AWS": "*"}` matches every caller;
 * - `{"AWS": "111122223333"}` or `{"AWS": "arn:aws:iam::111122223333:root"}` matches any principal
 *   of that account, delegating to its identity policies (an account-level match);
 * - a user ARN matches that user, a role ARN matches the sessions of that role, an assumed-role
 *   session ARN matches that session only (by name);
 * - `{"Service": "events.amazonaws.com"}` matches that service principal; `Federated` and
 *   `CanonicalUser` match a caller whose ARN is that value.
 *
 * Wildcards other than a lone `*` are not allowed in principals (IAM: "Invalid principal in policy").
 */

export const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_OR_STS = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[^*?]+$/;

export type PrincipalValues = Partial<Record<(typeof PRINCIPAL_TYPES)[number], readonly string[]>> | '*';

/** The reason an `AWS` principal value is invalid, or `undefined` when it is valid. */
export function invalidAwsPrincipal(value: string): string | undefined {
  if (value === '*' || ACCOUNT.test(value) || ROOT.test(value) || IAM_OR_STS.test(value)) return undefined;
  return `Invalid principal in policy: "AWS":"${value}"`;
}

/** Compiles a validated principal element to a matcher; `not` inverts it (`NotPrincipal`). */
export function compilePrincipal(values: PrincipalValues, not: boolean): (p: AuthPrincipal) => PrincipalMatch {
  let everyone = values === '*';
  const accounts = new Set<string>();
  const names = new Set<string>();
  const services = new Set<string>();
  if (values !== '*') {
    for (const v of values.AWS ?? []) {
      if (v === '*') everyone = true;
      else if (ACCOUNT.test(v)) accounts.add(v);
      else {
        const root = ROOT.exec(v);
        if (root) accounts.add(root[1]!);
        else names.add(v);
      }
    }
    for (const v of values.Service ?? []) services.add(v);
    for (const v of [...(values.Federated ?? []), ...(values.CanonicalUser ?? [])]) names.add(v);
  }
  const match = (p: AuthPrincipal): PrincipalMatch => {
    if (everyone) return 2;
    if (p.service !== undefined) return services.has(p.service) ? 2 : 0;
    if (names.has(p.arn) || (p.roleArn !== undefined && names.has(p.roleArn))) return 2;
    return accounts.has(p.accountId) ? 1 : 0;
  };
  return not ? (p) => (match(p) === 0 ? 2 : 0) : match;
}
