import { ec2Authorization } from '../../../../../sandbox/services/ec2/authorization';
import type { Ipv4Block } from '../../../../../sandbox/services/ec2/cidr';
import { parseIpv4Cidr } from '../../../../../sandbox/services/ec2/cidr';
import { useResourceSharing } from '../../../../../sandbox/services/ec2/ipam';
import { lowestFreeBlock } from '../../../../../sandbox/services/ec2/ipam-space';
import { Ec2State } from '../../../../../sandbox/services/ec2/state';
import { type Ec2Harness, ec2Harness, type Items, type Result } from './harness';

const cidr = (text: string): Ipv4Block => {
  const block = parseIpv4Cidr(text);
  if (!block) throw new Error(`not a CIDR: ${text}`);
  return block;
};
const cidrs = (...texts: string[]) => texts.map(cidr);

describe('lowestFreeBlock', () => {
  it('gives the lowest aligned block that overlaps no allocation', () => {
    const pool = cidrs('10.64.0.0/12');
    expect(lowestFreeBlock(pool, [], 20)?.canonical).toBe('10.64.0.0/20');
    expect(lowestFreeBlock(pool, cidrs('10.64.0.0/20'), 20)?.canonical).toBe('10.64.16.0/20');
    // a small allocation blocks the whole aligned block it sits in
    expect(lowestFreeBlock(pool, cidrs('10.64.0.128/25'), 20)?.canonical).toBe('10.64.16.0/20');
    // a gap before a larger allocation is used
    expect(lowestFreeBlock(pool, cidrs('10.64.16.0/20', '10.64.0.0/21'), 21)?.canonical).toBe('10.64.8.0/21');
  });

  it('looks through every provisioned CIDR, lowest first, and answers nothing when all are full', () => {
    const pool = cidrs('10.2.0.0/24', '10.1.0.0/24');
    expect(lowestFreeBlock(pool, cidrs('10.1.0.0/24'), 25)?.canonical).toBe('10.2.0.0/25');
    expect(lowestFreeBlock(pool, cidrs('10.1.0.0/24', '10.2.0.0/25', '10.2.0.128/25'), 25)).toBeUndefined();
    expect(lowestFreeBlock(pool, [], 16)).toBeUndefined();
  });

  it('keeps to the allowed CIDRs and away from the disallowed ones', () => {
    const pool = cidrs('10.0.0.0/16');
    expect(lowestFreeBlock(pool, [], 24, { disallowed: cidrs('10.0.0.0/23') })?.canonical).toBe('10.0.2.0/24');
    expect(lowestFreeBlock(pool, [], 24, { allowed: cidrs('10.0.128.0/17') })?.canonical).toBe('10.0.128.0/24');
    expect(lowestFreeBlock(pool, [], 24, { allowed: cidrs('192.168.0.0/16') })).toBeUndefined();
  });
});

describe('EC2 IPAM', () => {
  let h: Ec2Harness;
  let scopeId: string;
  let ipamId: string;

  beforeEach(async () => {
    h = await ec2Harness();
    const ipam = (await h.call('CreateIpam', { OperatingRegion: [{ RegionName: 'eu-west-1' }] })).ipam as Result;
    ipamId = ipam.ipamId as string;
    scopeId = ipam.privateDefaultScopeId as string;
  });
  afterEach(() => {
    useResourceSharing(undefined);
    h.rt.close();
  });

  const newPool = async (input: Result = {}) =>
    ((await h.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', ...input })).ipamPool as Result)
      .ipamPoolId as string;
  const provision = (poolId: string, block: string) =>
    h.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: block });
  const allocate = async (poolId: string, input: Result) =>
    (await h.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, ...input })).ipamPoolAllocation as Result;
  const allocationsOf = async (poolId: string) =>
    (await h.call('GetIpamPoolAllocations', { IpamPoolId: poolId })).ipamPoolAllocationSet as Items;

  it('appends the home region to the operating regions only when it is missing', async () => {
    const ipam = (await h.call('CreateIpam', { OperatingRegion: [{ RegionName: 'us-east-1' }] })).ipam as Result;
    expect(ipam.operatingRegionSet).toEqual([{ regionName: 'us-east-1' }, { regionName: 'eu-west-1' }]);
    const all = (await h.call('DescribeIpams')).ipamSet as Items;
    expect(all.find((i) => i.ipamId === ipamId)?.operatingRegionSet).toEqual([{ regionName: 'eu-west-1' }]);
    expect((await h.error('CreateIpam', { OperatingRegion: [{ RegionName: 'xx-fake-1' }] })).code).toBe(
      'InvalidParameterValue',
    );
  });

  it("refuses a locale that is not one of the IPAM's operating regions", async () => {
    const e = await h.error('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' });
    expect(e.code).toBe('InvalidParameterValue');
    expect(e.message).toContain('us-east-1');
  });

  it('refuses unknown IPAM ids with their NotFound codes', async () => {
    expect(await h.error('DescribeIpams', { IpamId: ['ipam-00000000000000000'] })).toMatchObject({
      code: 'InvalidIpamId.NotFound',
      message: "The ipam ID 'ipam-00000000000000000' does not exist",
    });
    expect((await h.error('CreateIpamPool', { IpamScopeId: 'ipam-scope-0', AddressFamily: 'ipv4' })).code).toBe(
      'InvalidIpamScopeId.NotFound',
    );
    expect(await h.error('GetIpamPoolCidrs', { IpamPoolId: 'ipam-pool-00000000000000000' })).toMatchObject({
      code: 'InvalidIpamPoolId.NotFound',
      message: "The ipam-pool ID 'ipam-pool-00000000000000000' does not exist",
    });
  });

  it('allocates a requested CIDR only when it is free, and previews without allocating', async () => {
    const pool = await newPool({ Locale: 'eu-west-1' });
    await provision(pool, '10.0.0.0/16');
    const first = await allocate(pool, { Cidr: '10.0.4.0/24', Description: 'reserved' });
    expect(first).toMatchObject({ cidr: '10.0.4.0/24', description: 'reserved', resourceType: 'custom' });
    expect(first.ipamPoolAllocationId).toMatch(/^ipam-pool-alloc-[0-9a-f]{33}$/);
    expect((await h.error('AllocateIpamPoolCidr', { IpamPoolId: pool, Cidr: '10.0.4.0/25' })).code).toBe(
      'InvalidParameterValue',
    );
    expect((await h.error('AllocateIpamPoolCidr', { IpamPoolId: pool, Cidr: '10.1.0.0/24' })).code).toBe(
      'InvalidParameterValue',
    );
    const preview = await allocate(pool, { NetmaskLength: '22', PreviewNextCidr: 'true' });
    expect(preview).toEqual({ cidr: '10.0.0.0/22' });
    expect(await allocationsOf(pool)).toHaveLength(1);
    const next = await allocate(pool, { NetmaskLength: '22', DisallowedCidr: ['10.0.0.0/21'] });
    expect(next.cidr).toBe('10.0.8.0/22');
  });

  it("uses the pool's default netmask length when the request names none", async () => {
    const pool = await newPool({ Locale: 'eu-west-1', AllocationDefaultNetmaskLength: '26' });
    await provision(pool, '10.9.0.0/24');
    expect((await allocate(pool, {})).cidr).toBe('10.9.0.0/26');
    expect(
      (
        await h.error('CreateIpamPool', {
          IpamScopeId: scopeId,
          AddressFamily: 'ipv4',
          AllocationMinNetmaskLength: '24',
          AllocationMaxNetmaskLength: '20',
        })
      ).code,
    ).toBe('InvalidParameterValue');
  });

  it('allocates only in the pool locale (or, without one, the IPAM region)', async () => {
    const planning = await newPool();
    await provision(planning, '10.0.0.0/16');
    expect((await allocate(planning, { NetmaskLength: '24' })).cidr).toBe('10.0.0.0/24');
    const e = await h.error('CreateVpc', { Ipv4IpamPoolId: planning, Ipv4NetmaskLength: '24' });
    expect(e.code).toBe('InvalidParameterValue');
    const regional = await newPool({ Locale: 'eu-west-1' });
    await provision(regional, '10.1.0.0/16');
    expect(
      (await h.error('AllocateIpamPoolCidr', { IpamPoolId: regional, NetmaskLength: '24' }, { region: 'eu-central-1' }))
        .code,
    ).toBe('InvalidParameterValue');
  });

  it("gives a VPC a pool's block only when it carries the pool's allocation resource tags", async () => {
    const pool = await newPool({ Locale: 'eu-west-1', AllocationResourceTag: [{ Key: 'env', Value: 'prod' }] });
    await provision(pool, '10.2.0.0/16');
    const e = await h.error('CreateVpc', { Ipv4IpamPoolId: pool, Ipv4NetmaskLength: '20' });
    expect(e).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'The resource is missing one or more of the resource tags required by the IPAM pool.',
    });
    const vpc = (
      await h.call('CreateVpc', {
        Ipv4IpamPoolId: pool,
        Ipv4NetmaskLength: '20',
        TagSpecification: [{ ResourceType: 'vpc', Tag: [{ Key: 'env', Value: 'prod' }] }],
      })
    ).vpc as Result;
    expect(vpc.cidrBlock).toBe('10.2.0.0/20');
    // a VPC block is still /16–/28
    expect(
      (
        await h.error('CreateVpc', {
          Ipv4IpamPoolId: pool,
          Ipv4NetmaskLength: '29',
          TagSpecification: [{ ResourceType: 'vpc', Tag: [{ Key: 'env', Value: 'prod' }] }],
        })
      ).code,
    ).toBe('InvalidVpc.Range');
    expect(await allocationsOf(pool)).toHaveLength(1);
  });

  it("provisions a child pool by netmask length from its parent's free space and gives it back on deprovision", async () => {
    const top = await newPool();
    await provision(top, '10.0.0.0/8');
    const child = await newPool({ SourceIpamPoolId: top, Locale: 'eu-west-1' });
    const provisioned = (await h.call('ProvisionIpamPoolCidr', { IpamPoolId: child, NetmaskLength: '12' }))
      .ipamPoolCidr as Result;
    expect(provisioned).toMatchObject({ cidr: '10.0.0.0/12', state: 'pending-provision', netmaskLength: 12 });
    expect(await allocationsOf(top)).toEqual([
      expect.objectContaining({ cidr: '10.0.0.0/12', resourceType: 'ipam-pool', resourceId: child }),
    ]);
    const planningChild = await h.error('ProvisionIpamPoolCidr', { IpamPoolId: top, NetmaskLength: '12' });
    expect(planningChild.code).toBe('InvalidParameterCombination');
    const out = (await h.call('DeprovisionIpamPoolCidr', { IpamPoolId: child, Cidr: '10.0.0.0/12' }))
      .ipamPoolCidr as Result;
    expect(out.state).toBe('pending-deprovision');
    expect(await allocationsOf(top)).toEqual([]);
    expect((await h.call('GetIpamPoolCidrs', { IpamPoolId: child })).ipamPoolCidrSet).toEqual([]);
    await h.call('DeleteIpamPool', { IpamPoolId: child });
  });

  it('fails the provisioning of a top-level CIDR that overlaps another pool of the scope', async () => {
    const a = await newPool();
    const b = await newPool();
    await provision(a, '10.0.0.0/8');
    await provision(b, '10.1.0.0/16');
    const cidrsOfB = (await h.call('GetIpamPoolCidrs', { IpamPoolId: b })).ipamPoolCidrSet as Items;
    expect(cidrsOfB[0]).toMatchObject({ state: 'failed-provision', failureReason: { code: 'cidr-not-available' } });
    // a pool whose only CIDR failed has nothing provisioned: it can be deleted
    await h.call('DeleteIpamPool', { IpamPoolId: b });
  });

  it('pages allocations 1000 to 100000 at a time', async () => {
    const pool = await newPool({ Locale: 'eu-west-1' });
    const e = await h.error('GetIpamPoolAllocations', { IpamPoolId: pool, MaxResults: '5' });
    expect(e.code).toBe('InvalidParameterValue');
    expect(
      (await h.call('GetIpamPoolAllocations', { IpamPoolId: pool, MaxResults: '1000' })).ipamPoolAllocationSet,
    ).toEqual([]);
  });

  it('tags pools like every EC2 resource', async () => {
    const pool = await newPool({
      TagSpecification: [{ ResourceType: 'ipam-pool', Tag: [{ Key: 'Name', Value: 'top' }] }],
    });
    await h.call('CreateTags', { ResourceId: [pool], Tag: [{ Key: 'team', Value: 'net' }] });
    const tags = (await h.call('DescribeTags', { Filter: [{ Name: 'resource-type', Value: ['ipam-pool'] }] }))
      .tagSet as Items;
    expect(tags.map((t) => `${t.key}=${t.value}`)).toEqual(['Name=top', 'team=net']);
    const found = (await h.call('DescribeIpamPools', { Filter: [{ Name: 'tag:team', Value: ['net'] }] }))
      .ipamPoolSet as Items;
    expect(found.map((p) => p.ipamPoolId)).toEqual([pool]);
  });

  it("authorizes IPAM calls on region-less ARNs, a shared pool's naming its owner", async () => {
    const pool = await newPool({ Locale: 'eu-west-1' });
    const state = new Ec2State(h.rt);
    const other = h.rt.addAccount('team-b-dev', 'Workloads/Dev');
    const details = (op: string, input: Result, accountId = h.account) =>
      ec2Authorization(state, op, input, h.rt.context(op, { service: 'ec2', accountId }));
    expect(details('CreateIpamPool', { IpamScopeId: scopeId }).resources).toEqual([
      `arn:aws:ec2::${h.account}:ipam-pool/*`,
      `arn:aws:ec2::${h.account}:ipam-scope/${scopeId}`,
    ]);
    expect(details('AllocateIpamPoolCidr', { IpamPoolId: pool }, other).resources).toEqual([
      `arn:aws:ec2::${h.account}:ipam-pool/${pool}`,
    ]);
    expect(details('CreateVpc', { Ipv4IpamPoolId: pool }, other).resources).toEqual([
      `arn:aws:ec2:eu-west-1:${other}:vpc/*`,
      `arn:aws:ec2::${h.account}:ipam-pool/${pool}`,
    ]);
    expect(details('DeleteIpam', { IpamId: ipamId }).resources).toEqual([`arn:aws:ec2::${h.account}:ipam/${ipamId}`]);
    expect(details('DescribeIpamPools', {})).toEqual({});
  });
});
