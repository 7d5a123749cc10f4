import type { SandboxRuntime } from '../../core/types';
import {
  getSecret,
  invalidParameter,
  invalidRequest,
  purgeSecret,
  type Scope,
  type SecretRecord,
  SecretsManagerError,
  type SecretVersion,
  saveSecret,
  secretArn,
} from './model';

/**
 * Secrets and their versions as `CreateSecret`, `PutSecretValue`, `UpdateSecret` and `DeleteSecret`
 * change them (shared with the `AWS::SecretsManager::Secret` provider): names, values, tags, staging
 * labels that move as AWS moves them, and deletion with a recovery window.
 */

type Input = Record<string, unknown>;

const str = (input: Input, name: string): string | undefined => {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`Invalid ${name}: must be a string.`);
  return v;
};

const NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const MAX_DEPRECATED_VERSIONS = 100;
const DAY_MS = 86_400_000;

/** Validates a secret name. */
export function checkSecretName(name: string): void {
  if (name.length > 512 || !NAME.test(name)) {
    throw new SecretsManagerError(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
}

/** The value of a request: a string or a (base64) binary, never both. */
export function secretValue(input: Input): { SecretString?: string; SecretBinary?: string } | undefined {
  const s = str(input, 'SecretString');
  const b = str(input, 'SecretBinary');
  if (s !== undefined && b !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (s !== undefined) return { SecretString: s };
  if (b !== undefined) return { SecretBinary: b };
  return undefined;
}

export function checkTags(tags: unknown): { Key: string; Value: string }[] | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (!Array.isArray(tags)) throw invalidParameter('Tags must be a list.');
  const out = tags.map((t: { Key?: unknown; Value?: unknown }) => {
    if (typeof t?.Key !== 'string' || t.Key === '' || t.Key.length > 128) throw invalidParameter('Invalid tag key.');
    if (String(t.Value ?? '').length > 256) throw invalidParameter('Invalid tag value.');
    return { Key: t.Key, Value: String(t.Value ?? '') };
  });
  if (out.length > 50) throw invalidParameter('Number of tags exceeds limit of 50.');
  return out;
}

const sameValue = (v: SecretVersion, value: { SecretString?: string; SecretBinary?: string }) =>
  v.SecretString === value.SecretString && v.SecretBinary === value.SecretBinary;

/**
 * Adds a version carrying `stages` (AWSCURRENT by default); labels it takes are removed from the other
 * versions, and the version that loses AWSCURRENT becomes AWSPREVIOUS. A token already used with the
 * same value is a no-op (idempotent retry); with another value it is `ResourceExistsException`.
 */
export function addVersion(
  runtime: SandboxRuntime,
  secret: SecretRecord,
  versionId: string,
  value: { SecretString?: string; SecretBinary?: string },
  stages: readonly string[] = ['AWSCURRENT'],
): SecretRecord {
  const existing = secret.Versions.find((v) => v.VersionId === versionId);
  if (existing) {
    if (sameValue(existing, value)) return secret;
    throw new SecretsManagerError(
      'ResourceExistsException',
      `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${secret.ARN}.`,
    );
  }
  const labels =
    secret.Versions.length === 0 && !stages.includes('AWSCURRENT') ? [...stages, 'AWSCURRENT'] : [...stages];
  const movesCurrent = labels.includes('AWSCURRENT');
  const versions = secret.Versions.map((v) => {
    let kept = v.VersionStages.filter((s) => !labels.includes(s) && !(movesCurrent && s === 'AWSPREVIOUS'));
    if (movesCurrent && v.VersionStages.includes('AWSCURRENT')) kept = [...kept, 'AWSPREVIOUS'];
    return { ...v, VersionStages: kept };
  });
  const labelled = versions.filter((v) => v.VersionStages.length > 0);
  const deprecated = versions.filter((v) => v.VersionStages.length === 0).slice(-MAX_DEPRECATED_VERSIONS);
  const now = runtime.clock.nowMs();
  return {
    ...secret,
    LastChangedDate: now,
    Versions: [...deprecated, ...labelled, { VersionId: versionId, ...value, VersionStages: labels, CreatedDate: now }],
  };
}

/** What `CreateSecret` (and `AWS::SecretsManager::Secret`) asks for. */
export interface CreateSecretRequest {
  readonly Name: string;
  readonly ClientRequestToken: string;
  readonly SecretString?: string;
  readonly SecretBinary?: string;
  readonly Description?: string;
  readonly KmsKeyId?: string;
  readonly Tags?: unknown;
}

/** Creates a secret. Errors: `ResourceExistsException`, `InvalidRequestException` (name scheduled for deletion). */
export function createSecret(
  runtime: SandboxRuntime,
  scope: Scope,
  request: CreateSecretRequest,
): { secret: SecretRecord; versionId?: string } {
  checkSecretName(request.Name);
  const value = secretValue(request as unknown as Input);
  const tags = checkTags(request.Tags);
  const existing = getSecret(runtime, scope, request.Name);
  if (existing) {
    if (existing.DeletedDate !== undefined) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    const same = existing.Versions.find((v) => v.VersionId === request.ClientRequestToken);
    if (same && value && sameValue(same, value)) return { secret: existing, versionId: same.VersionId };
    throw new SecretsManagerError(
      'ResourceExistsException',
      `The operation failed because the secret ${request.Name} already exists.`,
    );
  }
  const now = runtime.clock.nowMs();
  let secret: SecretRecord = {
    account: scope.account,
    region: scope.region,
    Name: request.Name,
    ARN: secretArn(runtime, scope, request.Name),
    ...(request.Description !== undefined ? { Description: request.Description } : {}),
    ...(request.KmsKeyId !== undefined ? { KmsKeyId: request.KmsKeyId } : {}),
    CreatedDate: now,
    LastChangedDate: now,
    ...(tags !== undefined ? { Tags: tags } : {}),
    Versions: [],
  };
  if (value) secret = addVersion(runtime, secret, request.ClientRequestToken, value);
  saveSecret(runtime, secret);
  return { secret, ...(value ? { versionId: request.ClientRequestToken } : {}) };
}

/** Deletes a secret now, or schedules it after a recovery window (default 30 days). */
export function deleteSecret(
  runtime: SandboxRuntime,
  secret: SecretRecord,
  options: { recoveryWindowInDays?: number; force?: boolean } = {},
): SecretRecord {
  const window = options.recoveryWindowInDays;
  if (window !== undefined && options.force) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (window !== undefined && (!Number.isInteger(window) || window < 7 || window > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const now = runtime.clock.nowMs();
  if (options.force) {
    purgeSecret(runtime, secret);
    return { ...secret, DeletedDate: now, DeletionDate: now };
  }
  if (secret.DeletedDate !== undefined) {
    throw invalidRequest("You tried to perform the operation on a secret that's currently marked deleted.");
  }
  const next = { ...secret, DeletedDate: now, DeletionDate: now + (window ?? 30) * DAY_MS };
  saveSecret(runtime, next);
  return next;
}

/** Adds a version that becomes AWSCURRENT (`PutSecretValue`, `UpdateSecret` with a value) and saves the secret. */
export function putSecretVersion(
  runtime: SandboxRuntime,
  secret: SecretRecord,
  versionId: string,
  value: { SecretString?: string; SecretBinary?: string },
): SecretRecord {
  const next = addVersion(runtime, secret, versionId, value);
  saveSecret(runtime, next);
  return next;
}
