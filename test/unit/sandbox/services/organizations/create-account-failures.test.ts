import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { loadOrganizationConfig } from '../../../../../config/load';
import { LocalRuntime } from '../../../../../sandbox/core/runtime';
import type { RequestContext } from '../../../../../sandbox/core/types';
import { accountOperations } from '../../../../../sandbox/services/organizations/accounts';
import { CREATE_ACCOUNT_FAILURE_REASONS } from '../../../../../sandbox/services/organizations/failure-reasons';
import { OrgState, seedOrganization } from '../../../../../sandbox/services/organizations/model';

const home = mkdtempSync(join(tmpdir(), 'vendguard-create-failures-'));
let runtime: LocalRuntime;
let operations: ReturnType<typeof accountOperations>['operations'];
// The account operations read nothing of the request context.
const ctx = {} as RequestContext;

beforeAll(() => {
  runtime = new LocalRuntime({ home, loaded: loadOrganizationConfig() });
  const state = new OrgState(runtime.store);
  seedOrganization(state, runtime);
  ({ operations } = accountOperations(state, runtime));
});
afterAll(() => {
  runtime.close();
  rmSync(home, { recursive: true, force: true });
});

const statusOf = (out: unknown) => (out as { CreateAccountStatus: Record<string, unknown> }).CreateAccountStatus;

describe('CreateAccount failure reasons', () => {
  it('lists every FailureReason of the SDK', () => {
    expect(Object.keys(CREATE_ACCOUNT_FAILURE_REASONS).sort()).toEqual(
      Object.values(CreateAccountFailureReason).sort(),
    );
  });

  it.each(Object.values(CreateAccountFailureReason))(
    'fails a creation with %s when a CreateAccountProcess fault names it',
    async (reason) => {
      runtime.faults.add({ service: 'organizations', operation: 'CreateAccountProcess', error: reason, count: 1 });
      const name = `fails-${reason.toLowerCase().replaceAll('_', '-')}`.slice(0, 50);
      const started = await statusOf(
        await operations.CreateAccount?.({ Email: `${name}@acme.example`, AccountName: name }, ctx),
      );
      expect(started).toMatchObject({ State: 'IN_PROGRESS' });
      runtime.clock.advance(10_000);
      const done = await statusOf(
        await operations.DescribeCreateAccountStatus?.({ CreateAccountRequestId: started.Id }, ctx),
      );
      expect(done).toMatchObject({ State: 'FAILED', FailureReason: reason });
    },
  );
});
