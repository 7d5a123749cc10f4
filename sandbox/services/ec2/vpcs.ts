import type { OperationHandler } from '../../core/types';
import { mappedAddresses } from './addresses';
import { BLOCK_PREFIX, cidrBlockParameter } from './cidr';
import { describeInput as filters, WithTags } from './describe';
import { DependencyViolation, Ec2Error, InvalidParameterValue, InvalidVpcRange, MissingParameter } from './errors';
import { matchesFilters, tagFilter } from './filters';
import { list, parseInput, required } from './input';
import { allocateVpcCidr, releaseResourceAllocation, type VpcIpamRequest, vpcIpamRequest } from './ipam-allocations';
import {
  EC2_TABLES,
  type IgwRecord,
  type RouteTableRecord,
  type Scope,
  type SubnetRecord,
  type Tag,
  type TransitGatewayAttachmentRecord,
  tagSet,
  type VpcRecord,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor, type VpcOptions } from './state';

/** The tenancies a VPC may have (`host` is for instances only). */
const VPC_TENANCIES = ['default', 'dedicated'] as const;

/**
 * CreateVpc: a /16–/28 block, stored in canonical form as EC2 does (100.68.0.18/18 becomes
 * 100.68.0.0/18), with its default security group and main route table; or, with `ipv4IpamPoolId`,
 * the block the IPAM pool allocates to it (`ipv4NetmaskLength`, or `cidrBlock` taken from the pool, or
 * the pool's default netmask length; see `allocateVpcCidr`). The API and the `AWS::EC2::VPC`
 * resource both create VPCs through here.
 */
export function createVpc(
  state: Ec2State,
  scope: Scope,
  request: { cidrBlock?: string; tags: Tag[] } & VpcIpamRequest & VpcOptions,
): VpcRecord {
  const tenancy = request.instanceTenancy ?? 'default';
  if (!(VPC_TENANCIES as readonly string[]).includes(tenancy)) {
    throw new InvalidParameterValue(`Value (${tenancy}) for parameter instanceTenancy is invalid.`);
  }
  const options = { ...request, instanceTenancy: tenancy };
  if (request.ipv4IpamPoolId !== undefined) {
    const { ipv4IpamPoolId: poolId, ipv4NetmaskLength: netmaskLength, cidrBlock: cidr, tags } = request;
    return allocateVpcCidr(state, scope, { poolId, cidr, netmaskLength, tags }, (block) =>
      state.createVpc(scope, block, false, tags, options),
    );
  }
  if (request.cidrBlock === undefined) throw new MissingParameter('CidrBlock');
  const block = cidrBlockParameter(request.cidrBlock);
  if (block.prefix < BLOCK_PREFIX.min || block.prefix > BLOCK_PREFIX.max) throw new InvalidVpcRange(request.cidrBlock);
  return state.runtime.store.transaction(() => state.createVpc(scope, block.canonical, false, request.tags, options));
}

/**
 * DeleteVpc: refused (`DependencyViolation`) while an internet gateway is attached or subnets,
 * security groups other than `default`, route tables other than the main one or transit gateway
 * attachments remain; deletes the default group and the main route table with the VPC.
 */
export function deleteVpc(state: Ec2State, scope: Scope, vpcId: string): void {
  state.require<VpcRecord>(scope, vpcId);
  const inVpc = <T extends { vpcId: string }>(table: string) =>
    state.list<T>(scope, table).filter((r) => r.vpcId === vpcId);
  const attached = state.list<IgwRecord>(scope, EC2_TABLES.igws).some((g) => g.vpcId === vpcId);
  const groups = inVpc<{ vpcId: string; groupName: string }>(EC2_TABLES.sgs);
  const subnets = inVpc<SubnetRecord>(EC2_TABLES.subnets).length > 0;
  const main = state.associations(scope).find((a) => a.vpcId === vpcId && a.main);
  const tables = inVpc<RouteTableRecord>(EC2_TABLES.routeTables);
  const attachments = inVpc<TransitGatewayAttachmentRecord>(EC2_TABLES.tgwAttachments).length > 0;
  if (
    attached ||
    subnets ||
    attachments ||
    groups.some((g) => g.groupName !== 'default') ||
    tables.some((t) => t.routeTableId !== main?.routeTableId)
  ) {
    throw new DependencyViolation(`The vpc '${vpcId}' has dependencies and cannot be deleted.`);
  }
  state.runtime.store.transaction(() => {
    for (const g of state.list<{ groupId: string; vpcId: string }>(scope, EC2_TABLES.sgs)) {
      if (g.vpcId !== vpcId) continue;
      for (const r of state.rulesOf(scope, g.groupId)) state.delete(scope, r.securityGroupRuleId);
      state.delete(scope, g.groupId);
    }
    for (const a of state.associations(scope)) if (a.vpcId === vpcId) state.delete(scope, a.associationId);
    for (const t of tables) state.delete(scope, t.routeTableId);
    state.delete(scope, vpcId);
    releaseResourceAllocation(state, scope, vpcId);
  });
}

export function vpcView(v: VpcRecord, region: string): Record<string, unknown> {
  return {
    vpcId: v.vpcId,
    ownerId: v.ownerId,
    state: 'available',
    cidrBlock: v.cidrBlock,
    dhcpOptionsId: `dopt-${region.replace(/-/g, '')}`.slice(0, 22),
    instanceTenancy: v.instanceTenancy,
    isDefault: v.isDefault,
    cidrBlockAssociationSet: [
      { associationId: v.associationId, cidrBlock: v.cidrBlock, cidrBlockState: { state: 'associated' } },
    ],
    tagSet: tagSet(v.tags),
  };
}

export function igwView(g: IgwRecord): Record<string, unknown> {
  return {
    internetGatewayId: g.internetGatewayId,
    ownerId: g.ownerId,
    attachmentSet: g.vpcId ? [{ vpcId: g.vpcId, state: 'available' }] : [],
    tagSet: tagSet(g.tags),
  };
}

/** VPCs and internet gateways. */
export function vpcOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateVpc(input, ctx) {
      const scope = state.scope(ctx);
      const ipam = vpcIpamRequest(input);
      const cidrBlock = ipam.ipv4IpamPoolId && input.CidrBlock === undefined ? undefined : required(input, 'CidrBlock');
      const tags = tagsFor(parseInput(WithTags, input).TagSpecification, 'vpc');
      const instanceTenancy = typeof input.InstanceTenancy === 'string' ? input.InstanceTenancy : undefined;
      const vpc = createVpc(state, scope, {
        ...(cidrBlock !== undefined ? { cidrBlock } : {}),
        ...ipam,
        tags,
        ...(instanceTenancy ? { instanceTenancy } : {}),
      });
      return { vpc: vpcView(vpc, scope.region) };
    },

    DescribeVpcs(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'VpcId');
      const { filter, max, token } = filters(input);
      for (const id of ids ?? []) state.require(scope, id);
      const vpcs = state
        .list<VpcRecord>(scope, EC2_TABLES.vpcs)
        .filter((v) => !ids || ids.includes(v.vpcId))
        .filter((v) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'vpc-id':
                return [v.vpcId];
              case 'cidr':
              case 'cidr-block-association.cidr-block':
                return [v.cidrBlock];
              case 'is-default':
                return [String(v.isDefault)];
              case 'owner-id':
                return [v.ownerId];
              case 'state':
                return ['available'];
              default:
                return tagFilter(v.tags, name);
            }
          }),
        );
      const { page, next } = paginate(vpcs, token, max);
      return { vpcSet: page.map((v) => vpcView(v, scope.region)), nextToken: next };
    },

    DeleteVpc(input, ctx) {
      deleteVpc(state, state.scope(ctx), required(input, 'VpcId'));
      return { return: true };
    },

    CreateInternetGateway(input, ctx) {
      const scope = state.scope(ctx);
      const igw: IgwRecord = {
        internetGatewayId: state.newId('igw-'),
        ownerId: scope.account,
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'internet-gateway'),
      };
      state.put(scope, igw.internetGatewayId, igw);
      return { internetGateway: igwView(igw) };
    },

    AttachInternetGateway(input, ctx) {
      const scope = state.scope(ctx);
      const igw = state.require<IgwRecord>(scope, required(input, 'InternetGatewayId'));
      const vpcId = required(input, 'VpcId');
      state.require<VpcRecord>(scope, vpcId);
      if (igw.vpcId) {
        throw new Ec2Error(
          'Resource.AlreadyAssociated',
          `resource ${igw.internetGatewayId} is already attached to network ${igw.vpcId}`,
        );
      }
      const other = state.list<IgwRecord>(scope, EC2_TABLES.igws).find((g) => g.vpcId === vpcId);
      if (other) {
        throw new Ec2Error(
          'Resource.AlreadyAssociated',
          `resource ${vpcId} is already attached to internet gateway ${other.internetGatewayId}`,
        );
      }
      state.put(scope, igw.internetGatewayId, { ...igw, vpcId });
      return { return: true };
    },

    DetachInternetGateway(input, ctx) {
      const scope = state.scope(ctx);
      const igw = state.require<IgwRecord>(scope, required(input, 'InternetGatewayId'));
      const vpcId = required(input, 'VpcId');
      if (igw.vpcId !== vpcId) {
        throw new Ec2Error(
          'Gateway.NotAttached',
          `resource ${igw.internetGatewayId} is not attached to network ${vpcId}`,
        );
      }
      if (mappedAddresses(state, scope, vpcId).length > 0) {
        throw new DependencyViolation(
          `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
        );
      }
      const { vpcId: _detached, ...rest } = igw;
      state.put(scope, igw.internetGatewayId, rest);
      return { return: true };
    },

    DeleteInternetGateway(input, ctx) {
      const scope = state.scope(ctx);
      const igw = state.require<IgwRecord>(scope, required(input, 'InternetGatewayId'));
      if (igw.vpcId) {
        throw new DependencyViolation(
          `The internetGateway '${igw.internetGatewayId}' has dependencies and cannot be deleted.`,
        );
      }
      state.delete(scope, igw.internetGatewayId);
      return { return: true };
    },

    DescribeInternetGateways(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'InternetGatewayId');
      const { filter, max, token } = filters(input);
      for (const id of ids ?? []) state.require(scope, id);
      const igws = state
        .list<IgwRecord>(scope, EC2_TABLES.igws)
        .filter((g) => !ids || ids.includes(g.internetGatewayId))
        .filter((g) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'attachment.vpc-id':
                return g.vpcId ? [g.vpcId] : [];
              case 'attachment.state':
                return g.vpcId ? ['available'] : [];
              case 'internet-gateway-id':
                return [g.internetGatewayId];
              case 'owner-id':
                return [g.ownerId];
              default:
                return tagFilter(g.tags, name);
            }
          }),
        );
      const { page, next } = paginate(igws, token, max);
      return { internetGatewaySet: page.map(igwView), nextToken: next };
    },
  };
}
