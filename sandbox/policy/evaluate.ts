import type {
  AuthorizationInput,
  AuthRequest,
  CompiledPolicy,
  CompiledStatement,
  Decision,
  Effect,
  PrincipalMatch,
} from './types';

/**
 * AWS's evaluation logic ("Policy evaluation logic", "How AWS enforcement code logic evaluates
 * requests to allow or deny access", "Policy evaluation for requests within a single account",
 * "Cross-account policy evaluation logic"):
 *
 * 1. an explicit Deny in any SCP, the resource (or trust) policy or an identity policy denies;
 * 2. every SCP level (root, each OU, the account) must allow, else the request is implicitly denied;
 * 3. same account: an Allow in the identity policies, or a resource policy that names the principal
 *    (not just its account: that delegates to the identity policies), allows;
 * 4. cross-account: the identity policies AND the resource policy must both allow;
 * 5. role trust policies are the exception AWS documents ("role trust policies and KMS key policies
 *    must explicitly allow access for principals"): the trust policy must always allow; when it names
 *    the caller (its role, user or session) in the same account that suffices, when it names the
 *    caller's account (`arn:aws:iam::111122223333:root`) or the caller is in another account the
 *    caller's identity policies must allow `sts:AssumeRole` too.
 *
 * The account root user has every permission in its own account (identity side), limited only by
 * SCPs and explicit denies. A service principal (`events.amazonaws.com`) is authorized by the
 * resource policy that names it, in any account; it has no identity policies, and SCPs do not apply
 * to it (the caller passes no SCP levels, as for the management account).
 */

const ALLOWED: Decision = Object.freeze({ allowed: true });
const ROOT = /^arn:aws[a-z-]*:iam::\d{12}:root$/;

/** The service prefix of a lower-case action (`ec2:createvpc` → `ec2`). */
const serviceOf = (action: string): string => {
  const colon = action.indexOf(':');
  return colon < 0 ? action : action.slice(0, colon);
};

/** How one statement applies to the request: 0 not at all, else how its principal matched (2 without one). */
function applies(st: CompiledStatement, req: AuthRequest, action: string, service: string): PrincipalMatch {
  if (!st.action(action, service)) return 0;
  let match: PrincipalMatch = 2;
  if (st.principal) {
    match = st.principal(req.principal);
    if (match === 0) return 0;
  }
  if (st.resource && !st.resource(req)) return 0;
  for (const check of st.conditions) if (!check(req)) return 0;
  return match;
}

function firstDeny(
  policy: CompiledPolicy,
  req: AuthRequest,
  action: string,
  service: string,
): CompiledStatement | undefined {
  for (const st of policy.denies) if (applies(st, req, action, service) !== 0) return st;
  return undefined;
}

/** The best principal match among the Allow statements that apply (2 ends the search). */
function bestAllow(policy: CompiledPolicy, req: AuthRequest, action: string, service: string): PrincipalMatch {
  let best: PrincipalMatch = 0;
  for (const st of policy.allows) {
    const m = applies(st, req, action, service);
    if (m === 2) return 2;
    if (m > best) best = m;
  }
  return best;
}

const EFFECTS: Record<Effect, { readonly effect: Effect }> = {
  Allow: Object.freeze({ effect: 'Allow' }),
  Deny: Object.freeze({ effect: 'Deny' }),
  NotApplicable: Object.freeze({ effect: 'NotApplicable' }),
};

/**
 * Evaluates one policy: `Deny` when a Deny statement applies, else `Allow` when an Allow statement
 * applies, else `NotApplicable`; `sid` names the deciding statement when it has one.
 *
 * @param policy - a policy from {@link parsePolicy}
 * @param req - the request
 * @example
 * evaluatePolicy(scp, { action: 'ec2:CreateInternetGateway', resource: '*', principal, context: {} });
 * // → { effect: 'Deny', sid: 'DenyInternetGateways' }
 */
export function evaluatePolicy(policy: CompiledPolicy, req: AuthRequest): { effect: Effect; sid?: string } {
  const action = req.action.toLowerCase();
  const service = serviceOf(action);
  const deny = firstDeny(policy, req, action, service);
  if (deny) return deny.sid ? { effect: 'Deny', sid: deny.sid } : EFFECTS.Deny;
  for (const st of policy.allows) {
    if (applies(st, req, action, service) !== 0) return st.sid ? { effect: 'Allow', sid: st.sid } : EFFECTS.Allow;
  }
  return EFFECTS.NotApplicable;
}

type DeniedBy = NonNullable<Decision['deniedBy']>;

/** Explicit denials, built once per (policy, statement, deciding role) and shared: decisions are read-only. */
const explicitDenials = new WeakMap<CompiledPolicy, Map<CompiledStatement, Decision>>();

function explicit(by: DeniedBy, policy: CompiledPolicy, st: CompiledStatement): Decision {
  let byStatement = explicitDenials.get(policy);
  if (!byStatement) {
    byStatement = new Map();
    explicitDenials.set(policy, byStatement);
  }
  let decision = byStatement.get(st);
  if (decision?.deniedBy !== by) {
    decision = Object.freeze({
      allowed: false,
      denial: 'explicit',
      deniedBy: by,
      deniedByPolicy: Object.freeze(st.sid ? { ...policy.source, sid: st.sid } : { ...policy.source }),
    });
    byStatement.set(st, decision);
  }
  return decision;
}

const implicitDenial = (by: DeniedBy): Decision => Object.freeze({ allowed: false, denial: 'implicit', deniedBy: by });
const IMPLICIT: Readonly<Record<DeniedBy, Decision>> = {
  scp: implicitDenial('scp'),
  identity: implicitDenial('identity'),
  resource: implicitDenial('resource'),
  trust: implicitDenial('trust'),
};
const scpDenials: Decision[] = [];
const scpDenial = (level: number): Decision =>
  (scpDenials[level] ??= Object.freeze({ allowed: false, denial: 'implicit', deniedBy: 'scp', scpLevel: level }));

/** The account of an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`), or undefined. */
function accountOf(arn: string): string | undefined {
  const parts = arn.split(':', 6);
  return parts.length === 6 && parts[0] === 'arn' && parts[4] ? parts[4] : undefined;
}

/** Whether the identity side allows: an identity policy Allow, or the account root user in its own account. */
function identitySide(
  input: AuthorizationInput,
  req: AuthRequest,
  action: string,
  service: string,
  sameAccount: boolean,
): boolean {
  for (const p of input.identity) if (bestAllow(p, req, action, service) !== 0) return true;
  return sameAccount && req.principal.service === undefined && ROOT.test(req.principal.arn);
}

function decide(input: AuthorizationInput, req: AuthRequest, trust: boolean): Decision {
  const action = req.action.toLowerCase();
  const service = serviceOf(action);
  const levels = input.scpLevels;
  const rp = input.resourcePolicy;

  // 1. Explicit denies, wherever they are.
  for (const level of levels) {
    for (const p of level) {
      const st = firstDeny(p, req, action, service);
      if (st) return explicit('scp', p, st);
    }
  }
  if (rp) {
    const st = firstDeny(rp, req, action, service);
    if (st) return explicit(trust ? 'trust' : 'resource', rp, st);
  }
  for (const p of input.identity) {
    const st = firstDeny(p, req, action, service);
    if (st) return explicit('identity', p, st);
  }

  // 2. Every SCP level must allow.
  for (let i = 0; i < levels.length; i++) {
    let allowed = false;
    for (const p of levels[i]!) {
      if (bestAllow(p, req, action, service) !== 0) {
        allowed = true;
        break;
      }
    }
    if (!allowed) return scpDenial(i);
  }

  // 3. Identity and resource policies.
  const named = rp ? bestAllow(rp, req, action, service) : 0;
  const resourceAccount = input.resourceAccountId ?? (trust ? accountOf(req.resource) : undefined);
  const sameAccount = resourceAccount === undefined || resourceAccount === req.principal.accountId;
  if (req.principal.service !== undefined) {
    if (named !== 0) return ALLOWED;
    if (sameAccount && identitySide(input, req, action, service, sameAccount)) return ALLOWED;
    return rp ? IMPLICIT[trust ? 'trust' : 'resource'] : IMPLICIT.identity;
  }
  if (trust) {
    if (named === 0) return IMPLICIT.trust;
    if (named === 2 && sameAccount) return ALLOWED;
    return identitySide(input, req, action, service, sameAccount) ? ALLOWED : IMPLICIT.identity;
  }
  if (sameAccount) {
    return named === 2 || identitySide(input, req, action, service, sameAccount) ? ALLOWED : IMPLICIT.identity;
  }
  if (!identitySide(input, req, action, service, sameAccount)) return IMPLICIT.identity;
  return named !== 0 ? ALLOWED : IMPLICIT.resource;
}

/**
 * Decides a request the way AWS does (see the module comment). A `resourcePolicy` of kind `trust`
 * (a role's trust policy, for `sts:AssumeRole`) gets the trust-policy rule, so STS can call this
 * directly; {@link authorizeTrust} says the same thing explicitly.
 *
 * @param input - the SCP levels, identity policies and resource policy that apply
 * @param req - the request
 * @returns `{ allowed: true }`, or the denial and what caused it (shared, frozen objects: never mutate a decision)
 * @example
 * const decision = authorize({ scpLevels: [[fullAccess], [denyIgw]], identity: [admin] }, req);
 * if (!decision.allowed) throw accessDenied(decision);
 */
export function authorize(input: AuthorizationInput, req: AuthRequest): Decision {
  return decide(input, req, input.resourcePolicy?.source.kind === 'trust');
}

/**
 * Decides `sts:AssumeRole` (or `sts:TagSession`, …) on a role: the trust policy must allow the caller,
 * and the caller's identity policies must allow the action too unless the trust policy names the caller
 * itself in the role's own account. The role's account is `identity.resourceAccountId`, else the
 * account of `req.resource` (the role ARN). SCPs of the caller's account apply.
 *
 * @param trust - the role's trust policy (any kind is read with the trust rule here)
 * @param identity - the caller's SCP levels and identity policies (its `resourcePolicy` is ignored)
 * @param req - `action` `sts:AssumeRole`, `resource` the role ARN, the caller as `principal`
 * @example
 * authorizeTrust(role.trust, { scpLevels, identity: caller.policies }, { action: 'sts:AssumeRole', resource: role.arn, principal, context });
 */
export function authorizeTrust(trust: CompiledPolicy, identity: AuthorizationInput, req: AuthRequest): Decision {
  return decide({ ...identity, resourcePolicy: trust }, req, true);
}
