import type { RequestContext, SandboxRuntime } from '../../core/types';
import { detectorIdInvalid, detectorNotOwned } from './errors';

/**
 * GuardDuty's state: one detector per account and Region, the delegated administrator of each
 * Region (GuardDuty designates it per Region; Organizations registers the account once for
 * `guardduty.amazonaws.com`), the organization configuration of each administrator and Region, and
 * the administrator's members. Timestamps are ISO 8601 strings, as GuardDuty sends `createdAt`.
 */

export const GUARDDUTY_SERVICE_PRINCIPAL = 'guardduty.amazonaws.com';

export const TABLES = {
  /** `<account>/<region>` → the account's detector in the Region. */
  detectors: 'guardduty.detectors',
  /** `<region>` → the Region's delegated administrator. */
  admins: 'guardduty.admins',
  /** `<admin account>/<region>` → the organization configuration. */
  orgConfigs: 'guardduty.orgConfigs',
  /** `<admin account>/<region>/<member account>` → a member of the administrator. */
  members: 'guardduty.members',
} as const;

export const AUTO_ENABLE = ['NEW', 'ALL', 'NONE'] as const;
export type AutoEnableMembers = (typeof AUTO_ENABLE)[number];

export interface DetectorRecord {
  readonly account: string;
  readonly region: string;
  readonly detectorId: string;
  readonly status: 'ENABLED' | 'DISABLED';
  readonly findingPublishingFrequency: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AdminRecord {
  readonly region: string;
  readonly adminAccountId: string;
}

export interface OrgConfigRecord {
  readonly adminAccountId: string;
  readonly region: string;
  readonly autoEnableOrganizationMembers: AutoEnableMembers;
}

export interface MemberRecord {
  readonly adminAccountId: string;
  readonly region: string;
  readonly accountId: string;
  readonly email: string;
  /** `Enabled` for an organization account enabled by the administrator; `Created` for another account. */
  readonly relationshipStatus: 'Enabled' | 'Created';
  readonly updatedAt: string;
}

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });

const DETECTOR_ID = /^[a-z0-9]{32}$/;

export const detectorArn = (d: { region: string; account: string; detectorId: string }): string =>
  `arn:aws:guardduty:${d.region}:${d.account}:detector/${d.detectorId}`;

/** GuardDuty's service-linked role in an account. */
export const serviceRoleOf = (account: string): string =>
  `arn:aws:iam::${account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`;

export function detectorOf(runtime: SandboxRuntime, scope: Scope): DetectorRecord | undefined {
  return runtime.store.get<DetectorRecord>(TABLES.detectors, `${scope.account}/${scope.region}`);
}

/**
 * The caller's detector a `DetectorId` names: a malformed id is "…has an invalid value.", another
 * account's (or none) "…is not owned by the current account.".
 */
export function ownDetector(runtime: SandboxRuntime, scope: Scope, detectorId: unknown): DetectorRecord {
  if (typeof detectorId !== 'string' || !DETECTOR_ID.test(detectorId)) throw detectorIdInvalid();
  const detector = detectorOf(runtime, scope);
  if (detector?.detectorId !== detectorId) throw detectorNotOwned();
  return detector;
}

/** Makes a detector for an account that has none in the Region (itself, or on an administrator's behalf). */
export function ensureDetector(runtime: SandboxRuntime, scope: Scope): DetectorRecord {
  const existing = detectorOf(runtime, scope);
  if (existing) return existing;
  const now = runtime.clock.now().toISOString();
  const detector: DetectorRecord = {
    account: scope.account,
    region: scope.region,
    detectorId: Array.from({ length: 32 }, () => Math.floor(runtime.random() * 16).toString(16)).join(''),
    status: 'ENABLED',
    findingPublishingFrequency: 'SIX_HOURS',
    createdAt: now,
    updatedAt: now,
    tags: {},
  };
  runtime.store.put(TABLES.detectors, `${scope.account}/${scope.region}`, detector);
  return detector;
}

export function adminOf(runtime: SandboxRuntime, region: string): AdminRecord | undefined {
  return runtime.store.get<AdminRecord>(TABLES.admins, region);
}

export function orgConfigOf(runtime: SandboxRuntime, adminAccountId: string, region: string): OrgConfigRecord {
  return (
    runtime.store.get<OrgConfigRecord>(TABLES.orgConfigs, `${adminAccountId}/${region}`) ?? {
      adminAccountId,
      region,
      autoEnableOrganizationMembers: 'NONE',
    }
  );
}

export const memberKey = (adminAccountId: string, region: string, accountId: string): string =>
  `${adminAccountId}/${region}/${accountId}`;

export function membersOf(runtime: SandboxRuntime, adminAccountId: string, region: string): MemberRecord[] {
  return runtime.store.list<MemberRecord>(TABLES.members, `${adminAccountId}/${region}/`);
}
