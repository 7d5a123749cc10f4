import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrganizationConfig } from '../../../../../config/load';
import { LocalRuntime } from '../../../../../sandbox/core/runtime';
import type { RequestContext } from '../../../../../sandbox/core/types';
import {
  CLOSE_ACCOUNT_DURATION_MS,
  closeAccountQuota,
  closureOperations,
  isAccountClosed,
} from '../../../../../sandbox/services/organizations/closure';
import { OrgState, seedOrganization } from '../../../../../sandbox/services/organizations/model';

const home = mkdtempSync(join(tmpdir(), 'vendguard-close-account-'));
let runtime: LocalRuntime;
let state: OrgState;
let closures: ReturnType<typeof closureOperations>;
// CloseAccount reads nothing of the request context
const ctx = {} as RequestContext;

beforeAll(() => {
  runtime = new LocalRuntime({ home, loaded: loadOrganizationConfig() });
  state = new OrgState(runtime.store);
  seedOrganization(state, runtime);
  closures = closureOperations(state, runtime);
});
afterAll(() => {
  runtime.close();
  rmSync(home, { recursive: true, force: true });
});

describe('closeAccountQuota', () => {
  it.each([
    [0, 250],
    [1_250, 250],
    [1_255, 251],
    [2_000, 400],
    [5_000, 1_000],
    [50_000, 1_000],
  ])(
    'allows, for %i member accounts, %i closures in 30 days (the higher of 250 and 20%%, at most 1,000)',
    (members, quota) => {
      expect(closeAccountQuota(members)).toBe(quota);
    },
  );
});

describe('a closure on the sandbox clock', () => {
  it('stays PENDING_CLOSURE until its time has passed, then is SUSPENDED, and is closed to STS throughout', async () => {
    const id = '100000000007';
    expect(isAccountClosed(runtime.store, id)).toBe(false);
    await closures.operations.CloseAccount?.({ AccountId: id }, ctx);
    expect(state.account(id)?.Status).toBe('PENDING_CLOSURE');
    expect(isAccountClosed(runtime.store, id)).toBe(true);
    runtime.clock.advance(CLOSE_ACCOUNT_DURATION_MS - 1_000);
    closures.resolveDue();
    expect(state.account(id)?.Status).toBe('PENDING_CLOSURE');
    runtime.clock.advance(2_000);
    closures.resolveDue();
    expect(state.account(id)?.Status).toBe('SUSPENDED');
    expect(isAccountClosed(runtime.store, id)).toBe(true);
  });
});
