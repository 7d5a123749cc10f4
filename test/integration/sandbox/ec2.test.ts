import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteTagsCommand,
  DescribeInternetGatewaysCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { BASTION_SSH_GROUP } from '../../../sandbox/services/ec2';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let ec2: EC2Client;

beforeAll(async () => {
  // the sandbox's own transit gateway and its share, egress VPC and bastion SSH group
  sb = await startTestSandbox({ seedNetwork: true });
  ec2 = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
});
afterAll(() => sb.stop());

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.name,
  );

async function newVpc(cidr: string) {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  return Vpc?.VpcId as string;
}

describe('EC2 through the SDK', () => {
  it('runs the internet gateway lifecycle with AWS errors', async () => {
    const vpcId = await newVpc('10.10.0.0/16');
    const { InternetGateway } = await ec2.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'rogue' }] }],
      }),
    );
    const igw = InternetGateway?.InternetGatewayId as string;
    expect(igw).toMatch(/^igw-[0-9a-f]{17}$/);
    expect(InternetGateway?.Tags).toEqual([{ Key: 'Name', Value: 'rogue' }]);

    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    expect(await errorName(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })))).toBe(
      'Resource.AlreadyAssociated',
    );
    const err = await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })).catch((e: Error) => e);
    expect(err).toMatchObject({
      name: 'DependencyViolation',
      message: `The internetGateway '${igw}' has dependencies and cannot be deleted.`,
    });

    const { InternetGateways } = await ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    );
    expect(InternetGateways).toEqual([
      expect.objectContaining({
        InternetGatewayId: igw,
        OwnerId: sb.accountId('egress'),
        Attachments: [{ VpcId: vpcId, State: 'available' }],
      }),
    ]);

    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    expect(await errorName(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })))).toBe(
      'Gateway.NotAttached',
    );
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    expect(await errorName(ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] })))).toBe(
      'InvalidInternetGatewayID.NotFound',
    );
    expect(
      await errorName(
        ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: 'vpc-00000000000000000' })),
      ),
    ).toBe('InvalidInternetGatewayID.NotFound');
  });

  it('describes VPCs, including the default one, with tags and filters', async () => {
    const vpcId = await newVpc('10.20.0.0/16');
    await ec2.send(
      new CreateTagsCommand({
        Resources: [vpcId],
        Tags: [
          { Key: 'team', Value: 'net' },
          { Key: 'x', Value: '1' },
        ],
      }),
    );
    await ec2.send(new DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'x' }] }));
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:team', Values: ['net'] }] }));
    expect(Vpcs).toEqual([
      expect.objectContaining({
        VpcId: vpcId,
        CidrBlock: '10.20.0.0/16',
        IsDefault: false,
        Tags: [{ Key: 'team', Value: 'net' }],
      }),
    ]);
    const defaults = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    expect(defaults.Vpcs?.[0]).toMatchObject({ CidrBlock: '172.31.0.0/16', State: 'available' });
  });

  it('authorizes, modifies and revokes security group rules one by one', async () => {
    const vpcId = await newVpc('10.30.0.0/16');
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web tier', VpcId: vpcId }),
    );
    const { SecurityGroupRules } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
          },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'https' }] },
        ],
      }),
    );
    expect(SecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([
      expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
      expect.stringMatching(/^sgr-/),
      expect.stringMatching(/^sgr-/),
    ]);
    expect(SecurityGroupRules?.[0]).toMatchObject({
      GroupId,
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 22,
      CidrIpv4: '0.0.0.0/0',
    });

    expect(
      await errorName(
        ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId,
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        ),
      ),
    ).toBe('InvalidPermission.Duplicate');

    const revoked = await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    expect(revoked.Return).toBe(true);
    expect(revoked.RevokedSecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([
      SecurityGroupRules?.[0]?.SecurityGroupRuleId,
    ]);
    expect(
      await errorName(
        ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId,
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        ),
      ),
    ).toBe('InvalidPermission.NotFound');

    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: SecurityGroupRules?.[1]?.SecurityGroupRuleId,
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 2222, ToPort: 2222, CidrIpv4: '10.0.0.0/8' },
          },
        ],
      }),
    );
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId as string] }));
    expect(SecurityGroups?.[0]).toMatchObject({ GroupName: 'web', Description: 'web tier', VpcId: vpcId });
    expect(SecurityGroups?.[0]?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2222,
        ToPort: 2222,
        IpRanges: [{ CidrIp: '10.0.0.0/8' }],
      }),
      expect.objectContaining({ FromPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'https' }] }),
    ]);
    expect(SecurityGroups?.[0]?.IpPermissionsEgress).toEqual([
      expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ]);
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [GroupId as string] }] }),
    );
    expect(rules.SecurityGroupRules).toHaveLength(3);
  });

  it('refuses to detach a gateway while public addresses are mapped in the VPC', async () => {
    const vpcId = await newVpc('10.40.0.0/16');
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24' }))).Subnet;
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet?.SubnetId }))).NetworkInterface;
    const { AllocationId, PublicIp } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    expect(PublicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const { AssociationId } = await ec2.send(
      new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eni?.NetworkInterfaceId }),
    );
    expect(AssociationId).toMatch(/^eipassoc-/);
    const err = await ec2
      .send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }))
      .catch((e: Error) => e);
    expect(err).toMatchObject({
      name: 'DependencyViolation',
      message: expect.stringContaining('mapped public address'),
    });
  });

  it('has the seeded egress gateway and bastion SSH group in their accounts', async () => {
    const egress = sb.client(EC2Client, { accountId: sb.accountId('egress') });
    const { InternetGateways } = await egress.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'tag:Name', Values: ['vendguard-egress-igw'] }] }),
    );
    expect(InternetGateways).toEqual([
      expect.objectContaining({ Attachments: [expect.objectContaining({ State: 'available' })] }),
    ]);
    const bastion = sb.client(EC2Client, { accountId: sb.accountId('bastion') });
    const { SecurityGroups } = await bastion.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [BASTION_SSH_GROUP] }] }),
    );
    expect(SecurityGroups?.[0]?.IpPermissions?.[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 });
    // another account does not see it
    const network = sb.client(EC2Client, { accountId: sb.accountId('network') });
    const theirs = await network.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'tag:Name', Values: ['vendguard-egress-igw'] }] }),
    );
    expect(theirs.InternetGateways).toEqual([]);
  });
});
