import type { RequestContext, SandboxRuntime } from '../../core/types';
import {
  activeOrganizationAccounts,
  delegatedAdministratorsFor,
  deregisterDelegatedAdministrator,
  enableTrustedAccess,
  isServiceAccessEnabled,
  organizationAccount,
  organizationManagementAccount,
  organizationsDenial,
  registerDelegatedAdministrator,
} from '../organizations/integration';
import { guardDutyPage } from './detectors';
import { invalidValue, noOrganizationPermission } from './errors';
import {
  type AdminRecord,
  AUTO_ENABLE,
  type AutoEnableMembers,
  adminOf,
  detectorOf,
  ensureDetector,
  GUARDDUTY_SERVICE_PRINCIPAL,
  type MemberRecord,
  memberKey,
  membersOf,
  type OrgConfigRecord,
  orgConfigOf,
  ownDetector,
  type Scope,
  scopeOf,
  TABLES,
} from './model';

/**
 * GuardDuty with AWS Organizations: the management account designates the delegated administrator
 * of a Region (`EnableOrganizationAdminAccount`, which enables trusted access for
 * `guardduty.amazonaws.com` and registers the account in Organizations with the caller's permissions,
 * and enables GuardDuty in the administrator, as the GuardDuty User Guide's "Permissions required to
 * designate a delegated GuardDuty administrator account" describes); the administrator sets which
 * accounts GuardDuty enables (`UpdateOrganizationConfiguration`: `NEW`, `ALL`, `NONE`) and adds
 * members (`CreateMembers`). Enabling a member makes its detector in the administrator's Region.
 */

type Input = Record<string, unknown>;

const ACCOUNT_ID = /^\d{12}$/;

/** Only the organization's management account designates, lists and removes administrators. */
function requireManagement(runtime: SandboxRuntime, ctx: RequestContext): string {
  const management = organizationManagementAccount(runtime.store);
  if (!management || ctx.principal.accountId !== management) throw noOrganizationPermission();
  return management;
}

/** The caller as the Region's delegated administrator (else "…AWS Organization master permission."). */
function requireAdmin(runtime: SandboxRuntime, scope: Scope): AdminRecord {
  const admin = adminOf(runtime, scope.region);
  if (admin?.adminAccountId !== scope.account) throw noOrganizationPermission();
  return admin;
}

/**
 * Makes `accountId` a member of the Region's administrator with GuardDuty enabled (its detector made
 * when it has none), as an administrator enables an organization account.
 */
export function enableMember(runtime: SandboxRuntime, admin: AdminRecord, accountId: string): MemberRecord | undefined {
  if (accountId === admin.adminAccountId) return undefined;
  const account = organizationAccount(runtime.store, accountId);
  if (account?.Status !== 'ACTIVE') return undefined;
  ensureDetector(runtime, { account: accountId, region: admin.region });
  const member: MemberRecord = {
    adminAccountId: admin.adminAccountId,
    region: admin.region,
    accountId,
    email: account.Email,
    relationshipStatus: 'Enabled',
    updatedAt: runtime.clock.now().toISOString(),
  };
  runtime.store.put(TABLES.members, memberKey(admin.adminAccountId, admin.region, accountId), member);
  return member;
}

/** Auto-enable: an account that joins the organization is enabled in every Region whose configuration says `NEW` or `ALL`. */
export function enableJoinedAccount(runtime: SandboxRuntime, accountId: string): void {
  for (const admin of runtime.store.list<AdminRecord>(TABLES.admins)) {
    const config = orgConfigOf(runtime, admin.adminAccountId, admin.region);
    if (config.autoEnableOrganizationMembers === 'NONE') continue;
    if (!detectorOf(runtime, { account: admin.adminAccountId, region: admin.region })) continue;
    enableMember(runtime, admin, accountId);
  }
}

const memberView = (m: MemberRecord, runtime: SandboxRuntime): Record<string, unknown> => {
  const detector = detectorOf(runtime, { account: m.accountId, region: m.region });
  return {
    accountId: m.accountId,
    ...(detector && m.relationshipStatus === 'Enabled' ? { detectorId: detector.detectorId } : {}),
    masterId: m.adminAccountId,
    administratorId: m.adminAccountId,
    email: m.email,
    relationshipStatus: m.relationshipStatus,
    updatedAt: m.updatedAt,
  };
};

export function organizationOperations(runtime: SandboxRuntime) {
  const { store } = runtime;
  return {
    EnableOrganizationAdminAccount(input: Input, ctx: RequestContext) {
      const management = requireManagement(runtime, ctx);
      const adminAccountId = input.adminAccountId;
      if (typeof adminAccountId !== 'string' || !ACCOUNT_ID.test(adminAccountId)) throw invalidValue();
      if (organizationAccount(store, adminAccountId)?.Status !== 'ACTIVE') throw invalidValue();
      const region = ctx.region;
      const current = adminOf(runtime, region);
      if (current && current.adminAccountId !== adminAccountId) throw invalidValue();
      // the administrator is one account across Regions: Organizations registers one for GuardDuty
      const registered = delegatedAdministratorsFor(store, GUARDDUTY_SERVICE_PRINCIPAL);
      if (registered.some((a) => a !== adminAccountId)) throw invalidValue();
      const now = runtime.clock.nowMs();
      // GuardDuty calls Organizations with the caller's permissions
      if (!isServiceAccessEnabled(store, GUARDDUTY_SERVICE_PRINCIPAL)) {
        if (organizationsDenial(runtime, ctx.principal, 'EnableAWSServiceAccess', GUARDDUTY_SERVICE_PRINCIPAL)) {
          throw noOrganizationPermission();
        }
      }
      if (adminAccountId !== management && !registered.includes(adminAccountId)) {
        if (
          organizationsDenial(runtime, ctx.principal, 'RegisterDelegatedAdministrator', GUARDDUTY_SERVICE_PRINCIPAL)
        ) {
          throw noOrganizationPermission();
        }
      }
      store.transaction(() => {
        enableTrustedAccess(store, GUARDDUTY_SERVICE_PRINCIPAL, now);
        // Organizations never registers its management account as a delegated administrator
        if (adminAccountId !== management) {
          registerDelegatedAdministrator(store, adminAccountId, GUARDDUTY_SERVICE_PRINCIPAL, now);
        }
        store.put<AdminRecord>(TABLES.admins, region, { region, adminAccountId });
        ensureDetector(runtime, { account: adminAccountId, region });
      });
      return {};
    },

    DisableOrganizationAdminAccount(input: Input, ctx: RequestContext) {
      requireManagement(runtime, ctx);
      const adminAccountId = input.adminAccountId;
      if (typeof adminAccountId !== 'string' || !ACCOUNT_ID.test(adminAccountId)) throw invalidValue();
      const region = ctx.region;
      if (adminOf(runtime, region)?.adminAccountId !== adminAccountId) throw invalidValue();
      store.transaction(() => {
        store.delete(TABLES.admins, region);
        store.delete(TABLES.orgConfigs, `${adminAccountId}/${region}`);
        // the members stay enabled, on their own
        for (const m of membersOf(runtime, adminAccountId, region)) {
          store.delete(TABLES.members, memberKey(adminAccountId, region, m.accountId));
        }
        // the last Region that had it: Organizations no longer lists it for GuardDuty
        const elsewhere = store.list<AdminRecord>(TABLES.admins).some((a) => a.adminAccountId === adminAccountId);
        if (!elsewhere) deregisterDelegatedAdministrator(store, adminAccountId, GUARDDUTY_SERVICE_PRINCIPAL);
      });
      return {};
    },

    ListOrganizationAdminAccounts(input: Input, ctx: RequestContext) {
      requireManagement(runtime, ctx);
      const admin = adminOf(runtime, ctx.region);
      const { page, next } = guardDutyPage(admin ? [admin] : [], input);
      return {
        adminAccounts: page.map((a) => ({ adminAccountId: a.adminAccountId, adminStatus: 'ENABLED' })),
        ...(next ? { nextToken: next } : {}),
      };
    },

    UpdateOrganizationConfiguration(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      ownDetector(runtime, scope, input.DetectorId);
      const admin = requireAdmin(runtime, scope);
      const members = input.autoEnableOrganizationMembers;
      const legacy = input.autoEnable;
      if (members !== undefined && !AUTO_ENABLE.includes(members as AutoEnableMembers)) throw invalidValue();
      if (legacy !== undefined && typeof legacy !== 'boolean') throw invalidValue();
      // neither: a features-only update leaves the setting as it is
      const setting: AutoEnableMembers =
        members !== undefined
          ? (members as AutoEnableMembers)
          : legacy !== undefined
            ? legacy
              ? 'NEW'
              : 'NONE'
            : orgConfigOf(runtime, admin.adminAccountId, admin.region).autoEnableOrganizationMembers;
      store.put<OrgConfigRecord>(TABLES.orgConfigs, `${admin.adminAccountId}/${admin.region}`, {
        adminAccountId: admin.adminAccountId,
        region: admin.region,
        autoEnableOrganizationMembers: setting,
      });
      // ALL enables the accounts already in the organization too
      if (setting === 'ALL') {
        for (const account of activeOrganizationAccounts(store)) enableMember(runtime, admin, account.Id);
      }
      return {};
    },

    DescribeOrganizationConfiguration(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      ownDetector(runtime, scope, input.DetectorId);
      const admin = requireAdmin(runtime, scope);
      const config = orgConfigOf(runtime, admin.adminAccountId, admin.region);
      const off = { autoEnable: false };
      return {
        autoEnable: config.autoEnableOrganizationMembers !== 'NONE',
        autoEnableOrganizationMembers: config.autoEnableOrganizationMembers,
        memberAccountLimitReached: false,
        dataSources: {
          s3Logs: off,
          kubernetes: { auditLogs: off },
          malwareProtection: { scanEc2InstanceWithFindings: { ebsVolumes: off } },
        },
      };
    },

    CreateMembers(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      ownDetector(runtime, scope, input.DetectorId);
      const details = input.accountDetails;
      if (!Array.isArray(details) || details.length < 1 || details.length > 50) throw invalidValue();
      const admin = adminOf(runtime, scope.region);
      const administers = admin?.adminAccountId === scope.account;
      const management = organizationManagementAccount(store);
      const unprocessedAccounts: { accountId: string; result: string }[] = [];
      for (const d of details as { accountId?: unknown; email?: unknown }[]) {
        const accountId = d?.accountId;
        const email = d?.email;
        if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId) || typeof email !== 'string' || email === '') {
          throw invalidValue();
        }
        if (accountId === scope.account) {
          unprocessedAccounts.push({
            accountId,
            result: 'The request is rejected because the current account cannot add itself as a member.',
          });
          continue;
        }
        const inOrganization = organizationAccount(store, accountId)?.Status === 'ACTIVE';
        if (administers && admin && inOrganization) {
          // the management account must have enabled GuardDuty itself (cloudposse/terraform-aws-components#822)
          if (accountId === management && !detectorOf(runtime, { account: accountId, region: scope.region })) {
            unprocessedAccounts.push({
              accountId,
              result:
                'Operation failed because your organization master must first enable GuardDuty to be added as a member',
            });
            continue;
          }
          enableMember(runtime, admin, accountId);
          continue;
        }
        // an account outside the organization: a member by invitation, not modelled past `Created`
        const key = memberKey(scope.account, scope.region, accountId);
        if (!store.get(TABLES.members, key)) {
          store.put<MemberRecord>(TABLES.members, key, {
            adminAccountId: scope.account,
            region: scope.region,
            accountId,
            email,
            relationshipStatus: 'Created',
            updatedAt: runtime.clock.now().toISOString(),
          });
        }
      }
      return { unprocessedAccounts };
    },

    ListMembers(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      ownDetector(runtime, scope, input.DetectorId);
      const onlyAssociated = input.onlyAssociated === undefined || String(input.onlyAssociated) !== 'false';
      const members = membersOf(runtime, scope.account, scope.region).filter(
        (m) => !onlyAssociated || m.relationshipStatus === 'Enabled',
      );
      const { page, next } = guardDutyPage(members, input);
      return { members: page.map((m) => memberView(m, runtime)), ...(next ? { nextToken: next } : {}) };
    },
  };
}
