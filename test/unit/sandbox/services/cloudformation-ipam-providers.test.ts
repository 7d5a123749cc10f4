import { AwsServiceError } from '../../../../sandbox/core/types';
import { ec2Providers } from '../../../../sandbox/services/cloudformation/providers/ec2';
import type { ResourceContext, ResourceProvider } from '../../../../sandbox/services/cloudformation/resources';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;
type Items = Result[];

const REGION = 'eu-west-1';
const STACK_NAME = 'vendguard-network-ipam';

let rt: TestRuntime;
let network: string;
let call: (op: string, input?: Result) => Promise<Result>;

beforeEach(async () => {
  rt = createTestRuntime();
  network = rt.organizations.accountIdByName('network') as string;
  const service = createEc2Service(rt);
  await service.start?.(rt);
  call = async (op, input = {}) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'ec2', accountId: network, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const ctx = (logicalId: string): ResourceContext => ({
  runtime: rt,
  account: network,
  region: REGION,
  stackId: `arn:aws:cloudformation:${REGION}:${network}:stack/${STACK_NAME}/5d6e7f80-0000-4000-8000-000000000002`,
  stackName: STACK_NAME,
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = ec2Providers.find((p) => p.type === type);
  if (!found) throw new Error(`no provider for ${type}`);
  return found;
};

function failure(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return { name: error.code, message: error.message };
    if (error instanceof Error) return { name: error.name, message: error.message };
  }
  throw new Error('expected a failure');
}

/** An IPAM, its top-level pool (10.0.0.0/8) and a regional pool inside it (10.64.0.0/12). */
function networkIpam() {
  const ipam = provider('AWS::EC2::IPAM').create(ctx('Ipam'), { OperatingRegions: [{ RegionName: REGION }] });
  const scope = ipam.attributes?.PrivateDefaultScopeId as string;
  const topProps = { AddressFamily: 'ipv4', IpamScopeId: scope, ProvisionedCidrs: [{ Cidr: '10.0.0.0/8' }] };
  const top = provider('AWS::EC2::IPAMPool').create(ctx('TopPool'), topProps);
  const prodProps = {
    AddressFamily: 'ipv4',
    IpamScopeId: scope,
    SourceIpamPoolId: top.physicalId,
    Locale: REGION,
    AllocationDefaultNetmaskLength: 20,
    ProvisionedCidrs: [{ Cidr: '10.64.0.0/12' }],
  };
  const prod = provider('AWS::EC2::IPAMPool').create(ctx('ProdPool'), prodProps);
  return { ipam, scope, top, topProps, prod, prodProps };
}

describe('IPAM resource providers', () => {
  it('make an IPAM, nested pools with their provisioned CIDRs, a VPC and an allocation from a pool', async () => {
    const { ipam, top, prod } = networkIpam();
    expect(ipam.physicalId).toMatch(/^ipam-[0-9a-f]{17}$/);
    expect(ipam.attributes).toMatchObject({ Arn: `arn:aws:ec2::${network}:ipam/${ipam.physicalId}`, ScopeCount: '2' });
    expect(prod.attributes).toMatchObject({ PoolDepth: '2', IpamScopeType: 'private', State: 'create-complete' });
    const cidrs = (await call('GetIpamPoolCidrs', { IpamPoolId: prod.physicalId })).ipamPoolCidrSet as Items;
    expect(cidrs).toEqual([expect.objectContaining({ cidr: '10.64.0.0/12', state: 'provisioned' })]);

    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), {
      Ipv4IpamPoolId: prod.physicalId,
      Ipv4NetmaskLength: 16,
    });
    expect(vpc.attributes?.CidrBlock).toBe('10.64.0.0/16');
    const allocation = provider('AWS::EC2::IPAMAllocation').create(ctx('Reserved'), {
      IpamPoolId: prod.physicalId,
      Description: 'on-premises',
    });
    const id = allocation.attributes?.IpamPoolAllocationId as string;
    expect(allocation.physicalId).toBe(`${prod.physicalId}|${id}|10.65.0.0/20`);

    const held = (await call('GetIpamPoolAllocations', { IpamPoolId: prod.physicalId })).ipamPoolAllocationSet as Items;
    expect(held.map((a) => [a.resourceType, a.cidr])).toEqual([
      ['vpc', '10.64.0.0/16'],
      ['custom', '10.65.0.0/20'],
    ]);
    expect(
      ((await call('GetIpamPoolAllocations', { IpamPoolId: top.physicalId })).ipamPoolAllocationSet as Items)[0],
    ).toMatchObject({ resourceType: 'ipam-pool', resourceId: prod.physicalId, cidr: '10.64.0.0/12' });
  });

  it('deletes in reverse order, each resource giving its CIDRs back', async () => {
    const { ipam, top, topProps, prod, prodProps } = networkIpam();
    const vpc = provider('AWS::EC2::VPC').create(ctx('Vpc'), {
      Ipv4IpamPoolId: prod.physicalId,
      Ipv4NetmaskLength: 16,
    });
    const allocation = provider('AWS::EC2::IPAMAllocation').create(ctx('Reserved'), { IpamPoolId: prod.physicalId });
    // a pool with allocations left in its CIDR is refused
    expect(failure(() => provider('AWS::EC2::IPAMPool').delete(ctx('ProdPool'), prod.physicalId, prodProps))).toEqual({
      name: 'ResourceFailure',
      message: 'The CIDR has one or more allocations.',
    });
    provider('AWS::EC2::IPAMAllocation').delete(ctx('Reserved'), allocation.physicalId, {});
    provider('AWS::EC2::VPC').delete(ctx('Vpc'), vpc.physicalId, {});
    provider('AWS::EC2::IPAMPool').delete(ctx('ProdPool'), prod.physicalId, prodProps);
    provider('AWS::EC2::IPAMPool').delete(ctx('TopPool'), top.physicalId, topProps);
    provider('AWS::EC2::IPAM').delete(ctx('Ipam'), ipam.physicalId, {});
    expect((await call('DescribeIpams')).ipamSet).toEqual([]);
    expect((await call('DescribeIpamPools')).ipamPoolSet).toEqual([]);
    // already gone: not an error
    provider('AWS::EC2::IPAMPool').delete(ctx('TopPool'), top.physicalId, topProps);
  });

  it('fails a pool whose provisioned CIDR its parent does not have free, leaving no pool behind', async () => {
    const { scope, top } = networkIpam();
    const props = {
      AddressFamily: 'ipv4',
      IpamScopeId: scope,
      SourceIpamPoolId: top.physicalId,
      Locale: REGION,
      ProvisionedCidrs: [{ Cidr: '10.64.0.0/16' }],
    };
    const e = failure(() => provider('AWS::EC2::IPAMPool').create(ctx('DevPool'), props));
    expect(e.name).toBe('ResourceFailure');
    expect(e.message).toContain('10.64.0.0/16');
    expect((await call('DescribeIpamPools')).ipamPoolSet).toHaveLength(2);
  });

  it('adds and removes provisioned CIDRs in place', async () => {
    const { top, topProps } = networkIpam();
    const more = { ...topProps, ProvisionedCidrs: [{ Cidr: '10.0.0.0/8' }, { Cidr: '172.16.0.0/12' }] };
    expect(provider('AWS::EC2::IPAMPool').update?.(ctx('TopPool'), top.physicalId, more, topProps)?.physicalId).toBe(
      top.physicalId,
    );
    const cidrs = (await call('GetIpamPoolCidrs', { IpamPoolId: top.physicalId })).ipamPoolCidrSet as Items;
    expect(cidrs.map((c) => c.cidr)).toEqual(['10.0.0.0/8', '172.16.0.0/12']);
    const fewer = { ...topProps, ProvisionedCidrs: [{ Cidr: '172.16.0.0/12' }] };
    // 10.0.0.0/8 holds the regional pool's CIDR: it cannot go
    expect(
      failure(() => provider('AWS::EC2::IPAMPool').update?.(ctx('TopPool'), top.physicalId, fewer, more)).message,
    ).toBe('The CIDR has one or more allocations.');
    // a new locale replaces the pool
    expect(
      provider('AWS::EC2::IPAMPool').update?.(ctx('TopPool'), top.physicalId, { ...more, Locale: REGION }, more),
    ).toBeUndefined();
  });
});
