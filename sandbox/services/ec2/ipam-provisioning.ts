import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { cidrBlockParameter, type Ipv4Block, overlaps, parseIpv4Cidr } from './cidr';
import { describeInput } from './describe';
import { InvalidParameterCombination, InvalidParameterValue } from './errors';
import { matchesFilters } from './filters';
import { parseInput, required } from './input';
import { newAllocation, TOO_BIG } from './ipam-allocations';
import { type IpamPoolCidrRecord, type IpamPoolRecord, poolCidrView } from './ipam-model';
import {
  allocationsOf,
  deleteAllocation,
  longId,
  lookupPool,
  ownPool,
  poolScope,
  poolsOf,
  provisionedBlocks,
  putAllocation,
  putPool,
  takenBlocks,
  usablePool,
} from './ipam-pools';
import { isFree, lowestFreeBlock } from './ipam-space';
import type { Scope } from './model';
import { paginate } from './paginate';
import type { Ec2State } from './state';

/**
 * The CIDRs provisioned to IPAM pools: a top-level pool's own, and a child pool's, which its parent
 * must have free and which becomes the parent's `ipam-pool` allocation.
 */

/** The parent's allocation that holds a child pool's CIDR. */
function parentAllocation(state: Ec2State, pool: IpamPoolRecord, cidr: string) {
  const parent = pool.sourceIpamPoolId ? lookupPool(state, pool.sourceIpamPoolId) : undefined;
  const allocation =
    parent &&
    allocationsOf(state, parent).find(
      (a) => a.resourceType === 'ipam-pool' && a.resourceId === pool.ipamPoolId && a.cidr === cidr,
    );
  return parent && allocation ? { parent, allocation } : undefined;
}

/** Releases, in the parent, the CIDRs provisioned to a pool being deleted. */
export function deprovisionAll(state: Ec2State, pool: IpamPoolRecord): void {
  for (const c of pool.cidrs) {
    const held = parentAllocation(state, pool, c.cidr);
    if (held) deleteAllocation(state, held.parent, held.allocation);
  }
}

/**
 * ProvisionIpamPoolCidr: a CIDR for a top-level pool, or for a child pool a CIDR (or the lowest free
 * block of `NetmaskLength`) its parent has free, which becomes the parent's `ipam-pool` allocation.
 * As on AWS the call answers `pending-provision` and a CIDR that cannot be had ends up
 * `failed-provision` with a `FailureReason` (GetIpamPoolCidrs), rather than failing the call.
 */
export function provisionIpamPoolCidr(
  state: Ec2State,
  scope: Scope,
  request: { poolId: string; cidr?: string; netmaskLength?: number },
): IpamPoolCidrRecord {
  const pool = ownPool(state, scope, request.poolId);
  // sandbox wording for both
  if (request.cidr !== undefined && request.netmaskLength !== undefined) {
    throw new InvalidParameterCombination('The request must contain either a Cidr or a NetmaskLength, not both.');
  }
  if (request.cidr === undefined && (request.netmaskLength === undefined || !pool.sourceIpamPoolId)) {
    throw new InvalidParameterCombination(
      pool.sourceIpamPoolId
        ? 'The request must contain either a Cidr or a NetmaskLength.'
        : 'The request must contain a Cidr for a pool without a source pool.',
    );
  }
  return state.runtime.store.transaction(() => {
    const fresh = ownPool(state, scope, request.poolId);
    const parent = fresh.sourceIpamPoolId ? lookupPool(state, fresh.sourceIpamPoolId) : undefined;
    let block: Ipv4Block;
    let failure: string | undefined;
    if (request.cidr !== undefined) {
      block = cidrBlockParameter(request.cidr, 'cidr');
    } else {
      const found =
        parent &&
        lowestFreeBlock(
          provisionedBlocks(parent),
          takenBlocks(allocationsOf(state, parent)),
          request.netmaskLength as number,
        );
      if (!found) throw new InvalidParameterValue(TOO_BIG);
      block = found;
    }
    const same = fresh.cidrs.find((c) => c.cidr === block.canonical && c.state !== 'failed-provision');
    if (same) return same;
    const own = provisionedBlocks(fresh);
    if (own.some((b) => overlaps(b, block))) {
      failure = `The CIDR ${block.canonical} overlaps a CIDR provisioned to ${fresh.ipamPoolId}.`;
    } else if (parent) {
      const free = isFree(provisionedBlocks(parent), takenBlocks(allocationsOf(state, parent)), block);
      if (!free) failure = `The CIDR ${block.canonical} is not available in the source pool ${parent.ipamPoolId}.`;
    } else {
      const others = poolsOf(state, scope).filter(
        (p) => p.ipamScopeId === fresh.ipamScopeId && !p.sourceIpamPoolId && p.ipamPoolId !== fresh.ipamPoolId,
      );
      const clash = others.find((p) => provisionedBlocks(p).some((b) => overlaps(b, block)));
      if (clash) failure = `The CIDR ${block.canonical} overlaps a CIDR provisioned to ${clash.ipamPoolId}.`;
    }
    const record: IpamPoolCidrRecord = {
      ipamPoolCidrId: longId(state, 'ipam-pool-cidr-'),
      cidr: block.canonical,
      netmaskLength: block.prefix,
      // failure messages: sandbox wording; the code is AWS's (IpamPoolCidrFailureCode)
      ...(failure
        ? {
            state: 'failed-provision' as const,
            failureReason: { code: 'cidr-not-available' as const, message: failure },
          }
        : { state: 'provisioned' as const }),
    };
    if (!failure && parent) {
      const allocation = newAllocation(state, parent, block, poolScope(fresh), 'ipam-pool', {
        resourceId: fresh.ipamPoolId,
      });
      putAllocation(state, parent, allocation);
    }
    const cidrs = fresh.cidrs.filter((c) => !(c.cidr === record.cidr && c.state === 'failed-provision'));
    putPool(state, { ...fresh, cidrs: [...cidrs, record] });
    return record;
  });
}

/**
 * DeprovisionIpamPoolCidr: answers `pending-deprovision`; the CIDR goes (and its parent's allocation
 * with it) unless allocations remain in it, when it stays `failed-deprovision` with AWS's reason
 * "The CIDR has one or more allocations.".
 */
export function deprovisionIpamPoolCidr(
  state: Ec2State,
  scope: Scope,
  poolId: string,
  cidr: string,
): IpamPoolCidrRecord {
  const canonical = cidrBlockParameter(cidr, 'cidr');
  return state.runtime.store.transaction(() => {
    const pool = ownPool(state, scope, poolId);
    const record = pool.cidrs.find((c) => c.cidr === canonical.canonical);
    // sandbox wording
    if (!record) throw new InvalidParameterValue(`The CIDR ${canonical.canonical} is not provisioned to ${poolId}.`);
    const inUse =
      record.state !== 'failed-provision' &&
      allocationsOf(state, pool).some((a) => {
        const b = parseIpv4Cidr(a.cidr);
        return b !== undefined && overlaps(b, canonical);
      });
    if (inUse) {
      const failed: IpamPoolCidrRecord = {
        ...record,
        state: 'failed-deprovision',
        failureReason: { code: 'cidr-not-available', message: 'The CIDR has one or more allocations.' },
      };
      putPool(state, { ...pool, cidrs: pool.cidrs.map((c) => (c === record ? failed : c)) });
      return record;
    }
    const held = parentAllocation(state, pool, record.cidr);
    if (held) deleteAllocation(state, held.parent, held.allocation);
    putPool(state, { ...pool, cidrs: pool.cidrs.filter((c) => c !== record) });
    return record;
  });
}

const int = z.optional(z.coerce.number().check(z.int()));
const ProvisionSchema = z.looseObject({ IpamPoolId: z.string(), Cidr: z.optional(z.string()), NetmaskLength: int });
/** Pool CIDRs. */
export function ipamProvisioningOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    ProvisionIpamPoolCidr(input, ctx) {
      const req = parseInput(ProvisionSchema, input);
      const record = provisionIpamPoolCidr(state, state.scope(ctx), {
        poolId: req.IpamPoolId,
        ...(req.Cidr !== undefined ? { cidr: req.Cidr } : {}),
        ...(req.NetmaskLength !== undefined ? { netmaskLength: req.NetmaskLength } : {}),
      });
      return { ipamPoolCidr: poolCidrView(record, 'pending-provision') };
    },

    DeprovisionIpamPoolCidr(input, ctx) {
      const poolId = required(input, 'IpamPoolId');
      const record = deprovisionIpamPoolCidr(state, state.scope(ctx), poolId, required(input, 'Cidr'));
      return { ipamPoolCidr: poolCidrView(record, 'pending-deprovision') };
    },

    GetIpamPoolCidrs(input, ctx) {
      const pool = usablePool(state, state.scope(ctx), required(input, 'IpamPoolId'));
      const { filter, max, token } = describeInput(input);
      const cidrs = pool.cidrs.filter((c) =>
        matchesFilters(filter, (name) => (name === 'cidr' ? [c.cidr] : name === 'state' ? [c.state] : undefined)),
      );
      const { page, next } = paginate(cidrs, token, max);
      return { ipamPoolCidrSet: page.map((c) => poolCidrView(c)), nextToken: next };
    },
  };
}
