import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import {
  delegatedAdministratorsFor,
  isServiceAccessEnabled,
  organizationAccount,
  organizationManagementAccount,
  organizationsDenial,
  registerDelegatedAdministrator,
} from '../organizations/integration';
import {
  accessDenied,
  alreadySubscribed,
  invalidInput,
  notAdministrator,
  notSubscribed,
  SecurityHubError,
} from './errors';
import {
  type AdminRecord,
  adminOf,
  enableHub,
  hubArn,
  hubOf,
  type MemberRecord,
  memberKey,
  membersOf,
  type OrgConfigRecord,
  orgConfigOf,
  type Scope,
  SECURITYHUB_SERVICE_PRINCIPAL,
  scopeOf,
  TABLES,
} from './model';

/**
 * The Security Hub operations, one function per API action: the hub (`EnableSecurityHub`,
 * `DescribeHub`, `DisableSecurityHub`), the organization's administrator (designated by the
 * management account in each Region; the first designation registers the account in Organizations,
 * and afterwards only that account or the management account may be designated, as the Security Hub
 * User Guide's "Designating a Security Hub administrator account" says) and its configuration and
 * members. Auto-enable: an account that joins the organization gets Security Hub and becomes a member
 * in every Region whose configuration has `AutoEnable`.
 */

type Input = Record<string, unknown>;

const ACCOUNT_ID = /^\d{12}$/;
const GENERATORS = new Set(['STANDARD_CONTROL', 'SECURITY_CONTROL']);

function page<T>(items: readonly T[], input: Input, max: number): { page: T[]; next?: string } {
  const raw = input.MaxResults;
  const limit = raw === undefined ? max : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw invalidInput(`MaxResults must be a number between 1 and ${max}`);
  }
  const token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined;
  return pageAt(items, token, limit, () => invalidInput('The NextToken value is not valid.'));
}

/** The caller's hub, or `InvalidAccessException`. */
function subscribed(runtime: SandboxRuntime, scope: Scope) {
  const hub = hubOf(runtime, scope);
  if (!hub) throw notSubscribed(scope.account);
  return hub;
}

/** The caller as the Region's administrator, or `InvalidAccessException`. */
function administering(runtime: SandboxRuntime, scope: Scope): AdminRecord {
  const admin = adminOf(runtime, scope.region);
  if (admin?.adminAccountId !== scope.account) throw notAdministrator(scope.account);
  return admin;
}

/** Enables Security Hub in an organization account and makes it a member of the Region's administrator. */
export function enableMember(runtime: SandboxRuntime, admin: AdminRecord, accountId: string): void {
  if (accountId === admin.adminAccountId) return;
  const account = organizationAccount(runtime.store, accountId);
  if (account?.Status !== 'ACTIVE') return;
  enableHub(runtime, { account: accountId, region: admin.region });
  runtime.store.put<MemberRecord>(TABLES.members, memberKey(admin.adminAccountId, admin.region, accountId), {
    adminAccountId: admin.adminAccountId,
    region: admin.region,
    accountId,
    email: account.Email,
    memberStatus: 'Enabled',
    updatedAt: runtime.clock.now().toISOString(),
  });
}

/** Auto-enable of an account that joined the organization, in every Region whose configuration asks for it. */
export function enableJoinedAccount(runtime: SandboxRuntime, accountId: string): void {
  for (const admin of runtime.store.list<AdminRecord>(TABLES.admins)) {
    if (!orgConfigOf(runtime, admin).autoEnable) continue;
    if (!hubOf(runtime, { account: admin.adminAccountId, region: admin.region })) continue;
    enableMember(runtime, admin, accountId);
  }
}

export function securityHubOperations(runtime: SandboxRuntime) {
  const { store } = runtime;
  return {
    EnableSecurityHub(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      if (hubOf(runtime, scope)) throw alreadySubscribed();
      const generator = input.ControlFindingGenerator;
      if (generator !== undefined && (typeof generator !== 'string' || !GENERATORS.has(generator))) {
        throw invalidInput(`Invalid ControlFindingGenerator: ${String(generator)}`);
      }
      const tags =
        input.Tags && typeof input.Tags === 'object' && !Array.isArray(input.Tags)
          ? Object.fromEntries(Object.entries(input.Tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
          : {};
      enableHub(runtime, scope, {
        ...(typeof generator === 'string' ? { controlFindingGenerator: generator } : {}),
        enableDefaultStandards: input.EnableDefaultStandards !== false,
        tags,
      });
      return {};
    },

    DescribeHub(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const hub = subscribed(runtime, scope);
      const arn = hubArn(scope);
      if (input.HubArn !== undefined && input.HubArn !== arn) {
        throw new SecurityHubError(
          'ResourceNotFoundException',
          `The request was rejected because no hub was found with ARN ${String(input.HubArn)}.`,
        );
      }
      return {
        HubArn: arn,
        SubscribedAt: hub.subscribedAt,
        AutoEnableControls: hub.autoEnableControls,
        ControlFindingGenerator: hub.controlFindingGenerator,
      };
    },

    DisableSecurityHub(_input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      subscribed(runtime, scope);
      store.delete(TABLES.hubs, `${scope.account}/${scope.region}`);
      return {};
    },

    EnableOrganizationAdminAccount(input: Input, ctx: RequestContext) {
      const management = organizationManagementAccount(store);
      if (!management || ctx.principal.accountId !== management) {
        throw accessDenied(
          'Only the management account of the organization can designate the Security Hub administrator account.',
        );
      }
      const adminAccountId = input.AdminAccountId;
      if (typeof adminAccountId !== 'string' || !ACCOUNT_ID.test(adminAccountId)) {
        throw invalidInput(`Invalid AdminAccountId: ${String(adminAccountId)}`);
      }
      const feature = input.Feature ?? 'SecurityHub';
      if (feature !== 'SecurityHub') throw invalidInput(`Invalid Feature: ${String(feature)}`);
      if (organizationAccount(store, adminAccountId)?.Status !== 'ACTIVE') {
        throw invalidInput(
          `The request was rejected because the account ${adminAccountId} is not a member of the organization.`,
        );
      }
      const region = ctx.region;
      const current = adminOf(runtime, region);
      if (current && current.adminAccountId !== adminAccountId) {
        throw invalidInput(
          `The request was rejected because account ${current.adminAccountId} is already the Security Hub administrator account in ${region}. Remove it first.`,
        );
      }
      // once Organizations has one, only it or the management account can be designated, in any Region
      const registered = delegatedAdministratorsFor(store, SECURITYHUB_SERVICE_PRINCIPAL);
      if (adminAccountId !== management && registered.some((a) => a !== adminAccountId)) {
        throw invalidInput(
          `The request was rejected because account ${registered[0]} is the delegated administrator for Security Hub in AWS Organizations.`,
        );
      }
      if (adminAccountId !== management && !registered.includes(adminAccountId)) {
        // Security Hub asks Organizations to register it, which needs trusted access first
        if (!isServiceAccessEnabled(store, SECURITYHUB_SERVICE_PRINCIPAL)) {
          throw accessDenied(
            `You attempted to register a delegated administrator for ${SECURITYHUB_SERVICE_PRINCIPAL} before you enabled service access. Call the EnableAWSServiceAccess API first.`,
          );
        }
        const denial = organizationsDenial(
          runtime,
          ctx.principal,
          'RegisterDelegatedAdministrator',
          SECURITYHUB_SERVICE_PRINCIPAL,
        );
        if (denial) throw accessDenied(denial);
        registerDelegatedAdministrator(store, adminAccountId, SECURITYHUB_SERVICE_PRINCIPAL, runtime.clock.nowMs());
      }
      store.put<AdminRecord>(TABLES.admins, region, { region, adminAccountId });
      return { AdminAccountId: adminAccountId, Feature: 'SecurityHub' };
    },

    ListOrganizationAdminAccounts(input: Input, ctx: RequestContext) {
      const management = organizationManagementAccount(store);
      if (!management || ctx.principal.accountId !== management) {
        throw accessDenied(
          'Only the management account of the organization can list the Security Hub administrator accounts.',
        );
      }
      const admin = adminOf(runtime, ctx.region);
      const { page: admins, next } = page(admin ? [admin] : [], input, 10);
      return {
        AdminAccounts: admins.map((a) => ({ AccountId: a.adminAccountId, Status: 'ENABLED' })),
        Feature: 'SecurityHub',
        ...(next ? { NextToken: next } : {}),
      };
    },

    UpdateOrganizationConfiguration(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const admin = administering(runtime, scope);
      subscribed(runtime, scope);
      if (typeof input.AutoEnable !== 'boolean') throw invalidInput('AutoEnable is required and must be a boolean.');
      const standards = input.AutoEnableStandards;
      if (standards !== undefined && standards !== 'NONE' && standards !== 'DEFAULT') {
        throw invalidInput(`Invalid AutoEnableStandards: ${String(standards)}`);
      }
      const organization = (input.OrganizationConfiguration ?? {}) as { ConfigurationType?: unknown };
      const type = organization.ConfigurationType;
      if (type !== undefined && type !== 'CENTRAL' && type !== 'LOCAL') {
        throw invalidInput(`Invalid ConfigurationType: ${String(type)}`);
      }
      const current = orgConfigOf(runtime, admin);
      store.put<OrgConfigRecord>(TABLES.orgConfigs, `${admin.adminAccountId}/${admin.region}`, {
        ...current,
        autoEnable: input.AutoEnable,
        ...(standards !== undefined ? { autoEnableStandards: standards as 'NONE' | 'DEFAULT' } : {}),
        ...(type !== undefined ? { configurationType: type as 'CENTRAL' | 'LOCAL' } : {}),
      });
      return {};
    },

    DescribeOrganizationConfiguration(_input: Input, ctx: RequestContext) {
      const admin = administering(runtime, scopeOf(ctx));
      const config = orgConfigOf(runtime, admin);
      return {
        AutoEnable: config.autoEnable,
        MemberAccountLimitReached: false,
        AutoEnableStandards: config.autoEnableStandards,
        OrganizationConfiguration: { ConfigurationType: config.configurationType, Status: 'ENABLED' },
      };
    },

    ListMembers(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      subscribed(runtime, scope);
      // OnlyAssociated defaults to true; every member the sandbox makes is associated (`Enabled`)
      const members = membersOf(runtime, scope.account, scope.region);
      const { page: shown, next } = page(members, input, 50);
      return {
        Members: shown.map((m) => ({
          AccountId: m.accountId,
          Email: m.email,
          MasterId: m.adminAccountId,
          AdministratorId: m.adminAccountId,
          MemberStatus: m.memberStatus,
          UpdatedAt: m.updatedAt,
        })),
        ...(next ? { NextToken: next } : {}),
      };
    },
  };
}
