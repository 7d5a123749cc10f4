import { createIpam, createIpamPool, deleteIpam, deleteIpamPool } from '../../ec2/ipam';
import { allocateIpamPoolCidr, releaseIpamPoolAllocation } from '../../ec2/ipam-allocations';
import { type IpamPoolRecord, type IpamRecord, ipamArn, ipamPoolArn } from '../../ec2/ipam-model';
import { deprovisionIpamPoolCidr, provisionIpamPoolCidr } from '../../ec2/ipam-provisioning';
import type { Scope, Tag } from '../../ec2/model';
import type { Ec2State } from '../../ec2/state';
import {
  bool,
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  str,
} from '../resources';
import { deleting, ec2Of, invalid, need, onlyChanged, tagsOf } from './ec2-support';

/**
 * `AWS::EC2::IPAM`, `AWS::EC2::IPAMPool` (with `ProvisionedCidrs`) and `AWS::EC2::IPAMAllocation`,
 * made through the same functions as CreateIpam, CreateIpamPool, ProvisionIpamPoolCidr and
 * AllocateIpamPoolCidr, so a template is refused where the API refuses the call. A pool's CIDR that
 * fails to be provisioned fails the resource with its `FailureReason`, as CloudFormation waits for
 * the provisioning; the pool is then not made at all.
 */

/** An integer property (`AllocationMinNetmaskLength`, `NetmaskLength`), or undefined. */
export function integer(ctx: ResourceContext, props: Record<string, unknown>, name: string): number | undefined {
  const value = str(props, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw invalid(ctx, `#/${name}: expected type: Integer`);
  return n;
}

/** A list of objects (`OperatingRegions`, `ProvisionedCidrs`), or undefined. */
function objects(ctx: ResourceContext, props: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = props[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null)) {
    throw invalid(ctx, `#/${name}: expected type: JSONArray`);
  }
  return value as Record<string, unknown>[];
}

/** Tags as a `TagSpecification` of the API request. */
const spec = (type: string, tags: Tag[]) => [
  { ResourceType: type, Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) },
];

function ipamResource(ipam: IpamRecord): CreatedResource {
  return {
    physicalId: ipam.ipamId,
    attributes: {
      Arn: ipamArn('ipam', ipam.ownerId, ipam.ipamId),
      IpamId: ipam.ipamId,
      PrivateDefaultScopeId: ipam.privateDefaultScopeId,
      PublicDefaultScopeId: ipam.publicDefaultScopeId,
      ScopeCount: '2',
    },
  };
}

/** `AWS::EC2::IPAM` (Ref: the IPAM id). Tags and the description change in place. */
const ipamProvider: ResourceProvider = {
  type: 'AWS::EC2::IPAM',
  properties: ['Description', 'OperatingRegions', 'Tags', 'Tier'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const description = str(props, 'Description');
    const tier = str(props, 'Tier');
    const ipam = createIpam(state, scope, {
      ...(description !== undefined ? { Description: description } : {}),
      ...(tier !== undefined ? { Tier: tier } : {}),
      OperatingRegion: objects(ctx, props, 'OperatingRegions').map((r) => ({ RegionName: str(r, 'RegionName') ?? '' })),
      TagSpecification: spec('ipam', tagsOf(ctx, props)),
    });
    return ipamResource(ipam);
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Description', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const { description: _old, ...rest } = state.require<IpamRecord>(scope, physicalId);
    const description = str(props, 'Description');
    const ipam: IpamRecord = {
      ...rest,
      ...(description !== undefined ? { description } : {}),
      tags: tagsOf(ctx, props),
    };
    state.put(scope, physicalId, ipam);
    return ipamResource(ipam);
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteIpam(state, scope, physicalId, false));
  },
};

function poolResource(pool: IpamPoolRecord): CreatedResource {
  return {
    physicalId: pool.ipamPoolId,
    attributes: {
      Arn: ipamPoolArn(pool),
      IpamArn: ipamArn('ipam', pool.ownerId, pool.ipamId),
      IpamPoolId: pool.ipamPoolId,
      IpamScopeArn: ipamArn('ipam-scope', pool.ownerId, pool.ipamScopeId),
      IpamScopeType: pool.ipamScopeType,
      PoolDepth: String(pool.poolDepth),
      State: 'create-complete',
      StateMessage: '',
    },
  };
}

/** The `Cidr`s of `ProvisionedCidrs`. */
const provisioned = (ctx: ResourceContext, props: Record<string, unknown>) =>
  objects(ctx, props, 'ProvisionedCidrs').map((c) => need(ctx, c, 'Cidr'));

/** Provisions a CIDR as ProvisionIpamPoolCidr does; one that fails fails the resource with its reason. */
function provision(state: Ec2State, scope: Scope, poolId: string, cidr: string): void {
  const record = provisionIpamPoolCidr(state, scope, { poolId, cidr });
  if (record.state === 'failed-provision')
    throw new ResourceFailure(record.failureReason?.message ?? 'failed-provision');
}

/** Deprovisions a CIDR; one that keeps allocations fails the resource with AWS's reason. */
function deprovision(state: Ec2State, scope: Scope, poolId: string, cidr: string): void {
  deprovisionIpamPoolCidr(state, scope, poolId, cidr);
  const left = state.get<IpamPoolRecord>(scope, poolId)?.cidrs.find((c) => c.state === 'failed-deprovision');
  if (left) throw new ResourceFailure(left.failureReason?.message ?? 'failed-deprovision');
}

/**
 * `AWS::EC2::IPAMPool` (Ref: the pool id), its `ProvisionedCidrs` provisioned in order. New
 * provisioned CIDRs, tags and the description change in place; deleting deprovisions the template's
 * CIDRs first, so a pool with allocations left in them is refused.
 */
const ipamPoolProvider: ResourceProvider = {
  type: 'AWS::EC2::IPAMPool',
  properties: [
    'AddressFamily',
    'AllocationDefaultNetmaskLength',
    'AllocationMaxNetmaskLength',
    'AllocationMinNetmaskLength',
    'AllocationResourceTags',
    'AutoImport',
    'Description',
    'IpamScopeId',
    'Locale',
    'ProvisionedCidrs',
    'SourceIpamPoolId',
    'Tags',
  ],
  required: ['AddressFamily', 'IpamScopeId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const optional = (name: string) => {
      const value = str(props, name);
      return value !== undefined ? { [name]: value } : {};
    };
    const numeric = (name: string) => {
      const value = integer(ctx, props, name);
      return value !== undefined ? { [name]: value } : {};
    };
    const autoImport = bool(props, 'AutoImport');
    return state.runtime.store.transaction(() => {
      const pool = createIpamPool(state, scope, {
        IpamScopeId: need(ctx, props, 'IpamScopeId'),
        AddressFamily: need(ctx, props, 'AddressFamily'),
        ...optional('Locale'),
        ...optional('SourceIpamPoolId'),
        ...optional('Description'),
        ...(autoImport !== undefined ? { AutoImport: autoImport ? ('true' as const) : ('false' as const) } : {}),
        ...numeric('AllocationMinNetmaskLength'),
        ...numeric('AllocationMaxNetmaskLength'),
        ...numeric('AllocationDefaultNetmaskLength'),
        AllocationResourceTag: objects(ctx, props, 'AllocationResourceTags').map((t) => ({
          Key: need(ctx, t, 'Key'),
          Value: str(t, 'Value') ?? '',
        })),
        TagSpecification: spec('ipam-pool', tagsOf(ctx, props)),
      });
      for (const cidr of provisioned(ctx, props)) provision(state, scope, pool.ipamPoolId, cidr);
      return poolResource(pool);
    });
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Description', 'ProvisionedCidrs', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    return state.runtime.store.transaction(() => {
      const before = provisioned(ctx, previous);
      const after = provisioned(ctx, props);
      for (const cidr of before.filter((c) => !after.includes(c))) deprovision(state, scope, physicalId, cidr);
      for (const cidr of after.filter((c) => !before.includes(c))) provision(state, scope, physicalId, cidr);
      const { description: _old, ...rest } = state.require<IpamPoolRecord>(scope, physicalId);
      const description = str(props, 'Description');
      const pool: IpamPoolRecord = {
        ...rest,
        ...(description !== undefined ? { description } : {}),
        tags: tagsOf(ctx, props),
      };
      state.put(scope, physicalId, pool);
      return poolResource(pool);
    });
  },
  delete(ctx, physicalId, props) {
    const { state, scope } = ec2Of(ctx);
    deleting(() =>
      state.runtime.store.transaction(() => {
        for (const cidr of provisioned(ctx, props)) deprovision(state, scope, physicalId, cidr);
        deleteIpamPool(state, scope, physicalId, false);
      }),
    );
  },
};

/**
 * `AWS::EC2::IPAMAllocation`: a `custom` allocation. Ref is `<pool id>|<allocation id>|<cidr>` (the
 * CloudFormation guide: "the pool ID, allocation ID, and CIDR"); `IpamPoolAllocationId` its id. Any
 * change replaces it.
 */
const ipamAllocationProvider: ResourceProvider = {
  type: 'AWS::EC2::IPAMAllocation',
  properties: ['Cidr', 'Description', 'IpamPoolId', 'NetmaskLength'],
  required: ['IpamPoolId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const poolId = need(ctx, props, 'IpamPoolId');
    const cidr = str(props, 'Cidr');
    const netmaskLength = integer(ctx, props, 'NetmaskLength');
    const description = str(props, 'Description');
    const allocation = allocateIpamPoolCidr(state, scope, poolId, {
      ...(cidr !== undefined ? { cidr } : {}),
      ...(netmaskLength !== undefined ? { netmaskLength } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    if (!('ipamPoolAllocationId' in allocation)) throw new ResourceFailure('no allocation was made');
    return {
      physicalId: `${poolId}|${allocation.ipamPoolAllocationId}|${allocation.cidr}`,
      attributes: { IpamPoolAllocationId: allocation.ipamPoolAllocationId },
    };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    const [poolId, allocationId, cidr] = physicalId.split('|');
    if (!poolId || !allocationId || !cidr) return;
    deleting(() => releaseIpamPoolAllocation(state, scope, { poolId, cidr, allocationId }));
  },
};

/** The IPAM resource providers. */
export const ipamProviders: ResourceProvider[] = [ipamProvider, ipamPoolProvider, ipamAllocationProvider];
