import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsServiceError } from '../../../../sandbox/core/types';
import { ec2Providers } from '../../../../sandbox/services/cloudformation/providers/ec2';
import {
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
} from '../../../../sandbox/services/cloudformation/resources';
import { parseTemplate, ResolvedTemplate } from '../../../../sandbox/services/cloudformation/template';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../../sandbox/services/ec2/transit-gateways';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;
type Items = Result[];

const REGION = 'eu-west-1';
const STACK_NAME = 'StackSet-vendguard-baseline-network-0f1e2d3c';

let rt: TestRuntime;
let account: string;
let network: string;
let call: (op: string, input?: Result, as?: string) => Promise<Result>;

beforeEach(async () => {
  // the organization's transit gateway (and its share), the egress VPC, the bastion SSH group
  rt = createTestRuntime({ seedNetwork: true });
  account = rt.addAccount('team-a-prod', 'Workloads/Prod');
  network = rt.organizations.accountIdByName('network') as string;
  const service = createEc2Service(rt);
  await service.start?.(rt);
  call = async (op, input = {}, as = account) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'ec2', accountId: as, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const ctx = (logicalId: string): ResourceContext => ({
  runtime: rt,
  account,
  region: REGION,
  stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/${STACK_NAME}/5d6e7f80-0000-4000-8000-000000000001`,
  stackName: STACK_NAME,
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = ec2Providers.find((p) => p.type === type);
  if (!found) throw new Error(`no provider for ${type}`);
  return found;
};

/** The error a call fails with. */
function failure(fn: () => unknown): { name: string; code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return { name: error.name, code: error.code, message: error.message };
    if (error instanceof Error) return { name: error.name, message: error.message };
  }
  throw new Error('expected a failure');
}

/** The network baseline's resources, created one by one in template order (it is dependency order there). */
function deployBaseline(parameters: { ParameterKey: string; ParameterValue: string }[] = []) {
  const body = readFileSync(join(__dirname, '../../../../config/baselines/network-baseline.yaml'), 'utf8');
  const template = parseTemplate(body);
  if (!template) throw new Error('network-baseline.yaml does not parse');
  const made = new Map<string, { type: string; props: Result; created: CreatedResource }>();
  const resolved = new ResolvedTemplate(template, {
    account,
    region: REGION,
    stackId: ctx('x').stackId,
    stackName: STACK_NAME,
    parameters: [{ ParameterKey: 'TransitGatewayId', ParameterValue: SANDBOX_TRANSIT_GATEWAY_ID }, ...parameters],
    attribute: (id, attr) => made.get(id)?.created.attributes?.[attr],
    physicalId: (id) => made.get(id)?.created.physicalId,
  });
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resolved.resolve(resource.Properties ?? {}) as Result;
    const type = resource.Type as string;
    made.set(logicalId, { type, props, created: provider(type).create(ctx(logicalId), props) });
  }
  return made;
}

describe('EC2 resource providers', () => {
  it('provide every EC2 type the baselines declare, and the security group ones', () => {
    expect(ec2Providers.map((p) => p.type).sort()).toEqual([
      'AWS::EC2::IPAM',
      'AWS::EC2::IPAMAllocation',
      'AWS::EC2::IPAMPool',
      'AWS::EC2::Route',
      'AWS::EC2::RouteTable',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::SecurityGroupEgress',
      'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::Subnet',
      'AWS::EC2::SubnetRouteTableAssociation',
      'AWS::EC2::TransitGatewayAttachment',
      'AWS::EC2::TransitGatewayRoute',
      'AWS::EC2::TransitGatewayRouteTable',
      'AWS::EC2::TransitGatewayRouteTableAssociation',
      'AWS::EC2::TransitGatewayRouteTablePropagation',
      'AWS::EC2::VPC',
    ]);
    expect(provider('AWS::EC2::VPC').properties).toContain('Ipv4IpamPoolId');
  });

  it("creates the whole network baseline in order and deletes it in reverse, leaving only the account's default VPC", async () => {
    const made = deployBaseline();
    const vpcId = made.get('Vpc')?.created.physicalId as string;
    expect(made.get('Vpc')?.created.attributes).toEqual({
      VpcId: vpcId,
      CidrBlock: '10.64.0.0/20',
      DefaultSecurityGroup: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
    });
    const [vpc] = (await call('DescribeVpcs', { VpcId: [vpcId] })).vpcSet as Items;
    expect(vpc?.tagSet).toEqual([
      { key: 'Name', value: 'vendguard-workload' },
      { key: 'vendguard:baseline', value: 'network' },
      { key: 'aws:cloudformation:stack-name', value: STACK_NAME },
      { key: 'aws:cloudformation:logical-id', value: 'Vpc' },
      { key: 'aws:cloudformation:stack-id', value: ctx('Vpc').stackId },
    ]);

    const subnets = (await call('DescribeSubnets', { Filter: [{ Name: 'vpc-id', Value: [vpcId] }] }))
      .subnetSet as Items;
    expect(subnets.map((s) => [s.cidrBlock, s.availabilityZone, s.mapPublicIpOnLaunch])).toEqual([
      ['10.64.0.0/22', 'eu-west-1a', false],
      ['10.64.4.0/22', 'eu-west-1b', false],
      ['10.64.12.0/28', 'eu-west-1a', false],
      ['10.64.12.16/28', 'eu-west-1b', false],
    ]);

    const attachmentId = made.get('TransitGatewayAttachment')?.created.physicalId as string;
    expect(attachmentId).toMatch(/^tgw-attach-[0-9a-f]{17}$/);
    expect(made.get('TransitGatewayAttachment')?.created.attributes).toEqual({ Id: attachmentId });
    const seenByNetwork = (await call('DescribeTransitGatewayVpcAttachments', {}, network))
      .transitGatewayVpcAttachments as Items;
    expect(seenByNetwork).toEqual([
      expect.objectContaining({
        transitGatewayAttachmentId: attachmentId,
        transitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        vpcId,
        vpcOwnerId: account,
        state: 'available',
        subnetIds: [made.get('TransitSubnetA')?.created.physicalId, made.get('TransitSubnetB')?.created.physicalId],
      }),
    ]);

    const tableId = made.get('PrivateRouteTable')?.created.physicalId as string;
    expect(made.get('DefaultRouteToTransitGateway')?.created).toEqual({
      physicalId: `${tableId}|0.0.0.0/0`,
      attributes: { CidrBlock: '0.0.0.0/0' },
    });
    const [table] = (await call('DescribeRouteTables', { RouteTableId: [tableId] })).routeTableSet as Items;
    expect(table?.routeSet).toEqual([
      { destinationCidrBlock: '10.64.0.0/20', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' },
      {
        destinationCidrBlock: '0.0.0.0/0',
        transitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        origin: 'CreateRoute',
        state: 'active',
      },
    ]);
    expect(((table?.associationSet ?? []) as Items).map((a) => a.subnetId)).toEqual(
      ['PrivateSubnetA', 'PrivateSubnetB', 'TransitSubnetA', 'TransitSubnetB'].map(
        (id) => made.get(id)?.created.physicalId,
      ),
    );
    expect(made.get('PrivateSubnetARouteTable')?.created.physicalId).toMatch(/^rtbassoc-[0-9a-f]{17}$/);

    for (const [logicalId, r] of [...made].reverse())
      provider(r.type).delete(ctx(logicalId), r.created.physicalId, r.props);

    expect(((await call('DescribeVpcs')).vpcSet as Items).map((v) => v.isDefault)).toEqual([true]);
    expect((await call('DescribeSubnets')).subnetSet).toEqual([]);
    const tables = (await call('DescribeRouteTables')).routeTableSet as Items;
    expect(tables.map((t) => (t.associationSet as Items).map((a) => a.main))).toEqual([[true]]);
    expect((await call('DescribeTransitGatewayVpcAttachments', {}, network)).transitGatewayVpcAttachments).toEqual([]);
    expect((await call('DescribeSecurityGroups')).securityGroupInfo).toHaveLength(1);
  });

  it('deletes a resource that is already gone without an error', () => {
    const made = deployBaseline();
    const reversed = [...made].reverse();
    for (const [logicalId, r] of reversed) provider(r.type).delete(ctx(logicalId), r.created.physicalId, r.props);
    for (const [logicalId, r] of reversed) {
      expect(() => provider(r.type).delete(ctx(logicalId), r.created.physicalId, r.props)).not.toThrow();
    }
  });

  it('carves any VPC size into quarters with Fn::Cidr: two private subnets, two /28 transit subnets in the last', async () => {
    const made = deployBaseline([
      { ParameterKey: 'VpcCidr', ParameterValue: '10.80.0.0/24' },
      { ParameterKey: 'SubnetBits', ParameterValue: '6' },
    ]);
    const vpcId = made.get('Vpc')?.created.physicalId as string;
    const subnets = (await call('DescribeSubnets', { Filter: [{ Name: 'vpc-id', Value: [vpcId] }] }))
      .subnetSet as Items;
    expect(subnets.map((s) => s.cidrBlock)).toEqual([
      '10.80.0.0/26',
      '10.80.0.64/26',
      '10.80.0.192/28',
      '10.80.0.208/28',
    ]);
  });

  it('refuses a route to the transit gateway before the VPC is attached to it', () => {
    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), { CidrBlock: '10.70.0.0/16' });
    const table = provider('AWS::EC2::RouteTable').create(ctx('Table'), { VpcId: vpc.physicalId });
    const route = {
      RouteTableId: table.physicalId,
      DestinationCidrBlock: '0.0.0.0/0',
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    };
    expect(failure(() => provider('AWS::EC2::Route').create(ctx('Route'), route))).toEqual({
      name: 'InvalidTransitGatewayID.NotFound',
      code: 'InvalidTransitGatewayID.NotFound',
      message: `The transitGateway ID '${SANDBOX_TRANSIT_GATEWAY_ID}' does not exist.`,
    });
  });

  it('refuses malformed properties with CloudFormation validation messages', () => {
    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), { CidrBlock: '10.70.0.0/16' });
    expect(
      failure(() =>
        provider('AWS::EC2::TransitGatewayAttachment').create(ctx('Attachment'), {
          TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
          VpcId: vpc.physicalId,
          SubnetIds: 'subnet-0123',
        }),
      ),
    ).toEqual({
      name: 'ResourceFailure',
      message:
        'Properties validation failed for resource Attachment with message: #/SubnetIds: expected type: JSONArray',
    });
    expect(() => provider('AWS::EC2::Subnet').create(ctx('Subnet'), { VpcId: vpc.physicalId })).toThrow(
      ResourceFailure,
    );
    expect(
      failure(() =>
        provider('AWS::EC2::SecurityGroup').create(ctx('Web'), {
          GroupDescription: 'web',
          VpcId: vpc.physicalId,
          SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: 'pl-0123' }],
        }),
      ),
    ).toEqual({
      name: 'ResourceFailure',
      message:
        'Properties validation failed for resource Web with message: #/SecurityGroupIngress/0: extraneous key [SourcePrefixListId] is not permitted',
    });
    expect(failure(() => provider('AWS::EC2::VPC').create(ctx('Big'), { CidrBlock: '10.0.0.0/8' }))).toMatchObject({
      code: 'InvalidVpc.Range',
    });
    expect(
      failure(() =>
        provider('AWS::EC2::VPC').create(ctx('Odd'), { CidrBlock: '10.9.0.0/16', InstanceTenancy: 'host' }),
      ),
    ).toMatchObject({ code: 'InvalidParameterValue' });
    expect(
      failure(() =>
        provider('AWS::EC2::Route').create(ctx('NoTarget'), {
          RouteTableId: 'rtb-0',
          DestinationCidrBlock: '0.0.0.0/0',
        }),
      ),
    ).toMatchObject({ code: 'InvalidRouteTableID.NotFound' });
  });

  it('updates tags, subnets and route targets in place and replaces on a new VPC block', async () => {
    const made = deployBaseline();
    const vpc = made.get('Vpc') as { props: Result; created: CreatedResource };
    const vpcProvider = provider('AWS::EC2::VPC');
    const retagged = { ...vpc.props, Tags: [{ Key: 'Name', Value: 'renamed' }] };
    expect(vpcProvider.update?.(ctx('Vpc'), vpc.created.physicalId, retagged, vpc.props)?.physicalId).toBe(
      vpc.created.physicalId,
    );
    const [described] = (await call('DescribeVpcs', { VpcId: [vpc.created.physicalId] })).vpcSet as Items;
    expect(described?.tagSet).toContainEqual({ key: 'Name', value: 'renamed' });
    expect(
      vpcProvider.update?.(ctx('Vpc'), vpc.created.physicalId, { ...vpc.props, CidrBlock: '10.65.0.0/20' }, vpc.props),
    ).toBe(undefined);

    const attachment = made.get('TransitGatewayAttachment') as { props: Result; created: CreatedResource };
    const onlyA = { ...attachment.props, SubnetIds: [(attachment.props.SubnetIds as string[])[0]] };
    provider('AWS::EC2::TransitGatewayAttachment').update?.(
      ctx('TransitGatewayAttachment'),
      attachment.created.physicalId,
      onlyA,
      attachment.props,
    );
    const [after] = (await call('DescribeTransitGatewayVpcAttachments')).transitGatewayVpcAttachments as Items;
    expect(after?.subnetIds).toEqual(onlyA.SubnetIds);

    // a route to an internet gateway of the VPC instead: ReplaceRoute, same physical id
    const igw = ((await call('CreateInternetGateway')).internetGateway as Result).internetGatewayId as string;
    await call('AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpc.created.physicalId });
    const route = made.get('DefaultRouteToTransitGateway') as { props: Result; created: CreatedResource };
    const { TransitGatewayId: _tgw, ...rest } = route.props;
    const updated = provider('AWS::EC2::Route').update?.(
      ctx('DefaultRouteToTransitGateway'),
      route.created.physicalId,
      { ...rest, GatewayId: igw },
      route.props,
    );
    expect(updated?.physicalId).toBe(route.created.physicalId);
    const table = made.get('PrivateRouteTable')?.created.physicalId as string;
    const [described2] = (await call('DescribeRouteTables', { RouteTableId: [table] })).routeTableSet as Items;
    expect(((described2?.routeSet ?? []) as Items)[1]).toEqual({
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw,
      origin: 'CreateRoute',
      state: 'active',
    });
  });

  it('creates a security group with its inline rules, replacing the default egress only when egress is declared', async () => {
    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), { CidrBlock: '10.70.0.0/16' });
    const sgProvider = provider('AWS::EC2::SecurityGroup');
    const props = {
      GroupDescription: 'web tier',
      VpcId: vpc.physicalId,
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/8', Description: 'https' },
        { IpProtocol: 'tcp', FromPort: '22', ToPort: '22', CidrIpv6: '::/0' },
      ],
      SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
      Tags: [{ Key: 'team', Value: 'web' }],
    };
    const group = sgProvider.create(ctx('WebGroup'), props);
    expect(group.attributes).toEqual({ GroupId: group.physicalId, VpcId: vpc.physicalId });
    const describe = async () =>
      ((await call('DescribeSecurityGroups', { GroupId: [group.physicalId] })).securityGroupInfo as Items)[0];
    const created = await describe();
    expect(created?.groupName).toMatch(new RegExp(`^${STACK_NAME}-WebGroup-[A-Z0-9]{13}$`));
    expect(created?.tagSet).toContainEqual({ key: 'team', value: 'web' });
    expect(created?.ipPermissions).toEqual([
      expect.objectContaining({
        ipProtocol: 'tcp',
        fromPort: 443,
        ipRanges: [{ cidrIp: '10.0.0.0/8', description: 'https' }],
      }),
      expect.objectContaining({ ipProtocol: 'tcp', fromPort: 22, ipv6Ranges: [{ cidrIpv6: '::/0' }] }),
    ]);
    expect(created?.ipPermissionsEgress).toEqual([
      expect.objectContaining({ ipProtocol: 'tcp', fromPort: 443, ipRanges: [{ cidrIp: '0.0.0.0/0' }] }),
    ]);

    // a rule another resource adds stays when the group's own rules change
    const ingress = provider('AWS::EC2::SecurityGroupIngress');
    const extra = ingress.create(ctx('FromSelf'), {
      GroupId: group.physicalId,
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: group.physicalId,
    });
    expect(extra.physicalId).toMatch(/^sgr-[0-9a-f]{17}$/);
    const next = { ...props, SecurityGroupIngress: [props.SecurityGroupIngress[0]], SecurityGroupEgress: undefined };
    expect(sgProvider.update?.(ctx('WebGroup'), group.physicalId, next, props)?.physicalId).toBe(group.physicalId);
    const updated = await describe();
    expect(((updated?.ipPermissions ?? []) as Items).map((p) => p.fromPort)).toEqual([443, 8080]);
    expect(updated?.ipPermissionsEgress).toEqual([
      expect.objectContaining({ ipProtocol: '-1', ipRanges: [{ cidrIp: '0.0.0.0/0' }] }),
    ]);
    expect(
      failure(() =>
        ingress.create(ctx('Again'), {
          GroupId: group.physicalId,
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: '10.0.0.0/8',
        }),
      ),
    ).toMatchObject({
      code: 'InvalidPermission.Duplicate',
    });

    ingress.delete(ctx('FromSelf'), extra.physicalId, {});
    sgProvider.delete(ctx('WebGroup'), group.physicalId, next);
    expect(failure(() => sgProvider.create(ctx('Nameless'), { GroupDescription: 'x', VpcId: 'vpc-0' }))).toMatchObject({
      code: 'InvalidVpcID.NotFound',
    });
    expect(
      (
        (await call('DescribeSecurityGroups', { Filter: [{ Name: 'vpc-id', Value: [vpc.physicalId] }] }))
          .securityGroupInfo as Items
      ).map((g) => g.groupName),
    ).toEqual(['default']);
  });

  it('adds egress rules to a group and refuses a rule without exactly one peer', async () => {
    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), { CidrBlock: '10.70.0.0/16' });
    const group = provider('AWS::EC2::SecurityGroup').create(ctx('Group'), {
      GroupDescription: 'db',
      GroupName: 'db',
      VpcId: vpc.physicalId,
    });
    const egress = provider('AWS::EC2::SecurityGroupEgress');
    const rule = egress.create(ctx('ToVpc'), {
      GroupId: group.physicalId,
      IpProtocol: '6',
      FromPort: 5432,
      ToPort: 5432,
      CidrIp: '10.70.0.0/16',
    });
    const rules = (await call('DescribeSecurityGroupRules', { SecurityGroupRuleId: [rule.physicalId] }))
      .securityGroupRuleSet as Items;
    expect(rules).toEqual([
      expect.objectContaining({ isEgress: true, ipProtocol: 'tcp', fromPort: 5432, cidrIpv4: '10.70.0.0/16' }),
    ]);
    expect(
      failure(() =>
        egress.create(ctx('Nowhere'), { GroupId: group.physicalId, IpProtocol: 'tcp', FromPort: 1, ToPort: 2 }),
      ),
    ).toEqual({
      name: 'ResourceFailure',
      message:
        'Properties validation failed for resource Nowhere with message: #: exactly one of CidrIp, CidrIpv6 or DestinationSecurityGroupId must be specified',
    });
    expect(
      failure(() => egress.create(ctx('Bad'), { GroupId: group.physicalId, IpProtocol: 'tcp', CidrIp: '10.0.0.0/8' })),
    ).toMatchObject({
      code: 'InvalidParameterValue',
    });
    egress.delete(ctx('ToVpc'), rule.physicalId, {});
    expect(() => egress.delete(ctx('ToVpc'), rule.physicalId, {})).not.toThrow();
  });
});
