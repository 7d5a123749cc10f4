import { toTrailShape } from '../../core/cloudtrail';
import type {
  AuthorizationDetails,
  OperationHandler,
  RequestContext,
  SandboxRuntime,
  ServiceDefinition,
  TrailShaper,
} from '../../core/types';
import { findSecret, scopeOf, secretPolicy } from './model';
import { secretOperations } from './operations';

export type { SecretRecord } from './model';
export { findSecret, getSecret, seededToken, TABLES as SECRETSMANAGER_TABLES } from './model';
export { type PasswordOptions, randomPassword } from './password';
export type { CreateSecretRequest } from './secrets';
export { checkSecretName, createSecret, deleteSecret, putSecretVersion } from './secrets';

/** A call is authorized on the secret's ARN, with its resource policy when it has one. */
function authorization(
  runtime: SandboxRuntime,
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  const scope = scopeOf(ctx);
  const tags = Array.isArray(input.Tags)
    ? (input.Tags as { Key?: unknown; Value?: unknown }[]).filter((t) => typeof t?.Key === 'string')
    : [];
  const requestTags = {
    ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${String(t.Key)}`, String(t.Value ?? '')])),
    ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => String(t.Key)) } : {}),
  };
  if (operation === 'CreateSecret') {
    const name = typeof input.Name === 'string' ? input.Name : '';
    return {
      resources: [`arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-??????`],
      context: requestTags,
    };
  }
  if (typeof input.SecretId !== 'string') return {};
  try {
    const secret = findSecret(runtime, scope, input.SecretId);
    const policy = secretPolicy(secret);
    return {
      resources: [secret.ARN],
      ...(policy ? { resourcePolicy: policy } : {}),
      resourceAccountId: secret.account,
      context: {
        ...Object.fromEntries((secret.Tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value])),
        ...requestTags,
      },
    };
  } catch {
    return {};
  }
}

/** CloudTrail never records a secret's value. */
const withoutValue: TrailShaper = ({ input }) => {
  const { SecretString: _s, SecretBinary: _b, ...rest } = input;
  return { requestParameters: toTrailShape(rest, 'awsJson1_1') as Record<string, unknown> };
};

/**
 * AWS Secrets Manager (awsJson1_1, target `secretsmanager`): secrets, versions and staging labels,
 * deletion with a recovery window, restore, tags, resource policies and random passwords. See
 * docs/services/secretsmanager.md.
 *
 * @example
 * const sm = createSecretsManagerService(runtime);
 * await sm.operations.CreateSecret?.({ Name: 'db', SecretString: 's3cr3t', ClientRequestToken: randomUUID() }, ctx);
 */
export function createSecretsManagerService(runtime: SandboxRuntime): ServiceDefinition {
  const operations: Record<string, OperationHandler> = secretOperations(runtime);
  return {
    signingName: 'secretsmanager',
    protocol: 'awsJson1_1',
    targetPrefix: 'secretsmanager',
    eventSource: 'secretsmanager.amazonaws.com',
    authorization: (operation, input, ctx) => authorization(runtime, operation, input, ctx),
    trailShapes: { CreateSecret: withoutValue, PutSecretValue: withoutValue, UpdateSecret: withoutValue },
    operations,
  };
}
