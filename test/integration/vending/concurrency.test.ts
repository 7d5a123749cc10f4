import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { TestSandbox } from '../../helpers/sandbox';
import {
  accountsWithEmail,
  clients,
  executionArnOf,
  parentOf,
  putRequest,
  startVendingSandbox,
  waitForExecution,
} from './harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
});
afterAll(() => sb?.stop());

const EXEC = executionArnOf;
const request = (n: number) => ({
  name: `team${n}-dev`,
  email: `aws-team${n}-dev@acme.example`,
  ou: 'Workloads/Dev',
  owner: `team-${n}`,
  environment: 'dev',
  requestId: `req-conc-${n}`,
});

const put = (detail: object) => putRequest(c.events, detail);

describe('concurrent account requests', () => {
  it('vends 20 concurrent requests into 20 distinct accounts, none twice, without OperationInProgressException', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => request(i + 1));
    await Promise.all(requests.map(put));
    const results = await Promise.all(requests.map((r) => waitForExecution(c.sfn, EXEC(r.requestId), 120_000)));
    expect(results.map((r) => [r.name, r.status, r.error ?? null])).toEqual(
      requests.map((r) => [r.requestId, 'SUCCEEDED', null]),
    );
    const ids = new Set<string>();
    const devOu = sb.runtime.organizations.ouIdByPath('Workloads/Dev');
    for (const r of requests) {
      const accounts = await accountsWithEmail(c.org, r.email);
      expect([r.email, accounts.length]).toEqual([r.email, 1]);
      const id = accounts[0]?.Id as string;
      ids.add(id);
      expect(await parentOf(c.org, id)).toBe(devOu);
    }
    expect(ids.size).toBe(20);
    // no step ever saw OperationInProgressException (ManagedExecution queues conflicting operations)
    const history = JSON.stringify(sb.runtime.store.list('invocations'));
    expect(history).not.toContain('OperationInProgressException');
  }, 180_000);

  it('starts one execution and creates one account for the same request sent twice', async () => {
    const r = { ...request(99), requestId: 'req-twice' };
    await put(r);
    await put(r);
    const done = await waitForExecution(c.sfn, EXEC('req-twice'));
    expect(done.status).toBe('SUCCEEDED');
    await put(r); // once more after it ended: ExecutionAlreadyExists, nothing new
    await new Promise((resolve) => setTimeout(resolve, 200));
    const executions = await c.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending',
      }),
    );
    expect((executions.executions ?? []).filter((e) => e.name === 'req-twice')).toHaveLength(1);
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(1);
  });
});
