import { AwsServiceError, type RequestContext, type SandboxRuntime } from '../../core/types';
import type { CompiledPolicy } from '../../policy';
import { parsePolicy } from '../../policy';

/**
 * The persisted shape of Secrets Manager secrets. A secret belongs to one account and region: store
 * ids `<account>/<region>/<name>`, ARNs `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6
 * random characters>`. Versions carry staging labels (`AWSCURRENT`, `AWSPREVIOUS`, custom ones); a
 * secret scheduled for deletion is purged when its deletion date passes (the next time it is looked up).
 */

export const TABLES = { secrets: 'secretsmanager.secrets' } as const;

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface SecretVersion {
  readonly VersionId: string;
  readonly SecretString?: string;
  /** Base64, as the JSON protocol carries it. */
  readonly SecretBinary?: string;
  readonly VersionStages: readonly string[];
  /** Epoch milliseconds. */
  readonly CreatedDate: number;
}

export interface SecretRecord {
  readonly account: string;
  readonly region: string;
  readonly Name: string;
  readonly ARN: string;
  readonly Description?: string;
  readonly KmsKeyId?: string;
  readonly CreatedDate: number;
  readonly LastChangedDate: number;
  readonly LastAccessedDate?: number;
  /** When `DeleteSecret` was called; `DeletionDate` is when the secret goes. */
  readonly DeletedDate?: number;
  readonly DeletionDate?: number;
  readonly Tags?: readonly { Key: string; Value: string }[];
  readonly Versions: readonly SecretVersion[];
  readonly ResourcePolicy?: string;
}

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });

/** Secrets Manager's errors (awsJson1_1, HTTP 400). */
export class SecretsManagerError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 400 });
    this.name = code;
  }
}

export const notFound = (): SecretsManagerError =>
  new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const invalidRequest = (message: string): SecretsManagerError =>
  new SecretsManagerError('InvalidRequestException', message);
export const invalidParameter = (message: string): SecretsManagerError =>
  new SecretsManagerError('InvalidParameterException', message);
export const markedForDeletion = (): SecretsManagerError =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

const ARN = /^arn:aws:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new secret's ARN: its name and a hyphen and six random characters. */
export function secretArn(runtime: SandboxRuntime, scope: Scope, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[Math.floor(runtime.random() * SUFFIX_ALPHABET.length)];
  return `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`;
}

/** A version-4 UUID from the sandbox's seeded generator (the `ClientRequestToken` the SDKs would send). */
export function seededToken(runtime: SandboxRuntime): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(runtime.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(runtime.random() * 4)] as string;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const recordId = (scope: Scope, name: string) => `${scope.account}/${scope.region}/${name}`;

export function saveSecret(runtime: SandboxRuntime, secret: SecretRecord): void {
  runtime.store.put(TABLES.secrets, recordId(secret, secret.Name), secret);
}

export function purgeSecret(runtime: SandboxRuntime, secret: SecretRecord): void {
  runtime.store.delete(TABLES.secrets, recordId(secret, secret.Name));
}

/** A secret by name in a scope; one past its deletion date is purged now. */
export function getSecret(runtime: SandboxRuntime, scope: Scope, name: string): SecretRecord | undefined {
  const secret = runtime.store.get<SecretRecord>(TABLES.secrets, recordId(scope, name));
  if (secret?.DeletionDate !== undefined && secret.DeletionDate <= runtime.clock.nowMs()) {
    purgeSecret(runtime, secret);
    return undefined;
  }
  return secret;
}

/** The scope's secrets (deleted-but-recoverable ones included). */
export function listSecrets(runtime: SandboxRuntime, scope: Scope): SecretRecord[] {
  return runtime.store
    .list<SecretRecord>(TABLES.secrets, `${scope.account}/${scope.region}/`)
    .filter((s) => getSecret(runtime, scope, s.Name) !== undefined);
}

/**
 * The secret a `SecretId` names: a name, a full ARN, or a partial ARN (without the random suffix).
 * An ARN may name another account's secret (its resource policy then decides). `ResourceNotFoundException`.
 */
export function findSecret(runtime: SandboxRuntime, scope: Scope, secretId: string): SecretRecord {
  const arn = ARN.exec(secretId);
  if (!arn) {
    const secret = getSecret(runtime, scope, secretId);
    if (!secret) throw notFound();
    return secret;
  }
  const where = { region: arn[1] as string, account: arn[2] as string };
  const tail = arn[3] as string;
  const exact = listSecrets(runtime, where).find((s) => s.ARN === secretId);
  const secret = exact ?? getSecret(runtime, where, tail);
  if (!secret) throw notFound();
  return secret;
}

/** The secret's resource policy, compiled for the policy evaluator. */
export function secretPolicy(secret: SecretRecord): CompiledPolicy | undefined {
  if (!secret.ResourcePolicy) return undefined;
  return parsePolicy(secret.ResourcePolicy, 'resource', { kind: 'resource', name: `${secret.ARN} resource policy` });
}

/** `VersionIdsToStages` of a secret (versions that still carry a label). */
export function versionsToStages(secret: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(
    secret.Versions.filter((v) => v.VersionStages.length > 0).map((v) => [v.VersionId, [...v.VersionStages]]),
  );
}

/** A secret as `DescribeSecret` (`versionsKey` `VersionIdsToStages`) or `ListSecrets` (`SecretVersionsToStages`) shows it. */
export function secretView(
  secret: SecretRecord,
  versionsKey: 'VersionIdsToStages' | 'SecretVersionsToStages',
): Record<string, unknown> {
  const versions = versionsToStages(secret);
  return {
    ARN: secret.ARN,
    Name: secret.Name,
    ...(secret.Description !== undefined ? { Description: secret.Description } : {}),
    ...(secret.KmsKeyId !== undefined ? { KmsKeyId: secret.KmsKeyId } : {}),
    LastChangedDate: new Date(secret.LastChangedDate),
    ...(secret.LastAccessedDate !== undefined ? { LastAccessedDate: new Date(secret.LastAccessedDate) } : {}),
    ...(secret.DeletedDate !== undefined ? { DeletedDate: new Date(secret.DeletedDate) } : {}),
    ...(secret.Tags !== undefined ? { Tags: secret.Tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {}),
    ...(Object.keys(versions).length > 0 ? { [versionsKey]: versions } : {}),
    CreatedDate: new Date(secret.CreatedDate),
  };
}
