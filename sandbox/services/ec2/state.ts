import type * as z from 'zod/mini';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { InvalidParameterValue, NotFound } from './errors';
import type { TagSpecificationSchema } from './input';
import {
  EC2_TABLES,
  type RuleRecord,
  type Scope,
  type SecurityGroupRecord,
  scopedId,
  scopePrefix,
  type Tag,
  type VpcRecord,
} from './model';
import { reconcileStacks } from './stacks';

/** The default VPC's CIDR block, as in every AWS region. */
export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

/**
 * Which table, NotFound error, resource type (as `DescribeTags` and `TagSpecification` name it) and
 * id field each id prefix belongs to.
 */
export const RESOURCE_KINDS = {
  'vpc-': { table: EC2_TABLES.vpcs, code: 'InvalidVpcID.NotFound', noun: 'vpc ID', type: 'vpc', idField: 'vpcId' },
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
} as const;
export type IdPrefix = keyof typeof RESOURCE_KINDS;

/**
 * EC2 state of one sandbox: resources per account and region in the store, ids from the seeded
 * generator, and the default VPC (with its default security group) created on first use of a
 * scope, as AWS does for every account and region.
 */
export class Ec2State {
  constructor(readonly runtime: SandboxRuntime) {}

  /** The caller's account and the request's region. */
  scope(ctx: RequestContext): Scope {
    const scope = { account: ctx.principal.accountId, region: ctx.region };
    this.ensureDefaultVpc(scope);
    reconcileStacks(this, scope);
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
    const { code, noun } = RESOURCE_KINDS[kind];
    if (kind === 'sg-') throw new NotFound(code, `The security group '${id}' does not exist`);
    throw new NotFound(code, `The ${noun} '${id}' does not exist`);
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

  /** Creates a VPC with its default security group (egress to anywhere, ingress from itself). */
  createVpc(scope: Scope, cidrBlock: string, isDefault: boolean, tags: Tag[]): VpcRecord {
    const vpc: VpcRecord = {
      vpcId: this.newId('vpc-'),
      ownerId: scope.account,
      cidrBlock,
      isDefault,
      instanceTenancy: 'default',
      associationId: this.newId('vpc-cidr-assoc-'),
      tags,
    };
    this.put(scope, vpc.vpcId, vpc);
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
