import { type Tag, tagSet } from './model';

/**
 * The model of Amazon VPC IP Address Manager (IPAM): an IPAM with its two default scopes, pools in a
 * scope (nested through `SourceIpamPoolId`), the CIDRs provisioned to a pool and the allocations made
 * from it. An IPAM, its scopes and its pools live in the owner's account and the IPAM's home region
 * (`<account>/<ipam region>/<id>`, as every EC2 resource); an allocation lives with its pool, whoever
 * asked for it. A child pool's provisioned CIDR is an allocation of its parent (`ipam-pool`), a VPC
 * made from a pool holds an allocation (`vpc`), `AllocateIpamPoolCidr` makes `custom` ones.
 */

export const IPAM_TABLES = {
  ipams: 'ec2.ipams',
  scopes: 'ec2.ipam-scopes',
  pools: 'ec2.ipam-pools',
  /** Allocations, under the scope of their pool's owner and IPAM region. */
  allocations: 'ec2.ipam-pool-allocations',
  /** `<pool id>` → `{ ownerId, region }`: finds a pool another account owns (RAM-shared pools). */
  poolIndex: 'ec2.ipam-pool-index',
  /** `<resource owner>/<resource region>/<resource id>` → where the resource's allocation is (a VPC's). */
  resourceIndex: 'ec2.ipam-resource-index',
  /** `<account>/<region>/<operation>/<client token>` → the request and what it made (idempotency). */
  clientTokens: 'ec2.ipam-client-tokens',
} as const;

/** The IPv4 netmask lengths an allocation rule may name, and a pool's rules when it names none. */
export const IPV4_NETMASK = { min: 0, max: 32 } as const;
/** The deepest a pool may nest (the CloudFormation guide: "The pool depth quota is 10"). */
export const MAX_POOL_DEPTH = 10;

export interface IpamRecord {
  ipamId: string;
  ownerId: string;
  ipamRegion: string;
  description?: string;
  /** As AWS lists them: the requested ones, then the home region when it was not among them. */
  operatingRegions: string[];
  privateDefaultScopeId: string;
  publicDefaultScopeId: string;
  tier: 'free' | 'advanced';
  tags: Tag[];
}

export interface IpamScopeRecord {
  ipamScopeId: string;
  ownerId: string;
  ipamId: string;
  ipamRegion: string;
  ipamScopeType: 'private' | 'public';
  isDefault: boolean;
  description?: string;
  tags: Tag[];
}

/** Why a CIDR failed to be provisioned or deprovisioned (`IpamPoolCidrFailureReason`). */
export interface IpamPoolCidrFailure {
  code: 'cidr-not-available' | 'limit-exceeded';
  message: string;
}

/** A CIDR provisioned to a pool (or one whose provisioning or deprovisioning failed). */
export interface IpamPoolCidrRecord {
  ipamPoolCidrId: string;
  cidr: string;
  netmaskLength: number;
  state: 'provisioned' | 'failed-provision' | 'failed-deprovision';
  failureReason?: IpamPoolCidrFailure;
}

export interface IpamPoolRecord {
  ipamPoolId: string;
  ownerId: string;
  ipamId: string;
  ipamScopeId: string;
  ipamScopeType: 'private' | 'public';
  ipamRegion: string;
  /** The region whose resources may use the pool; none (`None` on the wire) for a planning pool. */
  locale?: string;
  sourceIpamPoolId?: string;
  poolDepth: number;
  description?: string;
  addressFamily: 'ipv4';
  autoImport: boolean;
  allocationMinNetmaskLength: number;
  allocationMaxNetmaskLength: number;
  allocationDefaultNetmaskLength?: number;
  /** Tags a resource must carry to take a CIDR from the pool. */
  allocationResourceTags: Tag[];
  tags: Tag[];
  cidrs: IpamPoolCidrRecord[];
}

/** `custom` (AllocateIpamPoolCidr), `vpc` (CreateVpc from a pool), `ipam-pool` (a child pool's CIDR). */
export type IpamAllocationResourceType = 'custom' | 'vpc' | 'ipam-pool';

export interface IpamPoolAllocationRecord {
  ipamPoolAllocationId: string;
  ipamPoolId: string;
  cidr: string;
  description?: string;
  resourceType: IpamAllocationResourceType;
  resourceId?: string;
  resourceRegion?: string;
  resourceOwner: string;
  tags: Tag[];
}

/** Where a resource's allocation is (`IPAM_TABLES.resourceIndex`). */
export interface IpamResourceAllocationRef {
  ownerId: string;
  region: string;
  ipamPoolAllocationId: string;
}

/** IPAM ARNs name no region: `arn:aws:ec2::<account>:ipam-pool/<id>` (Service Authorization Reference). */
export const ipamArn = (type: 'ipam' | 'ipam-scope' | 'ipam-pool', ownerId: string, id: string): string =>
  `arn:aws:ec2::${ownerId}:${type}/${id}`;

/** A pool's ARN, the resource RAM shares. */
export const ipamPoolArn = (pool: Pick<IpamPoolRecord, 'ownerId' | 'ipamPoolId'>): string =>
  ipamArn('ipam-pool', pool.ownerId, pool.ipamPoolId);

/** `IpamState` / `IpamPoolState` / `IpamScopeState` as the calls answer them. */
export type LifecycleState = 'create-in-progress' | 'create-complete' | 'delete-in-progress';

export function ipamView(ipam: IpamRecord, state: LifecycleState): Record<string, unknown> {
  return {
    ownerId: ipam.ownerId,
    ipamId: ipam.ipamId,
    ipamArn: ipamArn('ipam', ipam.ownerId, ipam.ipamId),
    ipamRegion: ipam.ipamRegion,
    publicDefaultScopeId: ipam.publicDefaultScopeId,
    privateDefaultScopeId: ipam.privateDefaultScopeId,
    scopeCount: 2,
    description: ipam.description,
    operatingRegionSet: ipam.operatingRegions.map((regionName) => ({ regionName })),
    state,
    tagSet: tagSet(ipam.tags),
    tier: ipam.tier,
  };
}

export function scopeView(scope: IpamScopeRecord, poolCount: number): Record<string, unknown> {
  return {
    ownerId: scope.ownerId,
    ipamScopeId: scope.ipamScopeId,
    ipamScopeArn: ipamArn('ipam-scope', scope.ownerId, scope.ipamScopeId),
    ipamArn: ipamArn('ipam', scope.ownerId, scope.ipamId),
    ipamRegion: scope.ipamRegion,
    ipamScopeType: scope.ipamScopeType,
    isDefault: scope.isDefault,
    description: scope.description,
    poolCount,
    state: 'create-complete',
    tagSet: tagSet(scope.tags),
  };
}

export function poolView(pool: IpamPoolRecord, state: LifecycleState): Record<string, unknown> {
  return {
    ownerId: pool.ownerId,
    ipamPoolId: pool.ipamPoolId,
    sourceIpamPoolId: pool.sourceIpamPoolId,
    ipamPoolArn: ipamPoolArn(pool),
    ipamScopeArn: ipamArn('ipam-scope', pool.ownerId, pool.ipamScopeId),
    ipamScopeType: pool.ipamScopeType,
    ipamArn: ipamArn('ipam', pool.ownerId, pool.ipamId),
    ipamRegion: pool.ipamRegion,
    locale: pool.locale ?? 'None',
    poolDepth: pool.poolDepth,
    state,
    description: pool.description,
    autoImport: pool.autoImport,
    addressFamily: pool.addressFamily,
    allocationMinNetmaskLength: pool.allocationMinNetmaskLength,
    allocationMaxNetmaskLength: pool.allocationMaxNetmaskLength,
    allocationDefaultNetmaskLength: pool.allocationDefaultNetmaskLength,
    allocationResourceTagSet: tagSet(pool.allocationResourceTags),
    tagSet: tagSet(pool.tags),
  };
}

/** An `IpamPoolCidr`; `state` overrides the stored one (a provision answers `pending-provision`). */
export function poolCidrView(cidr: IpamPoolCidrRecord, state?: string): Record<string, unknown> {
  return {
    cidr: cidr.cidr,
    state: state ?? cidr.state,
    failureReason: state === undefined ? cidr.failureReason : undefined,
    ipamPoolCidrId: cidr.ipamPoolCidrId,
    netmaskLength: cidr.netmaskLength,
  };
}

export function allocationView(a: IpamPoolAllocationRecord): Record<string, unknown> {
  return {
    cidr: a.cidr,
    ipamPoolAllocationId: a.ipamPoolAllocationId,
    description: a.description,
    resourceId: a.resourceId,
    resourceType: a.resourceType,
    resourceRegion: a.resourceRegion,
    resourceOwner: a.resourceOwner,
    tagSet: a.tags.length > 0 ? tagSet(a.tags) : undefined,
  };
}
