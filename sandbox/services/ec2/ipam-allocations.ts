import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { BLOCK_PREFIX, cidrBlockParameter, type Ipv4Block } from './cidr';
import { describeInput } from './describe';
import { InvalidParameterCombination, InvalidParameterValue, InvalidVpcRange } from './errors';
import { matchesFilters, tagFilter } from './filters';
import { parseInput, required, TagSpecificationSchema } from './input';
import {
  allocationView,
  IPAM_TABLES,
  IPV4_NETMASK,
  type IpamAllocationResourceType,
  type IpamPoolAllocationRecord,
  type IpamPoolRecord,
  type IpamResourceAllocationRef,
} from './ipam-model';
import {
  allocationNotFound,
  allocationsOf,
  deleteAllocation,
  idempotent,
  longId,
  lookupPool,
  provisionedBlocks,
  putAllocation,
  takenBlocks,
  usablePool,
} from './ipam-pools';
import { isFree, lowestFreeBlock } from './ipam-space';
import type { Scope, Tag, VpcRecord } from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';

/**
 * Allocations from IPAM pools: `custom` ones (AllocateIpamPoolCidr), a VPC's (CreateVpc from a
 * pool), and their release. Every allocation is one synchronous store transaction, so concurrent
 * requests never get overlapping blocks: AWS promises "The returned CIDR will not overlap with any
 * other allocations from the same pool." A child pool's CIDR is its parent's allocation too
 * (`ipam-provisioning.ts`).
 */

/** What an allocation asks for: a CIDR, or a netmask length (the pool's default when neither). */
export interface AllocationRequest {
  cidr?: string;
  netmaskLength?: number;
  description?: string;
  allowedCidrs?: string[];
  disallowedCidrs?: string[];
  tags?: Tag[];
}

/** AWS's answer when no free block of the size is left: also CreateVpc's from a pool. */
export const TOO_BIG = 'The allocation size is too big for the pool.';

function blocks(cidrs: string[] | undefined, parameter: string): Ipv4Block[] | undefined {
  return cidrs?.map((c) => cidrBlockParameter(c, parameter));
}

/** The region whose calls may allocate from `pool`: its locale, or the IPAM's home region for a pool without one. */
function checkRegion(pool: IpamPoolRecord, scope: Scope, resource: 'custom' | 'vpc'): void {
  const allowed = resource === 'vpc' ? pool.locale : (pool.locale ?? pool.ipamRegion);
  if (allowed !== scope.region) {
    // sandbox wording
    throw new InvalidParameterValue(
      `The pool ${pool.ipamPoolId} is not available for allocations in ${scope.region}; its locale is ${pool.locale ?? 'None'}.`,
    );
  }
}

/**
 * The block an allocation from `pool` gets (not stored): the requested CIDR if it is free, else the
 * lowest free block of the netmask length, within the pool's allocation rules.
 */
function chooseBlock(state: Ec2State, pool: IpamPoolRecord, request: AllocationRequest): Ipv4Block {
  const fallback = pool.allocationDefaultNetmaskLength;
  if (request.cidr !== undefined && request.netmaskLength !== undefined) {
    // sandbox wording, after AWS's message for neither
    throw new InvalidParameterCombination(
      'The request cannot contain both a CIDR and a Netmask Length. Exactly one of them should be provided.',
    );
  }
  if (request.cidr === undefined && request.netmaskLength === undefined && fallback === undefined) {
    throw new InvalidParameterCombination(
      'The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided.',
    );
  }
  if (request.cidr !== undefined && (request.allowedCidrs?.length || request.disallowedCidrs?.length)) {
    // sandbox wording: AWS documents "Allowed CIDRs are only allowed if using netmask length for allocation."
    throw new InvalidParameterCombination('Allowed and disallowed CIDRs are only allowed with a netmask length.');
  }
  const wanted = request.cidr !== undefined ? cidrBlockParameter(request.cidr, 'cidr') : undefined;
  const prefix = wanted?.prefix ?? request.netmaskLength ?? (fallback as number);
  if (prefix < IPV4_NETMASK.min || prefix > IPV4_NETMASK.max) {
    throw new InvalidParameterValue(`Value (${prefix}) for parameter netmaskLength is invalid.`);
  }
  if (prefix < pool.allocationMinNetmaskLength || prefix > pool.allocationMaxNetmaskLength) {
    // sandbox wording: the code is AWS's for a request the pool's rules refuse
    throw new InvalidParameterValue(
      `The allocation netmask length /${prefix} is outside the allocation rules of ${pool.ipamPoolId}: /${pool.allocationMinNetmaskLength} to /${pool.allocationMaxNetmaskLength}.`,
    );
  }
  const within = provisionedBlocks(pool);
  const taken = takenBlocks(allocationsOf(state, pool));
  if (wanted) {
    if (!isFree(within, taken, wanted)) {
      // sandbox wording
      throw new InvalidParameterValue(`The CIDR ${wanted.canonical} is not available in ${pool.ipamPoolId}.`);
    }
    return wanted;
  }
  const allowed = blocks(request.allowedCidrs, 'allowedCidr');
  const disallowed = blocks(request.disallowedCidrs, 'disallowedCidr');
  const found = lowestFreeBlock(within, taken, prefix, {
    ...(allowed ? { allowed } : {}),
    ...(disallowed ? { disallowed } : {}),
  });
  if (!found) throw new InvalidParameterValue(TOO_BIG);
  return found;
}

/** A new allocation record of `pool` for `block`. */
export function newAllocation(
  state: Ec2State,
  pool: IpamPoolRecord,
  block: Ipv4Block,
  owner: Scope,
  type: IpamAllocationResourceType,
  request: AllocationRequest & { resourceId?: string },
): IpamPoolAllocationRecord {
  return {
    ipamPoolAllocationId: longId(state, 'ipam-pool-alloc-'),
    ipamPoolId: pool.ipamPoolId,
    cidr: block.canonical,
    ...(request.description !== undefined ? { description: request.description } : {}),
    resourceType: type,
    ...(request.resourceId !== undefined ? { resourceId: request.resourceId, resourceRegion: owner.region } : {}),
    resourceOwner: owner.account,
    tags: request.tags ?? [],
  };
}

/**
 * AllocateIpamPoolCidr: a `custom` allocation for the caller from a pool it owns or that is shared
 * with it, in the pool's locale (or its IPAM's region for a pool without one). `preview` answers the
 * block without allocating it (PreviewNextCidr). Idempotent per `ClientToken`.
 */
export function allocateIpamPoolCidr(
  state: Ec2State,
  scope: Scope,
  poolId: string,
  request: AllocationRequest & { clientToken?: string; preview?: boolean },
): IpamPoolAllocationRecord | { cidr: string } {
  const { clientToken, preview, ...rest } = request;
  return idempotent(
    state,
    scope,
    'AllocateIpamPoolCidr',
    preview ? undefined : clientToken,
    { poolId, ...rest },
    () => {
      const pool = usablePool(state, scope, poolId);
      checkRegion(pool, scope, 'custom');
      const block = chooseBlock(state, pool, rest);
      if (preview) return { id: '', result: { cidr: block.canonical } };
      const allocation = newAllocation(state, pool, block, scope, 'custom', rest);
      putAllocation(state, pool, allocation);
      return { id: allocation.ipamPoolAllocationId, result: allocation };
    },
    (id) => {
      const pool = lookupPool(state, poolId);
      return pool && allocationsOf(state, pool).find((a) => a.ipamPoolAllocationId === id);
    },
  );
}

/**
 * ReleaseIpamPoolAllocation: releases a `custom` allocation (the caller's, or any for the pool's
 * owner); a VPC's goes with the VPC and a child pool's with the CIDR deprovisioned from it.
 */
export function releaseIpamPoolAllocation(
  state: Ec2State,
  scope: Scope,
  request: { poolId: string; cidr: string; allocationId: string },
): void {
  const pool = usablePool(state, scope, request.poolId);
  checkRegion(pool, scope, 'custom');
  const cidr = cidrBlockParameter(request.cidr, 'cidr').canonical;
  state.runtime.store.transaction(() => {
    const allocation = allocationsOf(state, pool).find((a) => a.ipamPoolAllocationId === request.allocationId);
    if (!allocation || allocation.cidr !== cidr) throw allocationNotFound(request.allocationId);
    if (allocation.resourceOwner !== scope.account && pool.ownerId !== scope.account) {
      throw allocationNotFound(request.allocationId);
    }
    if (allocation.resourceType !== 'custom') {
      // sandbox wording: AWS documents "You can only use this command for custom allocations."
      throw new InvalidParameterValue(
        `The allocation ${allocation.ipamPoolAllocationId} is a ${allocation.resourceType} allocation; only custom allocations can be released.`,
      );
    }
    deleteAllocation(state, pool, allocation);
  });
}

/**
 * The block of a VPC made from a pool (CreateVpc `Ipv4IpamPoolId`): one transaction allocates it,
 * makes the VPC (`create`) and records the allocation as the VPC's (resource type `vpc`). The pool's
 * locale must be the VPC's region and the VPC must carry the pool's allocation resource tags.
 */
export function allocateVpcCidr(
  state: Ec2State,
  scope: Scope,
  request: { poolId: string; cidr?: string | undefined; netmaskLength?: number | undefined; tags: Tag[] },
  create: (cidrBlock: string) => VpcRecord,
): VpcRecord {
  return state.runtime.store.transaction(() => {
    const pool = usablePool(state, scope, request.poolId);
    checkRegion(pool, scope, 'vpc');
    const missing = pool.allocationResourceTags.some(
      (r) => !request.tags.some((t) => t.key === r.key && t.value === r.value),
    );
    if (missing) {
      throw new InvalidParameterValue(
        'The resource is missing one or more of the resource tags required by the IPAM pool.',
      );
    }
    const block = chooseBlock(state, pool, {
      ...(request.cidr !== undefined ? { cidr: request.cidr } : {}),
      ...(request.netmaskLength !== undefined ? { netmaskLength: request.netmaskLength } : {}),
    });
    if (block.prefix < BLOCK_PREFIX.min || block.prefix > BLOCK_PREFIX.max) throw new InvalidVpcRange(block.canonical);
    const vpc = create(block.canonical);
    putAllocation(state, pool, newAllocation(state, pool, block, scope, 'vpc', { resourceId: vpc.vpcId }));
    return vpc;
  });
}

/** Releases the allocation a resource (a VPC being deleted) holds, if it holds one. */
export function releaseResourceAllocation(state: Ec2State, scope: Scope, resourceId: string): void {
  const { store } = state.runtime;
  const ref = store.get<IpamResourceAllocationRef>(
    IPAM_TABLES.resourceIndex,
    `${scope.account}/${scope.region}/${resourceId}`,
  );
  if (!ref) return;
  const allocation = state.runtime.store.get<IpamPoolAllocationRecord>(
    IPAM_TABLES.allocations,
    `${ref.ownerId}/${ref.region}/${ref.ipamPoolAllocationId}`,
  );
  const pool = allocation && lookupPool(state, allocation.ipamPoolId);
  if (allocation && pool) deleteAllocation(state, pool, allocation);
}

const int = z.optional(z.coerce.number().check(z.int()));

const VpcIpamSchema = z.looseObject({ Ipv4IpamPoolId: z.optional(z.string()), Ipv4NetmaskLength: int });
/** CreateVpc's IPAM parameters. */
export interface VpcIpamRequest {
  ipv4IpamPoolId?: string;
  ipv4NetmaskLength?: number;
}

/** `Ipv4IpamPoolId` and `Ipv4NetmaskLength` of a CreateVpc request. */
export function vpcIpamRequest(input: Record<string, unknown>): VpcIpamRequest {
  const parsed = parseInput(VpcIpamSchema, input);
  return {
    ...(parsed.Ipv4IpamPoolId ? { ipv4IpamPoolId: parsed.Ipv4IpamPoolId } : {}),
    ...(parsed.Ipv4NetmaskLength !== undefined ? { ipv4NetmaskLength: parsed.Ipv4NetmaskLength } : {}),
  };
}

const AllocateSchema = z.looseObject({
  IpamPoolId: z.string(),
  Cidr: z.optional(z.string()),
  NetmaskLength: int,
  ClientToken: z.optional(z.string()),
  Description: z.optional(z.string()),
  PreviewNextCidr: z.optional(z.enum(['true', 'false'])),
  AllowedCidr: z.optional(z.array(z.string())),
  DisallowedCidr: z.optional(z.array(z.string())),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});
/** GetIpamPoolAllocations pages 1000–100000 allocations at a time (the API reference's range). */
const ALLOCATION_PAGE = { min: 1000, max: 100000 } as const;
/** Allocations. */
export function ipamAllocationOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    AllocateIpamPoolCidr(input, ctx) {
      const req = parseInput(AllocateSchema, input);
      const result = allocateIpamPoolCidr(state, state.scope(ctx), req.IpamPoolId, {
        ...(req.Cidr !== undefined ? { cidr: req.Cidr } : {}),
        ...(req.NetmaskLength !== undefined ? { netmaskLength: req.NetmaskLength } : {}),
        ...(req.Description !== undefined ? { description: req.Description } : {}),
        ...(req.AllowedCidr ? { allowedCidrs: req.AllowedCidr } : {}),
        ...(req.DisallowedCidr ? { disallowedCidrs: req.DisallowedCidr } : {}),
        ...(req.ClientToken ? { clientToken: req.ClientToken } : {}),
        preview: req.PreviewNextCidr === 'true',
        tags: tagsFor(req.TagSpecification, 'ipam-pool-allocation'),
      });
      return { ipamPoolAllocation: 'ipamPoolAllocationId' in result ? allocationView(result) : result };
    },

    ReleaseIpamPoolAllocation(input, ctx) {
      releaseIpamPoolAllocation(state, state.scope(ctx), {
        poolId: required(input, 'IpamPoolId'),
        cidr: required(input, 'Cidr'),
        allocationId: required(input, 'IpamPoolAllocationId'),
      });
      return { success: true };
    },

    GetIpamPoolAllocations(input, ctx) {
      const pool = usablePool(state, state.scope(ctx), required(input, 'IpamPoolId'));
      const wanted = typeof input.IpamPoolAllocationId === 'string' ? input.IpamPoolAllocationId : undefined;
      const { MaxResults, ...rest } = input;
      const { filter, token } = describeInput(rest);
      const max = MaxResults === undefined ? undefined : Number(MaxResults);
      if (max !== undefined && (!Number.isInteger(max) || max < ALLOCATION_PAGE.min || max > ALLOCATION_PAGE.max)) {
        throw new InvalidParameterValue(
          `Value ( ${String(MaxResults)} ) for parameter maxResults is invalid. Expecting a value between ${ALLOCATION_PAGE.min} and ${ALLOCATION_PAGE.max}.`,
        );
      }
      const all = allocationsOf(state, pool);
      if (wanted !== undefined && !all.some((a) => a.ipamPoolAllocationId === wanted)) throw allocationNotFound(wanted);
      const allocations = all
        .filter((a) => wanted === undefined || a.ipamPoolAllocationId === wanted)
        .filter((a) =>
          matchesFilters(filter, (name) => {
            const values: Record<string, string[]> = {
              'ipam-pool-allocation-id': [a.ipamPoolAllocationId],
              cidr: [a.cidr],
              'resource-id': a.resourceId ? [a.resourceId] : [],
              'resource-type': [a.resourceType],
              'resource-owner': [a.resourceOwner],
              description: a.description === undefined ? [] : [a.description],
            };
            return name in values ? values[name] : tagFilter(a.tags, name);
          }),
        );
      const { page, next } = paginate(allocations, token, max);
      return { ipamPoolAllocationSet: page.map(allocationView), nextToken: next };
    },
  };
}
