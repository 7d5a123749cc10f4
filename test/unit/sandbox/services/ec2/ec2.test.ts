import { BASTION_SSH_GROUP, createEc2Service, EGRESS_VPC_CIDR } from '../../../../../sandbox/services/ec2';
import { RAM_TABLES } from '../../../../../sandbox/services/ram/model';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

type Result = Record<string, unknown>;
type Items = Result[];

describe('EC2', () => {
  let rt: TestRuntime;
  let account: string;
  let call: (op: string, input?: Result, as?: { accountId?: string; region?: string }) => Promise<Result>;

  beforeEach(async () => {
    // the organization's transit gateway (and its share), the egress VPC, the bastion SSH group
    rt = createTestRuntime({ seedNetwork: true });
    account = rt.addAccount('team-a-prod', 'Workloads/Prod');
    const service = createEc2Service(rt);
    await service.start?.(rt);
    call = async (op, input = {}, as = { accountId: account }) => {
      const handler = service.operations[op];
      if (!handler) throw new Error(`no ${op}`);
      return (await handler(input, rt.context(op, { service: 'ec2', ...as }))) as Result;
    };
  });
  afterEach(() => rt.close());

  const newVpc = async (cidr = '10.1.0.0/16') =>
    ((await call('CreateVpc', { CidrBlock: cidr })).vpc as Result).vpcId as string;
  const newIgw = async (tags: Result[] = []) =>
    (
      (await call('CreateInternetGateway', { TagSpecification: [{ ResourceType: 'internet-gateway', Tag: tags }] }))
        .internetGateway as Result
    ).internetGatewayId as string;

  it('creates a default VPC with a default security group on first use of an account and region', async () => {
    const vpcs = (await call('DescribeVpcs')).vpcSet as Items;
    expect(vpcs).toEqual([expect.objectContaining({ isDefault: true, cidrBlock: '172.31.0.0/16', ownerId: account })]);
    const groups = (await call('DescribeSecurityGroups')).securityGroupInfo as Items;
    expect(groups).toEqual([expect.objectContaining({ groupName: 'default', vpcId: vpcs[0]?.vpcId })]);
    const other = (await call('DescribeVpcs', {}, { accountId: account, region: 'eu-central-1' })).vpcSet as Items;
    expect(other[0]?.vpcId).not.toBe(vpcs[0]?.vpcId);
  });

  it('gives ids of the AWS shape from the seeded generator', async () => {
    expect(await newVpc()).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(await newIgw()).toMatch(/^igw-[0-9a-f]{17}$/);
  });

  it('refuses to delete an attached gateway and deletes it after detaching', async () => {
    const vpcId = await newVpc();
    const igw = await newIgw();
    await call('AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    await expect(call('AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId })).rejects.toMatchObject({
      code: 'Resource.AlreadyAssociated',
    });
    await expect(call('DeleteInternetGateway', { InternetGatewayId: igw })).rejects.toMatchObject({
      code: 'DependencyViolation',
      message: `The internetGateway '${igw}' has dependencies and cannot be deleted.`,
    });
    await expect(call('DeleteVpc', { VpcId: vpcId })).rejects.toMatchObject({ code: 'DependencyViolation' });
    await call('DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    await expect(call('DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId })).rejects.toMatchObject({
      code: 'Gateway.NotAttached',
    });
    await expect(call('DeleteInternetGateway', { InternetGatewayId: igw })).resolves.toEqual({ return: true });
    await expect(call('DescribeInternetGateways', { InternetGatewayId: [igw] })).rejects.toMatchObject({
      code: 'InvalidInternetGatewayID.NotFound',
    });
    await expect(call('DeleteVpc', { VpcId: vpcId })).resolves.toEqual({ return: true });
  });

  it('answers unknown ids with the NotFound codes', async () => {
    await expect(
      call('AttachInternetGateway', { InternetGatewayId: await newIgw(), VpcId: 'vpc-00000000000000000' }),
    ).rejects.toMatchObject({ code: 'InvalidVpcID.NotFound' });
    await expect(
      call('AttachInternetGateway', { InternetGatewayId: 'igw-00000000000000000', VpcId: await newVpc() }),
    ).rejects.toMatchObject({ code: 'InvalidInternetGatewayID.NotFound' });
  });

  it('filters internet gateways by attachment, id, tag and owner', async () => {
    const vpcId = await newVpc();
    const attached = await newIgw([{ Key: 'team', Value: 'a' }]);
    const loose = await newIgw([{ Key: 'env', Value: 'dev' }]);
    await call('AttachInternetGateway', { InternetGatewayId: attached, VpcId: vpcId });
    const ids = async (Filter: Result[]) =>
      ((await call('DescribeInternetGateways', { Filter })).internetGatewaySet as Items).map(
        (g) => g.internetGatewayId,
      );
    expect(await ids([{ Name: 'attachment.vpc-id', Value: [vpcId] }])).toEqual([attached]);
    expect(await ids([{ Name: 'internet-gateway-id', Value: [loose] }])).toEqual([loose]);
    expect(await ids([{ Name: 'tag:team', Value: ['a'] }])).toEqual([attached]);
    expect(await ids([{ Name: 'tag-key', Value: ['env'] }])).toEqual([loose]);
    expect(await ids([{ Name: 'owner-id', Value: [account] }])).toEqual([attached, loose]);
    expect(
      await ids([
        { Name: 'tag:team', Value: ['a*'] },
        { Name: 'tag-key', Value: ['env'] },
      ]),
    ).toEqual([]);
    await expect(ids([{ Name: 'colour', Value: ['x'] }])).rejects.toMatchObject({ code: 'InvalidParameterValue' });
    const [view] = (await call('DescribeInternetGateways', { InternetGatewayId: [attached] }))
      .internetGatewaySet as Items;
    expect(view).toMatchObject({
      attachmentSet: [{ vpcId, state: 'available' }],
      tagSet: [{ key: 'team', value: 'a' }],
    });
  });

  it('scopes resources to the caller account', async () => {
    const igw = await newIgw();
    const other = rt.organizations.accountIdByName('network') as string;
    const seen = (await call('DescribeInternetGateways', {}, { accountId: other })).internetGatewaySet as Items;
    expect(seen.map((g) => g.internetGatewayId)).not.toContain(igw);
  });

  it('authorizes ingress rules with sgr ids, rejects duplicates and revokes only the matching rule', async () => {
    const vpcId = await newVpc();
    const { groupId } = await call('CreateSecurityGroup', { GroupName: 'web', GroupDescription: 'web', VpcId: vpcId });
    const added = await call('AuthorizeSecurityGroupIngress', {
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: '22',
          ToPort: '22',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
        },
        { IpProtocol: 'tcp', FromPort: '443', ToPort: '443', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
    const rules = added.securityGroupRuleSet as Items;
    expect(rules).toHaveLength(3);
    expect(rules[0]).toMatchObject({
      securityGroupRuleId: expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
      cidrIpv4: '0.0.0.0/0',
    });

    await expect(
      call('AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: '6', FromPort: '22', ToPort: '22', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ).rejects.toMatchObject({
      code: 'InvalidPermission.Duplicate',
      message: 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    });

    const revoked = await call('RevokeSecurityGroupIngress', {
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(revoked.revokedSecurityGroupRuleSet).toEqual([
      expect.objectContaining({ securityGroupRuleId: rules[0]?.securityGroupRuleId }),
    ]);
    const [group] = (await call('DescribeSecurityGroups', { GroupId: [groupId] })).securityGroupInfo as Items;
    expect(group?.ipPermissions).toEqual([
      expect.objectContaining({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '10.0.0.0/8' }] }),
      expect.objectContaining({ ipProtocol: 'tcp', fromPort: 443, ipv6Ranges: [{ cidrIpv6: '::/0' }] }),
    ]);
    await expect(
      call('RevokeSecurityGroupIngress', {
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ).rejects.toMatchObject({ code: 'InvalidPermission.NotFound' });

    await call('RevokeSecurityGroupIngress', {
      GroupId: groupId,
      SecurityGroupRuleId: [rules[2]?.securityGroupRuleId],
    });
    const left = (await call('DescribeSecurityGroupRules', { Filter: [{ Name: 'group-id', Value: [groupId] }] }))
      .securityGroupRuleSet as Items;
    expect(left.map((r) => r.cidrIpv4 ?? r.cidrIpv6)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
    expect(left.map((r) => r.isEgress)).toEqual([true, false]);
  });

  it('modifies a rule in place and finds groups by open ingress', async () => {
    const { groupId } = await call('CreateSecurityGroup', { GroupName: 'db', GroupDescription: 'db' });
    const [rule] = (
      await call('AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        IpProtocol: 'tcp',
        FromPort: '5432',
        ToPort: '5432',
        CidrIp: '0.0.0.0/0',
      })
    ).securityGroupRuleSet as Items;
    const open = async () =>
      (
        (await call('DescribeSecurityGroups', { Filter: [{ Name: 'ip-permission.cidr', Value: ['0.0.0.0/0'] }] }))
          .securityGroupInfo as Items
      ).map((g) => g.groupId);
    expect(await open()).toContain(groupId);
    await call('ModifySecurityGroupRules', {
      GroupId: groupId,
      SecurityGroupRule: [
        {
          SecurityGroupRuleId: rule?.securityGroupRuleId,
          SecurityGroupRule: { IpProtocol: 'tcp', FromPort: '5432', ToPort: '5432', CidrIpv4: '10.0.0.0/16' },
        },
      ],
    });
    expect(await open()).not.toContain(groupId);
  });

  it('refuses to detach a gateway while the VPC has mapped public addresses', async () => {
    const vpcId = await newVpc();
    const igw = await newIgw();
    const subnet = ((await call('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.0.0/24' })).subnet as Result).subnetId;
    const eni = ((await call('CreateNetworkInterface', { SubnetId: subnet })).networkInterface as Result)
      .networkInterfaceId;
    const { allocationId } = await call('AllocateAddress', { Domain: 'vpc' });
    await expect(
      call('AssociateAddress', { AllocationId: allocationId, NetworkInterfaceId: eni }),
    ).rejects.toMatchObject({
      code: 'Gateway.NotAttached',
    });
    await call('AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    const { associationId } = await call('AssociateAddress', { AllocationId: allocationId, NetworkInterfaceId: eni });
    await expect(call('DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId })).rejects.toMatchObject({
      code: 'DependencyViolation',
      message: expect.stringContaining('mapped public address'),
    });
    await call('DisassociateAddress', { AssociationId: associationId });
    await expect(call('DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId })).resolves.toEqual({
      return: true,
    });
  });

  it('tags and untags resources', async () => {
    const vpcId = await newVpc();
    await call('CreateTags', {
      ResourceId: [vpcId],
      Tag: [
        { Key: 'Name', Value: 'x' },
        { Key: 'team', Value: 'a' },
      ],
    });
    await call('DeleteTags', { ResourceId: [vpcId], Tag: [{ Key: 'team' }] });
    const [vpc] = (await call('DescribeVpcs', { VpcId: [vpcId] })).vpcSet as Items;
    expect(vpc?.tagSet).toEqual([{ key: 'Name', value: 'x' }]);
  });

  it('seeds the egress VPC with its gateway and the bastion SSH group when the runtime asks for its network', async () => {
    const egress = rt.organizations.accountIdByName('egress') as string;
    const igws = (await call('DescribeInternetGateways', {}, { accountId: egress })).internetGatewaySet as Items;
    const vpcs = (
      await call('DescribeVpcs', { Filter: [{ Name: 'cidr', Value: [EGRESS_VPC_CIDR] }] }, { accountId: egress })
    ).vpcSet as Items;
    expect(igws).toEqual([expect.objectContaining({ attachmentSet: [{ vpcId: vpcs[0]?.vpcId, state: 'available' }] })]);
    const bastion = rt.organizations.accountIdByName('bastion') as string;
    const groups = (
      await call(
        'DescribeSecurityGroups',
        { Filter: [{ Name: 'group-name', Value: [BASTION_SSH_GROUP] }] },
        { accountId: bastion },
      )
    ).securityGroupInfo as Items;
    expect(groups[0]?.ipPermissions).toEqual([
      expect.objectContaining({ ipProtocol: 'tcp', fromPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }] }),
    ]);
  });

  it('seeds no network of its own by default: no transit gateway, egress VPC or bastion group', async () => {
    const bare = createTestRuntime();
    const service = createEc2Service(bare);
    await service.start?.(bare);
    const as = (name: string) =>
      bare.context('Describe', { service: 'ec2', accountId: bare.organizations.accountIdByName(name) });
    const describe = async (op: string, name: string, input: Result = {}) =>
      (await service.operations[op]?.(input, as(name))) as Result;
    expect((await describe('DescribeTransitGateways', 'network')).transitGatewaySet).toEqual([]);
    expect((await describe('DescribeInternetGateways', 'egress')).internetGatewaySet).toEqual([]);
    expect(
      (await describe('DescribeVpcs', 'egress', { Filter: [{ Name: 'cidr', Value: [EGRESS_VPC_CIDR] }] })).vpcSet,
    ).toEqual([]);
    expect(
      (
        await describe('DescribeSecurityGroups', 'bastion', {
          Filter: [{ Name: 'group-name', Value: [BASTION_SSH_GROUP] }],
        })
      ).securityGroupInfo,
    ).toEqual([]);
    expect(bare.store.list(RAM_TABLES.shares)).toEqual([]);
    bare.close();
  });
});
