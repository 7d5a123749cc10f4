import type { IncomingHttpHeaders } from 'node:http';
import { authorize, parsePolicy } from '../policy';
import type {
  AuthorizationInput,
  AuthPrincipal,
  AuthRequest,
  CompiledPolicy,
  ContextValue,
  Decision,
} from '../policy/types';
import { managedPolicy } from '../services/iam/managed';
import { rolePolicies } from '../services/iam/model';
import { ADMIN_USER_NAME } from './identity';
import type { LocalRuntime } from './runtime';
import { parseAuthorization, verifySignature } from './sigv4';
import type { Principal, Protocol } from './types';
import { AwsServiceError } from './types';

/**
 * Who may call what: the sandbox's authentication (SigV4 on every request, keys the sandbox issued,
 * expiry on the sandbox clock) and authorization (identity policies of the caller's role, SCPs along
 * the account's OU path, resource policies) in one place. Services never evaluate a policy: the
 * server asks {@link Gatekeeper.authorize} for every call; STS asks for trust policies.
 */

/** How a protocol family names authentication and authorization errors. */
export type ErrorFamily = 'query' | 'ec2' | 'json' | 'rest';

export function errorFamily(protocol: Protocol | 'rest'): ErrorFamily {
  if (protocol === 'ec2Query') return 'ec2';
  if (protocol === 'awsQuery') return 'query';
  if (protocol === 'rest') return 'rest';
  return 'json';
}

type AuthnFailure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'ExpiredToken'
  | 'ExpiredSignature'
  | 'RequestTimeTooSkewed';

/**
 * AWS's codes per family. Query APIs (STS, IAM, CloudFormation, EC2) answer 403 as the AWS common
 * errors list; JSON APIs answer 400 as DynamoDB does, except an unknown key (403 for both families).
 * A stale signature is `SignatureDoesNotMatch` ("Signature expired: …") on query APIs.
 */
const CODES: Readonly<Record<AuthnFailure, { query: string; json: string; queryStatus: number; jsonStatus: number }>> =
  {
    MissingAuthenticationToken: {
      query: 'MissingAuthenticationToken',
      json: 'MissingAuthenticationTokenException',
      queryStatus: 403,
      jsonStatus: 400,
    },
    IncompleteSignature: {
      query: 'IncompleteSignature',
      json: 'IncompleteSignatureException',
      queryStatus: 400,
      jsonStatus: 400,
    },
    InvalidClientTokenId: {
      query: 'InvalidClientTokenId',
      json: 'UnrecognizedClientException',
      queryStatus: 403,
      jsonStatus: 403,
    },
    SignatureDoesNotMatch: {
      query: 'SignatureDoesNotMatch',
      json: 'InvalidSignatureException',
      queryStatus: 403,
      jsonStatus: 400,
    },
    ExpiredSignature: {
      query: 'SignatureDoesNotMatch',
      json: 'InvalidSignatureException',
      queryStatus: 403,
      jsonStatus: 400,
    },
    RequestTimeTooSkewed: {
      query: 'SignatureDoesNotMatch',
      json: 'InvalidSignatureException',
      queryStatus: 403,
      jsonStatus: 400,
    },
    ExpiredToken: { query: 'ExpiredToken', json: 'ExpiredTokenException', queryStatus: 403, jsonStatus: 400 },
  };

/** S3's REST codes for the same failures. */
const S3_CODES: Readonly<Record<AuthnFailure, string>> = {
  MissingAuthenticationToken: 'AccessDenied',
  IncompleteSignature: 'AuthorizationHeaderMalformed',
  InvalidClientTokenId: 'InvalidAccessKeyId',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  ExpiredSignature: 'AccessDenied',
  RequestTimeTooSkewed: 'RequestTimeTooSkewed',
  ExpiredToken: 'ExpiredToken',
};

const MESSAGES: Partial<Record<AuthnFailure, string>> = {
  InvalidClientTokenId: 'The security token included in the request is invalid.',
  ExpiredToken: 'The security token included in the request is expired',
};

/** An authentication failure in the family's own code. */
export function authenticationError(failure: AuthnFailure, family: ErrorFamily, message?: string): AwsServiceError {
  const text = message ?? MESSAGES[failure] ?? failure;
  if (family === 'rest') return new AwsServiceError(S3_CODES[failure], text, { status: 403 });
  const c = CODES[failure];
  if (family === 'ec2' && failure === 'RequestTimeTooSkewed') {
    return new AwsServiceError('RequestExpired', 'Request has expired.', { status: 400 });
  }
  return family === 'json'
    ? new AwsServiceError(c.json, text, { status: c.jsonStatus })
    : new AwsServiceError(c.query, text, { status: c.queryStatus });
}

/** A request as received, for signature verification. */
export interface IncomingSigned {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Node's `req.rawHeaders`: repeated headers are joined as SigV4 joins them (`,`), not as node does. */
  readonly rawHeaders?: readonly string[];
  readonly body: Buffer | string;
}

/** One call to authorize. */
export interface AuthorizeCall {
  readonly principal: Principal;
  /** `ec2:CreateInternetGateway` */
  readonly action: string;
  /** Every resource the call touches; each must be allowed. Default `['*']`. */
  readonly resources?: readonly string[];
  /** The call's region (`aws:RequestedRegion`). */
  readonly region: string;
  /** Request-specific condition keys (`aws:RequestTag/…`, `aws:TagKeys`, `aws:ResourceTag/…`). */
  readonly context?: Readonly<Record<string, ContextValue | undefined>>;
  /** The resource's own policy (bus policy) and its account, when it has one. */
  readonly resourcePolicy?: CompiledPolicy;
  readonly resourceAccountId?: string;
}

/** The outcome of a denied call, for messages and CloudTrail. */
export interface Denial {
  readonly decision: Decision;
  readonly action: string;
  readonly resource: string;
}

const ADMIN_POLICY_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ORG_POLICY_CACHE_LIMIT = 500;

/** The message AWS gives for a denial ("User: … is not authorized to perform: … on resource: … because …"). */
export function denialMessage(principalArn: string, d: Denial): string {
  const { decision } = d;
  const kind = decision.deniedBy ?? 'identity';
  const what = {
    scp: 'service control policy',
    identity: 'identity-based policy',
    resource: 'resource-based policy',
    trust: 'resource-based policy',
  }[kind];
  const why =
    decision.denial === 'explicit'
      ? `with an explicit deny in ${kind === 'identity' ? 'an' : 'a'} ${what}`
      : `because no ${what} allows the ${d.action} action`;
  return `User: ${principalArn} is not authorized to perform: ${d.action} on resource: ${d.resource} ${why}`;
}

/** The error a service family answers a denial with. */
export function accessDeniedError(family: ErrorFamily, principalArn: string, d: Denial): AwsServiceError {
  const message = denialMessage(principalArn, d);
  switch (family) {
    case 'ec2':
      return new AwsServiceError(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${Buffer.from(
          JSON.stringify({ allowed: false, explicitDeny: d.decision.denial === 'explicit', action: d.action }),
        ).toString('base64url')}`,
        { status: 403 },
      );
    case 'query':
    case 'rest':
      return new AwsServiceError('AccessDenied', message, { status: 403 });
    default:
      return new AwsServiceError('AccessDeniedException', message, { status: 400 });
  }
}

/** Authentication and authorization of the sandbox. */
export class Gatekeeper {
  private readonly scpCache = new Map<string, CompiledPolicy>();
  private adminPolicies: readonly CompiledPolicy[] | undefined;
  /**
   * Whether signatures, expiry and policies are checked. Only `npm run bench -- sandbox` turns it off,
   * to measure what they cost; nothing else may (there is no option or variable for it).
   */
  enforcing = true;

  constructor(private readonly runtime: LocalRuntime) {}

  /**
   * The principal behind a signed request. Throws the family's `MissingAuthenticationToken`,
   * `InvalidClientTokenId`/`UnrecognizedClientException`, `SignatureDoesNotMatch`/`InvalidSignatureException`
   * or `ExpiredToken`/`ExpiredTokenException`.
   */
  authenticate(req: IncomingSigned, family: ErrorFamily): Principal {
    const parsed = parseAuthorization(req);
    if ('failure' in parsed) throw authenticationError(parsed.failure, family, parsed.message);
    const record = this.runtime.identities.lookup(parsed.accessKeyId);
    if (!record) throw authenticationError('InvalidClientTokenId', family);
    if (!this.enforcing) return record.principal;
    if (record.sessionToken !== undefined && parsed.securityToken !== record.sessionToken) {
      throw authenticationError('InvalidClientTokenId', family);
    }
    const verified = verifySignature(req, parsed, record.secretAccessKey, Date.now());
    if (!verified.ok) throw authenticationError(verified.failure, family, verified.message);
    if (record.expiresAtMs !== undefined && record.expiresAtMs <= this.runtime.clock.nowMs()) {
      throw authenticationError('ExpiredToken', family);
    }
    return record.principal;
  }

  /** Identity policies of a principal: the admin user's AdministratorAccess, a role's inline and attached policies. */
  identityPolicies(principal: Principal): readonly CompiledPolicy[] {
    if (principal.type === 'IAMUser' && principal.userName === ADMIN_USER_NAME) {
      this.adminPolicies ??= [managedPolicy(ADMIN_POLICY_ARN) as CompiledPolicy];
      return this.adminPolicies;
    }
    if (principal.type === 'AssumedRole' && principal.roleName) {
      return rolePolicies(this.runtime.store, principal.accountId, principal.roleName)?.identity ?? [];
    }
    return [];
  }

  /**
   * SCPs along an account's path, root first. None for the management account and for
   * service-linked roles (`role/aws-service-role/…`), which SCPs never restrict.
   */
  scpLevels(principal: Principal): readonly (readonly CompiledPolicy[])[] {
    if (principal.accountId === this.runtime.managementAccountId || !this.runtime.hasOrganizations) return [];
    if (principal.roleArn?.includes(':role/aws-service-role/')) return [];
    const path = this.runtime.organizations.scpPath(principal.accountId);
    return path.map((level) => level.policies.map((p) => this.compiledScp(p.id, p.content)));
  }

  private compiledScp(id: string, content: string): CompiledPolicy {
    const key = `${id}\n${content}`;
    let compiled = this.scpCache.get(key);
    if (!compiled) {
      compiled = parsePolicy(content, 'scp', { kind: 'scp', name: id });
      if (this.scpCache.size >= ORG_POLICY_CACHE_LIMIT) this.scpCache.clear();
      this.scpCache.set(key, compiled);
    }
    return compiled;
  }

  /** The condition keys every request carries. */
  globalContext(principal: Principal, region: string): Record<string, ContextValue | undefined> {
    const orgs = this.runtime.hasOrganizations ? this.runtime.organizations : undefined;
    const inOrg = orgs?.accountExists(principal.accountId) || principal.accountId === this.runtime.managementAccountId;
    return {
      'aws:PrincipalArn': principal.roleArn ?? principal.arn,
      'aws:PrincipalAccount': principal.accountId,
      'aws:PrincipalOrgID': inOrg ? orgs?.organizationId : undefined,
      'aws:PrincipalType': principal.type === 'IAMUser' ? 'User' : principal.type,
      'aws:userid': principal.principalId,
      'aws:username': principal.userName,
      'aws:RequestedRegion': region,
      // every AWS API endpoint is HTTPS-only: the loopback HTTP the sandbox serves stands for TLS, so a
      // TLS-only policy (the hub's queues and topic) admits the SDK and CLI as it does on AWS
      'aws:SecureTransport': true,
      'aws:CurrentTime': this.runtime.clock.now().toISOString(),
    };
  }

  /** The principal as policies see it. */
  static authPrincipal(principal: Principal): AuthPrincipal {
    return {
      arn: principal.arn,
      accountId: principal.accountId,
      ...(principal.roleArn ? { roleArn: principal.roleArn } : {}),
    };
  }

  /** Decides a call; returns the first denial (every resource must be allowed) or undefined when allowed. */
  decide(call: AuthorizeCall): Denial | undefined {
    if (!this.enforcing) return undefined;
    const input: AuthorizationInput = {
      scpLevels: this.scpLevels(call.principal),
      identity: this.identityPolicies(call.principal),
      ...(call.resourcePolicy ? { resourcePolicy: call.resourcePolicy } : {}),
      ...(call.resourceAccountId ? { resourceAccountId: call.resourceAccountId } : {}),
    };
    const context = { ...this.globalContext(call.principal, call.region), ...call.context };
    const principal = Gatekeeper.authPrincipal(call.principal);
    for (const resource of call.resources && call.resources.length > 0 ? call.resources : ['*']) {
      const req: AuthRequest = { action: call.action, resource, principal, context };
      const decision = authorize(input, req);
      if (!decision.allowed) return { decision, action: call.action, resource };
    }
    return undefined;
  }

  /** Throws the family's access-denied error when the call is not allowed. */
  authorize(call: AuthorizeCall, family: ErrorFamily): void {
    const denial = this.decide(call);
    if (denial) throw accessDeniedError(family, call.principal.arn, denial);
  }
}
