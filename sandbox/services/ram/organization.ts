import { denialMessage, type Gatekeeper } from '../../core/auth';
import type { RequestContext, SandboxRuntime, Store } from '../../core/types';
import { enableServiceAccess, isServiceAccessEnabled, onServiceAccessDisabled } from '../organizations/trusted-access';
import { operationNotPermitted } from './errors';
import { type AssociationRecord, principalKey, RAM_SERVICE_PRINCIPAL, RAM_TABLES, SHARING_ENABLED } from './model';

/**
 * Sharing with the organization: `EnableSharingWithAwsOrganization` (the management account only),
 * what it leaves behind (RAM's service-linked role, trusted access for `ram.amazonaws.com`), and what
 * disabling that trusted access in Organizations does to the shares.
 */

/**
 * Whether sharing with the organization is enabled: RAM's own setting (its service-linked role, made
 * by `EnableSharingWithAwsOrganization`) **and** trusted access for RAM in Organizations. Trusted
 * access enabled in Organizations alone is not enough, as the RAM User Guide's "Can't see shared
 * resources in the destination account" troubleshooting page says.
 */
export function isSharingEnabled(store: Store): boolean {
  return (
    store.get(RAM_TABLES.meta, SHARING_ENABLED) !== undefined && isServiceAccessEnabled(store, RAM_SERVICE_PRINCIPAL)
  );
}

/** Enables sharing with the organization: RAM's side and trusted access for RAM (each kept if present). */
export function enableSharing(store: Store, atMs: number): void {
  store.transaction(() => {
    store.insert(RAM_TABLES.meta, SHARING_ENABLED, { atMs });
    enableServiceAccess(store, RAM_SERVICE_PRINCIPAL, atMs);
  });
}

/** What a call to Organizations on the caller's behalf answers, wrapped as RAM wraps it. */
const organizationsRefused = (message: string) =>
  operationNotPermitted(
    `Unable to enable sharing with AWS Organizations. Received AccessDeniedException from AWSOrganizations with the following error message: ${message}`,
  );

/**
 * EnableSharingWithAwsOrganization: RAM asks Organizations to trust it with the caller's own
 * permissions, so a member account (Organizations: "You don't have permissions to access this
 * resource.") or a caller without `organizations:EnableAWSServiceAccess` gets
 * `OperationNotPermittedException` carrying Organizations' refusal. Enabling it again succeeds.
 */
export function enableSharingWithAwsOrganization(ctx: RequestContext): { returnValue: boolean } {
  const { runtime, principal } = ctx;
  if (principal.accountId !== runtime.managementAccountId) {
    throw organizationsRefused("You don't have permissions to access this resource.");
  }
  const gatekeeper = (runtime as { gatekeeper?: Gatekeeper }).gatekeeper;
  const denial = gatekeeper?.decide({
    principal,
    action: 'organizations:EnableAWSServiceAccess',
    region: 'us-east-1',
    context: { 'organizations:ServicePrincipal': RAM_SERVICE_PRINCIPAL },
  });
  if (denial) throw organizationsRefused(denialMessage(principal.arn, denial));
  enableSharing(runtime.store, runtime.clock.nowMs());
  return { returnValue: true };
}

const listening = new WeakSet<Store>();

/**
 * When trusted access for RAM is disabled in Organizations, RAM's side goes too, and every principal
 * of the organization is removed from every share (its association `DISASSOCIATED`), as the RAM User
 * Guide warns: "principals within your organization are removed from all resource shares and lose
 * access to those shared resources". Accounts outside the organization keep theirs.
 */
export function listenForTrustedAccess(runtime: SandboxRuntime): void {
  const { store } = runtime;
  if (listening.has(store)) return;
  listening.add(store);
  onServiceAccessDisabled(store, (servicePrincipal) => {
    if (servicePrincipal !== RAM_SERVICE_PRINCIPAL) return;
    const now = runtime.clock.nowMs();
    store.transaction(() => {
      store.delete(RAM_TABLES.meta, SHARING_ENABLED);
      for (const a of store.list<AssociationRecord>(RAM_TABLES.associations, 'P|')) {
        if (a.external || a.status === 'DISASSOCIATED') continue;
        store.put<AssociationRecord>(RAM_TABLES.associations, principalKey(a.shareArn, a.entity), {
          ...a,
          status: 'DISASSOCIATED',
          updatedMs: now,
        });
      }
    });
  });
}
