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
  /** Stacks deployed by StackSets whose VPCs/subnets were created here (`<account>/<region>/<stackId>`). */
  stacks: 'ec2.stacks',
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
  tags: Tag[];
}

export interface EniRecord {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  ownerId: string;
  tags: Tag[];
}

export interface AddressRecord {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  networkInterfaceId?: string;
  vpcId?: string;
  tags: Tag[];
}

/** AWS-style tag list → `tagSet`. */
export function tagSet(tags: readonly Tag[]): Tag[] {
  return tags.map((t) => ({ key: t.key, value: t.value }));
}
