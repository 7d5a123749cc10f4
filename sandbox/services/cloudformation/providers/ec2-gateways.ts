import * as z from 'zod/mini';
import { AwsServiceError } from '../../../core/types';
import { parseInput } from '../../ec2/input';
import type { IgwRecord, Scope, Tag, TransitGatewayOptionsRecord, TransitGatewayRecord } from '../../ec2/model';
import type { Ec2State } from '../../ec2/state';
import {
  deleteTransitGateway,
  GatewayOptionsSchema,
  newTransitGateway,
  putTransitGateway,
  transitGatewayArn,
} from '../../ec2/transit-gateways';
import { vpcOperations } from '../../ec2/vpcs';
import {
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  serviceContext,
  str,
} from '../resources';
import { deleting, ec2Of, invalid, need, onlyChanged, tagsOf } from './ec2-support';

/**
 * The gateways of a network: `AWS::EC2::TransitGateway` (the network account's, made as
 * CreateTransitGateway makes it, so DescribeTransitGateways and RAM see the same gateway),
 * `AWS::EC2::InternetGateway` and `AWS::EC2::VPCGatewayAttachment` (through the internet gateway
 * calls of the EC2 API: CreateInternetGateway, AttachInternetGateway, DetachInternetGateway,
 * DeleteInternetGateway), so a template is refused where the API refuses the call.
 */

/** The `TagSpecification` of an EC2 request for `type`. */
const tagSpecification = (type: string, tags: Tag[]) => [
  { ResourceType: type, Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) },
];

/** The transit gateway options of the template, as CreateTransitGateway's `Options` (the API's checks). */
const OptionsSchema = z.looseObject({ Options: GatewayOptionsSchema });

/** The template's option properties and the record's fields they set. */
const OPTION_FIELDS = {
  AmazonSideAsn: 'amazonSideAsn',
  AutoAcceptSharedAttachments: 'autoAcceptSharedAttachments',
  DefaultRouteTableAssociation: 'defaultRouteTableAssociation',
  DefaultRouteTablePropagation: 'defaultRouteTablePropagation',
  DnsSupport: 'dnsSupport',
  MulticastSupport: 'multicastSupport',
  SecurityGroupReferencingSupport: 'securityGroupReferencingSupport',
  VpnEcmpSupport: 'vpnEcmpSupport',
} as const satisfies Record<string, keyof TransitGatewayOptionsRecord>;

/** The options a template sets (AWS's defaults for the others come from `newTransitGateway`). */
function optionsOf(props: Record<string, unknown>): Partial<TransitGatewayOptionsRecord> {
  const given = Object.fromEntries(
    Object.keys(OPTION_FIELDS).flatMap((name) => {
      const value = str(props, name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const { Options } = parseInput(OptionsSchema, { Options: given });
  return Object.fromEntries(
    Object.entries(OPTION_FIELDS).flatMap(([name, field]) => {
      const value = Options[name as keyof typeof OPTION_FIELDS];
      return value === undefined ? [] : [[field, value]];
    }),
  ) as Partial<TransitGatewayOptionsRecord>;
}

function gatewayResource(scope: Scope, gateway: TransitGatewayRecord): CreatedResource {
  const id = gateway.transitGatewayId;
  return {
    physicalId: id,
    attributes: { Id: id, TransitGatewayArn: transitGatewayArn(scope.region, scope.account, id) },
  };
}

/** What changes a gateway in place: everything but `AmazonSideAsn` and `MulticastSupport` (create-only). */
const GATEWAY_MUTABLE = [
  'AutoAcceptSharedAttachments',
  'DefaultRouteTableAssociation',
  'DefaultRouteTablePropagation',
  'Description',
  'DnsSupport',
  'SecurityGroupReferencingSupport',
  'Tags',
  'VpnEcmpSupport',
];

/**
 * `AWS::EC2::TransitGateway` (Ref and `Id`: the gateway id; `TransitGatewayArn`), with AWS's
 * default options for those the template leaves out and its default route table when association
 * or propagation is enabled. The description, tags and options other than `AmazonSideAsn` and
 * `MulticastSupport` change in place, as ModifyTransitGateway changes them (enabling default
 * association or propagation on a gateway without a default table makes one); deleting is refused
 * (`IncorrectState`) while VPC attachments remain.
 */
const transitGatewayProvider: ResourceProvider = {
  type: 'AWS::EC2::TransitGateway',
  properties: [...Object.keys(OPTION_FIELDS), 'Description', 'Tags'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const description = str(props, 'Description');
    const gateway = newTransitGateway(state, scope, {
      ...(description !== undefined ? { description } : {}),
      options: optionsOf(props),
      tags: tagsOf(ctx, props),
    });
    return gatewayResource(scope, putTransitGateway(state, scope, gateway));
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, GATEWAY_MUTABLE)) return undefined;
    const { state, scope } = ec2Of(ctx);
    const gateway = state.require<TransitGatewayRecord>(scope, physicalId);
    const description = str(props, 'Description');
    // options the template no longer sets go back to AWS's defaults; the default route table stays
    const { associationDefaultRouteTableId, propagationDefaultRouteTableId } = gateway.options;
    const updated: TransitGatewayRecord = {
      ...newTransitGateway(state, scope, {
        id: physicalId,
        ...(description !== undefined ? { description } : {}),
        options: {
          ...optionsOf(props),
          ...(associationDefaultRouteTableId ? { associationDefaultRouteTableId } : {}),
          ...(propagationDefaultRouteTableId ? { propagationDefaultRouteTableId } : {}),
        },
        tags: tagsOf(ctx, props),
      }),
      creationTime: gateway.creationTime,
    };
    return gatewayResource(scope, putTransitGateway(state, scope, updated));
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteTransitGateway(state, scope, physicalId));
  },
};

/** Runs an EC2 internet gateway call on CloudFormation's behalf, through the API's own checks. */
function igwCall(ctx: ResourceContext, state: Ec2State, name: string, input: Record<string, unknown>) {
  const handler = vpcOperations(state)[name];
  if (!handler) throw new ResourceFailure(`EC2 has no operation ${name}`, 'InternalFailure');
  return handler(input, serviceContext(ctx, 'ec2', name)) as Record<string, unknown>;
}

/** `AWS::EC2::InternetGateway` (Ref and `InternetGatewayId`: the gateway id); tags change in place. */
const internetGatewayProvider: ResourceProvider = {
  type: 'AWS::EC2::InternetGateway',
  properties: ['Tags'],
  create(ctx, props) {
    const { state } = ec2Of(ctx);
    const made = igwCall(ctx, state, 'CreateInternetGateway', {
      TagSpecification: tagSpecification('internet-gateway', tagsOf(ctx, props)),
    });
    const id = (made.internetGateway as { internetGatewayId: string }).internetGatewayId;
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    state.put(scope, physicalId, { ...state.require<IgwRecord>(scope, physicalId), tags: tagsOf(ctx, props) });
    return { physicalId, attributes: { InternetGatewayId: physicalId } };
  },
  delete(ctx, physicalId) {
    const { state } = ec2Of(ctx);
    deleting(() => igwCall(ctx, state, 'DeleteInternetGateway', { InternetGatewayId: physicalId }));
  },
};

/** `IGW|<vpc id>`: an attachment's physical id, as CloudFormation's (its `AttachmentType` and `VpcId`). */
const attachmentId = (vpcId: string) => `IGW|${vpcId}`;

/** The internet gateway of an attachment; exactly one of `InternetGatewayId` and `VpnGatewayId`. */
function gatewayOf(ctx: ResourceContext, props: Record<string, unknown>): string {
  const igw = str(props, 'InternetGatewayId');
  const vgw = str(props, 'VpnGatewayId');
  // sandbox wording, after the schema validator's for a `oneOf` of the two properties
  if (igw === undefined && vgw === undefined) throw invalid(ctx, '#: 0 subschemas matched instead of one');
  if (igw !== undefined && vgw !== undefined) throw invalid(ctx, '#: 2 subschemas matched instead of one');
  if (igw === undefined) {
    throw new ResourceFailure(
      `The sandbox does not model virtual private gateways: ${ctx.logicalId} can only attach an internet gateway`,
      'InvalidRequest',
    );
  }
  return igw;
}

/** Detaches a gateway; one already detached, or gone with its VPC, is not an error. */
function detach(ctx: ResourceContext, state: Ec2State, igw: string, vpcId: string): void {
  try {
    deleting(() => igwCall(ctx, state, 'DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId }));
  } catch (error) {
    if (!(error instanceof AwsServiceError && error.code === 'Gateway.NotAttached')) throw error;
  }
}

/**
 * `AWS::EC2::VPCGatewayAttachment` of an internet gateway (Ref `IGW|<vpc id>`; `AttachmentType`
 * `IGW`): AttachInternetGateway, so a VPC that has a gateway or a gateway attached elsewhere is
 * `Resource.AlreadyAssociated`. Another gateway for the same VPC is swapped in place; another VPC
 * replaces the attachment. Deleting detaches (refused while the VPC has mapped public addresses).
 */
const vpcGatewayAttachmentProvider: ResourceProvider = {
  type: 'AWS::EC2::VPCGatewayAttachment',
  properties: ['InternetGatewayId', 'VpcId', 'VpnGatewayId'],
  required: ['VpcId'],
  create(ctx, props) {
    const { state } = ec2Of(ctx);
    const vpcId = need(ctx, props, 'VpcId');
    igwCall(ctx, state, 'AttachInternetGateway', { InternetGatewayId: gatewayOf(ctx, props), VpcId: vpcId });
    return { physicalId: attachmentId(vpcId), attributes: { AttachmentType: 'IGW' } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['InternetGatewayId', 'VpnGatewayId'])) return undefined;
    const { state } = ec2Of(ctx);
    const vpcId = need(ctx, props, 'VpcId');
    const igw = gatewayOf(ctx, props);
    state.runtime.store.transaction(() => {
      detach(ctx, state, gatewayOf(ctx, previous), vpcId);
      igwCall(ctx, state, 'AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    });
    return { physicalId, attributes: { AttachmentType: 'IGW' } };
  },
  delete(ctx, physicalId, props) {
    const igw = str(props, 'InternetGatewayId');
    const vpcId = physicalId.startsWith('IGW|') ? physicalId.slice(4) : undefined;
    if (igw === undefined || vpcId === undefined) return;
    const { state } = ec2Of(ctx);
    detach(ctx, state, igw, vpcId);
  },
};

/**
 * The gateway providers: `AWS::EC2::TransitGateway`, `InternetGateway` and `VPCGatewayAttachment`.
 *
 * @example
 * const igw = gatewayProviders.find((p) => p.type === 'AWS::EC2::InternetGateway');
 * const { physicalId } = igw.create(ctx, { Tags: [{ Key: 'Name', Value: 'egress' }] });
 */
export const gatewayProviders: ResourceProvider[] = [
  transitGatewayProvider,
  internetGatewayProvider,
  vpcGatewayAttachmentProvider,
];
