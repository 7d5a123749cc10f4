import type { OperationHandler } from '../../core/types';
import { cidrBlockParameter } from './cidr';
import { describeInput, WithTags } from './describe';
import {
  DependencyViolation,
  Ec2Error,
  InvalidParameterCombination,
  InvalidParameterValue,
  NotFound,
  RouteAlreadyExists,
  RouteNotFound,
} from './errors';
import { checkFilterNames, matchesFilters, tagFilter } from './filters';
import { list, parseInput, required } from './input';
import {
  EC2_TABLES,
  type EniRecord,
  type IgwRecord,
  ROUTE_TARGETS,
  type RouteRecord,
  type RouteTableAssociationRecord,
  type RouteTableRecord,
  type RouteTarget,
  type Scope,
  type SubnetRecord,
  type Tag,
  tagSet,
  type VpcRecord,
} from './model';
import { checkNatGatewayTarget, natGatewayRouteState } from './nat-gateways';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';
import { isAttached } from './transit-gateway-attachments';
import { findTransitGateway } from './transit-gateways';

/**
 * Route tables, their routes and their subnet associations. Every VPC has a main route table with
 * its `local` route (made with the VPC); a subnet without an explicit association uses it. A route
 * has exactly one target: an internet gateway attached to the VPC, a transit gateway the VPC is
 * attached to, a network interface of the VPC, a NAT gateway of the VPC, or a VPC peering connection
 * (not modelled: its id is taken as given). Destinations are IPv4 blocks, kept in canonical form.
 */

/** The target parameters as `CreateRoute` names them, and as the `MissingParameter` message lists them. */
const TARGET_PARAMETERS: Readonly<Record<(typeof ROUTE_TARGETS)[number], string>> = {
  gatewayId: 'GatewayId',
  natGatewayId: 'NatGatewayId',
  networkInterfaceId: 'NetworkInterfaceId',
  transitGatewayId: 'TransitGatewayId',
  vpcPeeringConnectionId: 'VpcPeeringConnectionId',
};
const EXACTLY_ONE_TARGET =
  'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, transitGatewayId or vpcPeeringConnectionId';

/** The route targets of a request (`GatewayId`, `TransitGatewayId`, …). */
export function routeTargetOf(input: Record<string, unknown>): RouteTarget {
  const target: RouteTarget = {};
  for (const key of ROUTE_TARGETS) {
    const value = input[TARGET_PARAMETERS[key]];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string')
      throw new InvalidParameterValue(`Invalid value for parameter ${TARGET_PARAMETERS[key]}`);
    target[key] = value;
  }
  return target;
}

/**
 * Whether a route's target is there: an attached gateway, an attachment to the transit gateway, the
 * interface, an `available` NAT gateway (one deleting, deleted or gone is a `blackhole`, as on AWS).
 */
function routeState(
  state: Ec2State,
  scope: Scope,
  table: RouteTableRecord,
  route: RouteRecord,
): 'active' | 'blackhole' {
  if (route.gatewayId === 'local') return 'active';
  if (route.gatewayId)
    return state.get<IgwRecord>(scope, route.gatewayId)?.vpcId === table.vpcId ? 'active' : 'blackhole';
  if (route.transitGatewayId) {
    return isAttached(state, scope, table.vpcId, route.transitGatewayId) ? 'active' : 'blackhole';
  }
  if (route.networkInterfaceId) return state.get(scope, route.networkInterfaceId) ? 'active' : 'blackhole';
  if (route.natGatewayId) return natGatewayRouteState(state, scope, route.natGatewayId);
  return 'active';
}

function associationView(a: RouteTableAssociationRecord): Record<string, unknown> {
  return {
    main: a.main,
    routeTableAssociationId: a.associationId,
    routeTableId: a.routeTableId,
    subnetId: a.subnetId,
    associationState: { state: 'associated' },
  };
}

export function routeTableView(state: Ec2State, scope: Scope, t: RouteTableRecord): Record<string, unknown> {
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: t.ownerId,
    routeSet: t.routes.map((r) => ({ ...r, state: routeState(state, scope, t, r) })),
    associationSet: state.associations(scope, t.routeTableId).map(associationView),
    propagatingVgwSet: [],
    tagSet: tagSet(t.tags),
  };
}

/** CreateRouteTable: a route table of the VPC with its `local` route. */
export function createRouteTable(
  state: Ec2State,
  scope: Scope,
  request: { vpcId: string; tags: Tag[] },
): RouteTableRecord {
  const vpc = state.require<VpcRecord>(scope, request.vpcId);
  return state.runtime.store.transaction(() => state.createRouteTable(scope, vpc, false, request.tags));
}

/** DeleteRouteTable: not the VPC's main table, nor one a subnet is associated with (`DependencyViolation`). */
export function deleteRouteTable(state: Ec2State, scope: Scope, routeTableId: string): void {
  const table = state.require<RouteTableRecord>(scope, routeTableId);
  if (state.associations(scope, table.routeTableId).length > 0) {
    throw new DependencyViolation(`The routeTable '${table.routeTableId}' has dependencies and cannot be deleted.`);
  }
  state.delete(scope, table.routeTableId);
}

/**
 * Checks a route's one target against the route table's VPC: an internet gateway must exist
 * (`InvalidGatewayID.NotFound`) and be attached to the VPC; a transit gateway must be one the account
 * may use and the VPC must be attached to it (otherwise, as AWS answers before the attachment exists,
 * `InvalidTransitGatewayID.NotFound`); a network interface must be in the VPC; a NAT gateway must be
 * one of the account's in the region that is not deleting, deleted or failed
 * (`InvalidNatGatewayID.NotFound`) and in the VPC.
 */
function checkTarget(state: Ec2State, scope: Scope, table: RouteTableRecord, target: RouteTarget): void {
  const given = ROUTE_TARGETS.filter((k) => target[k] !== undefined);
  if (given.length === 0) throw new Ec2Error('MissingParameter', EXACTLY_ONE_TARGET);
  if (given.length > 1) throw new InvalidParameterCombination(EXACTLY_ONE_TARGET);
  const { gatewayId, transitGatewayId, networkInterfaceId, natGatewayId } = target;
  if (gatewayId !== undefined) {
    const igw = gatewayId.startsWith('igw-') ? state.get<IgwRecord>(scope, gatewayId) : undefined;
    if (!igw) throw new NotFound('InvalidGatewayID.NotFound', `The gateway ID '${gatewayId}' does not exist`);
    if (igw.vpcId !== table.vpcId) {
      throw new InvalidParameterValue(
        `route table ${table.routeTableId} and network gateway ${gatewayId} belong to different networks`,
      );
    }
  }
  if (transitGatewayId !== undefined) {
    const gateway = findTransitGateway(state, scope, transitGatewayId);
    if (!gateway || !isAttached(state, scope, table.vpcId, transitGatewayId)) {
      throw new NotFound(
        'InvalidTransitGatewayID.NotFound',
        `The transitGateway ID '${transitGatewayId}' does not exist.`,
      );
    }
  }
  if (natGatewayId !== undefined) checkNatGatewayTarget(state, scope, table, natGatewayId);
  if (networkInterfaceId !== undefined) {
    const eni = state.require<EniRecord>(scope, networkInterfaceId);
    if (eni.vpcId !== table.vpcId) {
      throw new InvalidParameterValue(
        `route table ${table.routeTableId} and interface ${networkInterfaceId} belong to different networks`,
      );
    }
  }
}

/** What CreateRoute / ReplaceRoute (and `AWS::EC2::Route`) ask for. */
export interface RouteRequest {
  routeTableId: string;
  destinationCidrBlock: string;
  target: RouteTarget;
}

/** The route table and the canonical destination of a route request. */
function routeOf(state: Ec2State, scope: Scope, request: RouteRequest) {
  const table = state.require<RouteTableRecord>(scope, request.routeTableId);
  const destination = cidrBlockParameter(request.destinationCidrBlock, 'destinationCidrBlock').canonical;
  return { table, destination, at: table.routes.findIndex((r) => r.destinationCidrBlock === destination) };
}

/** CreateRoute: a new destination (`RouteAlreadyExists` for one the table has, the `local` one too) to one target. */
export function createRoute(state: Ec2State, scope: Scope, request: RouteRequest): RouteRecord {
  const { table, destination, at } = routeOf(state, scope, request);
  checkTarget(state, scope, table, request.target);
  if (at >= 0) throw new RouteAlreadyExists(request.destinationCidrBlock);
  const route: RouteRecord = { destinationCidrBlock: destination, ...request.target, origin: 'CreateRoute' };
  state.put(scope, table.routeTableId, { ...table, routes: [...table.routes, route] });
  return route;
}

/** ReplaceRoute: a new target for a destination the table has (`InvalidParameterValue` otherwise; not the `local` route). */
export function replaceRoute(state: Ec2State, scope: Scope, request: RouteRequest): RouteRecord {
  const { table, destination, at } = routeOf(state, scope, request);
  const existing = table.routes[at];
  if (!existing) {
    throw new InvalidParameterValue(
      `There is no route defined for '${request.destinationCidrBlock}' in the route table. Use CreateRoute instead.`,
    );
  }
  if (existing.gatewayId === 'local') {
    throw new InvalidParameterValue(`cannot replace local route ${destination} in route table ${table.routeTableId}`);
  }
  checkTarget(state, scope, table, request.target);
  const route: RouteRecord = { destinationCidrBlock: destination, ...request.target, origin: 'CreateRoute' };
  state.put(scope, table.routeTableId, { ...table, routes: table.routes.map((r, i) => (i === at ? route : r)) });
  return route;
}

/** DeleteRoute: `InvalidRoute.NotFound` for a destination the table has no route to; never the `local` route. */
export function deleteRoute(state: Ec2State, scope: Scope, routeTableId: string, destinationCidrBlock: string): void {
  const { table, destination, at } = routeOf(state, scope, {
    routeTableId,
    destinationCidrBlock,
    target: {},
  });
  const existing = table.routes[at];
  if (!existing) throw new RouteNotFound(table.routeTableId, destinationCidrBlock);
  if (existing.gatewayId === 'local') {
    throw new InvalidParameterValue(`cannot remove local route ${destination} in route table ${table.routeTableId}`);
  }
  state.put(scope, table.routeTableId, { ...table, routes: table.routes.filter((_, i) => i !== at) });
}

/**
 * AssociateRouteTable: a subnet of the table's VPC, not yet explicitly associated with any table
 * (`Resource.AlreadyAssociated`); a subnet of another VPC is `InvalidParameterValue`.
 */
export function associateRouteTable(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  subnetId: string,
): RouteTableAssociationRecord {
  const table = state.require<RouteTableRecord>(scope, routeTableId);
  const subnet = state.require<SubnetRecord>(scope, subnetId);
  if (subnet.vpcId !== table.vpcId) {
    throw new InvalidParameterValue(
      `route table ${table.routeTableId} and subnet ${subnet.subnetId} belong to different networks`,
    );
  }
  if (state.associations(scope).some((a) => a.subnetId === subnet.subnetId)) {
    throw new Ec2Error(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${table.routeTableId} conflicts with an existing association`,
    );
  }
  const association: RouteTableAssociationRecord = {
    associationId: state.newId('rtbassoc-'),
    routeTableId: table.routeTableId,
    vpcId: table.vpcId,
    main: false,
    subnetId: subnet.subnetId,
  };
  state.put(scope, association.associationId, association);
  return association;
}

/** DisassociateRouteTable: a subnet's association (the main one stays: `InvalidParameterValue`). */
export function disassociateRouteTable(state: Ec2State, scope: Scope, associationId: string): void {
  const association = associationId.startsWith('rtbassoc-')
    ? state.get<RouteTableAssociationRecord>(scope, associationId)
    : undefined;
  if (!association) {
    throw new NotFound('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  }
  if (association.main) {
    throw new InvalidParameterValue(`cannot disassociate the main route table association ${associationId}`);
  }
  state.delete(scope, associationId);
}

const ROUTE_TABLE_FILTERS = new Set([
  'vpc-id',
  'route-table-id',
  'owner-id',
  'association.subnet-id',
  'association.main',
  'association.route-table-association-id',
  'association.route-table-id',
  'route.destination-cidr-block',
  'route.gateway-id',
  'route.transit-gateway-id',
  'route.nat-gateway-id',
  'route.vpc-peering-connection-id',
  'route.origin',
  'route.state',
]);

/** The values of a route table for a DescribeRouteTables filter. */
function filterValues(state: Ec2State, scope: Scope, t: RouteTableRecord, name: string): readonly string[] | undefined {
  const associations = () => state.associations(scope, t.routeTableId);
  const routes = (pick: (r: RouteRecord) => string | undefined) =>
    t.routes.flatMap((r) => {
      const v = pick(r);
      return v === undefined ? [] : [v];
    });
  switch (name) {
    case 'vpc-id':
      return [t.vpcId];
    case 'route-table-id':
      return [t.routeTableId];
    case 'association.route-table-id':
      return associations().map((a) => a.routeTableId);
    case 'owner-id':
      return [t.ownerId];
    case 'association.subnet-id':
      return associations().flatMap((a) => (a.subnetId ? [a.subnetId] : []));
    case 'association.main':
      return associations().map((a) => String(a.main));
    case 'association.route-table-association-id':
      return associations().map((a) => a.associationId);
    case 'route.destination-cidr-block':
      return routes((r) => r.destinationCidrBlock);
    case 'route.gateway-id':
      return routes((r) => r.gatewayId);
    case 'route.transit-gateway-id':
      return routes((r) => r.transitGatewayId);
    case 'route.nat-gateway-id':
      return routes((r) => r.natGatewayId);
    case 'route.vpc-peering-connection-id':
      return routes((r) => r.vpcPeeringConnectionId);
    case 'route.origin':
      return routes((r) => r.origin);
    case 'route.state':
      return routes((r) => routeState(state, scope, t, r));
    default:
      return tagFilter(t.tags, name);
  }
}

const isTagFilter = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** The route request of a CreateRoute / ReplaceRoute call. */
function routeRequest(input: Record<string, unknown>): RouteRequest {
  return {
    routeTableId: required(input, 'RouteTableId'),
    destinationCidrBlock: required(input, 'DestinationCidrBlock'),
    target: routeTargetOf(input),
  };
}

/** Route tables, routes and subnet associations. */
export function routeTableOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateRouteTable(input, ctx) {
      const scope = state.scope(ctx);
      const vpcId = required(input, 'VpcId');
      const tags = tagsFor(parseInput(WithTags, input).TagSpecification, 'route-table');
      const table = createRouteTable(state, scope, { vpcId, tags });
      return { routeTable: routeTableView(state, scope, table) };
    },

    DescribeRouteTables(input, ctx) {
      const scope = state.scope(ctx);
      const ids = list(input, 'RouteTableId');
      const { filter, max, token } = describeInput(input);
      checkFilterNames(filter, (name) => ROUTE_TABLE_FILTERS.has(name) || isTagFilter(name));
      for (const id of ids ?? []) state.require(scope, id);
      const tables = state
        .list<RouteTableRecord>(scope, EC2_TABLES.routeTables)
        .filter((t) => !ids || ids.includes(t.routeTableId))
        .filter((t) => matchesFilters(filter, (name) => filterValues(state, scope, t, name)));
      const { page, next } = paginate(tables, token, max);
      return { routeTableSet: page.map((t) => routeTableView(state, scope, t)), nextToken: next };
    },

    DeleteRouteTable(input, ctx) {
      deleteRouteTable(state, state.scope(ctx), required(input, 'RouteTableId'));
      return { return: true };
    },

    CreateRoute(input, ctx) {
      createRoute(state, state.scope(ctx), routeRequest(input));
      return { return: true };
    },

    ReplaceRoute(input, ctx) {
      replaceRoute(state, state.scope(ctx), routeRequest(input));
      return { return: true };
    },

    DeleteRoute(input, ctx) {
      const scope = state.scope(ctx);
      deleteRoute(state, scope, required(input, 'RouteTableId'), required(input, 'DestinationCidrBlock'));
      return { return: true };
    },

    AssociateRouteTable(input, ctx) {
      const scope = state.scope(ctx);
      const association = associateRouteTable(
        state,
        scope,
        required(input, 'RouteTableId'),
        required(input, 'SubnetId'),
      );
      return { associationId: association.associationId, associationState: { state: 'associated' } };
    },

    DisassociateRouteTable(input, ctx) {
      disassociateRouteTable(state, state.scope(ctx), required(input, 'AssociationId'));
      return { return: true };
    },
  };
}
