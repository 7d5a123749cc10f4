import { ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import type { TestSandbox } from '../../helpers/sandbox';
import {
  accountsWithEmail,
  clients,
  executionArnOf,
  policiesOf,
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
afterEach(() => sb.runtime.faults.clear());

const EXEC = executionArnOf;
const request = (name: string) => ({
  name,
  email: `aws-${name}@acme.example`,
  ou: 'Workloads/Dev',
  owner: 'team-faults',
  environment: 'dev',
  requestId: `req-${name}`,
});

const put = (detail: object) => putRequest(c.events, detail);

describe('account vending under faults', () => {
  it('succeeds through retries while Organizations throttles a third of the calls', async () => {
    sb.runtime.faults.add({ service: 'organizations', operation: '*', error: 'throttle', rate: 0.33 });
    const r = request('throttled-prod');
    await put(r);
    const done = await waitForExecution(c.sfn, EXEC(r.requestId));
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(sb.runtime.faults.list().some((f) => f.fired > 0)).toBe(true);
    sb.runtime.faults.clear();
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(1);
  });

  it('succeeds through retries when CreateStackInstances meets OperationInProgressException', async () => {
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'CreateStackInstances',
      error: 'OperationInProgressException',
      status: 409,
      count: 3,
    });
    const r = request('busy-prod');
    await put(r);
    const done = await waitForExecution(c.sfn, EXEC(r.requestId));
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(sb.runtime.faults.list()[0]?.fired).toBe(3);
  });

  it('fails visibly on a failed stack instance, then a redrive without the fault succeeds with the same account', async () => {
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'DeployStackInstance',
      error: 'ResourceLimitExceeded',
    });
    const r = request('broken-prod');
    await put(r);
    const failed = await waitForExecution(c.sfn, EXEC(r.requestId));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('BaselineDeploymentFailedError');
    expect(failed.cause).toMatch(
      /baseline stack set vendguard-baseline-\w+ failed in account \d{12}, region [a-z0-9-]+:/,
    );
    const [account] = await accountsWithEmail(c.org, r.email);
    const accountId = account?.Id as string;
    // still quarantined: never usable before its baseline is in place
    expect(await policiesOf(c.org, accountId)).toContain('vendguard-quarantine');
    // the failure was announced with the redrive command
    const history = await c.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: EXEC(r.requestId), maxResults: 1000 }),
    );
    const announced = (history.events ?? []).find(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'AnnounceFailure',
    );
    expect(announced?.stateExitedEventDetails?.output).toContain(`npx vendguard replay ${r.requestId} --mode redrive`);

    sb.runtime.faults.clear();
    await c.sfn.send(new RedriveExecutionCommand({ executionArn: EXEC(r.requestId) }));
    const redriven = await waitForExecution(c.sfn, EXEC(r.requestId));
    expect([redriven.status, redriven.error ?? null]).toEqual(['SUCCEEDED', null]);
    const after = await accountsWithEmail(c.org, r.email);
    expect(after.map((a) => a.Id)).toEqual([accountId]);
    expect(await policiesOf(c.org, accountId)).not.toContain('vendguard-quarantine');
    const instances = await c.cfn.send(
      new ListStackInstancesCommand({ StackSetName: 'vendguard-baseline-security', StackInstanceAccount: accountId }),
    );
    expect((instances.Summaries ?? []).map((i) => i.Status)).toEqual(['CURRENT', 'CURRENT', 'CURRENT']);
  });
});
