import { requiredString } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler, Store } from '../../core/types';
import { type AccountRecord, constraintViolation, invalidInput, type OrgState, orgError, T } from './model';

/**
 * `CloseAccount`, as the Organizations API reference describes it: the management account (or a
 * principal of it that IAM allows `organizations:CloseAccount`) closes a member account. The call
 * answers at once; the account is `PENDING_CLOSURE` (`Status` and `State`) for
 * {@link CLOSE_ACCOUNT_DURATION_MS} on the sandbox clock (a modelled wait, compressed like an account
 * creation), then `SUSPENDED`. It stays in its OU, keeps its policies and tags, and still counts
 * towards the organization's accounts. Nobody can assume a role in it any more (STS answers
 * `AccessDenied`, as AWS does for suspended and closing accounts).
 *
 * Refusals, with the codes and reasons the API reference documents:
 * - an id of no account of the organization: `AccountNotFoundException`;
 * - the management account: `ConstraintViolationException` `CANNOT_CLOSE_MANAGEMENT_ACCOUNT`;
 * - an account already `SUSPENDED`: `AccountAlreadyClosedException`;
 * - an account already `PENDING_CLOSURE`: `ConflictException`;
 * - {@link MAX_CONCURRENT_CLOSURES} closures in progress: `CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED`;
 * - the rolling 30-day quota ({@link closeAccountQuota}) used up: `CLOSE_ACCOUNT_QUOTA_EXCEEDED`.
 *
 * Not modelled: the `CloseAccountResult` service event (AWS documents that it exists, not its shape),
 * reopening through Support, and the permanent removal 90 days after closure.
 */

/** How long a closure stays `PENDING_CLOSURE` ("a few minutes" in the API reference). */
export const CLOSE_ACCOUNT_DURATION_MS = 5 * 60_000;

/** The rolling window of the closure quota. */
export const CLOSE_QUOTA_WINDOW_MS = 30 * 86_400_000;

/**
 * Closures that may be in progress at once. AWS documents the limit
 * (`CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED`: "the number of accounts that you can close at a time")
 * but publishes no number; the sandbox uses CreateAccount's five requests in progress.
 */
export const MAX_CONCURRENT_CLOSURES = 5;

/**
 * How many member accounts may be closed within a rolling 30 days: "the higher of either 250 or 20%
 * of the member accounts in your organization, up to a maximum of 1,000" (CloseAccount in the API
 * reference, as the SDK's current model carries it; older pages said 10%, between 10 and 1,000).
 *
 * @param memberAccounts - the organization's accounts but the management account
 * @example
 * closeAccountQuota(2_000); // 400
 */
export function closeAccountQuota(memberAccounts: number): number {
  return Math.min(1_000, Math.max(250, Math.floor(memberAccounts * 0.2)));
}

/** One `CloseAccount` request (kept for the quota's rolling window). */
export interface ClosureRecord {
  readonly accountId: string;
  readonly requestedMs: number;
  /** When the account becomes `SUSPENDED`. */
  readonly dueMs: number;
  completedMs?: number;
}

/** Texts of the API reference for the refusals (`ConstraintViolationException` reasons, error descriptions). */
export const CLOSE_ACCOUNT_MESSAGES = {
  managementAccount:
    'You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization. Follow standard account closure process using root credentials.',
  alreadyClosed: 'You attempted to close an account that is already closed.',
  conflict: 'The request failed because it conflicts with the current state of the specified resource.',
  requestsLimit: 'You attempted to exceed the number of accounts that you can close at a time.',
  quota: 'You have exceeded close account quota for the past 30 days.',
  notFound: "You specified an account that doesn't exist.",
} as const;

/**
 * Whether an account of the organization is closing or closed (`PENDING_CLOSURE` or `SUSPENDED`):
 * for services that refuse such an account (STS `AssumeRole`).
 */
export function isAccountClosed(store: Store, accountId: string): boolean {
  const status = store.get<AccountRecord>(T.accounts, accountId)?.Status;
  return status === 'PENDING_CLOSURE' || status === 'SUSPENDED';
}

/** `CloseAccount`, plus the resolver of closures whose time has come. */
export function closureOperations(state: OrgState, runtime: LocalRuntime) {
  const closures = (): ClosureRecord[] => runtime.store.list<ClosureRecord>(T.closures);

  /** Suspends every account whose closure is due. */
  const resolveDue = (): void => {
    const now = runtime.clock.nowMs();
    for (const c of closures()) {
      if (c.completedMs !== undefined || c.dueMs > now) continue;
      runtime.store.transaction(() => {
        const key = `${c.accountId}/${c.requestedMs}`;
        const current = runtime.store.get<ClosureRecord>(T.closures, key);
        if (!current || current.completedMs !== undefined) return;
        const account = state.account(c.accountId);
        if (account?.Status === 'PENDING_CLOSURE') {
          runtime.store.put<AccountRecord>(T.accounts, account.Id, { ...account, Status: 'SUSPENDED' });
        }
        runtime.store.put<ClosureRecord>(T.closures, key, { ...current, completedMs: c.dueMs });
        state.touch();
      });
    }
  };

  /** Real ms until the next closure is due (holding the clock compressed until then), or undefined. */
  const nextDueRealMs = (): number | undefined => {
    const pending = closures().filter((c) => c.completedMs === undefined);
    if (pending.length === 0) return undefined;
    for (const c of pending) runtime.clock.holdUntil(c.dueMs);
    const due = Math.min(...pending.map((c) => c.dueMs));
    return runtime.clock.toRealMs(due - runtime.clock.nowMs());
  };

  const CloseAccount: OperationHandler = (input) => {
    const accountId = requiredString(input, 'AccountId');
    if (!/^\d{12}$/.test(accountId)) {
      throw invalidInput(
        'INVALID_PATTERN',
        `You provided a value that doesn't match the required pattern: ${accountId}`,
      );
    }
    const meta = state.meta();
    resolveDue();
    const account = state.account(accountId);
    if (!account) throw orgError('AccountNotFoundException', CLOSE_ACCOUNT_MESSAGES.notFound);
    if (accountId === meta.masterAccountId) {
      throw constraintViolation('CANNOT_CLOSE_MANAGEMENT_ACCOUNT', CLOSE_ACCOUNT_MESSAGES.managementAccount);
    }
    if (account.Status === 'SUSPENDED') {
      throw orgError('AccountAlreadyClosedException', CLOSE_ACCOUNT_MESSAGES.alreadyClosed);
    }
    if (account.Status === 'PENDING_CLOSURE') throw orgError('ConflictException', CLOSE_ACCOUNT_MESSAGES.conflict);
    const accounts = state.accounts();
    if (accounts.filter((a) => a.Status === 'PENDING_CLOSURE').length >= MAX_CONCURRENT_CLOSURES) {
      throw constraintViolation('CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED', CLOSE_ACCOUNT_MESSAGES.requestsLimit);
    }
    const now = runtime.clock.nowMs();
    const recent = closures().filter((c) => c.requestedMs > now - CLOSE_QUOTA_WINDOW_MS).length;
    if (recent >= closeAccountQuota(accounts.length - 1)) {
      throw constraintViolation('CLOSE_ACCOUNT_QUOTA_EXCEEDED', CLOSE_ACCOUNT_MESSAGES.quota);
    }
    runtime.store.transaction(() => {
      runtime.store.put<AccountRecord>(T.accounts, accountId, { ...account, Status: 'PENDING_CLOSURE' });
      runtime.store.put<ClosureRecord>(T.closures, `${accountId}/${now}`, {
        accountId,
        requestedMs: now,
        dueMs: now + CLOSE_ACCOUNT_DURATION_MS,
      });
      state.touch();
    });
    return {};
  };

  return { operations: { CloseAccount } as Record<string, OperationHandler>, resolveDue, nextDueRealMs };
}
