import { assumedRolePrincipal } from '../core/identity';
import { optionalInt, requiredString } from '../core/protocols/input';
import type { LocalRuntime } from '../core/runtime';
import type { ServiceDefinition } from '../core/types';
import { AwsServiceError } from '../core/types';

/**
 * AWS STS (awsQuery): `GetCallerIdentity` and `AssumeRole` into any role of an account of the
 * sandbox organization. Credentials are bound to `arn:aws:sts::<acct>:assumed-role/<Role>/<session>`.
 */

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export function createStsService(runtime: LocalRuntime): ServiceDefinition {
  return {
    signingName: 'sts',
    protocol: 'awsQuery',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    eventSource: 'sts.amazonaws.com',
    isReadOnly: (op) => op === 'GetCallerIdentity' || op === 'GetSessionToken',
    operations: {
      GetCallerIdentity: (_input, ctx) => ({
        UserId: ctx.principal.principalId,
        Account: ctx.principal.accountId,
        Arn: ctx.principal.arn,
      }),
      AssumeRole: (input) => {
        const roleArn = requiredString(input, 'RoleArn', 'query');
        const sessionName = requiredString(input, 'RoleSessionName', 'query');
        if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
          throw new AwsServiceError(
            'ValidationError',
            `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
          );
        }
        const duration = optionalInt(input, 'DurationSeconds') ?? 3600;
        if (duration < 900 || duration > 43_200) {
          throw new AwsServiceError(
            'ValidationError',
            `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
          );
        }
        const match = ROLE_ARN.exec(roleArn);
        if (!match) throw new AwsServiceError('ValidationError', `${roleArn} is invalid`);
        const [, accountId, roleName] = match as unknown as [string, string, string];
        if (!runtime.organizations.accountExists(accountId)) {
          throw new AwsServiceError(
            'AccessDenied',
            `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            { status: 403 },
          );
        }
        const principal = assumedRolePrincipal(accountId, roleName, sessionName);
        const creds = runtime.registerPrincipal(principal);
        return {
          Credentials: {
            AccessKeyId: creds.accessKeyId,
            SecretAccessKey: creds.secretAccessKey,
            SessionToken: creds.sessionToken,
            Expiration: new Date(runtime.clock.nowMs() + duration * 1000),
          },
          AssumedRoleUser: { AssumedRoleId: principal.principalId, Arn: principal.arn },
          PackedPolicySize: 0,
        };
      },
    },
  };
}
