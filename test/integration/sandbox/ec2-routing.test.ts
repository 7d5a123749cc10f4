import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteTransitGatewayCommand,
  DeleteTransitGatewayVpcAttachmentCommand,
  DeleteVpcCommand,
  DescribeRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcsCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { ec2Authorization } from '../../../sandbox/services/ec2/authorization';
import { Ec2State } from '../../../sandbox/services/ec2/state';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../sandbox/services/ec2/transit-gateways';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * Route tables, routes, transit gateways and VPC attachments through the SDK: every operation, the
 * errors AWS answers with, a workload account attaching its VPC to the network account's seeded
 * transit gateway, and DeleteVpc refusing while routing resources remain.
 */

let sb: TestSandbox;
/** The network account: owner of the seeded transit gateway. */
let network: EC2Client;
/** A workload account, as vending leaves one. */
let workload: EC2Client;
let workloadAccount: string;

beforeAll(async () => {
  // the sandbox's own transit gateway and its share, egress VPC and bastion SSH group
  sb = await startTestSandbox({ seedNetwork: true });
  network = sb.client(EC2Client, { accountId: sb.accountId('network'), role: 'Developer' });
  workloadAccount = await createAccountIn(sb, 'routing-prod', 'Workloads/Prod');
  workload = sb.client(EC2Client, { accountId: workloadAccount, role: 'Developer' });
}, 30_000);
afterAll(() => sb?.stop());

type SdkError = Error & { $metadata: { httpStatusCode?: number } };
const errorOf = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: SdkError) => e,
  );

async function newVpc(client: EC2Client, cidr: string): Promise<string> {
  return (await client.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc?.VpcId as string;
}
async function newSubnet(client: EC2Client, vpcId: string, cidr: string, zone = 'eu-west-1a'): Promise<string> {
  const { Subnet } = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
  );
  return Subnet?.SubnetId as string;
}
async function tablesOf(client: EC2Client, vpcId: string) {
  const out = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  return out.RouteTables ?? [];
}

describe('EC2 route tables through the SDK', () => {
  it('gives every VPC, the default one too, a main route table with its local route', async () => {
    const defaultVpc = (
      await network.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))
    ).Vpcs?.[0]?.VpcId as string;
    const vpcId = await newVpc(network, '10.11.0.0/16');
    for (const [id, cidr] of [
      [defaultVpc, '172.31.0.0/16'],
      [vpcId, '10.11.0.0/16'],
    ] as const) {
      const tables = await tablesOf(network, id);
      expect(tables).toEqual([
        expect.objectContaining({
          RouteTableId: expect.stringMatching(/^rtb-[0-9a-f]{17}$/),
          VpcId: id,
          OwnerId: sb.accountId('network'),
          Routes: [{ DestinationCidrBlock: cidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
          Associations: [
            {
              Main: true,
              RouteTableAssociationId: expect.stringMatching(/^rtbassoc-[0-9a-f]{17}$/),
              RouteTableId: tables[0]?.RouteTableId,
              AssociationState: { State: 'associated' },
            },
          ],
          Tags: [],
        }),
      ]);
    }
    const mains = await network.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(mains.RouteTables?.map((t) => t.VpcId)).toEqual(expect.arrayContaining([defaultVpc, vpcId]));
  });

  it('creates, associates, disassociates and deletes a route table with AWS errors', async () => {
    const vpcId = await newVpc(network, '10.12.0.0/16');
    const otherVpc = await newVpc(network, '10.13.0.0/16');
    const subnet = await newSubnet(network, vpcId, '10.12.1.0/24');
    const foreignSubnet = await newSubnet(network, otherVpc, '10.13.1.0/24');
    const { RouteTable } = await network.send(
      new CreateRouteTableCommand({
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'Name', Value: 'private' }] }],
      }),
    );
    const rtb = RouteTable?.RouteTableId as string;
    expect(RouteTable).toMatchObject({
      VpcId: vpcId,
      Routes: [{ DestinationCidrBlock: '10.12.0.0/16', GatewayId: 'local', State: 'active' }],
      Associations: [],
      Tags: [{ Key: 'Name', Value: 'private' }],
    });

    const { AssociationId, AssociationState } = await network.send(
      new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnet }),
    );
    expect(AssociationId).toMatch(/^rtbassoc-[0-9a-f]{17}$/);
    expect(AssociationState).toEqual({ State: 'associated' });
    expect(
      await errorOf(network.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnet }))),
    ).toMatchObject({
      name: 'Resource.AlreadyAssociated',
      message: `the specified association for route table ${rtb} conflicts with an existing association`,
    });
    expect(
      await errorOf(network.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: foreignSubnet }))),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: `route table ${rtb} and subnet ${foreignSubnet} belong to different networks`,
    });
    expect(
      await errorOf(
        network.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: 'subnet-00000000000000000' })),
      ),
    ).toMatchObject({
      name: 'InvalidSubnetID.NotFound',
      message: "The subnet ID 'subnet-00000000000000000' does not exist",
    });

    const bySubnet = await network.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] }),
    );
    expect(bySubnet.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);
    const byTag = await network.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'tag:Name', Values: ['private'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    );
    expect(byTag.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);
    const byKey = await network.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag-key', Values: ['Name'] }] }),
    );
    expect(byKey.RouteTables?.map((t) => t.RouteTableId)).toContain(rtb);

    expect(await errorOf(network.send(new DeleteRouteTableCommand({ RouteTableId: rtb })))).toMatchObject({
      name: 'DependencyViolation',
      message: `The routeTable '${rtb}' has dependencies and cannot be deleted.`,
    });
    const main = (await tablesOf(network, vpcId)).find((t) => t.Associations?.some((a) => a.Main));
    expect(
      await errorOf(network.send(new DeleteRouteTableCommand({ RouteTableId: main?.RouteTableId }))),
    ).toMatchObject({
      name: 'DependencyViolation',
    });
    const mainAssociation = main?.Associations?.[0]?.RouteTableAssociationId as string;
    expect(
      await errorOf(network.send(new DisassociateRouteTableCommand({ AssociationId: mainAssociation }))),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: `cannot disassociate the main route table association ${mainAssociation}`,
    });

    await network.send(new DisassociateRouteTableCommand({ AssociationId }));
    expect(await errorOf(network.send(new DisassociateRouteTableCommand({ AssociationId })))).toMatchObject({
      name: 'InvalidAssociationID.NotFound',
      message: `The association ID '${AssociationId}' does not exist`,
    });
    await network.send(new DeleteRouteTableCommand({ RouteTableId: rtb }));
    const gone = await errorOf(network.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })));
    expect(gone).toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
      message: `The routeTable ID '${rtb}' does not exist`,
    });
    expect(gone.$metadata.httpStatusCode).toBe(400);
    expect(await errorOf(network.send(new CreateRouteTableCommand({ VpcId: 'vpc-00000000000000000' })))).toMatchObject({
      name: 'InvalidVpcID.NotFound',
      message: "The vpc ID 'vpc-00000000000000000' does not exist",
    });
  });

  it('creates, replaces and deletes routes, each with one target of the VPC', async () => {
    // an Internet Gateway: only the egress account may have one (the deny-IGW SCP binds every other)
    const network = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
    const vpcId = await newVpc(network, '10.14.0.0/16');
    const rtb = (await network.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    const igw = (await network.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    const route = (input: Record<string, string>) => ({ RouteTableId: rtb, ...input });

    expect(
      await errorOf(network.send(new CreateRouteCommand(route({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })))),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: `route table ${rtb} and network gateway ${igw} belong to different networks`,
    });
    await network.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const created = await network.send(
      new CreateRouteCommand(route({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })),
    );
    expect(created.Return).toBe(true);

    expect(
      await errorOf(network.send(new CreateRouteCommand(route({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })))),
    ).toMatchObject({ name: 'RouteAlreadyExists', message: 'The route identified by 0.0.0.0/0 already exists.' });
    expect(
      await errorOf(
        network.send(new CreateRouteCommand(route({ DestinationCidrBlock: '10.14.0.0/16', GatewayId: igw }))),
      ),
    ).toMatchObject({ name: 'RouteAlreadyExists', message: 'The route identified by 10.14.0.0/16 already exists.' });
    expect(
      await errorOf(
        network.send(new CreateRouteCommand(route({ DestinationCidrBlock: '10.0.0.0/33', GatewayId: igw }))),
      ),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value (10.0.0.0/33) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.',
    });
    expect(
      await errorOf(network.send(new CreateRouteCommand(route({ DestinationCidrBlock: '192.168.0.0/16' })))),
    ).toMatchObject({ name: 'MissingParameter' });
    expect(
      await errorOf(
        network.send(
          new CreateRouteCommand(
            route({ DestinationCidrBlock: '192.168.0.0/16', GatewayId: igw, NatGatewayId: 'nat-0123456789abcdef0' }),
          ),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterCombination' });
    expect(
      await errorOf(
        network.send(
          new CreateRouteCommand(route({ DestinationCidrBlock: '192.168.0.0/16', GatewayId: 'igw-00000000000000000' })),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidGatewayID.NotFound',
      message: "The gateway ID 'igw-00000000000000000' does not exist",
    });
    expect(
      await errorOf(
        network.send(
          new CreateRouteCommand({
            RouteTableId: 'rtb-00000000000000000',
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: igw,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidRouteTableID.NotFound' });

    // a more specific route to a network interface of the VPC, then to a NAT gateway instead
    const subnet = await newSubnet(network, vpcId, '10.14.1.0/24');
    const eni = (await network.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface
      ?.NetworkInterfaceId as string;
    await network.send(
      new CreateRouteCommand(route({ DestinationCidrBlock: '192.168.0.5/16', NetworkInterfaceId: eni })),
    );
    // a NAT gateway of the VPC (a private one: no Elastic IP)
    const { NatGateway } = await network.send(
      new CreateNatGatewayCommand({ SubnetId: subnet, ConnectivityType: 'private' }),
    );
    const nat = NatGateway?.NatGatewayId as string;
    await network.send(new ReplaceRouteCommand(route({ DestinationCidrBlock: '192.168.0.0/16', NatGatewayId: nat })));
    expect(
      await errorOf(
        network.send(new ReplaceRouteCommand(route({ DestinationCidrBlock: '172.16.0.0/12', GatewayId: igw }))),
      ),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: "There is no route defined for '172.16.0.0/12' in the route table. Use CreateRoute instead.",
    });
    const [table] = (await network.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables ?? [];
    expect(table?.Routes).toEqual([
      { DestinationCidrBlock: '10.14.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw, Origin: 'CreateRoute', State: 'active' },
      {
        DestinationCidrBlock: '192.168.0.0/16',
        NatGatewayId: nat,
        Origin: 'CreateRoute',
        State: 'active',
      },
    ]);
    const viaIgw = await network.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.gateway-id', Values: [igw] }] }),
    );
    expect(viaIgw.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);
    const byDestination = await network.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'route.destination-cidr-block', Values: ['192.168.0.0/16'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    );
    expect(byDestination.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);

    await network.send(new DeleteRouteCommand(route({ DestinationCidrBlock: '192.168.0.0/16' })));
    expect(
      await errorOf(network.send(new DeleteRouteCommand(route({ DestinationCidrBlock: '192.168.0.0/16' })))),
    ).toMatchObject({
      name: 'InvalidRoute.NotFound',
      message: `no route with destination-cidr-block 192.168.0.0/16 in route table ${rtb}`,
    });
    expect(
      await errorOf(network.send(new DeleteRouteCommand(route({ DestinationCidrBlock: '10.14.0.0/16' })))),
    ).toMatchObject({
      name: 'InvalidParameterValue',
      message: `cannot remove local route 10.14.0.0/16 in route table ${rtb}`,
    });
  });

  it('pages route tables and refuses unknown filters', async () => {
    const vpcId = await newVpc(network, '10.15.0.0/16');
    for (let i = 0; i < 6; i++) await network.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const filter = [{ Name: 'vpc-id', Values: [vpcId] }];
    const first = await network.send(new DescribeRouteTablesCommand({ Filters: filter, MaxResults: 5 }));
    expect(first.RouteTables).toHaveLength(5);
    const second = await network.send(
      new DescribeRouteTablesCommand({ Filters: filter, MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.RouteTables).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
    expect(
      await errorOf(network.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] }))),
    ).toMatchObject({ name: 'InvalidParameterValue', message: "The filter 'colour' is invalid" });
  });
});

describe('EC2 transit gateways through the SDK', () => {
  it('creates, describes and deletes a transit gateway and a VPC attachment of its own account', async () => {
    const { TransitGateway } = await network.send(
      new CreateTransitGatewayCommand({
        Description: 'lab',
        Options: { AmazonSideAsn: 64600, DnsSupport: 'disable' },
        TagSpecifications: [{ ResourceType: 'transit-gateway', Tags: [{ Key: 'Name', Value: 'lab-tgw' }] }],
      }),
    );
    const tgw = TransitGateway?.TransitGatewayId as string;
    expect(tgw).toMatch(/^tgw-[0-9a-f]{17}$/);
    expect(TransitGateway).toMatchObject({
      TransitGatewayArn: `arn:aws:ec2:eu-west-1:${sb.accountId('network')}:transit-gateway/${tgw}`,
      State: 'available',
      OwnerId: sb.accountId('network'),
      Description: 'lab',
      CreationTime: expect.any(Date),
      Options: expect.objectContaining({
        AmazonSideAsn: 64600,
        AutoAcceptSharedAttachments: 'disable',
        DefaultRouteTableAssociation: 'enable',
        DnsSupport: 'disable',
      }),
      Tags: [{ Key: 'Name', Value: 'lab-tgw' }],
    });

    const vpcId = await newVpc(network, '10.16.0.0/16');
    const otherVpc = await newVpc(network, '10.17.0.0/16');
    const a1 = await newSubnet(network, vpcId, '10.16.1.0/28', 'eu-west-1a');
    const a2 = await newSubnet(network, vpcId, '10.16.2.0/28', 'eu-west-1a');
    const b1 = await newSubnet(network, vpcId, '10.16.3.0/28', 'eu-west-1b');
    const foreign = await newSubnet(network, otherVpc, '10.17.1.0/28');
    const attach = (subnets: string[], vpc = vpcId, gateway = tgw) =>
      network.send(
        new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: gateway, VpcId: vpc, SubnetIds: subnets }),
      );

    expect(await errorOf(attach([a1, a2]))).toMatchObject({
      name: 'DuplicateSubnetsInSameZone',
      message: 'Duplicate Subnets for same AZ',
    });
    expect(await errorOf(attach([a1, foreign]))).toMatchObject({
      name: 'InvalidSubnetID.NotFound',
      message: `Subnet ${foreign} was deleted or does not exist.`,
    });
    expect(await errorOf(attach([a1], vpcId, 'tgw-00000000000000000'))).toMatchObject({
      name: 'InvalidTransitGatewayID.NotFound',
      message: 'Transit Gateway tgw-00000000000000000 was deleted or does not exist.',
    });
    const { TransitGatewayVpcAttachment } = await network.send(
      new CreateTransitGatewayVpcAttachmentCommand({
        TransitGatewayId: tgw,
        VpcId: vpcId,
        SubnetIds: [a1, b1],
        TagSpecifications: [{ ResourceType: 'transit-gateway-attachment', Tags: [{ Key: 'Name', Value: 'lab' }] }],
      }),
    );
    const attachment = TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string;
    expect(TransitGatewayVpcAttachment).toMatchObject({
      TransitGatewayAttachmentId: expect.stringMatching(/^tgw-attach-[0-9a-f]{17}$/),
      TransitGatewayId: tgw,
      VpcId: vpcId,
      VpcOwnerId: sb.accountId('network'),
      State: 'available',
      SubnetIds: [a1, b1],
      Options: {
        DnsSupport: 'enable',
        SecurityGroupReferencingSupport: 'enable',
        Ipv6Support: 'disable',
        ApplianceModeSupport: 'disable',
      },
      Tags: [{ Key: 'Name', Value: 'lab' }],
    });
    expect(await errorOf(attach([a1]))).toMatchObject({
      name: 'DuplicateTransitGatewayAttachment',
      message: `${tgw} has non-deleted Transit Gateway Attachments with same VPC ID.`,
    });
    expect(await errorOf(network.send(new DeleteTransitGatewayCommand({ TransitGatewayId: tgw })))).toMatchObject({
      name: 'IncorrectState',
      message: `${tgw} has non-deleted VPC Attachments: ${attachment}.`,
    });
    expect(await errorOf(network.send(new DeleteSubnetCommand({ SubnetId: a1 })))).toMatchObject({
      name: 'DependencyViolation',
      message: `The subnet '${a1}' has dependencies and cannot be deleted.`,
    });

    const main = (await tablesOf(network, vpcId))[0]?.RouteTableId as string;
    await network.send(
      new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '10.0.0.0/8', TransitGatewayId: tgw }),
    );
    const filtered = await network.send(
      new DescribeTransitGatewayVpcAttachmentsCommand({
        Filters: [
          { Name: 'transit-gateway-id', Values: [tgw] },
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    );
    expect(filtered.TransitGatewayVpcAttachments?.map((a) => a.TransitGatewayAttachmentId)).toEqual([attachment]);
    const byTag = await network.send(
      new DescribeTransitGatewaysCommand({ Filters: [{ Name: 'tag:Name', Values: ['lab-tgw'] }] }),
    );
    expect(byTag.TransitGateways?.map((g) => g.TransitGatewayId)).toEqual([tgw]);

    const deleted = await network.send(
      new DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment }),
    );
    expect(deleted.TransitGatewayVpcAttachment).toMatchObject({
      TransitGatewayAttachmentId: attachment,
      State: 'deleting',
    });
    expect(
      await errorOf(
        network.send(new DescribeTransitGatewayVpcAttachmentsCommand({ TransitGatewayAttachmentIds: [attachment] })),
      ),
    ).toMatchObject({
      name: 'InvalidTransitGatewayAttachmentID.NotFound',
      message: `Transit Gateway Attachment ${attachment} was deleted or does not exist.`,
    });
    // the route stays, with nowhere to go
    const [table] = (await network.send(new DescribeRouteTablesCommand({ RouteTableIds: [main] }))).RouteTables ?? [];
    expect(table?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: '10.0.0.0/8',
      TransitGatewayId: tgw,
      State: 'blackhole',
    });
    const blackholes = await network.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.state', Values: ['blackhole'] }] }),
    );
    expect(blackholes.RouteTables?.map((t) => t.RouteTableId)).toEqual([main]);

    const gone = await network.send(new DeleteTransitGatewayCommand({ TransitGatewayId: tgw }));
    expect(gone.TransitGateway).toMatchObject({ TransitGatewayId: tgw, State: 'deleting' });
    expect(await errorOf(network.send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] })))).toMatchObject(
      {
        name: 'InvalidTransitGatewayID.NotFound',
        message: `Transit Gateway ${tgw} was deleted or does not exist.`,
      },
    );
  });

  it("attaches a workload account's VPC to the network account's seeded transit gateway and routes to it", async () => {
    const seen = await workload.send(
      new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] }),
    );
    // shared with the organization: the workload sees it, without the owner's tags (RAM does not share them)
    expect(seen.TransitGateways).toEqual([
      expect.objectContaining({
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        OwnerId: sb.accountId('network'),
        State: 'available',
        Options: expect.objectContaining({ AutoAcceptSharedAttachments: 'enable' }),
        Tags: [],
      }),
    ]);
    // the CDK app's network stack makes a gateway of its own: the seeded one, by its id
    const owned = await network.send(
      new DescribeTransitGatewaysCommand({
        TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID],
        Filters: [{ Name: 'owner-id', Values: [sb.accountId('network')] }],
      }),
    );
    expect(owned.TransitGateways).toEqual([
      expect.objectContaining({
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        Tags: [{ Key: 'Name', Value: 'vendguard-tgw' }],
      }),
    ]);

    const vpcId = await newVpc(workload, '10.64.0.0/20');
    const transitA = await newSubnet(workload, vpcId, '10.64.15.0/28', 'eu-west-1a');
    const transitB = await newSubnet(workload, vpcId, '10.64.15.16/28', 'eu-west-1b');
    const rtb = (await workload.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    const toTgw = new CreateRouteCommand({
      RouteTableId: rtb,
      DestinationCidrBlock: '0.0.0.0/0',
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    });
    expect(await errorOf(workload.send(toTgw))).toMatchObject({
      name: 'InvalidTransitGatewayID.NotFound',
      message: `The transitGateway ID '${SANDBOX_TRANSIT_GATEWAY_ID}' does not exist.`,
    });

    const { TransitGatewayVpcAttachment } = await workload.send(
      new CreateTransitGatewayVpcAttachmentCommand({
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        VpcId: vpcId,
        SubnetIds: [transitA, transitB],
      }),
    );
    const attachment = TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string;
    expect(TransitGatewayVpcAttachment).toMatchObject({ VpcOwnerId: workloadAccount, State: 'available' });
    await workload.send(toTgw);
    const [table] = (await workload.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables ?? [];
    expect(table?.Routes?.[1]).toEqual({
      DestinationCidrBlock: '0.0.0.0/0',
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      Origin: 'CreateRoute',
      State: 'active',
    });
    const byTgw = await workload.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route.transit-gateway-id', Values: [SANDBOX_TRANSIT_GATEWAY_ID] }],
      }),
    );
    expect(byTgw.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);

    // the gateway's owner sees the attachment to its gateway, and may not delete the gateway under it
    const ownerView = await network.send(
      new DescribeTransitGatewayVpcAttachmentsCommand({
        Filters: [{ Name: 'transit-gateway-id', Values: [SANDBOX_TRANSIT_GATEWAY_ID] }],
      }),
    );
    expect(ownerView.TransitGatewayVpcAttachments).toEqual([
      expect.objectContaining({ TransitGatewayAttachmentId: attachment, VpcId: vpcId, VpcOwnerId: workloadAccount }),
    ]);
    expect(
      await errorOf(network.send(new DeleteTransitGatewayCommand({ TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID }))),
    ).toMatchObject({ name: 'IncorrectState' });
    expect(
      await errorOf(workload.send(new DeleteTransitGatewayCommand({ TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID }))),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
    // another account's VPC is not the owner's to attach or route
    expect(
      await errorOf(
        network.send(
          new CreateTransitGatewayVpcAttachmentCommand({
            TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
            VpcId: vpcId,
            SubnetIds: [transitA],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidVpcID.NotFound' });

    await network.send(new DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment }));
    const left = await workload.send(new DescribeTransitGatewayVpcAttachmentsCommand({}));
    expect(left.TransitGatewayVpcAttachments).toEqual([]);
  });

  it('refuses to delete a VPC while route tables, subnets or attachments remain, and takes its main route table with it', async () => {
    const vpcId = await newVpc(workload, '10.65.0.0/20');
    const subnet = await newSubnet(workload, vpcId, '10.65.1.0/28');
    const rtb = (await workload.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    const attachment = (
      await workload.send(
        new CreateTransitGatewayVpcAttachmentCommand({
          TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
          VpcId: vpcId,
          SubnetIds: [subnet],
        }),
      )
    ).TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string;
    const dependencies = {
      name: 'DependencyViolation',
      message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
    };

    expect(await errorOf(workload.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject(dependencies);
    await workload.send(new DeleteRouteTableCommand({ RouteTableId: rtb }));
    expect(await errorOf(workload.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject(dependencies);
    await workload.send(new DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment }));
    expect(await errorOf(workload.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject(dependencies);
    await workload.send(new DeleteSubnetCommand({ SubnetId: subnet }));
    await workload.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect(await tablesOf(workload, vpcId)).toEqual([]);
  });

  it('names route tables and transit gateways by their ARNs for IAM, a shared gateway by its owner', () => {
    const state = new Ec2State(sb.runtime);
    const ctx = (operation: string) => ({
      service: 'ec2',
      operation,
      region: 'eu-west-1',
      principal: { ...sb.runtime.hubPrincipal, accountId: workloadAccount },
      requestId: 'r',
      sourceIp: '127.0.0.1',
      userAgent: 'jest',
      runtime: sb.runtime,
    });
    const arn = (account: string, resource: string) => `arn:aws:ec2:eu-west-1:${account}:${resource}`;
    expect(
      ec2Authorization(
        state,
        'CreateRoute',
        { RouteTableId: 'rtb-0123', DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID },
        ctx('CreateRoute'),
      ).resources,
    ).toEqual([
      arn(workloadAccount, 'route-table/rtb-0123'),
      arn(sb.accountId('network'), `transit-gateway/${SANDBOX_TRANSIT_GATEWAY_ID}`),
    ]);
    expect(
      ec2Authorization(
        state,
        'CreateTransitGatewayVpcAttachment',
        { TransitGatewayId: 'tgw-0fff', VpcId: 'vpc-0123', SubnetIds: ['subnet-0a', 'subnet-0b'] },
        ctx('CreateTransitGatewayVpcAttachment'),
      ).resources,
    ).toEqual([
      arn(workloadAccount, 'transit-gateway-attachment/*'),
      arn(workloadAccount, 'vpc/vpc-0123'),
      arn(workloadAccount, 'transit-gateway/tgw-0fff'),
      arn(workloadAccount, 'subnet/subnet-0a'),
      arn(workloadAccount, 'subnet/subnet-0b'),
    ]);
  });
});
