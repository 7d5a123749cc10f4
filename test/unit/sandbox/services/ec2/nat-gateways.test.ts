import { ec2Authorization } from '../../../../../sandbox/services/ec2/authorization';
import { NAT_GATEWAY_DELETE_MS, NAT_GATEWAY_RETENTION_MS } from '../../../../../sandbox/services/ec2/nat-gateways';
import { Ec2State } from '../../../../../sandbox/services/ec2/state';
import { type Ec2Harness, ec2Harness, type Items, type Result } from './harness';

/**
 * NAT gateways as EC2 has them: a public one takes an Elastic IP of the account onto a network
 * interface it makes in its subnet, fails (rather than being refused) when the VPC has no internet
 * gateway or the address is taken, is `deleting` then `deleted`, and is a route target whose routes
 * turn `blackhole` when it goes.
 */

let h: Ec2Harness;
beforeEach(async () => {
  h = await ec2Harness();
});
afterEach(() => h.rt.close());

/** A VPC with a subnet, optionally with an internet gateway attached. */
async function network(options: { igw?: boolean; cidr?: string } = {}) {
  const cidr = options.cidr ?? '10.1.0.0/16';
  const vpcId = await h.vpc(cidr);
  const subnet = (await h.call('CreateSubnet', { VpcId: vpcId, CidrBlock: cidr.replace('0.0/16', '1.0/24') }))
    .subnet as Result;
  const subnetId = subnet.subnetId as string;
  let igwId: string | undefined;
  if (options.igw ?? true) {
    igwId = ((await h.call('CreateInternetGateway')).internetGateway as Result).internetGatewayId as string;
    await h.call('AttachInternetGateway', { InternetGatewayId: igwId, VpcId: vpcId });
  }
  return { vpcId, subnetId, igwId };
}

const allocate = async () => (await h.call('AllocateAddress', { Domain: 'vpc' })) as Result;

async function natGateways(input: Result = {}): Promise<Items> {
  return (await h.call('DescribeNatGateways', input)).natGatewaySet as Items;
}

async function natGateway(id: string): Promise<Result> {
  const [found] = await natGateways({ NatGatewayId: [id] });
  if (!found) throw new Error(`no ${id}`);
  return found;
}

async function createNat(input: Result): Promise<string> {
  return ((await h.call('CreateNatGateway', input)).natGateway as Result).natGatewayId as string;
}

const address = async (allocationId: string) =>
  ((await h.call('DescribeAddresses', { AllocationId: [allocationId] })).addressesSet as Items)[0] as Result;

describe('CreateNatGateway', () => {
  it('answers pending and is available at once, holding the Elastic IP on an interface of its subnet', async () => {
    const { vpcId, subnetId } = await network();
    const eip = await allocate();
    const made = await h.call('CreateNatGateway', {
      SubnetId: subnetId,
      AllocationId: eip.allocationId,
      ClientToken: 'token-1',
      TagSpecification: [{ ResourceType: 'natgateway', Tag: [{ Key: 'Name', Value: 'egress-a' }] }],
    });
    const answer = made.natGateway as Result;
    const id = answer.natGatewayId as string;
    expect(id).toMatch(/^nat-[0-9a-f]{17}$/);
    expect(made.clientToken).toBe('token-1');
    expect(answer).toMatchObject({
      state: 'pending',
      subnetId,
      vpcId,
      connectivityType: 'public',
      natGatewayAddressSet: [{ allocationId: eip.allocationId }],
      tagSet: [{ key: 'Name', value: 'egress-a' }],
    });

    const described = await natGateway(id);
    expect(described.state).toBe('available');
    expect(described.createTime).toBe(h.rt.clock.now().toISOString());
    const [held] = described.natGatewayAddressSet as Items;
    expect(held).toMatchObject({
      allocationId: eip.allocationId,
      publicIp: eip.publicIp,
      isPrimary: true,
      status: 'succeeded',
    });
    expect(held?.privateIp).toMatch(/^10\.1\.1\.\d+$/);
    expect(held?.associationId).toMatch(/^eipassoc-/);

    // the interface is AWS's, and the address is associated with it
    const { networkInterfaceSet } = await h.call('DescribeNetworkInterfaces', {
      NetworkInterfaceId: [held?.networkInterfaceId],
    });
    expect((networkInterfaceSet as Items)[0]).toMatchObject({
      subnetId,
      vpcId,
      description: `Interface for NAT Gateway ${id}`,
      interfaceType: 'nat_gateway',
      requesterManaged: true,
      status: 'in-use',
      privateIpAddress: held?.privateIp,
    });
    expect(await address(eip.allocationId as string)).toMatchObject({
      associationId: held?.associationId,
      networkInterfaceId: held?.networkInterfaceId,
      privateIpAddress: held?.privateIp,
    });
  });

  it('makes a private gateway without an Elastic IP or an internet gateway', async () => {
    const { subnetId } = await network({ igw: false });
    const id = await createNat({ SubnetId: subnetId, ConnectivityType: 'private' });
    const gateway = await natGateway(id);
    expect(gateway).toMatchObject({ state: 'available', connectivityType: 'private' });
    const [held] = gateway.natGatewayAddressSet as Items;
    expect(held?.allocationId).toBeUndefined();
    expect(held?.publicIp).toBeUndefined();
    expect(held?.networkInterfaceId).toMatch(/^eni-/);
  });

  it('refuses requests it cannot start with AWS codes', async () => {
    const { subnetId } = await network();
    const eip = await allocate();
    expect(await h.error('CreateNatGateway', { AllocationId: eip.allocationId })).toMatchObject({
      code: 'MissingParameter',
    });
    expect(await h.error('CreateNatGateway', { SubnetId: 'public-a', AllocationId: eip.allocationId })).toEqual({
      code: 'InvalidSubnet',
      message: "The subnet ID 'public-a' is malformed",
      status: 400,
    });
    expect(
      await h.error('CreateNatGateway', { SubnetId: 'subnet-0123456789abcdef0', AllocationId: eip.allocationId }),
    ).toMatchObject({
      code: 'InvalidSubnetID.NotFound',
      message: "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    });
    expect(await h.error('CreateNatGateway', { SubnetId: subnetId })).toMatchObject({
      code: 'MissingParameter',
      message: 'The request must include the AllocationId parameter. Add the required parameter and retry the request.',
    });
    expect(await h.error('CreateNatGateway', { SubnetId: subnetId, AllocationId: 'elastic-1' })).toMatchObject({
      code: 'InvalidElasticIpID.Malformed',
      message: "The elastic-ip ID 'elastic-1' is malformed",
    });
    expect(
      await h.error('CreateNatGateway', { SubnetId: subnetId, AllocationId: 'eipalloc-0123456789abcdef0' }),
    ).toMatchObject({
      code: 'InvalidElasticIpID.NotFound',
      message: "The elasticIp ID 'eipalloc-0123456789abcdef0' does not exist",
    });
    expect(
      await h.error('CreateNatGateway', {
        SubnetId: subnetId,
        AllocationId: eip.allocationId,
        ConnectivityType: 'private',
      }),
    ).toMatchObject({ code: 'InvalidParameterCombination' });
    expect(
      await h.error('CreateNatGateway', { SubnetId: subnetId, AllocationId: eip.allocationId, ConnectivityType: 'x' }),
    ).toMatchObject({ code: 'InvalidParameterValue' });
    expect(
      await h.error('CreateNatGateway', {
        SubnetId: subnetId,
        AllocationId: eip.allocationId,
        TagSpecification: [{ ResourceType: 'vpc', Tag: [{ Key: 'k', Value: 'v' }] }],
      }),
    ).toMatchObject({ code: 'InvalidParameterValue' });
    // nothing was made
    expect(await natGateways()).toEqual([]);
  });

  it("does not see another account's Elastic IP", async () => {
    const other = h.rt.addAccount('team-b-dev', 'Workloads/Dev');
    const { subnetId } = await network();
    const theirs = (await h.call('AllocateAddress', {}, { accountId: other })).allocationId as string;
    expect(await h.error('CreateNatGateway', { SubnetId: subnetId, AllocationId: theirs })).toMatchObject({
      code: 'InvalidElasticIpID.NotFound',
    });
  });

  it('fails a public gateway whose VPC has no internet gateway, holding nothing', async () => {
    const { vpcId, subnetId } = await network({ igw: false });
    const eip = await allocate();
    const id = await createNat({ SubnetId: subnetId, AllocationId: eip.allocationId });
    expect(await natGateway(id)).toMatchObject({
      state: 'failed',
      failureCode: 'Gateway.NotAttached',
      failureMessage: `Network ${vpcId} has no Internet gateway attached`,
      natGatewayAddressSet: [{ allocationId: eip.allocationId }],
    });
    expect((await address(eip.allocationId as string)).associationId).toBeUndefined();
    const { networkInterfaceSet } = await h.call('DescribeNetworkInterfaces', {
      Filter: [{ Name: 'subnet-id', Value: [subnetId] }],
    });
    expect(networkInterfaceSet).toEqual([]);
    // a failed gateway is gone after about an hour
    h.rt.clock.advance(NAT_GATEWAY_RETENTION_MS);
    expect(await natGateways()).toEqual([]);
  });

  it('fails a gateway whose Elastic IP is associated elsewhere', async () => {
    const { subnetId } = await network();
    const eip = await allocate();
    const first = await createNat({ SubnetId: subnetId, AllocationId: eip.allocationId });
    const second = await createNat({ SubnetId: subnetId, AllocationId: eip.allocationId });
    expect((await natGateway(first)).state).toBe('available');
    expect(await natGateway(second)).toMatchObject({
      state: 'failed',
      failureCode: 'Resource.AlreadyAssociated',
      failureMessage: `Elastic IP address [${eip.allocationId}] is already associated`,
    });
  });

  it('answers the same gateway for the same client token, and refuses the token for another request', async () => {
    const { subnetId } = await network();
    const eip = await allocate();
    const request = { SubnetId: subnetId, AllocationId: eip.allocationId, ClientToken: 'same' };
    const first = await createNat(request);
    const again = await h.call('CreateNatGateway', request);
    expect((again.natGateway as Result).natGatewayId).toBe(first);
    expect((again.natGateway as Result).state).toBe('available');
    expect(await natGateways()).toHaveLength(1);
    expect(await h.error('CreateNatGateway', { ...request, ConnectivityType: 'private' })).toMatchObject({
      code: 'IdempotentParameterMismatch',
    });
  });

  it('authorizes the create on a natgateway ARN and its subnet and Elastic IP', async () => {
    const { subnetId } = await network();
    const eip = await allocate();
    const state = new Ec2State(h.rt);
    const details = (op: string, input: Result) =>
      ec2Authorization(state, op, input, h.rt.context(op, { service: 'ec2', accountId: h.account }));
    const arn = (type: string, id: string) => `arn:aws:ec2:eu-west-1:${h.account}:${type}/${id}`;
    expect(details('CreateNatGateway', { SubnetId: subnetId, AllocationId: eip.allocationId }).resources).toEqual([
      arn('natgateway', '*'),
      arn('subnet', subnetId),
      arn('elastic-ip', eip.allocationId as string),
    ]);
    expect(details('DeleteNatGateway', { NatGatewayId: 'nat-0123456789abcdef0' }).resources).toEqual([
      arn('natgateway', 'nat-0123456789abcdef0'),
    ]);
  });
});

describe('DescribeNatGateways', () => {
  it('filters by id, state, subnet, VPC and tag, and pages', async () => {
    const a = await network();
    const b = await network({ cidr: '10.2.0.0/16' });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { allocationId } = await allocate();
      const net = i === 0 ? b : a;
      ids.push(
        await createNat({
          SubnetId: net.subnetId,
          AllocationId: allocationId,
          TagSpecification: [{ Tag: [{ Key: 'Name', Value: `nat-${i}` }] }],
        }),
      );
    }
    const only = async (Name: string, Value: string[]) =>
      (await natGateways({ Filter: [{ Name, Value }] })).map((g) => g.natGatewayId);
    expect(await only('vpc-id', [b.vpcId])).toEqual([ids[0]]);
    expect(await only('subnet-id', [b.subnetId])).toEqual([ids[0]]);
    expect(await only('nat-gateway-id', [ids[2] as string])).toEqual([ids[2]]);
    expect(await only('tag:Name', ['nat-3'])).toEqual([ids[3]]);
    expect(await only('state', ['available'])).toHaveLength(6);
    expect(await only('state', ['deleted'])).toEqual([]);
    expect(await h.error('DescribeNatGateways', { Filter: [{ Name: 'colour', Value: ['x'] }] })).toEqual({
      code: 'InvalidParameterValue',
      message: "The filter 'colour' is invalid",
      status: 400,
    });
    const first = await h.call('DescribeNatGateways', { MaxResults: 5 });
    expect(first.natGatewaySet).toHaveLength(5);
    const rest = await h.call('DescribeNatGateways', { MaxResults: 5, NextToken: first.nextToken });
    expect(rest.natGatewaySet).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
  });

  it('answers NatGatewayNotFound for an id the account does not have in the region', async () => {
    expect(await h.error('DescribeNatGateways', { NatGatewayId: ['nat-0123456789abcdef0'] })).toEqual({
      code: 'NatGatewayNotFound',
      message: 'NAT gateway nat-0123456789abcdef0 was not found',
      status: 400,
    });
    const { subnetId } = await network();
    const id = await createNat({ SubnetId: subnetId, ConnectivityType: 'private' });
    expect(await h.error('DescribeNatGateways', { NatGatewayId: [id] }, { region: 'us-east-1' })).toMatchObject({
      code: 'NatGatewayNotFound',
    });
  });

  it('tags and untags a gateway, and lists its tags as a natgateway', async () => {
    const { subnetId } = await network();
    const id = await createNat({ SubnetId: subnetId, ConnectivityType: 'private' });
    await h.call('CreateTags', { ResourceId: [id], Tag: [{ Key: 'team', Value: 'a' }] });
    expect((await natGateway(id)).tagSet).toEqual([{ key: 'team', value: 'a' }]);
    const { tagSet } = await h.call('DescribeTags', { Filter: [{ Name: 'resource-type', Value: ['natgateway'] }] });
    expect(tagSet).toEqual([{ resourceId: id, resourceType: 'natgateway', key: 'team', value: 'a' }]);
    await h.call('DeleteTags', { ResourceId: [id] });
    expect((await natGateway(id)).tagSet).toEqual([]);
  });
});

describe('DeleteNatGateway', () => {
  it('is deleting, then deleted, releasing the address association and the interface at once', async () => {
    const { subnetId } = await network();
    const eip = await allocate();
    const id = await createNat({ SubnetId: subnetId, AllocationId: eip.allocationId });
    const held = ((await natGateway(id)).natGatewayAddressSet as Items)[0] as Result;

    expect(await h.call('DeleteNatGateway', { NatGatewayId: id })).toEqual({ natGatewayId: id });
    const deleting = await natGateway(id);
    expect(deleting).toMatchObject({ state: 'deleting', deleteTime: h.rt.clock.now().toISOString() });
    expect(deleting.natGatewayAddressSet).toEqual([
      {
        allocationId: eip.allocationId,
        networkInterfaceId: held.networkInterfaceId,
        privateIp: held.privateIp,
        publicIp: eip.publicIp,
      },
    ]);
    // deleting again changes nothing
    await h.call('DeleteNatGateway', { NatGatewayId: id });

    // the Elastic IP is disassociated (not released) and the interface is gone
    expect((await address(eip.allocationId as string)).associationId).toBeUndefined();
    expect(await h.error('DescribeNetworkInterfaces', { NetworkInterfaceId: [held.networkInterfaceId] })).toMatchObject(
      { code: 'InvalidNetworkInterfaceID.NotFound' },
    );

    h.rt.clock.advance(NAT_GATEWAY_DELETE_MS);
    expect((await natGateway(id)).state).toBe('deleted');
    expect((await natGateways({ Filter: [{ Name: 'state', Value: ['deleted'] }] })).map((g) => g.natGatewayId)).toEqual(
      [id],
    );
    await h.call('ReleaseAddress', { AllocationId: eip.allocationId });
    await h.call('DeleteSubnet', { SubnetId: subnetId });

    // a deleted gateway ages out of Describe results
    h.rt.clock.advance(NAT_GATEWAY_RETENTION_MS);
    expect(await natGateways()).toEqual([]);
    expect(await h.error('DeleteNatGateway', { NatGatewayId: id })).toMatchObject({ code: 'NatGatewayNotFound' });
  });

  it('answers NatGatewayNotFound for an unknown gateway', async () => {
    expect(await h.error('DeleteNatGateway', { NatGatewayId: 'nat-0123456789abcdef0' })).toEqual({
      code: 'NatGatewayNotFound',
      message: 'NAT gateway nat-0123456789abcdef0 was not found',
      status: 400,
    });
    expect(await h.error('DeleteNatGateway', {})).toMatchObject({ code: 'MissingParameter' });
  });
});

describe("a NAT gateway's Elastic IP and interface", () => {
  it('are AWS-managed while the gateway holds them: AuthFailure, and they keep the subnet and gateway in place', async () => {
    const { vpcId, subnetId, igwId } = await network();
    const eip = await allocate();
    const id = await createNat({ SubnetId: subnetId, AllocationId: eip.allocationId });
    const held = ((await natGateway(id)).natGatewayAddressSet as Items)[0] as Result;
    const authFailure = {
      code: 'AuthFailure',
      message: 'You do not have permission to access the specified resource.',
      status: 400,
    };
    expect(await h.error('ReleaseAddress', { AllocationId: eip.allocationId })).toEqual(authFailure);
    expect(await h.error('DisassociateAddress', { AssociationId: held.associationId })).toEqual(authFailure);
    const eni = ((await h.call('CreateNetworkInterface', { SubnetId: subnetId })).networkInterface as Result)
      .networkInterfaceId;
    expect(
      await h.error('AssociateAddress', {
        AllocationId: eip.allocationId,
        NetworkInterfaceId: eni,
        AllowReassociation: 'true',
      }),
    ).toEqual(authFailure);
    const other = await allocate();
    expect(
      await h.error('AssociateAddress', {
        AllocationId: other.allocationId,
        NetworkInterfaceId: held.networkInterfaceId,
      }),
    ).toEqual(authFailure);

    expect(await h.error('DeleteSubnet', { SubnetId: subnetId })).toMatchObject({ code: 'DependencyViolation' });
    expect(await h.error('DetachInternetGateway', { InternetGatewayId: igwId, VpcId: vpcId })).toMatchObject({
      code: 'DependencyViolation',
      message: `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    });
  });
});

describe('routes to a NAT gateway', () => {
  async function withRouteTable() {
    const net = await network();
    const eip = await allocate();
    const natId = await createNat({ SubnetId: net.subnetId, AllocationId: eip.allocationId });
    const table = (await h.call('CreateRouteTable', { VpcId: net.vpcId })).routeTable as Result;
    return { ...net, natId, routeTableId: table.routeTableId as string };
  }

  const routes = async (routeTableId: string) =>
    (((await h.call('DescribeRouteTables', { RouteTableId: [routeTableId] })).routeTableSet as Items)[0] as Result)
      .routeSet as Items;

  it('shows NatGatewayId, is active, and turns blackhole once the gateway is deleted', async () => {
    const { natId, routeTableId } = await withRouteTable();
    await h.call('CreateRoute', { RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId });
    expect((await routes(routeTableId))[1]).toEqual({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: natId,
      origin: 'CreateRoute',
      state: 'active',
    });
    const byNat = await h.call('DescribeRouteTables', { Filter: [{ Name: 'route.nat-gateway-id', Value: [natId] }] });
    expect((byNat.routeTableSet as Items).map((t) => t.routeTableId)).toEqual([routeTableId]);

    await h.call('DeleteNatGateway', { NatGatewayId: natId });
    expect((await routes(routeTableId))[1]?.state).toBe('blackhole');
    h.rt.clock.advance(NAT_GATEWAY_DELETE_MS + NAT_GATEWAY_RETENTION_MS);
    // still there, still a blackhole, once the gateway has aged out
    expect((await routes(routeTableId))[1]).toMatchObject({ natGatewayId: natId, state: 'blackhole' });
    // and a new route to it is refused
    expect(
      await h.error('ReplaceRoute', {
        RouteTableId: routeTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    ).toEqual({
      code: 'InvalidNatGatewayID.NotFound',
      message: `The natGateway ID '${natId}' does not exist`,
      status: 400,
    });
  });

  it('replaces an internet gateway route with the NAT gateway', async () => {
    const { natId, routeTableId, igwId } = await withRouteTable();
    await h.call('CreateRoute', { RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId });
    await h.call('ReplaceRoute', {
      RouteTableId: routeTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: natId,
    });
    expect((await routes(routeTableId))[1]).toMatchObject({ natGatewayId: natId, state: 'active' });
    expect((await routes(routeTableId))[1]?.gatewayId).toBeUndefined();
  });

  it('refuses an unknown, deleted or failed gateway, and one of another VPC', async () => {
    const { routeTableId, natId } = await withRouteTable();
    const route = (NatGatewayId: string) =>
      h.error('CreateRoute', { RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId });
    expect(await route('nat-0123456789abcdef0')).toMatchObject({ code: 'InvalidNatGatewayID.NotFound' });

    const elsewhere = await network({ cidr: '10.2.0.0/16', igw: false });
    const theirs = await createNat({ SubnetId: elsewhere.subnetId, ConnectivityType: 'private' });
    expect(await route(theirs)).toEqual({
      code: 'InvalidParameterValue',
      message: `route table ${routeTableId} and NAT gateway ${theirs} belong to different networks`,
      status: 400,
    });
    const failed = await createNat({ SubnetId: elsewhere.subnetId, AllocationId: (await allocate()).allocationId });
    expect((await natGateway(failed)).state).toBe('failed');
    expect(await route(failed)).toMatchObject({ code: 'InvalidNatGatewayID.NotFound' });

    await h.call('DeleteNatGateway', { NatGatewayId: natId });
    expect(await route(natId)).toMatchObject({ code: 'InvalidNatGatewayID.NotFound' });
  });
});
