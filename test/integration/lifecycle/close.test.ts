/**
 * `vendguard close` end to end (docs/lifecycle.md): a vended dev account is moved to the suspended
 * OU, loses its stack instances (its VPC, so its IPAM range and its Transit Gateway attachment), is
 * closed and announced; core accounts and accounts outside vendguard's OUs are refused with nothing
 * changed; a closure that fails in the middle is redriven to success.
 */
import { ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeIpamPoolsCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeAccountCommand } from '@aws-sdk/client-organizations';
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { runClose } from '../../../cli/commands/close';
import { CliError } from '../../../cli/output';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { accountsWithEmail, clients, executionArnOf, parentOf, putRequest, waitForExecution } from '../vending/harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startTestSandbox({ timeScale: 1200 });
  c = clients(sb);
}, 120_000);
afterAll(() => sb?.stop());
afterEach(() => {
  sb.runtime.faults.clear();
  // the CLI sets the exit code of a failed run; the next test file in this worker must not inherit it
  process.exitCode = undefined;
});

async function vendDev(name: string): Promise<string> {
  const r = {
    name,
    email: `aws-${name}@acme.example`,
    ou: 'Workloads/Dev',
    owner: 'team-close',
    environment: 'dev',
    requestId: `req-${name}`,
  };
  await putRequest(c.events, r);
  const done = await waitForExecution(c.sfn, executionArnOf(r.requestId), 120_000);
  expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
  const [account] = await accountsWithEmail(c.org, r.email);
  return account?.Id as string;
}

const closing = (accountId: string) =>
  `arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-closing:close-${accountId}`;

async function instancesOf(accountId: string): Promise<string[]> {
  const found: string[] = [];
  for (const set of ['vendguard-baseline-security', 'vendguard-baseline-network']) {
    const out = await c.cfn.send(new ListStackInstancesCommand({ StackSetName: set, StackInstanceAccount: accountId }));
    for (const i of out.Summaries ?? []) found.push(`${set}/${i.Region}`);
  }
  return found;
}

async function networkHoldings(accountId: string) {
  const network = sb.client(EC2Client, { accountId: sb.accountId('network'), maxAttempts: 3 });
  const attachments =
    (await network.send(new DescribeTransitGatewayVpcAttachmentsCommand({}))).TransitGatewayVpcAttachments ?? [];
  const pools = (await network.send(new DescribeIpamPoolsCommand({}))).IpamPools ?? [];
  const dev = pools.find((p) => p.Tags?.some((t) => t.Key === 'vendguard-network:pool' && t.Value === 'dev'));
  const allocations =
    (await network.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: dev?.IpamPoolId }))).IpamPoolAllocations ?? [];
  return {
    attachments: attachments.filter((a) => a.VpcOwnerId === accountId && a.State !== 'deleted').length,
    allocations: allocations.filter((a) => a.ResourceOwner === accountId).length,
  };
}

describe('vendguard close', () => {
  it('moves, strips, releases, closes and announces a vended account', async () => {
    const accountId = await vendDev('closing-dev');
    expect(await networkHoldings(accountId)).toEqual({ attachments: 1, allocations: 1 });
    expect((await instancesOf(accountId)).length).toBeGreaterThan(1);

    const result = await runClose({ account: 'closing-dev', yes: true, wait: true, json: true, pollMs: 100 }, c);
    expect([result.status, result.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(result).toMatchObject({ accountId, fromOu: 'Workloads/Dev' });

    expect(await parentOf(c.org, accountId)).toBe(sb.runtime.organizations.ouIdByPath('Suspended'));
    const status = (await c.org.send(new DescribeAccountCommand({ AccountId: accountId }))).Account?.Status;
    expect(status).toBe('SUSPENDED');
    expect(await instancesOf(accountId)).toEqual([]);
    expect(await networkHoldings(accountId)).toEqual({ attachments: 0, allocations: 0 });
  }, 240_000);

  it('refuses a core account, with exit 2 and nothing changed', async () => {
    const network = sb.accountId('network');
    const before = await parentOf(c.org, network);
    const error = await runClose({ account: network, yes: true, json: true }, c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('is the core account network (network): vendguard never closes core accounts'),
    });
    expect(await parentOf(c.org, network)).toBe(before);
  });

  it('refuses an unknown account name and an already closed account', async () => {
    await expect(runClose({ account: 'no-such-account', yes: true, json: true }, c)).rejects.toMatchObject({
      exitCode: 2,
      message: '--account: no account is named no-such-account',
    });
    await expect(runClose({ account: 'closing-dev', yes: true, json: true }, c)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('is already closed (SUSPENDED)'),
    });
  });

  it('fails visibly when the baseline removal fails, and a redrive finishes the closure', async () => {
    const accountId = await vendDev('stuck-dev');
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'DeleteStackInstances',
      error: 'StackSetNotFoundException',
      status: 404,
      count: 1,
    });
    const failed = await runClose({ account: accountId, yes: true, wait: true, json: true, pollMs: 100 }, c);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'StackSetNotFoundException',
      failedState: 'RemoveBaseline',
      redriveCommand: `npx vendguard replay close-${accountId} --mode redrive`,
    });
    // it stopped in the suspended OU, deny-all: nobody but the baseline's removal can act there
    expect(await parentOf(c.org, accountId)).toBe(sb.runtime.organizations.ouIdByPath('Suspended'));

    await c.sfn.send(new RedriveExecutionCommand({ executionArn: closing(accountId) }));
    const done = await waitForExecution(c.sfn, closing(accountId), 120_000);
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(await instancesOf(accountId)).toEqual([]);
    expect((await c.org.send(new DescribeAccountCommand({ AccountId: accountId }))).Account?.Status).toBe('SUSPENDED');
  }, 240_000);
});
