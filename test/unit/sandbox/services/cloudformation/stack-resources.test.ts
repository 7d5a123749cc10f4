/**
 * Stack instances create what their templates declare, in their account and region: the whole
 * network and security baselines, through the same code as the APIs; an unsupported type or property
 * fails the instance naming the resource and rolls back; an update follows the template; deleting the
 * instance deletes everything it made.
 */
import { loadOrganizationConfig } from '../../../../../config/load';
import { createCloudFormationService } from '../../../../../sandbox/services/cloudformation';
import { stackResources } from '../../../../../sandbox/services/cloudformation/stack-resources';
import { createEc2Service } from '../../../../../sandbox/services/ec2';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../../../sandbox/services/ec2/transit-gateways';
import { keys, type RuleRecord, TABLES, type TargetRecord } from '../../../../../sandbox/services/eventbridge/model';
import { getRole } from '../../../../../sandbox/services/iam/model';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

type Result = Record<string, unknown>;
const REGION = 'eu-west-1';
const templates = loadOrganizationConfig().baselineTemplates;

let rt: TestRuntime;
let account: string;
let cfn: (op: string, input: Result) => Promise<Result>;
let ec2: (op: string, input: Result) => Promise<Result>;

beforeEach(async () => {
  // the organization's transit gateway (and its share), the egress VPC, the bastion SSH group
  rt = createTestRuntime({ seedNetwork: true });
  account = rt.addAccount('team-a-prod', 'Workloads/Prod');
  const cf = createCloudFormationService(rt);
  const ec = createEc2Service(rt);
  await ec.start?.(rt);
  cfn = async (op, input) => (await cf.operations[op]?.(input, rt.context(op))) as Result;
  ec2 = async (op, input) =>
    (await ec.operations[op]?.(
      input,
      rt.context(op, { service: 'ec2', accountId: account, region: REGION }),
    )) as Result;
});
afterEach(() => rt.close());

const targets = () => ({ OrganizationalUnitIds: [rt.ouId('Workloads/Prod')] });

async function deploy(name: string, template: string, parameters: Result[] = [], regions = [REGION]): Promise<Result> {
  await cfn('CreateStackSet', {
    StackSetName: name,
    TemplateBody: template,
    PermissionModel: 'SERVICE_MANAGED',
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    Parameters: parameters,
  });
  await cfn('CreateStackInstances', { StackSetName: name, DeploymentTargets: targets(), Regions: regions });
  // regions deploy one after the other (SEQUENTIAL), up to 60 s each
  rt.clock.advance(61_000 * regions.length);
  const [instance] = (await cfn('ListStackInstances', { StackSetName: name })).Summaries as Result[];
  return instance as Result;
}

async function remove(name: string, regions = [REGION]): Promise<void> {
  await cfn('DeleteStackInstances', {
    StackSetName: name,
    DeploymentTargets: targets(),
    Regions: regions,
    RetainStacks: 'false',
  });
  rt.clock.advance(61_000 * regions.length);
  await cfn('ListStackInstances', { StackSetName: name });
}

const items = async (op: string, key: string, input: Result = {}) => ((await ec2(op, input))[key] ?? []) as Result[];

describe('the network baseline', () => {
  it('creates the VPC, subnets, route table, default route, associations and Transit Gateway attachment, and deletes them', async () => {
    const instance = await deploy('vendguard-baseline-network', templates['network-baseline.yaml'] as string, [
      { ParameterKey: 'TransitGatewayId', ParameterValue: SANDBOX_TRANSIT_GATEWAY_ID },
    ]);
    expect(instance).toMatchObject({ Status: 'CURRENT', StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' } });

    const [vpc] = await items('DescribeVpcs', 'vpcSet', {
      Filter: [{ Name: 'tag:Name', Value: ['vendguard-workload'] }],
    });
    expect(vpc).toMatchObject({ cidrBlock: '10.64.0.0/20' });
    expect(vpc?.tagSet).toEqual(
      expect.arrayContaining([
        { key: 'aws:cloudformation:logical-id', value: 'Vpc' },
        { key: 'vendguard:baseline', value: 'network' },
      ]),
    );
    const vpcFilter = { Filter: [{ Name: 'vpc-id', Value: [vpc?.vpcId as string] }] };
    const subnets = await items('DescribeSubnets', 'subnetSet', vpcFilter);
    expect(subnets.map((s) => s.cidrBlock).sort()).toEqual([
      '10.64.0.0/22',
      '10.64.12.0/28',
      '10.64.12.16/28',
      '10.64.4.0/22',
    ]);
    const tables = await items('DescribeRouteTables', 'routeTableSet', vpcFilter);
    const privateTable = tables.find((t) => JSON.stringify(t.tagSet).includes('vendguard-private'));
    expect(JSON.stringify(privateTable?.routeSet)).toContain(SANDBOX_TRANSIT_GATEWAY_ID);
    expect(((privateTable?.associationSet ?? []) as Result[]).filter((a) => a.subnetId)).toHaveLength(4);
    const attachments = await items('DescribeTransitGatewayVpcAttachments', 'transitGatewayVpcAttachments');
    expect(attachments).toEqual([
      expect.objectContaining({ vpcId: vpc?.vpcId, transitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID }),
    ]);
    expect(await items('DescribeInternetGateways', 'internetGatewaySet')).toEqual([]);

    const made = stackResources(rt, { account, region: REGION, owner: 'vendguard-baseline-network' });
    expect(made.map((r) => r.logicalId)).toEqual(
      expect.arrayContaining(['Vpc', 'TransitGatewayAttachment', 'DefaultRouteToTransitGateway']),
    );
    // dependencies first: the VPC before its subnets, the attachment before the route that needs it
    const at = (id: string) => made.findIndex((r) => r.logicalId === id);
    expect(at('Vpc')).toBeLessThan(at('PrivateSubnetA'));
    expect(at('TransitGatewayAttachment')).toBeLessThan(at('DefaultRouteToTransitGateway'));

    await remove('vendguard-baseline-network');
    expect(
      await items('DescribeVpcs', 'vpcSet', { Filter: [{ Name: 'tag:Name', Value: ['vendguard-workload'] }] }),
    ).toEqual([]);
    expect(await items('DescribeTransitGatewayVpcAttachments', 'transitGatewayVpcAttachments')).toEqual([]);
  });

  it('fails the instance naming the resource when the Transit Gateway does not exist, and leaves nothing behind', async () => {
    const instance = await deploy('vendguard-baseline-network', templates['network-baseline.yaml'] as string, [
      { ParameterKey: 'TransitGatewayId', ParameterValue: 'tgw-00000000000000000' },
    ]);
    expect(instance).toMatchObject({ Status: 'OUTDATED', StackInstanceStatus: { DetailedStatus: 'FAILED' } });
    expect(instance.StatusReason).toMatch(
      /^The following resource\(s\) failed to create: \[TransitGatewayAttachment\]\./,
    );
    expect(instance.StatusReason).toContain('InvalidTransitGatewayID.NotFound');
    expect(
      await items('DescribeVpcs', 'vpcSet', { Filter: [{ Name: 'tag:Name', Value: ['vendguard-workload'] }] }),
    ).toEqual([]);
  });
});

describe('the security baseline', () => {
  const parameters = [
    { ParameterKey: 'HubAccountId', ParameterValue: '100000000001' },
    { ParameterKey: 'HubEventBusArn', ParameterValue: 'arn:aws:events:eu-west-1:100000000001:event-bus/vendguard' },
    { ParameterKey: 'BastionAccountId', ParameterValue: '100000000006' },
    {
      ParameterKey: 'RemediatorRoleArns',
      ParameterValue:
        'arn:aws:iam::100000000001:role/vendguard-guard-alert,arn:aws:iam::100000000001:role/vendguard-guard-reconcile',
    },
  ];

  it('creates the forwarding rule in each region, and the global roles only in us-east-1', async () => {
    const instance = await deploy(
      'vendguard-baseline-security',
      templates['security-baseline.yaml'] as string,
      parameters,
      [REGION, 'us-east-1'],
    );
    expect(instance).toMatchObject({ Status: 'CURRENT' });
    for (const region of [REGION, 'us-east-1']) {
      const scope = { account, region };
      const rule = rt.store.get<RuleRecord>(TABLES.rules, keys.rule(scope, 'default', 'vendguard-forward-cloudtrail'));
      expect(rule).toMatchObject({
        State: 'ENABLED',
        Arn: `arn:aws:events:${region}:${account}:rule/vendguard-forward-cloudtrail`,
      });
      expect(JSON.parse(rule?.EventPattern as string)).toEqual({
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventCategory: ['Management'] },
      });
      const ruleTargets = rt.store.list<TargetRecord>(
        TABLES.targets,
        keys.targets(scope, 'default', 'vendguard-forward-cloudtrail'),
      );
      expect(ruleTargets).toEqual([
        expect.objectContaining({
          Arn: 'arn:aws:events:eu-west-1:100000000001:event-bus/vendguard',
          RoleArn: `arn:aws:iam::${account}:role/vendguard-event-forwarder-${region}`,
        }),
      ]);
      expect(getRole(rt.store, account, `vendguard-event-forwarder-${region}`)).toBeDefined();
    }
    expect(getRole(rt.store, account, 'VendguardGuardrailRemediation')?.maxSessionDuration).toBe(3600);
    expect(getRole(rt.store, account, 'vendguard-bastion-access')).toBeDefined();
    const euOnly = stackResources(rt, { account, region: REGION, owner: 'vendguard-baseline-security' });
    expect(euOnly.map((r) => r.logicalId).sort()).toEqual(['EventForwarderRole', 'ForwardCloudTrailRule']);

    await remove('vendguard-baseline-security', [REGION, 'us-east-1']);
    expect(getRole(rt.store, account, 'VendguardGuardrailRemediation')).toBeUndefined();
    expect(rt.store.list(TABLES.rules, `${account}/`)).toEqual([]);
  });
});

describe('what the sandbox cannot create', () => {
  it('fails an unsupported type naming the resource, before creating anything', async () => {
    const instance = await deploy(
      'unsupported-type',
      'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.9.0.0/16\n  Queue:\n    Type: AWS::GameLift::Fleet\n',
    );
    expect(instance).toMatchObject({ StackInstanceStatus: { DetailedStatus: 'FAILED' } });
    expect(instance.StatusReason).toMatch(
      /^The following resource\(s\) failed to create: \[Queue\]\. Queue: Resource type AWS::GameLift::Fleet is not supported/,
    );
    expect(await items('DescribeVpcs', 'vpcSet', { Filter: [{ Name: 'cidr', Value: ['10.9.0.0/16'] }] })).toEqual([]);
  });

  it('fails an unknown property, and rolls back what the deployment created before it', async () => {
    const instance = await deploy(
      'unsupported-property',
      [
        'Resources:',
        '  Vpc:',
        '    Type: AWS::EC2::VPC',
        '    Properties:',
        '      CidrBlock: 10.9.0.0/16',
        '  Subnet:',
        '    Type: AWS::EC2::Subnet',
        '    Properties:',
        '      VpcId: !Ref Vpc',
        '      CidrBlock: 10.9.0.0/24',
        '      Colour: blue',
      ].join('\n'),
    );
    expect(instance.StatusReason).toBe(
      'The following resource(s) failed to create: [Subnet]. Subnet: Resource handler returned message: "Properties validation failed for resource Subnet with message: #: extraneous key [Colour] is not permitted" (HandlerErrorCode: InvalidRequest)',
    );
    expect(await items('DescribeVpcs', 'vpcSet', { Filter: [{ Name: 'cidr', Value: ['10.9.0.0/16'] }] })).toEqual([]);
  });

  it('refuses a malformed template at CreateStackSet with ValidationError', async () => {
    await expect(
      cfn('CreateStackSet', {
        StackSetName: 'broken',
        TemplateBody: 'Resources:\n  X:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref Nope',
      }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
  });
});

describe('an update follows the template', () => {
  it('keeps unchanged resources, creates new ones and deletes the ones no longer declared', async () => {
    const one = 'Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.20.0.0/16\n';
    const two = 'Resources:\n  B:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.21.0.0/16\n';
    await deploy('evolving', `${one}${two.replace('Resources:\n', '')}`);
    const before = stackResources(rt, { account, region: REGION, owner: 'evolving' });
    await cfn('UpdateStackSet', { StackSetName: 'evolving', TemplateBody: one, Capabilities: [] });
    rt.clock.advance(61_000);
    await cfn('ListStackInstances', { StackSetName: 'evolving' });
    const after = stackResources(rt, { account, region: REGION, owner: 'evolving' });
    expect(after.map((r) => r.logicalId)).toEqual(['A']);
    expect(after[0]?.physicalId).toBe(before.find((r) => r.logicalId === 'A')?.physicalId);
    const cidrs = (await items('DescribeVpcs', 'vpcSet')).map((v) => v.cidrBlock);
    expect(cidrs).toContain('10.20.0.0/16');
    expect(cidrs).not.toContain('10.21.0.0/16');
  });
});
