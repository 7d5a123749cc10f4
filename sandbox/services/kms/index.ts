import type {
  AuthorizationDetails,
  OperationHandler,
  RequestContext,
  SandboxRuntime,
  ServiceDefinition,
  TrailShaper,
} from '../../core/types';
import { authorize } from '../../policy';
import { aliasOperations } from './aliases';
import { blobKeyArn, cryptoOperations } from './crypto';
import { keyOperations } from './keys';
import { aliasArn, findKey, getAlias, type KeyRecord, keyPolicy, type Scope, scopeOf } from './model';

export { checkAliasName, createAlias, deleteAlias, updateAlias } from './aliases';
export { encryptWith } from './crypto';
export { createKey, putKeyPolicy, scheduleKeyDeletion, setRotation } from './keys';
export type { AliasRecord, KeyLookup, KeyRecord, Scope as KmsScope } from './model';
export {
  defaultKeyPolicy,
  findKey,
  getAlias,
  getKey,
  keyArn,
  keyMetadata,
  keyPolicy,
  TABLES as KMS_TABLES,
} from './model';
export { checkKeyPolicy, randomBytes, randomUuid } from './rules';

/**
 * Whether a key lets an AWS service principal use it, as KMS decides when a service encrypts on a
 * caller's behalf (SNS asking whether `cloudwatch.amazonaws.com` may `kms:GenerateDataKey*` under an
 * encrypted topic's key): the key must exist, be enabled, and its key policy must allow the service.
 *
 * @param keyId - a key id, key ARN, alias name or alias ARN, resolved in `scope`
 * @example
 * const use = keyAllowsService(runtime, topic, topic.attributes.KmsMasterKeyId, 'cloudwatch.amazonaws.com', 'kms:GenerateDataKey');
 * if (!use.ok) return { ok: false, reason: use.reason };
 */
export function keyAllowsService(
  runtime: SandboxRuntime,
  scope: Scope,
  keyId: string,
  service: string,
  action: string,
  context: Readonly<Record<string, string | undefined>> = {},
): { ok: true; key: KeyRecord } | { ok: false; reason: string } {
  let key: KeyRecord;
  try {
    key = findKey(runtime, scope, keyId, { aliases: true, crossAccount: true });
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (key.KeyState !== 'Enabled')
    return { ok: false, reason: `${key.Arn} is ${key.KeyState === 'Disabled' ? 'disabled' : 'pending deletion'}.` };
  const decision = authorize(
    { scpLevels: [], identity: [], resourcePolicy: keyPolicy(key), resourceAccountId: key.account },
    { action, resource: key.Arn, principal: { arn: service, accountId: scope.account, service }, context },
  );
  return decision.allowed
    ? { ok: true, key }
    : {
        ok: false,
        reason: `${service} is not authorized to perform: ${action} on resource: ${key.Arn} because no resource-based policy allows the ${action} action`,
      };
}

/** The KMS operations whose `KeyId` may be an alias (name or ARN). */
const BY_ALIAS = new Set(['DescribeKey', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'Decrypt']);
/** The KMS operations that may name another account's key (as the handlers look keys up). */
const CROSS_ACCOUNT = new Set([...BY_ALIAS, 'GetKeyRotationStatus']);

/** The key a call names, if it exists (authorization must not fail where the handler will answer). */
function namedKey(
  runtime: SandboxRuntime,
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): KeyRecord | undefined {
  const scope = scopeOf(ctx);
  try {
    if (operation === 'Decrypt' && typeof input.CiphertextBlob === 'string') {
      const arn = blobKeyArn(Buffer.from(input.CiphertextBlob, 'base64'));
      if (arn) return findKey(runtime, scope, arn, { crossAccount: true });
    }
    if (operation === 'DeleteAlias' && typeof input.AliasName === 'string') {
      const alias = getAlias(runtime, scope, input.AliasName);
      return alias ? findKey(runtime, scope, alias.TargetKeyId) : undefined;
    }
    const id = typeof input.TargetKeyId === 'string' ? input.TargetKeyId : input.KeyId;
    if (typeof id !== 'string') return undefined;
    return findKey(runtime, scope, id, {
      aliases: BY_ALIAS.has(operation),
      crossAccount: CROSS_ACCOUNT.has(operation),
    });
  } catch {
    return undefined;
  }
}

/**
 * What a KMS call is authorized on: the key's ARN with its key policy as the resource policy (which
 * must allow the call itself, see {@link keyPolicy}), plus the alias ARN for alias calls (decided by
 * identity policies, as KMS does). `CreateKey`, `ListKeys` and `ListAliases` are `*`.
 */
function authorization(
  runtime: SandboxRuntime,
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  if (operation === 'CreateKey') {
    const tags = Array.isArray(input.Tags) ? (input.Tags as { TagKey?: unknown; TagValue?: unknown }[]) : [];
    const named = tags.filter((t) => typeof t?.TagKey === 'string');
    return {
      context: {
        ...Object.fromEntries(named.map((t) => [`aws:RequestTag/${String(t.TagKey)}`, String(t.TagValue ?? '')])),
        ...(named.length > 0 ? { 'aws:TagKeys': named.map((t) => String(t.TagKey)) } : {}),
      },
    };
  }
  if (operation === 'ListKeys' || operation === 'ListAliases') return {};
  const key = namedKey(runtime, operation, input, ctx);
  const alias =
    ['CreateAlias', 'UpdateAlias', 'DeleteAlias'].includes(operation) && typeof input.AliasName === 'string'
      ? [aliasArn(scopeOf(ctx), input.AliasName)]
      : [];
  if (!key) return alias.length > 0 ? { resources: alias } : {};
  return {
    resources: [...alias, key.Arn],
    resourcePolicy: keyPolicy(key),
    resourceAccountId: key.account,
    context: Object.fromEntries(key.Tags.map((t) => [`aws:ResourceTag/${t.TagKey}`, t.TagValue])),
  };
}

/** CloudTrail never records plaintext or ciphertext: the key, algorithm and context only. */
const cryptoTrail: TrailShaper = ({ input }) => ({
  requestParameters: {
    ...(typeof input.KeyId === 'string' ? { keyId: input.KeyId } : {}),
    encryptionAlgorithm:
      typeof input.EncryptionAlgorithm === 'string' ? input.EncryptionAlgorithm : 'SYMMETRIC_DEFAULT',
    ...(input.EncryptionContext ? { encryptionContext: input.EncryptionContext as Record<string, unknown> } : {}),
    ...(typeof input.KeySpec === 'string' ? { keySpec: input.KeySpec } : {}),
    ...(typeof input.NumberOfBytes === 'number' ? { numberOfBytes: input.NumberOfBytes } : {}),
  },
  responseElements: null,
});

/**
 * AWS KMS (awsJson1_1, `TrentService`): customer managed keys with their key policies, rotation
 * status, scheduled deletion, aliases and tags, and symmetric Encrypt/Decrypt/GenerateDataKey whose
 * blobs round-trip. See docs/services/kms.md.
 *
 * @example
 * const kms = createKmsService(runtime);
 * await kms.operations.CreateKey?.({ Description: 'alarms' }, ctx);
 */
export function createKmsService(runtime: SandboxRuntime): ServiceDefinition {
  const operations: Record<string, OperationHandler> = {
    ...keyOperations(runtime),
    ...aliasOperations(runtime),
    ...cryptoOperations(runtime),
  };
  return {
    signingName: 'kms',
    protocol: 'awsJson1_1',
    targetPrefix: 'TrentService',
    eventSource: 'kms.amazonaws.com',
    authorization: (operation, input, ctx) => authorization(runtime, operation, input, ctx),
    trailShapes: {
      Encrypt: cryptoTrail,
      Decrypt: cryptoTrail,
      GenerateDataKey: cryptoTrail,
      GenerateDataKeyWithoutPlaintext: cryptoTrail,
    },
    operations,
  };
}
