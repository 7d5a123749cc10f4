import {
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReleaseAddressCommand,
  waitUntilNatGatewayAvailable,
} from '@aws-sdk/client-ec2';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * NAT gateways through the SDK: the wire shapes of CreateNatGateway, DescribeNatGateways and
 * DeleteNatGateway, the SDK's waiter, routes to the gateway, and a deletion that runs on the
 * compressed clock.
 */

let sb: TestSandbox;
let ec2: EC2Client;

beforeAll(async () => {
  // 30x: a deletion's simulated minute lasts 2 real seconds, so the first read sees it deleting even
  // on a loaded machine (at the default 6000x it lasted 10 ms, and CI once missed it)
  sb = await startTestSandbox({ timeScale: 30 });
  ec2 = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
}, 30_000);
afterAll(() => sb?.stop());

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.name,
  );

describe('NAT gateways through the SDK', () => {
  it('runs a public gateway from creation to deletion, with a route to it', async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }));
    const vpcId = Vpc?.VpcId as string;
    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    await ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: InternetGateway?.InternetGatewayId, VpcId: vpcId }),
    );
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.0.0/24' }));
    const { AllocationId, PublicIp } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));

    const created = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: Subnet?.SubnetId,
        AllocationId,
        ClientToken: 'nat-a',
        TagSpecifications: [{ ResourceType: 'natgateway', Tags: [{ Key: 'Name', Value: 'egress-a' }] }],
      }),
    );
    expect(created.ClientToken).toBe('nat-a');
    const natId = created.NatGateway?.NatGatewayId as string;
    expect(created.NatGateway).toMatchObject({
      State: 'pending',
      VpcId: vpcId,
      ConnectivityType: 'public',
      NatGatewayAddresses: [{ AllocationId }],
      Tags: [{ Key: 'Name', Value: 'egress-a' }],
    });
    expect(created.NatGateway?.CreateTime).toBeInstanceOf(Date);

    await waitUntilNatGatewayAvailable({ client: ec2, maxWaitTime: 30 }, { NatGatewayIds: [natId] });
    const { NatGateways } = await ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(NatGateways).toHaveLength(1);
    const [address] = NatGateways?.[0]?.NatGatewayAddresses ?? [];
    expect(address).toMatchObject({ AllocationId, PublicIp, IsPrimary: true, Status: 'succeeded' });
    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [address?.NetworkInterfaceId as string] }),
    );
    expect(NetworkInterfaces?.[0]).toMatchObject({ InterfaceType: 'nat_gateway', RequesterManaged: true });

    const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const routeTableId = RouteTable?.RouteTableId as string;
    await ec2.send(
      new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }),
    );
    const route = async () =>
      (
        await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }))
      ).RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    expect(await route()).toMatchObject({ NatGatewayId: natId, State: 'active' });

    // AWS manages the address while the gateway holds it
    expect(await errorName(ec2.send(new ReleaseAddressCommand({ AllocationId })))).toBe('AuthFailure');

    expect(await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }))).toMatchObject({ NatGatewayId: natId });
    expect(await route()).toMatchObject({ NatGatewayId: natId, State: 'blackhole' });
    // deleting, then deleted once the compressed clock has run the deletion's minute
    const states: string[] = [];
    for (let i = 0; i < 400 && states.at(-1) !== 'deleted'; i++) {
      const { NatGateways: now } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
      states.push(now?.[0]?.State as string);
      if (states.at(-1) !== 'deleted') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(states[0]).toBe('deleting');
    expect(states.at(-1)).toBe('deleted');
    await ec2.send(new ReleaseAddressCommand({ AllocationId }));

    expect(
      await errorName(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0123456789abcdef0'] }))),
    ).toBe('NatGatewayNotFound');
  });
});
