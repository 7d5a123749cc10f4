import { createSubnet, deleteSubnet } from '../../ec2/addresses';
import type { RouteTableRecord, Scope, SecurityGroupRecord, SubnetRecord, VpcRecord } from '../../ec2/model';
import { EC2_TABLES } from '../../ec2/model';
import {
  associateRouteTable,
  createRoute,
  createRouteTable,
  deleteRoute,
  deleteRouteTable,
  disassociateRouteTable,
  type RouteRequest,
  replaceRoute,
  routeTargetOf,
} from '../../ec2/route-tables';
import type { Ec2State } from '../../ec2/state';
import {
  createTransitGatewayVpcAttachment,
  deleteTransitGatewayVpcAttachment,
  modifyTransitGatewayVpcAttachment,
  parseAttachmentOptions,
} from '../../ec2/transit-gateway-attachments';
import { createVpc, deleteVpc } from '../../ec2/vpcs';
import { bool, type CreatedResource, type ResourceContext, type ResourceProvider, str } from '../resources';
import { integer, ipamProviders } from './ec2-ipam';
import { securityGroupProviders } from './ec2-security-groups';
import { deleting, ec2Of, invalid, need, onlyChanged, tagsOf } from './ec2-support';
import { transitGatewayRoutingProviders } from './ec2-transit-gateway-routing';

/**
 * The EC2 resources of the baselines: VPCs, subnets, route tables, routes, subnet associations,
 * transit gateway attachments (this file) and security groups with their rules
 * (`ec2-security-groups.ts`). Each goes through the same functions as the EC2 API call that makes
 * it (`createVpc`, `createSubnet`, `createRoute`, …), so a template is refused exactly where the
 * API refuses the call; the service error reaches the stack event as CloudFormation words it.
 * Resources carry the template's tags and CloudFormation's `aws:cloudformation:*` ones. Deleting a
 * resource that is already gone is not an error.
 */

/** A list of strings (`SubnetIds`), or undefined. */
function strings(ctx: ResourceContext, props: Record<string, unknown>, name: string): string[] | undefined {
  const value = props[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid(ctx, `#/${name}: expected type: JSONArray`);
  }
  return value as string[];
}

const changed = (props: Record<string, unknown>, previous: Record<string, unknown>, name: string) =>
  JSON.stringify(props[name]) !== JSON.stringify(previous[name]);

/** `EnableDnsSupport` (default true) and `EnableDnsHostnames` (default false) of a VPC. */
function dnsOf(props: Record<string, unknown>) {
  return {
    enableDnsSupport: bool(props, 'EnableDnsSupport') ?? true,
    enableDnsHostnames: bool(props, 'EnableDnsHostnames') ?? false,
  };
}

function vpcResource(state: Ec2State, scope: Scope, vpc: VpcRecord): CreatedResource {
  const group = state
    .list<SecurityGroupRecord>(scope, EC2_TABLES.sgs)
    .find((g) => g.vpcId === vpc.vpcId && g.groupName === 'default');
  return {
    physicalId: vpc.vpcId,
    attributes: { VpcId: vpc.vpcId, CidrBlock: vpc.cidrBlock, DefaultSecurityGroup: group?.groupId ?? '' },
  };
}

/**
 * `AWS::EC2::VPC` (Ref: the VPC id), with its default security group and main route table; its block
 * is `CidrBlock`, or allocated from `Ipv4IpamPoolId` (`Ipv4NetmaskLength`) as CreateVpc does.
 */
const vpcProvider: ResourceProvider = {
  type: 'AWS::EC2::VPC',
  properties: [
    'CidrBlock',
    'EnableDnsHostnames',
    'EnableDnsSupport',
    'InstanceTenancy',
    'Ipv4IpamPoolId',
    'Ipv4NetmaskLength',
    'Tags',
  ],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const tenancy = str(props, 'InstanceTenancy');
    const poolId = str(props, 'Ipv4IpamPoolId');
    const netmask = integer(ctx, props, 'Ipv4NetmaskLength');
    const cidrBlock = poolId === undefined ? need(ctx, props, 'CidrBlock') : str(props, 'CidrBlock');
    const vpc = createVpc(state, scope, {
      ...(cidrBlock !== undefined ? { cidrBlock } : {}),
      ...(poolId !== undefined ? { ipv4IpamPoolId: poolId } : {}),
      ...(netmask !== undefined ? { ipv4NetmaskLength: netmask } : {}),
      tags: tagsOf(ctx, props),
      ...dnsOf(props),
      ...(tenancy !== undefined ? { instanceTenancy: tenancy } : {}),
    });
    return vpcResource(state, scope, vpc);
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['EnableDnsHostnames', 'EnableDnsSupport', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const vpc = { ...state.require<VpcRecord>(scope, physicalId), ...dnsOf(props), tags: tagsOf(ctx, props) };
    state.put(scope, physicalId, vpc);
    return vpcResource(state, scope, vpc);
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteVpc(state, scope, physicalId));
  },
};

function subnetResource(s: SubnetRecord): CreatedResource {
  return {
    physicalId: s.subnetId,
    attributes: {
      SubnetId: s.subnetId,
      VpcId: s.vpcId,
      AvailabilityZone: s.availabilityZone,
      CidrBlock: s.cidrBlock,
    },
  };
}

/** `AWS::EC2::Subnet` (Ref: the subnet id): inside its VPC's block, overlapping no other subnet, as CreateSubnet checks. */
const subnetProvider: ResourceProvider = {
  type: 'AWS::EC2::Subnet',
  properties: ['AvailabilityZone', 'AvailabilityZoneId', 'CidrBlock', 'MapPublicIpOnLaunch', 'Tags', 'VpcId'],
  required: ['CidrBlock', 'VpcId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const zone = str(props, 'AvailabilityZone');
    const zoneId = str(props, 'AvailabilityZoneId');
    const subnet = createSubnet(state, scope, {
      vpcId: need(ctx, props, 'VpcId'),
      cidrBlock: need(ctx, props, 'CidrBlock'),
      ...(zone !== undefined ? { availabilityZone: zone } : {}),
      ...(zoneId !== undefined ? { availabilityZoneId: zoneId } : {}),
      mapPublicIpOnLaunch: bool(props, 'MapPublicIpOnLaunch') ?? false,
      tags: tagsOf(ctx, props),
    });
    return subnetResource(subnet);
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['MapPublicIpOnLaunch', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const subnet: SubnetRecord = {
      ...state.require<SubnetRecord>(scope, physicalId),
      mapPublicIpOnLaunch: bool(props, 'MapPublicIpOnLaunch') ?? false,
      tags: tagsOf(ctx, props),
    };
    state.put(scope, physicalId, subnet);
    return subnetResource(subnet);
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteSubnet(state, scope, physicalId));
  },
};

/** `AWS::EC2::RouteTable` (Ref: the route table id), with its `local` route. */
const routeTableProvider: ResourceProvider = {
  type: 'AWS::EC2::RouteTable',
  properties: ['Tags', 'VpcId'],
  required: ['VpcId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const table = createRouteTable(state, scope, { vpcId: need(ctx, props, 'VpcId'), tags: tagsOf(ctx, props) });
    return { physicalId: table.routeTableId, attributes: { RouteTableId: table.routeTableId } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    state.put(scope, physicalId, { ...state.require<RouteTableRecord>(scope, physicalId), tags: tagsOf(ctx, props) });
    return { physicalId, attributes: { RouteTableId: physicalId } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteRouteTable(state, scope, physicalId));
  },
};

const ROUTE_TARGET_PROPERTIES = [
  'GatewayId',
  'NatGatewayId',
  'NetworkInterfaceId',
  'TransitGatewayId',
  'VpcPeeringConnectionId',
] as const;

function routeRequestOf(ctx: ResourceContext, props: Record<string, unknown>): RouteRequest {
  return {
    routeTableId: need(ctx, props, 'RouteTableId'),
    destinationCidrBlock: need(ctx, props, 'DestinationCidrBlock'),
    target: routeTargetOf(props),
  };
}

/**
 * `AWS::EC2::Route`: its physical id is `<route table id>|<destination>`, as CloudFormation's; a new
 * target is a ReplaceRoute in place, a new table or destination a replacement.
 */
const routeProvider: ResourceProvider = {
  type: 'AWS::EC2::Route',
  properties: ['DestinationCidrBlock', 'RouteTableId', ...ROUTE_TARGET_PROPERTIES],
  required: ['DestinationCidrBlock', 'RouteTableId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const request = routeRequestOf(ctx, props);
    const route = createRoute(state, scope, request);
    return {
      physicalId: `${request.routeTableId}|${route.destinationCidrBlock}`,
      attributes: { CidrBlock: route.destinationCidrBlock },
    };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ROUTE_TARGET_PROPERTIES)) return undefined;
    const { state, scope } = ec2Of(ctx);
    const route = replaceRoute(state, scope, routeRequestOf(ctx, props));
    return { physicalId, attributes: { CidrBlock: route.destinationCidrBlock } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    const at = physicalId.indexOf('|');
    if (at < 0) return;
    deleting(() => deleteRoute(state, scope, physicalId.slice(0, at), physicalId.slice(at + 1)));
  },
};

/**
 * `AWS::EC2::SubnetRouteTableAssociation` (Ref: the association id). Another route table for the
 * same subnet moves the association in place, as ReplaceRouteTableAssociation does (a new id).
 */
const subnetRouteTableAssociationProvider: ResourceProvider = {
  type: 'AWS::EC2::SubnetRouteTableAssociation',
  properties: ['RouteTableId', 'SubnetId'],
  required: ['RouteTableId', 'SubnetId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const association = associateRouteTable(
      state,
      scope,
      need(ctx, props, 'RouteTableId'),
      need(ctx, props, 'SubnetId'),
    );
    return { physicalId: association.associationId, attributes: { Id: association.associationId } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['RouteTableId'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const association = state.runtime.store.transaction(() => {
      disassociateRouteTable(state, scope, physicalId);
      return associateRouteTable(state, scope, need(ctx, props, 'RouteTableId'), need(ctx, props, 'SubnetId'));
    });
    return { physicalId: association.associationId, attributes: { Id: association.associationId } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => disassociateRouteTable(state, scope, physicalId));
  },
};

function attachmentOptionsOf(ctx: ResourceContext, props: Record<string, unknown>) {
  const options = props.Options;
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalid(ctx, '#/Options: expected type: JSONObject');
  return parseAttachmentOptions(options as Record<string, unknown>);
}

/**
 * `AWS::EC2::TransitGatewayAttachment` (Ref and `Id`: the attachment id): the VPC's attachment to a
 * transit gateway of its account or of the organization (see `transit-gateways.ts`). New subnets,
 * options or tags change it in place; another gateway or VPC replaces it.
 */
const transitGatewayAttachmentProvider: ResourceProvider = {
  type: 'AWS::EC2::TransitGatewayAttachment',
  properties: ['Options', 'SubnetIds', 'Tags', 'TransitGatewayId', 'VpcId'],
  required: ['SubnetIds', 'TransitGatewayId', 'VpcId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const attachment = createTransitGatewayVpcAttachment(state, scope, {
      transitGatewayId: need(ctx, props, 'TransitGatewayId'),
      vpcId: need(ctx, props, 'VpcId'),
      subnetIds: strings(ctx, props, 'SubnetIds') ?? [],
      options: attachmentOptionsOf(ctx, props),
      tags: tagsOf(ctx, props),
    });
    return {
      physicalId: attachment.transitGatewayAttachmentId,
      attributes: { Id: attachment.transitGatewayAttachmentId },
    };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Options', 'SubnetIds', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const subnetIds = strings(ctx, props, 'SubnetIds') ?? [];
    modifyTransitGatewayVpcAttachment(state, scope, physicalId, {
      ...(changed(props, previous, 'SubnetIds') ? { subnetIds } : {}),
      options: attachmentOptionsOf(ctx, props) ?? {},
      tags: tagsOf(ctx, props),
    });
    return { physicalId, attributes: { Id: physicalId } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteTransitGatewayVpcAttachment(state, scope, physicalId));
  },
};

/**
 * The EC2 resource providers: `AWS::EC2::VPC`, `Subnet`, `RouteTable`, `Route`,
 * `SubnetRouteTableAssociation`, `TransitGatewayAttachment`, the transit gateway routing resources
 * (`ec2-transit-gateway-routing.ts`), `IPAM`, `IPAMPool` and `IPAMAllocation` (`ec2-ipam.ts`),
 * `SecurityGroup`, `SecurityGroupIngress` and `SecurityGroupEgress`.
 *
 * @example
 * const vpc = ec2Providers.find((p) => p.type === 'AWS::EC2::VPC');
 * const { physicalId } = vpc.create(ctx, { CidrBlock: '10.64.0.0/20' });
 */
export const ec2Providers: ResourceProvider[] = [
  vpcProvider,
  subnetProvider,
  routeTableProvider,
  routeProvider,
  subnetRouteTableAssociationProvider,
  transitGatewayAttachmentProvider,
  ...transitGatewayRoutingProviders,
  ...ipamProviders,
  ...securityGroupProviders,
];
