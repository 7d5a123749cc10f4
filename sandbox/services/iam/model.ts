import { randomUUID } from 'node:crypto';
import { uniqueIdFor } from '../../core/identity';
import type { Clock, Store } from '../../core/types';
import type { CompiledPolicy } from '../../policy/types';
import { DeleteConflict, EntityAlreadyExists, roleNotFound } from './errors';
import { MAX_SESSION_DURATION, type Tag } from './input';
import { managedPolicy } from './managed';
import {
  checkAttachable,
  checkDescription,
  checkInlinePolicy,
  checkManagedQuota,
  checkMaxSessionDuration,
  checkPath,
  checkRoleName,
  checkTrustPolicy,
  compile,
  documentText,
  inlineSource,
  mergeTags,
  trustSource,
} from './rules';

export { QUOTAS } from './rules';

/**
 * IAM roles in the store: one document per role, unique per account whatever the case of its name,
 * written only after the rules of `rules.ts` hold. Also the programmatic API the rest of the sandbox uses ({@link putRole}, {@link getRole},
 * {@link deleteRole}, {@link rolePolicies}).
 */

export const TABLES = {
  /** `<account>/<lower-cased role name>` → {@link IamRole}. */
  roles: 'iam.roles',
  /** Same ids → `{ revision }`: a tiny document {@link rolePolicies} reads on every request. */
  revisions: 'iam.role-revisions',
} as const;

/**
 * A role as the store holds it (and {@link getRole} returns it). Documents are kept as submitted,
 * not URL-encoded; the API encodes them on the way out.
 */
export interface IamRole {
  readonly accountId: string;
  readonly roleName: string;
  /** `AROA…`. */
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  /** ISO 8601. */
  readonly createDate: string;
  readonly description?: string;
  /** Seconds (3600–43200). */
  readonly maxSessionDuration: number;
  /** The trust policy (`AssumeRolePolicyDocument`). */
  readonly trustPolicy: string;
  /** Inline policies by name, in the order they were first put. */
  readonly inlinePolicies: Readonly<Record<string, string>>;
  /** Attached managed policies, in attachment order. */
  readonly managedPolicyArns: readonly string[];
  readonly tags: readonly Tag[];
  /** Changes with every write; compiled policies are cached against it. */
  readonly revision: string;
}

/** The compiled policies of a role, as the authorizer asks for them. */
export interface RolePolicies {
  readonly trust: CompiledPolicy;
  /** Inline policies (in order), then attached managed policies (in order). */
  readonly identity: readonly CompiledPolicy[];
}

/** The store id of a role: IAM names are unique per account whatever their case. */
export const roleKey = (accountId: string, roleName: string): string => `${accountId}/${roleName.toLowerCase()}`;

/** The ARN of a role: `arn:aws:iam::<account>:role<path><name>`. */
export const roleArn = (accountId: string, path: string, roleName: string): string =>
  `arn:aws:iam::${accountId}:role${path}${roleName}`;

// ---- store ---------------------------------------------------------------------------------

/** A role by name (case-insensitive), or undefined. */
export function findRole(store: Store, accountId: string, roleName: string): IamRole | undefined {
  return store.get<IamRole>(TABLES.roles, roleKey(accountId, roleName));
}

/** A role by name, or `NoSuchEntity`. */
export function mustRole(store: Store, accountId: string, roleName: string): IamRole {
  const role = findRole(store, accountId, roleName);
  if (!role) throw roleNotFound(roleName);
  return role;
}

/** Every role of an account, in creation order. */
export function listRoles(store: Store, accountId: string): IamRole[] {
  return store.list<IamRole>(TABLES.roles, `${accountId}/`);
}

/** Writes a role under a new revision (the compiled-policy cache notices the change). */
export function saveRole(store: Store, role: Omit<IamRole, 'revision'>, options: { create?: boolean } = {}): IamRole {
  const key = roleKey(role.accountId, role.roleName);
  const saved: IamRole = { ...role, revision: randomUUID() };
  store.transaction(() => {
    if (options.create) {
      if (!store.insert(TABLES.roles, key, saved)) {
        throw new EntityAlreadyExists(`Role with name ${role.roleName} already exists.`);
      }
    } else {
      store.put(TABLES.roles, key, saved);
    }
    store.put(TABLES.revisions, key, { revision: saved.revision });
  });
  cacheOf(store).delete(key);
  return saved;
}

/** Removes a role and everything it holds; false when there was none. */
export function removeRole(store: Store, accountId: string, roleName: string): boolean {
  const key = roleKey(accountId, roleName);
  const removed = store.transaction(() => {
    store.delete(TABLES.revisions, key);
    return store.delete(TABLES.roles, key);
  });
  cacheOf(store).delete(key);
  return removed;
}

/** Throws `DeleteConflict` while a role still has attached or inline policies. */
export function checkDeletable(role: IamRole): void {
  if (role.managedPolicyArns.length > 0) {
    throw new DeleteConflict('Cannot delete entity, must detach all policies first.');
  }
  if (Object.keys(role.inlinePolicies).length > 0) {
    throw new DeleteConflict('Cannot delete entity, must delete policies first.');
  }
}

// ---- compiled policies ---------------------------------------------------------------------

interface CacheEntry {
  readonly revision: string;
  readonly policies: RolePolicies;
}

const CACHE_LIMIT = 10_000;
const caches = new WeakMap<Store, Map<string, CacheEntry>>();

function cacheOf(store: Store): Map<string, CacheEntry> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new Map();
    caches.set(store, cache);
  }
  return cache;
}

function compileRole(role: IamRole): RolePolicies {
  const identity: CompiledPolicy[] = Object.entries(role.inlinePolicies).map(([name, text]) =>
    compile(text, 'identity', inlineSource(role.roleName, name)),
  );
  for (const arn of role.managedPolicyArns) {
    const policy = managedPolicy(arn);
    if (policy) identity.push(policy);
  }
  return { trust: compile(role.trustPolicy, 'trust', trustSource(role.roleName)), identity };
}

/**
 * The compiled trust and identity policies of a role, or undefined when the role does not exist.
 * Called for every API request the sandbox authorizes: it reads one tiny revision document and
 * returns the policies compiled for that revision, compiling only after a change (the revision is
 * random per write, so a store reset or a restart can never serve stale policies).
 *
 * @example
 * const policies = rolePolicies(runtime.store, '111122223333', 'Developer');
 * if (policies) authorize(request, { scpLevels, identity: policies.identity });
 */
export function rolePolicies(store: Store, accountId: string, roleName: string): RolePolicies | undefined {
  const key = roleKey(accountId, roleName);
  const cache = cacheOf(store);
  const current = store.get<{ revision: string }>(TABLES.revisions, key);
  if (!current) {
    cache.delete(key);
    return undefined;
  }
  const hit = cache.get(key);
  if (hit && hit.revision === current.revision) return hit.policies;
  const role = store.get<IamRole>(TABLES.roles, key);
  if (!role) return undefined;
  const policies = compileRole(role);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, { revision: role.revision, policies });
  return policies;
}

// ---- programmatic API ----------------------------------------------------------------------

/** What {@link putRole} creates or replaces. */
export interface RoleSpec {
  readonly roleName: string;
  /** Default `/`. Reserved paths (`/aws-service-role/`) are allowed here, and make the role unmodifiable over the API. */
  readonly path?: string;
  readonly description?: string;
  readonly trustPolicy: string | object;
  readonly inlinePolicies?: Readonly<Record<string, string | object>>;
  /** AWS managed policy ARNs the catalogue knows (`managed.ts`). */
  readonly managedPolicyArns?: readonly string[];
  readonly tags?: readonly Tag[] | Readonly<Record<string, string>>;
  /** Seconds, 3600–43200; default 3600. */
  readonly maxSessionDuration?: number;
}

/**
 * Creates a role, or replaces every attribute of an existing one (keeping its RoleId and
 * CreateDate), after validating all of it exactly as the API would; nothing is stored on error.
 *
 * @example
 * putRole(runtime.store, runtime.clock, accountId, {
 *   roleName: 'OrganizationAccountAccessRole',
 *   trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }] },
 *   managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
 * });
 */
export function putRole(store: Store, clock: Clock, accountId: string, spec: RoleSpec): IamRole {
  const path = spec.path ?? '/';
  checkRoleName(spec.roleName);
  checkPath(path);
  if (spec.description !== undefined) checkDescription(spec.description);
  const maxSessionDuration = spec.maxSessionDuration ?? MAX_SESSION_DURATION.default;
  checkMaxSessionDuration(maxSessionDuration);
  const trustPolicy = documentText(spec.trustPolicy);
  checkTrustPolicy(spec.roleName, trustPolicy);
  const inlinePolicies: Record<string, string> = {};
  for (const [name, document] of Object.entries(spec.inlinePolicies ?? {})) {
    inlinePolicies[name] = documentText(document);
  }
  for (const [name, text] of Object.entries(inlinePolicies))
    checkInlinePolicy(spec.roleName, name, text, inlinePolicies);
  const managedPolicyArns = [...new Set(spec.managedPolicyArns ?? [])];
  managedPolicyArns.forEach(checkAttachable);
  checkManagedQuota(managedPolicyArns.length);
  const tags: Tag[] = Array.isArray(spec.tags)
    ? [...(spec.tags as readonly Tag[])]
    : Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const mergedTags = mergeTags([], tags);

  const existing = findRole(store, accountId, spec.roleName);
  const arn = roleArn(accountId, path, spec.roleName);
  return saveRole(store, {
    accountId,
    roleName: spec.roleName,
    roleId: existing?.roleId ?? uniqueIdFor('AROA', arn),
    arn,
    path,
    createDate: existing?.createDate ?? clock.now().toISOString(),
    ...(spec.description !== undefined && spec.description !== '' ? { description: spec.description } : {}),
    maxSessionDuration,
    trustPolicy,
    inlinePolicies,
    managedPolicyArns,
    tags: mergedTags,
  });
}

/** A role of an account by name (case-insensitive), or undefined. */
export function getRole(store: Store, accountId: string, roleName: string): IamRole | undefined {
  return findRole(store, accountId, roleName);
}

/** Deletes a role with its inline policies and attachments (no `DeleteConflict`); false when absent. */
export function deleteRole(store: Store, accountId: string, roleName: string): boolean {
  return removeRole(store, accountId, roleName);
}
