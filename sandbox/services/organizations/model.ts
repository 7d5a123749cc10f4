import { trustedServicesOf } from '../../../config/organization-services';
import { AwsErrorWithFields } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import { coreAccountId } from '../../core/runtime';
import type { OrganizationView, Store } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { seedMemberRoles } from '../iam/seed';
import { INTEGRATED_SERVICE_PRINCIPALS } from './service-principals';

/**
 * The organization's state in the store, its seed from the config, and the
 * {@link OrganizationView} other services read.
 */

export const T = {
  meta: 'org.meta',
  ous: 'org.ous',
  accounts: 'org.accounts',
  tags: 'org.tags',
  policies: 'org.policies',
  attachments: 'org.attachments',
  createStatus: 'org.createStatus',
  /** Trusted access, by service principal. */
  trusted: 'org.trusted',
  /** Delegated administrators, by `<account id>/<service principal>`. */
  delegated: 'org.delegated',
  /** `CloseAccount` requests, by `<account id>/<requested ms>` (closure.ts). */
  closures: 'org.closures',
} as const;

export const SCP = 'SERVICE_CONTROL_POLICY';
export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';
export const FULL_AWS_ACCESS_CONTENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

export interface OrgMeta {
  readonly id: string;
  readonly arn: string;
  readonly rootId: string;
  readonly rootArn: string;
  readonly masterAccountId: string;
  readonly masterAccountEmail: string;
  /**
   * The policy types enabled in the root (`EnablePolicyType`); absent in an organization seeded before
   * they were modelled: SCPs only, as the sandbox seeds it.
   */
  readonly enabledPolicyTypes?: readonly string[];
}

export interface OuRecord {
  readonly Id: string;
  readonly Arn: string;
  Name: string;
  ParentId: string;
  readonly Path: string;
}

export interface AccountRecord {
  readonly Id: string;
  readonly Arn: string;
  readonly Email: string;
  readonly Name: string;
  readonly Status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  readonly JoinedMethod: 'INVITED' | 'CREATED';
  readonly JoinedTimestampMs: number;
  ParentId: string;
}

export interface PolicyRecord {
  readonly Id: string;
  readonly Arn: string;
  Name: string;
  Description: string;
  readonly Type: string;
  readonly AwsManaged: boolean;
  Content: string;
}

export interface AttachmentRecord {
  readonly policyId: string;
  readonly targetId: string;
}

/** A service with trusted access (`EnableAWSServiceAccess`). */
export interface TrustedServiceRecord {
  readonly servicePrincipal: string;
  readonly dateEnabledMs: number;
}

/** A member account registered as a delegated administrator for a service. */
export interface DelegatedRecord {
  readonly accountId: string;
  readonly servicePrincipal: string;
  readonly delegationEnabledDateMs: number;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface CreateStatusRecord {
  readonly Id: string;
  readonly AccountName: string;
  readonly Email: string;
  State: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly RequestedTimestampMs: number;
  CompletedTimestampMs?: number;
  AccountId?: string;
  FailureReason?: string;
  readonly dueMs: number;
  /** Decided when requested (concurrency limit, fault). */
  readonly failWith?: string;
  readonly Tags: Tag[];
}

/** Organizations error helpers (AWS's names). */
export const orgError = (code: string, message: string): AwsServiceError => new AwsServiceError(code, message);
export const constraintViolation = (reason: string, message: string): AwsServiceError =>
  new AwsErrorWithFields('ConstraintViolationException', message, { Reason: reason });
export const invalidInput = (reason: string, message: string): AwsServiceError =>
  new AwsErrorWithFields('InvalidInputException', message, { Reason: reason });

const generations = new WeakMap<Store, number>();

/** Typed access to the organization tables. */
export class OrgState {
  constructor(readonly store: Store) {}

  /** Bumped by every change to the tree, the policies or their attachments (cached views compare it). */
  get generation(): number {
    return generations.get(this.store) ?? 0;
  }

  /** Marks the tree, policies or attachments as changed. */
  touch(): void {
    generations.set(this.store, this.generation + 1);
  }

  meta(): OrgMeta {
    const m = this.store.get<OrgMeta>(T.meta, 'org');
    if (!m)
      throw new AwsServiceError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
      );
    return m;
  }

  seeded(): boolean {
    return this.store.get<OrgMeta>(T.meta, 'org') !== undefined;
  }

  ou(id: string): OuRecord | undefined {
    return this.store.get<OuRecord>(T.ous, id);
  }

  ous(): OuRecord[] {
    return this.store.list<OuRecord>(T.ous);
  }

  account(id: string): AccountRecord | undefined {
    return this.store.get<AccountRecord>(T.accounts, id);
  }

  accounts(): AccountRecord[] {
    return this.store.list<AccountRecord>(T.accounts);
  }

  policy(id: string): PolicyRecord | undefined {
    return this.store.get<PolicyRecord>(T.policies, id);
  }

  policies(): PolicyRecord[] {
    return this.store.list<PolicyRecord>(T.policies);
  }

  attachments(): AttachmentRecord[] {
    return this.store.list<AttachmentRecord>(T.attachments);
  }

  attached(policyId: string, targetId: string): boolean {
    return this.store.get(T.attachments, `${policyId}|${targetId}`) !== undefined;
  }

  attach(policyId: string, targetId: string): void {
    this.store.put<AttachmentRecord>(T.attachments, `${policyId}|${targetId}`, { policyId, targetId });
    this.touch();
  }

  detach(policyId: string, targetId: string): boolean {
    this.touch();
    return this.store.delete(T.attachments, `${policyId}|${targetId}`);
  }

  tags(resourceId: string): Tag[] {
    return this.store.get<Tag[]>(T.tags, resourceId) ?? [];
  }

  setTags(resourceId: string, tags: Tag[]): void {
    this.store.put(T.tags, resourceId, tags);
  }

  /** The policy types enabled in the root, in the order they were enabled. */
  enabledPolicyTypes(): readonly string[] {
    return this.meta().enabledPolicyTypes ?? [SCP];
  }

  policyTypeEnabled(type: string): boolean {
    return this.enabledPolicyTypes().includes(type);
  }

  setEnabledPolicyTypes(types: readonly string[]): void {
    this.store.put<OrgMeta>(T.meta, 'org', { ...this.meta(), enabledPolicyTypes: [...types] });
    this.touch();
  }

  /** Whether an id is the root or an OU. */
  isParent(id: string): boolean {
    return id === this.meta().rootId || this.ou(id) !== undefined;
  }

  /** Whether an id is a valid policy target (root, OU, account). */
  isTarget(id: string): boolean {
    return this.isParent(id) || this.account(id) !== undefined;
  }
}

type ScpPath = ReturnType<OrganizationView['scpPath']>;

/** Builds the {@link OrganizationView} over the store. */
export function organizationView(state: OrgState, runtime: LocalRuntime): OrganizationView {
  // asked on every API call of a member account: cached until the tree or its policies change
  const paths = new Map<string, ScpPath>();
  let pathsGeneration = -1;
  let byTarget = new Map<string, { id: string; content: string }[]>();
  return {
    get rootId() {
      return state.meta().rootId;
    },
    get organizationId() {
      return state.meta().id;
    },
    scpPath(accountId: string): ScpPath {
      // SCPs disabled in the root (DisablePolicyType): none applies, none is attached
      if (!state.policyTypeEnabled(SCP)) return [];
      if (pathsGeneration !== state.generation) {
        paths.clear();
        byTarget = new Map();
        for (const a of state.attachments()) {
          const policy = state.policy(a.policyId);
          if (policy?.Type !== SCP) continue;
          const list = byTarget.get(a.targetId) ?? [];
          list.push({ id: policy.Id, content: policy.Content });
          byTarget.set(a.targetId, list);
        }
        pathsGeneration = state.generation;
      }
      const cached = paths.get(accountId);
      if (cached) return cached;
      const account = state.account(accountId);
      if (!account) return [];
      const chain: string[] = [account.Id];
      let parent: string | undefined = account.ParentId;
      while (parent) {
        chain.unshift(parent);
        parent = state.ou(parent)?.ParentId;
      }
      const path = chain.map((targetId) => ({ targetId, policies: byTarget.get(targetId) ?? [] }));
      paths.set(accountId, path);
      return path;
    },
    accountIdsUnder(parentId: string): string[] {
      const parents = new Set([parentId]);
      let grew = true;
      const ous = state.ous();
      while (grew) {
        grew = false;
        for (const ou of ous) {
          if (parents.has(ou.ParentId) && !parents.has(ou.Id)) {
            parents.add(ou.Id);
            grew = true;
          }
        }
      }
      return state
        .accounts()
        .filter((a) => a.Status === 'ACTIVE' && parents.has(a.ParentId))
        .map((a) => a.Id);
    },
    accountExists(accountId: string): boolean {
      return state.account(accountId)?.Status === 'ACTIVE';
    },
    ouIdByPath(path: string): string | undefined {
      return state.ous().find((o) => o.Path === path)?.Id;
    },
    accountIdByName(name: string): string | undefined {
      const index = runtime.config.accounts.findIndex((a) => a.name === name);
      if (index >= 0) return coreAccountId(index);
      return state.accounts().find((a) => a.Name === name)?.Id;
    },
  };
}

/**
 * The delegated administrators of the config with their account ids, checked as AWS would refuse
 * them (an account that is not in the organization, the management account, a service Organizations
 * does not integrate): a config the sandbox cannot seed is an error at start, naming the entry.
 */
function configuredDelegations(runtime: LocalRuntime): { accountId: string; servicePrincipal: string }[] {
  const { config, managementAccountId } = runtime;
  const trusted = trustedServicesOf(config);
  const unknown = trusted.filter((sp) => !INTEGRATED_SERVICE_PRINCIPALS.has(sp));
  if (unknown.length > 0) {
    throw new Error(
      `organization.trustedServices: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a service principal AWS Organizations recognizes (EnableAWSServiceAccess would refuse it); the sandbox's list is sandbox/services/organizations/service-principals.ts`,
    );
  }
  return config.organization.delegatedAdministrators.map((d, i) => {
    const index = config.accounts.findIndex((a) => a.name === d.account);
    const accountId = index >= 0 ? coreAccountId(index) : undefined;
    if (!accountId || accountId === managementAccountId) {
      throw new Error(
        `organization.delegatedAdministrators.${i}: "${d.account}" is ${accountId ? 'the management account' : 'not an account of the config'}; only a member account can be a delegated administrator`,
      );
    }
    return { accountId, servicePrincipal: d.servicePrincipal };
  });
}

/**
 * Seeds the organization from the config on first start (no-op when seeded): OUs, core accounts,
 * FullAWSAccess, trusted access for {@link trustedServicesOf} and the delegated administrators.
 */
export function seedOrganization(state: OrgState, runtime: LocalRuntime): void {
  state.touch();
  if (state.seeded()) return;
  const rng = runtime.generator;
  const { config, managementAccountId: mgmt } = runtime;
  const delegations = configuredDelegations(runtime);
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const orgId = `o-${rng.chars(10, alnum)}`;
  const rootId = `r-${rng.chars(4, alnum)}`;
  const rootSuffix = rootId.slice(2);
  const mgmtAccount = config.accounts.find((a) => a.role === 'management');
  state.store.transaction(() => {
    state.store.put<OrgMeta>(T.meta, 'org', {
      id: orgId,
      arn: `arn:aws:organizations::${mgmt}:organization/${orgId}`,
      rootId,
      rootArn: `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`,
      masterAccountId: mgmt,
      masterAccountEmail: mgmtAccount?.email ?? 'management@example.com',
    });
    state.store.put<PolicyRecord>(T.policies, FULL_AWS_ACCESS_ID, {
      Id: FULL_AWS_ACCESS_ID,
      Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
      Name: 'FullAWSAccess',
      Description: 'Allows access to every operation',
      Type: SCP,
      AwsManaged: true,
      Content: FULL_AWS_ACCESS_CONTENT,
    });
    state.attach(FULL_AWS_ACCESS_ID, rootId);
    const byPath = new Map<string, string>();
    const paths = [...config.organizationalUnits.map((o) => o.path)].sort(
      (a, b) => a.split('/').length - b.split('/').length,
    );
    for (const path of paths) {
      const parts = path.split('/');
      const name = parts[parts.length - 1] as string;
      const parentPath = parts.slice(0, -1).join('/');
      const parentId = parentPath ? byPath.get(parentPath) : rootId;
      if (!parentId) continue;
      const id = `ou-${rootSuffix}-${rng.chars(8, alnum)}`;
      state.store.put<OuRecord>(T.ous, id, {
        Id: id,
        Arn: `arn:aws:organizations::${mgmt}:ou/${orgId}/${id}`,
        Name: name,
        ParentId: parentId,
        Path: path,
      });
      state.attach(FULL_AWS_ACCESS_ID, id);
      byPath.set(path, id);
    }
    const joined = runtime.clock.nowMs() - 365 * 86_400_000;
    config.accounts.forEach((a, index) => {
      const id = coreAccountId(index);
      state.store.put<AccountRecord>(T.accounts, id, {
        Id: id,
        Arn: `arn:aws:organizations::${mgmt}:account/${orgId}/${id}`,
        Email: a.email,
        Name: a.name,
        Status: 'ACTIVE',
        JoinedMethod: id === mgmt ? 'INVITED' : 'CREATED',
        JoinedTimestampMs: joined,
        ParentId: a.ou === 'Root' ? rootId : (byPath.get(a.ou) ?? rootId),
      });
      state.attach(FULL_AWS_ACCESS_ID, id);
      if (id !== mgmt) seedMemberRoles(runtime, id);
    });
    for (const servicePrincipal of trustedServicesOf(config)) {
      state.store.put<TrustedServiceRecord>(T.trusted, servicePrincipal, { servicePrincipal, dateEnabledMs: joined });
    }
    for (const { accountId, servicePrincipal } of delegations) {
      state.store.put<DelegatedRecord>(T.delegated, `${accountId}/${servicePrincipal}`, {
        accountId,
        servicePrincipal,
        delegationEnabledDateMs: joined,
      });
    }
  });
}
