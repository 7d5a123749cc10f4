import type { Store } from '../../core/types';

/**
 * What other services hear of the organization's membership: an account that joins it. AWS services
 * that auto-enable themselves for new accounts (GuardDuty's `AutoEnableOrganizationMembers`, Security
 * Hub's `AutoEnable`) act when Organizations tells them an account joined; in the sandbox that is a
 * `CreateAccount` that completes (SUCCEEDED), announced once per account, after the account, its
 * `OrganizationAccountAccessRole` and its `CreateAccountResult` event exist.
 */

type AccountListener = (accountId: string) => void;

const listeners = new WeakMap<Store, AccountListener[]>();

/** Calls `listener` with the account id of each account that joins the organization kept in `store`. */
export function onAccountJoined(store: Store, listener: AccountListener): void {
  listeners.set(store, [...(listeners.get(store) ?? []), listener]);
}

/** Tells every listener that `accountId` joined; a listener that throws fails neither the others nor the creation. */
export function announceAccountJoined(store: Store, accountId: string): void {
  for (const listener of listeners.get(store) ?? []) {
    try {
      listener(accountId);
    } catch {
      // a service's reaction must never undo the account's creation
    }
  }
}
