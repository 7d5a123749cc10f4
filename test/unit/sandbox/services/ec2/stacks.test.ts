import { loadOrganizationConfig } from '../../../../../infra/config/load';
import { createCloudFormationService } from '../../../../../sandbox/services/cloudformation';
import { createEc2Service } from '../../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

type Result = Record<string, unknown>;

describe('EC2 resources of stacks deployed by StackSets', () => {
  let rt: TestRuntime;
  let account: string;
  let cfn: (op: string, input: Result) => Promise<Result>;
  let ec2: (op: string, input: Result) => Promise<Result>;

  beforeEach(() => {
    rt = createTestRuntime();
    account = rt.addAccount('team-a-prod', 'Workloads/Prod');
    const cf = createCloudFormationService(rt);
    const ec = createEc2Service(rt);
    cfn = async (op, input) => (await cf.operations[op]?.(input, rt.context(op))) as Result;
    ec2 = async (op, input) => (await ec.operations[op]?.(input, rt.context(op, { accountId: account }))) as Result;
  });
  afterEach(() => rt.close());

  const workloadVpcs = async () =>
    (await ec2('DescribeVpcs', { Filter: [{ Name: 'tag:Name', Value: ['vendguard-workload'] }] })).vpcSet as Result[];

  it('creates the network baseline VPC and subnets when the instance is deployed and removes them on delete', async () => {
    const template = loadOrganizationConfig().baselineTemplates['network-baseline.yaml'] as string;
    await cfn('CreateStackSet', {
      StackSetName: 'vendguard-baseline-network',
      TemplateBody: template,
      PermissionModel: 'SERVICE_MANAGED',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [
        { ParameterKey: 'VpcCidr', ParameterValue: '10.80.0.0/20' },
        { ParameterKey: 'TransitGatewayId', ParameterValue: 'tgw-0123456789abcdef0' },
      ],
    });
    const targets = { OrganizationalUnitIds: [rt.ouId('Workloads/Prod')] };
    await cfn('CreateStackInstances', {
      StackSetName: 'vendguard-baseline-network',
      DeploymentTargets: targets,
      Regions: ['eu-west-1'],
    });
    expect(await workloadVpcs()).toEqual([]);

    rt.clock.advance(61_000);
    await cfn('ListStackInstances', { StackSetName: 'vendguard-baseline-network' });
    const [vpc] = await workloadVpcs();
    expect(vpc).toMatchObject({ cidrBlock: '10.80.0.0/20', isDefault: false });
    expect(vpc?.tagSet).toEqual(
      expect.arrayContaining([
        { key: 'aws:cloudformation:logical-id', value: 'Vpc' },
        { key: 'vendguard:baseline', value: 'network' },
      ]),
    );
    const subnets = (await ec2('DescribeSubnets', { Filter: [{ Name: 'vpc-id', Value: [vpc?.vpcId as string] }] }))
      .subnetSet as Result[];
    expect(subnets.map((s) => s.cidrBlock)).toEqual(expect.arrayContaining(['10.64.0.0/22', '10.64.4.0/22']));
    const igws = (await ec2('DescribeInternetGateways', {})).internetGatewaySet as Result[];
    expect(igws).toEqual([]);

    await cfn('DeleteStackInstances', {
      StackSetName: 'vendguard-baseline-network',
      DeploymentTargets: targets,
      Regions: ['eu-west-1'],
      RetainStacks: 'false',
    });
    rt.clock.advance(61_000);
    await cfn('ListStackInstances', { StackSetName: 'vendguard-baseline-network' });
    expect(await workloadVpcs()).toEqual([]);
  });
});
