import type { RequestContext, SandboxRuntime } from '../../core/types';

/**
 * Security Hub's state: the hub of each account and Region (`EnableSecurityHub`), the administrator
 * of each Region (designated by the management account; Organizations registers it once for
 * `securityhub.amazonaws.com`), the organization configuration of each administrator and Region, and
 * the administrator's members. Timestamps are ISO 8601 strings, as Security Hub sends them.
 */

export const SECURITYHUB_SERVICE_PRINCIPAL = 'securityhub.amazonaws.com';

export const TABLES = {
  /** `<account>/<region>` → the account's hub. */
  hubs: 'securityhub.hubs',
  /** `<region>` → the Region's administrator account. */
  admins: 'securityhub.admins',
  /** `<admin account>/<region>` → the organization configuration. */
  orgConfigs: 'securityhub.orgConfigs',
  /** `<admin account>/<region>/<member account>` → a member. */
  members: 'securityhub.members',
} as const;

export interface HubRecord {
  readonly account: string;
  readonly region: string;
  readonly subscribedAt: string;
  readonly autoEnableControls: boolean;
  readonly controlFindingGenerator: string;
  readonly enableDefaultStandards: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AdminRecord {
  readonly region: string;
  readonly adminAccountId: string;
}

export interface OrgConfigRecord {
  readonly adminAccountId: string;
  readonly region: string;
  readonly autoEnable: boolean;
  readonly autoEnableStandards: 'NONE' | 'DEFAULT';
  readonly configurationType: 'CENTRAL' | 'LOCAL';
}

export interface MemberRecord {
  readonly adminAccountId: string;
  readonly region: string;
  readonly accountId: string;
  readonly email: string;
  readonly memberStatus: 'Enabled';
  readonly updatedAt: string;
}

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });

export const hubArn = (scope: Scope): string => `arn:aws:securityhub:${scope.region}:${scope.account}:hub/default`;

export function hubOf(runtime: SandboxRuntime, scope: Scope): HubRecord | undefined {
  return runtime.store.get<HubRecord>(TABLES.hubs, `${scope.account}/${scope.region}`);
}

/** Enables Security Hub in an account and Region (kept when it has it), with the API's defaults. */
export function enableHub(
  runtime: SandboxRuntime,
  scope: Scope,
  options: Partial<Pick<HubRecord, 'controlFindingGenerator' | 'enableDefaultStandards' | 'tags'>> = {},
): HubRecord {
  const existing = hubOf(runtime, scope);
  if (existing) return existing;
  const hub: HubRecord = {
    account: scope.account,
    region: scope.region,
    subscribedAt: runtime.clock.now().toISOString(),
    autoEnableControls: true,
    controlFindingGenerator: options.controlFindingGenerator ?? 'SECURITY_CONTROL',
    enableDefaultStandards: options.enableDefaultStandards ?? true,
    tags: options.tags ?? {},
  };
  runtime.store.put(TABLES.hubs, `${scope.account}/${scope.region}`, hub);
  return hub;
}

export function adminOf(runtime: SandboxRuntime, region: string): AdminRecord | undefined {
  return runtime.store.get<AdminRecord>(TABLES.admins, region);
}

export function orgConfigOf(runtime: SandboxRuntime, admin: AdminRecord): OrgConfigRecord {
  return (
    runtime.store.get<OrgConfigRecord>(TABLES.orgConfigs, `${admin.adminAccountId}/${admin.region}`) ?? {
      adminAccountId: admin.adminAccountId,
      region: admin.region,
      autoEnable: false,
      autoEnableStandards: 'DEFAULT',
      configurationType: 'LOCAL',
    }
  );
}

export const memberKey = (adminAccountId: string, region: string, accountId: string): string =>
  `${adminAccountId}/${region}/${accountId}`;

export function membersOf(runtime: SandboxRuntime, adminAccountId: string, region: string): MemberRecord[] {
  return runtime.store.list<MemberRecord>(TABLES.members, `${adminAccountId}/${region}/`);
}
