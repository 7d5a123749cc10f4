import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { listExecutions } from '../../../cli/commands/executions';
import { type ReplayOptions, replayCommand } from '../../../cli/commands/replay';
import { executionReport } from '../../../cli/executions';
import type { TestSandbox } from '../../helpers/sandbox';
import { accountsWithEmail, clients, startVendingSandbox, waitForExecution } from '../vending/harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;
let stdout: jest.SpyInstance;
let stderr: jest.SpyInstance;

const MACHINE = 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending';
const EXEC = (name: string) => `arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:${name}`;
const request = (name: string) => ({
  name,
  email: `aws-${name}@acme.example`,
  ou: 'Workloads/Dev',
  owner: 'team-ops',
  environment: 'dev',
  requestId: `req-${name}`,
});
const opts = (extra: Partial<ReplayOptions> = {}): ReplayOptions => ({
  mode: 'redrive',
  concurrency: 4,
  stateMachine: 'account-vending',
  wait: true,
  pollMs: 20,
  ...extra,
});
const failStackInstances = () =>
  sb.runtime.faults.add({
    service: 'cloudformation',
    operation: 'DeployStackInstance',
    error: 'ResourceLimitExceeded',
  });

async function vend(names: string[]) {
  for (let i = 0; i < names.length; i += 10) {
    await c.events.send(
      new PutEventsCommand({
        Entries: names.slice(i, i + 10).map((name) => ({
          EventBusName: 'vendguard',
          Source: 'vendguard.requests',
          DetailType: 'Account Request',
          Detail: JSON.stringify(request(name)),
        })),
      }),
    );
  }
  return Promise.all(names.map((name) => waitForExecution(c.sfn, EXEC(`req-${name}`), 120_000)));
}

const stderrText = () => stderr.mock.calls.map((call) => String(call[0])).join('');
const stdoutText = () => stdout.mock.calls.map((call) => String(call[0])).join('');

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
});
afterAll(() => sb?.stop());
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  stderr.mockRestore();
  sb.runtime.faults.clear();
});

describe('vendguard replay against the sandbox', () => {
  it('redrives an execution failed by a fault, after the fault is cleared, to success with the same account', async () => {
    failStackInstances();
    const [failed] = await vend(['ops-redrive']);
    expect(failed?.status).toBe('FAILED');
    const before = await accountsWithEmail(c.org, 'aws-ops-redrive@acme.example');
    expect(before).toHaveLength(1);
    const report = await executionReport(c.sfn, EXEC('req-ops-redrive'));
    expect(report.failedState?.error).toBe('BaselineDeploymentFailedError');

    sb.runtime.faults.clear();
    const summary = await replayCommand('req-ops-redrive', opts(), c.sfn);

    expect(summary).toEqual({
      failed: 0,
      outcomes: [{ name: 'req-ops-redrive', mode: 'redrive', replay: 'req-ops-redrive', status: 'SUCCEEDED' }],
    });
    const after = await c.sfn.send(new DescribeExecutionCommand({ executionArn: EXEC('req-ops-redrive') }));
    expect([after.status, after.redriveCount]).toEqual(['SUCCEEDED', 1]);
    expect((await accountsWithEmail(c.org, 'aws-ops-redrive@acme.example')).map((a) => a.Id)).toEqual(
      before.map((a) => a.Id),
    );
    expect(stderrText()).toContain('ReleaseQuarantine');
  });

  it('restarts a succeeded execution as <name>-restart-1 and creates no second account', async () => {
    const [done] = await vend(['ops-restart']);
    expect(done?.status).toBe('SUCCEEDED');

    const summary = await replayCommand('req-ops-restart', opts({ mode: 'restart' }), c.sfn);

    expect(summary.outcomes).toEqual([
      { name: 'req-ops-restart', mode: 'restart', replay: 'req-ops-restart-restart-1', status: 'SUCCEEDED' },
    ]);
    expect(await accountsWithEmail(c.org, 'aws-ops-restart@acme.example')).toHaveLength(1);
  });

  it('lists a request with its restarts, newest first', async () => {
    const items = await listExecutions(c.sfn, MACHINE, { requestId: 'req-ops-restart' });
    expect(items.map((i) => i.name)).toEqual(['req-ops-restart-restart-1', 'req-ops-restart']);
    const report = await executionReport(c.sfn, EXEC('req-ops-restart-restart-1'));
    expect(report.accountId).toMatch(/^\d{12}$/);
    expect(report.states.map((s) => s.name)).toEqual(expect.arrayContaining(['CreateAccount', 'DeployBaseline']));
  });

  it('refuses to redrive a succeeded execution and says why', async () => {
    await expect(replayCommand('req-ops-restart', opts(), c.sfn)).rejects.toThrow(
      /req-ops-restart is SUCCEEDED; only FAILED, TIMED_OUT or ABORTED executions can be redriven/,
    );
  });

  it('replays 10 failed executions in bulk: all succeed, progress shown, summary correct', async () => {
    failStackInstances();
    const names = Array.from({ length: 10 }, (_, i) => `ops-bulk-${i}`);
    const failed = await vend(names);
    expect(failed.map((f) => f.status)).toEqual(Array(10).fill('FAILED'));
    sb.runtime.faults.clear();

    const summary = await replayCommand(undefined, opts({ status: 'FAILED', yes: true, since: 7 * 86_400_000 }), c.sfn);

    expect(summary.failed).toBe(0);
    expect(summary.outcomes.map((o) => o.name).sort()).toEqual(names.map((n) => `req-${n}`).sort());
    expect(summary.outcomes.every((o) => o.status === 'SUCCEEDED')).toBe(true);
    expect(stderrText()).toContain('10 execution(s) to redrive');
    expect(stderrText()).toContain('[10/10]');
    expect(stdoutText()).toContain('10 succeeded, 0 failed');
    expect(await listExecutions(c.sfn, MACHINE, { status: 'FAILED' })).toEqual([]);
    for (const name of names) expect(await accountsWithEmail(c.org, `aws-${name}@acme.example`)).toHaveLength(1);
  });

  it('says what a dry run would do and changes nothing', async () => {
    failStackInstances();
    await vend(['ops-dry']);
    sb.runtime.faults.clear();
    const summary = await replayCommand('req-ops-dry', opts({ dryRun: true }), c.sfn);
    expect(summary.outcomes).toEqual([]);
    expect(stderrText()).toContain('req-ops-dry (FAILED) → redrive');
    const still = await c.sfn.send(new DescribeExecutionCommand({ executionArn: EXEC('req-ops-dry') }));
    expect(still.status).toBe('FAILED');
  });
});
