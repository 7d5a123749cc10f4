/**
 * The contract of the sandbox's one policy evaluator (see `index.ts`). Services never evaluate a
 * policy themselves: the server asks {@link authorize} for every call, STS asks it for trust
 * policies, IAM and Organizations ask {@link parsePolicy} to validate documents before storing them.
 */

/** What kind of document is parsed: the rules of each differ (SCPs take no Principal, trust policies need one). */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'scp';

/** A condition-context value: single-valued keys are strings, multi-valued keys (aws:TagKeys, aws:CalledVia) arrays. */
export type ContextValue = string | readonly string[] | boolean;

/** Who makes the call, as policies see it. */
export interface AuthPrincipal {
  /** `arn:aws:iam::111122223333:user/x`, `arn:aws:sts::111122223333:assumed-role/Role/session`, `arn:aws:iam::111122223333:root`. */
  readonly arn: string;
  readonly accountId: string;
  /** For an assumed-role session: the role's ARN (`arn:aws:iam::111122223333:role/Role`); `aws:PrincipalArn` is this. */
  readonly roleArn?: string;
  /** For a service principal (`lambda.amazonaws.com`) calling on its own behalf. */
  readonly service?: string;
}

/** One request to authorize. */
export interface AuthRequest {
  /** `ec2:CreateInternetGateway` (service prefix lower-case, action as AWS names it; matched case-insensitively). */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  readonly principal: AuthPrincipal;
  /**
   * Condition keys and their values. Keys are matched case-insensitively (`aws:PrincipalArn` ==
   * `aws:principalarn`); tag keys after the slash keep their case as AWS does for values.
   * A key absent here is "not present" for `Null`, `…IfExists` and `ForAllValues:`.
   */
  readonly context: Readonly<Record<string, ContextValue | undefined>>;
}

/** Where a policy document came from, for the reason of a decision (`scp p-abc123`, `role Developer inline policy x`). */
export interface PolicySource {
  readonly kind: PolicyKind;
  readonly name: string;
}

/**
 * How a `Principal` element matched the caller: `0` not at all, `1` through the caller's account only
 * (`arn:aws:iam::111122223333:root` or `111122223333`, which delegates to that account's identity
 * policies), `2` by name (the user, the role of a session, the session itself, a service, or `*`).
 */
export type PrincipalMatch = 0 | 1 | 2;

/** One statement, compiled once: every pattern is pre-built, every check is a plain function call. */
export interface CompiledStatement {
  /** Position in the document, 1-based (`Statement 2`). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /**
   * Whether the statement covers the action: `Action` matches, or `NotAction` does not. Both arguments
   * are lower-case: the action (`ec2:createvpc`) and its service prefix (`ec2`), computed once per request.
   */
  readonly action: (action: string, service: string) => boolean;
  /** Whether it covers the resource (`Resource` / `NotResource`); absent in trust policies, which cover any. */
  readonly resource?: (req: AuthRequest) => boolean;
  /** How `Principal` / `NotPrincipal` matches the caller; absent in identity policies and SCPs. */
  readonly principal?: (principal: AuthPrincipal) => PrincipalMatch;
  /** Every entry must hold (operators and keys are ANDed); empty without a `Condition`. */
  readonly conditions: readonly ((req: AuthRequest) => boolean)[];
}

/** A parsed, validated and compiled policy (immutable, cacheable). */
export interface CompiledPolicy {
  readonly source: PolicySource;
  /** `Version` as written, `2008-10-17` when absent (then `${…}` is literal text, as in IAM). */
  readonly version: '2012-10-17' | '2008-10-17';
  /** Every statement in document order. */
  readonly statements: readonly CompiledStatement[];
  /** The `Deny` statements, checked first (an explicit deny wins). */
  readonly denies: readonly CompiledStatement[];
  /** The `Allow` statements. */
  readonly allows: readonly CompiledStatement[];
}

/** The outcome of evaluating a set of policies against a request. */
export type Effect = 'Allow' | 'Deny' | 'NotApplicable';

/** The decision of {@link authorize}. */
export interface Decision {
  readonly allowed: boolean;
  /** `explicit` when a Deny statement matched; `implicit` when nothing allowed. */
  readonly denial?: 'explicit' | 'implicit';
  /** Which kind of policy decided the denial: an SCP, the identity policies, a resource policy, a trust policy. */
  readonly deniedBy?: 'scp' | 'identity' | 'resource' | 'trust';
  /** The policy (and Sid when known) that denied explicitly, for messages: `with an explicit deny in a service control policy`. */
  readonly deniedByPolicy?: PolicySource & { readonly sid?: string };
  /** For an implicit SCP denial: the level (index into `scpLevels`, 0 = root) where no SCP allows. */
  readonly scpLevel?: number;
}

/** Everything that applies to one request. */
export interface AuthorizationInput {
  /**
   * SCPs along the account's path, one array per level: root, each OU down to the account's parent,
   * then the account itself. Every level must allow (an Allow in at least one of its policies), and
   * an explicit Deny at any level denies. Empty (no levels) for the management account and for
   * service-linked roles, which SCPs never restrict.
   */
  readonly scpLevels: readonly (readonly CompiledPolicy[])[];
  /** Identity policies of the caller (role inline + attached managed, or the user's). */
  readonly identity: readonly CompiledPolicy[];
  /**
   * The resource's own policy (bus policy, role trust policy), when it has one. A policy parsed as
   * kind `trust` gets the trust-policy rule: it must allow, and names only the caller's account
   * unless it names the caller itself (see `authorize` in `evaluate.ts`).
   */
  readonly resourcePolicy?: CompiledPolicy;
  /** Account that owns the resource (for the same-account vs cross-account rule); default the principal's. */
  readonly resourceAccountId?: string;
}
