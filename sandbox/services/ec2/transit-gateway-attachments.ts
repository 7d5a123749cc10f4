import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { describeInput } from './describe';
import { Ec2Error, IncorrectState, MissingParameter, NotFound } from './errors';
import { checkFilterNames, matchesFilters, tagFilter } from './filters';
import { list, parseInput, required, TagSpecificationSchema } from './input';
import {
  EC2_TABLES,
  type Scope,
  type SubnetRecord,
  scopedId,
  type Tag,
  type Toggle,
  type TransitGatewayAttachmentOptionsRecord,
  type TransitGatewayAttachmentRecord,
  type TransitGatewayRecord,
  tagSet,
  type VpcRecord,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';
import { applyDefaultRouting, forgetAttachment } from './transit-gateway-routing';
import { attachmentIndexKey, attachmentsOfGateway, requireTransitGateway, toggle } from './transit-gateways';

/**
 * Transit gateway VPC attachments: in the account of the VPC they attach, to a gateway of that
 * account or of another account that shares it through RAM (see `transit-gateways.ts`). The
 * gateway's owner sees and may delete the attachments to its gateway too, and accepts the ones that
 * wait for it (`pendingAcceptance`: its `AutoAcceptSharedAttachments` is off).
 */

/** A VPC attachment's options when the request leaves them out (AWS's defaults). */
const DEFAULT_ATTACHMENT_OPTIONS: TransitGatewayAttachmentOptionsRecord = {
  dnsSupport: 'enable',
  securityGroupReferencingSupport: 'enable',
  ipv6Support: 'disable',
  applianceModeSupport: 'disable',
};

const AttachmentOptionsSchema = z.looseObject({
  DnsSupport: toggle,
  SecurityGroupReferencingSupport: toggle,
  Ipv6Support: toggle,
  ApplianceModeSupport: toggle,
});
/** The SDK and the CLI send this call's tags as `TagSpecifications.N` (the model gives it no `TagSpecification` name). */
const CreateAttachmentSchema = z.looseObject({
  Options: z.optional(AttachmentOptionsSchema),
  TagSpecifications: z.optional(z.array(TagSpecificationSchema)),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});

/** Attachment options as a request gives them (`DnsSupport: 'enable'`, …). */
export type AttachmentOptionsRequest = z.infer<typeof AttachmentOptionsSchema>;

/** Attachment options from a request or a template (`enable`/`disable` each, else `InvalidParameterValue`). */
export function parseAttachmentOptions(raw: Record<string, unknown>): AttachmentOptionsRequest {
  return parseInput(AttachmentOptionsSchema, raw);
}

/**
 * The subnets of a VPC attachment: each one in the attached VPC (another VPC's is missing, as AWS
 * reports it: `InvalidSubnetID.NotFound`), at most one per Availability Zone (`DuplicateSubnetsInSameZone`).
 */
function attachmentSubnets(state: Ec2State, scope: Scope, vpcId: string, subnetIds: readonly string[]): string[] {
  if (subnetIds.length === 0) throw new MissingParameter('SubnetIds');
  const zones = new Set<string>();
  for (const id of subnetIds) {
    const subnet = state.get<SubnetRecord>(scope, id);
    if (!subnet || subnet.vpcId !== vpcId || !id.startsWith('subnet-')) {
      throw new NotFound('InvalidSubnetID.NotFound', `Subnet ${id} was deleted or does not exist.`);
    }
    if (zones.has(subnet.availabilityZone)) {
      throw new Ec2Error('DuplicateSubnetsInSameZone', 'Duplicate Subnets for same AZ');
    }
    zones.add(subnet.availabilityZone);
  }
  return [...subnetIds];
}

function attachmentOptions(request: AttachmentOptionsRequest | undefined): TransitGatewayAttachmentOptionsRecord {
  const pick = (value: Toggle | undefined, fallback: Toggle) => value ?? fallback;
  const d = DEFAULT_ATTACHMENT_OPTIONS;
  return {
    dnsSupport: pick(request?.DnsSupport, d.dnsSupport),
    securityGroupReferencingSupport: pick(request?.SecurityGroupReferencingSupport, d.securityGroupReferencingSupport),
    ipv6Support: pick(request?.Ipv6Support, d.ipv6Support),
    applianceModeSupport: pick(request?.ApplianceModeSupport, d.applianceModeSupport),
  };
}

/** What CreateTransitGatewayVpcAttachment (and `AWS::EC2::TransitGatewayAttachment`) asks for. */
export interface AttachmentRequest {
  transitGatewayId: string;
  vpcId: string;
  subnetIds: readonly string[];
  options?: AttachmentOptionsRequest | undefined;
  tags: Tag[];
}

/**
 * CreateTransitGatewayVpcAttachment: attaches a VPC of the caller's to a gateway it may use (its own
 * or, for now, any of its organization's in the region), through one subnet per zone; one attachment
 * per VPC and gateway (`DuplicateTransitGatewayAttachment`).
 */
export function createTransitGatewayVpcAttachment(
  state: Ec2State,
  scope: Scope,
  request: AttachmentRequest,
): TransitGatewayAttachmentRecord {
  const gateway = requireTransitGateway(state, scope, request.transitGatewayId);
  const vpc = state.require<VpcRecord>(scope, request.vpcId);
  const subnetIds = attachmentSubnets(state, scope, vpc.vpcId, request.subnetIds);
  const duplicate = attachmentsOfGateway(state, scope.region, gateway.transitGatewayId).some(
    (a) => a.vpcId === vpc.vpcId && a.vpcOwnerId === scope.account,
  );
  if (duplicate) {
    throw new Ec2Error(
      'DuplicateTransitGatewayAttachment',
      `${gateway.transitGatewayId} has non-deleted Transit Gateway Attachments with same VPC ID.`,
    );
  }
  const attachment: TransitGatewayAttachmentRecord = {
    transitGatewayAttachmentId: state.newId('tgw-attach-'),
    transitGatewayId: gateway.transitGatewayId,
    transitGatewayOwnerId: gateway.ownerId,
    vpcId: vpc.vpcId,
    vpcOwnerId: scope.account,
    subnetIds,
    creationTime: state.runtime.clock.now().toISOString(),
    options: attachmentOptions(request.options),
    tags: request.tags,
    // another account's gateway takes the attachment at once only when it accepts shared attachments
    ...(gateway.ownerId !== scope.account && gateway.options.autoAcceptSharedAttachments !== 'enable'
      ? { state: 'pendingAcceptance' as const }
      : {}),
  };
  const { store } = state.runtime;
  store.transaction(() => {
    state.put(scope, attachment.transitGatewayAttachmentId, attachment);
    store.put(
      EC2_TABLES.tgwAttachmentIndex,
      attachmentIndexKey(scope.region, gateway.transitGatewayId, attachment.transitGatewayAttachmentId),
      { vpcOwnerId: scope.account, id: attachment.transitGatewayAttachmentId },
    );
    // the gateway's default route table, when its options enable default association/propagation
    if (attachment.state !== 'pendingAcceptance') {
      applyDefaultRouting(state, scope.region, gateway, attachment.transitGatewayAttachmentId);
    }
  });
  return attachment;
}

/**
 * AcceptTransitGatewayVpcAttachment: the gateway's owner takes an attachment that waits in
 * `pendingAcceptance` (another account's is `InvalidTransitGatewayAttachmentID.NotFound`, one in
 * another state `IncorrectState`); it is `available` at once (on AWS `pending` first).
 */
export function acceptTransitGatewayVpcAttachment(
  state: Ec2State,
  scope: Scope,
  id: string,
): TransitGatewayAttachmentRecord {
  const attachment = requireAttachment(state, scope, id);
  const gateway = state.get<TransitGatewayRecord>(scope, attachment.transitGatewayId);
  if (attachment.transitGatewayOwnerId !== scope.account || !gateway) {
    throw new NotFound(
      'InvalidTransitGatewayAttachmentID.NotFound',
      `Transit Gateway Attachment ${id} was deleted or does not exist.`,
    );
  }
  if (attachment.state !== 'pendingAcceptance') {
    throw new IncorrectState(`Transit Gateway Attachment ${id} is not in pendingAcceptance state.`);
  }
  const { state: _pending, ...accepted } = attachment;
  state.runtime.store.transaction(() => {
    state.put({ account: attachment.vpcOwnerId, region: scope.region }, id, accepted);
    applyDefaultRouting(state, scope.region, gateway, id);
  });
  return accepted;
}

/**
 * Changes one of the scope's attachments in place, as ModifyTransitGatewayVpcAttachment does: its
 * subnets (checked as at creation), options and tags; the id stays.
 */
export function modifyTransitGatewayVpcAttachment(
  state: Ec2State,
  scope: Scope,
  id: string,
  change: { subnetIds?: readonly string[]; options?: AttachmentOptionsRequest | undefined; tags?: Tag[] },
): TransitGatewayAttachmentRecord {
  const attachment = state.require<TransitGatewayAttachmentRecord>(scope, id);
  const updated: TransitGatewayAttachmentRecord = {
    ...attachment,
    ...(change.subnetIds ? { subnetIds: attachmentSubnets(state, scope, attachment.vpcId, change.subnetIds) } : {}),
    ...(change.options ? { options: attachmentOptions(change.options) } : {}),
    ...(change.tags ? { tags: change.tags } : {}),
  };
  state.put(scope, id, updated);
  return updated;
}

/**
 * An attachment the scope's account may act on: one of its own VPC's, or one to a gateway it owns
 * (`InvalidTransitGatewayAttachmentID.NotFound` otherwise).
 */
function requireAttachment(state: Ec2State, scope: Scope, id: string): TransitGatewayAttachmentRecord {
  const own = id.startsWith('tgw-attach-') ? state.get<TransitGatewayAttachmentRecord>(scope, id) : undefined;
  if (own) return own;
  const owned = state.list<TransitGatewayRecord>(scope, EC2_TABLES.tgws);
  const found = owned
    .flatMap((g) => attachmentsOfGateway(state, scope.region, g.transitGatewayId))
    .find((a) => a.transitGatewayAttachmentId === id);
  if (found) return found;
  throw new NotFound(
    'InvalidTransitGatewayAttachmentID.NotFound',
    `Transit Gateway Attachment ${id} was deleted or does not exist.`,
  );
}

/**
 * DeleteTransitGatewayVpcAttachment, by the VPC's owner or the gateway's. Routes to the gateway in
 * the VPC's route tables stay and turn `blackhole`, as on AWS.
 */
export function deleteTransitGatewayVpcAttachment(
  state: Ec2State,
  scope: Scope,
  id: string,
): TransitGatewayAttachmentRecord {
  const attachment = requireAttachment(state, scope, id);
  const { store } = state.runtime;
  store.transaction(() => {
    store.delete(EC2_TABLES.tgwAttachments, scopedId({ account: attachment.vpcOwnerId, region: scope.region }, id));
    store.delete(EC2_TABLES.tgwAttachmentIndex, attachmentIndexKey(scope.region, attachment.transitGatewayId, id));
    // its association and propagations go; static routes to it in the gateway's route tables turn blackhole
    forgetAttachment(state, scope.region, attachment);
  });
  return attachment;
}

/** Whether `vpcId` of the scope's account has an attachment to `gatewayId` (not one waiting for acceptance). */
export function isAttached(state: Ec2State, scope: Scope, vpcId: string, gatewayId: string): boolean {
  return state
    .list<TransitGatewayAttachmentRecord>(scope, EC2_TABLES.tgwAttachments)
    .some((a) => a.vpcId === vpcId && a.transitGatewayId === gatewayId && a.state !== 'pendingAcceptance');
}

/** An attachment as `DescribeTransitGatewayVpcAttachments` shows it to `viewer` (tags: the VPC owner's). */
export function attachmentView(
  a: TransitGatewayAttachmentRecord,
  viewer: string,
  state: string = a.state ?? 'available',
) {
  return {
    transitGatewayAttachmentId: a.transitGatewayAttachmentId,
    transitGatewayId: a.transitGatewayId,
    vpcId: a.vpcId,
    vpcOwnerId: a.vpcOwnerId,
    state,
    subnetIds: a.subnetIds,
    creationTime: a.creationTime,
    options: a.options,
    tagSet: a.vpcOwnerId === viewer ? tagSet(a.tags) : [],
  };
}

const ATTACHMENT_FILTERS = new Set(['transit-gateway-attachment-id', 'transit-gateway-id', 'vpc-id', 'state']);

const isTagFilter = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** CreateTransitGatewayVpcAttachment, DescribeTransitGatewayVpcAttachments, AcceptTransitGatewayVpcAttachment, DeleteTransitGatewayVpcAttachment. */
export function transitGatewayAttachmentOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateTransitGatewayVpcAttachment(raw, ctx) {
      const scope = state.scope(ctx);
      const transitGatewayId = required(raw, 'TransitGatewayId');
      const vpcId = required(raw, 'VpcId');
      const subnetIds = list(raw, 'SubnetIds');
      if (!subnetIds?.length) throw new MissingParameter('SubnetIds');
      const input = parseInput(CreateAttachmentSchema, raw);
      const attachment = createTransitGatewayVpcAttachment(state, scope, {
        transitGatewayId,
        vpcId,
        subnetIds,
        options: input.Options,
        tags: tagsFor(
          [...(input.TagSpecifications ?? []), ...(input.TagSpecification ?? [])],
          'transit-gateway-attachment',
        ),
      });
      return { transitGatewayVpcAttachment: attachmentView(attachment, scope.account) };
    },

    DescribeTransitGatewayVpcAttachments(raw, ctx) {
      const scope = state.scope(ctx);
      const ids = list(raw, 'TransitGatewayAttachmentIds');
      const { filter, max, token } = describeInput(raw);
      checkFilterNames(filter, (name) => ATTACHMENT_FILTERS.has(name) || isTagFilter(name));
      for (const id of ids ?? []) requireAttachment(state, scope, id);
      const own = state.list<TransitGatewayAttachmentRecord>(scope, EC2_TABLES.tgwAttachments);
      const toOwnGateways = state
        .list<TransitGatewayRecord>(scope, EC2_TABLES.tgws)
        .flatMap((g) => attachmentsOfGateway(state, scope.region, g.transitGatewayId))
        .filter((a) => a.vpcOwnerId !== scope.account);
      const attachments = [...own, ...toOwnGateways]
        .filter((a) => !ids || ids.includes(a.transitGatewayAttachmentId))
        .filter((a) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'transit-gateway-attachment-id':
                return [a.transitGatewayAttachmentId];
              case 'transit-gateway-id':
                return [a.transitGatewayId];
              case 'vpc-id':
                return [a.vpcId];
              case 'state':
                return [a.state ?? 'available'];
              default:
                return tagFilter(a.vpcOwnerId === scope.account ? a.tags : [], name);
            }
          }),
        );
      const { page, next } = paginate(attachments, token, max);
      return {
        transitGatewayVpcAttachments: page.map((a) => attachmentView(a, scope.account)),
        nextToken: next,
      };
    },

    AcceptTransitGatewayVpcAttachment(raw, ctx) {
      const scope = state.scope(ctx);
      const attachment = acceptTransitGatewayVpcAttachment(state, scope, required(raw, 'TransitGatewayAttachmentId'));
      return { transitGatewayVpcAttachment: attachmentView(attachment, scope.account) };
    },

    DeleteTransitGatewayVpcAttachment(raw, ctx) {
      const scope = state.scope(ctx);
      const attachment = deleteTransitGatewayVpcAttachment(state, scope, required(raw, 'TransitGatewayAttachmentId'));
      return { transitGatewayVpcAttachment: attachmentView(attachment, scope.account, 'deleting') };
    },
  };
}
