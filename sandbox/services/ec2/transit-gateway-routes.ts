import type { OperationHandler } from '../../core/types';
import { cidrBlockParameter, contains, type Ipv4Block, parseIpv4Cidr } from './cidr';
import { describeInput } from './describe';
import { Ec2Error, MissingParameter, NotFound } from './errors';
import { checkFilterNames, type Filter, matchesFilters } from './filters';
import { required } from './input';
import type {
  Scope,
  TransitGatewayAttachmentRecord,
  TransitGatewayRouteTableRecord,
  TransitGatewayStaticRouteRecord,
  VpcRecord,
} from './model';
import { paginate } from './paginate';
import type { Ec2State } from './state';
import { requireAttachmentOf, requireRouteTable } from './transit-gateway-route-tables';
import { attachmentsOfGateway } from './transit-gateways';

/**
 * The routes of a transit gateway route table: static ones (CreateTransitGatewayRoute, to an
 * attachment of the table's gateway or a blackhole) and propagated ones (each propagating VPC
 * attachment contributes its VPC's block). Static routes take precedence over propagated routes to
 * the same destination, so a destination shows one route: the static one if there is one, else the
 * propagation enabled first. A static route whose attachment is deleted stays as a blackhole.
 * SearchTransitGatewayRoutes answers with the routes in destination order.
 */

/** One route as SearchTransitGatewayRoutes and the route calls show it. */
export interface TransitGatewayRouteView {
  destinationCidrBlock: string;
  transitGatewayAttachments?: { resourceId: string; transitGatewayAttachmentId: string; resourceType: string }[];
  type: 'static' | 'propagated';
  state: 'active' | 'blackhole' | 'deleted';
}

const attachmentsView = (a: TransitGatewayAttachmentRecord | undefined) =>
  a
    ? [{ resourceId: a.vpcId, transitGatewayAttachmentId: a.transitGatewayAttachmentId, resourceType: 'vpc' }]
    : undefined;

/** A static route: `active` to its attachment, or `blackhole` without one. */
function staticView(
  route: TransitGatewayStaticRouteRecord,
  attachments: ReadonlyMap<string, TransitGatewayAttachmentRecord>,
): TransitGatewayRouteView {
  const target = route.transitGatewayAttachmentId ? attachments.get(route.transitGatewayAttachmentId) : undefined;
  return {
    destinationCidrBlock: route.destinationCidrBlock,
    transitGatewayAttachments: attachmentsView(target),
    type: 'static',
    state: target ? 'active' : 'blackhole',
  };
}

/** The routes in effect in a table, in destination order (network address, then prefix length). */
export function routesOf(
  state: Ec2State,
  region: string,
  table: TransitGatewayRouteTableRecord,
): TransitGatewayRouteView[] {
  const attachments = new Map(
    attachmentsOfGateway(state, region, table.transitGatewayId).map((a) => [a.transitGatewayAttachmentId, a]),
  );
  const routes = new Map<string, TransitGatewayRouteView>();
  for (const route of table.routes) routes.set(route.destinationCidrBlock, staticView(route, attachments));
  for (const id of table.propagations) {
    const attachment = attachments.get(id);
    if (!attachment) continue;
    const vpc = state.get<VpcRecord>({ account: attachment.vpcOwnerId, region }, attachment.vpcId);
    const block = vpc ? parseIpv4Cidr(vpc.cidrBlock)?.canonical : undefined;
    if (!block || routes.has(block)) continue;
    routes.set(block, {
      destinationCidrBlock: block,
      transitGatewayAttachments: attachmentsView(attachment),
      type: 'propagated',
      state: 'active',
    });
  }
  const key = (r: TransitGatewayRouteView) => parseIpv4Cidr(r.destinationCidrBlock) as Ipv4Block;
  return [...routes.values()].sort((a, b) => key(a).network - key(b).network || key(a).prefix - key(b).prefix);
}

/** What CreateTransitGatewayRoute / ReplaceTransitGatewayRoute (and `AWS::EC2::TransitGatewayRoute`) ask for. */
export interface TransitGatewayRouteRequest {
  routeTableId: string;
  destinationCidrBlock: string;
  /** Ignored for a blackhole route, as AWS ignores it. */
  transitGatewayAttachmentId?: string | undefined;
  blackhole?: boolean | undefined;
}

/** The table, the canonical destination and the new static route of a request. */
function staticRouteOf(state: Ec2State, scope: Scope, request: TransitGatewayRouteRequest) {
  const table = requireRouteTable(state, scope, request.routeTableId);
  const destination = cidrBlockParameter(request.destinationCidrBlock, 'destinationCidrBlock').canonical;
  if (request.blackhole) return { table, route: { destinationCidrBlock: destination } };
  const attachmentId = request.transitGatewayAttachmentId;
  if (!attachmentId) throw new MissingParameter('TransitGatewayAttachmentId');
  requireAttachmentOf(state, scope.region, table, attachmentId);
  return { table, route: { destinationCidrBlock: destination, transitGatewayAttachmentId: attachmentId } };
}

const viewOf = (state: Ec2State, region: string, table: TransitGatewayRouteTableRecord, destination: string) =>
  routesOf(state, region, table).find((r) => r.destinationCidrBlock === destination && r.type === 'static');

/** CreateTransitGatewayRoute: a static route to a destination the table has no static route to (`RouteAlreadyExists`). */
export function createTransitGatewayRoute(
  state: Ec2State,
  scope: Scope,
  request: TransitGatewayRouteRequest,
): TransitGatewayRouteView {
  const { table, route } = staticRouteOf(state, scope, request);
  if (table.routes.some((r) => r.destinationCidrBlock === route.destinationCidrBlock)) {
    throw new Ec2Error(
      'RouteAlreadyExists',
      `Route ${route.destinationCidrBlock} already exists in Transit Gateway Route Table ${table.transitGatewayRouteTableId}.`,
    );
  }
  const updated = { ...table, routes: [...table.routes, route] };
  state.put(scope, table.transitGatewayRouteTableId, updated);
  return viewOf(state, scope.region, updated, route.destinationCidrBlock) as TransitGatewayRouteView;
}

/** ReplaceTransitGatewayRoute: a new target for a destination; a destination without a static route gets one. */
export function replaceTransitGatewayRoute(
  state: Ec2State,
  scope: Scope,
  request: TransitGatewayRouteRequest,
): TransitGatewayRouteView {
  const { table, route } = staticRouteOf(state, scope, request);
  const others = table.routes.filter((r) => r.destinationCidrBlock !== route.destinationCidrBlock);
  const updated = { ...table, routes: [...others, route] };
  state.put(scope, table.transitGatewayRouteTableId, updated);
  return viewOf(state, scope.region, updated, route.destinationCidrBlock) as TransitGatewayRouteView;
}

/** DeleteTransitGatewayRoute: a static route of the table (`InvalidRoute.NotFound`; propagated routes are not deleted). */
export function deleteTransitGatewayRoute(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  destinationCidrBlock: string,
): TransitGatewayRouteView {
  const table = requireRouteTable(state, scope, routeTableId);
  const destination = cidrBlockParameter(destinationCidrBlock, 'destinationCidrBlock').canonical;
  const view = viewOf(state, scope.region, table, destination);
  if (!view) {
    throw new NotFound(
      'InvalidRoute.NotFound',
      `The route ${destinationCidrBlock} does not exist in Transit Gateway Route Table ${routeTableId}.`,
    );
  }
  const routes = table.routes.filter((r) => r.destinationCidrBlock !== destination);
  state.put(scope, routeTableId, { ...table, routes });
  return { ...view, state: 'deleted' };
}

const ROUTE_FILTERS = new Set([
  'attachment.transit-gateway-attachment-id',
  'attachment.resource-id',
  'attachment.resource-type',
  'prefix-list-id',
  'route-search.exact-match',
  'route-search.longest-prefix-match',
  'route-search.subnet-of-match',
  'route-search.supernet-of-match',
  'state',
  'type',
]);

/** A route-search value: a CIDR block, or an address (a /32); `undefined` for anything else (it matches nothing). */
const searchBlock = (value: string): Ipv4Block | undefined =>
  parseIpv4Cidr(value.includes('/') ? value : `${value}/32`);

/**
 * The route-search filters: `exact-match` (the destination is the value), `subnet-of-match` (the
 * destination lies inside the value), `supernet-of-match` (the destination contains the value) and
 * `longest-prefix-match` (the one most specific route whose destination contains the value, an
 * address or a block: the route traffic to it takes). The others are plain EC2 filters.
 */
function searchRoutes(routes: TransitGatewayRouteView[], filters: readonly Filter[]): TransitGatewayRouteView[] {
  const blocks = (f: Filter) => (f.Value ?? []).map(searchBlock).filter((b): b is Ipv4Block => b !== undefined);
  const plain = filters.filter((f) => !f.Name.startsWith('route-search.'));
  const d = (r: TransitGatewayRouteView) => parseIpv4Cidr(r.destinationCidrBlock) as Ipv4Block;
  let matched = routes.filter((r) =>
    matchesFilters(plain, (name) => {
      const targets = r.transitGatewayAttachments ?? [];
      switch (name) {
        case 'attachment.transit-gateway-attachment-id':
          return targets.map((t) => t.transitGatewayAttachmentId);
        case 'attachment.resource-id':
          return targets.map((t) => t.resourceId);
        case 'attachment.resource-type':
          return targets.map((t) => t.resourceType);
        case 'prefix-list-id':
          return [];
        case 'state':
          return [r.state];
        default:
          return [r.type];
      }
    }),
  );
  for (const f of filters) {
    const values = blocks(f);
    switch (f.Name) {
      case 'route-search.exact-match':
        matched = matched.filter((r) => values.some((v) => v.canonical === r.destinationCidrBlock));
        break;
      case 'route-search.subnet-of-match':
        matched = matched.filter((r) => values.some((v) => contains(v, d(r))));
        break;
      case 'route-search.supernet-of-match':
        matched = matched.filter((r) => values.some((v) => contains(d(r), v)));
        break;
      case 'route-search.longest-prefix-match': {
        const best = new Set<TransitGatewayRouteView>();
        for (const v of values) {
          const covering = matched.filter((r) => contains(d(r), v));
          const longest = covering.reduce<TransitGatewayRouteView | undefined>(
            (a, r) => (a && d(a).prefix >= d(r).prefix ? a : r),
            undefined,
          );
          if (longest) best.add(longest);
        }
        matched = matched.filter((r) => best.has(r));
        break;
      }
    }
  }
  return matched;
}

/** CreateTransitGatewayRoute, ReplaceTransitGatewayRoute, DeleteTransitGatewayRoute and SearchTransitGatewayRoutes. */
export function transitGatewayRouteOperations(state: Ec2State): Record<string, OperationHandler> {
  const routeRequest = (raw: Record<string, unknown>): TransitGatewayRouteRequest => ({
    routeTableId: required(raw, 'TransitGatewayRouteTableId'),
    destinationCidrBlock: required(raw, 'DestinationCidrBlock'),
    transitGatewayAttachmentId:
      typeof raw.TransitGatewayAttachmentId === 'string' ? raw.TransitGatewayAttachmentId : undefined,
    blackhole: raw.Blackhole === 'true' || raw.Blackhole === true,
  });
  return {
    CreateTransitGatewayRoute(raw, ctx) {
      return { route: createTransitGatewayRoute(state, state.scope(ctx), routeRequest(raw)) };
    },

    ReplaceTransitGatewayRoute(raw, ctx) {
      return { route: replaceTransitGatewayRoute(state, state.scope(ctx), routeRequest(raw)) };
    },

    DeleteTransitGatewayRoute(raw, ctx) {
      const scope = state.scope(ctx);
      const route = deleteTransitGatewayRoute(
        state,
        scope,
        required(raw, 'TransitGatewayRouteTableId'),
        required(raw, 'DestinationCidrBlock'),
      );
      return { route };
    },

    SearchTransitGatewayRoutes(raw, ctx) {
      const scope = state.scope(ctx);
      const table = requireRouteTable(state, scope, required(raw, 'TransitGatewayRouteTableId'));
      const { filter, max, token } = describeInput(raw);
      if (!filter?.length) throw new MissingParameter('Filter');
      checkFilterNames(filter, (name) => ROUTE_FILTERS.has(name));
      const routes = searchRoutes(routesOf(state, scope.region, table), filter);
      const { page, next } = paginate(routes, token, max);
      return { routeSet: page, additionalRoutesAvailable: next !== undefined, nextToken: next };
    },
  };
}
