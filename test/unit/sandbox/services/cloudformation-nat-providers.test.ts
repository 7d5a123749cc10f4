import { AwsServiceError } from '../../../../sandbox/core/types';
import { ec2Providers } from '../../../../sandbox/services/cloudformation/providers/ec2';
import { gatewayProviders } from '../../../../sandbox/services/cloudformation/providers/ec2-gateways';
import { natProviders } from '../../../../sandbox/services/cloudformation/providers/ec2-nat';
import type { ResourceContext, ResourceProvider } from '../../../../sandbox/services/cloudformation/resources';
import { createAction } from '../../../../sandbox/services/cloudformation/stack-authority';
import {
  deleteStackResources,
  deployStackResources,
  StackDeploymentError,
  supportedResourceTypes,
} from '../../../../sandbox/services/cloudformation/stack-resources';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/**
 * The egress of a private subnet in a stack: `AWS::EC2::EIP`, `AWS::EC2::NatGateway` and the default
 * route to it, made and deleted as the EC2 API would, and a whole public/private network that
 * deletes cleanly.
 */

type Result = Record<string, unknown>;
type Items = Result[];
const REGION = 'eu-west-1';

let rt: TestRuntime;
let workload: string;
let call: (op: string, input: Result) => Promise<Result>;

beforeEach(async () => {
  rt = createTestRuntime();
  workload = rt.addAccount('team-a-prod', 'Workloads/Prod');
  const service = createEc2Service(rt);
  await service.start?.(rt);
  call = async (op, input) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'ec2', accountId: workload, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const stackId = `arn:aws:cloudformation:${REGION}:000000000000:stack/egress/5d6e7f80-0000-4000-8000-000000000005`;
const at = (logicalId: string): ResourceContext => ({
  runtime: rt,
  account: workload,
  region: REGION,
  stackId,
  stackName: 'egress',
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = [...ec2Providers, ...gatewayProviders, ...natProviders].find((p) => p.type === type);
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

/** A VPC with a subnet, and an internet gateway attached unless `igw` is false. */
function network(igw = true) {
  const vpc = provider('AWS::EC2::VPC').create(at('Vpc'), { CidrBlock: '10.40.0.0/16' }).physicalId;
  const subnet = provider('AWS::EC2::Subnet').create(at('Public'), {
    VpcId: vpc,
    CidrBlock: '10.40.0.0/24',
  }).physicalId;
  if (igw) {
    const gateway = provider('AWS::EC2::InternetGateway').create(at('Igw'), {}).physicalId;
    provider('AWS::EC2::VPCGatewayAttachment').create(at('Attachment'), { VpcId: vpc, InternetGatewayId: gateway });
  }
  return { vpc, subnet };
}

const addresses = async () => (await call('DescribeAddresses', {})).addressesSet as Items;
const natGateway = async (id: string) =>
  ((await call('DescribeNatGateways', { NatGatewayId: [id] })).natGatewaySet as Items)[0] as Result;

describe('NAT providers', () => {
  it('are registered for every stack and authorized as AllocateAddress and CreateNatGateway', () => {
    expect(natProviders.map((p) => p.type)).toEqual(['AWS::EC2::EIP', 'AWS::EC2::NatGateway']);
    expect(supportedResourceTypes()).toEqual(expect.arrayContaining(['AWS::EC2::EIP', 'AWS::EC2::NatGateway']));
    expect(createAction('AWS::EC2::EIP')).toBe('ec2:AllocateAddress');
    expect(createAction('AWS::EC2::NatGateway')).toBe('ec2:CreateNatGateway');
  });

  it('allocates an Elastic IP whose Ref is its public IP, tags it in place and releases it', async () => {
    const eip = provider('AWS::EC2::EIP');
    const made = eip.create(at('Eip'), { Domain: 'vpc', Tags: [{ Key: 'Name', Value: 'nat-a' }] });
    const [address] = await addresses();
    expect(made).toEqual({
      physicalId: address?.publicIp,
      attributes: { AllocationId: address?.allocationId, PublicIp: address?.publicIp },
    });
    expect(address?.tagSet).toEqual(
      expect.arrayContaining([
        { key: 'Name', value: 'nat-a' },
        { key: 'aws:cloudformation:logical-id', value: 'Eip' },
      ]),
    );
    const before = { Domain: 'vpc', Tags: [{ Key: 'Name', Value: 'nat-a' }] };
    const after = { Domain: 'vpc', Tags: [{ Key: 'Name', Value: 'nat-b' }] };
    expect(eip.update?.(at('Eip'), made.physicalId, after, before)).toEqual(made);
    expect((await addresses())[0]?.tagSet).toContainEqual({ key: 'Name', value: 'nat-b' });
    // a new Domain replaces it
    expect(eip.update?.(at('Eip'), made.physicalId, {}, before)).toBeUndefined();

    eip.delete(at('Eip'), made.physicalId, after);
    expect(await addresses()).toEqual([]);
    // already released: not an error
    eip.delete(at('Eip'), made.physicalId, after);

    expect(failure(() => eip.create(at('Classic'), { Domain: 'standard' }))).toEqual({
      code: 'InvalidParameterValue',
      message: 'Value (standard) for parameter domain is invalid.',
    });
  });

  it('makes a NAT gateway with the Elastic IP, and refuses to release the address while the gateway holds it', async () => {
    const { subnet } = network();
    const eip = provider('AWS::EC2::EIP').create(at('Eip'), { Domain: 'vpc' });
    const nat = provider('AWS::EC2::NatGateway');
    const props = { SubnetId: subnet, AllocationId: eip.attributes?.AllocationId, Tags: [{ Key: 'Name', Value: 'a' }] };
    const made = nat.create(at('Nat'), props);
    expect(made.physicalId).toMatch(/^nat-[0-9a-f]{17}$/);
    expect(made.attributes).toEqual({ NatGatewayId: made.physicalId });
    const gateway = await natGateway(made.physicalId);
    expect(gateway).toMatchObject({ state: 'available', subnetId: subnet, connectivityType: 'public' });
    expect((gateway.natGatewayAddressSet as Items)[0]?.publicIp).toBe(eip.physicalId);
    expect(gateway.tagSet).toContainEqual({ key: 'aws:cloudformation:stack-name', value: 'egress' });

    // tags in place; another subnet or address replaces it
    const retagged = { ...props, Tags: [{ Key: 'Name', Value: 'b' }] };
    expect(nat.update?.(at('Nat'), made.physicalId, retagged, props)).toEqual(made);
    expect((await natGateway(made.physicalId)).tagSet).toContainEqual({ key: 'Name', value: 'b' });
    expect(nat.update?.(at('Nat'), made.physicalId, { ...retagged, ConnectivityType: 'private' }, retagged)).toBe(
      undefined,
    );

    expect(failure(() => provider('AWS::EC2::EIP').delete(at('Eip'), eip.physicalId, {}))).toEqual({
      code: 'AuthFailure',
      message: 'You do not have permission to access the specified resource.',
    });
    // deleting waits for `deleted`, as CloudFormation's handler does; then the address can go
    nat.delete(at('Nat'), made.physicalId, retagged);
    expect((await natGateway(made.physicalId)).state).toBe('deleted');
    nat.delete(at('Nat'), made.physicalId, retagged);
    provider('AWS::EC2::EIP').delete(at('Eip'), eip.physicalId, {});
    expect(await addresses()).toEqual([]);
  });

  it("fails the resource in CloudFormation's words when the gateway ends failed, and refuses what the API refuses", async () => {
    const { vpc, subnet } = network(false);
    const eip = provider('AWS::EC2::EIP').create(at('Eip'), { Domain: 'vpc' });
    const nat = provider('AWS::EC2::NatGateway');
    const failed = failure(() =>
      nat.create(at('Nat'), { SubnetId: subnet, AllocationId: eip.attributes?.AllocationId }),
    );
    expect(failed.code).toBe('ResourceFailure');
    expect(failed.message).toMatch(
      new RegExp(
        `^NatGateway nat-[0-9a-f]{17} is in state failed and hence failed to stabilize\\. Detailed failure message: Network ${vpc} has no Internet gateway attached$`,
      ),
    );
    expect(failure(() => nat.create(at('Nat'), { SubnetId: subnet })).code).toBe('MissingParameter');
    expect(failure(() => nat.create(at('Nat'), {})).message).toBe(
      'Properties validation failed for resource Nat with message: #: required key [SubnetId] not found',
    );
    // a private gateway needs neither
    const made = nat.create(at('Private'), { SubnetId: subnet, ConnectivityType: 'private' });
    expect((await natGateway(made.physicalId)).state).toBe('available');
  });
});

const NETWORK = `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.50.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.50.0.0/24
      MapPublicIpOnLaunch: true
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  PublicDefault:
    Type: AWS::EC2::Route
    DependsOn: IgwAttachment
    Properties:
      RouteTableId: !Ref PublicRoutes
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  PublicAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnet
      RouteTableId: !Ref PublicRoutes
  NatEip:
    Type: AWS::EC2::EIP
    DependsOn: IgwAttachment
    Properties:
      Domain: vpc
  Nat:
    Type: AWS::EC2::NatGateway
    DependsOn: IgwAttachment
    Properties:
      SubnetId: !Ref PublicSubnet
      AllocationId: !GetAtt NatEip.AllocationId
      Tags:
        - Key: Name
          Value: egress-nat
  PrivateSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.50.1.0/24
  PrivateRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  PrivateDefault:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PrivateRoutes
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref Nat
  PrivateAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateSubnet
      RouteTableId: !Ref PrivateRoutes
`;

describe('a public/private network stack', () => {
  const key = { account: '', region: REGION, owner: 'stack/egress' };
  const deploy = (templateBody: string) =>
    deployStackResources(rt, { ...key, account: workload, stackId, templateBody, parameters: [] });
  const vpcs = async () =>
    (await call('DescribeVpcs', { Filter: [{ Name: 'is-default', Value: ['false'] }] })).vpcSet as Items;

  it('routes the private subnet to the NAT gateway in the public one, and deletes cleanly', async () => {
    const made = deploy(NETWORK);
    const physical = new Map(made.map((r) => [r.logicalId, r.physicalId]));
    const natId = physical.get('Nat') as string;
    const [address] = await addresses();
    // Ref of an EIP is its public IP; the gateway holds it in the public subnet
    expect(physical.get('NatEip')).toBe(address?.publicIp);
    const gateway = await natGateway(natId);
    expect(gateway).toMatchObject({ state: 'available', subnetId: physical.get('PublicSubnet') });
    expect((gateway.natGatewayAddressSet as Items)[0]).toMatchObject({
      allocationId: address?.allocationId,
      publicIp: address?.publicIp,
    });

    const { routeTableSet } = await call('DescribeRouteTables', { RouteTableId: [physical.get('PrivateRoutes')] });
    const [table] = routeTableSet as Items;
    expect(table?.routeSet).toEqual([
      { destinationCidrBlock: '10.50.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' },
      { destinationCidrBlock: '0.0.0.0/0', natGatewayId: natId, origin: 'CreateRoute', state: 'active' },
    ]);
    expect(physical.get('PrivateDefault')).toBe(`${physical.get('PrivateRoutes')}|0.0.0.0/0`);

    deleteStackResources(rt, { ...key, account: workload });
    expect(await vpcs()).toEqual([]);
    expect(await addresses()).toEqual([]);
    expect((await call('DescribeInternetGateways', {})).internetGatewaySet).toEqual([]);
    expect((await natGateway(natId)).state).toBe('deleted');
    expect((await call('DescribeNetworkInterfaces', {})).networkInterfaceSet).toEqual([]);
  });

  it('fails the stack when the NAT gateway cannot reach an internet gateway, and rolls back', async () => {
    const withoutIgw = NETWORK.replace(/ {2}Igw:[\s\S]*?(?= {2}PublicSubnet:)/, '')
      .replace(/ {2}PublicDefault:[\s\S]*?(?= {2}PublicAssociation:)/, '')
      .replaceAll('    DependsOn: IgwAttachment\n', '');
    let error: unknown;
    try {
      deploy(withoutIgw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackDeploymentError);
    expect((error as StackDeploymentError).statusReason).toMatch(
      /^The following resource\(s\) failed to create: \[Nat\]\. Nat: Resource handler returned message: "NatGateway nat-[0-9a-f]{17} is in state failed and hence failed to stabilize\. Detailed failure message: Network vpc-[0-9a-f]{17} has no Internet gateway attached" \(HandlerErrorCode: GeneralServiceException\)$/,
    );
    // rolled back; the failed gateway stays `failed` until it ages out, as on AWS
    expect(await vpcs()).toEqual([]);
    expect(await addresses()).toEqual([]);
    const { natGatewaySet } = await call('DescribeNatGateways', {});
    expect((natGatewaySet as Items).map((g) => g.state)).toEqual(['failed']);
  });
});
