import { pageAt } from '../../core/paging';
import { optionalInt, optionalList, optionalString, requiredString } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler } from '../../core/types';
import { seedMemberRoles } from '../iam/seed';
import { createAccountResultEntry } from './events';
import { announceAccountJoined } from './lifecycle';
import {
  type AccountRecord,
  type CreateStatusRecord,
  FULL_AWS_ACCESS_ID,
  invalidInput,
  type OrgState,
  type OuRecord,
  orgError,
  SCP,
  T,
  type Tag,
} from './model';

/**
 * Accounts, OUs, parents/children, tags, and the asynchronous `CreateAccount`: a request is
 * IN_PROGRESS for 60–240 simulated seconds, then SUCCEEDED (the account joins the root) or FAILED
 * (`EMAIL_ALREADY_EXISTS`, `CONCURRENT_ACCOUNT_MODIFICATION`, `ACCOUNT_LIMIT_EXCEEDED`, or the
 * reason an `organizations`/`CreateAccountProcess` fault names: any of
 * `CREATE_ACCOUNT_FAILURE_REASONS` (failure-reasons.ts), checked when the fault is added).
 */

/** AWS allows this many account creations in progress per organization. */
export const MAX_CONCURRENT_CREATIONS = 5;
export const MIN_CREATE_MS = 60_000;
export const MAX_CREATE_MS = 240_000;

export const toAccount = (a: AccountRecord) => ({
  Id: a.Id,
  Arn: a.Arn,
  Email: a.Email,
  Name: a.Name,
  Status: a.Status,
  // the lifecycle State mirrors Status for every state the sandbox models (ACTIVE, PENDING_CLOSURE, SUSPENDED)
  State: a.Status,
  JoinedMethod: a.JoinedMethod,
  JoinedTimestamp: new Date(a.JoinedTimestampMs),
});

const toOu = (o: OuRecord) => ({ Id: o.Id, Arn: o.Arn, Name: o.Name });

const toStatus = (s: CreateStatusRecord) => ({
  Id: s.Id,
  AccountName: s.AccountName,
  State: s.State,
  RequestedTimestamp: new Date(s.RequestedTimestampMs),
  ...(s.CompletedTimestampMs !== undefined ? { CompletedTimestamp: new Date(s.CompletedTimestampMs) } : {}),
  ...(s.AccountId ? { AccountId: s.AccountId } : {}),
  ...(s.FailureReason ? { FailureReason: s.FailureReason } : {}),
});

/** Pages a list with an opaque `NextToken` (an offset). */
/** The root's `PolicyTypes`: every enabled type (`EnablePolicyType`). */
export function rootPolicyTypes(state: OrgState): { Type: string; Status: 'ENABLED' }[] {
  return state.enabledPolicyTypes().map((Type) => ({ Type, Status: 'ENABLED' }));
}

export function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  max = 20,
): { page: T[]; NextToken?: string } {
  const maxResults = optionalInt(input, 'MaxResults') ?? max;
  if (maxResults < 1 || maxResults > max) {
    throw invalidInput('INVALID_INPUT', `MaxResults must be between 1 and ${max}, got ${maxResults}`);
  }
  const token = optionalString(input, 'NextToken') || undefined;
  const { page, next } = pageAt(items, token, maxResults, () =>
    invalidInput('INVALID_NEXT_TOKEN', 'The NextToken is not valid'),
  );
  return next ? { page, NextToken: next } : { page };
}

/** The account-related operations, plus the resolver of pending creations. */
export function accountOperations(state: OrgState, runtime: LocalRuntime) {
  const mustAccount = (id: string): AccountRecord => {
    const a = state.account(id);
    if (!a) throw orgError('AccountNotFoundException', `You specified an account that doesn't exist: ${id}`);
    return a;
  };
  const mustParent = (id: string, code = 'ParentNotFoundException'): void => {
    if (!state.isParent(id))
      throw orgError(code, `We can't find a root or OU with the ParentId that you specified: ${id}`);
  };
  const parseTags = (input: Record<string, unknown>): Tag[] =>
    optionalList(input, 'Tags').map((t) => ({ Key: String(t.Key ?? ''), Value: String(t.Value ?? '') }));

  /** Completes every creation whose due time has passed, then sends each one's `CreateAccountResult`. */
  const resolveDue = (): void => {
    const now = runtime.clock.nowMs();
    const pending = runtime.store
      .list<CreateStatusRecord>(T.createStatus)
      .filter((s) => s.State === 'IN_PROGRESS' && s.dueMs <= now)
      .sort((a, b) => a.dueMs - b.dueMs);
    for (const s of pending) {
      const finished = runtime.store.transaction((): CreateStatusRecord | undefined => {
        // Another resolver (a request, the timer) may have completed it since the list was read.
        if (runtime.store.get<CreateStatusRecord>(T.createStatus, s.Id)?.State !== 'IN_PROGRESS') return undefined;
        const meta = state.meta();
        const accounts = state.accounts();
        let reason = s.failWith;
        if (!reason && accounts.some((a) => a.Email.toLowerCase() === s.Email.toLowerCase()))
          reason = 'EMAIL_ALREADY_EXISTS';
        if (!reason && accounts.length >= runtime.config.organization.accountLimit) reason = 'ACCOUNT_LIMIT_EXCEEDED';
        const done: CreateStatusRecord = { ...s, CompletedTimestampMs: s.dueMs };
        if (reason) {
          done.State = 'FAILED';
          done.FailureReason = reason;
        } else {
          let id = runtime.generator.accountId();
          while (state.account(id)) id = runtime.generator.accountId();
          runtime.store.put<AccountRecord>(T.accounts, id, {
            Id: id,
            Arn: `arn:aws:organizations::${meta.masterAccountId}:account/${meta.id}/${id}`,
            Email: s.Email,
            Name: s.AccountName,
            Status: 'ACTIVE',
            JoinedMethod: 'CREATED',
            JoinedTimestampMs: s.dueMs,
            ParentId: meta.rootId,
          });
          // AWS creates OrganizationAccountAccessRole in every account it creates
          seedMemberRoles(runtime, id);
          if (state.policyTypeEnabled(SCP)) state.attach(FULL_AWS_ACCESS_ID, id);
          if (s.Tags.length > 0) state.setTags(id, s.Tags);
          done.State = 'SUCCEEDED';
          done.AccountId = id;
        }
        runtime.store.put(T.createStatus, s.Id, done);
        return done;
      });
      // Exactly once per creation: only the resolver that completed it sends the event.
      if (finished) runtime.emitTrail(createAccountResultEntry(finished, state.meta().masterAccountId));
      // services that auto-enable themselves for new accounts (GuardDuty, Security Hub) hear of it
      if (finished?.State === 'SUCCEEDED' && finished.AccountId)
        announceAccountJoined(runtime.store, finished.AccountId);
    }
  };

  /** Real ms until the next pending creation is due, or undefined. */
  const nextDueRealMs = (): number | undefined => {
    const pending = runtime.store.list<CreateStatusRecord>(T.createStatus).filter((s) => s.State === 'IN_PROGRESS');
    if (pending.length === 0) return undefined;
    // an account being created is a modelled wait: the clock runs compressed until it is due
    for (const s of pending) runtime.clock.holdUntil(s.dueMs);
    const due = Math.min(...pending.map((s) => s.dueMs));
    return runtime.clock.toRealMs(due - runtime.clock.nowMs());
  };

  const operations: Record<string, OperationHandler> = {
    DescribeOrganization: () => {
      const m = state.meta();
      return {
        Organization: {
          Id: m.id,
          Arn: m.arn,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${m.masterAccountId}:account/${m.id}/${m.masterAccountId}`,
          MasterAccountId: m.masterAccountId,
          MasterAccountEmail: m.masterAccountEmail,
          // deprecated by AWS in favour of the root's PolicyTypes, which it mirrors
          AvailablePolicyTypes: rootPolicyTypes(state),
        },
      };
    },
    ListRoots: () => {
      const m = state.meta();
      return {
        Roots: [
          {
            Id: m.rootId,
            Arn: m.rootArn,
            Name: 'Root',
            PolicyTypes: rootPolicyTypes(state),
          },
        ],
      };
    },
    ListOrganizationalUnitsForParent: (input) => {
      const parentId = requiredString(input, 'ParentId');
      mustParent(parentId);
      const { page, NextToken } = paginate(
        state.ous().filter((o) => o.ParentId === parentId),
        input,
      );
      return { OrganizationalUnits: page.map(toOu), ...(NextToken ? { NextToken } : {}) };
    },
    DescribeOrganizationalUnit: (input) => {
      const id = requiredString(input, 'OrganizationalUnitId');
      const ou = state.ou(id);
      if (!ou)
        throw orgError(
          'OrganizationalUnitNotFoundException',
          `We can't find an OU with the OrganizationalUnitId that you specified: ${id}`,
        );
      return { OrganizationalUnit: toOu(ou) };
    },
    CreateOrganizationalUnit: (input) => {
      const parentId = requiredString(input, 'ParentId');
      const name = requiredString(input, 'Name');
      mustParent(parentId);
      if (state.ous().some((o) => o.ParentId === parentId && o.Name === name)) {
        throw orgError(
          'DuplicateOrganizationalUnitException',
          `An OU with the name ${name} already exists in ${parentId}`,
        );
      }
      const m = state.meta();
      const parentPath = state.ou(parentId)?.Path;
      const id = `ou-${m.rootId.slice(2)}-${runtime.generator.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
      const ou: OuRecord = {
        Id: id,
        Arn: `arn:aws:organizations::${m.masterAccountId}:ou/${m.id}/${id}`,
        Name: name,
        ParentId: parentId,
        Path: parentPath ? `${parentPath}/${name}` : name,
      };
      runtime.store.put(T.ous, id, ou);
      if (state.policyTypeEnabled(SCP)) state.attach(FULL_AWS_ACCESS_ID, id);
      const tags = parseTags(input);
      if (tags.length > 0) state.setTags(id, tags);
      return { OrganizationalUnit: toOu(ou) };
    },
    ListAccounts: (input) => {
      resolveDue();
      const { page, NextToken } = paginate(state.accounts(), input);
      return { Accounts: page.map(toAccount), ...(NextToken ? { NextToken } : {}) };
    },
    ListAccountsForParent: (input) => {
      resolveDue();
      const parentId = requiredString(input, 'ParentId');
      mustParent(parentId);
      const { page, NextToken } = paginate(
        state.accounts().filter((a) => a.ParentId === parentId),
        input,
      );
      return { Accounts: page.map(toAccount), ...(NextToken ? { NextToken } : {}) };
    },
    DescribeAccount: (input) => {
      resolveDue();
      return { Account: toAccount(mustAccount(requiredString(input, 'AccountId'))) };
    },
    ListParents: (input) => {
      const childId = requiredString(input, 'ChildId');
      const parentId = state.account(childId)?.ParentId ?? state.ou(childId)?.ParentId;
      if (!parentId)
        throw orgError(
          'ChildNotFoundException',
          `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: ${childId}`,
        );
      return { Parents: [{ Id: parentId, Type: parentId.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    },
    ListChildren: (input) => {
      const parentId = requiredString(input, 'ParentId');
      const childType = requiredString(input, 'ChildType');
      mustParent(parentId);
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
        throw invalidInput('INVALID_ENUM', `ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT, got ${childType}`);
      }
      const ids =
        childType === 'ACCOUNT'
          ? state
              .accounts()
              .filter((a) => a.ParentId === parentId)
              .map((a) => a.Id)
          : state
              .ous()
              .filter((o) => o.ParentId === parentId)
              .map((o) => o.Id);
      const { page, NextToken } = paginate(ids, input);
      return { Children: page.map((Id) => ({ Id, Type: childType })), ...(NextToken ? { NextToken } : {}) };
    },
    CreateAccount: (input) => {
      const email = requiredString(input, 'Email');
      const accountName = requiredString(input, 'AccountName');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 64) {
        throw invalidInput('INVALID_EMAIL_ADDRESS_TARGET', `The email address ${email} is not valid`);
      }
      state.meta();
      resolveDue();
      const now = runtime.clock.nowMs();
      const inProgress = runtime.store
        .list<CreateStatusRecord>(T.createStatus)
        .filter((s) => s.State === 'IN_PROGRESS').length;
      const fault = runtime.fault('organizations', 'CreateAccountProcess');
      const failWith = inProgress >= MAX_CONCURRENT_CREATIONS ? 'CONCURRENT_ACCOUNT_MODIFICATION' : fault?.error?.code;
      const id = `car-${runtime.generator.hex(32)}`;
      const status: CreateStatusRecord = {
        Id: id,
        AccountName: accountName,
        Email: email,
        State: 'IN_PROGRESS',
        RequestedTimestampMs: now,
        dueMs: now + (failWith ? 5_000 : runtime.generator.int(MIN_CREATE_MS, MAX_CREATE_MS)) + (fault?.latencyMs ?? 0),
        ...(failWith ? { failWith } : {}),
        Tags: parseTags(input),
      };
      runtime.store.put(T.createStatus, id, status);
      return { CreateAccountStatus: toStatus(status) };
    },
    DescribeCreateAccountStatus: (input) => {
      resolveDue();
      const id = requiredString(input, 'CreateAccountRequestId');
      const s = runtime.store.get<CreateStatusRecord>(T.createStatus, id);
      if (!s)
        throw orgError(
          'CreateAccountStatusNotFoundException',
          `We can't find a create account request with the ID that you specified: ${id}`,
        );
      return { CreateAccountStatus: toStatus(s) };
    },
    ListCreateAccountStatus: (input) => {
      resolveDue();
      const states = Array.isArray(input.States) ? (input.States as string[]) : undefined;
      const all = runtime.store
        .list<CreateStatusRecord>(T.createStatus)
        .filter((s) => !states || states.length === 0 || states.includes(s.State));
      const { page, NextToken } = paginate(all, input);
      return { CreateAccountStatuses: page.map(toStatus), ...(NextToken ? { NextToken } : {}) };
    },
    MoveAccount: (input) => {
      const accountId = requiredString(input, 'AccountId');
      const source = requiredString(input, 'SourceParentId');
      const destination = requiredString(input, 'DestinationParentId');
      const account = mustAccount(accountId);
      if (!state.isParent(source))
        throw orgError(
          'SourceParentNotFoundException',
          `We can't find a source root or OU with the ParentId that you specified: ${source}`,
        );
      if (!state.isParent(destination)) {
        throw orgError(
          'DestinationParentNotFoundException',
          `We can't find the destination container (a root or OU) with the ParentId that you specified: ${destination}`,
        );
      }
      if (account.ParentId === destination)
        throw orgError('DuplicateAccountException', `The account ${accountId} is already in ${destination}`);
      if (account.ParentId !== source) {
        throw orgError(
          'SourceParentNotFoundException',
          `The account ${accountId} is not in ${source} (it is in ${account.ParentId})`,
        );
      }
      runtime.store.put<AccountRecord>(T.accounts, accountId, { ...account, ParentId: destination });
      state.touch();
      return {};
    },
    TagResource: (input) => {
      const id = requiredString(input, 'ResourceId');
      if (!state.isTarget(id) && !state.policy(id))
        throw orgError(
          'TargetNotFoundException',
          `We can't find a root, OU, account, or policy with the TargetId that you specified: ${id}`,
        );
      const tags = parseTags(input);
      const merged = new Map(state.tags(id).map((t) => [t.Key, t]));
      for (const t of tags) merged.set(t.Key, t);
      if (merged.size > 50) throw orgError('TooManyTagsException', `A resource can have at most 50 tags: ${id}`);
      state.setTags(id, [...merged.values()]);
      return {};
    },
    UntagResource: (input) => {
      const id = requiredString(input, 'ResourceId');
      if (!state.isTarget(id) && !state.policy(id))
        throw orgError(
          'TargetNotFoundException',
          `We can't find a root, OU, account, or policy with the TargetId that you specified: ${id}`,
        );
      const keys = new Set(Array.isArray(input.TagKeys) ? (input.TagKeys as string[]) : []);
      state.setTags(
        id,
        state.tags(id).filter((t) => !keys.has(t.Key)),
      );
      return {};
    },
    ListTagsForResource: (input) => {
      resolveDue();
      const id = requiredString(input, 'ResourceId');
      if (!state.isTarget(id) && !state.policy(id))
        throw orgError(
          'TargetNotFoundException',
          `We can't find a root, OU, account, or policy with the TargetId that you specified: ${id}`,
        );
      return { Tags: state.tags(id) };
    },
  };
  return { operations, resolveDue, nextDueRealMs };
}
