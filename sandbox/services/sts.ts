import { assumedRolePrincipal } from '../core/identity';
import { optionalInt, requiredString } from '../core/protocols/input';
import type { LocalRuntime } from '../core/runtime';
import type { AuthorizationDetails, ServiceDefinition } from '../core/types';
import { AwsServiceError } from '../core/types';
import { parsePolicy } from '../policy';
import { getRole } from './iam/model';
import { isAccountClosed } from './organizations/closure';

/**
 * AWS STS (awsQuery): `GetCallerIdentity` and `AssumeRole`. The server authorizes `sts:AssumeRole`
 * on the role's ARN with the role's trust policy as the resource policy, so a role is assumed only
 * when its trust policy (and, where AWS requires it, the caller's identity policies and SCPs) allow
 * it; no role of an account that is closing or closed (Organizations `CloseAccount`) can be assumed
 * (`AccessDenied`, as for a role that does not exist). Sessions expire on the sandbox clock after
 * `DurationSeconds` (default 3600), bounded by the role's `MaxSessionDuration` and by one hour when a
 * role session assumes another role (chaining).
 */

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
/** AWS's limit on a session obtained by role chaining. */
const CHAINED_MAX_SECONDS = 3600;

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message);
}

/** The role an AssumeRole request names, or undefined when the ARN is malformed. */
function roleOf(input: Record<string, unknown>): { accountId: string; roleName: string; arn: string } | undefined {
  const arn = typeof input.RoleArn === 'string' ? input.RoleArn : '';
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  return { accountId: match[1] as string, roleName: match[3] as string, arn };
}

export function createStsService(runtime: LocalRuntime): ServiceDefinition {
  const authorization = (operation: string, input: Record<string, unknown>): AuthorizationDetails => {
    // "No permissions are required to perform this operation" (even an explicit deny does not apply)
    if (operation === 'GetCallerIdentity') return { noPermissionRequired: true };
    if (operation !== 'AssumeRole') return {};
    const role = roleOf(input);
    if (!role) return {};
    const record = getRole(runtime.store, role.accountId, role.roleName);
    // a role that does not exist is refused by the operation with AWS's plain AccessDenied
    if (!record) return { resources: [role.arn] };
    return {
      resources: [role.arn],
      resourceAccountId: role.accountId,
      resourcePolicy: parsePolicy(record.trustPolicy, 'trust', { kind: 'trust', name: `${role.arn} trust policy` }),
    };
  };
  return {
    signingName: 'sts',
    protocol: 'awsQuery',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    eventSource: 'sts.amazonaws.com',
    isReadOnly: (op) => op === 'GetCallerIdentity' || op === 'GetSessionToken',
    authorization,
    operations: {
      GetCallerIdentity: (_input, ctx) => ({
        UserId: ctx.principal.principalId,
        Account: ctx.principal.accountId,
        Arn: ctx.principal.arn,
      }),
      AssumeRole: (input, ctx) => {
        const roleArn = requiredString(input, 'RoleArn', 'query');
        const sessionName = requiredString(input, 'RoleSessionName', 'query');
        if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
          throw validation(
            `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
          );
        }
        const duration = optionalInt(input, 'DurationSeconds') ?? 3600;
        if (duration < 900 || duration > 43_200) {
          throw validation(
            `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
          );
        }
        const role = roleOf(input);
        if (!role) throw validation(`${roleArn} is invalid`);
        const record = getRole(runtime.store, role.accountId, role.roleName);
        // a role of a closing or closed account (CloseAccount) cannot be assumed, whatever its trust policy says
        if (!record || isAccountClosed(runtime.store, role.accountId)) {
          throw new AwsServiceError(
            'AccessDenied',
            `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            { status: 403 },
          );
        }
        if (duration > record.maxSessionDuration) {
          throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
        }
        if (ctx.principal.type === 'AssumedRole' && duration > CHAINED_MAX_SECONDS) {
          throw validation(
            'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
          );
        }
        const principal = assumedRolePrincipal(role.accountId, record.roleName, sessionName);
        const expiresAtMs = runtime.clock.nowMs() + duration * 1000;
        const creds = runtime.registerPrincipal(principal, { expiresAtMs });
        return {
          Credentials: {
            AccessKeyId: creds.accessKeyId,
            SecretAccessKey: creds.secretAccessKey,
            SessionToken: creds.sessionToken,
            Expiration: new Date(expiresAtMs),
          },
          AssumedRoleUser: { AssumedRoleId: principal.principalId, Arn: principal.arn },
          PackedPolicySize: 0,
        };
      },
    },
  };
}
