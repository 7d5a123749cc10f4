import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { describeInput } from './describe';
import { DependencyViolation, InvalidParameterValue } from './errors';
import { matchesFilters, tagFilter } from './filters';
import { list, parseInput, required, TagSpecificationSchema } from './input';
import {
  IPAM_TABLES,
  IPV4_NETMASK,
  type IpamPoolRecord,
  type IpamRecord,
  type IpamScopeRecord,
  ipamView,
  MAX_POOL_DEPTH,
  poolView,
  scopeView,
} from './ipam-model';
import {
  allocationsOf,
  deleteAllocation,
  idempotent,
  mayUsePool,
  ownPool,
  poolScope,
  poolsOf,
  putPool,
  usablePool,
} from './ipam-pools';
import { deprovisionAll } from './ipam-provisioning';
import type { Scope, Tag } from './model';
import { paginate } from './paginate';
import { knownRegions } from './regions';
import { type Ec2State, tagsFor } from './state';

export { ipamPoolArn } from './ipam-model';
export { type ResourceSharingCheck, useResourceSharing } from './ipam-pools';

/**
 * Amazon VPC IP Address Manager: IPAMs (each with a private and a public default scope) and their
 * pools. Their CIDRs: `ipam-provisioning.ts`; allocations
 * and VPCs made from a pool: `ipam-allocations.ts`. As on AWS, an IPAM and its
 * pools are managed from the IPAM's home region by the account that owns them; another account
 * sees and uses a pool only when it is shared with it (RAM, see `useResourceSharing`). Creation and
 * deletion take effect at once: the call answers `create-in-progress` / `delete-in-progress` as AWS
 * does, and Describe calls then show `create-complete`.
 */

const int = z.optional(z.coerce.number().check(z.int()));
const bool = z.optional(z.enum(['true', 'false']));

const CreateIpamSchema = z.looseObject({
  Description: z.optional(z.string()),
  OperatingRegion: z.optional(z.array(z.looseObject({ RegionName: z.optional(z.string()) }))),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
  ClientToken: z.optional(z.string()),
  Tier: z.optional(z.string()),
});
export type CreateIpamInput = z.infer<typeof CreateIpamSchema>;

const CreateIpamPoolSchema = z.looseObject({
  IpamScopeId: z.string(),
  AddressFamily: z.string(),
  Locale: z.optional(z.string()),
  SourceIpamPoolId: z.optional(z.string()),
  Description: z.optional(z.string()),
  AutoImport: bool,
  AllocationMinNetmaskLength: int,
  AllocationMaxNetmaskLength: int,
  AllocationDefaultNetmaskLength: int,
  AllocationResourceTag: z.optional(z.array(z.looseObject({ Key: z.string(), Value: z.optional(z.string()) }))),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
  ClientToken: z.optional(z.string()),
});
export type CreateIpamPoolInput = z.infer<typeof CreateIpamPoolSchema>;

/**
 * CreateIpam: the IPAM, in the caller's region (its home region, always one of its operating regions:
 * AWS appends it when the request leaves it out), with its private and public default scopes.
 */
export function createIpam(state: Ec2State, scope: Scope, input: CreateIpamInput): IpamRecord {
  const known = new Set(knownRegions(state.runtime).map((r) => r.regionName));
  const regions: string[] = [];
  for (const r of input.OperatingRegion ?? []) {
    const name = r.RegionName ?? '';
    // sandbox wording
    if (!known.has(name)) throw new InvalidParameterValue(`The operating Region '${name}' is not a valid Region.`);
    if (!regions.includes(name)) regions.push(name);
  }
  if (!regions.includes(scope.region)) regions.push(scope.region);
  const tier = input.Tier ?? 'advanced';
  if (tier !== 'free' && tier !== 'advanced') {
    throw new InvalidParameterValue(`Value (${tier}) for parameter tier is invalid.`);
  }
  const tags = tagsFor(input.TagSpecification, 'ipam');
  return idempotent(
    state,
    scope,
    'CreateIpam',
    input.ClientToken,
    input,
    () => {
      const ipam: IpamRecord = {
        ipamId: state.newId('ipam-'),
        ownerId: scope.account,
        ipamRegion: scope.region,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        operatingRegions: regions,
        privateDefaultScopeId: state.newId('ipam-scope-'),
        publicDefaultScopeId: state.newId('ipam-scope-'),
        tier,
        tags,
      };
      state.put(scope, ipam.ipamId, ipam);
      for (const [id, type] of [
        [ipam.privateDefaultScopeId, 'private'],
        [ipam.publicDefaultScopeId, 'public'],
      ] as const) {
        const record: IpamScopeRecord = {
          ipamScopeId: id,
          ownerId: scope.account,
          ipamId: ipam.ipamId,
          ipamRegion: scope.region,
          ipamScopeType: type,
          isDefault: true,
          tags: [],
        };
        state.put(scope, id, record);
      }
      return { id: ipam.ipamId, result: ipam };
    },
    (id) => state.get<IpamRecord>(scope, id),
  );
}

/**
 * DeleteIpam: refused while the IPAM has pools (`DependencyViolation`) unless `Cascade`, which
 * deletes its pools with their allocations and provisioned CIDRs (VPCs keep their blocks), then its
 * scopes.
 */
export function deleteIpam(state: Ec2State, scope: Scope, ipamId: string, cascade: boolean): IpamRecord {
  const ipam = state.require<IpamRecord>(scope, ipamId);
  const pools = poolsOf(state, scope).filter((p) => p.ipamId === ipamId);
  if (pools.length > 0 && !cascade) {
    // sandbox wording, after DeleteIpamPool's
    throw new DependencyViolation(
      `The specified action is not valid for ${ipamId}. There are one or more pools in the IPAM.`,
    );
  }
  state.runtime.store.transaction(() => {
    for (const pool of pools.filter((p) => p.poolDepth === 1)) removePool(state, pool);
    for (const s of state.list<IpamScopeRecord>(scope, IPAM_TABLES.scopes)) {
      if (s.ipamId === ipamId) state.delete(scope, s.ipamScopeId);
    }
    state.delete(scope, ipamId);
  });
  return ipam;
}

function netmaskRule(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (value < IPV4_NETMASK.min || value > IPV4_NETMASK.max)) {
    // sandbox wording
    throw new InvalidParameterValue(
      `Value (${value}) for parameter ${name} is invalid. Possible netmask lengths for IPv4 addresses are 0 - 32.`,
    );
  }
  return value;
}

/**
 * CreateIpamPool: an IPv4 pool in a private scope of the caller's IPAM, top-level or inside
 * `SourceIpamPoolId` (same scope, at most 10 deep; a child of a pool with a locale has that locale).
 * `Locale` must be one of the IPAM's operating regions. The allocation rules default to /0–/32.
 */
export function createIpamPool(state: Ec2State, scope: Scope, input: CreateIpamPoolInput): IpamPoolRecord {
  const ipamScope = state.require<IpamScopeRecord>(scope, input.IpamScopeId);
  const ipam = state.require<IpamRecord>(scope, ipamScope.ipamId);
  if (input.AddressFamily !== 'ipv4' && input.AddressFamily !== 'ipv6') {
    throw new InvalidParameterValue(`Value (${input.AddressFamily}) for parameter addressFamily is invalid.`);
  }
  if (input.AddressFamily === 'ipv6' || ipamScope.ipamScopeType === 'public') {
    throw new InvalidParameterValue('The sandbox models IPv4 pools in a private scope only.');
  }
  if (input.Locale !== undefined && !ipam.operatingRegions.includes(input.Locale)) {
    // sandbox wording
    throw new InvalidParameterValue(
      `The locale ${input.Locale} is not one of the operating Regions of ${ipam.ipamId}: ${ipam.operatingRegions.join(', ')}.`,
    );
  }
  let depth = 1;
  if (input.SourceIpamPoolId !== undefined) {
    const source = ownPool(state, scope, input.SourceIpamPoolId);
    // sandbox wording for the three refusals below
    if (source.ipamScopeId !== ipamScope.ipamScopeId) {
      throw new InvalidParameterValue(
        `The source pool ${source.ipamPoolId} is not in the scope ${ipamScope.ipamScopeId}.`,
      );
    }
    if (source.locale !== undefined && input.Locale !== source.locale) {
      throw new InvalidParameterValue(
        `The locale of a pool inside ${source.ipamPoolId} must be its locale, ${source.locale}.`,
      );
    }
    depth = source.poolDepth + 1;
    if (depth > MAX_POOL_DEPTH) {
      throw new InvalidParameterValue(`A pool can be at most ${MAX_POOL_DEPTH} levels deep.`);
    }
  }
  const min = netmaskRule(input.AllocationMinNetmaskLength, 'allocationMinNetmaskLength') ?? IPV4_NETMASK.min;
  const max = netmaskRule(input.AllocationMaxNetmaskLength, 'allocationMaxNetmaskLength') ?? IPV4_NETMASK.max;
  const fallback = netmaskRule(input.AllocationDefaultNetmaskLength, 'allocationDefaultNetmaskLength');
  // sandbox wording for both
  if (min > max) {
    throw new InvalidParameterValue('The minimum netmask length must be less than the maximum netmask length.');
  }
  if (fallback !== undefined && (fallback < min || fallback > max)) {
    throw new InvalidParameterValue(
      'The default netmask length must be between the minimum and the maximum netmask length.',
    );
  }
  const tags = tagsFor(input.TagSpecification, 'ipam-pool');
  const resourceTags: Tag[] = (input.AllocationResourceTag ?? []).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
  return idempotent(
    state,
    scope,
    'CreateIpamPool',
    input.ClientToken,
    input,
    () => {
      const pool: IpamPoolRecord = {
        ipamPoolId: state.newId('ipam-pool-'),
        ownerId: scope.account,
        ipamId: ipam.ipamId,
        ipamScopeId: ipamScope.ipamScopeId,
        ipamScopeType: ipamScope.ipamScopeType,
        ipamRegion: ipam.ipamRegion,
        ...(input.Locale !== undefined ? { locale: input.Locale } : {}),
        ...(input.SourceIpamPoolId !== undefined ? { sourceIpamPoolId: input.SourceIpamPoolId } : {}),
        poolDepth: depth,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        addressFamily: 'ipv4',
        autoImport: input.AutoImport === 'true',
        allocationMinNetmaskLength: min,
        allocationMaxNetmaskLength: max,
        ...(fallback !== undefined ? { allocationDefaultNetmaskLength: fallback } : {}),
        allocationResourceTags: resourceTags,
        tags,
        cidrs: [],
      };
      putPool(state, pool);
      return { id: pool.ipamPoolId, result: pool };
    },
    (id) => state.get<IpamPoolRecord>(scope, id),
  );
}

/** Deletes a pool, its child pools, its allocations and its CIDRs (releasing them in its parent). */
function removePool(state: Ec2State, pool: IpamPoolRecord): void {
  const owner = poolScope(pool);
  for (const child of poolsOf(state, owner).filter((p) => p.sourceIpamPoolId === pool.ipamPoolId)) {
    removePool(state, child);
  }
  for (const a of allocationsOf(state, pool)) deleteAllocation(state, pool, a);
  deprovisionAll(state, pool);
  state.delete(owner, pool.ipamPoolId);
  state.runtime.store.delete(IPAM_TABLES.poolIndex, pool.ipamPoolId);
}

/**
 * DeleteIpamPool: refused (`DependencyViolation`, in AWS's words) while CIDRs are provisioned to the
 * pool or pools are inside it, unless `Cascade`, which deletes them too.
 */
export function deleteIpamPool(state: Ec2State, scope: Scope, poolId: string, cascade: boolean): IpamPoolRecord {
  const pool = ownPool(state, scope, poolId);
  if (!cascade && pool.cidrs.some((c) => c.state !== 'failed-provision')) {
    throw new DependencyViolation(
      `The specified action is not valid for ${poolId}. There are one or more pool cidrs provisioned in the pool.`,
    );
  }
  if (!cascade && poolsOf(state, scope).some((p) => p.sourceIpamPoolId === poolId)) {
    // sandbox wording, after the one above
    throw new DependencyViolation(
      `The specified action is not valid for ${poolId}. There are one or more pools in the pool.`,
    );
  }
  state.runtime.store.transaction(() => removePool(state, pool));
  return pool;
}

const IPAM_FILTERS = ['ipam-id', 'owner-id', 'ipam-region', 'description'];
const SCOPE_FILTERS = ['ipam-scope-id', 'ipam-id', 'ipam-arn', 'owner-id', 'ipam-scope-type', 'is-default'];
const POOL_FILTERS = [
  'ipam-pool-id',
  'ipam-scope-id',
  'ipam-scope-type',
  'owner-id',
  'locale',
  'address-family',
  'source-ipam-pool-id',
  'pool-depth',
  'description',
  'state',
];

/** IPAMs, scopes and pools. */
export function ipamOperations(state: Ec2State): Record<string, OperationHandler> {
  const truthy = (v: unknown) => v === 'true' || v === true;
  return {
    CreateIpam(input, ctx) {
      const ipam = createIpam(state, state.scope(ctx), parseInput(CreateIpamSchema, input));
      return { ipam: ipamView(ipam, 'create-in-progress') };
    },

    DescribeIpams(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'IpamId');
      const { filter, max, token } = describeInput(input);
      for (const id of ids ?? []) state.require(scope, id);
      const ipams = state
        .list<IpamRecord>(scope, IPAM_TABLES.ipams)
        .filter((i) => !ids || ids.includes(i.ipamId))
        .filter((i) =>
          matchesFilters(filter, (name) => {
            const values: Record<string, string[]> = {
              'ipam-id': [i.ipamId],
              'owner-id': [i.ownerId],
              'ipam-region': [i.ipamRegion],
              description: i.description === undefined ? [] : [i.description],
            };
            return IPAM_FILTERS.includes(name) ? values[name] : tagFilter(i.tags, name);
          }),
        );
      const { page, next } = paginate(ipams, token, max);
      return { ipamSet: page.map((i) => ipamView(i, 'create-complete')), nextToken: next };
    },

    DeleteIpam(input, ctx) {
      const ipam = deleteIpam(state, state.scope(ctx), required(input, 'IpamId'), truthy(input.Cascade));
      return { ipam: ipamView(ipam, 'delete-in-progress') };
    },

    DescribeIpamScopes(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'IpamScopeId');
      const { filter, max, token } = describeInput(input);
      for (const id of ids ?? []) state.require(scope, id);
      const pools = poolsOf(state, scope);
      const scopes = state
        .list<IpamScopeRecord>(scope, IPAM_TABLES.scopes)
        .filter((s) => !ids || ids.includes(s.ipamScopeId))
        .filter((s) =>
          matchesFilters(filter, (name) => {
            const values: Record<string, string[]> = {
              'ipam-scope-id': [s.ipamScopeId],
              'ipam-id': [s.ipamId],
              'ipam-arn': [`arn:aws:ec2::${s.ownerId}:ipam/${s.ipamId}`],
              'owner-id': [s.ownerId],
              'ipam-scope-type': [s.ipamScopeType],
              'is-default': [String(s.isDefault)],
            };
            return SCOPE_FILTERS.includes(name) ? values[name] : tagFilter(s.tags, name);
          }),
        );
      const { page, next } = paginate(scopes, token, max);
      return {
        ipamScopeSet: page.map((s) => scopeView(s, pools.filter((p) => p.ipamScopeId === s.ipamScopeId).length)),
        nextToken: next,
      };
    },

    CreateIpamPool(input, ctx) {
      const pool = createIpamPool(state, state.scope(ctx), parseInput(CreateIpamPoolSchema, input));
      return { ipamPool: poolView(pool, 'create-in-progress') };
    },

    /**
     * The caller's pools in the region (its IPAMs' home region) and the pools shared with it whose
     * locale is the region.
     */
    DescribeIpamPools(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'IpamPoolId');
      const { filter, max, token } = describeInput(input);
      for (const id of ids ?? []) usablePool(state, scope, id);
      const shared = state.runtime.store
        .list<{ ownerId: string; region: string }>(IPAM_TABLES.poolIndex)
        .filter((at) => at.ownerId !== scope.account);
      const others = [...new Set(shared.map((at) => `${at.ownerId}/${at.region}`))].flatMap((key) => {
        const [account = '', region = ''] = key.split('/');
        return poolsOf(state, { account, region }).filter(
          (p) => p.locale === scope.region && mayUsePool(state, scope, p),
        );
      });
      const pools = [...poolsOf(state, scope), ...others]
        .filter((p) => !ids || ids.includes(p.ipamPoolId))
        .filter((p) =>
          matchesFilters(filter, (name) => {
            const values: Record<string, string[]> = {
              'ipam-pool-id': [p.ipamPoolId],
              'ipam-scope-id': [p.ipamScopeId],
              'ipam-scope-type': [p.ipamScopeType],
              'owner-id': [p.ownerId],
              locale: [p.locale ?? 'None'],
              'address-family': [p.addressFamily],
              'source-ipam-pool-id': p.sourceIpamPoolId ? [p.sourceIpamPoolId] : [],
              'pool-depth': [String(p.poolDepth)],
              description: p.description === undefined ? [] : [p.description],
              state: ['create-complete'],
            };
            return POOL_FILTERS.includes(name) ? values[name] : tagFilter(p.tags, name);
          }),
        );
      const { page, next } = paginate(pools, token, max);
      return { ipamPoolSet: page.map((p) => poolView(p, 'create-complete')), nextToken: next };
    },

    DeleteIpamPool(input, ctx) {
      const pool = deleteIpamPool(state, state.scope(ctx), required(input, 'IpamPoolId'), truthy(input.Cascade));
      return { ipamPool: poolView(pool, 'delete-in-progress') };
    },
  };
}
