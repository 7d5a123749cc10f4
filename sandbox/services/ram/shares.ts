import { associate, disassociate, disassociateAll } from './associations';
import {
  idempotentParameterMismatch,
  invalidParameter,
  invalidResourceType,
  malformedArn,
  shareNotFound,
} from './errors';
import {
  AssociationChangeSchema,
  type CreateResourceShareRequest,
  CreateResourceShareSchema,
  DeleteResourceShareSchema,
  GetResourceShareAssociationsSchema,
  GetResourceSharesSchema,
  ListResourcesSchema,
  page,
  parseInput,
} from './input';
import {
  type AssociationRecord,
  parseShareArn,
  RAM_TABLES,
  type RamState,
  type ShareRecord,
  seededUuid,
  shareArnOf,
} from './model';
import { SHAREABLE_TYPES } from './resources';
import { covers } from './sharing';
import { associationView, resourceView, shareView } from './views';

/**
 * The resource share operations: `CreateResourceShare`, `AssociateResourceShare`,
 * `DisassociateResourceShare`, `DeleteResourceShare`, `GetResourceShares`,
 * `GetResourceShareAssociations`, `ListResources`. A share lives in its owner's account and the
 * region of the call; only its owner changes it or lists its associations.
 */

/** The caller's account and the request's region. */
export interface Caller {
  readonly account: string;
  readonly region: string;
}

type Input = Record<string, unknown>;

const RESOURCE_OWNERS = ['SELF', 'OTHER-ACCOUNTS'];
const SHARE_STATUSES = ['PENDING', 'ACTIVE', 'FAILED', 'DELETING', 'DELETED'];
const ASSOCIATION_STATUSES = ['ASSOCIATING', 'ASSOCIATED', 'FAILED', 'DISASSOCIATING', 'DISASSOCIATED'];

function resourceOwner(value: string): 'SELF' | 'OTHER-ACCOUNTS' {
  if (!RESOURCE_OWNERS.includes(value)) {
    throw invalidParameter(
      `${value} is not a valid resource owner. Specify either SELF or OTHER-ACCOUNTS and try again.`,
    );
  }
  return value as 'SELF' | 'OTHER-ACCOUNTS';
}

/** A share of the caller's, in the region, not deleted: else `UnknownResourceException` (`MalformedArnException` for no share ARN). */
export function ownedShare(state: RamState, caller: Caller, arn: string): ShareRecord {
  if (!parseShareArn(arn)) {
    throw malformedArn(`The specified resource share ARN ${arn} is not valid. Verify the ARN and try again.`);
  }
  const share = state.share(arn);
  if (!share || share.owner !== caller.account || share.region !== caller.region || share.status !== 'ACTIVE') {
    throw shareNotFound(arn);
  }
  return share;
}

/** Whether a share of another account is shared with the caller (an `ASSOCIATED` principal covers it). */
function sharedWithCaller(state: RamState, caller: Caller, share: ShareRecord): boolean {
  return (
    share.owner !== caller.account &&
    share.status === 'ACTIVE' &&
    state
      .principalsOf(share.arn)
      .some((p) => p.status === 'ASSOCIATED' && covers(state.runtime, p.entity, caller.account))
  );
}

/** The shares `resourceOwner` names for the caller in the region. */
function visibleShares(state: RamState, caller: Caller, owner: 'SELF' | 'OTHER-ACCOUNTS'): ShareRecord[] {
  return state
    .sharesIn(caller.region)
    .filter((s) => (owner === 'SELF' ? s.owner === caller.account : sharedWithCaller(state, caller, s)));
}

/** A request's own description, to tell a retry (same client token, same request) from a mismatch. */
const fingerprint = (request: CreateResourceShareRequest): string =>
  JSON.stringify([
    request.name,
    [...(request.resourceArns ?? [])].sort(),
    [...(request.principals ?? [])].sort(),
    request.allowExternalPrincipals ?? true,
    request.tags ?? [],
  ]);

export function shareOperations(state: RamState) {
  return {
    CreateResourceShare(caller: Caller, raw: Input) {
      const request = parseInput(CreateResourceShareSchema, raw);
      const token = request.clientToken;
      if (token !== undefined) {
        const seen = state.store.get<{ shareArn: string; fingerprint: string }>(
          RAM_TABLES.clientTokens,
          `${caller.account}/${token}`,
        );
        if (seen) {
          const share = state.share(seen.shareArn);
          if (seen.fingerprint !== fingerprint(request) || !share) throw idempotentParameterMismatch(token);
          return { resourceShare: shareView(share, caller.account), clientToken: token };
        }
      }
      const now = state.runtime.clock.nowMs();
      const share: ShareRecord = {
        arn: shareArnOf(
          caller.region,
          caller.account,
          seededUuid(() => state.runtime.random()),
        ),
        name: request.name,
        owner: caller.account,
        region: caller.region,
        allowExternalPrincipals: request.allowExternalPrincipals ?? true,
        status: 'ACTIVE',
        tags: (request.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
        createdMs: now,
        updatedMs: now,
      };
      const clientToken = token ?? seededUuid(() => state.runtime.random());
      state.store.transaction(() => {
        state.putShare(share);
        associate(state, share, request);
        state.store.put(RAM_TABLES.clientTokens, `${caller.account}/${clientToken}`, {
          shareArn: share.arn,
          fingerprint: fingerprint(request),
        });
      });
      return { resourceShare: shareView(state.share(share.arn) ?? share, caller.account), clientToken };
    },

    AssociateResourceShare(caller: Caller, raw: Input) {
      const request = parseInput(AssociationChangeSchema, raw);
      const share = ownedShare(state, caller, request.resourceShareArn);
      const made = associate(state, share, request);
      return {
        resourceShareAssociations: made.map((a) => associationView(a, share.name)),
        clientToken: request.clientToken ?? seededUuid(() => state.runtime.random()),
      };
    },

    DisassociateResourceShare(caller: Caller, raw: Input) {
      const request = parseInput(AssociationChangeSchema, raw);
      const share = ownedShare(state, caller, request.resourceShareArn);
      const changed = disassociate(state, share, request);
      return {
        resourceShareAssociations: changed.map((a) => associationView(a, share.name)),
        clientToken: request.clientToken ?? seededUuid(() => state.runtime.random()),
      };
    },

    DeleteResourceShare(caller: Caller, raw: Input) {
      const request = parseInput(DeleteResourceShareSchema, raw);
      const share = ownedShare(state, caller, request.resourceShareArn);
      const now = state.runtime.clock.nowMs();
      state.store.transaction(() => {
        disassociateAll(state, share);
        state.putShare({ ...share, status: 'DELETED', updatedMs: now });
      });
      return { returnValue: true, clientToken: request.clientToken ?? seededUuid(() => state.runtime.random()) };
    },

    GetResourceShares(caller: Caller, raw: Input) {
      const request = parseInput(GetResourceSharesSchema, raw);
      const owner = resourceOwner(request.resourceOwner);
      if (owner === 'OTHER-ACCOUNTS' && request.tagFilters !== undefined) {
        throw invalidParameter(
          'You cannot use resourceOwner set to OTHER-ACCOUNTS and tagFilters in one request. Specify one parameter and try again.',
        );
      }
      if (request.resourceShareStatus !== undefined && !SHARE_STATUSES.includes(request.resourceShareStatus)) {
        throw invalidParameter(`${request.resourceShareStatus} is not a valid resource share status.`);
      }
      const shares = visibleShares(state, caller, owner)
        .filter((s) => !request.resourceShareArns || request.resourceShareArns.includes(s.arn))
        .filter((s) => request.resourceShareStatus === undefined || s.status === request.resourceShareStatus)
        .filter((s) => request.name === undefined || s.name === request.name)
        .filter((s) =>
          (request.tagFilters ?? []).every((f) =>
            s.tags.some(
              (t) =>
                (f.tagKey === undefined || t.key === f.tagKey) &&
                (!f.tagValues?.length || f.tagValues.includes(t.value)),
            ),
          ),
        );
      const { page: items, next } = page(shares, request);
      return { resourceShares: items.map((s) => shareView(s, caller.account)), nextToken: next };
    },

    GetResourceShareAssociations(caller: Caller, raw: Input) {
      const request = parseInput(GetResourceShareAssociationsSchema, raw);
      const type = request.associationType;
      if (type !== 'PRINCIPAL' && type !== 'RESOURCE') {
        throw invalidParameter(
          `${type} is not a valid association type. Specify either PRINCIPAL or RESOURCE and try again.`,
        );
      }
      if (type === 'PRINCIPAL' && request.resourceArn !== undefined) {
        throw invalidParameter('You cannot specify a resource ARN when the association type is PRINCIPAL.');
      }
      if (type === 'RESOURCE' && request.principal !== undefined) {
        throw invalidParameter('You cannot specify a principal when the association type is RESOURCE.');
      }
      const status = request.associationStatus;
      if (status !== undefined && !ASSOCIATION_STATUSES.includes(status)) {
        throw invalidParameter(`${status} is not a valid association status.`);
      }
      const shares = visibleShares(state, caller, 'SELF').filter(
        (s) => !request.resourceShareArns || request.resourceShareArns.includes(s.arn),
      );
      const names = new Map(shares.map((s) => [s.arn, s.name]));
      const associations = shares
        .flatMap((s) => (type === 'PRINCIPAL' ? state.principalsOf(s.arn) : state.resourcesOf(s.arn)))
        .filter((a) => status === undefined || a.status === status)
        .filter(
          (a) =>
            (request.resourceArn ?? request.principal) === undefined ||
            a.entity === (request.resourceArn ?? request.principal),
        );
      const { page: items, next } = page(associations, request);
      return {
        resourceShareAssociations: items.map((a) => associationView(a, names.get(a.shareArn))),
        nextToken: next,
      };
    },

    ListResources(caller: Caller, raw: Input) {
      const request = parseInput(ListResourcesSchema, raw);
      const owner = resourceOwner(request.resourceOwner);
      const type = request.resourceType;
      if (type !== undefined && !SHAREABLE_TYPES.some((t) => t.type.toLowerCase() === type.toLowerCase())) {
        throw invalidResourceType(type);
      }
      const scope = request.resourceRegionScope ?? 'ALL';
      if (!['ALL', 'REGIONAL', 'GLOBAL'].includes(scope)) {
        throw invalidParameter(
          `${scope} is not a valid resource region scope value. Specify a valid value and try again.`,
        );
      }
      const shares = visibleShares(state, caller, owner)
        .filter((s) => s.status === 'ACTIVE')
        .filter((s) => !request.resourceShareArns || request.resourceShareArns.includes(s.arn))
        .filter(
          (s) =>
            request.principal === undefined ||
            state.principalsOf(s.arn).some((p) => p.status === 'ASSOCIATED' && p.entity === request.principal),
        );
      const resources: AssociationRecord[] = shares
        .flatMap((s) => state.resourcesOf(s.arn))
        .filter((a) => a.status === 'ASSOCIATED')
        .filter((a) => !request.resourceArns || request.resourceArns.includes(a.entity))
        .filter((a) => type === undefined || a.resourceType?.toLowerCase() === type.toLowerCase())
        .filter((a) => scope === 'ALL' || resourceView(a).resourceRegionScope === scope);
      const { page: items, next } = page(resources, request);
      return { resources: items.map(resourceView), nextToken: next };
    },
  };
}
