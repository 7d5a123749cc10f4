import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationResultsCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../functions/shared/errors';
import { BaselineDeploymentFailedError, PoolExhaustedError } from '../../../../functions/shared/vending/errors';
import type { BaselineProgress } from '../../../../functions/shared/vending/plan';
import {
  type BaselineDeps,
  baselineStep,
  operationIdFor,
  vpcParameters,
} from '../../../../functions/vend-deploy-baseline/baseline';
import { ACCOUNT_ID, awsError, OU_IDS, plan, REQUEST_ID } from '../shared/vending/fixtures';

const cfn = mockClient(CloudFormationClient);
const client = cfn as unknown as CloudFormationClient;
const POOL_ID = 'ipam-pool-0123456789abcdef0';
const TGW_ID = 'tgw-0123456789abcdef0';
/** The network account's answer: the pool of the plan's environment and the gateway. */
const deps: BaselineDeps = { networkParameters: async (n) => vpcParameters(POOL_ID, n.netmaskLength, TGW_ID) };
const deploy = (redriveCount = 0) =>
  baselineStep(
    client,
    {
      action: 'deploy',
      requestId: REQUEST_ID,
      plan: plan(),
      accountId: ACCOUNT_ID,
      context: { Execution: { RedriveCount: redriveCount } },
    },
    deps,
  );
const check = (baseline: BaselineProgress, redriveCount = 0) =>
  baselineStep(
    client,
    {
      action: 'check',
      requestId: REQUEST_ID,
      plan: plan(),
      accountId: ACCOUNT_ID,
      baseline,
      context: { Execution: { RedriveCount: redriveCount } },
    },
    deps,
  );

beforeEach(() => {
  cfn.reset();
  cfn.on(CreateStackInstancesCommand).resolves({ OperationId: 'x' });
});

describe('DeployBaseline', () => {
  it('deploys each planned stack set to this account only, in its regions, with the config preferences', async () => {
    const out = await deploy();
    expect(out.status).toBe('RUNNING');
    const inputs = cfn.commandCalls(CreateStackInstancesCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toEqual({
      StackSetName: 'vendguard-baseline-security',
      DeploymentTargets: {
        OrganizationalUnitIds: [OU_IDS['Workloads/Prod']],
        Accounts: [ACCOUNT_ID],
        AccountFilterType: 'INTERSECTION',
      },
      Regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
      OperationPreferences: {
        RegionConcurrencyType: 'PARALLEL',
        MaxConcurrentPercentage: 100,
        FailureTolerancePercentage: 0,
      },
      OperationId: operationIdFor(REQUEST_ID, 'vendguard-baseline-security', 0),
    });
    expect(inputs[1]?.Regions).toEqual(['eu-west-1']);
    // the network stack set's instance gets the OU's pool, the size and the gateway
    expect(inputs[1]?.StackSetName).toBe('vendguard-baseline-network');
    expect(inputs[1]?.ParameterOverrides).toEqual([
      { ParameterKey: 'Ipv4IpamPoolId', ParameterValue: POOL_ID },
      { ParameterKey: 'VpcNetmaskLength', ParameterValue: '20' },
      { ParameterKey: 'SubnetBits', ParameterValue: '10' },
      { ParameterKey: 'TransitGatewayId', ParameterValue: TGW_ID },
    ]);
    expect(inputs[0]?.ParameterOverrides).toBeUndefined();
  });

  it('derives a stable, valid OperationId per request and stack set', () => {
    const id = operationIdFor('req_a.b', 'vendguard-baseline-security', 0);
    expect(id).toBe(operationIdFor('req_a.b', 'vendguard-baseline-security', 0));
    expect(id).not.toBe(operationIdFor('req_a.b', 'vendguard-baseline-network', 0));
    expect(id).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
    expect(operationIdFor('req', 's', 2)).toMatch(/-r2$/);
  });

  it('treats OperationIdAlreadyExistsException as the deployment already started', async () => {
    cfn.on(CreateStackInstancesCommand).rejects(awsError('OperationIdAlreadyExistsException'));
    await expect(deploy()).resolves.toMatchObject({ status: 'RUNNING' });
  });

  it('turns OperationInProgressException into a TransientError', async () => {
    cfn.on(CreateStackInstancesCommand).rejects(awsError('OperationInProgressException'));
    await expect(deploy()).rejects.toBeInstanceOf(TransientError);
  });

  it('succeeds at once when the OU has no baseline', async () => {
    const out = await baselineStep(client, {
      action: 'deploy',
      requestId: REQUEST_ID,
      plan: plan({ stackSets: [] }),
      accountId: ACCOUNT_ID,
      context: undefined,
    });
    expect(out.status).toBe('SUCCEEDED');
    expect(cfn.calls()).toHaveLength(0);
  });
});

describe('CheckBaseline', () => {
  const running = async () => deploy();

  it('reports RUNNING until every operation succeeded, reading only unfinished ones', async () => {
    const baseline = await running();
    cfn
      .on(DescribeStackSetOperationCommand, { StackSetName: 'vendguard-baseline-security' })
      .resolves({ StackSetOperation: { Status: 'SUCCEEDED' } });
    cfn
      .on(DescribeStackSetOperationCommand, { StackSetName: 'vendguard-baseline-network' })
      .resolves({ StackSetOperation: { Status: 'RUNNING' } });
    const first = await check(baseline);
    expect(first.status).toBe('RUNNING');
    expect(first.waitSeconds).toBe(plan().waits.baseline);
    cfn
      .on(DescribeStackSetOperationCommand, { StackSetName: 'vendguard-baseline-network' })
      .resolves({ StackSetOperation: { Status: 'SUCCEEDED' } });
    cfn.resetHistory();
    const second = await check(first);
    expect(second.status).toBe('SUCCEEDED');
    expect(cfn.commandCalls(DescribeStackSetOperationCommand)).toHaveLength(1);
  });

  it('fails with BaselineDeploymentFailedError naming account, region, stack set and reason', async () => {
    const baseline = await running();
    cfn.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'FAILED' } });
    cfn.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [
        { Account: ACCOUNT_ID, Region: 'eu-west-1', Status: 'SUCCEEDED' },
        {
          Account: ACCOUNT_ID,
          Region: 'eu-central-1',
          Status: 'FAILED',
          StatusReason: 'Resource handler returned message: boom',
        },
      ],
    });
    const error = await check(baseline).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaselineDeploymentFailedError);
    expect((error as Error).message).toBe(
      `baseline stack set vendguard-baseline-security failed in account ${ACCOUNT_ID}, region eu-central-1: Resource handler returned message: boom`,
    );
  });

  it('names the pool when the network stack set failed because the pool is exhausted', async () => {
    const baseline = await running();
    cfn.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'FAILED' } });
    cfn.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [
        {
          Account: ACCOUNT_ID,
          Region: 'eu-west-1',
          Status: 'FAILED',
          StatusReason: 'Vpc: The allocation size is too big for the pool.',
        },
      ],
    });
    const error = await check({ ...baseline, operations: baseline.operations.slice(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolExhaustedError);
    expect((error as Error).message).toContain('the IPAM pool prod has no free /20 left');
  });

  it('starts a failed deployment again under a new OperationId once the execution is redriven', async () => {
    const baseline = await running();
    cfn.resetHistory();
    cfn.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'FAILED' } });
    const out = await check(baseline, 1);
    expect(out.status).toBe('RUNNING');
    expect(out.redriveCount).toBe(1);
    const ids = cfn.commandCalls(CreateStackInstancesCommand).map((c) => c.args[0].input.OperationId);
    expect(ids).toEqual([
      operationIdFor(REQUEST_ID, 'vendguard-baseline-security', 1),
      operationIdFor(REQUEST_ID, 'vendguard-baseline-network', 1),
    ]);
  });

  it('turns throttling of the status read into a TransientError', async () => {
    const baseline = await running();
    cfn.on(DescribeStackSetOperationCommand).rejects(awsError('Throttling'));
    await expect(check(baseline)).rejects.toBeInstanceOf(TransientError);
  });
});
