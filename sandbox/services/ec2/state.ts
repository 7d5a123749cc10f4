import type * as z from 'zod/mini';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { InvalidParameterValue, NotFound } from './errors';
import type { TagSpecificationSchema } from './input';
import { IPAM_TABLES } from './ipam-model';
import {
  EC2_TABLES,
  type RouteTableAssociationRecord,
  type RouteTableRecord,
  type RuleRecord,
  type Scope,
  type SecurityGroupRecord,
  scopedId,
  scopePrefix,
  type Tag,
  type VpcRecord,
} from './model';

/** The default VPC's CIDR block, as in every AWS region. */
export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

/**
 * Which table, NotFound error, resource type (as `DescribeTags` and `TagSpecification` name it) and
 * id field each id prefix belongs to. The NotFound message is "The <noun> '<id>' does not exist"
 * unless the kind words it its own way (`message`).
 */
export const RESOURCE_KINDS = {
  'vpc-': { table: EC2_TABLES.vpcs, code: 'InvalidVpcID.NotFound', noun: 'vpc ID', type: 'vpc', idField: 'vpcId' },
  'ipam-': {
    table: IPAM_TABLES.ipams,
    code: 'InvalidIpamId.NotFound',
    noun: 'ipam ID',
    type: 'ipam',
    idField: 'ipamId',
  },
  'ipam-scope-': {
    table: IPAM_TABLES.scopes,
    code: 'InvalidIpamScopeId.NotFound',
    noun: 'ipam-scope ID',
    type: 'ipam-scope',
    idField: 'ipamScopeId',
  },
  'ipam-pool-': {
    table: IPAM_TABLES.pools,
    code: 'InvalidIpamPoolId.NotFound',
    noun: 'ipam-pool ID',
    type: 'ipam-pool',
    idField: 'ipamPoolId',
  },
  'igw-': {
    table: EC2_TABLES.igws,
    code: 'InvalidInternetGatewayID.NotFound',
    noun: 'internetGateway ID',
    type: 'internet-gateway',
    idField: 'internetGatewayId',
  },
  'sg-': {
    table: EC2_TABLES.sgs,
    code: 'InvalidGroup.NotFound',
    noun: 'security group',
    type: 'security-group',
    idField: 'groupId',
    message: (id: string) => `The security group '${id}' does not exist`,
  },
  'sgr-': {
    table: EC2_TABLES.rules,
    code: 'InvalidSecurityGroupRuleId.NotFound',
    noun: 'security group rule ID',
    type: 'security-group-rule',
    idField: 'securityGroupRuleId',
  },
  'subnet-': {
    table: EC2_TABLES.subnets,
    code: 'InvalidSubnetID.NotFound',
    noun: 'subnet ID',
    type: 'subnet',
    idField: 'subnetId',
  },
  'eni-': {
    table: EC2_TABLES.enis,
    code: 'InvalidNetworkInterfaceID.NotFound',
    noun: 'networkInterface ID',
    type: 'network-interface',
    idField: 'networkInterfaceId',
  },
  'eipalloc-': {
    table: EC2_TABLES.addresses,
    code: 'InvalidAllocationID.NotFound',
    noun: 'allocation ID',
    type: 'elastic-ip',
    idField: 'allocationId',
  },
  'rtb-': {
    table: EC2_TABLES.routeTables,
    code: 'InvalidRouteTableID.NotFound',
    noun: 'routeTable ID',
    type: 'route-table',
    idField: 'routeTableId',
  },
  'rtbassoc-': {
    table: EC2_TABLES.rtbAssociations,
    code: 'InvalidAssociationID.NotFound',
    noun: 'association ID',
    type: 'route-table-association',
    idField: 'associationId',
  },
  'tgw-': {
    table: EC2_TABLES.tgws,
    code: 'InvalidTransitGatewayID.NotFound',
    noun: 'transitGateway ID',
    type: 'transit-gateway',
    idField: 'transitGatewayId',
    message: (id: string) => `Transit Gateway ${id} was deleted or does not exist.`,
  },
  'tgw-attach-': {
    table: EC2_TABLES.tgwAttachments,
    code: 'InvalidTransitGatewayAttachmentID.NotFound',
    noun: 'transitGatewayAttachment ID',
    type: 'transit-gateway-attachment',
    idField: 'transitGatewayAttachmentId',
    message: (id: string) => `Transit Gateway Attachment ${id} was deleted or does not exist.`,
  },
  'nat-': {
    table: EC2_TABLES.natGateways,
    code: 'NatGatewayNotFound',
    noun: 'natGateway ID',
    type: 'natgateway',
    idField: 'natGatewayId',
    message: (id: string) => `NAT gateway ${id} was not found`,
  },
  'tgw-rtb-': {
    table: EC2_TABLES.tgwRouteTables,
    code: 'InvalidRouteTableID.NotFound',
    noun: 'transitGatewayRouteTable ID',
    type: 'transit-gateway-route-table',
    idField: 'transitGatewayRouteTableId',
    message: (id: string) => `Transit Gateway Route Table ${id} was deleted or does not exist.`,
  },
} as const;
export type IdPrefix = keyof typeof RESOURCE_KINDS;

/** What a new VPC may set besides its block (the defaults are AWS's for a non-default VPC). */
export interface VpcOptions {
  instanceTenancy?: string;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
}

/**
 * EC2 state of one sandbox: resources per account and region in the store, ids from the seeded
 * generator, and the default VPC (with its default security group and main route table) created on
 * first use of a scope, as AWS does for every account and region.
 */
export class Ec2State {
  constructor(readonly runtime: SandboxRuntime) {}

  /** The caller's account and the request's region. */
  scope(ctx: RequestContext): Scope {
    return this.scopeOf(ctx.principal.accountId, ctx.region);
  }

  /** An account and region, with its default VPC in place (for callers that are not requests: CloudFormation). */
  scopeOf(account: string, region: string): Scope {
    const scope = { account, region };
    this.ensureDefaultVpc(scope);
    return scope;
  }

  /** `<prefix>` + 17 lower-case hex digits from the seeded generator. */
  newId(prefix: string): string {
    let hex = '';
    for (let i = 0; i < 17; i++) hex += Math.floor(this.runtime.random() * 16).toString(16);
    return `${prefix}${hex}`;
  }

  get<T>(scope: Scope, id: string): T | undefined {
    const kind = kindOf(id);
    return kind ? this.runtime.store.get<T>(RESOURCE_KINDS[kind].table, scopedId(scope, id)) : undefined;
  }

  /** The resource or its `<Kind>.NotFound` error. */
  require<T>(scope: Scope, id: string): T {
    const kind = kindOf(id);
    const found = kind ? this.runtime.store.get<T>(RESOURCE_KINDS[kind].table, scopedId(scope, id)) : undefined;
    if (found) return found;
    if (!kind) throw new InvalidParameterValue(`Invalid id: "${id}"`);
    const entry = RESOURCE_KINDS[kind];
    if ('message' in entry) throw new NotFound(entry.code, entry.message(id));
    throw new NotFound(entry.code, `The ${entry.noun} '${id}' does not exist`);
  }

  put(scope: Scope, id: string, value: unknown): void {
    const kind = kindOf(id);
    if (!kind) throw new InvalidParameterValue(`Invalid id: "${id}"`);
    this.runtime.store.put(RESOURCE_KINDS[kind].table, scopedId(scope, id), value);
  }

  delete(scope: Scope, id: string): void {
    const kind = kindOf(id);
    if (kind) this.runtime.store.delete(RESOURCE_KINDS[kind].table, scopedId(scope, id));
  }

  list<T>(scope: Scope, table: string): T[] {
    return this.runtime.store.list<T>(table, scopePrefix(scope));
  }

  /**
   * Creates a VPC with its default security group (egress to anywhere, ingress from itself) and its
   * main route table (the `local` route), as EC2 does.
   */
  createVpc(scope: Scope, cidrBlock: string, isDefault: boolean, tags: Tag[], options: VpcOptions = {}): VpcRecord {
    const vpc: VpcRecord = {
      vpcId: this.newId('vpc-'),
      ownerId: scope.account,
      cidrBlock,
      isDefault,
      instanceTenancy: options.instanceTenancy ?? 'default',
      associationId: this.newId('vpc-cidr-assoc-'),
      enableDnsSupport: options.enableDnsSupport ?? true,
      enableDnsHostnames: options.enableDnsHostnames ?? isDefault,
      tags,
    };
    this.put(scope, vpc.vpcId, vpc);
    this.createRouteTable(scope, vpc, true, []);
    const sg = this.createSecurityGroup(scope, vpc.vpcId, 'default', 'default VPC security group', []);
    this.addRule(scope, sg, { isEgress: true, ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' });
    this.addRule(scope, sg, {
      isEgress: false,
      ipProtocol: '-1',
      fromPort: -1,
      toPort: -1,
      referencedGroupId: sg.groupId,
    });
    return vpc;
  }

  /** A route table of `vpc` with the `local` route; the main one also gets the VPC's main association. */
  createRouteTable(scope: Scope, vpc: VpcRecord, main: boolean, tags: Tag[]): RouteTableRecord {
    const table: RouteTableRecord = {
      routeTableId: this.newId('rtb-'),
      vpcId: vpc.vpcId,
      ownerId: scope.account,
      routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' }],
      tags,
    };
    this.put(scope, table.routeTableId, table);
    if (main) {
      const association: RouteTableAssociationRecord = {
        associationId: this.newId('rtbassoc-'),
        routeTableId: table.routeTableId,
        vpcId: vpc.vpcId,
        main: true,
      };
      this.put(scope, association.associationId, association);
    }
    return table;
  }

  /** The associations of a scope, optionally only those of one route table. */
  associations(scope: Scope, routeTableId?: string): RouteTableAssociationRecord[] {
    return this.list<RouteTableAssociationRecord>(scope, EC2_TABLES.rtbAssociations).filter(
      (a) => routeTableId === undefined || a.routeTableId === routeTableId,
    );
  }

  createSecurityGroup(
    scope: Scope,
    vpcId: string,
    name: string,
    description: string,
    tags: Tag[],
  ): SecurityGroupRecord {
    const sg: SecurityGroupRecord = {
      groupId: this.newId('sg-'),
      groupName: name,
      description,
      vpcId,
      ownerId: scope.account,
      tags,
    };
    this.put(scope, sg.groupId, sg);
    return sg;
  }

  addRule(
    scope: Scope,
    sg: SecurityGroupRecord,
    rule: Omit<RuleRecord, 'securityGroupRuleId' | 'groupId' | 'groupOwnerId' | 'tags'> & { tags?: Tag[] },
  ): RuleRecord {
    const record: RuleRecord = {
      ...rule,
      securityGroupRuleId: this.newId('sgr-'),
      groupId: sg.groupId,
      groupOwnerId: sg.ownerId,
      tags: rule.tags ?? [],
    };
    this.put(scope, record.securityGroupRuleId, record);
    return record;
  }

  rulesOf(scope: Scope, groupId: string): RuleRecord[] {
    return this.list<RuleRecord>(scope, EC2_TABLES.rules).filter((r) => r.groupId === groupId);
  }

  /** The default VPC of a scope, created on first use (once: a deleted default VPC stays deleted). */
  ensureDefaultVpc(scope: Scope): void {
    const key = `${scope.account}/${scope.region}`;
    if (this.runtime.store.get(EC2_TABLES.scopes, key)) return;
    this.runtime.store.transaction(() => {
      if (!this.runtime.store.insert(EC2_TABLES.scopes, key, { defaultVpc: true })) return;
      this.createVpc(scope, DEFAULT_VPC_CIDR, true, []);
    });
  }

  defaultVpc(scope: Scope): VpcRecord | undefined {
    return this.list<VpcRecord>(scope, EC2_TABLES.vpcs).find((v) => v.isDefault);
  }
}

export function kindOf(id: string): IdPrefix | undefined {
  return (Object.keys(RESOURCE_KINDS) as IdPrefix[]).sort((a, b) => b.length - a.length).find((p) => id.startsWith(p));
}

/** Tags of the TagSpecification entries for `resourceType`. */
export function tagsFor(specs: z.infer<typeof TagSpecificationSchema>[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== undefined && spec.ResourceType !== resourceType) {
      throw new InvalidParameterValue(
        `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const t of spec.Tag ?? []) tags.push({ key: t.Key, value: t.Value ?? '' });
  }
  return tags;
}
