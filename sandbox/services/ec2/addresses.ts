import type { OperationHandler } from '../../core/types';
import { BLOCK_PREFIX, cidrBlockParameter, contains, type Ipv4Block, overlaps, parseIpv4Cidr } from './cidr';
import { describeInput as filters, WithTags } from './describe';
import {
  AuthFailure,
  DependencyViolation,
  Ec2Error,
  InvalidParameterValue,
  InvalidSubnetConflict,
  InvalidSubnetRange,
  NotFound,
} from './errors';
import { matchesFilters, tagFilter } from './filters';
import { list, parseInput, required } from './input';
import {
  type AddressRecord,
  EC2_TABLES,
  type EniRecord,
  type IgwRecord,
  type Scope,
  type SubnetRecord,
  type Tag,
  type TransitGatewayAttachmentRecord,
  tagSet,
  type VpcRecord,
} from './model';
import { paginate } from './paginate';
import { availabilityZones } from './regions';
import { type Ec2State, tagsFor } from './state';

function subnetView(s: SubnetRecord, region: string): Record<string, unknown> {
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${region}:${s.ownerId}:subnet/${s.subnetId}`,
    vpcId: s.vpcId,
    state: 'available',
    cidrBlock: s.cidrBlock,
    availabilityZone: s.availabilityZone,
    availabilityZoneId: availabilityZones(region).find((z) => z.zoneName === s.availabilityZone)?.zoneId,
    availableIpAddressCount: Math.max(0, 2 ** (32 - Number(s.cidrBlock.split('/')[1])) - 5),
    defaultForAz: false,
    mapPublicIpOnLaunch: s.mapPublicIpOnLaunch ?? false,
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
    description: e.description,
    // a NAT gateway's interface is AWS's, in use by the gateway
    requesterManaged: e.natGatewayId !== undefined,
    status: e.natGatewayId ? 'in-use' : 'available',
    interfaceType: e.interfaceType ?? 'interface',
    privateIpAddress: e.privateIpAddress,
    sourceDestCheck: e.natGatewayId === undefined,
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

function overlapsBlock(cidr: string, block: Ipv4Block): boolean {
  const other = parseIpv4Cidr(cidr);
  return other !== undefined && overlaps(other, block);
}

/**
 * The zone of a new subnet: `AvailabilityZone` or `AvailabilityZoneId` (one of the region's three), by
 * default the region's first. Another zone is `InvalidParameterValue`, naming the zones there are.
 */
function subnetZone(byName: string | undefined, byId: string | undefined, region: string): string {
  const zones = availabilityZones(region);
  const zone = byName
    ? zones.find((z) => z.zoneName === byName)
    : byId
      ? zones.find((z) => z.zoneId === byId)
      : zones[0];
  if (!zone) {
    const parameter = byName ? 'availabilityZone' : 'availabilityZoneId';
    throw new InvalidParameterValue(
      `Value (${byName ?? byId}) for parameter ${parameter} is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.zoneName).join(', ')}.`,
    );
  }
  return zone.zoneName;
}

/** What CreateSubnet (and the `AWS::EC2::Subnet` resource) asks for. */
export interface SubnetRequest {
  vpcId: string;
  cidrBlock: string;
  availabilityZone?: string;
  availabilityZoneId?: string;
  mapPublicIpOnLaunch?: boolean;
  tags: Tag[];
}

/**
 * CreateSubnet: a /16–/28 block inside its VPC's (`InvalidSubnet.Range`), overlapping no other
 * subnet of the VPC (`InvalidSubnet.Conflict`), stored in canonical form as EC2 does (10.1.0.18/24
 * becomes 10.1.0.0/24), in one of the region's zones.
 */
export function createSubnet(state: Ec2State, scope: Scope, request: SubnetRequest): SubnetRecord {
  const vpc = state.require<VpcRecord>(scope, request.vpcId);
  const cidr = request.cidrBlock;
  const block = cidrBlockParameter(cidr);
  const vpcBlock = parseIpv4Cidr(vpc.cidrBlock);
  const sized = block.prefix >= BLOCK_PREFIX.min && block.prefix <= BLOCK_PREFIX.max;
  if (!sized || !vpcBlock || !contains(vpcBlock, block)) throw new InvalidSubnetRange(cidr);
  const siblings = state.list<SubnetRecord>(scope, EC2_TABLES.subnets).filter((s) => s.vpcId === vpc.vpcId);
  if (siblings.some((s) => overlapsBlock(s.cidrBlock, block))) throw new InvalidSubnetConflict(cidr);
  const subnet: SubnetRecord = {
    subnetId: state.newId('subnet-'),
    vpcId: vpc.vpcId,
    cidrBlock: block.canonical,
    availabilityZone: subnetZone(request.availabilityZone, request.availabilityZoneId, scope.region),
    ownerId: scope.account,
    ...(request.mapPublicIpOnLaunch !== undefined ? { mapPublicIpOnLaunch: request.mapPublicIpOnLaunch } : {}),
    tags: request.tags,
  };
  state.put(scope, subnet.subnetId, subnet);
  return subnet;
}

/**
 * DeleteSubnet: refused (`DependencyViolation`) while a network interface or a transit gateway
 * attachment is in the subnet; its route table association goes with it.
 */
export function deleteSubnet(state: Ec2State, scope: Scope, subnetId: string): void {
  const subnet = state.require<SubnetRecord>(scope, subnetId);
  const enis = state.list<EniRecord>(scope, EC2_TABLES.enis).some((e) => e.subnetId === subnet.subnetId);
  const attached = state
    .list<TransitGatewayAttachmentRecord>(scope, EC2_TABLES.tgwAttachments)
    .some((a) => a.subnetIds.includes(subnet.subnetId));
  if (enis || attached) {
    throw new DependencyViolation(`The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`);
  }
  state.runtime.store.transaction(() => {
    for (const a of state.associations(scope)) if (a.subnetId === subnet.subnetId) state.delete(scope, a.associationId);
    state.delete(scope, subnet.subnetId);
  });
}

/** The next private address of a subnet for a new network interface (a NAT gateway's included). */
export function privateIpFor(state: Ec2State, scope: Scope, subnet: SubnetRecord): string {
  const base = subnet.cidrBlock.split('/')[0]?.split('.').map(Number) ?? [10, 0, 0, 0];
  const count = state.list<EniRecord>(scope, EC2_TABLES.enis).filter((e) => e.subnetId === subnet.subnetId).length;
  return `${base[0]}.${base[1]}.${base[2]}.${(base[3] ?? 0) + 4 + count}`;
}

/** Whether an address is a NAT gateway's (AWS manages it: `AuthFailure` to the account's own calls). */
function natManaged(state: Ec2State, scope: Scope, address: AddressRecord): boolean {
  if (!address.networkInterfaceId) return false;
  return state.get<EniRecord>(scope, address.networkInterfaceId)?.natGatewayId !== undefined;
}

/** Addresses mapped to a network interface in `vpcId`: they keep an IGW from being detached. */
export function mappedAddresses(state: Ec2State, scope: Scope, vpcId: string): AddressRecord[] {
  return state.list<AddressRecord>(scope, EC2_TABLES.addresses).filter((a) => a.vpcId === vpcId && a.associationId);
}

/** Subnets, network interfaces and Elastic IP addresses: as much as "mapped public addresses" need. */
export function addressOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateSubnet(input, ctx) {
      const scope = state.scope(ctx);
      const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
      const vpcId = required(input, 'VpcId');
      const cidrBlock = required(input, 'CidrBlock');
      const availabilityZone = text('AvailabilityZone');
      const availabilityZoneId = text('AvailabilityZoneId');
      const subnet = createSubnet(state, scope, {
        vpcId,
        cidrBlock,
        ...(availabilityZone !== undefined ? { availabilityZone } : {}),
        ...(availabilityZoneId !== undefined ? { availabilityZoneId } : {}),
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'subnet'),
      });
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
      deleteSubnet(state, state.scope(ctx), required(input, 'SubnetId'));
      return { return: true };
    },

    CreateNetworkInterface(input, ctx) {
      const scope = state.scope(ctx);
      const subnet = state.require<SubnetRecord>(scope, required(input, 'SubnetId'));
      const eni: EniRecord = {
        networkInterfaceId: state.newId('eni-'),
        subnetId: subnet.subnetId,
        vpcId: subnet.vpcId,
        privateIpAddress: privateIpFor(state, scope, subnet),
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
      if (natManaged(state, scope, address) || eni.natGatewayId) throw new AuthFailure();
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
      if (natManaged(state, scope, address)) throw new AuthFailure();
      const { associationId: _a, networkInterfaceId: _n, vpcId: _v, ...rest } = address;
      state.put(scope, address.allocationId, rest);
      return { return: true };
    },

    ReleaseAddress(input, ctx) {
      const scope = state.scope(ctx);
      const address = state.require<AddressRecord>(scope, required(input, 'AllocationId'));
      if (natManaged(state, scope, address)) throw new AuthFailure();
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
