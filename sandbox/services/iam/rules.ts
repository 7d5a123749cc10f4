import { parsePolicy } from '../../policy';
import { MalformedPolicyError } from '../../policy/errors';
import type { CompiledPolicy, PolicyKind } from '../../policy/types';
import {
  InvalidInput,
  LimitExceeded,
  MalformedPolicyDocument,
  NoSuchEntity,
  UnmodifiableEntity,
  ValidationError,
} from './errors';
import { MAX_SESSION_DURATION, type Tag } from './input';
import { awsManagedPolicy } from './managed';
import type { IamRole } from './model';

/**
 * The rules a role must keep, as IAM states them: the name and path grammar, documents the
 * evaluator accepts, and IAM's quotas (10 managed policies per role, 10,240 characters of inline
 * policies and 2,048 of trust policy without white space, 50 tags).
 */

/** AWS's quotas for roles (IAM and STS quotas, IAM User Guide). */
export const QUOTAS = {
  managedPoliciesPerRole: 10,
  inlinePolicyChars: 10_240,
  trustPolicyChars: 2048,
  tagsPerRole: 50,
} as const;

// ---- grammar -------------------------------------------------------------------------------

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(?:\/|\/[\u0021-\u007E]+\/)$/;
const PATH_PREFIX = /^\/[\u0021-\u007F]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: roleDescriptionType allows tab, line feed and carriage return
const DESCRIPTION = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;
/** Paths of roles only AWS may change (service-linked roles, IAM Identity Center roles). */
const PROTECTED_PATHS = ['/aws-service-role/', '/aws-reserved/'];

const violation = (value: unknown, member: string, constraint: string): ValidationError =>
  new ValidationError(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

/** Checks a role name: 1–64 characters of `[\w+=,.@-]`. */
export function checkRoleName(roleName: string): void {
  if (roleName.length < 1) throw violation(roleName, 'roleName', 'Member must have length greater than or equal to 1');
  if (roleName.length > 64) throw violation(roleName, 'roleName', 'Member must have length less than or equal to 64');
  if (!NAME.test(roleName)) {
    throw new ValidationError(
      'The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-',
    );
  }
}

/** Checks a path: `/` or `/…/` of printable ASCII, at most 512 characters. */
export function checkPath(path: string): void {
  if (path.length > 512) throw violation(path, 'path', 'Member must have length less than or equal to 512');
  if (!PATH.test(path)) {
    throw new ValidationError(
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
  }
}

/** Checks a `PathPrefix` of `ListRoles`. */
export function checkPathPrefix(prefix: string): void {
  if (!PATH_PREFIX.test(prefix)) {
    throw new ValidationError(
      'The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.',
    );
  }
}

export function checkDescription(description: string): void {
  if (description.length > 1000) {
    throw violation(description, 'description', 'Member must have length less than or equal to 1000');
  }
  if (!DESCRIPTION.test(description)) {
    throw violation(
      description,
      'description',
      'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
    );
  }
}

export function checkMaxSessionDuration(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < MAX_SESSION_DURATION.min) {
    throw violation(
      seconds,
      'maxSessionDuration',
      `Member must have value greater than or equal to ${MAX_SESSION_DURATION.min}`,
    );
  }
  if (seconds > MAX_SESSION_DURATION.max) {
    throw violation(
      seconds,
      'maxSessionDuration',
      `Member must have value less than or equal to ${MAX_SESSION_DURATION.max}`,
    );
  }
}

export function checkPolicyName(policyName: string): void {
  if (policyName.length < 1 || policyName.length > 128 || !NAME.test(policyName)) {
    throw violation(policyName, 'policyName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  }
}

/** Whether a role may only be changed by AWS (its path is a service-linked or reserved one). */
export const isProtected = (role: IamRole): boolean => PROTECTED_PATHS.some((p) => role.path.startsWith(p));

/** Throws `UnmodifiableEntity` for a protected role. */
export function checkModifiable(role: IamRole): void {
  if (isProtected(role)) throw new UnmodifiableEntity(role.roleName);
}

/** Whether a path is reserved for roles AWS creates. */
export const isReservedPath = (path: string): boolean => PROTECTED_PATHS.some((p) => path.startsWith(p));

// ---- documents -----------------------------------------------------------------------------

/** The text of a document given as a string or an object. */
export const documentText = (document: string | object): string =>
  typeof document === 'string' ? document : JSON.stringify(document);

/** IAM counts policy sizes without white space. */
const charsOf = (document: string): number => document.replace(/\s/g, '').length;

/**
 * Compiles a document with the sandbox's evaluator; its refusal becomes `MalformedPolicyDocument`
 * with the evaluator's message (which names the statement).
 */
export function compile(document: string, kind: PolicyKind, name: string): CompiledPolicy {
  try {
    return parsePolicy(document, kind, { kind, name });
  } catch (err) {
    if (err instanceof MalformedPolicyError) throw new MalformedPolicyDocument(err.message);
    throw err;
  }
}

export const trustSource = (roleName: string): string => `role ${roleName} trust policy`;
export const inlineSource = (roleName: string, policyName: string): string =>
  `role ${roleName} inline policy ${policyName}`;

/** Validates a trust policy: the evaluator's trust grammar, then the 2,048-character quota. */
export function checkTrustPolicy(roleName: string, document: string): void {
  compile(document, 'trust', trustSource(roleName));
  if (charsOf(document) > QUOTAS.trustPolicyChars) {
    throw new LimitExceeded(`Cannot exceed quota for ACLSizePerRole: ${QUOTAS.trustPolicyChars}`);
  }
}

/** Validates an inline policy and the role's aggregate inline size with it in place. */
export function checkInlinePolicy(
  roleName: string,
  policyName: string,
  document: string,
  others: Readonly<Record<string, string>>,
): void {
  checkPolicyName(policyName);
  compile(document, 'identity', inlineSource(roleName, policyName));
  let total = charsOf(document);
  for (const [name, text] of Object.entries(others)) if (name !== policyName) total += charsOf(text);
  if (total > QUOTAS.inlinePolicyChars) {
    throw new LimitExceeded(`Maximum policy size of ${QUOTAS.inlinePolicyChars} bytes exceeded for role ${roleName}`);
  }
}

/** Throws unless the ARN is an attachable managed policy the sandbox knows (AWS managed only). */
export function checkAttachable(policyArn: string): void {
  if (!awsManagedPolicy(policyArn)) {
    throw new NoSuchEntity(`Policy ${policyArn} does not exist or is not attachable.`);
  }
}

/** Throws `LimitExceeded` past the managed-policies-per-role quota. */
export function checkManagedQuota(count: number): void {
  if (count > QUOTAS.managedPoliciesPerRole) {
    throw new LimitExceeded(`Cannot exceed quota for PoliciesPerRole: ${QUOTAS.managedPoliciesPerRole}`);
  }
}

// ---- tags ----------------------------------------------------------------------------------

/** Throws `InvalidInput` when keys repeat (IAM tag keys are case-insensitive). */
export function checkDuplicateTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const { Key } of tags) {
    const k = Key.toLowerCase();
    if (seen.has(k))
      throw new InvalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
}

/** Adds or replaces tags (keys match case-insensitively) and enforces the 50-tag quota. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  checkDuplicateTags(added);
  const replaced = new Set(added.map((t) => t.Key.toLowerCase()));
  const merged = [...existing.filter((t) => !replaced.has(t.Key.toLowerCase())), ...added];
  if (merged.length > QUOTAS.tagsPerRole) throw new LimitExceeded('The number of tags has reached the maximum limit.');
  return merged;
}

/** Removes tags by key (case-insensitively); absent keys are ignored. */
export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const removed = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !removed.has(t.Key.toLowerCase()));
}
