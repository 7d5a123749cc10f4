import { denialMessage, type Gatekeeper } from '../../core/auth';
import type { Principal, SandboxRuntime, Store } from '../../core/types';
import { type AccountRecord, type DelegatedRecord, type OrgMeta, T } from './model';
import { enableServiceAccess, isServiceAccessEnabled } from './trusted-access';

/**
 * What a service integrated with Organizations (GuardDuty, Security Hub, AWS Config, IAM Access
 * Analyzer) reads and changes in the organization on its own or its caller's behalf: the accounts,
 * the delegated administrators per service principal, trusted access. A service that calls
 * Organizations "with the caller's permissions" (GuardDuty's `EnableOrganizationAdminAccount` enables
 * trusted access and registers the delegated administrator) asks {@link organizationsDenial} first.
 */

export { isServiceAccessEnabled } from './trusted-access';

/** The organization's management account, or undefined when the store holds no organization. */
export function organizationManagementAccount(store: Store): string | undefined {
  return store.get<OrgMeta>(T.meta, 'org')?.masterAccountId;
}

/** An account of the organization (any status), or undefined for one outside it. */
export function organizationAccount(store: Store, accountId: string): AccountRecord | undefined {
  return store.get<AccountRecord>(T.accounts, accountId);
}

/** The organization's ACTIVE accounts, in the order they joined the store. */
export function activeOrganizationAccounts(store: Store): AccountRecord[] {
  return store.list<AccountRecord>(T.accounts).filter((a) => a.Status === 'ACTIVE');
}

/** Whether `accountId` is a registered delegated administrator for `servicePrincipal`. */
export function isDelegatedAdministratorFor(store: Store, accountId: string, servicePrincipal: string): boolean {
  return store.get<DelegatedRecord>(T.delegated, `${accountId}/${servicePrincipal}`) !== undefined;
}

/** The accounts registered as delegated administrators for `servicePrincipal`. */
export function delegatedAdministratorsFor(store: Store, servicePrincipal: string): string[] {
  return store
    .list<DelegatedRecord>(T.delegated)
    .filter((r) => r.servicePrincipal === servicePrincipal)
    .map((r) => r.accountId);
}

/**
 * Registers a delegated administrator as `RegisterDelegatedAdministrator` would, for a service that
 * registers it itself (GuardDuty, Security Hub); an account already registered keeps its date.
 * The caller has checked what Organizations would refuse (trusted access, the management account).
 */
export function registerDelegatedAdministrator(
  store: Store,
  accountId: string,
  servicePrincipal: string,
  atMs: number,
): void {
  store.insert<DelegatedRecord>(T.delegated, `${accountId}/${servicePrincipal}`, {
    accountId,
    servicePrincipal,
    delegationEnabledDateMs: atMs,
  });
}

/** Deregisters a delegated administrator, as `DeregisterDelegatedAdministrator`; false when it was not one. */
export function deregisterDelegatedAdministrator(store: Store, accountId: string, servicePrincipal: string): boolean {
  return store.delete(T.delegated, `${accountId}/${servicePrincipal}`);
}

/** Enables trusted access for a service on the management account's behalf (kept when already enabled). */
export function enableTrustedAccess(store: Store, servicePrincipal: string, atMs: number): void {
  if (!isServiceAccessEnabled(store, servicePrincipal)) enableServiceAccess(store, servicePrincipal, atMs);
}

/**
 * Whether the caller may make an Organizations call a service makes on its behalf: its identity
 * policies (and SCPs, which never bind the management account) decide `organizations:<action>`, with
 * `organizations:ServicePrincipal` set. Returns AWS's denial message, or undefined when allowed (also
 * in a runtime that models no identities).
 */
export function organizationsDenial(
  runtime: SandboxRuntime,
  principal: Principal,
  action: string,
  servicePrincipal?: string,
): string | undefined {
  const gatekeeper = (runtime as { gatekeeper?: Gatekeeper }).gatekeeper;
  const denial = gatekeeper?.decide({
    principal,
    action: `organizations:${action}`,
    region: 'us-east-1',
    ...(servicePrincipal ? { context: { 'organizations:ServicePrincipal': servicePrincipal } } : {}),
  });
  return denial ? denialMessage(principal.arn, denial) : undefined;
}
