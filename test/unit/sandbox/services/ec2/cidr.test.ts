import { contains, isIpv6Cidr, overlaps, parseIpv4Cidr, sizeOf } from '../../../../../sandbox/services/ec2/cidr';
import { type Ec2Harness, ec2Harness, type Items, type Result } from './harness';

describe('CIDR parsing', () => {
  it('parses dotted-quad blocks and clears the host bits', () => {
    expect(parseIpv4Cidr('100.68.0.18/18')).toEqual({ network: 0x64440000, prefix: 18, canonical: '100.68.0.0/18' });
    expect(parseIpv4Cidr('0.0.0.0/0')?.canonical).toBe('0.0.0.0/0');
    expect(sizeOf(parseIpv4Cidr('10.0.0.0/28') as NonNullable<ReturnType<typeof parseIpv4Cidr>>)).toBe(16);
  });

  it.each([
    '999.0.0.0/77',
    '10.0.0.0',
    '10.0.0/16',
    '0x0a.0.0.0/16',
    '010.0.0.0/16',
    '10.0.0.0/33',
    ' 10.0.0.0/16',
    '::/0',
  ])('refuses %p as an IPv4 block', (text) => {
    expect(parseIpv4Cidr(text)).toBeUndefined();
  });

  it('tells IPv6 blocks apart', () => {
    expect(isIpv6Cidr('::/0')).toBe(true);
    expect(isIpv6Cidr('2001:db8::/64')).toBe(true);
    expect(isIpv6Cidr('2001:db8::/129')).toBe(false);
    expect(isIpv6Cidr('fe80::1%eth0/64')).toBe(false);
    expect(isIpv6Cidr('10.0.0.0/8')).toBe(false);
  });

  it('knows containment and overlap', () => {
    const block = (t: string) => parseIpv4Cidr(t) as NonNullable<ReturnType<typeof parseIpv4Cidr>>;
    expect(contains(block('10.1.0.0/16'), block('10.1.255.240/28'))).toBe(true);
    expect(contains(block('10.1.0.0/16'), block('10.2.0.0/24'))).toBe(false);
    expect(contains(block('10.1.0.0/16'), block('10.0.0.0/15'))).toBe(false);
    expect(overlaps(block('10.1.0.0/24'), block('10.1.0.128/25'))).toBe(true);
    expect(overlaps(block('10.1.0.0/24'), block('10.1.1.0/24'))).toBe(false);
  });
});

describe('EC2 CIDR and range validation', () => {
  let h: Ec2Harness;
  beforeEach(async () => {
    h = await ec2Harness();
  });
  afterEach(() => h.rt.close());

  const subnet = (vpcId: string, cidr: string, extra: Result = {}) =>
    h.call('CreateSubnet', { VpcId: vpcId, CidrBlock: cidr, ...extra }).then((r) => r.subnet as Result);

  describe('CreateVpc', () => {
    it('refuses a malformed block with InvalidParameterValue', async () => {
      expect(await h.error('CreateVpc', { CidrBlock: '999.0.0.0/77' })).toEqual({
        code: 'InvalidParameterValue',
        message: 'Value (999.0.0.0/77) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
        status: 400,
      });
      expect((await h.error('CreateVpc', { CidrBlock: '10.0.0/16' })).code).toBe('InvalidParameterValue');
    });

    it('refuses a prefix outside /16../28 with InvalidVpc.Range', async () => {
      expect(await h.error('CreateVpc', { CidrBlock: '10.0.0.0/8' })).toEqual({
        code: 'InvalidVpc.Range',
        message: "The CIDR '10.0.0.0/8' is invalid.",
        status: 400,
      });
      expect((await h.error('CreateVpc', { CidrBlock: '10.0.0.0/29' })).code).toBe('InvalidVpc.Range');
      await expect(h.vpc('10.0.0.0/16')).resolves.toMatch(/^vpc-/);
      await expect(h.vpc('10.9.0.0/28')).resolves.toMatch(/^vpc-/);
    });

    it('stores the block in canonical form', async () => {
      const vpcId = await h.vpc('100.68.0.18/18');
      const [vpc] = (await h.call('DescribeVpcs', { VpcId: [vpcId] })).vpcSet as Items;
      expect(vpc?.cidrBlock).toBe('100.68.0.0/18');
    });

    it('creates nothing when it refuses a block', async () => {
      const before = ((await h.call('DescribeVpcs')).vpcSet as Items).length;
      await h.error('CreateVpc', { CidrBlock: '10.0.0.0/8' });
      expect((await h.call('DescribeVpcs')).vpcSet).toHaveLength(before);
    });
  });

  describe('CreateSubnet', () => {
    it('refuses a malformed block with InvalidParameterValue', async () => {
      const vpcId = await h.vpc('10.1.0.0/16');
      expect(await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.0.256/24' })).toMatchObject({
        code: 'InvalidParameterValue',
        message: 'Value (10.1.0.256/24) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
      });
    });

    it("refuses a block outside the VPC's, larger than it or smaller than /28 with InvalidSubnet.Range", async () => {
      const vpcId = await h.vpc('10.1.0.0/16');
      expect(await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.2.0.0/24' })).toEqual({
        code: 'InvalidSubnet.Range',
        message: "The CIDR '10.2.0.0/24' is invalid.",
        status: 400,
      });
      expect((await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.0.0.0/15' })).code).toBe(
        'InvalidSubnet.Range',
      );
      expect(await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.0.0/29' })).toMatchObject({
        code: 'InvalidSubnet.Range',
        message: "The CIDR '10.1.0.0/29' is invalid.",
      });
      await expect(subnet(vpcId, '10.1.0.0/16')).resolves.toMatchObject({ cidrBlock: '10.1.0.0/16' });
    });

    it('refuses a block overlapping another subnet of the VPC with InvalidSubnet.Conflict', async () => {
      const vpcId = await h.vpc('10.1.0.0/16');
      const other = await h.vpc('10.1.0.0/16');
      await subnet(vpcId, '10.1.0.0/24');
      expect(await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.0.128/25' })).toEqual({
        code: 'InvalidSubnet.Conflict',
        message: "The CIDR '10.1.0.128/25' conflicts with another subnet",
        status: 400,
      });
      expect((await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.0.0/20' })).code).toBe(
        'InvalidSubnet.Conflict',
      );
      await expect(subnet(vpcId, '10.1.1.0/24')).resolves.toMatchObject({ cidrBlock: '10.1.1.0/24' });
      await expect(subnet(other, '10.1.0.0/24')).resolves.toMatchObject({ vpcId: other });
    });

    it('stores the block in canonical form', async () => {
      const vpcId = await h.vpc('10.1.0.0/16');
      await expect(subnet(vpcId, '10.1.0.18/24')).resolves.toMatchObject({ cidrBlock: '10.1.0.0/24' });
    });

    it("places a subnet in one of the region's zones, by name or id, and refuses any other zone", async () => {
      const vpcId = await h.vpc('10.1.0.0/16');
      await expect(subnet(vpcId, '10.1.0.0/24')).resolves.toMatchObject({
        availabilityZone: 'eu-west-1a',
        availabilityZoneId: 'euw1-az1',
      });
      await expect(subnet(vpcId, '10.1.1.0/24', { AvailabilityZone: 'eu-west-1c' })).resolves.toMatchObject({
        availabilityZoneId: 'euw1-az3',
      });
      await expect(subnet(vpcId, '10.1.2.0/24', { AvailabilityZoneId: 'euw1-az2' })).resolves.toMatchObject({
        availabilityZone: 'eu-west-1b',
      });
      expect(
        await h.error('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.1.3.0/24', AvailabilityZone: 'us-east-1a' }),
      ).toEqual({
        code: 'InvalidParameterValue',
        message:
          'Value (us-east-1a) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: eu-west-1a, eu-west-1b, eu-west-1c.',
        status: 400,
      });
    });
  });

  describe('security group rules', () => {
    const group = async () =>
      (await h.call('CreateSecurityGroup', { GroupName: 'web', GroupDescription: 'web' })).groupId as string;
    const ingress = (GroupId: string, range: Result) => ({
      GroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: '443', ToPort: '443', ...range }],
    });

    it('refuses a malformed CidrIp with InvalidParameterValue, in IpPermissions and at the top level', async () => {
      const groupId = await group();
      expect(
        await h.error('AuthorizeSecurityGroupIngress', ingress(groupId, { IpRanges: [{ CidrIp: '999.1.1.1/0' }] })),
      ).toEqual({ code: 'InvalidParameterValue', message: 'CIDR block 999.1.1.1/0 is malformed', status: 400 });
      expect(
        await h.error('AuthorizeSecurityGroupIngress', {
          GroupId: groupId,
          IpProtocol: 'tcp',
          FromPort: '22',
          ToPort: '22',
          CidrIp: '10.0.0.0/40',
        }),
      ).toMatchObject({ code: 'InvalidParameterValue', message: 'CIDR block 10.0.0.0/40 is malformed' });
      expect(
        await h.error('AuthorizeSecurityGroupEgress', ingress(groupId, { IpRanges: [{ CidrIp: '::/0' }] })),
      ).toMatchObject({ code: 'InvalidParameterValue', message: 'CIDR block ::/0 is malformed' });
      expect(
        await h.error('RevokeSecurityGroupIngress', ingress(groupId, { IpRanges: [{ CidrIp: 'anywhere' }] })),
      ).toMatchObject({ code: 'InvalidParameterValue', message: 'CIDR block anywhere is malformed' });
      const rules = (await h.call('DescribeSecurityGroupRules', { Filter: [{ Name: 'group-id', Value: [groupId] }] }))
        .securityGroupRuleSet as Items;
      expect(rules).toHaveLength(1);
    });

    it('refuses a malformed CidrIpv6 and CidrIpv4 in ModifySecurityGroupRules', async () => {
      const groupId = await group();
      expect(
        await h.error('AuthorizeSecurityGroupIngress', ingress(groupId, { Ipv6Ranges: [{ CidrIpv6: '0.0.0.0/0' }] })),
      ).toMatchObject({ code: 'InvalidParameterValue', message: 'CIDR block 0.0.0.0/0 is malformed' });
      const [rule] = (
        await h.call('AuthorizeSecurityGroupIngress', ingress(groupId, { IpRanges: [{ CidrIp: '10.0.0.0/8' }] }))
      ).securityGroupRuleSet as Items;
      expect(
        await h.error('ModifySecurityGroupRules', {
          GroupId: groupId,
          SecurityGroupRule: [
            {
              SecurityGroupRuleId: rule?.securityGroupRuleId,
              SecurityGroupRule: { IpProtocol: 'tcp', FromPort: '443', ToPort: '443', CidrIpv4: '10.0.0.1' },
            },
          ],
        }),
      ).toMatchObject({ code: 'InvalidParameterValue', message: 'CIDR block 10.0.0.1 is malformed' });
    });

    it('accepts a block with host bits set, as EC2 does for rules', async () => {
      const groupId = await group();
      const [rule] = (
        await h.call('AuthorizeSecurityGroupIngress', ingress(groupId, { IpRanges: [{ CidrIp: '92.68.201.91/29' }] }))
      ).securityGroupRuleSet as Items;
      expect(rule?.cidrIpv4).toBe('92.68.201.91/29');
    });
  });
});
