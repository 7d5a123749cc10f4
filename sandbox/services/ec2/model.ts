/** Store tables and records of the EC2 emulation; every id is scoped `<account>/<region>/<resource id>`. */

export const EC2_TABLES = {
  vpcs: 'ec2.vpcs',
  igws: 'ec2.igws',
  sgs: 'ec2.security-groups',
  rules: 'ec2.security-group-rules',
  subnets: 'ec2.subnets',
  enis: 'ec2.network-interfaces',
  addresses: 'ec2.addresses',
  /** Per scope: whether the default VPC was created (so a deleted one does not come back). */
  scopes: 'ec2.scopes',
  meta: 'ec2.meta',
  routeTables: 'ec2.route-tables',
  /** Route table associations: a VPC's main one (no subnet) and one per explicitly associated subnet. */
  rtbAssociations: 'ec2.route-table-associations',
  /** Transit gateways, under their owner's scope. */
  tgws: 'ec2.transit-gateways',
  /** `<region>/<tgw id>` → `{ ownerId }`: finds a transit gateway another account owns. */
  tgwIndex: 'ec2.transit-gateway-index',
  /** Transit gateway VPC attachments, under the scope of the VPC's owner. */
  tgwAttachments: 'ec2.transit-gateway-attachments',
  /** `<region>/<tgw id>/<attachment id>` → `{ vpcOwnerId, id }`: the attachments to a gateway, whoever's VPC. */
  tgwAttachmentIndex: 'ec2.transit-gateway-attachment-index',
  /** Transit gateway route tables (with their associations, propagations and static routes), under the gateway owner's scope. */
  tgwRouteTables: 'ec2.transit-gateway-route-tables',
  /** NAT gateways, deleted and failed ones included until they age out of Describe results. */
  natGateways: 'ec2.nat-gateways',
} as const;

export interface Tag {
  key: string;
  value: string;
}

/** The account and region a request acts in. */
export interface Scope {
  account: string;
  region: string;
}

export const scopePrefix = (s: Scope): string => `${s.account}/${s.region}/`;
export const scopedId = (s: Scope, id: string): string => `${s.account}/${s.region}/${id}`;

export interface VpcRecord {
  vpcId: string;
  ownerId: string;
  cidrBlock: string;
  isDefault: boolean;
  instanceTenancy: string;
  associationId: string;
  /** DNS resolution through the Amazon DNS server (default true). */
  enableDnsSupport?: boolean;
  /** Public DNS hostnames for instances (default true in a default VPC, false otherwise). */
  enableDnsHostnames?: boolean;
  tags: Tag[];
}

export interface IgwRecord {
  internetGatewayId: string;
  ownerId: string;
  /** The VPC it is attached to. */
  vpcId?: string;
  tags: Tag[];
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  tags: Tag[];
}

/** One security group rule: one protocol/port range and one peer. */
export interface RuleRecord {
  securityGroupRuleId: string;
  groupId: string;
  groupOwnerId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  description?: string;
  tags: Tag[];
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  ownerId: string;
  mapPublicIpOnLaunch?: boolean;
  tags: Tag[];
}

export interface EniRecord {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  ownerId: string;
  tags: Tag[];
  /** Set on the interface a NAT gateway makes: "Interface for NAT Gateway nat-…". */
  description?: string;
  /** `nat_gateway` for a NAT gateway's interface; absent: `interface`. */
  interfaceType?: 'nat_gateway';
  /** The NAT gateway that manages the interface (an AWS-managed, requester-managed interface). */
  natGatewayId?: string;
}

export interface AddressRecord {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  networkInterfaceId?: string;
  vpcId?: string;
  tags: Tag[];
}

/** One route of a route table: a destination and exactly one target (`local` for the VPC's own block). */
export interface RouteRecord {
  destinationCidrBlock: string;
  /** `local`, or an internet gateway id. */
  gatewayId?: string;
  transitGatewayId?: string;
  natGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  /** `CreateRouteTable` for the local route, `CreateRoute` (or `ReplaceRoute`) for the others. */
  origin: 'CreateRouteTable' | 'CreateRoute';
}

/** The target parameters of `CreateRoute` / `ReplaceRoute`, as a route stores them. */
export const ROUTE_TARGETS = [
  'gatewayId',
  'natGatewayId',
  'networkInterfaceId',
  'transitGatewayId',
  'vpcPeeringConnectionId',
] as const satisfies readonly (keyof RouteRecord)[];
export type RouteTarget = Partial<Pick<RouteRecord, (typeof ROUTE_TARGETS)[number]>>;

export interface RouteTableRecord {
  routeTableId: string;
  vpcId: string;
  ownerId: string;
  routes: RouteRecord[];
  tags: Tag[];
}

/** A route table association: the VPC's main one (`main`, no subnet) or a subnet's explicit one. */
export interface RouteTableAssociationRecord {
  associationId: string;
  routeTableId: string;
  vpcId: string;
  main: boolean;
  subnetId?: string;
}

/** What a NAT gateway's `failureCode` can say when it could not be created (it is then `failed`). */
export type NatGatewayFailure = 'Gateway.NotAttached' | 'Resource.AlreadyAssociated';

/** The address a NAT gateway holds: its interface's private IP and, for a public one, the Elastic IP. */
export interface NatGatewayAddressRecord {
  networkInterfaceId?: string;
  privateIp?: string;
  allocationId?: string;
  publicIp?: string;
  associationId?: string;
}

/**
 * A NAT gateway. Created `available` (or `failed`, with the failure AWS reports, when the gateway
 * could not take its address); `deleteTime` / `deletedAtMs` once DeleteNatGateway was called: it is
 * `deleting` until `deletedAtMs` on the sandbox clock, then `deleted`.
 */
export interface NatGatewayRecord {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  ownerId: string;
  connectivityType: 'public' | 'private';
  /** ISO 8601. */
  createTime: string;
  addresses: NatGatewayAddressRecord[];
  failure?: { code: NatGatewayFailure; message: string };
  /** ISO 8601, set by DeleteNatGateway. */
  deleteTime?: string;
  /** Sandbox time (ms) at which a deleting gateway is `deleted`. */
  deletedAtMs?: number;
  tags: Tag[];
}

/** `enable` / `disable`, as the transit gateway options spell them. */
export type Toggle = 'enable' | 'disable';

export interface TransitGatewayOptionsRecord {
  amazonSideAsn: number;
  autoAcceptSharedAttachments: Toggle;
  defaultRouteTableAssociation: Toggle;
  defaultRouteTablePropagation: Toggle;
  vpnEcmpSupport: Toggle;
  dnsSupport: Toggle;
  securityGroupReferencingSupport: Toggle;
  multicastSupport: Toggle;
  /** The default association route table, made with the gateway when `defaultRouteTableAssociation` is `enable`. */
  associationDefaultRouteTableId?: string;
  /** The default propagation route table (the same table), when `defaultRouteTablePropagation` is `enable`. */
  propagationDefaultRouteTableId?: string;
}

export interface TransitGatewayRecord {
  transitGatewayId: string;
  ownerId: string;
  description?: string;
  /** ISO 8601. */
  creationTime: string;
  options: TransitGatewayOptionsRecord;
  tags: Tag[];
}

export interface TransitGatewayAttachmentOptionsRecord {
  dnsSupport: Toggle;
  securityGroupReferencingSupport: Toggle;
  ipv6Support: Toggle;
  applianceModeSupport: Toggle;
}

/** A VPC attachment, stored in the scope of the VPC's owner (the transit gateway may be another account's). */
export interface TransitGatewayAttachmentRecord {
  transitGatewayAttachmentId: string;
  transitGatewayId: string;
  transitGatewayOwnerId: string;
  vpcId: string;
  vpcOwnerId: string;
  subnetIds: string[];
  /** ISO 8601. */
  creationTime: string;
  options: TransitGatewayAttachmentOptionsRecord;
  tags: Tag[];
  /**
   * `pendingAcceptance` while an attachment to another account's gateway (shared through RAM, its
   * `AutoAcceptSharedAttachments` off) waits for the owner's AcceptTransitGatewayVpcAttachment;
   * absent: `available`.
   */
  state?: 'pendingAcceptance' | 'available';
}

/** A static route of a transit gateway route table: to an attachment, or a blackhole (no attachment). */
export interface TransitGatewayStaticRouteRecord {
  /** Canonical IPv4 block. */
  destinationCidrBlock: string;
  /** Absent for a blackhole route, and once the attachment it named is deleted. */
  transitGatewayAttachmentId?: string;
}

/** A transit gateway route table, stored in the scope of the gateway's owner. */
export interface TransitGatewayRouteTableRecord {
  transitGatewayRouteTableId: string;
  transitGatewayId: string;
  ownerId: string;
  defaultAssociationRouteTable: boolean;
  defaultPropagationRouteTable: boolean;
  /** ISO 8601. */
  creationTime: string;
  /** The attachments associated with the table (an attachment is associated with at most one table). */
  associations: string[];
  /** The attachments propagating their VPC's block into the table, in the order they were enabled. */
  propagations: string[];
  routes: TransitGatewayStaticRouteRecord[];
  tags: Tag[];
}

/** AWS-style tag list → `tagSet`. */
export function tagSet(tags: readonly Tag[]): Tag[] {
  return tags.map((t) => ({ key: t.key, value: t.value }));
}
