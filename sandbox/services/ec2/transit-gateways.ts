import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { isSharedWith } from '../ram/sharing';
import { describeInput } from './describe';
import { IncorrectState, NotFound } from './errors';
import { checkFilterNames, matchesFilters, tagFilter } from './filters';
import { list, parseInput, required, TagSpecificationSchema } from './input';
import {
  EC2_TABLES,
  type Scope,
  type Tag,
  type TransitGatewayAttachmentRecord,
  type TransitGatewayOptionsRecord,
  type TransitGatewayRecord,
  tagSet,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';
import { deleteRouteTablesOfGateway, withDefaultRouteTable } from './transit-gateway-routing';

/** The sandbox's Transit Gateway id, owned by the network account (the CDK context's `vendguard:transitGatewayId`). */
export const SANDBOX_TRANSIT_GATEWAY_ID = 'tgw-0123456789abcdef0';

/**
 * Transit gateways (their VPC attachments: `transit-gateway-attachments.ts`). A gateway lives in its
 * owner's account; a VPC attachment in the account of the VPC it attaches, and it may name a gateway
 * of another account when that account shares the gateway through RAM (`isSharedWith`, see
 * `sandbox/services/ram/sharing.ts`): an account it is shared with sees it in DescribeTransitGateways
 * and may attach its VPCs to it; to any other it does not exist. Gateways go straight to `available`
 * (no `pending`); an attachment to a shared gateway whose `AutoAcceptSharedAttachments` is off waits in
 * `pendingAcceptance` for its owner's AcceptTransitGatewayVpcAttachment.
 */

/** A transit gateway's options when the request leaves them out (AWS's defaults). */
const DEFAULT_OPTIONS: TransitGatewayOptionsRecord = {
  amazonSideAsn: 64512,
  autoAcceptSharedAttachments: 'disable',
  defaultRouteTableAssociation: 'enable',
  defaultRouteTablePropagation: 'enable',
  vpnEcmpSupport: 'enable',
  dnsSupport: 'enable',
  securityGroupReferencingSupport: 'disable',
  multicastSupport: 'disable',
};

/** An optional `enable` / `disable` request parameter. */
export const toggle = z.optional(z.enum(['enable', 'disable']));

/** A gateway's `Options` as CreateTransitGateway checks them (also the CloudFormation provider's). */
export const GatewayOptionsSchema = z.looseObject({
  AmazonSideAsn: z.optional(z.coerce.number().check(z.int())),
  AutoAcceptSharedAttachments: toggle,
  DefaultRouteTableAssociation: toggle,
  DefaultRouteTablePropagation: toggle,
  VpnEcmpSupport: toggle,
  DnsSupport: toggle,
  SecurityGroupReferencingSupport: toggle,
  MulticastSupport: toggle,
});
const CreateGatewaySchema = z.looseObject({
  Description: z.optional(z.string()),
  Options: z.optional(GatewayOptionsSchema),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});

const gatewayIndexKey = (region: string, id: string) => `${region}/${id}`;
/** The key of an attachment in the attachment index (`EC2_TABLES.tgwAttachmentIndex`). */
export const attachmentIndexKey = (region: string, gatewayId: string, id: string) => `${region}/${gatewayId}/${id}`;

/** The account that owns a transit gateway of `region`, or undefined. */
export function transitGatewayOwner(state: Ec2State, region: string, id: string): string | undefined {
  return state.runtime.store.get<{ ownerId: string }>(EC2_TABLES.tgwIndex, gatewayIndexKey(region, id))?.ownerId;
}

/** A transit gateway's ARN (what RAM shares). */
export const transitGatewayArn = (region: string, owner: string, id: string): string =>
  `arn:aws:ec2:${region}:${owner}:transit-gateway/${id}`;

/** Whether `scope`'s account may use gateway `id` that `owner` owns: its own, or one RAM shares with it. */
function sharedWith(state: Ec2State, scope: Scope, owner: string, id: string): boolean {
  return (
    owner === scope.account || isSharedWith(state.runtime, transitGatewayArn(scope.region, owner, id), scope.account)
  );
}

/** The transit gateway `id` of the scope's region if the scope's account may use it. */
export function findTransitGateway(state: Ec2State, scope: Scope, id: string): TransitGatewayRecord | undefined {
  const owner = transitGatewayOwner(state, scope.region, id);
  if (owner === undefined || !sharedWith(state, scope, owner, id)) return undefined;
  return state.get<TransitGatewayRecord>({ account: owner, region: scope.region }, id);
}

/** {@link findTransitGateway}, or `InvalidTransitGatewayID.NotFound`. */
export function requireTransitGateway(state: Ec2State, scope: Scope, id: string): TransitGatewayRecord {
  const gateway = findTransitGateway(state, scope, id);
  if (!gateway) {
    throw new NotFound('InvalidTransitGatewayID.NotFound', `Transit Gateway ${id} was deleted or does not exist.`);
  }
  return gateway;
}

/** Every VPC attachment to a gateway, whichever account's VPC it attaches. */
export function attachmentsOfGateway(
  state: Ec2State,
  region: string,
  gatewayId: string,
): TransitGatewayAttachmentRecord[] {
  const { store } = state.runtime;
  return store
    .list<{ vpcOwnerId: string; id: string }>(EC2_TABLES.tgwAttachmentIndex, attachmentIndexKey(region, gatewayId, ''))
    .flatMap((entry) => {
      const found = state.get<TransitGatewayAttachmentRecord>({ account: entry.vpcOwnerId, region }, entry.id);
      return found ? [found] : [];
    });
}

/**
 * Stores a transit gateway and indexes it by region (seeding gives its own id, CreateTransitGateway a
 * new one), with its default route table when its options ask for one; returns what was stored.
 */
export function putTransitGateway(state: Ec2State, scope: Scope, gateway: TransitGatewayRecord): TransitGatewayRecord {
  return state.runtime.store.transaction(() => {
    const stored = withDefaultRouteTable(state, scope, gateway);
    state.put(scope, stored.transitGatewayId, stored);
    state.runtime.store.put(EC2_TABLES.tgwIndex, gatewayIndexKey(scope.region, stored.transitGatewayId), {
      ownerId: scope.account,
    });
    return stored;
  });
}

/** A new transit gateway record in `scope` (created `available`, with AWS's default options). */
export function newTransitGateway(
  state: Ec2State,
  scope: Scope,
  request: { id?: string; description?: string; options?: Partial<TransitGatewayOptionsRecord>; tags: Tag[] },
): TransitGatewayRecord {
  return {
    transitGatewayId: request.id ?? state.newId('tgw-'),
    ownerId: scope.account,
    ...(request.description !== undefined ? { description: request.description } : {}),
    creationTime: state.runtime.clock.now().toISOString(),
    options: { ...DEFAULT_OPTIONS, ...request.options },
    tags: request.tags,
  };
}

/**
 * DeleteTransitGateway: the owner's gateway only, refused (`IncorrectState`) while VPC attachments
 * remain; its route tables go with it.
 */
export function deleteTransitGateway(state: Ec2State, scope: Scope, id: string): TransitGatewayRecord {
  const gateway = state.require<TransitGatewayRecord>(scope, id);
  const attachments = attachmentsOfGateway(state, scope.region, id);
  if (attachments.length > 0) {
    const ids = attachments.map((a) => a.transitGatewayAttachmentId).join(', ');
    throw new IncorrectState(`${id} has non-deleted VPC Attachments: ${ids}.`);
  }
  state.runtime.store.transaction(() => {
    deleteRouteTablesOfGateway(state, scope, id);
    state.delete(scope, id);
    state.runtime.store.delete(EC2_TABLES.tgwIndex, gatewayIndexKey(scope.region, id));
  });
  return gateway;
}

/** A gateway as `DescribeTransitGateways` shows it to `viewer` (tags are the owner's own: RAM does not share them). */
export function transitGatewayView(
  g: TransitGatewayRecord,
  region: string,
  viewer: string,
  state = 'available',
): Record<string, unknown> {
  return {
    transitGatewayId: g.transitGatewayId,
    transitGatewayArn: `arn:aws:ec2:${region}:${g.ownerId}:transit-gateway/${g.transitGatewayId}`,
    state,
    ownerId: g.ownerId,
    description: g.description,
    creationTime: g.creationTime,
    options: g.options,
    tagSet: g.ownerId === viewer ? tagSet(g.tags) : [],
  };
}

const GATEWAY_FILTERS = new Set([
  'transit-gateway-id',
  'owner-id',
  'state',
  'options.amazon-side-asn',
  'options.auto-accept-shared-attachments',
  'options.default-route-table-association',
  'options.default-route-table-propagation',
  'options.association-default-route-table-id',
  'options.propagation-default-route-table-id',
  'options.dns-support',
  'options.vpn-ecmp-support',
]);
const isTagFilter = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** The gateways of the scope's region its account may see: its own and those RAM shares with it. */
function visibleGateways(state: Ec2State, scope: Scope): TransitGatewayRecord[] {
  const owners = new Set(
    state.runtime.store.list<{ ownerId: string }>(EC2_TABLES.tgwIndex, `${scope.region}/`).map((e) => e.ownerId),
  );
  return [...owners]
    .flatMap((owner) => state.list<TransitGatewayRecord>({ account: owner, region: scope.region }, EC2_TABLES.tgws))
    .filter((g) => sharedWith(state, scope, g.ownerId, g.transitGatewayId));
}

/** CreateTransitGateway, DescribeTransitGateways and DeleteTransitGateway. */
export function transitGatewayOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateTransitGateway(raw, ctx) {
      const scope = state.scope(ctx);
      const input = parseInput(CreateGatewaySchema, raw);
      const o = input.Options ?? {};
      const options: Partial<TransitGatewayOptionsRecord> = {
        ...(o.AmazonSideAsn !== undefined ? { amazonSideAsn: o.AmazonSideAsn } : {}),
        ...(o.AutoAcceptSharedAttachments ? { autoAcceptSharedAttachments: o.AutoAcceptSharedAttachments } : {}),
        ...(o.DefaultRouteTableAssociation ? { defaultRouteTableAssociation: o.DefaultRouteTableAssociation } : {}),
        ...(o.DefaultRouteTablePropagation ? { defaultRouteTablePropagation: o.DefaultRouteTablePropagation } : {}),
        ...(o.VpnEcmpSupport ? { vpnEcmpSupport: o.VpnEcmpSupport } : {}),
        ...(o.DnsSupport ? { dnsSupport: o.DnsSupport } : {}),
        ...(o.SecurityGroupReferencingSupport
          ? { securityGroupReferencingSupport: o.SecurityGroupReferencingSupport }
          : {}),
        ...(o.MulticastSupport ? { multicastSupport: o.MulticastSupport } : {}),
      };
      const gateway = newTransitGateway(state, scope, {
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        options,
        tags: tagsFor(input.TagSpecification, 'transit-gateway'),
      });
      const stored = putTransitGateway(state, scope, gateway);
      return { transitGateway: transitGatewayView(stored, scope.region, scope.account) };
    },

    DescribeTransitGateways(raw, ctx) {
      const scope = state.scope(ctx);
      const ids = list(raw, 'TransitGatewayIds');
      const { filter, max, token } = describeInput(raw);
      checkFilterNames(filter, (name) => GATEWAY_FILTERS.has(name) || isTagFilter(name));
      for (const id of ids ?? []) requireTransitGateway(state, scope, id);
      const gateways = visibleGateways(state, scope)
        .filter((g) => !ids || ids.includes(g.transitGatewayId))
        .filter((g) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'transit-gateway-id':
                return [g.transitGatewayId];
              case 'owner-id':
                return [g.ownerId];
              case 'state':
                return ['available'];
              case 'options.amazon-side-asn':
                return [String(g.options.amazonSideAsn)];
              case 'options.auto-accept-shared-attachments':
                return [g.options.autoAcceptSharedAttachments];
              case 'options.default-route-table-association':
                return [g.options.defaultRouteTableAssociation];
              case 'options.default-route-table-propagation':
                return [g.options.defaultRouteTablePropagation];
              case 'options.association-default-route-table-id':
                return g.options.associationDefaultRouteTableId ? [g.options.associationDefaultRouteTableId] : [];
              case 'options.propagation-default-route-table-id':
                return g.options.propagationDefaultRouteTableId ? [g.options.propagationDefaultRouteTableId] : [];
              case 'options.dns-support':
                return [g.options.dnsSupport];
              case 'options.vpn-ecmp-support':
                return [g.options.vpnEcmpSupport];
              default:
                return tagFilter(g.ownerId === scope.account ? g.tags : [], name);
            }
          }),
        );
      const { page, next } = paginate(gateways, token, max);
      return {
        transitGatewaySet: page.map((g) => transitGatewayView(g, scope.region, scope.account)),
        nextToken: next,
      };
    },

    DeleteTransitGateway(raw, ctx) {
      const scope = state.scope(ctx);
      // only the owner may delete a gateway: another account's is not found in the caller's scope
      const gateway = deleteTransitGateway(state, scope, required(raw, 'TransitGatewayId'));
      return { transitGateway: transitGatewayView(gateway, scope.region, scope.account, 'deleting') };
    },
  };
}
