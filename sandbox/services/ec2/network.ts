import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { DependencyViolation, Ec2Error, InvalidParameterValue, NotFound } from './errors';
import { type Filter, matchesFilters, tagFilter } from './filters';
import { checkCidr, DescribeSchema, list, parseInput, required, TagSpecificationSchema } from './input';
import {
  type AddressRecord,
  EC2_TABLES,
  type EniRecord,
  type IgwRecord,
  type Scope,
  type SubnetRecord,
  tagSet,
  type VpcRecord,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';

const WithTags = z.looseObject({ TagSpecification: z.optional(z.array(TagSpecificationSchema)) });

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

function subnetView(s: SubnetRecord, region: string): Record<string, unknown> {
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${region}:${s.ownerId}:subnet/${s.subnetId}`,
    vpcId: s.vpcId,
    state: 'available',
    cidrBlock: s.cidrBlock,
    availabilityZone: s.availabilityZone,
    availableIpAddressCount: Math.max(0, 2 ** (32 - Number(s.cidrBlock.split('/')[1])) - 5),
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    ownerId: s.ownerId,
    tagSet: tagSet(s.tags),
  };
}

function eniView(e: EniRecord, subnet: SubnetRecord | undefined, address: AddressRecord | undefined) {
  return {
    networkInterfaceId: e.networkInterfaceId,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: subnet?.availabilityZone,
    ownerId: e.ownerId,
    requesterManaged: false,
    status: 'available',
    interfaceType: 'interface',
    privateIpAddress: e.privateIpAddress,
    sourceDestCheck: true,
    association: address
      ? {
          publicIp: address.publicIp,
          allocationId: address.allocationId,
          associationId: address.associationId,
          ipOwnerId: 'amazon',
        }
      : undefined,
    groupSet: [],
    tagSet: tagSet(e.tags),
  };
}

function addressView(a: AddressRecord, scope: Scope, eni: EniRecord | undefined): Record<string, unknown> {
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: 'vpc',
    associationId: a.associationId,
    networkInterfaceId: a.networkInterfaceId,
    networkInterfaceOwnerId: a.networkInterfaceId ? scope.account : undefined,
    privateIpAddress: eni?.privateIpAddress,
    publicIpv4Pool: 'amazon',
    networkBorderGroup: scope.region,
    tagSet: tagSet(a.tags),
  };
}

/** Addresses mapped to a network interface in `vpcId`: they keep an IGW from being detached. */
function mappedAddresses(state: Ec2State, scope: Scope, vpcId: string): AddressRecord[] {
  return state.list<AddressRecord>(scope, EC2_TABLES.addresses).filter((a) => a.vpcId === vpcId && a.associationId);
}

function filters(input: Record<string, unknown>): { filter: Filter[] | undefined; max?: number; token?: string } {
  const parsed = parseInput(DescribeSchema, input);
  return { filter: parsed.Filter as Filter[] | undefined, max: parsed.MaxResults, token: parsed.NextToken };
}

/** VPCs, internet gateways, subnets, network interfaces and Elastic IP addresses. */
export function networkOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateVpc(input, ctx) {
      const scope = state.scope(ctx);
      const cidr = required(input, 'CidrBlock');
      checkCidr(cidr);
      const prefix = Number(cidr.split('/')[1]);
      if (prefix < 16 || prefix > 28) {
        throw new Ec2Error('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);
      }
      const tags = tagsFor(parseInput(WithTags, input).TagSpecification, 'vpc');
      const vpc = state.runtime.store.transaction(() => state.createVpc(scope, cidr, false, tags));
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
      const scope = state.scope(ctx);
      const vpcId = required(input, 'VpcId');
      state.require<VpcRecord>(scope, vpcId);
      const attached = state.list<IgwRecord>(scope, EC2_TABLES.igws).some((g) => g.vpcId === vpcId);
      const groups = state
        .list<{ vpcId: string; groupName: string }>(scope, EC2_TABLES.sgs)
        .filter((g) => g.vpcId === vpcId);
      const subnets = state.list<SubnetRecord>(scope, EC2_TABLES.subnets).some((s) => s.vpcId === vpcId);
      if (attached || subnets || groups.some((g) => g.groupName !== 'default')) {
        throw new DependencyViolation(`The vpc '${vpcId}' has dependencies and cannot be deleted.`);
      }
      state.runtime.store.transaction(() => {
        for (const g of state.list<{ groupId: string; vpcId: string }>(scope, EC2_TABLES.sgs)) {
          if (g.vpcId !== vpcId) continue;
          for (const r of state.rulesOf(scope, g.groupId)) state.delete(scope, r.securityGroupRuleId);
          state.delete(scope, g.groupId);
        }
        state.delete(scope, vpcId);
      });
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

    CreateSubnet(input, ctx) {
      const scope = state.scope(ctx);
      const vpc = state.require<VpcRecord>(scope, required(input, 'VpcId'));
      const cidr = required(input, 'CidrBlock');
      checkCidr(cidr);
      const az = typeof input.AvailabilityZone === 'string' ? input.AvailabilityZone : `${scope.region}a`;
      if (!az.startsWith(scope.region))
        throw new InvalidParameterValue(`Value (${az}) for parameter availabilityZone is invalid.`);
      const subnet: SubnetRecord = {
        subnetId: state.newId('subnet-'),
        vpcId: vpc.vpcId,
        cidrBlock: cidr,
        availabilityZone: az,
        ownerId: scope.account,
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'subnet'),
      };
      state.put(scope, subnet.subnetId, subnet);
      return { subnet: subnetView(subnet, scope.region) };
    },

    DescribeSubnets(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'SubnetId');
      const { filter, max, token } = filters(input);
      for (const id of ids ?? []) state.require(scope, id);
      const subnets = state
        .list<SubnetRecord>(scope, EC2_TABLES.subnets)
        .filter((s) => !ids || ids.includes(s.subnetId))
        .filter((s) =>
          matchesFilters(filter, (name) => {
            if (name === 'vpc-id') return [s.vpcId];
            if (name === 'subnet-id') return [s.subnetId];
            if (name === 'availability-zone') return [s.availabilityZone];
            return tagFilter(s.tags, name);
          }),
        );
      const { page, next } = paginate(subnets, token, max);
      return { subnetSet: page.map((s) => subnetView(s, scope.region)), nextToken: next };
    },

    DeleteSubnet(input, ctx) {
      const scope = state.scope(ctx);
      const subnet = state.require<SubnetRecord>(scope, required(input, 'SubnetId'));
      if (state.list<EniRecord>(scope, EC2_TABLES.enis).some((e) => e.subnetId === subnet.subnetId)) {
        throw new DependencyViolation(`The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`);
      }
      state.delete(scope, subnet.subnetId);
      return { return: true };
    },

    CreateNetworkInterface(input, ctx) {
      const scope = state.scope(ctx);
      const subnet = state.require<SubnetRecord>(scope, required(input, 'SubnetId'));
      const base = subnet.cidrBlock.split('/')[0]?.split('.').map(Number) ?? [10, 0, 0, 0];
      const count = state.list<EniRecord>(scope, EC2_TABLES.enis).filter((e) => e.subnetId === subnet.subnetId).length;
      const eni: EniRecord = {
        networkInterfaceId: state.newId('eni-'),
        subnetId: subnet.subnetId,
        vpcId: subnet.vpcId,
        privateIpAddress: `${base[0]}.${base[1]}.${base[2]}.${(base[3] ?? 0) + 4 + count}`,
        ownerId: scope.account,
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'network-interface'),
      };
      state.put(scope, eni.networkInterfaceId, eni);
      return { networkInterface: eniView(eni, subnet, undefined) };
    },

    DeleteNetworkInterface(input, ctx) {
      const scope = state.scope(ctx);
      const eni = state.require<EniRecord>(scope, required(input, 'NetworkInterfaceId'));
      const address = state
        .list<AddressRecord>(scope, EC2_TABLES.addresses)
        .find((a) => a.networkInterfaceId === eni.networkInterfaceId);
      if (address) {
        throw new Ec2Error(
          'InvalidNetworkInterface.InUse',
          `The network interface '${eni.networkInterfaceId}' has an associated address ${address.publicIp}`,
        );
      }
      state.delete(scope, eni.networkInterfaceId);
      return { return: true };
    },

    AllocateAddress(input, ctx) {
      const scope = state.scope(ctx);
      if (input.Domain !== undefined && input.Domain !== 'vpc') {
        throw new InvalidParameterValue(`Value (${String(input.Domain)}) for parameter domain is invalid.`);
      }
      const octet = () => 1 + Math.floor(state.runtime.random() * 254);
      const address: AddressRecord = {
        allocationId: state.newId('eipalloc-'),
        publicIp: `3.${octet()}.${octet()}.${octet()}`,
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'elastic-ip'),
      };
      state.put(scope, address.allocationId, address);
      return {
        publicIp: address.publicIp,
        allocationId: address.allocationId,
        publicIpv4Pool: 'amazon',
        networkBorderGroup: scope.region,
        domain: 'vpc',
      };
    },

    AssociateAddress(input, ctx) {
      const scope = state.scope(ctx);
      const address = state.require<AddressRecord>(scope, required(input, 'AllocationId'));
      if (input.InstanceId !== undefined) {
        throw new NotFound(
          'InvalidInstanceID.NotFound',
          `The instance ID '${String(input.InstanceId)}' does not exist`,
        );
      }
      const eni = state.require<EniRecord>(scope, required(input, 'NetworkInterfaceId'));
      const hasIgw = state.list<IgwRecord>(scope, EC2_TABLES.igws).some((g) => g.vpcId === eni.vpcId);
      if (!hasIgw)
        throw new Ec2Error('Gateway.NotAttached', `Network ${eni.vpcId} is not attached to any internet gateway`);
      if (address.associationId && input.AllowReassociation !== 'true') {
        throw new Ec2Error(
          'Resource.AlreadyAssociated',
          `resource ${address.allocationId} is already associated with associate-id ${address.associationId}`,
        );
      }
      const associationId = state.newId('eipassoc-');
      state.put(scope, address.allocationId, {
        ...address,
        associationId,
        networkInterfaceId: eni.networkInterfaceId,
        vpcId: eni.vpcId,
      });
      return { return: true, associationId };
    },

    DisassociateAddress(input, ctx) {
      const scope = state.scope(ctx);
      const associationId = required(input, 'AssociationId');
      const address = state
        .list<AddressRecord>(scope, EC2_TABLES.addresses)
        .find((a) => a.associationId === associationId);
      if (!address) {
        throw new NotFound('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
      }
      const { associationId: _a, networkInterfaceId: _n, vpcId: _v, ...rest } = address;
      state.put(scope, address.allocationId, rest);
      return { return: true };
    },

    ReleaseAddress(input, ctx) {
      const scope = state.scope(ctx);
      const address = state.require<AddressRecord>(scope, required(input, 'AllocationId'));
      if (address.associationId) throw new Ec2Error('InvalidIPAddress.InUse', 'Address is in use');
      state.delete(scope, address.allocationId);
      return { return: true };
    },

    DescribeAddresses(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'AllocationId');
      const { filter } = filters(input);
      for (const id of ids ?? []) state.require(scope, id);
      const addresses = state
        .list<AddressRecord>(scope, EC2_TABLES.addresses)
        .filter((a) => !ids || ids.includes(a.allocationId))
        .filter((a) =>
          matchesFilters(filter, (name) => {
            if (name === 'allocation-id') return [a.allocationId];
            if (name === 'association-id') return a.associationId ? [a.associationId] : [];
            if (name === 'public-ip') return [a.publicIp];
            if (name === 'network-interface-id') return a.networkInterfaceId ? [a.networkInterfaceId] : [];
            if (name === 'domain') return ['vpc'];
            return tagFilter(a.tags, name);
          }),
        );
      return {
        addressesSet: addresses.map((a) =>
          addressView(a, scope, a.networkInterfaceId ? state.get<EniRecord>(scope, a.networkInterfaceId) : undefined),
        ),
      };
    },

    DescribeNetworkInterfaces(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'NetworkInterfaceId');
      const { filter } = filters(input);
      for (const id of ids ?? []) state.require(scope, id);
      const addresses = state.list<AddressRecord>(scope, EC2_TABLES.addresses);
      const enis = state
        .list<EniRecord>(scope, EC2_TABLES.enis)
        .filter((e) => !ids || ids.includes(e.networkInterfaceId))
        .filter((e) =>
          matchesFilters(filter, (name) => {
            if (name === 'vpc-id') return [e.vpcId];
            if (name === 'subnet-id') return [e.subnetId];
            if (name === 'network-interface-id') return [e.networkInterfaceId];
            return tagFilter(e.tags, name);
          }),
        );
      return {
        networkInterfaceSet: enis.map((e) =>
          eniView(
            e,
            state.get<SubnetRecord>(scope, e.subnetId),
            addresses.find((a) => a.networkInterfaceId === e.networkInterfaceId),
          ),
        ),
      };
    },
  };
}
