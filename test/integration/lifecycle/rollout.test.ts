/**
 * `vendguard baseline rollout` (docs/lifecycle.md): every account of a target OU gets the stack
 * set's current template; the network stack set redeploys only the accounts that have an instance,
 * keeping their pool and gateway; a failed instance is reported with the redrive command and exit 1.
 */
import { ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runRollout } from '../../../cli/commands/baseline';
import { CliError } from '../../../cli/output';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { accountsWithEmail, clients, executionArnOf, putRequest, waitForExecution } from '../vending/harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;
let accountId: string;

beforeAll(async () => {
  sb = await startTestSandbox({ timeScale: 1200 });
  c = clients(sb);
  const r = {
    name: 'rolled-dev',
    email: 'aws-rolled-dev@acme.example',
    ou: 'Workloads/Dev',
    owner: 'team-r',
    environment: 'dev',
    requestId: 'req-rolled-dev',
  };
  await putRequest(c.events, r);
  const done = await waitForExecution(c.sfn, executionArnOf(r.requestId), 120_000);
  expect(done.status).toBe('SUCCEEDED');
  accountId = (await accountsWithEmail(c.org, r.email))[0]?.Id as string;
}, 180_000);
afterAll(() => sb?.stop());
afterEach(() => {
  sb.runtime.faults.clear();
  process.exitCode = undefined;
});

const vpcCidr = async () =>
  (
    await sb
      .client(EC2Client, { accountId })
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:vendguard:baseline', Values: ['network'] }] }))
  ).Vpcs?.map((v) => v.CidrBlock);

describe('vendguard baseline rollout', () => {
  it('redeploys a stack set to every account of an OU, in each of its regions', async () => {
    const result = await runRollout(
      { stackSet: 'vendguard-baseline-security', ou: 'Workloads/Dev', wait: true, json: true, pollMs: 100 },
      c,
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.operations).toEqual([
      expect.objectContaining({
        stackSet: 'vendguard-baseline-security',
        ou: 'Workloads/Dev',
        status: 'SUCCEEDED',
        succeeded: 3, // one account, three regions
        failed: [],
      }),
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it("keeps the network instances' pool and gateway, and creates none where vending made none", async () => {
    const before = await vpcCidr();
    const result = await runRollout({ stackSet: 'vendguard-baseline-network', wait: true, json: true, pollMs: 100 }, c);
    expect(result.status).toBe('SUCCEEDED');
    expect(await vpcCidr()).toEqual(before);
    const instances = await c.cfn.send(new ListStackInstancesCommand({ StackSetName: 'vendguard-baseline-network' }));
    expect(instances.Summaries?.map((i) => i.Account)).toEqual([accountId]);
  });

  it('reports a failed instance with its reason and the redrive command, exit 1', async () => {
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'DeployStackInstance',
      error: 'ResourceLimitExceeded',
    });
    const result = await runRollout(
      { stackSet: 'vendguard-baseline-security', ou: 'Workloads/Dev', wait: true, json: true, pollMs: 100 },
      c,
    );
    expect(result.status).toBe('FAILED');
    const [op] = result.operations;
    expect(op?.failed.length).toBeGreaterThan(0);
    expect(op?.failed[0]).toMatchObject({ account: accountId, reason: expect.any(String) });
    expect(op?.redriveCommand).toBe(
      'npx vendguard baseline rollout --stack-set vendguard-baseline-security --ou Workloads/Dev --wait',
    );
    expect(process.exitCode).toBe(1);
  });

  it('refuses a stack set or an OU the config does not have, starting nothing', async () => {
    await expect(runRollout({ stackSet: 'vendguard-baseline-nope' }, c)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('--stack-set: vendguard-baseline-nope is not in baselines.stackSets'),
    });
    const error = await runRollout({ stackSet: 'vendguard-baseline-network', ou: 'Sandbox' }, c).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: 2,
      message: '--ou: no stack set vendguard-baseline-network targets Sandbox',
    });
  });
});
