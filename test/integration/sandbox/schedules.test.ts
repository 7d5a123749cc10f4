/**
 * Scheduled functions run on the sandbox clock: guard-reconcile's `rate(6 hours)` rule
 * (`guard-reconcile-schedule` on the default bus, from the manifest) fires once per period the clock
 * passes, whether time runs or the control API advances it.
 */
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
beforeAll(async () => {
  // real time: nothing fires by itself while the test runs, only the clock jumps count
  sb = await startTestSandbox({ timeScale: 1, schedules: true });
});
afterAll(() => sb.stop());

const reconciles = () => sb.runtime.functions.recent(1000, 'guard-reconcile').length;

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('scheduled functions', () => {
  it('deploys the schedule of guard-reconcile on the default bus, as the CDK app does', async () => {
    const rule = await sb
      .client(EventBridgeClient)
      .send(new DescribeRuleCommand({ Name: 'vendguard-guard-reconcile-schedule', EventBusName: 'default' }));
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(6 hours)', State: 'ENABLED' });
  });

  it('runs guard-reconcile once per six hours the clock is advanced past', async () => {
    const before = reconciles();
    const res = await fetch(`${sb.endpoint}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 18 * 3600 + 60 }),
    });
    expect(res.status).toBe(200);
    await until('three sweeps', () => reconciles() >= before + 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(reconciles()).toBe(before + 3);
  });
});
