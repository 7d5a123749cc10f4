import { pageAt } from '../../core/paging';
import { optionalString, requiredString } from '../../core/protocols/input';
import type { Principal, RequestContext, SandboxRuntime } from '../../core/types';
import { constraint, invalidMarker, invalidState, notFound, tagError, unsupported, validation } from './errors';
import {
  defaultKeyPolicy,
  findKey,
  type KeyRecord,
  type KmsTag,
  keyArn,
  keyMetadata,
  listKeys,
  requireEnabled,
  requireNotPendingDeletion,
  type Scope,
  saveKey,
  scopeOf,
} from './model';
import { checkKeyPolicy, checkTags, lockoutCheck, randomBytes, randomUuid } from './rules';

/**
 * KMS key operations, one function per API action: creation (with the default key policy and the
 * policy lockout safety check), description, listing, key policy, rotation, scheduled deletion,
 * enable/disable and tags.
 */

type Input = Record<string, unknown>;

export const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ECC_NIST_EDWARDS25519',
] as const;
export const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
const DEFAULT_ROTATION_DAYS = 365;

/** The key usages each key spec allows (the first is the default, when there is one). */
function allowedUsages(spec: string): readonly string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  if (spec.startsWith('ML_DSA') || spec === 'ECC_NIST_EDWARDS25519' || spec === 'ECC_SECG_P256K1')
    return ['SIGN_VERIFY'];
  return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
}

/** What `CreateKey` (and `AWS::KMS::Key`) asks for. */
export interface CreateKeyRequest {
  readonly Policy?: string;
  readonly Description?: string;
  readonly KeyUsage?: string;
  readonly KeySpec?: string;
  readonly Tags?: unknown;
  readonly BypassPolicyLockoutSafetyCheck?: boolean;
  readonly Origin?: string;
  readonly MultiRegion?: boolean;
}

/** Creates a key (`CreateKey`); `principal` is the caller for the lockout safety check. */
export function createKey(
  runtime: SandboxRuntime,
  scope: Scope,
  request: CreateKeyRequest,
  options: { principal?: Principal; systemTags?: readonly KmsTag[] } = {},
): KeyRecord {
  const spec = request.KeySpec ?? 'SYMMETRIC_DEFAULT';
  if (!(KEY_SPECS as readonly string[]).includes(spec)) {
    throw constraint(spec, 'keySpec', `Member must satisfy enum value set: [${KEY_SPECS.join(', ')}]`);
  }
  if (request.KeyUsage !== undefined && !(KEY_USAGES as readonly string[]).includes(request.KeyUsage)) {
    throw constraint(request.KeyUsage, 'keyUsage', `Member must satisfy enum value set: [${KEY_USAGES.join(', ')}]`);
  }
  const usages = allowedUsages(spec);
  if (request.KeyUsage === undefined && spec !== 'SYMMETRIC_DEFAULT' && usages.length > 1) {
    throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const usage = request.KeyUsage ?? (usages[0] as string);
  if (!usages.includes(usage)) throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  if (request.Origin !== undefined && request.Origin !== 'AWS_KMS') {
    throw unsupported(`The vendguard sandbox creates only AWS_KMS keys, not ${request.Origin}.`);
  }
  if (request.MultiRegion) throw unsupported('The vendguard sandbox does not create multi-Region keys.');
  if (request.Description !== undefined && request.Description.length > 8192) {
    throw constraint(request.Description, 'description', 'Member must have length less than or equal to 8192');
  }
  const tags = [...checkTags(request.Tags), ...(options.systemTags ?? [])];
  const policy = request.Policy ?? defaultKeyPolicy(scope.account);
  if (request.Policy !== undefined) checkKeyPolicy(request.Policy);
  const keyId = randomUuid(runtime);
  const key: KeyRecord = {
    account: scope.account,
    region: scope.region,
    KeyId: keyId,
    Arn: keyArn(scope, keyId),
    CreationDate: runtime.clock.now().toISOString(),
    Description: request.Description ?? '',
    KeyUsage: usage,
    KeySpec: spec,
    KeyState: 'Enabled',
    Policy: policy,
    RotationEnabled: false,
    Tags: tags,
    ...(spec === 'SYMMETRIC_DEFAULT' ? { Material: randomBytes(runtime, 32).toString('base64') } : {}),
  };
  if (request.Policy !== undefined && !request.BypassPolicyLockoutSafetyCheck)
    lockoutCheck(runtime, options.principal, key);
  saveKey(runtime, key);
  return key;
}

/** Replaces a key's policy (`PutKeyPolicy`). */
export function putKeyPolicy(
  runtime: SandboxRuntime,
  key: KeyRecord,
  policy: string,
  options: { principal?: Principal; bypassLockoutCheck?: boolean } = {},
): KeyRecord {
  checkKeyPolicy(policy);
  const next = { ...key, Policy: policy };
  if (!options.bypassLockoutCheck) lockoutCheck(runtime, options.principal, next);
  saveKey(runtime, next);
  return next;
}

/** Turns automatic rotation on or off (symmetric keys only). */
export function setRotation(runtime: SandboxRuntime, key: KeyRecord, enabled: boolean, periodDays?: number): KeyRecord {
  requireEnabled(key);
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') throw unsupported(`${key.Arn} does not support automatic key rotation.`);
  if (periodDays !== undefined && (periodDays < 90 || periodDays > 2560)) {
    throw constraint(
      periodDays,
      'rotationPeriodInDays',
      `Member must have value ${periodDays < 90 ? 'greater than or equal to 90' : 'less than or equal to 2560'}`,
    );
  }
  const { RotationPeriodInDays: _p, NextRotationDate: _n, ...rest } = key;
  const days = periodDays ?? key.RotationPeriodInDays ?? DEFAULT_ROTATION_DAYS;
  const next: KeyRecord = enabled
    ? {
        ...rest,
        RotationEnabled: true,
        RotationPeriodInDays: days,
        NextRotationDate: new Date(runtime.clock.nowMs() + days * 86_400_000).toISOString(),
      }
    : { ...rest, RotationEnabled: false };
  saveKey(runtime, next);
  return next;
}

/** Schedules a key's deletion after 7–30 days (`ScheduleKeyDeletion`). */
export function scheduleKeyDeletion(runtime: SandboxRuntime, key: KeyRecord, windowDays = 30): KeyRecord {
  if (!Number.isInteger(windowDays) || windowDays < 7 || windowDays > 30) {
    throw validation(`PendingWindowInDays should be between 7 and 30, but it is ${windowDays}`);
  }
  requireNotPendingDeletion(key);
  const next: KeyRecord = {
    ...key,
    KeyState: 'PendingDeletion',
    DeletionDate: new Date(runtime.clock.nowMs() + windowDays * 86_400_000).toISOString(),
    PendingDeletionWindowInDays: windowDays,
  };
  saveKey(runtime, next);
  return next;
}

const int = (input: Input, name: string): number | undefined => {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(`Value for ${name} must be an integer`);
  return v;
};

const keyOf = (runtime: SandboxRuntime, ctx: RequestContext, input: Input, lookup = {}) =>
  findKey(runtime, scopeOf(ctx), requiredString(input, 'KeyId'), lookup);

function policyName(input: Input): void {
  const name = optionalString(input, 'PolicyName');
  if (name !== undefined && name !== 'default') throw notFound('No such policy exists');
}

/** The key operations, bound to the runtime. */
export function keyOperations(runtime: SandboxRuntime) {
  return {
    CreateKey(input: Input, ctx: RequestContext) {
      const key = createKey(
        runtime,
        scopeOf(ctx),
        {
          ...(optionalString(input, 'Policy') !== undefined
            ? { Policy: optionalString(input, 'Policy') as string }
            : {}),
          ...(optionalString(input, 'Description') !== undefined
            ? { Description: optionalString(input, 'Description') as string }
            : {}),
          ...(optionalString(input, 'KeyUsage') !== undefined
            ? { KeyUsage: optionalString(input, 'KeyUsage') as string }
            : {}),
          ...((optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec')) !== undefined
            ? {
                KeySpec: (optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec')) as string,
              }
            : {}),
          ...(optionalString(input, 'Origin') !== undefined
            ? { Origin: optionalString(input, 'Origin') as string }
            : {}),
          Tags: input.Tags,
          BypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck === true,
          MultiRegion: input.MultiRegion === true,
        },
        { principal: ctx.principal },
      );
      return { KeyMetadata: keyMetadata(key) };
    },

    DescribeKey(input: Input, ctx: RequestContext) {
      return { KeyMetadata: keyMetadata(keyOf(runtime, ctx, input, { aliases: true, crossAccount: true })) };
    },

    ListKeys(input: Input, ctx: RequestContext) {
      const limit = int(input, 'Limit') ?? 100;
      if (limit < 1 || limit > 1000) throw constraint(limit, 'limit', 'Member must have value between 1 and 1000');
      const keys = listKeys(runtime, scopeOf(ctx));
      const { page, next } = pageAt(keys, optionalString(input, 'Marker'), limit, () => invalidMarker());
      return {
        Keys: page.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })),
        Truncated: next !== undefined,
        ...(next ? { NextMarker: next } : {}),
      };
    },

    GetKeyPolicy(input: Input, ctx: RequestContext) {
      const key = keyOf(runtime, ctx, input);
      policyName(input);
      return { Policy: key.Policy, PolicyName: 'default' };
    },

    PutKeyPolicy(input: Input, ctx: RequestContext) {
      const key = keyOf(runtime, ctx, input);
      policyName(input);
      putKeyPolicy(runtime, key, requiredString(input, 'Policy'), {
        principal: ctx.principal,
        bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true,
      });
      return {};
    },

    ListKeyPolicies(input: Input, ctx: RequestContext) {
      keyOf(runtime, ctx, input);
      return { PolicyNames: ['default'], Truncated: false };
    },

    EnableKeyRotation(input: Input, ctx: RequestContext) {
      setRotation(runtime, keyOf(runtime, ctx, input), true, int(input, 'RotationPeriodInDays'));
      return {};
    },

    DisableKeyRotation(input: Input, ctx: RequestContext) {
      setRotation(runtime, keyOf(runtime, ctx, input), false);
      return {};
    },

    GetKeyRotationStatus(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input, { crossAccount: true }));
      if (key.KeySpec !== 'SYMMETRIC_DEFAULT') throw unsupported(`${key.Arn} does not support automatic key rotation.`);
      return {
        KeyId: key.Arn,
        KeyRotationEnabled: key.RotationEnabled,
        ...(key.RotationEnabled && key.RotationPeriodInDays !== undefined
          ? { RotationPeriodInDays: key.RotationPeriodInDays }
          : {}),
        ...(key.RotationEnabled && key.NextRotationDate ? { NextRotationDate: new Date(key.NextRotationDate) } : {}),
      };
    },

    ScheduleKeyDeletion(input: Input, ctx: RequestContext) {
      const key = scheduleKeyDeletion(runtime, keyOf(runtime, ctx, input), int(input, 'PendingWindowInDays') ?? 30);
      return {
        KeyId: key.Arn,
        DeletionDate: new Date(key.DeletionDate as string),
        KeyState: key.KeyState,
        PendingWindowInDays: key.PendingDeletionWindowInDays,
      };
    },

    CancelKeyDeletion(input: Input, ctx: RequestContext) {
      const key = keyOf(runtime, ctx, input);
      if (key.KeyState !== 'PendingDeletion') throw invalidState(`${key.Arn} is not pending deletion.`);
      const { DeletionDate: _d, PendingDeletionWindowInDays: _w, ...rest } = key;
      saveKey(runtime, { ...rest, KeyState: 'Disabled' });
      return { KeyId: key.Arn };
    },

    EnableKey(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input));
      saveKey(runtime, { ...key, KeyState: 'Enabled' });
      return {};
    },

    DisableKey(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input));
      saveKey(runtime, { ...key, KeyState: 'Disabled' });
      return {};
    },

    UpdateKeyDescription(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input));
      saveKey(runtime, { ...key, Description: requiredString(input, 'Description') });
      return {};
    },

    TagResource(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input));
      if (input.Tags === undefined) requiredString(input, 'Tags');
      const added = checkTags(input.Tags);
      const merged = [...key.Tags.filter((t) => !added.some((a) => a.TagKey === t.TagKey)), ...added];
      if (merged.length > 50) throw tagError('Too many tags');
      saveKey(runtime, { ...key, Tags: merged });
      return {};
    },

    UntagResource(input: Input, ctx: RequestContext) {
      const key = requireNotPendingDeletion(keyOf(runtime, ctx, input));
      if (!Array.isArray(input.TagKeys)) throw constraint('null', 'tagKeys', 'Member must not be null');
      const keys = input.TagKeys.map(String);
      saveKey(runtime, { ...key, Tags: key.Tags.filter((t) => !keys.includes(t.TagKey)) });
      return {};
    },

    ListResourceTags(input: Input, ctx: RequestContext) {
      const key = keyOf(runtime, ctx, input);
      const limit = int(input, 'Limit') ?? 50;
      const { page, next } = pageAt(key.Tags, optionalString(input, 'Marker'), limit, () => invalidMarker());
      return {
        Tags: page.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
        Truncated: next !== undefined,
        ...(next ? { NextMarker: next } : {}),
      };
    },
  };
}
