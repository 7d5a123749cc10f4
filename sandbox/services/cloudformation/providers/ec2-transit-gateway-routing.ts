import type { TransitGatewayRouteTableRecord } from '../../ec2/model';
import {
  associateTransitGatewayRouteTable,
  createTransitGatewayRouteTable,
  deleteTransitGatewayRouteTable,
  disableTransitGatewayRouteTablePropagation,
  disassociateTransitGatewayRouteTable,
  enableTransitGatewayRouteTablePropagation,
} from '../../ec2/transit-gateway-route-tables';
import {
  createTransitGatewayRoute,
  deleteTransitGatewayRoute,
  type TransitGatewayRouteRequest,
} from '../../ec2/transit-gateway-routes';
import { bool, type ResourceContext, type ResourceProvider, str } from '../resources';
import { deleting, ec2Of, need, onlyChanged, tagsOf } from './ec2-support';

/**
 * Transit gateway routing resources, in the gateway owner's account (the network account): route
 * tables, their associations and propagations, and static routes. Each goes through the function of
 * the EC2 call that makes it, so a template is refused where the API refuses the call. As on AWS,
 * every property but a route table's `Tags` needs replacement, and replacing an association fails
 * with `Resource.AlreadyAssociated` (the new one is made before the old one goes).
 */

/** `<route table id>|<attachment id>`: the physical id of an association or a propagation. */
const pairId = (routeTableId: string, attachmentId: string) => `${routeTableId}|${attachmentId}`;
const splitPair = (physicalId: string): [string, string] | undefined => {
  const at = physicalId.indexOf('|');
  return at < 0 ? undefined : [physicalId.slice(0, at), physicalId.slice(at + 1)];
};

/** `AWS::EC2::TransitGatewayRouteTable` (Ref and `TransitGatewayRouteTableId`: the table id); tags change in place. */
const routeTableProvider: ResourceProvider = {
  type: 'AWS::EC2::TransitGatewayRouteTable',
  properties: ['Tags', 'TransitGatewayId'],
  required: ['TransitGatewayId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const table = createTransitGatewayRouteTable(state, scope, {
      transitGatewayId: need(ctx, props, 'TransitGatewayId'),
      tags: tagsOf(ctx, props),
    });
    const id = table.transitGatewayRouteTableId;
    return { physicalId: id, attributes: { TransitGatewayRouteTableId: id } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const table = state.require<TransitGatewayRouteTableRecord>(scope, physicalId);
    state.put(scope, physicalId, { ...table, tags: tagsOf(ctx, props) });
    return { physicalId, attributes: { TransitGatewayRouteTableId: physicalId } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteTransitGatewayRouteTable(state, scope, physicalId));
  },
};

/** A provider for a link between a route table and an attachment: an association or a propagation. */
function linkProvider(
  type: string,
  link: typeof associateTransitGatewayRouteTable,
  unlink: typeof disassociateTransitGatewayRouteTable,
): ResourceProvider {
  return {
    type,
    properties: ['TransitGatewayAttachmentId', 'TransitGatewayRouteTableId'],
    required: ['TransitGatewayAttachmentId', 'TransitGatewayRouteTableId'],
    create(ctx, props) {
      const { state, scope } = ec2Of(ctx);
      const routeTableId = need(ctx, props, 'TransitGatewayRouteTableId');
      const attachmentId = need(ctx, props, 'TransitGatewayAttachmentId');
      link(state, scope, routeTableId, attachmentId);
      return { physicalId: pairId(routeTableId, attachmentId), attributes: {} };
    },
    delete(ctx, physicalId) {
      const pair = splitPair(physicalId);
      if (!pair) return;
      const { state, scope } = ec2Of(ctx);
      deleting(() => unlink(state, scope, ...pair));
    },
  };
}

/** `AWS::EC2::TransitGatewayRoute` (physical id `<route table id>|<destination>`): a static route or a blackhole. */
const routeProvider: ResourceProvider = {
  type: 'AWS::EC2::TransitGatewayRoute',
  properties: ['Blackhole', 'DestinationCidrBlock', 'TransitGatewayAttachmentId', 'TransitGatewayRouteTableId'],
  required: ['TransitGatewayRouteTableId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const request: TransitGatewayRouteRequest = {
      routeTableId: need(ctx, props, 'TransitGatewayRouteTableId'),
      destinationCidrBlock: need(ctx, props, 'DestinationCidrBlock'),
      transitGatewayAttachmentId: str(props, 'TransitGatewayAttachmentId'),
      blackhole: bool(props, 'Blackhole') ?? false,
    };
    const route = createTransitGatewayRoute(state, scope, request);
    return { physicalId: `${request.routeTableId}|${route.destinationCidrBlock}`, attributes: {} };
  },
  delete(ctx: ResourceContext, physicalId: string) {
    const pair = splitPair(physicalId);
    if (!pair) return;
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteTransitGatewayRoute(state, scope, ...pair));
  },
};

/**
 * The transit gateway routing providers: `AWS::EC2::TransitGatewayRouteTable`,
 * `TransitGatewayRouteTableAssociation`, `TransitGatewayRouteTablePropagation` and `TransitGatewayRoute`.
 *
 * @example
 * const table = transitGatewayRoutingProviders.find((p) => p.type === 'AWS::EC2::TransitGatewayRouteTable');
 * const { physicalId } = table.create(ctx, { TransitGatewayId: 'tgw-0123456789abcdef0' });
 */
export const transitGatewayRoutingProviders: ResourceProvider[] = [
  routeTableProvider,
  linkProvider(
    'AWS::EC2::TransitGatewayRouteTableAssociation',
    associateTransitGatewayRouteTable,
    disassociateTransitGatewayRouteTable,
  ),
  linkProvider(
    'AWS::EC2::TransitGatewayRouteTablePropagation',
    enableTransitGatewayRouteTablePropagation,
    disableTransitGatewayRouteTablePropagation,
  ),
  routeProvider,
];
