/**
 * `vendguard enroll` end to end (docs/lifecycle.md): an account created outside vendguard (in the
 * root) goes through the vending state machine without CreateAccount and ends like a vended one;
 * enrolling it again starts nothing new; core accounts are refused; a failure in the middle is
 * redriven to success.
 */
import { ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand } from '@aws-sdk/client-organizations';
import { ListExecutionsCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { runEnroll } from '../../../cli/commands/enroll';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';
import { clients, executionArnOf, parentOf, tagsOf, waitForExecution } from '../vending/harness';

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

/** An account made the way a team did before vendguard: CreateAccount into the root, by hand. */
async function legacyAccount(name: string): Promise<string> {
  const out = await c.org.send(
    new CreateAccountCommand({
      AccountName: name,
      Email: `legacy-${name.toLowerCase().replace(/\W+/g, '-')}@other.example`,
    }),
  );
  const id = out.CreateAccountStatus?.Id as string;
  return until(
    async () => {
      const status = (await c.org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id })))
        .CreateAccountStatus;
      return status?.State === 'SUCCEEDED' ? status.AccountId : undefined;
    },
    60_000,
    `${name} to be created`,
  );
}

const enroll = (account: string, extra: object = {}) =>
  runEnroll({ account, ou: 'Workloads/Dev', owner: 'team-legacy', json: true, wait: true, pollMs: 100, ...extra }, c);

describe('vendguard enroll', () => {
  it('brings an account created outside vendguard under it, without creating one', async () => {
    const accountId = await legacyAccount('Legacy Billing');
    const result = await enroll('Legacy Billing');
    expect([result.status, result.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(result).toMatchObject({ requestId: `enroll-${accountId}`, accountId });
    const states = result.states?.map((s) => s.name) ?? [];
    expect(states).not.toContain('CreateAccount');
    expect(states).toEqual(
      expect.arrayContaining(['Quarantine', 'MoveToOu', 'DeployBaseline', 'ConnectNetwork', 'AttachScps']),
    );

    expect(await parentOf(c.org, accountId)).toBe(sb.runtime.organizations.ouIdByPath('Workloads/Dev'));
    expect(await tagsOf(c.org, accountId)).toMatchObject({
      'vendguard:request-id': `enroll-${accountId}`,
      'vendguard:owner': 'team-legacy',
      'vendguard:account-name': 'Legacy Billing',
    });
    const instances = await c.cfn.send(
      new ListStackInstancesCommand({ StackSetName: 'vendguard-baseline-network', StackInstanceAccount: accountId }),
    );
    expect(instances.Summaries?.map((s) => s.StackInstanceStatus?.DetailedStatus)).toEqual(['SUCCEEDED']);
    const vpcs = await sb
      .client(EC2Client, { accountId })
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:vendguard:baseline', Values: ['network'] }] }));
    expect(vpcs.Vpcs?.[0]?.CidrBlock).toMatch(/^10\.(8[0-9]|9[0-5])\./); // the dev pool, 10.80.0.0/12

    // enrolling it again is the same execution: nothing starts twice
    const again = await enroll(accountId);
    expect(again.status).toBe('SUCCEEDED');
    const executions = await c.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending',
      }),
    );
    expect(executions.executions?.filter((e) => e.name === `enroll-${accountId}`)).toHaveLength(1);
  }, 240_000);

  it('refuses a core account and an unknown one, sending nothing', async () => {
    await expect(enroll('network')).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('is the core account network: core accounts are not enrolled'),
    });
    await expect(enroll('999999999999')).rejects.toMatchObject({ exitCode: 2 });
  });

  it('fails visibly when a step fails in the middle, and a redrive finishes the enrollment', async () => {
    const accountId = await legacyAccount('legacy-ledger');
    sb.runtime.faults.add({
      service: 'organizations',
      operation: 'MoveAccount',
      error: 'AccessDeniedException',
      status: 400,
      count: 1,
    });
    const failed = await enroll(accountId);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'AccessDeniedException', failedState: 'MoveToOu' });
    sb.runtime.faults.clear();
    await c.sfn.send(new RedriveExecutionCommand({ executionArn: executionArnOf(`enroll-${accountId}`) }));
    const done = await waitForExecution(c.sfn, executionArnOf(`enroll-${accountId}`), 120_000);
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(await parentOf(c.org, accountId)).toBe(sb.runtime.organizations.ouIdByPath('Workloads/Dev'));
  }, 240_000);
});
