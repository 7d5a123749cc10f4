/**
 * IPAM through CloudFormation, across accounts, as the network setup uses it: the network account's
 * stack makes an IPAM pool and a transit gateway and shares both with an OU through RAM; an account
 * of that OU makes its VPC from the shared pool (subnets carved from the allocated block with
 * `Fn::Cidr`, attached to the shared gateway). An exhausted pool fails the VPC with AWS's error and
 * the stack rolls back leaving nothing; deleting a stack or a stack set instance gives the block back;
 * an account the pool is not shared with is refused it.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackCommand,
  DeleteStackInstancesCommand,
  DescribeStackSetOperationCommand,
  DescribeStacksCommand,
  type Stack,
  type StackSetOperationStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeSubnetsCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
} from '@aws-sdk/client-ec2';
import { EnableSharingWithAwsOrganizationCommand, ListResourcesCommand, RAMClient } from '@aws-sdk/client-ram';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
/** The network account: owner of the IPAM, the pool and the transit gateway. */
let network: string;
/** An account of the OU the pool and the gateway are shared with (Infrastructure/Bastion). */
let member: string;
/** An account outside that OU. */
let outsider: string;
let bastionOuArn: string;
let poolId: string;
let tgwId: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  network = sb.accountId('network');
  member = sb.accountId('bastion');
  outsider = sb.accountId('eks-shared');
  const { organizations, managementAccountId } = sb.runtime;
  const ouId = organizations.ouIdByPath('Infrastructure/Bastion') as string;
  bastionOuArn = `arn:aws:organizations::${managementAccountId}:ou/${organizations.organizationId}/${ouId}`;
  // what the management account does before anything is shared with an OU (again is no error)
  await sb.client(RAMClient).send(new EnableSharingWithAwsOrganizationCommand({}));
}, 30_000);
afterAll(() => sb?.stop());

const cfnOf = (accountId: string) => sb.client(CloudFormationClient, { accountId });
const ec2Of = (accountId: string) => sb.client(EC2Client, { accountId });

async function settled(cfn: CloudFormationClient, name: string): Promise<Stack> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
    if (stack && !stack.StackStatus?.endsWith('IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`stack ${name} did not settle: ${stack?.StackStatus}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function deployed(accountId: string, name: string, body: string, parameters: Record<string, string> = {}) {
  const cfn = cfnOf(accountId);
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: body,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  return settled(cfn, name);
}

async function deleted(accountId: string, name: string): Promise<void> {
  const cfn = cfnOf(accountId);
  await cfn.send(new DeleteStackCommand({ StackName: name }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const gone = await cfn.send(new DescribeStacksCommand({ StackName: name })).then(
      () => false,
      () => true,
    );
    if (gone) return;
    if (Date.now() > deadline) throw new Error(`stack ${name} was not deleted`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const output = (stack: Stack, key: string) => stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue as string;

/** The pool's allocations, as its owner sees them: `[resource type, owner, cidr]`. */
async function allocations(): Promise<string[][]> {
  const { IpamPoolAllocations } = await ec2Of(network).send(new GetIpamPoolAllocationsCommand({ IpamPoolId: poolId }));
  return (IpamPoolAllocations ?? []).map((a) => [a.ResourceType, a.ResourceOwner, a.Cidr] as string[]);
}

/** The member's VPCs tagged `Name=<name>`. */
async function vpcsNamed(accountId: string, name: string) {
  const { Vpcs } = await ec2Of(accountId).send(
    new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }),
  );
  return Vpcs ?? [];
}

const NETWORK = `
Parameters:
  SharedWith:
    Type: String
Resources:
  Ipam:
    Type: AWS::EC2::IPAM
    Properties:
      OperatingRegions: [{ RegionName: eu-west-1 }]
  TopPool:
    Type: AWS::EC2::IPAMPool
    Properties:
      AddressFamily: ipv4
      IpamScopeId: !GetAtt Ipam.PrivateDefaultScopeId
      ProvisionedCidrs: [{ Cidr: 172.20.0.0/16 }]
  Pool:
    Type: AWS::EC2::IPAMPool
    Properties:
      AddressFamily: ipv4
      IpamScopeId: !GetAtt Ipam.PrivateDefaultScopeId
      SourceIpamPoolId: !Ref TopPool
      Locale: eu-west-1
      AllocationDefaultNetmaskLength: 24
      # room for two /24 VPCs
      ProvisionedCidrs: [{ Cidr: 172.20.0.0/23 }]
  Tgw:
    Type: AWS::EC2::TransitGateway
    Properties:
      Description: ipam-stacks gateway
      AutoAcceptSharedAttachments: enable
      DefaultRouteTableAssociation: disable
      DefaultRouteTablePropagation: disable
  PoolShare:
    Type: AWS::RAM::ResourceShare
    Properties:
      Name: ipam-stacks-pool
      AllowExternalPrincipals: false
      ResourceArns: [!GetAtt Pool.Arn]
      Principals: [!Ref SharedWith]
  TgwShare:
    Type: AWS::RAM::ResourceShare
    Properties:
      Name: ipam-stacks-tgw
      AllowExternalPrincipals: false
      ResourceArns: [!GetAtt Tgw.TransitGatewayArn]
      Principals: [!Ref SharedWith]
Outputs:
  PoolId:
    Value: !Ref Pool
  TgwId:
    Value: !Ref Tgw
`;

const WORKLOAD = `
Parameters:
  PoolId:
    Type: String
  TgwId:
    Type: String
    Default: ""
  Name:
    Type: String
  Quarters:
    Type: Number
    Default: 4
Conditions:
  Attached: !Not [!Equals [!Ref TgwId, ""]]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      Ipv4IpamPoolId: !Ref PoolId
      Ipv4NetmaskLength: 24
      Tags: [{ Key: Name, Value: !Ref Name }]
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, !Ref Quarters, 6]]
      Tags: [{ Key: Name, Value: !Ref Name }]
  TransitA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!Select [3, !Cidr [!GetAtt Vpc.CidrBlock, 4, 6]], 2, 4]]
      Tags: [{ Key: Name, Value: !Ref Name }]
  Attachment:
    Type: AWS::EC2::TransitGatewayAttachment
    Condition: Attached
    Properties:
      TransitGatewayId: !Ref TgwId
      VpcId: !Ref Vpc
      SubnetIds: [!Ref TransitA]
`;

describe('IPAM pools through CloudFormation, shared through RAM', () => {
  it("makes the network account's pool and gateway and shares them with an OU", async () => {
    const stack = await deployed(network, 'ipam-stacks-network', NETWORK, { SharedWith: bastionOuArn });
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    poolId = output(stack, 'PoolId');
    tgwId = output(stack, 'TgwId');
    expect(poolId).toMatch(/^ipam-pool-[0-9a-f]{17}$/);
    // the member sees both as shared with it; the outsider does not
    const shared = async (accountId: string) =>
      (
        (await sb.client(RAMClient, { accountId }).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' })))
          .resources ?? []
      ).map((r) => r.arn);
    const arns = [
      `arn:aws:ec2::${network}:ipam-pool/${poolId}`,
      `arn:aws:ec2:eu-west-1:${network}:transit-gateway/${tgwId}`,
    ];
    expect(await shared(member)).toEqual(expect.arrayContaining(arns));
    expect((await shared(outsider)).filter((arn) => arns.includes(arn as string))).toEqual([]);
    const { TransitGateways } = await ec2Of(member).send(
      new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgwId] }),
    );
    expect(TransitGateways?.[0]).toMatchObject({ OwnerId: network, Description: 'ipam-stacks gateway' });
  });

  it("makes the member's VPC from the shared pool, carves its subnets with Fn::Cidr and attaches it", async () => {
    const stack = await deployed(member, 'ipam-stacks-one', WORKLOAD, { PoolId: poolId, TgwId: tgwId, Name: 'one' });
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const [vpc] = await vpcsNamed(member, 'one');
    // the lowest free /24 of the pool
    expect(vpc?.CidrBlock).toBe('172.20.0.0/24');
    const { Subnets } = await ec2Of(member).send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc?.VpcId as string] }] }),
    );
    expect(Subnets?.map((s) => s.CidrBlock).sort()).toEqual(['172.20.0.0/26', '172.20.0.208/28']);
    expect(await allocations()).toEqual([['vpc', member, '172.20.0.0/24']]);
    const { TransitGatewayVpcAttachments } = await ec2Of(member).send(
      new DescribeTransitGatewayVpcAttachmentsCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpc?.VpcId as string] }],
      }),
    );
    expect(TransitGatewayVpcAttachments?.[0]).toMatchObject({ TransitGatewayId: tgwId, State: 'available' });
  });

  it('fails a VPC once the pool is exhausted with AWS’s error, rolling back and leaving nothing behind', async () => {
    expect((await deployed(member, 'ipam-stacks-two', WORKLOAD, { PoolId: poolId, Name: 'two' })).StackStatus).toBe(
      'CREATE_COMPLETE',
    );
    const refused = await deployed(member, 'ipam-stacks-three', WORKLOAD, { PoolId: poolId, Name: 'three' });
    expect(refused.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(refused.StackStatusReason).toBe(
      'The following resource(s) failed to create: [Vpc]. Vpc: Resource handler returned message: "The allocation size is too big for the pool. (Status Code: 400, Error Code: InvalidParameterValue)" (HandlerErrorCode: InvalidRequest)',
    );
    expect(await vpcsNamed(member, 'three')).toEqual([]);
    expect(await allocations()).toEqual([
      ['vpc', member, '172.20.0.0/24'],
      ['vpc', member, '172.20.1.0/24'],
    ]);
  });

  it("gives the VPC's block back to the pool when its stack is deleted", async () => {
    await deleted(member, 'ipam-stacks-two');
    expect(await vpcsNamed(member, 'two')).toEqual([]);
    expect(await allocations()).toEqual([['vpc', member, '172.20.0.0/24']]);
  });

  it('rolls back a VPC from the pool when a later resource fails, its block given back and no subnet left', async () => {
    const refused = await deployed(member, 'ipam-stacks-four', WORKLOAD, {
      PoolId: poolId,
      Name: 'four',
      Quarters: '300',
    });
    expect(refused.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(refused.StackStatusReason).toBe(
      'The following resource(s) failed to create: [SubnetA]. SubnetA: Template error: Fn::Cidr count must be an integer between 1 and 256, got 300',
    );
    expect(await vpcsNamed(member, 'four')).toEqual([]);
    const { Subnets } = await ec2Of(member).send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['four'] }] }),
    );
    expect(Subnets).toEqual([]);
    expect(await allocations()).toEqual([['vpc', member, '172.20.0.0/24']]);
  });

  it('refuses the pool to an account it is not shared with, as CreateVpc does', async () => {
    const refused = await deployed(outsider, 'ipam-stacks-outsider', WORKLOAD, { PoolId: poolId, Name: 'outsider' });
    expect(refused.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(refused.StackStatusReason).toContain(
      `Vpc: Resource handler returned message: "The ipam-pool ID '${poolId}' does not exist (Status Code: 400, Error Code: InvalidIpamPoolId.NotFound)"`,
    );
    expect(await vpcsNamed(outsider, 'outsider')).toEqual([]);
    expect(await allocations()).toEqual([['vpc', member, '172.20.0.0/24']]);
  });

  it("gives a stack set instance's block back when the instance is deleted", async () => {
    const cfn = sb.client(CloudFormationClient);
    const ou = sb.runtime.organizations.ouIdByPath('Infrastructure/Bastion') as string;
    const wait = async (OperationId: string | undefined) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { StackSetOperation } = await cfn.send(
          new DescribeStackSetOperationCommand({ StackSetName: 'ipam-stacks-set', OperationId }),
        );
        const status: StackSetOperationStatus | undefined = StackSetOperation?.Status;
        if (status === 'SUCCEEDED' || status === 'FAILED' || Date.now() > deadline) return status;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await cfn.send(
      new CreateStackSetCommand({
        StackSetName: 'ipam-stacks-set',
        TemplateBody: WORKLOAD,
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: false },
        Parameters: [
          { ParameterKey: 'PoolId', ParameterValue: poolId },
          { ParameterKey: 'Name', ParameterValue: 'from-a-stack-set' },
        ],
      }),
    );
    const created = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'ipam-stacks-set',
        DeploymentTargets: { OrganizationalUnitIds: [ou] },
        Regions: ['eu-west-1'],
      }),
    );
    expect(await wait(created.OperationId)).toBe('SUCCEEDED');
    expect(await allocations()).toEqual([
      ['vpc', member, '172.20.0.0/24'],
      ['vpc', member, '172.20.1.0/24'],
    ]);
    const removed = await cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: 'ipam-stacks-set',
        DeploymentTargets: { OrganizationalUnitIds: [ou] },
        Regions: ['eu-west-1'],
        RetainStacks: false,
      }),
    );
    expect(await wait(removed.OperationId)).toBe('SUCCEEDED');
    expect(await vpcsNamed(member, 'from-a-stack-set')).toEqual([]);
    expect(await allocations()).toEqual([['vpc', member, '172.20.0.0/24']]);
  });
});
