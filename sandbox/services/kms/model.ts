import type { RequestContext, SandboxRuntime } from '../../core/types';
import type { CompiledPolicy } from '../../policy';
import { parsePolicy } from '../../policy';
import { disabled, notFound, pendingDeletion } from './errors';

/**
 * The persisted shape of KMS keys and aliases. A key belongs to one account and region: store ids are
 * `<account>/<region>/<key id>` and `<account>/<region>/<alias name>`, ARNs
 * `arn:aws:kms:<region>:<account>:key/<uuid>` and `…:alias/<name>`. The key policy is the key's
 * resource policy; a key past its deletion date is gone the next time anything looks for it.
 */

export const TABLES = { keys: 'kms.keys', aliases: 'kms.aliases' } as const;

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KmsTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export interface KeyRecord {
  readonly account: string;
  readonly region: string;
  readonly KeyId: string;
  readonly Arn: string;
  /** ISO 8601. */
  readonly CreationDate: string;
  readonly Description: string;
  readonly KeyUsage: string;
  readonly KeySpec: string;
  readonly KeyState: KeyState;
  readonly DeletionDate?: string;
  readonly PendingDeletionWindowInDays?: number;
  /** The key policy, as given (or the default policy's text). */
  readonly Policy: string;
  readonly RotationEnabled: boolean;
  readonly RotationPeriodInDays?: number;
  readonly NextRotationDate?: string;
  readonly Tags: readonly KmsTag[];
  /** 32 bytes of key material, base64 (symmetric keys only). */
  readonly Material?: string;
}

export interface AliasRecord {
  readonly account: string;
  readonly region: string;
  readonly AliasName: string;
  readonly AliasArn: string;
  readonly TargetKeyId: string;
  readonly CreationDate: string;
  readonly LastUpdatedDate: string;
}

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });
export const keyArn = (scope: Scope, keyId: string): string =>
  `arn:aws:kms:${scope.region}:${scope.account}:key/${keyId}`;
export const aliasArn = (scope: Scope, name: string): string => `arn:aws:kms:${scope.region}:${scope.account}:${name}`;

const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/**
 * The default key policy KMS gives a key created without one ("Default key policy when you create a
 * KMS key programmatically"), in the pretty-printed form `GetKeyPolicy` returns.
 */
export function defaultKeyPolicy(account: string): string {
  return [
    '{',
    '  "Version" : "2012-10-17",',
    '  "Id" : "key-default-1",',
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    `      "AWS" : "arn:aws:iam::${account}:root"`,
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n');
}

/**
 * The key policy compiled for the policy evaluator. It is labelled a `trust` policy on purpose: KMS,
 * like role trust policies, requires the key policy itself to allow a call ("Unless the key policy
 * explicitly allows it, you cannot use IAM policies to allow access to a KMS key"); a statement that
 * names the account (`…:root`) delegates to the caller's IAM policies, one that names the caller
 * allows it outright (see `sandbox/policy/evaluate.ts`).
 */
export function keyPolicy(key: KeyRecord): CompiledPolicy {
  return parsePolicy(key.Policy, 'resource', { kind: 'trust', name: `${key.Arn} key policy` });
}

const keyRecordId = (scope: Scope, keyId: string) => `${scope.account}/${scope.region}/${keyId}`;
const aliasId = (scope: Scope, name: string) => `${scope.account}/${scope.region}/${name}`;

export function saveKey(runtime: SandboxRuntime, key: KeyRecord): void {
  runtime.store.put(TABLES.keys, keyRecordId(key, key.KeyId), key);
}

/** A key by id in a scope; a key whose deletion date has passed is deleted now (with its aliases). */
export function getKey(runtime: SandboxRuntime, scope: Scope, keyId: string): KeyRecord | undefined {
  const key = runtime.store.get<KeyRecord>(TABLES.keys, keyRecordId(scope, keyId));
  if (
    key?.KeyState === 'PendingDeletion' &&
    key.DeletionDate &&
    Date.parse(key.DeletionDate) <= runtime.clock.nowMs()
  ) {
    runtime.store.delete(TABLES.keys, keyRecordId(scope, keyId));
    for (const alias of listAliases(runtime, scope)) {
      if (alias.TargetKeyId === keyId) runtime.store.delete(TABLES.aliases, aliasId(scope, alias.AliasName));
    }
    return undefined;
  }
  return key;
}

/** Every live key of a scope, in creation order. */
export function listKeys(runtime: SandboxRuntime, scope: Scope): KeyRecord[] {
  return runtime.store
    .list<KeyRecord>(TABLES.keys, `${scope.account}/${scope.region}/`)
    .filter((k) => getKey(runtime, scope, k.KeyId) !== undefined);
}

export function getAlias(runtime: SandboxRuntime, scope: Scope, name: string): AliasRecord | undefined {
  return runtime.store.get<AliasRecord>(TABLES.aliases, aliasId(scope, name));
}

export function saveAlias(runtime: SandboxRuntime, alias: AliasRecord): void {
  runtime.store.put(TABLES.aliases, aliasId(alias, alias.AliasName), alias);
}

export function removeAlias(runtime: SandboxRuntime, alias: AliasRecord): void {
  runtime.store.delete(TABLES.aliases, aliasId(alias, alias.AliasName));
}

/** The scope's aliases, sorted by name. */
export function listAliases(runtime: SandboxRuntime, scope: Scope): AliasRecord[] {
  return runtime.store
    .list<AliasRecord>(TABLES.aliases, `${scope.account}/${scope.region}/`)
    .sort((a, b) => (a.AliasName < b.AliasName ? -1 : a.AliasName > b.AliasName ? 1 : 0));
}

/** How a call may name a key. */
export interface KeyLookup {
  /** Alias names and alias ARNs are accepted (DescribeKey, Encrypt, GenerateDataKey…). */
  readonly aliases?: boolean;
  /** Another account's key (by ARN) is accepted (DescribeKey and the cryptographic operations). */
  readonly crossAccount?: boolean;
}

/**
 * Resolves a key id, key ARN, alias name or alias ARN to a key, with KMS's errors:
 * `Invalid keyId x`, `Key 'arn…' does not exist`, `Alias arn… is not found.`, `Invalid arn <region>`.
 */
export function findKey(runtime: SandboxRuntime, scope: Scope, id: string, lookup: KeyLookup = {}): KeyRecord {
  const aliasArnMatch = ALIAS_ARN.exec(id);
  if (id.startsWith('alias/') || aliasArnMatch) {
    if (!lookup.aliases) throw notFound(`Invalid keyId ${id}`);
    const where = aliasArnMatch ? { region: aliasArnMatch[1] as string, account: aliasArnMatch[2] as string } : scope;
    const name = aliasArnMatch ? (aliasArnMatch[3] as string) : id;
    if (where.region !== scope.region) throw notFound(`Invalid arn ${where.region}`);
    const alias = where.account === scope.account || lookup.crossAccount ? getAlias(runtime, where, name) : undefined;
    const key = alias ? getKey(runtime, where, alias.TargetKeyId) : undefined;
    if (!key) throw notFound(`Alias ${aliasArn(where, name)} is not found.`);
    return key;
  }
  const arn = KEY_ARN.exec(id);
  const where = arn ? { region: arn[1] as string, account: arn[2] as string } : scope;
  const keyId = arn ? (arn[3] as string) : id;
  if (where.region !== scope.region) throw notFound(`Invalid arn ${where.region}`);
  if (!KEY_ID.test(keyId)) throw notFound(`Invalid keyId ${id}`);
  const key = where.account === scope.account || lookup.crossAccount ? getKey(runtime, where, keyId) : undefined;
  if (!key) throw notFound(`Key '${keyArn(where, keyId)}' does not exist`);
  return key;
}

/** Refuses a key that is not enabled (`DisabledException`, `KMSInvalidStateException`). */
export function requireEnabled(key: KeyRecord): KeyRecord {
  if (key.KeyState === 'Disabled') throw disabled(key.Arn);
  if (key.KeyState === 'PendingDeletion') throw pendingDeletion(key.Arn);
  return key;
}

/** Refuses a key pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): KeyRecord {
  if (key.KeyState === 'PendingDeletion') throw pendingDeletion(key.Arn);
  return key;
}

/** `KeyMetadata` as `CreateKey`/`DescribeKey` return it. */
export function keyMetadata(key: KeyRecord): Record<string, unknown> {
  const symmetric = key.KeySpec === 'SYMMETRIC_DEFAULT';
  const rsa = key.KeySpec.startsWith('RSA_');
  return {
    AWSAccountId: key.account,
    KeyId: key.KeyId,
    Arn: key.Arn,
    CreationDate: new Date(key.CreationDate),
    Enabled: key.KeyState === 'Enabled',
    Description: key.Description,
    KeyUsage: key.KeyUsage,
    KeyState: key.KeyState,
    ...(key.DeletionDate ? { DeletionDate: new Date(key.DeletionDate) } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.KeySpec,
    KeySpec: key.KeySpec,
    ...(key.KeyUsage === 'ENCRYPT_DECRYPT'
      ? {
          EncryptionAlgorithms: symmetric
            ? ['SYMMETRIC_DEFAULT']
            : rsa
              ? ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']
              : ['SM2PKE'],
        }
      : {}),
    ...(key.KeyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: signingAlgorithms(key.KeySpec) } : {}),
    ...(key.KeyUsage === 'GENERATE_VERIFY_MAC' ? { MacAlgorithms: [`HMAC_SHA_${key.KeySpec.slice(5)}`] } : {}),
    ...(key.KeyUsage === 'KEY_AGREEMENT' ? { KeyAgreementAlgorithms: ['ECDH'] } : {}),
    MultiRegion: false,
    ...(key.PendingDeletionWindowInDays !== undefined
      ? { PendingDeletionWindowInDays: key.PendingDeletionWindowInDays }
      : {}),
  };
}

function signingAlgorithms(spec: string): string[] {
  if (spec.startsWith('RSA_')) {
    return [
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
    ];
  }
  if (spec === 'ECC_NIST_P384') return ['ECDSA_SHA_384'];
  if (spec === 'ECC_NIST_P521') return ['ECDSA_SHA_512'];
  if (spec === 'ECC_NIST_EDWARDS25519') return ['ED25519_SHA_512', 'ED25519_PH_SHA_512'];
  if (spec === 'SM2') return ['SM2DSA'];
  if (spec.startsWith('ML_DSA')) return ['ML_DSA_SHAKE_256'];
  return ['ECDSA_SHA_256'];
}

/** An alias as `ListAliases` returns it. */
export function aliasView(alias: AliasRecord): Record<string, unknown> {
  return {
    AliasName: alias.AliasName,
    AliasArn: alias.AliasArn,
    TargetKeyId: alias.TargetKeyId,
    CreationDate: new Date(alias.CreationDate),
    LastUpdatedDate: new Date(alias.LastUpdatedDate),
  };
}
