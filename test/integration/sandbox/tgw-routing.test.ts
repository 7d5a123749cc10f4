import {
  AssociateTransitGatewayRouteTableCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteCommand,
  CreateTransitGatewayRouteTableCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  DeleteTransitGatewayCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteTransitGatewayRouteTableCommand,
  DeleteTransitGatewayVpcAttachmentCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcsCommand,
  DisableTransitGatewayRouteTablePropagationCommand,
  DisassociateTransitGatewayRouteTableCommand,
  EC2Client,
  EnableTransitGatewayRouteTablePropagationCommand,
  type Filter,
  GetTransitGatewayRouteTableAssociationsCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  ReplaceTransitGatewayRouteCommand,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import { ec2Authorization } from '../../../sandbox/services/ec2/authorization';
import { Ec2State } from '../../../sandbox/services/ec2/state';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../sandbox/services/ec2/transit-gateways';
import { putRole } from '../../../sandbox/services/iam/model';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * Transit gateway route tables through the SDK, as vendguard's network is meant to be wired: the
 * network account's gateway (default association and propagation off), a prod, a dev and an egress
 * route table; prod and dev reach only the egress VPC (a static default route), the egress table
 * learns both by propagation, and prod has no route that leads to dev.
 */

const PROD_CIDR = '10.1.0.0/16';
const DEV_CIDR = '10.2.0.0/16';
const EGRESS_CIDR = '10.100.0.0/16';

let sb: TestSandbox;
let network: EC2Client;
let prod: EC2Client;
let dev: EC2Client;
let egress: EC2Client;
/** The attachments of the prod, dev and egress VPCs, and those VPCs. */
const at = { prod: '', dev: '', egress: '' };
const vpc = { prod: '', dev: '', egress: '' };
/** The route tables the network account makes. */
const rtb = { prod: '', dev: '', egress: '' };

type SdkError = Error & { $metadata: { httpStatusCode?: number } };
const errorOf = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: SdkError) => e,
  );

/** A VPC (the given one, or a new one of `cidr`) with one subnet, attached to the seeded gateway. */
async function attach(client: EC2Client, cidr: string, existingVpc?: string): Promise<{ vpcId: string; id: string }> {
  const vpcId = existingVpc ?? ((await client.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc?.VpcId as string);
  const subnet = cidr.replace(/\.0\.0\/16$/, '.255.0/28');
  const { Subnet } = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: subnet, AvailabilityZone: 'eu-west-1a' }),
  );
  const { TransitGatewayVpcAttachment } = await client.send(
    new CreateTransitGatewayVpcAttachmentCommand({
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      VpcId: vpcId,
      SubnetIds: [Subnet?.SubnetId as string],
    }),
  );
  return { vpcId, id: TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string };
}

async function newTable(name: string): Promise<string> {
  const { TransitGatewayRouteTable } = await network.send(
    new CreateTransitGatewayRouteTableCommand({
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      TagSpecifications: [{ ResourceType: 'transit-gateway-route-table', Tags: [{ Key: 'Name', Value: name }] }],
    }),
  );
  return TransitGatewayRouteTable?.TransitGatewayRouteTableId as string;
}

const search = async (table: string, filters: Filter[]) =>
  (await network.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: table, Filters: filters })))
    .Routes ?? [];

/** A route as SearchTransitGatewayRoutes answers it, to a VPC attachment. */
const toVpc = (destination: string, attachment: string, vpcId: string, type = 'static') => ({
  DestinationCidrBlock: destination,
  TransitGatewayAttachments: [{ ResourceId: vpcId, TransitGatewayAttachmentId: attachment, ResourceType: 'vpc' }],
  Type: type,
  State: 'active',
});

beforeAll(async () => {
  // the sandbox's own transit gateway and its share, egress VPC and bastion SSH group
  sb = await startTestSandbox({ seedNetwork: true });
  network = sb.client(EC2Client, { accountId: sb.accountId('network'), role: 'Developer' });
  egress = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
  const [prodAccount, devAccount] = await Promise.all([
    createAccountIn(sb, 'tgw-prod', 'Workloads/Prod'),
    createAccountIn(sb, 'tgw-dev', 'Workloads/Dev'),
  ]);
  prod = sb.client(EC2Client, { accountId: prodAccount, role: 'Developer' });
  dev = sb.client(EC2Client, { accountId: devAccount, role: 'Developer' });

  const egressVpc = (
    await egress.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['vendguard-egress'] }] }))
  ).Vpcs?.[0]?.VpcId as string;
  const attached = await Promise.all([
    attach(prod, PROD_CIDR),
    attach(dev, DEV_CIDR),
    attach(egress, EGRESS_CIDR, egressVpc),
  ]);
  [at.prod, at.dev, at.egress] = attached.map((a) => a.id) as [string, string, string];
  [vpc.prod, vpc.dev, vpc.egress] = attached.map((a) => a.vpcId) as [string, string, string];

  [rtb.prod, rtb.dev, rtb.egress] = await Promise.all([newTable('prod'), newTable('dev'), newTable('egress')]);
  for (const [table, attachment] of [
    [rtb.prod, at.prod],
    [rtb.dev, at.dev],
    [rtb.egress, at.egress],
  ] as const) {
    await network.send(
      new AssociateTransitGatewayRouteTableCommand({
        TransitGatewayRouteTableId: table,
        TransitGatewayAttachmentId: attachment,
      }),
    );
  }
  for (const attachment of [at.prod, at.dev]) {
    await network.send(
      new EnableTransitGatewayRouteTablePropagationCommand({
        TransitGatewayRouteTableId: rtb.egress,
        TransitGatewayAttachmentId: attachment,
      }),
    );
  }
  for (const table of [rtb.prod, rtb.dev]) {
    await network.send(
      new CreateTransitGatewayRouteCommand({
        TransitGatewayRouteTableId: table,
        DestinationCidrBlock: '0.0.0.0/0',
        TransitGatewayAttachmentId: at.egress,
      }),
    );
  }
}, 30_000);
afterAll(() => sb?.stop());

describe('the organization transit gateway, routed by environment', () => {
  it('has no default route table: nothing is associated or propagated until the network account says so', async () => {
    const { TransitGateways } = await network.send(
      new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] }),
    );
    const options = TransitGateways?.[0]?.Options;
    expect(options).toMatchObject({ DefaultRouteTableAssociation: 'disable', DefaultRouteTablePropagation: 'disable' });
    expect(options?.AssociationDefaultRouteTableId).toBeUndefined();
    expect(options?.PropagationDefaultRouteTableId).toBeUndefined();

    const { TransitGatewayRouteTables } = await network.send(
      new DescribeTransitGatewayRouteTablesCommand({
        Filters: [{ Name: 'transit-gateway-id', Values: [SANDBOX_TRANSIT_GATEWAY_ID] }],
      }),
    );
    expect(TransitGatewayRouteTables?.map((t) => t.TransitGatewayRouteTableId).sort()).toEqual(
      [rtb.prod, rtb.dev, rtb.egress].sort(),
    );
    expect(TransitGatewayRouteTables?.find((t) => t.TransitGatewayRouteTableId === rtb.prod)).toEqual({
      TransitGatewayRouteTableId: expect.stringMatching(/^tgw-rtb-[0-9a-f]{17}$/),
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      State: 'available',
      DefaultAssociationRouteTable: false,
      DefaultPropagationRouteTable: false,
      CreationTime: expect.any(Date),
      Tags: [{ Key: 'Name', Value: 'prod' }],
    });
    const byTag = await network.send(
      new DescribeTransitGatewayRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['egress'] }] }),
    );
    expect(byTag.TransitGatewayRouteTables?.map((t) => t.TransitGatewayRouteTableId)).toEqual([rtb.egress]);
    const defaults = await network.send(
      new DescribeTransitGatewayRouteTablesCommand({
        Filters: [{ Name: 'default-association-route-table', Values: ['true'] }],
      }),
    );
    expect(defaults.TransitGatewayRouteTables).toEqual([]);
  });

  it('routes prod and dev only to the egress VPC, and never to each other', async () => {
    expect(await search(rtb.prod, [{ Name: 'state', Values: ['active', 'blackhole'] }])).toEqual([
      toVpc('0.0.0.0/0', at.egress, vpc.egress),
    ]);
    // the route traffic from prod to dev's block (or to an address in it) takes: the default route to egress
    for (const value of [DEV_CIDR, '10.2.3.4']) {
      expect(await search(rtb.prod, [{ Name: 'route-search.longest-prefix-match', Values: [value] }])).toEqual([
        toVpc('0.0.0.0/0', at.egress, vpc.egress),
      ]);
    }
    // isolation: no route in prod's table covers dev's block and leads to dev's attachment, nor the reverse
    const toDev = await search(rtb.prod, [{ Name: 'route-search.supernet-of-match', Values: [DEV_CIDR] }]);
    expect(toDev.flatMap((r) => r.TransitGatewayAttachments ?? []).map((a) => a.TransitGatewayAttachmentId)).toEqual([
      at.egress,
    ]);
    expect(await search(rtb.prod, [{ Name: 'attachment.transit-gateway-attachment-id', Values: [at.dev] }])).toEqual(
      [],
    );
    expect(await search(rtb.prod, [{ Name: 'route-search.subnet-of-match', Values: [DEV_CIDR] }])).toEqual([]);
    expect(await search(rtb.dev, [{ Name: 'route-search.longest-prefix-match', Values: [PROD_CIDR] }])).toEqual([
      toVpc('0.0.0.0/0', at.egress, vpc.egress),
    ]);

    // the search is not blind: were dev propagated into prod's table, prod would reach dev directly
    const link = { TransitGatewayRouteTableId: rtb.prod, TransitGatewayAttachmentId: at.dev };
    await network.send(new EnableTransitGatewayRouteTablePropagationCommand(link));
    expect(await search(rtb.prod, [{ Name: 'route-search.longest-prefix-match', Values: ['10.2.3.4'] }])).toEqual([
      toVpc(DEV_CIDR, at.dev, vpc.dev, 'propagated'),
    ]);
    await network.send(new DisableTransitGatewayRouteTablePropagationCommand(link));

    // the egress table learnt both environments by propagation, and nothing else
    expect(await search(rtb.egress, [{ Name: 'type', Values: ['propagated'] }])).toEqual([
      toVpc(PROD_CIDR, at.prod, vpc.prod, 'propagated'),
      toVpc(DEV_CIDR, at.dev, vpc.dev, 'propagated'),
    ]);
    expect(await search(rtb.egress, [{ Name: 'type', Values: ['static'] }])).toEqual([]);
    expect(await search(rtb.egress, [{ Name: 'route-search.exact-match', Values: [DEV_CIDR] }])).toEqual([
      toVpc(DEV_CIDR, at.dev, vpc.dev, 'propagated'),
    ]);
  });

  it('lists the associations and propagations of a table', async () => {
    const associations = await network.send(
      new GetTransitGatewayRouteTableAssociationsCommand({ TransitGatewayRouteTableId: rtb.prod }),
    );
    expect(associations.Associations).toEqual([
      { TransitGatewayAttachmentId: at.prod, ResourceId: vpc.prod, ResourceType: 'vpc', State: 'associated' },
    ]);
    const link = { TransitGatewayRouteTableId: rtb.prod, TransitGatewayAttachmentId: at.prod };
    const { Association } = await network.send(new DisassociateTransitGatewayRouteTableCommand(link));
    expect(Association).toEqual({ ...link, ResourceId: vpc.prod, ResourceType: 'vpc', State: 'disassociating' });
    expect(await errorOf(network.send(new DisassociateTransitGatewayRouteTableCommand(link)))).toMatchObject({
      name: 'InvalidParameterValue',
      message: `Transit Gateway Attachment ${at.prod} is not associated with route table ${rtb.prod}.`,
    });
    const again = await network.send(new AssociateTransitGatewayRouteTableCommand(link));
    expect(again.Association).toEqual({ ...link, ResourceId: vpc.prod, ResourceType: 'vpc', State: 'associating' });

    const propagations = await network.send(
      new GetTransitGatewayRouteTablePropagationsCommand({
        TransitGatewayRouteTableId: rtb.egress,
        Filters: [{ Name: 'resource-type', Values: ['vpc'] }],
      }),
    );
    expect(propagations.TransitGatewayRouteTablePropagations).toEqual([
      { TransitGatewayAttachmentId: at.prod, ResourceId: vpc.prod, ResourceType: 'vpc', State: 'enabled' },
      { TransitGatewayAttachmentId: at.dev, ResourceId: vpc.dev, ResourceType: 'vpc', State: 'enabled' },
    ]);
    const one = await network.send(
      new GetTransitGatewayRouteTablePropagationsCommand({
        TransitGatewayRouteTableId: rtb.egress,
        Filters: [{ Name: 'transit-gateway-attachment-id', Values: [at.dev] }],
      }),
    );
    expect(one.TransitGatewayRouteTablePropagations?.map((p) => p.ResourceId)).toEqual([vpc.dev]);
  });

  it('answers with the errors AWS answers', async () => {
    const cases: [Promise<unknown>, { name: string; message: string }][] = [
      [
        network.send(
          new AssociateTransitGatewayRouteTableCommand({
            TransitGatewayRouteTableId: rtb.dev,
            TransitGatewayAttachmentId: at.prod,
          }),
        ),
        {
          name: 'Resource.AlreadyAssociated',
          message: `Transit Gateway Attachment ${at.prod} is already associated to a route table.`,
        },
      ],
      [
        network.send(new DeleteTransitGatewayRouteTableCommand({ TransitGatewayRouteTableId: rtb.prod })),
        { name: 'IncorrectState', message: `${rtb.prod} has associated attachments` },
      ],
      [
        network.send(
          new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: ['tgw-rtb-00000000000000000'] }),
        ),
        {
          name: 'InvalidRouteTableID.NotFound',
          message: 'Transit Gateway Route Table tgw-rtb-00000000000000000 was deleted or does not exist.',
        },
      ],
      [
        network.send(
          new AssociateTransitGatewayRouteTableCommand({
            TransitGatewayRouteTableId: rtb.dev,
            TransitGatewayAttachmentId: 'tgw-attach-00000000000000000',
          }),
        ),
        {
          name: 'InvalidTransitGatewayAttachmentID.NotFound',
          message: 'Transit Gateway Attachment tgw-attach-00000000000000000 was deleted or does not exist.',
        },
      ],
      [
        network.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: 'tgw-00000000000000000' })),
        {
          name: 'InvalidTransitGatewayID.NotFound',
          message: 'Transit Gateway tgw-00000000000000000 was deleted or does not exist.',
        },
      ],
      [
        network.send(
          new EnableTransitGatewayRouteTablePropagationCommand({
            TransitGatewayRouteTableId: rtb.egress,
            TransitGatewayAttachmentId: at.dev,
          }),
        ),
        {
          name: 'TransitGatewayRouteTablePropagation.Duplicate',
          message: `Propagation ${at.dev} already exists in Transit Gateway Route Table ${rtb.egress}.`,
        },
      ],
      [
        network.send(
          new CreateTransitGatewayRouteCommand({
            TransitGatewayRouteTableId: rtb.prod,
            DestinationCidrBlock: '0.0.0.0/0',
            Blackhole: true,
          }),
        ),
        {
          name: 'RouteAlreadyExists',
          message: `Route 0.0.0.0/0 already exists in Transit Gateway Route Table ${rtb.prod}.`,
        },
      ],
      [
        network.send(
          new DeleteTransitGatewayRouteCommand({
            TransitGatewayRouteTableId: rtb.egress,
            DestinationCidrBlock: DEV_CIDR,
          }),
        ),
        {
          name: 'InvalidRoute.NotFound',
          message: `The route ${DEV_CIDR} does not exist in Transit Gateway Route Table ${rtb.egress}.`,
        },
      ],
      [
        network.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: rtb.prod, Filters: [] })),
        { name: 'MissingParameter', message: 'The request must contain the parameter Filter' },
      ],
      [
        search(rtb.prod, [{ Name: 'route-search.colour', Values: ['red'] }]),
        { name: 'InvalidParameterValue', message: "The filter 'route-search.colour' is invalid" },
      ],
    ];
    for (const [call, expected] of cases) {
      expect(await errorOf(call)).toMatchObject({ ...expected, $metadata: { httpStatusCode: 400 } });
    }
  });

  it("keeps the route tables the gateway owner's: another account of the organization finds none", async () => {
    expect(
      await errorOf(
        prod.send(new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: [rtb.prod] })),
      ),
    ).toMatchObject({ name: 'InvalidRouteTableID.NotFound' });
    expect((await prod.send(new DescribeTransitGatewayRouteTablesCommand({}))).TransitGatewayRouteTables).toEqual([]);
    expect(
      await errorOf(
        prod.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID })),
      ),
    ).toMatchObject({
      name: 'InvalidTransitGatewayID.NotFound',
      message: `Transit Gateway ${SANDBOX_TRANSIT_GATEWAY_ID} was deleted or does not exist.`,
    });
    expect(
      await errorOf(
        prod.send(
          new AssociateTransitGatewayRouteTableCommand({
            TransitGatewayRouteTableId: rtb.dev,
            TransitGatewayAttachmentId: at.prod,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidRouteTableID.NotFound' });
  });

  it('lets a static route override a propagated one, replaces and deletes routes', async () => {
    const exact = [{ Name: 'route-search.exact-match', Values: [PROD_CIDR] }];
    const { Route } = await network.send(
      new CreateTransitGatewayRouteCommand({
        TransitGatewayRouteTableId: rtb.egress,
        DestinationCidrBlock: PROD_CIDR,
        Blackhole: true,
      }),
    );
    expect(Route).toEqual({ DestinationCidrBlock: PROD_CIDR, Type: 'static', State: 'blackhole' });
    expect(await search(rtb.egress, exact)).toEqual([Route]);

    const replaced = await network.send(
      new ReplaceTransitGatewayRouteCommand({
        TransitGatewayRouteTableId: rtb.egress,
        DestinationCidrBlock: PROD_CIDR,
        TransitGatewayAttachmentId: at.prod,
      }),
    );
    expect(replaced.Route).toEqual(toVpc(PROD_CIDR, at.prod, vpc.prod));
    const deleted = await network.send(
      new DeleteTransitGatewayRouteCommand({ TransitGatewayRouteTableId: rtb.egress, DestinationCidrBlock: PROD_CIDR }),
    );
    expect(deleted.Route).toMatchObject({ DestinationCidrBlock: PROD_CIDR, Type: 'static', State: 'deleted' });
    // the propagated route is back
    expect(await search(rtb.egress, exact)).toEqual([toVpc(PROD_CIDR, at.prod, vpc.prod, 'propagated')]);

    await network.send(
      new DisableTransitGatewayRouteTablePropagationCommand({
        TransitGatewayRouteTableId: rtb.egress,
        TransitGatewayAttachmentId: at.prod,
      }),
    );
    expect(await search(rtb.egress, exact)).toEqual([]);
    await network.send(
      new EnableTransitGatewayRouteTablePropagationCommand({
        TransitGatewayRouteTableId: rtb.egress,
        TransitGatewayAttachmentId: at.prod,
      }),
    );
  });

  it('takes a deleted attachment out of every table: association and propagation go, static routes to it turn blackhole', async () => {
    // a more specific static route to dev, beside the propagated one
    await network.send(
      new CreateTransitGatewayRouteCommand({
        TransitGatewayRouteTableId: rtb.egress,
        DestinationCidrBlock: '10.2.128.0/17',
        TransitGatewayAttachmentId: at.dev,
      }),
    );
    await dev.send(new DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: at.dev }));

    const associations = await network.send(
      new GetTransitGatewayRouteTableAssociationsCommand({ TransitGatewayRouteTableId: rtb.dev }),
    );
    expect(associations.Associations).toEqual([]);
    const propagations = await network.send(
      new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: rtb.egress }),
    );
    expect(propagations.TransitGatewayRouteTablePropagations?.map((p) => p.TransitGatewayAttachmentId)).toEqual([
      at.prod,
    ]);
    expect(await search(rtb.egress, [{ Name: 'route-search.subnet-of-match', Values: [DEV_CIDR] }])).toEqual([
      { DestinationCidrBlock: '10.2.128.0/17', Type: 'static', State: 'blackhole' },
    ]);

    // with no association left, the dev table may go; its routes go with it
    const gone = await network.send(new DeleteTransitGatewayRouteTableCommand({ TransitGatewayRouteTableId: rtb.dev }));
    expect(gone.TransitGatewayRouteTable).toMatchObject({ TransitGatewayRouteTableId: rtb.dev, State: 'deleting' });
    expect(
      await errorOf(
        network.send(new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: [rtb.dev] })),
      ),
    ).toMatchObject({ name: 'InvalidRouteTableID.NotFound' });
  });
});

describe('a transit gateway with AWS default routing', () => {
  it('gets a default route table that every new attachment is associated with and propagates into', async () => {
    const { TransitGateway } = await network.send(new CreateTransitGatewayCommand({ Description: 'defaults' }));
    const tgw = TransitGateway?.TransitGatewayId as string;
    const table = TransitGateway?.Options?.AssociationDefaultRouteTableId as string;
    expect(table).toMatch(/^tgw-rtb-[0-9a-f]{17}$/);
    expect(TransitGateway?.Options).toMatchObject({
      DefaultRouteTableAssociation: 'enable',
      DefaultRouteTablePropagation: 'enable',
      PropagationDefaultRouteTableId: table,
    });
    const [described] =
      (
        await network.send(
          new DescribeTransitGatewayRouteTablesCommand({
            Filters: [
              { Name: 'transit-gateway-id', Values: [tgw] },
              { Name: 'default-association-route-table', Values: ['true'] },
            ],
          }),
        )
      ).TransitGatewayRouteTables ?? [];
    expect(described).toMatchObject({
      TransitGatewayRouteTableId: table,
      DefaultAssociationRouteTable: true,
      DefaultPropagationRouteTable: true,
    });

    const vpcId = (await network.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId as string;
    const subnet = (
      await network.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.0.0/28', AvailabilityZone: 'eu-west-1a' }),
      )
    ).Subnet?.SubnetId as string;
    const attachment = (
      await network.send(
        new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgw, VpcId: vpcId, SubnetIds: [subnet] }),
      )
    ).TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string;
    const associations = await network.send(
      new GetTransitGatewayRouteTableAssociationsCommand({ TransitGatewayRouteTableId: table }),
    );
    expect(associations.Associations?.map((a) => a.TransitGatewayAttachmentId)).toEqual([attachment]);
    expect(await search(table, [{ Name: 'type', Values: ['propagated'] }])).toEqual([
      toVpc('10.30.0.0/16', attachment, vpcId, 'propagated'),
    ]);
    // another gateway's attachment is not this table's to route to
    expect(
      await errorOf(
        network.send(
          new CreateTransitGatewayRouteCommand({
            TransitGatewayRouteTableId: table,
            DestinationCidrBlock: '0.0.0.0/0',
            TransitGatewayAttachmentId: at.egress,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidTransitGatewayAttachmentID.NotFound' });

    expect(
      await errorOf(network.send(new DeleteTransitGatewayRouteTableCommand({ TransitGatewayRouteTableId: table }))),
    ).toMatchObject({
      name: 'IncorrectState',
      message: `${table} is set as default association route table for ${tgw}`,
    });
    await network.send(new DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment }));
    await network.send(new DeleteTransitGatewayCommand({ TransitGatewayId: tgw }));
    expect(
      await errorOf(
        network.send(new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: [table] })),
      ),
    ).toMatchObject({ name: 'InvalidRouteTableID.NotFound' });
  });
});

describe('authorization of the route table calls', () => {
  it('names the route table, its gateway and the attachment by the ARNs the Service Authorization Reference lists', () => {
    const state = new Ec2State(sb.runtime);
    const owner = sb.accountId('network');
    const ctx = (operation: string) => ({
      service: 'ec2',
      operation,
      region: 'eu-west-1',
      principal: { ...sb.runtime.hubPrincipal, accountId: owner },
      requestId: 'r',
      sourceIp: '127.0.0.1',
      userAgent: 'jest',
      runtime: sb.runtime,
    });
    const arn = (resource: string) => `arn:aws:ec2:eu-west-1:${owner}:${resource}`;
    const resources = (operation: string, input: Record<string, unknown>) =>
      ec2Authorization(state, operation, input, ctx(operation)).resources;
    expect(
      resources('CreateTransitGatewayRouteTable', {
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        TagSpecifications: [{ ResourceType: 'transit-gateway-route-table', Tag: [{ Key: 'env', Value: 'prod' }] }],
      }),
    ).toEqual([arn('transit-gateway-route-table/*'), arn(`transit-gateway/${SANDBOX_TRANSIT_GATEWAY_ID}`)]);
    expect(
      ec2Authorization(
        state,
        'CreateTransitGatewayRouteTable',
        { TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID, TagSpecifications: [{ Tag: [{ Key: 'env', Value: 'prod' }] }] },
        ctx('CreateTransitGatewayRouteTable'),
      ).context,
    ).toMatchObject({ 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['env'] });
    expect(
      resources('AssociateTransitGatewayRouteTable', {
        TransitGatewayRouteTableId: rtb.prod,
        TransitGatewayAttachmentId: at.prod,
      }),
    ).toEqual([arn(`transit-gateway-route-table/${rtb.prod}`), arn(`transit-gateway-attachment/${at.prod}`)]);
    // the route table's own tags are the call's aws:ResourceTag
    expect(
      ec2Authorization(
        state,
        'SearchTransitGatewayRoutes',
        { TransitGatewayRouteTableId: rtb.egress },
        ctx('SearchTransitGatewayRoutes'),
      ),
    ).toEqual({
      resources: [arn(`transit-gateway-route-table/${rtb.egress}`)],
      context: { 'aws:ResourceTag/Name': 'egress' },
    });
    expect(
      ec2Authorization(
        state,
        'GetTransitGatewayRouteTableAssociations',
        { TransitGatewayRouteTableId: rtb.prod },
        ctx('GetTransitGatewayRouteTableAssociations'),
      ),
    ).toEqual({});
  });

  it('lets a role search only the route tables its policy names', async () => {
    const owner = sb.accountId('network');
    putRole(sb.runtime.store, sb.runtime.clock, owner, {
      roleName: 'EgressRoutesReader',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${owner}:root` }, Action: 'sts:AssumeRole' }],
      },
      inlinePolicies: {
        search: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ec2:SearchTransitGatewayRoutes',
              Resource: `arn:aws:ec2:eu-west-1:${owner}:transit-gateway-route-table/*`,
              Condition: { StringEquals: { 'aws:ResourceTag/Name': 'egress' } },
            },
          ],
        },
      },
    });
    const reader = sb.client(EC2Client, { accountId: owner, role: 'EgressRoutesReader' });
    const filters = [{ Name: 'type', Values: ['propagated'] }];
    const seen = await reader.send(
      new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: rtb.egress, Filters: filters }),
    );
    expect(seen.Routes?.map((r) => r.DestinationCidrBlock)).toEqual([PROD_CIDR]);
    const unauthorized = { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } };
    expect(
      await errorOf(
        reader.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: rtb.prod, Filters: filters })),
      ),
    ).toMatchObject(unauthorized);
    expect(
      await errorOf(
        reader.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID })),
      ),
    ).toMatchObject(unauthorized);
  });
});
