import {
  EC2_TABLES,
  type Scope,
  type Tag,
  type TransitGatewayAttachmentRecord,
  type TransitGatewayRecord,
  type TransitGatewayRouteTableRecord,
} from './model';
import type { Ec2State } from './state';

/**
 * Transit gateway route tables as stored records, and what the gateway and attachment calls do to
 * them (the route table calls: `transit-gateway-route-tables.ts`, `transit-gateway-routes.ts`).
 *
 * A route table lives in the account that owns its gateway and holds its associations (attachment
 * ids; an attachment is associated with at most one table), its propagations (attachment ids, in
 * the order they were enabled) and its static routes. Propagated routes are not stored: they are
 * read off the propagating attachments' VPCs when routes are searched, so they go with the
 * propagation or the attachment.
 *
 * A gateway whose `DefaultRouteTableAssociation` or `DefaultRouteTablePropagation` is `enable`
 * (AWS's default) gets one default route table with it, named in its options
 * (`AssociationDefaultRouteTableId`, `PropagationDefaultRouteTableId`); each new attachment is then
 * associated with it and propagates into it. With both `disable` (the organization gateway vendguard
 * seeds) there is no default table and a new attachment is in no table until it is put in one.
 */

/** The scope a gateway's route tables live in: its owner's account, in the gateway's region. */
export const routeTableScope = (ownerId: string, region: string): Scope => ({ account: ownerId, region });

/** The route tables of a gateway (its owner's scope). */
export function routeTablesOfGateway(
  state: Ec2State,
  owner: Scope,
  gatewayId: string,
): TransitGatewayRouteTableRecord[] {
  return state
    .list<TransitGatewayRouteTableRecord>(owner, EC2_TABLES.tgwRouteTables)
    .filter((t) => t.transitGatewayId === gatewayId);
}

/** Stores a new, empty route table of a gateway in the owner's scope. */
export function putNewRouteTable(
  state: Ec2State,
  owner: Scope,
  request: { gatewayId: string; tags: Tag[]; defaultAssociation?: boolean; defaultPropagation?: boolean },
): TransitGatewayRouteTableRecord {
  const table: TransitGatewayRouteTableRecord = {
    transitGatewayRouteTableId: state.newId('tgw-rtb-'),
    transitGatewayId: request.gatewayId,
    ownerId: owner.account,
    defaultAssociationRouteTable: request.defaultAssociation ?? false,
    defaultPropagationRouteTable: request.defaultPropagation ?? false,
    creationTime: state.runtime.clock.now().toISOString(),
    associations: [],
    propagations: [],
    routes: [],
    tags: request.tags,
  };
  state.put(owner, table.transitGatewayRouteTableId, table);
  return table;
}

/**
 * The gateway with its default route table: when its default association or propagation is
 * enabled and it names no default table yet, one table is made and named for each enabled option.
 */
export function withDefaultRouteTable(
  state: Ec2State,
  owner: Scope,
  gateway: TransitGatewayRecord,
): TransitGatewayRecord {
  const { options } = gateway;
  const association = options.defaultRouteTableAssociation === 'enable';
  const propagation = options.defaultRouteTablePropagation === 'enable';
  if (!association && !propagation) return gateway;
  if (options.associationDefaultRouteTableId || options.propagationDefaultRouteTableId) return gateway;
  const table = putNewRouteTable(state, owner, {
    gatewayId: gateway.transitGatewayId,
    tags: [],
    defaultAssociation: association,
    defaultPropagation: propagation,
  });
  const id = table.transitGatewayRouteTableId;
  return {
    ...gateway,
    options: {
      ...options,
      ...(association ? { associationDefaultRouteTableId: id } : {}),
      ...(propagation ? { propagationDefaultRouteTableId: id } : {}),
    },
  };
}

/** Changes one stored route table (no-op when it is gone). */
function updateTable(
  state: Ec2State,
  owner: Scope,
  id: string | undefined,
  change: (t: TransitGatewayRouteTableRecord) => TransitGatewayRouteTableRecord,
): void {
  if (!id) return;
  const table = state.get<TransitGatewayRouteTableRecord>(owner, id);
  if (table) state.put(owner, id, change(table));
}

/**
 * A new attachment to `gateway` (of `region`): associated with the default association route table
 * and propagating into the default propagation route table, for each option that is `enable`.
 */
export function applyDefaultRouting(
  state: Ec2State,
  region: string,
  gateway: TransitGatewayRecord,
  attachmentId: string,
): void {
  const owner = routeTableScope(gateway.ownerId, region);
  const { options } = gateway;
  if (options.defaultRouteTableAssociation === 'enable') {
    updateTable(state, owner, options.associationDefaultRouteTableId, (t) => ({
      ...t,
      associations: [...t.associations, attachmentId],
    }));
  }
  if (options.defaultRouteTablePropagation === 'enable') {
    updateTable(state, owner, options.propagationDefaultRouteTableId, (t) => ({
      ...t,
      propagations: [...t.propagations, attachmentId],
    }));
  }
}

/**
 * A deleted attachment leaves its gateway's route tables: its association and propagations go (so
 * do the routes it propagated), and the static routes that named it stay, as blackholes without an
 * attachment.
 */
export function forgetAttachment(state: Ec2State, region: string, attachment: TransitGatewayAttachmentRecord): void {
  const id = attachment.transitGatewayAttachmentId;
  const owner = routeTableScope(attachment.transitGatewayOwnerId, region);
  for (const table of routeTablesOfGateway(state, owner, attachment.transitGatewayId)) {
    const touched =
      table.associations.includes(id) ||
      table.propagations.includes(id) ||
      table.routes.some((r) => r.transitGatewayAttachmentId === id);
    if (!touched) continue;
    state.put(owner, table.transitGatewayRouteTableId, {
      ...table,
      associations: table.associations.filter((a) => a !== id),
      propagations: table.propagations.filter((p) => p !== id),
      routes: table.routes.map((r) =>
        r.transitGatewayAttachmentId === id ? { destinationCidrBlock: r.destinationCidrBlock } : r,
      ),
    } satisfies TransitGatewayRouteTableRecord);
  }
}

/** The route tables of a deleted gateway go with it (its default one and any other). */
export function deleteRouteTablesOfGateway(state: Ec2State, owner: Scope, gatewayId: string): void {
  for (const table of routeTablesOfGateway(state, owner, gatewayId)) {
    state.delete(owner, table.transitGatewayRouteTableId);
  }
}
