import type { OperationHandler } from '../../core/types';
import { privateIpFor } from './addresses';
import { describeInput, WithTags } from './describe';
import { Ec2Error, InvalidParameterCombination, InvalidParameterValue, NotFound } from './errors';
import { checkFilterNames, matchesFilters, tagFilter } from './filters';
import { list, parseInput, required } from './input';
import { idempotent } from './ipam-pools';
import {
  type AddressRecord,
  EC2_TABLES,
  type EniRecord,
  type IgwRecord,
  type NatGatewayAddressRecord,
  type NatGatewayRecord,
  type RouteTableRecord,
  type Scope,
  type SubnetRecord,
  type Tag,
  tagSet,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';

/**
 * NAT gateways (CreateNatGateway, DescribeNatGateways, DeleteNatGateway). A gateway lives in a subnet
 * and gets a network interface there (`Interface for NAT Gateway nat-…`, type `nat_gateway`, AWS's to
 * manage); a public one also takes an Elastic IP of the account, associated with that interface, and
 * needs the VPC to have an internet gateway. As on AWS the call answers `pending`; the gateway is
 * `available` at once (transit gateways here do the same), or `failed` with AWS's `failureCode` and
 * `failureMessage` when it could not take its address: the VPC has no internet gateway
 * (`Gateway.NotAttached`) or the Elastic IP is associated elsewhere (`Resource.AlreadyAssociated`).
 * DeleteNatGateway releases the address and the interface at once and the gateway is `deleting` for
 * {@link NAT_GATEWAY_DELETE_MS} of sandbox time (compressed like other modelled waits), then `deleted`;
 * deleted and failed gateways stay in DescribeNatGateways for {@link NAT_GATEWAY_RETENTION_MS}.
 */

/** How long a deletion takes on the sandbox clock (about a minute on AWS). */
export const NAT_GATEWAY_DELETE_MS = 60_000;
/** How long a deleted or failed gateway stays visible ("automatically deleted, usually in about an hour"). */
export const NAT_GATEWAY_RETENTION_MS = 3_600_000;

export type NatGatewayState = 'pending' | 'available' | 'failed' | 'deleting' | 'deleted';

/** The state of a gateway at `nowMs` (sandbox time). */
export function natGatewayState(g: NatGatewayRecord, nowMs: number): NatGatewayState {
  if (g.deletedAtMs !== undefined) return nowMs < g.deletedAtMs ? 'deleting' : 'deleted';
  return g.failure ? 'failed' : 'available';
}

/** Whether a deleted or failed gateway has aged out of Describe results. */
function expired(g: NatGatewayRecord, nowMs: number): boolean {
  if (g.deletedAtMs !== undefined) return nowMs >= g.deletedAtMs + NAT_GATEWAY_RETENTION_MS;
  return g.failure !== undefined && nowMs >= Date.parse(g.createTime) + NAT_GATEWAY_RETENTION_MS;
}

/** The scope's gateways still on record (aged-out ones are dropped on the way). */
export function natGateways(state: Ec2State, scope: Scope): NatGatewayRecord[] {
  const now = state.runtime.clock.nowMs();
  const all = state.list<NatGatewayRecord>(scope, EC2_TABLES.natGateways);
  for (const g of all) if (expired(g, now)) state.delete(scope, g.natGatewayId);
  return all.filter((g) => !expired(g, now));
}

/** A gateway of the scope, or undefined (aged-out ones included). */
export function findNatGateway(state: Ec2State, scope: Scope, id: string): NatGatewayRecord | undefined {
  return natGateways(state, scope).find((g) => g.natGatewayId === id);
}

/** `NatGatewayNotFound`, in AWS's words. */
function notFound(id: string): NotFound {
  return new NotFound('NatGatewayNotFound', `NAT gateway ${id} was not found`);
}

function addressView(a: NatGatewayAddressRecord, live: boolean): Record<string, unknown> {
  return {
    allocationId: a.allocationId,
    networkInterfaceId: a.networkInterfaceId,
    privateIp: a.privateIp,
    publicIp: a.publicIp,
    ...(live ? { associationId: a.associationId, isPrimary: true, status: 'succeeded' } : {}),
  };
}

/** A gateway as DescribeNatGateways shows it (`state` overrides: CreateNatGateway answers `pending`). */
export function natGatewayView(
  g: NatGatewayRecord,
  nowMs: number,
  state: NatGatewayState = natGatewayState(g, nowMs),
): Record<string, unknown> {
  const addresses =
    state === 'pending' || state === 'failed'
      ? g.addresses.filter((a) => a.allocationId).map((a) => ({ allocationId: a.allocationId }))
      : g.addresses.map((a) => addressView(a, state === 'available'));
  return {
    createTime: g.createTime,
    ...(g.deleteTime && state !== 'pending' ? { deleteTime: g.deleteTime } : {}),
    ...(g.failure && state === 'failed' ? { failureCode: g.failure.code, failureMessage: g.failure.message } : {}),
    natGatewayAddressSet: addresses,
    natGatewayId: g.natGatewayId,
    state,
    subnetId: g.subnetId,
    vpcId: g.vpcId,
    tagSet: tagSet(g.tags),
    connectivityType: g.connectivityType,
  };
}

/** What CreateNatGateway (and `AWS::EC2::NatGateway`) asks for. */
export interface NatGatewayRequest {
  subnetId: string;
  allocationId?: string;
  /** `public` (the default) or `private`. */
  connectivityType?: string;
  tags: Tag[];
}

/**
 * The subnet and Elastic IP of a request, checked as CreateNatGateway checks them before it makes
 * anything: malformed ids (`InvalidSubnet`, `InvalidElasticIpID.Malformed`), ids the account does
 * not have in the region (`InvalidSubnetID.NotFound`, `InvalidElasticIpID.NotFound`), a public gateway
 * without `AllocationId` (`MissingParameter`).
 */
function checkRequest(state: Ec2State, scope: Scope, request: NatGatewayRequest) {
  const { subnetId, allocationId } = request;
  const type = request.connectivityType ?? 'public';
  if (!subnetId.startsWith('subnet-')) {
    throw new Ec2Error('InvalidSubnet', `The subnet ID '${subnetId}' is malformed`);
  }
  if (type !== 'public' && type !== 'private') {
    // sandbox wording, after EC2's for other enumerations
    throw new InvalidParameterValue(`Value (${type}) for parameter connectivityType is invalid.`);
  }
  if (type === 'public' && allocationId === undefined) {
    throw new Ec2Error(
      'MissingParameter',
      'The request must include the AllocationId parameter. Add the required parameter and retry the request.',
    );
  }
  if (type === 'private' && allocationId !== undefined) {
    // sandbox wording: AWS documents that a private NAT gateway takes no Elastic IP
    throw new InvalidParameterCombination('You cannot specify an Elastic IP address with a private NAT gateway.');
  }
  if (allocationId !== undefined && !allocationId.startsWith('eipalloc-')) {
    throw new Ec2Error('InvalidElasticIpID.Malformed', `The elastic-ip ID '${allocationId}' is malformed`);
  }
  const subnet = state.get<SubnetRecord>(scope, subnetId);
  if (!subnet) throw new NotFound('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  const address = allocationId === undefined ? undefined : state.get<AddressRecord>(scope, allocationId);
  if (allocationId !== undefined && !address) {
    throw new NotFound('InvalidElasticIpID.NotFound', `The elasticIp ID '${allocationId}' does not exist`);
  }
  return { subnet, address, type: type as NatGatewayRecord['connectivityType'] };
}

/** Why a public gateway cannot take its address, as its `failureCode` and `failureMessage` say. */
function failureOf(state: Ec2State, scope: Scope, subnet: SubnetRecord, address: AddressRecord) {
  const igw = state.list<IgwRecord>(scope, EC2_TABLES.igws).some((g) => g.vpcId === subnet.vpcId);
  if (!igw) {
    return {
      code: 'Gateway.NotAttached',
      message: `Network ${subnet.vpcId} has no Internet gateway attached`,
    } as const;
  }
  if (address.associationId) {
    return {
      code: 'Resource.AlreadyAssociated',
      message: `Elastic IP address [${address.allocationId}] is already associated`,
    } as const;
  }
  return undefined;
}

/**
 * CreateNatGateway: a gateway in the subnet with its network interface (and, public, the Elastic IP
 * associated with it), `available` at once; or a `failed` one that holds nothing.
 */
export function createNatGateway(state: Ec2State, scope: Scope, request: NatGatewayRequest): NatGatewayRecord {
  const { subnet, address, type } = checkRequest(state, scope, request);
  const natGatewayId = state.newId('nat-');
  const base = {
    natGatewayId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    ownerId: scope.account,
    connectivityType: type,
    createTime: state.runtime.clock.now().toISOString(),
    tags: request.tags,
  };
  const failure = address ? failureOf(state, scope, subnet, address) : undefined;
  if (failure) {
    const gateway: NatGatewayRecord = { ...base, addresses: [{ allocationId: address?.allocationId }], failure };
    state.put(scope, natGatewayId, gateway);
    return gateway;
  }
  return state.runtime.store.transaction(() => {
    const eni: EniRecord = {
      networkInterfaceId: state.newId('eni-'),
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      privateIpAddress: privateIpFor(state, scope, subnet),
      ownerId: scope.account,
      tags: [],
      description: `Interface for NAT Gateway ${natGatewayId}`,
      interfaceType: 'nat_gateway',
      natGatewayId,
    };
    state.put(scope, eni.networkInterfaceId, eni);
    const held: NatGatewayAddressRecord = {
      networkInterfaceId: eni.networkInterfaceId,
      privateIp: eni.privateIpAddress,
    };
    if (address) {
      const associationId = state.newId('eipassoc-');
      state.put(scope, address.allocationId, {
        ...address,
        associationId,
        networkInterfaceId: eni.networkInterfaceId,
        vpcId: subnet.vpcId,
      });
      Object.assign(held, { allocationId: address.allocationId, publicIp: address.publicIp, associationId });
    }
    const gateway: NatGatewayRecord = { ...base, addresses: [held] };
    state.put(scope, natGatewayId, gateway);
    return gateway;
  });
}

/**
 * DeleteNatGateway: the Elastic IP is disassociated (not released) and the interface goes at once;
 * the gateway is `deleting` until {@link NAT_GATEWAY_DELETE_MS} later (`settled`: `deleted` at once, as
 * CloudFormation sees it once its handler has waited), and routes to it are `blackhole`. Deleting a
 * gateway that is already deleting or deleted changes nothing.
 */
export function deleteNatGateway(
  state: Ec2State,
  scope: Scope,
  natGatewayId: string,
  options: { settled?: boolean } = {},
): NatGatewayRecord {
  const gateway = findNatGateway(state, scope, natGatewayId);
  if (!gateway) throw notFound(natGatewayId);
  if (gateway.deletedAtMs !== undefined) return gateway;
  const { clock, store } = state.runtime;
  const now = clock.nowMs();
  const deletedAtMs = options.settled ? now : now + NAT_GATEWAY_DELETE_MS;
  const deleted: NatGatewayRecord = { ...gateway, deleteTime: new Date(now).toISOString(), deletedAtMs };
  store.transaction(() => {
    for (const held of gateway.addresses) {
      const address = held.allocationId ? state.get<AddressRecord>(scope, held.allocationId) : undefined;
      if (address && address.associationId === held.associationId && held.associationId) {
        const { associationId: _a, networkInterfaceId: _n, vpcId: _v, ...rest } = address;
        state.put(scope, address.allocationId, rest);
      }
      if (held.networkInterfaceId) state.delete(scope, held.networkInterfaceId);
    }
    state.put(scope, natGatewayId, deleted);
  });
  // a deletion is a modelled wait: the clock runs compressed until it is done
  clock.holdUntil(deletedAtMs);
  return deleted;
}

/** A route's state when it targets a NAT gateway: `active` while the gateway is `available`, else `blackhole`. */
export function natGatewayRouteState(state: Ec2State, scope: Scope, natGatewayId: string): 'active' | 'blackhole' {
  const gateway = findNatGateway(state, scope, natGatewayId);
  return gateway && natGatewayState(gateway, state.runtime.clock.nowMs()) === 'available' ? 'active' : 'blackhole';
}

/**
 * A NAT gateway as a route target (CreateRoute, ReplaceRoute): an `available` one of the account in
 * the region (otherwise `InvalidNatGatewayID.NotFound`), in the route table's VPC.
 */
export function checkNatGatewayTarget(
  state: Ec2State,
  scope: Scope,
  table: Pick<RouteTableRecord, 'routeTableId' | 'vpcId'>,
  natGatewayId: string,
): void {
  const gateway = findNatGateway(state, scope, natGatewayId);
  if (!gateway || natGatewayState(gateway, state.runtime.clock.nowMs()) !== 'available') {
    throw new NotFound('InvalidNatGatewayID.NotFound', `The natGateway ID '${natGatewayId}' does not exist`);
  }
  if (gateway.vpcId !== table.vpcId) {
    // sandbox wording, after the internet gateway's and the interface's
    throw new InvalidParameterValue(
      `route table ${table.routeTableId} and NAT gateway ${natGatewayId} belong to different networks`,
    );
  }
}

const NAT_GATEWAY_FILTERS = new Set(['nat-gateway-id', 'state', 'subnet-id', 'vpc-id']);
const isTagFilter = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** NAT gateways: CreateNatGateway, DescribeNatGateways, DeleteNatGateway. */
export function natGatewayOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateNatGateway(input, ctx) {
      const scope = state.scope(ctx);
      const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
      const allocationId = text('AllocationId');
      const connectivityType = text('ConnectivityType');
      const request: NatGatewayRequest = {
        subnetId: required(input, 'SubnetId'),
        ...(allocationId !== undefined ? { allocationId } : {}),
        ...(connectivityType !== undefined ? { connectivityType } : {}),
        tags: tagsFor(parseInput(WithTags, input).TagSpecification, 'natgateway'),
      };
      const token = text('ClientToken');
      const answer = (g: NatGatewayRecord, pending: boolean) => ({
        ...(token ? { clientToken: token } : {}),
        natGateway: natGatewayView(g, state.runtime.clock.nowMs(), pending ? 'pending' : undefined),
      });
      return idempotent(
        state,
        scope,
        'CreateNatGateway',
        token,
        request,
        () => {
          const gateway = createNatGateway(state, scope, request);
          return { id: gateway.natGatewayId, result: answer(gateway, true) };
        },
        (id) => {
          const gateway = findNatGateway(state, scope, id);
          return gateway ? answer(gateway, false) : undefined;
        },
      );
    },

    DescribeNatGateways(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'NatGatewayId');
      const { filter, max, token } = describeInput(input);
      checkFilterNames(filter, (name) => NAT_GATEWAY_FILTERS.has(name) || isTagFilter(name));
      const now = state.runtime.clock.nowMs();
      const all = natGateways(state, scope);
      for (const id of ids ?? []) if (!all.some((g) => g.natGatewayId === id)) throw notFound(id);
      const matching = all
        .filter((g) => !ids || ids.includes(g.natGatewayId))
        .filter((g) =>
          matchesFilters(filter, (name) => {
            if (name === 'nat-gateway-id') return [g.natGatewayId];
            if (name === 'state') return [natGatewayState(g, now)];
            if (name === 'subnet-id') return [g.subnetId];
            if (name === 'vpc-id') return [g.vpcId];
            return tagFilter(g.tags, name);
          }),
        );
      const { page, next } = paginate(matching, token, max);
      return { natGatewaySet: page.map((g) => natGatewayView(g, now)), nextToken: next };
    },

    DeleteNatGateway(input, ctx) {
      const gateway = deleteNatGateway(state, state.scope(ctx), required(input, 'NatGatewayId'));
      return { natGatewayId: gateway.natGatewayId };
    },
  };
}
