import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../sandbox/services/ec2/transit-gateways';
import {
  type AwsCli as Cli,
  type CliResult,
  errorLine,
  installedAwsClis,
  runAws,
  sessionEnv,
} from '../../helpers/aws-cli';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * Route tables, routes and transit gateways through every `aws` on the PATH (v1 and v2, with
 * `--endpoint-url`): what the CLI prints for them, and its error line for AWS's codes.
 */

const clis: Cli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;
let network: EC2Client;
let networkEnv: Record<string, string>;
let workloadAccount: string;

beforeAll(async () => {
  // the sandbox's own transit gateway and its share, egress VPC and bastion SSH group
  sb = await startTestSandbox({ seedNetwork: true });
  network = sb.client(EC2Client, { accountId: sb.accountId('network'), role: 'Developer' });
  networkEnv = sessionEnv(sb.credentials({ accountId: sb.accountId('network'), role: 'Developer' }));
  workloadAccount = await createAccountIn(sb, 'routing-cli', 'Workloads/Dev');
}, 30_000);
afterAll(() => sb?.stop());

const aws = (cli: Cli, args: string[], env: Record<string, string> = networkEnv): Promise<CliResult> =>
  runAws(cli.path, sb.endpoint, args, env);
const json = (out: CliResult) => {
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(out.stdout);
};

describeClis('$path (v$major)', (cli) => {
  const octet = 20 + clis.indexOf(cli);

  it('describe-route-tables: the main route table of the default VPC, and InvalidRouteTableID.NotFound', async () => {
    const defaultVpc = (
      await network.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))
    ).Vpcs?.[0]?.VpcId as string;
    const [tables, missing] = await Promise.all([
      aws(cli, ['ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${defaultVpc}`]),
      aws(cli, ['ec2', 'describe-route-tables', '--route-table-ids', 'rtb-00000000000000000']),
    ]);
    const [table] = json(tables).RouteTables;
    expect(table).toMatchObject({
      VpcId: defaultVpc,
      OwnerId: sb.accountId('network'),
      Routes: [
        { DestinationCidrBlock: '172.31.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      ],
      Associations: [{ Main: true, RouteTableId: table.RouteTableId, AssociationState: { State: 'associated' } }],
    });
    expect(errorLine(missing)).toBe(
      "An error occurred (InvalidRouteTableID.NotFound) when calling the DescribeRouteTables operation: The routeTable ID 'rtb-00000000000000000' does not exist",
    );
  });

  it('create-route: Return true, then RouteAlreadyExists for the same destination', async () => {
    // an Internet Gateway: only the egress account may have one (the deny-IGW SCP binds every other)
    const egress = sb.credentials({ accountId: sb.accountId('egress'), role: 'Developer' });
    const network = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
    const aws = (c: Cli, args: string[]) => runAws(c.path, sb.endpoint, args, sessionEnv(egress));
    const vpcId = (await network.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc?.VpcId as string;
    const rtb = (await network.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    const igw = (await network.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await network.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const create = ['ec2', 'create-route', '--route-table-id', rtb, '--destination-cidr-block', '0.0.0.0/0'];
    expect(json(await aws(cli, [...create, '--gateway-id', igw]))).toEqual({ Return: true });
    expect(errorLine(await aws(cli, [...create, '--gateway-id', igw]))).toBe(
      'An error occurred (RouteAlreadyExists) when calling the CreateRoute operation: The route identified by 0.0.0.0/0 already exists.',
    );
    const described = json(await aws(cli, ['ec2', 'describe-route-tables', '--route-table-ids', rtb]));
    expect(described.RouteTables[0].Routes[1]).toEqual({
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igw,
      Origin: 'CreateRoute',
      State: 'active',
    });
  });

  it('describe-transit-gateways and create-transit-gateway-vpc-attachment: the seeded gateway, shared with a workload account', async () => {
    // the CDK app's network stack makes a gateway of its own: the seeded one, by its id
    const owner = json(
      await aws(cli, ['ec2', 'describe-transit-gateways', '--transit-gateway-ids', SANDBOX_TRANSIT_GATEWAY_ID]),
    );
    expect(owner.TransitGateways).toEqual([
      expect.objectContaining({
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        TransitGatewayArn: `arn:aws:ec2:eu-west-1:${sb.accountId('network')}:transit-gateway/${SANDBOX_TRANSIT_GATEWAY_ID}`,
        State: 'available',
        OwnerId: sb.accountId('network'),
        Options: expect.objectContaining({ AmazonSideAsn: 64512, AutoAcceptSharedAttachments: 'enable' }),
        Tags: [{ Key: 'Name', Value: 'vendguard-tgw' }],
      }),
    ]);

    const workload = sb.client(EC2Client, { accountId: workloadAccount, role: 'Developer' });
    const workloadEnv = sessionEnv(sb.credentials({ accountId: workloadAccount, role: 'Developer' }));
    const vpcId = (await workload.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/20` }))).Vpc?.VpcId as string;
    const subnet = (zone: string, cidr: string) =>
      workload.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }));
    const a = (await subnet('eu-west-1a', `10.${octet}.15.0/28`)).Subnet?.SubnetId as string;
    const b = (await subnet('eu-west-1b', `10.${octet}.15.16/28`)).Subnet?.SubnetId as string;
    const attached = json(
      await aws(
        cli,
        [
          'ec2',
          'create-transit-gateway-vpc-attachment',
          '--transit-gateway-id',
          SANDBOX_TRANSIT_GATEWAY_ID,
          '--vpc-id',
          vpcId,
          '--subnet-ids',
          a,
          b,
          '--tag-specifications',
          'ResourceType=transit-gateway-attachment,Tags=[{Key=Name,Value=cli}]',
        ],
        workloadEnv,
      ),
    );
    expect(attached.TransitGatewayVpcAttachment).toMatchObject({
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      VpcId: vpcId,
      VpcOwnerId: workloadAccount,
      State: 'available',
      SubnetIds: [a, b],
      Tags: [{ Key: 'Name', Value: 'cli' }],
    });
    const again = await aws(
      cli,
      [
        'ec2',
        'create-transit-gateway-vpc-attachment',
        '--transit-gateway-id',
        SANDBOX_TRANSIT_GATEWAY_ID,
        '--vpc-id',
        vpcId,
        '--subnet-ids',
        a,
      ],
      workloadEnv,
    );
    expect(errorLine(again)).toBe(
      `An error occurred (DuplicateTransitGatewayAttachment) when calling the CreateTransitGatewayVpcAttachment operation: ${SANDBOX_TRANSIT_GATEWAY_ID} has non-deleted Transit Gateway Attachments with same VPC ID.`,
    );
    const shared = json(
      await aws(
        cli,
        ['ec2', 'describe-transit-gateways', '--transit-gateway-ids', SANDBOX_TRANSIT_GATEWAY_ID],
        workloadEnv,
      ),
    );
    expect(shared.TransitGateways[0]).toMatchObject({ OwnerId: sb.accountId('network'), Tags: [] });
  });
});
