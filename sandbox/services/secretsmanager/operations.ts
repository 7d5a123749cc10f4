import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { MalformedPolicyError, parsePolicy } from '../../policy';
import {
  findSecret,
  invalidParameter,
  invalidRequest,
  listSecrets,
  markedForDeletion,
  type SecretRecord,
  SecretsManagerError,
  saveSecret,
  scopeOf,
  secretView,
} from './model';
import { randomPassword } from './password';
import { addVersion, checkTags, createSecret, deleteSecret, secretValue } from './secrets';

/**
 * The Secrets Manager operations, one function per API action: secrets and their versions (staging
 * labels move as AWS moves them), deletion with a recovery window, restore, tags, resource policies
 * and `GetRandomPassword`.
 */

type Input = Record<string, unknown>;

const str = (input: Input, name: string): string | undefined => {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`Invalid ${name}: must be a string.`);
  return v;
};

function requiredId(input: Input, name = 'SecretId'): string {
  const v = str(input, name);
  if (!v) {
    throw new SecretsManagerError(
      'ValidationException',
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

function token(input: Input): string {
  const t = str(input, 'ClientRequestToken');
  if (t === undefined)
    throw invalidRequest('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  if (t.length < 32 || t.length > 64) throw invalidParameter('ClientRequestToken must be 32-64 characters long.');
  return t;
}

const live = (secret: SecretRecord): SecretRecord => {
  if (secret.DeletedDate !== undefined) throw markedForDeletion();
  return secret;
};

const flag = (input: Input, name: string): boolean | undefined =>
  typeof input[name] === 'boolean' ? (input[name] as boolean) : undefined;

/** The operations, bound to the runtime. */
export function secretOperations(runtime: SandboxRuntime) {
  const find = (input: Input, ctx: RequestContext) => findSecret(runtime, scopeOf(ctx), requiredId(input));
  return {
    CreateSecret(input: Input, ctx: RequestContext) {
      const { secret, versionId } = createSecret(runtime, scopeOf(ctx), {
        Name: requiredId(input, 'Name'),
        ClientRequestToken: token(input),
        ...(secretValue(input) ?? {}),
        ...(str(input, 'Description') !== undefined ? { Description: str(input, 'Description') as string } : {}),
        ...(str(input, 'KmsKeyId') !== undefined ? { KmsKeyId: str(input, 'KmsKeyId') as string } : {}),
        Tags: input.Tags,
      });
      return { ARN: secret.ARN, Name: secret.Name, ...(versionId ? { VersionId: versionId } : {}) };
    },

    DescribeSecret(input: Input, ctx: RequestContext) {
      return secretView(find(input, ctx), 'VersionIdsToStages');
    },

    GetSecretValue(input: Input, ctx: RequestContext) {
      const secret = live(find(input, ctx));
      const versionId = str(input, 'VersionId');
      const stage = str(input, 'VersionStage') ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
      const version =
        versionId !== undefined
          ? secret.Versions.find((v) => v.VersionId === versionId)
          : secret.Versions.find((v) => v.VersionStages.includes(stage as string));
      if (!version) {
        throw new SecretsManagerError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage}`}`,
        );
      }
      if (versionId !== undefined && stage !== undefined && !version.VersionStages.includes(stage)) {
        throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
      }
      const today = runtime.clock.now();
      today.setUTCHours(0, 0, 0, 0);
      saveSecret(runtime, { ...secret, LastAccessedDate: today.getTime() });
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        VersionId: version.VersionId,
        ...(version.SecretString !== undefined ? { SecretString: version.SecretString } : {}),
        ...(version.SecretBinary !== undefined ? { SecretBinary: version.SecretBinary } : {}),
        VersionStages: [...version.VersionStages],
        CreatedDate: new Date(version.CreatedDate),
      };
    },

    PutSecretValue(input: Input, ctx: RequestContext) {
      const secret = live(find(input, ctx));
      const versionId = token(input);
      const value = secretValue(input);
      if (!value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
      const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : undefined;
      const next = addVersion(runtime, secret, versionId, value, stages);
      saveSecret(runtime, next);
      const version = next.Versions.find((v) => v.VersionId === versionId);
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        VersionId: versionId,
        VersionStages: [...(version?.VersionStages ?? [])],
      };
    },

    UpdateSecret(input: Input, ctx: RequestContext) {
      let secret = live(find(input, ctx));
      const value = secretValue(input);
      const description = str(input, 'Description');
      const kmsKeyId = str(input, 'KmsKeyId');
      secret = {
        ...secret,
        ...(description !== undefined ? { Description: description } : {}),
        ...(kmsKeyId !== undefined ? { KmsKeyId: kmsKeyId } : {}),
        LastChangedDate: runtime.clock.nowMs(),
      };
      const versionId = value ? token(input) : undefined;
      if (value && versionId) secret = addVersion(runtime, secret, versionId, value);
      saveSecret(runtime, secret);
      return { ARN: secret.ARN, Name: secret.Name, ...(versionId ? { VersionId: versionId } : {}) };
    },

    ListSecrets(input: Input, ctx: RequestContext) {
      const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
      if (!Number.isInteger(max) || max < 1 || max > 100) {
        throw new SecretsManagerError(
          'ValidationException',
          `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
        );
      }
      const filters = Array.isArray(input.Filters) ? (input.Filters as { Key?: unknown; Values?: unknown }[]) : [];
      const includeDeleted = input.IncludePlannedDeletion === true;
      const secrets = listSecrets(runtime, scopeOf(ctx)).filter(
        (s) => (includeDeleted || s.DeletedDate === undefined) && filters.every((f) => matches(s, f)),
      );
      secrets.sort((a, b) =>
        input.SortOrder === 'asc' ? a.CreatedDate - b.CreatedDate : b.CreatedDate - a.CreatedDate,
      );
      const { page, next } = pageAt(secrets, str(input, 'NextToken'), max, () =>
        invalidParameter('Invalid NextToken.'),
      );
      return {
        SecretList: page.map((s) => secretView(s, 'SecretVersionsToStages')),
        ...(next ? { NextToken: next } : {}),
      };
    },

    DeleteSecret(input: Input, ctx: RequestContext) {
      const force = flag(input, 'ForceDeleteWithoutRecovery') === true;
      const window = typeof input.RecoveryWindowInDays === 'number' ? input.RecoveryWindowInDays : undefined;
      const secret = deleteSecret(runtime, find(input, ctx), {
        force,
        ...(window !== undefined ? { recoveryWindowInDays: window } : {}),
      });
      return { ARN: secret.ARN, Name: secret.Name, DeletionDate: new Date(secret.DeletionDate as number) };
    },

    RestoreSecret(input: Input, ctx: RequestContext) {
      const { DeletedDate: _d, DeletionDate: _w, ...secret } = find(input, ctx);
      saveSecret(runtime, secret);
      return { ARN: secret.ARN, Name: secret.Name };
    },

    TagResource(input: Input, ctx: RequestContext) {
      const secret = live(find(input, ctx));
      const added = checkTags(input.Tags) ?? [];
      const tags = [...(secret.Tags ?? []).filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
      if (tags.length > 50) throw invalidParameter('Number of tags exceeds limit of 50.');
      saveSecret(runtime, { ...secret, Tags: tags });
      return {};
    },

    UntagResource(input: Input, ctx: RequestContext) {
      const secret = live(find(input, ctx));
      const keys = Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : [];
      saveSecret(runtime, { ...secret, Tags: (secret.Tags ?? []).filter((t) => !keys.includes(t.Key)) });
      return {};
    },

    GetResourcePolicy(input: Input, ctx: RequestContext) {
      const secret = find(input, ctx);
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        ...(secret.ResourcePolicy ? { ResourcePolicy: secret.ResourcePolicy } : {}),
      };
    },

    PutResourcePolicy(input: Input, ctx: RequestContext) {
      const secret = live(find(input, ctx));
      const policy = requiredId(input, 'ResourcePolicy');
      try {
        parsePolicy(policy, 'resource', { kind: 'resource', name: 'ResourcePolicy' });
      } catch (error) {
        if (error instanceof MalformedPolicyError)
          throw new SecretsManagerError('MalformedPolicyDocumentException', error.message);
        throw error;
      }
      saveSecret(runtime, { ...secret, ResourcePolicy: policy });
      return { ARN: secret.ARN, Name: secret.Name };
    },

    DeleteResourcePolicy(input: Input, ctx: RequestContext) {
      const { ResourcePolicy: _p, ...secret } = live(find(input, ctx));
      saveSecret(runtime, secret);
      return { ARN: secret.ARN, Name: secret.Name };
    },

    GetRandomPassword(input: Input) {
      const opt = (name: string) => (flag(input, name) !== undefined ? { [name]: flag(input, name) } : {});
      return {
        RandomPassword: randomPassword(runtime, {
          ...(typeof input.PasswordLength === 'number' ? { PasswordLength: input.PasswordLength } : {}),
          ...(str(input, 'ExcludeCharacters') !== undefined
            ? { ExcludeCharacters: str(input, 'ExcludeCharacters') as string }
            : {}),
          ...opt('ExcludeNumbers'),
          ...opt('ExcludePunctuation'),
          ...opt('ExcludeUppercase'),
          ...opt('ExcludeLowercase'),
          ...opt('IncludeSpace'),
          ...opt('RequireEachIncludedType'),
        }),
      };
    },
  };
}

/** `ListSecrets` filters: prefix matches, `!` negates; `all` looks at name, description and tags. */
function matches(secret: SecretRecord, filter: { Key?: unknown; Values?: unknown }): boolean {
  const values = Array.isArray(filter.Values) ? filter.Values.map(String) : [];
  const fields: Record<string, string[]> = {
    name: [secret.Name],
    description: secret.Description !== undefined ? [secret.Description] : [],
    'tag-key': (secret.Tags ?? []).map((t) => t.Key),
    'tag-value': (secret.Tags ?? []).map((t) => t.Value),
    'primary-region': [secret.region],
    'owning-service': [],
  };
  const key = String(filter.Key);
  const candidates =
    key === 'all'
      ? [...fields.name!, ...fields.description!, ...fields['tag-key']!, ...fields['tag-value']!]
      : fields[key];
  if (!candidates) throw invalidParameter(`Invalid filter key: ${key}`);
  return values.some((v) =>
    v.startsWith('!') ? !candidates.some((c) => c.startsWith(v.slice(1))) : candidates.some((c) => c.startsWith(v)),
  );
}
