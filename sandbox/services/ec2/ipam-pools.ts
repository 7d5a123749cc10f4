import type { RequestContext, SandboxRuntime } from '../../core/types';
import { type Ipv4Block, parseIpv4Cidr } from './cidr';
import { Ec2Error, NotFound } from './errors';
import {
  IPAM_TABLES,
  type IpamPoolAllocationRecord,
  type IpamPoolRecord,
  type IpamRecord,
  type IpamResourceAllocationRef,
  ipamArn,
  ipamPoolArn,
} from './ipam-model';
import { type Scope, scopedId } from './model';
import type { Ec2State } from './state';

/**
 * Where IPAM pools and their allocations are kept, who may use a pool, and request idempotency:
 * what the IPAM operations (`ipam.ts`, `ipam-provisioning.ts`, `ipam-allocations.ts`) share.
 */

/**
 * Whether `accountId` may use a resource another account owns, given the resource's ARN: the RAM
 * seam. AWS lets another account allocate from an IPAM pool (or make a VPC from it) only when the
 * owner shares the pool with it through RAM.
 */
export type ResourceSharingCheck = (runtime: SandboxRuntime, resourceArn: string, accountId: string) => boolean;

/** Until RAM is wired in, a pool is its owner's alone. */
const OWNER_ONLY: ResourceSharingCheck = () => false;
let sharing: ResourceSharingCheck = OWNER_ONLY;

/**
 * Installs the RAM check IPAM asks before another account uses a pool (`undefined` restores
 * "owner only"). RAM calls this once, with its own `isSharedWith`.
 *
 * @example
 * useResourceSharing((runtime, arn, account) => isSharedWith(runtime, arn, account));
 */
export function useResourceSharing(check: ResourceSharingCheck | undefined): void {
  sharing = check ?? OWNER_ONLY;
}

/** Whether the account of `scope` may use `pool`: it owns it, or the owner shared it (RAM). */
export function mayUsePool(state: Ec2State, scope: Scope, pool: IpamPoolRecord): boolean {
  return pool.ownerId === scope.account || sharing(state.runtime, ipamPoolArn(pool), scope.account);
}

/** The account and IPAM region a pool is stored under. */
export function poolScope(pool: Pick<IpamPoolRecord, 'ownerId' | 'ipamRegion'>): Scope {
  return { account: pool.ownerId, region: pool.ipamRegion };
}

/** `InvalidIpamPoolId.NotFound`, as AWS answers for a pool that does not exist or is not shared with the caller. */
export const poolNotFound = (id: string): NotFound =>
  new NotFound('InvalidIpamPoolId.NotFound', `The ipam-pool ID '${id}' does not exist`);

/** `InvalidIpamPoolAllocationId.NotFound` in AWS's words. */
export const allocationNotFound = (id: string): NotFound =>
  new NotFound('InvalidIpamPoolAllocationId.NotFound', `The IPAM pool allocation (${id}) does not exist.`);

/** A pool by id, whichever account owns it, or undefined. */
export function lookupPool(state: Ec2State, id: string): IpamPoolRecord | undefined {
  const at = state.runtime.store.get<{ ownerId: string; region: string }>(IPAM_TABLES.poolIndex, id);
  return at ? state.get<IpamPoolRecord>({ account: at.ownerId, region: at.region }, id) : undefined;
}

/** A pool the caller owns or that is shared with it, or `InvalidIpamPoolId.NotFound`. */
export function usablePool(state: Ec2State, scope: Scope, id: string): IpamPoolRecord {
  const pool = lookupPool(state, id);
  if (!pool || !mayUsePool(state, scope, pool)) throw poolNotFound(id);
  return pool;
}

/** A pool of the caller's own in its IPAM's region (the owner's calls: provision, delete, child pools). */
export function ownPool(state: Ec2State, scope: Scope, id: string): IpamPoolRecord {
  const pool = id.startsWith('ipam-pool-') ? state.get<IpamPoolRecord>(scope, id) : undefined;
  if (!pool) throw poolNotFound(id);
  return pool;
}

/** Stores a pool and indexes it by id. */
export function putPool(state: Ec2State, pool: IpamPoolRecord): void {
  state.runtime.store.transaction(() => {
    state.put(poolScope(pool), pool.ipamPoolId, pool);
    state.runtime.store.put(IPAM_TABLES.poolIndex, pool.ipamPoolId, {
      ownerId: pool.ownerId,
      region: pool.ipamRegion,
    });
  });
}

/** The pools of an account and region (its IPAMs' pools). */
export function poolsOf(state: Ec2State, scope: Scope): IpamPoolRecord[] {
  return state.list<IpamPoolRecord>(scope, IPAM_TABLES.pools);
}

/** Every allocation made from `pool`. */
export function allocationsOf(state: Ec2State, pool: IpamPoolRecord): IpamPoolAllocationRecord[] {
  return state
    .list<IpamPoolAllocationRecord>(poolScope(pool), IPAM_TABLES.allocations)
    .filter((a) => a.ipamPoolId === pool.ipamPoolId);
}

/** Stores an allocation with its pool, and indexes it by the resource that holds it (a VPC). */
export function putAllocation(state: Ec2State, pool: IpamPoolRecord, allocation: IpamPoolAllocationRecord): void {
  const { store } = state.runtime;
  store.put(IPAM_TABLES.allocations, scopedId(poolScope(pool), allocation.ipamPoolAllocationId), allocation);
  if (allocation.resourceType === 'vpc' && allocation.resourceId) {
    const ref: IpamResourceAllocationRef = {
      ownerId: pool.ownerId,
      region: pool.ipamRegion,
      ipamPoolAllocationId: allocation.ipamPoolAllocationId,
    };
    store.put(IPAM_TABLES.resourceIndex, resourceKey(allocation), ref);
  }
}

/** Removes an allocation (and its resource index entry). */
export function deleteAllocation(state: Ec2State, pool: IpamPoolRecord, allocation: IpamPoolAllocationRecord): void {
  const { store } = state.runtime;
  store.delete(IPAM_TABLES.allocations, scopedId(poolScope(pool), allocation.ipamPoolAllocationId));
  if (allocation.resourceType === 'vpc') store.delete(IPAM_TABLES.resourceIndex, resourceKey(allocation));
}

const resourceKey = (a: IpamPoolAllocationRecord) => `${a.resourceOwner}/${a.resourceRegion}/${a.resourceId}`;

/** The blocks a pool hands out from: its provisioned CIDRs. */
export function provisionedBlocks(pool: IpamPoolRecord): Ipv4Block[] {
  return pool.cidrs.filter((c) => c.state !== 'failed-provision').flatMap((c) => block(c.cidr));
}

/** The blocks already taken in a pool: its allocations. */
export function takenBlocks(allocations: readonly IpamPoolAllocationRecord[]): Ipv4Block[] {
  return allocations.flatMap((a) => block(a.cidr));
}

const block = (cidr: string): Ipv4Block[] => {
  const parsed = parseIpv4Cidr(cidr);
  return parsed ? [parsed] : [];
};

/** `<prefix>` + `digits` lower-case hex digits from the seeded generator (`ipam-pool-alloc-` ids have 33). */
export function longId(state: Ec2State, prefix: string, digits = 33): string {
  let hex = '';
  for (let i = 0; i < digits; i++) hex += Math.floor(state.runtime.random() * 16).toString(16);
  return `${prefix}${hex}`;
}

/**
 * Runs `make` once per `ClientToken` (inside one store transaction): the same token with the same
 * request answers what the first call made (`replay` of its id; if that is gone, `make` runs again),
 * with another request `IdempotentParameterMismatch`. Without a token, `make` just runs.
 */
export function idempotent<T>(
  state: Ec2State,
  scope: Scope,
  operation: string,
  token: string | undefined,
  request: unknown,
  make: () => { id: string; result: T },
  replay: (id: string) => T | undefined,
): T {
  const { store } = state.runtime;
  return store.transaction(() => {
    if (!token) return make().result;
    const key = `${scope.account}/${scope.region}/${operation}/${token}`;
    const fingerprint = JSON.stringify(request);
    const earlier = store.get<{ request: string; id: string }>(IPAM_TABLES.clientTokens, key);
    if (earlier) {
      if (earlier.request !== fingerprint) {
        // sandbox wording: the code is EC2's, AWS's message was not found
        throw new Ec2Error(
          'IdempotentParameterMismatch',
          `The client token ${token} was already used for a different ${operation} request.`,
        );
      }
      const replayed = replay(earlier.id);
      if (replayed !== undefined) return replayed;
    }
    const made = make();
    store.put(IPAM_TABLES.clientTokens, key, { request: fingerprint, id: made.id });
    return made.result;
  });
}

const IPAM_CREATES: Readonly<Record<string, 'ipam' | 'ipam-pool'>> = {
  CreateIpam: 'ipam',
  CreateIpamPool: 'ipam-pool',
};

/**
 * The IPAM resources an EC2 call names, as the Service Authorization Reference lists them: ARNs
 * without a region, of the resource's owner (a shared pool's ARN names the account that shares it),
 * `ipam/*` or `ipam-pool/*` for what a `Create*` makes (with the scope a pool goes in), the pool of
 * CreateVpc's `Ipv4IpamPoolId`; and the tags of the IPAM or pool a call acts on (`aws:ResourceTag/…`).
 */
export function ipamAuthorization(
  state: Ec2State,
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): { resources: string[]; context: Record<string, string> } {
  const caller = ctx.principal.accountId;
  const resources: string[] = [];
  const context: Record<string, string> = {};
  const created = IPAM_CREATES[operation];
  if (created) resources.push(ipamArn(created, caller, '*'));
  const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
  const scopeId = text('IpamScopeId');
  if (scopeId && operation === 'CreateIpamPool') resources.push(ipamArn('ipam-scope', caller, scopeId));
  const ipamId = text('IpamId');
  if (ipamId) {
    resources.push(ipamArn('ipam', caller, ipamId));
    const ipam = ipamId.startsWith('ipam-')
      ? state.get<IpamRecord>({ account: caller, region: ctx.region }, ipamId)
      : undefined;
    for (const t of ipam?.tags ?? []) context[`aws:ResourceTag/${t.key}`] = t.value;
  }
  const poolId = text('IpamPoolId') ?? text('Ipv4IpamPoolId');
  if (poolId) {
    const pool = lookupPool(state, poolId);
    resources.push(ipamArn('ipam-pool', pool?.ownerId ?? caller, poolId));
    if (operation !== 'CreateVpc') for (const t of pool?.tags ?? []) context[`aws:ResourceTag/${t.key}`] = t.value;
  }
  return { resources, context };
}
