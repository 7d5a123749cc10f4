import { AwsServiceError } from '../../../../sandbox/core/types';
import { ec2Providers } from '../../../../sandbox/services/cloudformation/providers/ec2';
import { gatewayProviders } from '../../../../sandbox/services/cloudformation/providers/ec2-gateways';
import type { ResourceContext, ResourceProvider } from '../../../../sandbox/services/cloudformation/resources';
import {
  deleteStackResources,
  deployStackResources,
  StackDeploymentError,
  supportedResourceTypes,
} from '../../../../sandbox/services/cloudformation/stack-resources';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/**
 * The gateways of a network stack: the network account's transit gateway, an internet gateway, its
 * attachment to a VPC and the default route to it; made, changed and deleted as the EC2 API would,
 * and a whole egress-style stack with subnets carved by `Fn::Cidr`.
 */

type Result = Record<string, unknown>;
const REGION = 'eu-west-1';

let rt: TestRuntime;
let network: string;
let workload: string;
let call: (op: string, input: Result, as: string) => Promise<Result>;

beforeEach(async () => {
  rt = createTestRuntime();
  workload = rt.addAccount('team-a-prod', 'Workloads/Prod');
  network = rt.organizations.accountIdByName('network') as string;
  const service = createEc2Service(rt);
  await service.start?.(rt);
  call = async (op, input, as) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'ec2', accountId: as, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const stackId = (account: string) =>
  `arn:aws:cloudformation:${REGION}:${account}:stack/net/5d6e7f80-0000-4000-8000-000000000004`;

const ctx = (account: string, logicalId: string): ResourceContext => ({
  runtime: rt,
  account,
  region: REGION,
  stackId: stackId(account),
  stackName: 'net',
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = [...ec2Providers, ...gatewayProviders].find((p) => p.type === type);
  if (!found) throw new Error(`no provider for ${type}`);
  return found;
};

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return { code: error.code, message: error.message };
    if (error instanceof Error) return { code: error.name, message: error.message };
  }
  throw new Error('expected a failure');
}

const gateways = async (as: string, ids?: string[]) =>
  (await call('DescribeTransitGateways', ids ? { TransitGatewayIds: ids } : {}, as)).transitGatewaySet as Result[];
const routeTables = async (as: string) =>
  (await call('DescribeTransitGatewayRouteTables', {}, as)).transitGatewayRouteTables as Result[];

describe('gateway providers', () => {
  it('are registered for every stack: TransitGateway, InternetGateway, VPCGatewayAttachment', () => {
    expect(gatewayProviders.map((p) => p.type)).toEqual([
      'AWS::EC2::TransitGateway',
      'AWS::EC2::InternetGateway',
      'AWS::EC2::VPCGatewayAttachment',
    ]);
    expect(supportedResourceTypes()).toEqual(expect.arrayContaining(gatewayProviders.map((p) => p.type)));
  });
});

describe('AWS::EC2::TransitGateway', () => {
  const props = {
    Description: 'organization gateway',
    AutoAcceptSharedAttachments: 'enable',
    DefaultRouteTableAssociation: 'disable',
    DefaultRouteTablePropagation: 'disable',
    DnsSupport: 'enable',
    Tags: [{ Key: 'Name', Value: 'org-tgw' }],
  };

  it('makes the gateway DescribeTransitGateways shows, with the options given and AWS defaults for the rest', async () => {
    const made = provider('AWS::EC2::TransitGateway').create(ctx(network, 'Tgw'), props);
    const id = made.physicalId;
    expect(id).toMatch(/^tgw-[0-9a-f]{17}$/);
    expect(made.attributes).toEqual({
      Id: id,
      TransitGatewayArn: `arn:aws:ec2:${REGION}:${network}:transit-gateway/${id}`,
    });
    const [gateway] = await gateways(network, [id]);
    expect(gateway).toMatchObject({
      ownerId: network,
      description: 'organization gateway',
      state: 'available',
      options: {
        amazonSideAsn: 64512,
        autoAcceptSharedAttachments: 'enable',
        defaultRouteTableAssociation: 'disable',
        defaultRouteTablePropagation: 'disable',
        vpnEcmpSupport: 'enable',
        multicastSupport: 'disable',
      },
    });
    expect(gateway?.tagSet).toEqual(
      expect.arrayContaining([
        { key: 'Name', value: 'org-tgw' },
        { key: 'aws:cloudformation:logical-id', value: 'Tgw' },
      ]),
    );
    // both default options disabled: no default route table
    expect((await routeTables(network)).filter((t) => t.transitGatewayId === id)).toEqual([]);
  });

  it('gets a default route table when the template leaves association and propagation at their defaults', async () => {
    const { physicalId } = provider('AWS::EC2::TransitGateway').create(ctx(network, 'Tgw'), { AmazonSideAsn: 64600 });
    const [gateway] = await gateways(network, [physicalId]);
    const options = gateway?.options as Result;
    expect(options.amazonSideAsn).toBe(64600);
    expect(options.associationDefaultRouteTableId).toMatch(/^tgw-rtb-/);
    expect(options.propagationDefaultRouteTableId).toBe(options.associationDefaultRouteTableId);
  });

  it('changes the description, tags and options in place, and replaces on a new ASN', async () => {
    const tgw = provider('AWS::EC2::TransitGateway');
    const { physicalId } = tgw.create(ctx(network, 'Tgw'), props);
    const changed = { ...props, Description: 'renamed', AutoAcceptSharedAttachments: 'disable', Tags: [] };
    expect(tgw.update?.(ctx(network, 'Tgw'), physicalId, changed, props)?.physicalId).toBe(physicalId);
    const [gateway] = await gateways(network, [physicalId]);
    expect(gateway).toMatchObject({ description: 'renamed', options: { autoAcceptSharedAttachments: 'disable' } });
    expect(((gateway?.tagSet ?? []) as Result[]).map((t) => t.key)).not.toContain('Name');
    // enabling default association makes the default route table, as ModifyTransitGateway does
    const associating = { ...changed, DefaultRouteTableAssociation: 'enable' };
    tgw.update?.(ctx(network, 'Tgw'), physicalId, associating, changed);
    const [associated] = await gateways(network, [physicalId]);
    expect(associated?.options).toMatchObject({ associationDefaultRouteTableId: expect.stringMatching(/^tgw-rtb-/) });
    expect(tgw.update?.(ctx(network, 'Tgw'), physicalId, { ...associating, AmazonSideAsn: 65000 }, associating)).toBe(
      undefined,
    );
  });

  it('refuses an option that is neither enable nor disable, as CreateTransitGateway does', () => {
    expect(
      failure(() => provider('AWS::EC2::TransitGateway').create(ctx(network, 'Tgw'), { DnsSupport: 'yes' })),
    ).toMatchObject({ code: 'InvalidParameterValue', message: expect.stringContaining('Options.DnsSupport') });
  });

  it('refuses to delete a gateway with VPC attachments (IncorrectState), and deletes it once they are gone', async () => {
    const tgw = provider('AWS::EC2::TransitGateway');
    const { physicalId } = tgw.create(ctx(network, 'Tgw'), props);
    const vpc = provider('AWS::EC2::VPC').create(ctx(network, 'Vpc'), { CidrBlock: '10.90.0.0/16' }).physicalId;
    const subnet = provider('AWS::EC2::Subnet').create(ctx(network, 'Subnet'), {
      VpcId: vpc,
      CidrBlock: '10.90.0.0/28',
    }).physicalId;
    const attachment = provider('AWS::EC2::TransitGatewayAttachment').create(ctx(network, 'Attachment'), {
      TransitGatewayId: physicalId,
      VpcId: vpc,
      SubnetIds: [subnet],
    }).physicalId;
    expect(failure(() => tgw.delete(ctx(network, 'Tgw'), physicalId, props))).toEqual({
      code: 'IncorrectState',
      message: `${physicalId} has non-deleted VPC Attachments: ${attachment}.`,
    });
    provider('AWS::EC2::TransitGatewayAttachment').delete(ctx(network, 'Attachment'), attachment, {});
    tgw.delete(ctx(network, 'Tgw'), physicalId, props);
    expect((await gateways(network)).map((g) => g.transitGatewayId)).not.toContain(physicalId);
    // already gone: not an error
    tgw.delete(ctx(network, 'Tgw'), physicalId, props);
  });
});

describe('AWS::EC2::InternetGateway and AWS::EC2::VPCGatewayAttachment', () => {
  /** A workload VPC with a route table. */
  function vpcWithTable() {
    const at = (id: string) => ctx(workload, id);
    const vpc = provider('AWS::EC2::VPC').create(at('Vpc'), { CidrBlock: '10.70.0.0/16' }).physicalId;
    const table = provider('AWS::EC2::RouteTable').create(at('Public'), { VpcId: vpc }).physicalId;
    return { at, vpc, table };
  }

  it('makes a gateway, attaches it to the VPC and routes 0.0.0.0/0 to it', async () => {
    const { at, vpc, table } = vpcWithTable();
    const igw = provider('AWS::EC2::InternetGateway').create(at('Igw'), { Tags: [{ Key: 'Name', Value: 'egress' }] });
    expect(igw.physicalId).toMatch(/^igw-[0-9a-f]{17}$/);
    expect(igw.attributes).toEqual({ InternetGatewayId: igw.physicalId });
    const route = { RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.physicalId };
    // before the attachment the route is refused, as CreateRoute refuses it (hence DependsOn)
    expect(failure(() => provider('AWS::EC2::Route').create(at('Default'), route))).toEqual({
      code: 'InvalidParameterValue',
      message: `route table ${table} and network gateway ${igw.physicalId} belong to different networks`,
    });
    const attachment = provider('AWS::EC2::VPCGatewayAttachment').create(at('Attachment'), {
      VpcId: vpc,
      InternetGatewayId: igw.physicalId,
    });
    expect(attachment).toEqual({ physicalId: `IGW|${vpc}`, attributes: { AttachmentType: 'IGW' } });
    expect(provider('AWS::EC2::Route').create(at('Default'), route).physicalId).toBe(`${table}|0.0.0.0/0`);

    const [described] = (await call('DescribeInternetGateways', { InternetGatewayId: [igw.physicalId] }, workload))
      .internetGatewaySet as Result[];
    expect(described).toMatchObject({ attachmentSet: [{ vpcId: vpc, state: 'available' }] });
    expect(described?.tagSet).toEqual(expect.arrayContaining([{ key: 'Name', value: 'egress' }]));
    const [rtb] = (await call('DescribeRouteTables', { RouteTableId: [table] }, workload)).routeTableSet as Result[];
    expect(rtb?.routeSet).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.physicalId, state: 'active' }),
      ]),
    );
  });

  it('refuses a second gateway for the VPC and deleting an attached gateway, as the API does', () => {
    const { at, vpc } = vpcWithTable();
    const first = provider('AWS::EC2::InternetGateway').create(at('Igw'), {}).physicalId;
    const second = provider('AWS::EC2::InternetGateway').create(at('Other'), {}).physicalId;
    provider('AWS::EC2::VPCGatewayAttachment').create(at('Attachment'), { VpcId: vpc, InternetGatewayId: first });
    expect(
      failure(() =>
        provider('AWS::EC2::VPCGatewayAttachment').create(at('Again'), { VpcId: vpc, InternetGatewayId: second }),
      ),
    ).toEqual({
      code: 'Resource.AlreadyAssociated',
      message: `resource ${vpc} is already attached to internet gateway ${first}`,
    });
    expect(failure(() => provider('AWS::EC2::InternetGateway').delete(at('Igw'), first, {}))).toEqual({
      code: 'DependencyViolation',
      message: `The internetGateway '${first}' has dependencies and cannot be deleted.`,
    });
    // the VPC cannot go either while the gateway is attached
    expect(failure(() => provider('AWS::EC2::VPC').delete(at('Vpc'), vpc, {})).code).toBe('DependencyViolation');
  });

  it('swaps the gateway in place, detaches on delete, and needs exactly one internet gateway', async () => {
    const { at, vpc } = vpcWithTable();
    const first = provider('AWS::EC2::InternetGateway').create(at('Igw'), {}).physicalId;
    const second = provider('AWS::EC2::InternetGateway').create(at('Other'), {}).physicalId;
    const attach = provider('AWS::EC2::VPCGatewayAttachment');
    const before = { VpcId: vpc, InternetGatewayId: first };
    const after = { VpcId: vpc, InternetGatewayId: second };
    attach.create(at('Attachment'), before);
    expect(attach.update?.(at('Attachment'), `IGW|${vpc}`, after, before)?.physicalId).toBe(`IGW|${vpc}`);
    const attachedTo = async (id: string) => {
      const { internetGatewaySet } = await call('DescribeInternetGateways', { InternetGatewayId: [id] }, workload);
      const [igw] = internetGatewaySet as Result[];
      return ((igw?.attachmentSet ?? []) as Result[]).map((a) => a.vpcId);
    };
    expect([await attachedTo(first), await attachedTo(second)]).toEqual([[], [vpc]]);
    // another VPC replaces the attachment
    expect(attach.update?.(at('Attachment'), `IGW|${vpc}`, { ...after, VpcId: 'vpc-0000000000000000a' }, after)).toBe(
      undefined,
    );
    attach.delete(at('Attachment'), `IGW|${vpc}`, after);
    expect(await attachedTo(second)).toEqual([]);
    // already detached: not an error
    attach.delete(at('Attachment'), `IGW|${vpc}`, after);
    provider('AWS::EC2::InternetGateway').delete(at('Other'), second, {});
    provider('AWS::EC2::InternetGateway').delete(at('Other'), second, {});

    expect(failure(() => attach.create(at('None'), { VpcId: vpc })).message).toBe(
      'Properties validation failed for resource None with message: #: 0 subschemas matched instead of one',
    );
    expect(failure(() => attach.create(at('Vgw'), { VpcId: vpc, VpnGatewayId: 'vgw-0123' })).message).toContain(
      'virtual private gateways',
    );
  });
});

const EGRESS = `
Parameters:
  Bits:
    Type: Number
    Default: 12
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.100.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  PublicA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, !Ref Bits]]
  TransitA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!Select [3, !Cidr [!GetAtt Vpc.CidrBlock, 4, !Ref Bits]], 2, 4]]
  Public:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  Default:
    Type: AWS::EC2::Route
    DependsOn: IgwAttachment
    Properties:
      RouteTableId: !Ref Public
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
`;

describe('an egress stack', () => {
  const key = { account: '', region: REGION, owner: 'stack/net' };
  const deploy = (templateBody: string) =>
    deployStackResources(rt, { ...key, account: workload, stackId: stackId(workload), templateBody, parameters: [] });
  const vpcs = async () =>
    ((await call('DescribeVpcs', { Filter: [{ Name: 'is-default', Value: ['false'] }] }, workload))
      .vpcSet as Result[]) ?? [];

  it('deploys the gateway, its attachment, Fn::Cidr subnets and the default route, and deletes them all', async () => {
    const made = deploy(EGRESS);
    const physical = new Map(made.map((r) => [r.logicalId, r.physicalId]));
    expect(physical.get('IgwAttachment')).toBe(`IGW|${physical.get('Vpc')}`);
    const subnets = (
      await call('DescribeSubnets', { SubnetId: [physical.get('PublicA'), physical.get('TransitA')] }, workload)
    ).subnetSet as Result[];
    expect(subnets.map((s) => s.cidrBlock)).toEqual(['10.100.0.0/20', '10.100.48.16/28']);
    deleteStackResources(rt, { ...key, account: workload });
    expect(await vpcs()).toEqual([]);
    expect((await call('DescribeInternetGateways', {}, workload)).internetGatewaySet).toEqual([]);
  });

  it('fails the resource whose Fn::Cidr cannot be evaluated with its template error, and rolls back', async () => {
    const broken = EGRESS.replace(
      '!Cidr [!GetAtt Vpc.CidrBlock, 4, !Ref Bits]]\n  TransitA',
      '!Cidr [!GetAtt Vpc.CidrBlock, 32, !Ref Bits]]\n  TransitA',
    );
    let error: unknown;
    try {
      deploy(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackDeploymentError);
    expect((error as StackDeploymentError).statusReason).toBe(
      'The following resource(s) failed to create: [PublicA]. PublicA: Template error: Fn::Cidr cannot fit 32 blocks of /20 in 10.100.0.0/16',
    );
    expect(await vpcs()).toEqual([]);
    expect((await call('DescribeInternetGateways', {}, workload)).internetGatewaySet).toEqual([]);
  });
});
