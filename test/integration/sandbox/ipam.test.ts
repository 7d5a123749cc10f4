import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DeleteIpamCommand,
  DeleteIpamPoolCommand,
  DeleteVpcCommand,
  DeprovisionIpamPoolCidrCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamScopesCommand,
  DescribeIpamsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
  ReleaseIpamPoolAllocationCommand,
} from '@aws-sdk/client-ec2';
import { CreateResourceShareCommand, EnableSharingWithAwsOrganizationCommand, RAMClient } from '@aws-sdk/client-ram';
import ipaddr from 'ipaddr.js';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * Amazon VPC IPAM through the SDK: the network account's IPAM with a top-level pool and two regional
 * pools inside it, concurrent allocations, VPCs made from a pool, the errors AWS answers with, and
 * another account refused a pool until the network account shares it through RAM.
 */

let sb: TestSandbox;
/** The network account, owner of the IPAM. */
let network: EC2Client;
let networkAccount: string;
/** Another account of the organization. */
let other: EC2Client;
let otherAccount: string;

let ipamId: string;
let privateScopeId: string;
let topPoolId: string;
let prodPoolId: string;
let prodPoolArn: string;
let devPoolId: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  networkAccount = sb.accountId('network');
  otherAccount = sb.accountId('egress');
  network = sb.client(EC2Client, { accountId: networkAccount, role: 'Developer' });
  other = sb.client(EC2Client, { accountId: otherAccount, role: 'Developer' });
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

/** Whether `inner` lies inside `outer` (both IPv4 CIDR blocks). */
const inside = (inner: string, outer: string) => ipaddr.IPv4.parseCIDR(inner)[0].match(ipaddr.IPv4.parseCIDR(outer));
const overlap = (a: string, b: string) => inside(a, b) || inside(b, a);

async function pool(input: { source?: string; locale?: string; min?: number; max?: number; description: string }) {
  const { IpamPool } = await network.send(
    new CreateIpamPoolCommand({
      IpamScopeId: privateScopeId,
      AddressFamily: 'ipv4',
      Description: input.description,
      ...(input.source ? { SourceIpamPoolId: input.source } : {}),
      ...(input.locale ? { Locale: input.locale } : {}),
      ...(input.min !== undefined ? { AllocationMinNetmaskLength: input.min } : {}),
      ...(input.max !== undefined ? { AllocationMaxNetmaskLength: input.max } : {}),
      TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'Name', Value: input.description }] }],
    }),
  );
  return IpamPool ?? {};
}

async function allocations(poolId: string, client = network) {
  return (await client.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: poolId }))).IpamPoolAllocations ?? [];
}

describe('EC2 IPAM through the SDK', () => {
  it('creates an IPAM in the home region, an operating region of it, with a private default scope', async () => {
    const { Ipam } = await network.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'eu-central-1' }] }));
    ipamId = Ipam?.IpamId as string;
    privateScopeId = Ipam?.PrivateDefaultScopeId as string;
    expect(Ipam).toMatchObject({
      OwnerId: networkAccount,
      IpamArn: `arn:aws:ec2::${networkAccount}:ipam/${ipamId}`,
      IpamRegion: 'eu-west-1',
      ScopeCount: 2,
      OperatingRegions: [{ RegionName: 'eu-central-1' }, { RegionName: 'eu-west-1' }],
      State: 'create-in-progress',
    });
    expect(ipamId).toMatch(/^ipam-[0-9a-f]{17}$/);
    const { Ipams } = await network.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }));
    expect(Ipams?.[0]?.State).toBe('create-complete');
    const { IpamScopes } = await network.send(
      new DescribeIpamScopesCommand({ Filters: [{ Name: 'ipam-id', Values: [ipamId] }] }),
    );
    expect(IpamScopes).toHaveLength(2);
    expect(IpamScopes?.find((s) => s.IpamScopeType === 'private')).toMatchObject({
      IpamScopeId: privateScopeId,
      IsDefault: true,
      PoolCount: 0,
    });
  });

  it("nests pools: a child pool's CIDR is an allocation of its parent", async () => {
    const top = await pool({ description: 'top' });
    topPoolId = top.IpamPoolId as string;
    expect(top).toMatchObject({ Locale: 'None', PoolDepth: 1, AllocationMinNetmaskLength: 0 });
    const provisioned = await network.send(
      new ProvisionIpamPoolCidrCommand({ IpamPoolId: topPoolId, Cidr: '10.0.0.0/8' }),
    );
    expect(provisioned.IpamPoolCidr).toMatchObject({ Cidr: '10.0.0.0/8', State: 'pending-provision' });
    const cidrs = await network.send(new GetIpamPoolCidrsCommand({ IpamPoolId: topPoolId }));
    expect(cidrs.IpamPoolCidrs).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/8', State: 'provisioned' })]);

    const prod = await pool({ description: 'prod', source: topPoolId, locale: 'eu-west-1', min: 16, max: 24 });
    prodPoolId = prod.IpamPoolId as string;
    prodPoolArn = prod.IpamPoolArn as string;
    expect(prod).toMatchObject({ PoolDepth: 2, SourceIpamPoolId: topPoolId, Locale: 'eu-west-1' });
    expect(prodPoolArn).toBe(`arn:aws:ec2::${networkAccount}:ipam-pool/${prodPoolId}`);
    devPoolId = (await pool({ description: 'dev', source: topPoolId, locale: 'eu-west-1' })).IpamPoolId as string;
    await network.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: prodPoolId, Cidr: '10.64.0.0/12' }));
    await network.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: devPoolId, Cidr: '10.80.0.0/12' }));

    expect(await allocations(topPoolId)).toEqual([
      expect.objectContaining({ Cidr: '10.64.0.0/12', ResourceType: 'ipam-pool', ResourceId: prodPoolId }),
      expect.objectContaining({ Cidr: '10.80.0.0/12', ResourceType: 'ipam-pool', ResourceId: devPoolId }),
    ]);
    // the parent has 10.64.0.0/12 allocated to prod: dev cannot have part of it
    await network.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: devPoolId, Cidr: '10.64.0.0/16' }));
    const dev = (await network.send(new GetIpamPoolCidrsCommand({ IpamPoolId: devPoolId }))).IpamPoolCidrs;
    expect(dev?.find((c) => c.Cidr === '10.64.0.0/16')).toMatchObject({
      State: 'failed-provision',
      FailureReason: { Code: 'cidr-not-available' },
    });
    const pools = await network.send(
      new DescribeIpamPoolsCommand({ Filters: [{ Name: 'source-ipam-pool-id', Values: [topPoolId] }] }),
    );
    expect(pools.IpamPools?.map((p) => p.IpamPoolId).sort()).toEqual([prodPoolId, devPoolId].sort());
  });

  it('gives 20 concurrent allocations disjoint blocks inside the pool, lowest first', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        network.send(
          new AllocateIpamPoolCidrCommand({ IpamPoolId: prodPoolId, NetmaskLength: 20, Description: `team-${i}` }),
        ),
      ),
    );
    const cidrs = results.map((r) => r.IpamPoolAllocation?.Cidr as string);
    for (const cidr of cidrs) expect(inside(cidr, '10.64.0.0/12')).toBe(true);
    for (const [i, a] of cidrs.entries()) for (const b of cidrs.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    const lowest = Array.from({ length: 20 }, (_, i) => `10.${64 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`);
    expect([...cidrs].sort()).toEqual([...lowest].sort());
    expect(results[0]?.IpamPoolAllocation).toMatchObject({ ResourceType: 'custom', ResourceOwner: networkAccount });
    expect(await allocations(prodPoolId)).toHaveLength(20);
  });

  it('answers a retried AllocateIpamPoolCidr with the same allocation (ClientToken)', async () => {
    const request = { IpamPoolId: prodPoolId, NetmaskLength: 24, ClientToken: 'retry-1' };
    const first = await network.send(new AllocateIpamPoolCidrCommand(request));
    const again = await network.send(new AllocateIpamPoolCidrCommand(request));
    expect(again.IpamPoolAllocation).toEqual(first.IpamPoolAllocation);
    const changed = await errorOf(network.send(new AllocateIpamPoolCidrCommand({ ...request, NetmaskLength: 23 })));
    expect(changed.name).toBe('IdempotentParameterMismatch');
  });

  it("refuses a netmask length outside the pool's allocation rules", async () => {
    for (const NetmaskLength of [12, 28]) {
      const e = await errorOf(network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: prodPoolId, NetmaskLength })));
      expect(e.name).toBe('InvalidParameterValue');
      expect(e.message).toContain(`/${NetmaskLength}`);
    }
    const neither = await errorOf(network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: prodPoolId })));
    expect(neither.name).toBe('InvalidParameterCombination');
    expect(neither.message).toBe(
      'The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided.',
    );
  });

  it('answers "The allocation size is too big for the pool." once the pool is exhausted', async () => {
    const tiny = (await pool({ description: 'tiny', source: topPoolId, locale: 'eu-west-1' })).IpamPoolId as string;
    await network.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: tiny, Cidr: '10.96.0.0/23' }));
    const a = await network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: tiny, NetmaskLength: 24 }));
    await network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: tiny, NetmaskLength: 24 }));
    const full = await errorOf(network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: tiny, NetmaskLength: 24 })));
    expect(full.name).toBe('InvalidParameterValue');
    expect(full.message).toBe('The allocation size is too big for the pool.');
    expect(full.$metadata.httpStatusCode).toBe(400);

    const released = a.IpamPoolAllocation;
    await network.send(
      new ReleaseIpamPoolAllocationCommand({
        IpamPoolId: tiny,
        Cidr: released?.Cidr,
        IpamPoolAllocationId: released?.IpamPoolAllocationId,
      }),
    );
    const again = await network.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: tiny, NetmaskLength: 24 }));
    expect(again.IpamPoolAllocation?.Cidr).toBe(released?.Cidr);

    // a CIDR with allocations in it stays: its deprovisioning fails with AWS's reason
    await network.send(new DeprovisionIpamPoolCidrCommand({ IpamPoolId: tiny, Cidr: '10.96.0.0/23' }));
    const cidrs = (await network.send(new GetIpamPoolCidrsCommand({ IpamPoolId: tiny }))).IpamPoolCidrs;
    expect(cidrs?.[0]).toMatchObject({
      State: 'failed-deprovision',
      FailureReason: { Message: 'The CIDR has one or more allocations.' },
    });
  });

  it('makes a VPC from a pool and releases its block when the VPC is deleted', async () => {
    const { Vpc } = await network.send(new CreateVpcCommand({ Ipv4IpamPoolId: devPoolId, Ipv4NetmaskLength: 16 }));
    expect(Vpc?.CidrBlock).toBe('10.80.0.0/16');
    const held = await network.send(
      new GetIpamPoolAllocationsCommand({
        IpamPoolId: devPoolId,
        Filters: [{ Name: 'resource-id', Values: [Vpc?.VpcId as string] }],
      }),
    );
    const allocation = held.IpamPoolAllocations?.[0];
    expect(allocation).toMatchObject({ Cidr: '10.80.0.0/16', ResourceType: 'vpc', ResourceOwner: networkAccount });
    // only custom allocations can be released: the VPC's goes with the VPC
    const refused = await errorOf(
      network.send(
        new ReleaseIpamPoolAllocationCommand({
          IpamPoolId: devPoolId,
          Cidr: allocation?.Cidr,
          IpamPoolAllocationId: allocation?.IpamPoolAllocationId,
        }),
      ),
    );
    expect(refused.name).toBe('InvalidParameterValue');

    await network.send(new DeleteVpcCommand({ VpcId: Vpc?.VpcId }));
    expect(await allocations(devPoolId)).toEqual([]);
    const next = await network.send(new CreateVpcCommand({ Ipv4IpamPoolId: devPoolId, Ipv4NetmaskLength: 16 }));
    expect(next.Vpc?.CidrBlock).toBe('10.80.0.0/16');
    await network.send(new DeleteVpcCommand({ VpcId: next.Vpc?.VpcId }));
  });

  it('refuses another account a pool not shared with it, and lets it make a VPC once shared through RAM', async () => {
    for (const call of [
      other.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: prodPoolId, NetmaskLength: 20 })),
      other.send(new CreateVpcCommand({ Ipv4IpamPoolId: prodPoolId, Ipv4NetmaskLength: 20 })),
    ]) {
      const e = await errorOf(call);
      expect(e.name).toBe('InvalidIpamPoolId.NotFound');
      expect(e.message).toBe(`The ipam-pool ID '${prodPoolId}' does not exist`);
    }
    expect((await other.send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);

    await sb.client(RAMClient).send(new EnableSharingWithAwsOrganizationCommand({}));
    const ram = sb.client(RAMClient, { accountId: networkAccount });
    await ram.send(
      new CreateResourceShareCommand({ name: 'ipam-prod', resourceArns: [prodPoolArn], principals: [otherAccount] }),
    );
    const { Vpc } = await other.send(new CreateVpcCommand({ Ipv4IpamPoolId: prodPoolId, Ipv4NetmaskLength: 20 }));
    expect(inside(Vpc?.CidrBlock as string, '10.64.0.0/12')).toBe(true);
    expect(Vpc?.OwnerId).toBe(otherAccount);
    const theirs = (await allocations(prodPoolId)).filter((a) => a.ResourceOwner === otherAccount);
    expect(theirs).toEqual([expect.objectContaining({ ResourceType: 'vpc', ResourceId: Vpc?.VpcId })]);
    const shared = await other.send(new DescribeIpamPoolsCommand({}));
    expect(shared.IpamPools?.map((p) => p.IpamPoolId)).toEqual([prodPoolId]);
    // the pool is theirs to use, not to change
    const provision = await errorOf(
      other.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: prodPoolId, Cidr: '10.79.0.0/16' })),
    );
    expect(provision.name).toBe('InvalidIpamPoolId.NotFound');
    await other.send(new DeleteVpcCommand({ VpcId: Vpc?.VpcId }));
    expect((await allocations(prodPoolId)).filter((a) => a.ResourceOwner === otherAccount)).toEqual([]);
  });

  it('refuses to delete a pool or an IPAM that has CIDRs or pools, unless cascading', async () => {
    const pool = await errorOf(network.send(new DeleteIpamPoolCommand({ IpamPoolId: devPoolId })));
    expect(pool.name).toBe('DependencyViolation');
    expect(pool.message).toBe(
      `The specified action is not valid for ${devPoolId}. There are one or more pool cidrs provisioned in the pool.`,
    );
    expect((await errorOf(network.send(new DeleteIpamCommand({ IpamId: ipamId })))).name).toBe('DependencyViolation');
    const deleted = await network.send(new DeleteIpamCommand({ IpamId: ipamId, Cascade: true }));
    expect(deleted.Ipam?.State).toBe('delete-in-progress');
    // every pool of this IPAM went with it (the VendguardNetwork stack's IPAM keeps its own)
    const left = (await network.send(new DescribeIpamPoolsCommand({}))).IpamPools ?? [];
    expect(left.filter((p) => p.IpamArn?.endsWith(ipamId))).toEqual([]);
    expect(left.length).toBeGreaterThan(0);
    const gone = await errorOf(network.send(new GetIpamPoolCidrsCommand({ IpamPoolId: prodPoolId })));
    expect(gone.name).toBe('InvalidIpamPoolId.NotFound');
  });
});
