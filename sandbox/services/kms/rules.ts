import type { Principal, SandboxRuntime } from '../../core/types';
import { MalformedPolicyError, parsePolicy } from '../../policy';
import { constraint, malformedPolicy, tagError, validation } from './errors';
import { type KeyRecord, type KmsTag, keyPolicy } from './model';

/**
 * KMS's rules that more than one operation applies: key policy documents (size, syntax, the policy
 * lockout safety check), tags, and the seeded ids and bytes keys are made of.
 */

const MAX_POLICY_BYTES = 32_768;

/** A version-4 UUID drawn from the sandbox's seeded generator. */
export function randomUuid(runtime: SandboxRuntime): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(runtime.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(runtime.random() * 4)] as string;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** `n` random bytes from the sandbox's seeded generator. */
export function randomBytes(runtime: SandboxRuntime, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(runtime.random() * 256)));
}

/** Validates a key policy document (`MalformedPolicyDocumentException`, `LimitExceededException`). */
export function checkKeyPolicy(policy: string): void {
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES) {
    throw constraint('…', 'policy', `Member must have length less than or equal to ${MAX_POLICY_BYTES}`);
  }
  try {
    parsePolicy(policy, 'resource', { kind: 'resource', name: 'key policy' });
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw malformedPolicy(error.message);
    throw error;
  }
}

/**
 * KMS's policy lockout safety check: the caller must still be allowed `kms:PutKeyPolicy` under the new
 * policy. Skipped when the runtime models no identities (unit tests) or no caller is known (CloudFormation).
 */
export function lockoutCheck(runtime: SandboxRuntime, principal: Principal | undefined, key: KeyRecord): void {
  if (!principal || !runtime.authorize) return;
  const denial = runtime.authorize({
    principal,
    action: 'kms:PutKeyPolicy',
    resources: [key.Arn],
    region: key.region,
    resourcePolicy: keyPolicy(key),
    resourceAccountId: key.account,
  });
  if (denial) throw malformedPolicy('The new key policy will not allow you to update the key policy in the future.');
}

/** Validates KMS tags; `system` lets CloudFormation set its own `aws:cloudformation:*` tags. */
export function checkTags(tags: unknown, options: { system?: boolean } = {}): KmsTag[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw validation('Tags must be a list');
  const out = tags.map((t: { TagKey?: unknown; TagValue?: unknown }, i) => {
    const TagKey = t?.TagKey;
    const TagValue = t?.TagValue ?? '';
    if (typeof TagKey !== 'string' || TagKey === '')
      throw constraint(TagKey, `tags.${i + 1}.member.tagKey`, 'Member must not be null');
    if (TagKey.length > 128)
      throw constraint(TagKey, `tags.${i + 1}.member.tagKey`, 'Member must have length less than or equal to 128');
    if (String(TagValue).length > 256) {
      throw constraint(TagValue, `tags.${i + 1}.member.tagValue`, 'Member must have length less than or equal to 256');
    }
    if (!options.system && TagKey.toLowerCase().startsWith('aws:'))
      throw tagError('Tags beginning with aws: are reserved');
    return { TagKey, TagValue: String(TagValue) };
  });
  if (new Set(out.map((t) => t.TagKey)).size < out.length) throw tagError('Duplicate tag keys');
  if (out.length > 50) throw tagError('Too many tags');
  return out;
}
