import { requiredString } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler, Store } from '../../core/types';
import { paginate } from './accounts';
import { type OrgState, T, type TrustedServiceRecord } from './model';
import { recognizedServicePrincipal } from './service-principals';

/**
 * Trusted access: which AWS services may act across the organization's accounts
 * (`EnableAWSServiceAccess`, `DisableAWSServiceAccess`, `ListAWSServiceAccessForOrganization`). Only
 * the management account changes it (members get `AccessDeniedException` from
 * `checkOrganizationAccess`; delegated administrators may list). Enabling a trusted service again, or
 * disabling one that is not, changes nothing and succeeds. Other services read it with
 * {@link isServiceAccessEnabled}, and hear of a disabled one through {@link onServiceAccessDisabled}
 * (CloudTrail turns its organization trails into single-account trails, as AWS does).
 */

type DisabledListener = (servicePrincipal: string) => void;

const listeners = new WeakMap<Store, DisabledListener[]>();

/** Whether a service has trusted access in the organization kept in `store`. */
export function isServiceAccessEnabled(store: Store, servicePrincipal: string): boolean {
  return store.get<TrustedServiceRecord>(T.trusted, servicePrincipal) !== undefined;
}

/**
 * Enables trusted access for a service as `EnableAWSServiceAccess` does (a service that is already
 * trusted keeps its date), for a service that enables it on the caller's behalf (RAM's
 * `EnableSharingWithAwsOrganization`) once it has checked the caller may.
 */
export function enableServiceAccess(store: Store, servicePrincipal: string, dateEnabledMs: number): void {
  store.insert<TrustedServiceRecord>(T.trusted, servicePrincipal, { servicePrincipal, dateEnabledMs });
}

/** Calls `listener` with the service principal after each `DisableAWSServiceAccess` that disabled a service. */
export function onServiceAccessDisabled(store: Store, listener: DisabledListener): void {
  listeners.set(store, [...(listeners.get(store) ?? []), listener]);
}

/** EnableAWSServiceAccess, DisableAWSServiceAccess, ListAWSServiceAccessForOrganization. */
export function trustedAccessOperations(state: OrgState, runtime: LocalRuntime): Record<string, OperationHandler> {
  const principal = (input: Record<string, unknown>): string =>
    recognizedServicePrincipal(requiredString(input, 'ServicePrincipal'));
  return {
    EnableAWSServiceAccess: (input) => {
      const servicePrincipal = principal(input);
      state.store.insert<TrustedServiceRecord>(T.trusted, servicePrincipal, {
        servicePrincipal,
        dateEnabledMs: runtime.clock.nowMs(),
      });
      return {};
    },
    DisableAWSServiceAccess: (input) => {
      const servicePrincipal = principal(input);
      if (state.store.delete(T.trusted, servicePrincipal)) {
        for (const listener of listeners.get(state.store) ?? []) listener(servicePrincipal);
      }
      return {};
    },
    ListAWSServiceAccessForOrganization: (input) => {
      const enabled = state.store
        .list<TrustedServiceRecord>(T.trusted)
        .sort((a, b) => (a.servicePrincipal < b.servicePrincipal ? -1 : 1));
      const { page, NextToken } = paginate(enabled, input);
      return {
        EnabledServicePrincipals: page.map((r) => ({
          ServicePrincipal: r.servicePrincipal,
          DateEnabled: new Date(r.dateEnabledMs),
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
