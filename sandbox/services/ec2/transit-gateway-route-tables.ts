import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { describeInput } from './describe';
import { Ec2Error, IncorrectState, InvalidParameterValue, NotFound } from './errors';
import { checkFilterNames, matchesFilters, tagFilter } from './filters';
import { list, parseInput, required, TagSpecificationSchema } from './input';
import {
  EC2_TABLES,
  type Scope,
  type TransitGatewayAttachmentRecord,
  type TransitGatewayRecord,
  type TransitGatewayRouteTableRecord,
  tagSet,
} from './model';
import { paginate } from './paginate';
import { type Ec2State, tagsFor } from './state';
import { putNewRouteTable, routeTablesOfGateway } from './transit-gateway-routing';
import { attachmentsOfGateway } from './transit-gateways';

/**
 * Transit gateway route tables, their associations and their propagations (static routes and the
 * route search: `transit-gateway-routes.ts`; the stored records: `transit-gateway-routing.ts`).
 *
 * Only the gateway's owner has its route tables: another account, even one the gateway is shared
 * with, gets `InvalidTransitGatewayID.NotFound` for CreateTransitGatewayRouteTable and
 * `InvalidRouteTableID.NotFound` for a table, as AWS answers for resources that are not the
 * caller's. An attachment named with a table must be one to the table's gateway
 * (`InvalidTransitGatewayAttachmentID.NotFound` otherwise), whichever account's VPC it attaches.
 * Everything is settled at once; the calls answer with AWS's transitional states (`associating`,
 * `disassociating`, `deleting`).
 */

/** The SDK and the CLI send this call's tags as `TagSpecifications.N`. */
const CreateTableSchema = z.looseObject({
  TagSpecifications: z.optional(z.array(TagSpecificationSchema)),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});

/**
 * A route table of the caller's: `InvalidRouteTableID.NotFound` ("Transit Gateway Route Table … was
 * deleted or does not exist.") when it is not, `InvalidRouteTableId.Malformed` for an id that is not
 * a transit gateway route table's.
 */
export function requireRouteTable(state: Ec2State, scope: Scope, id: string): TransitGatewayRouteTableRecord {
  if (!id.startsWith('tgw-rtb-')) {
    throw new Ec2Error('InvalidRouteTableId.Malformed', `Invalid Transit Gateway Route Table id ${id}.`);
  }
  return state.require<TransitGatewayRouteTableRecord>(scope, id);
}

/** An attachment to the table's gateway (`InvalidTransitGatewayAttachmentID.NotFound` otherwise). */
export function requireAttachmentOf(
  state: Ec2State,
  region: string,
  table: TransitGatewayRouteTableRecord,
  id: string,
): TransitGatewayAttachmentRecord {
  const found = attachmentsOfGateway(state, region, table.transitGatewayId).find(
    (a) => a.transitGatewayAttachmentId === id,
  );
  if (found) return found;
  throw new NotFound(
    'InvalidTransitGatewayAttachmentID.NotFound',
    `Transit Gateway Attachment ${id} was deleted or does not exist.`,
  );
}

/** CreateTransitGatewayRouteTable: a new, empty table of one of the caller's own gateways. */
export function createTransitGatewayRouteTable(
  state: Ec2State,
  scope: Scope,
  request: { transitGatewayId: string; tags: TransitGatewayRouteTableRecord['tags'] },
): TransitGatewayRouteTableRecord {
  const { transitGatewayId } = request;
  const gateway = state.get<TransitGatewayRecord>(scope, transitGatewayId);
  if (!gateway?.options) {
    throw new NotFound(
      'InvalidTransitGatewayID.NotFound',
      `Transit Gateway ${transitGatewayId} was deleted or does not exist.`,
    );
  }
  return putNewRouteTable(state, scope, { gatewayId: gateway.transitGatewayId, tags: request.tags });
}

/**
 * DeleteTransitGatewayRouteTable: `IncorrectState` while it is its gateway's default association (or
 * propagation) route table, or while attachments are associated with it; its propagations and static
 * routes go with it.
 */
export function deleteTransitGatewayRouteTable(
  state: Ec2State,
  scope: Scope,
  id: string,
): TransitGatewayRouteTableRecord {
  const table = requireRouteTable(state, scope, id);
  if (table.defaultAssociationRouteTable) {
    throw new IncorrectState(`${id} is set as default association route table for ${table.transitGatewayId}`);
  }
  if (table.defaultPropagationRouteTable) {
    throw new IncorrectState(`${id} is set as default propagation route table for ${table.transitGatewayId}`);
  }
  if (table.associations.length > 0) throw new IncorrectState(`${id} has associated attachments`);
  state.delete(scope, id);
  return table;
}

/** AssociateTransitGatewayRouteTable: an attachment has at most one association (`Resource.AlreadyAssociated`). */
export function associateTransitGatewayRouteTable(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  attachmentId: string,
): TransitGatewayAttachmentRecord {
  const table = requireRouteTable(state, scope, routeTableId);
  const attachment = requireAttachmentOf(state, scope.region, table, attachmentId);
  const associated = routeTablesOfGateway(state, scope, table.transitGatewayId).some((t) =>
    t.associations.includes(attachmentId),
  );
  if (associated) {
    throw new Ec2Error(
      'Resource.AlreadyAssociated',
      `Transit Gateway Attachment ${attachmentId} is already associated to a route table.`,
    );
  }
  state.put(scope, routeTableId, { ...table, associations: [...table.associations, attachmentId] });
  return attachment;
}

/** DisassociateTransitGatewayRouteTable: only the table the attachment is associated with. */
export function disassociateTransitGatewayRouteTable(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  attachmentId: string,
): TransitGatewayAttachmentRecord {
  const table = requireRouteTable(state, scope, routeTableId);
  const attachment = requireAttachmentOf(state, scope.region, table, attachmentId);
  if (!table.associations.includes(attachmentId)) {
    throw new InvalidParameterValue(
      `Transit Gateway Attachment ${attachmentId} is not associated with route table ${routeTableId}.`,
    );
  }
  state.put(scope, routeTableId, { ...table, associations: table.associations.filter((a) => a !== attachmentId) });
  return attachment;
}

/** EnableTransitGatewayRouteTablePropagation: once per table and attachment (`TransitGatewayRouteTablePropagation.Duplicate`). */
export function enableTransitGatewayRouteTablePropagation(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  attachmentId: string,
): TransitGatewayAttachmentRecord {
  const table = requireRouteTable(state, scope, routeTableId);
  const attachment = requireAttachmentOf(state, scope.region, table, attachmentId);
  if (table.propagations.includes(attachmentId)) {
    throw new Ec2Error(
      'TransitGatewayRouteTablePropagation.Duplicate',
      `Propagation ${attachmentId} already exists in Transit Gateway Route Table ${routeTableId}.`,
    );
  }
  state.put(scope, routeTableId, { ...table, propagations: [...table.propagations, attachmentId] });
  return attachment;
}

/** DisableTransitGatewayRouteTablePropagation: a propagation the table has. */
export function disableTransitGatewayRouteTablePropagation(
  state: Ec2State,
  scope: Scope,
  routeTableId: string,
  attachmentId: string,
): TransitGatewayAttachmentRecord {
  const table = requireRouteTable(state, scope, routeTableId);
  const attachment = requireAttachmentOf(state, scope.region, table, attachmentId);
  if (!table.propagations.includes(attachmentId)) {
    throw new InvalidParameterValue(
      `Propagation ${attachmentId} does not exist in Transit Gateway Route Table ${routeTableId}.`,
    );
  }
  state.put(scope, routeTableId, { ...table, propagations: table.propagations.filter((p) => p !== attachmentId) });
  return attachment;
}

/** A route table as DescribeTransitGatewayRouteTables shows it. */
export function routeTableView(t: TransitGatewayRouteTableRecord, state = 'available') {
  return {
    transitGatewayRouteTableId: t.transitGatewayRouteTableId,
    transitGatewayId: t.transitGatewayId,
    state,
    defaultAssociationRouteTable: t.defaultAssociationRouteTable,
    defaultPropagationRouteTable: t.defaultPropagationRouteTable,
    creationTime: t.creationTime,
    tagSet: tagSet(t.tags),
  };
}

/** An attachment as an association or a propagation names it (a VPC attachment: `resourceType` `vpc`). */
const attachmentRef = (a: TransitGatewayAttachmentRecord) => ({
  transitGatewayAttachmentId: a.transitGatewayAttachmentId,
  resourceId: a.vpcId,
  resourceType: 'vpc',
});

const TABLE_FILTERS = new Set([
  'default-association-route-table',
  'default-propagation-route-table',
  'state',
  'transit-gateway-id',
  'transit-gateway-route-table-id',
]);
const ATTACHMENT_FILTERS = new Set(['resource-id', 'resource-type', 'transit-gateway-attachment-id']);
const isTagFilter = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** The attachments a table lists (associations or propagations), filtered and paged as the Get calls do. */
function listedAttachments(
  state: Ec2State,
  scope: Scope,
  raw: Record<string, unknown>,
  pick: (t: TransitGatewayRouteTableRecord) => string[],
) {
  const table = requireRouteTable(state, scope, required(raw, 'TransitGatewayRouteTableId'));
  const { filter, max, token } = describeInput(raw);
  checkFilterNames(filter, (name) => ATTACHMENT_FILTERS.has(name));
  const byId = new Map(
    attachmentsOfGateway(state, scope.region, table.transitGatewayId).map((a) => [a.transitGatewayAttachmentId, a]),
  );
  const refs = pick(table)
    .flatMap((id) => {
      const a = byId.get(id);
      return a ? [attachmentRef(a)] : [];
    })
    .filter((ref) =>
      matchesFilters(filter, (name) => {
        switch (name) {
          case 'resource-id':
            return [ref.resourceId];
          case 'resource-type':
            return [ref.resourceType];
          default:
            return [ref.transitGatewayAttachmentId];
        }
      }),
    );
  return paginate(refs, token, max);
}

/** The route table, association and propagation calls. */
export function transitGatewayRouteTableOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateTransitGatewayRouteTable(raw, ctx) {
      const scope = state.scope(ctx);
      const transitGatewayId = required(raw, 'TransitGatewayId');
      const input = parseInput(CreateTableSchema, raw);
      const tags = tagsFor(
        [...(input.TagSpecifications ?? []), ...(input.TagSpecification ?? [])],
        'transit-gateway-route-table',
      );
      const table = createTransitGatewayRouteTable(state, scope, { transitGatewayId, tags });
      return { transitGatewayRouteTable: routeTableView(table) };
    },

    DescribeTransitGatewayRouteTables(raw, ctx) {
      const scope = state.scope(ctx);
      const ids = list(raw, 'TransitGatewayRouteTableIds');
      const { filter, max, token } = describeInput(raw);
      checkFilterNames(filter, (name) => TABLE_FILTERS.has(name) || isTagFilter(name));
      for (const id of ids ?? []) requireRouteTable(state, scope, id);
      const tables = state
        .list<TransitGatewayRouteTableRecord>(scope, EC2_TABLES.tgwRouteTables)
        .filter((t) => !ids || ids.includes(t.transitGatewayRouteTableId))
        .filter((t) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'default-association-route-table':
                return [String(t.defaultAssociationRouteTable)];
              case 'default-propagation-route-table':
                return [String(t.defaultPropagationRouteTable)];
              case 'state':
                return ['available'];
              case 'transit-gateway-id':
                return [t.transitGatewayId];
              case 'transit-gateway-route-table-id':
                return [t.transitGatewayRouteTableId];
              default:
                return tagFilter(t.tags, name);
            }
          }),
        );
      const { page, next } = paginate(tables, token, max);
      return { transitGatewayRouteTables: page.map((t) => routeTableView(t)), nextToken: next };
    },

    DeleteTransitGatewayRouteTable(raw, ctx) {
      const scope = state.scope(ctx);
      const table = deleteTransitGatewayRouteTable(state, scope, required(raw, 'TransitGatewayRouteTableId'));
      return { transitGatewayRouteTable: routeTableView(table, 'deleting') };
    },

    AssociateTransitGatewayRouteTable(raw, ctx) {
      const scope = state.scope(ctx);
      const routeTableId = required(raw, 'TransitGatewayRouteTableId');
      const attachment = associateTransitGatewayRouteTable(
        state,
        scope,
        routeTableId,
        required(raw, 'TransitGatewayAttachmentId'),
      );
      return {
        association: { transitGatewayRouteTableId: routeTableId, ...attachmentRef(attachment), state: 'associating' },
      };
    },

    DisassociateTransitGatewayRouteTable(raw, ctx) {
      const scope = state.scope(ctx);
      const routeTableId = required(raw, 'TransitGatewayRouteTableId');
      const attachment = disassociateTransitGatewayRouteTable(
        state,
        scope,
        routeTableId,
        required(raw, 'TransitGatewayAttachmentId'),
      );
      return {
        association: {
          transitGatewayRouteTableId: routeTableId,
          ...attachmentRef(attachment),
          state: 'disassociating',
        },
      };
    },

    GetTransitGatewayRouteTableAssociations(raw, ctx) {
      const { page, next } = listedAttachments(state, state.scope(ctx), raw, (t) => t.associations);
      return { associations: page.map((ref) => ({ ...ref, state: 'associated' })), nextToken: next };
    },

    EnableTransitGatewayRouteTablePropagation(raw, ctx) {
      const scope = state.scope(ctx);
      const routeTableId = required(raw, 'TransitGatewayRouteTableId');
      const attachment = enableTransitGatewayRouteTablePropagation(
        state,
        scope,
        routeTableId,
        required(raw, 'TransitGatewayAttachmentId'),
      );
      return {
        propagation: { ...attachmentRef(attachment), transitGatewayRouteTableId: routeTableId, state: 'enabled' },
      };
    },

    DisableTransitGatewayRouteTablePropagation(raw, ctx) {
      const scope = state.scope(ctx);
      const routeTableId = required(raw, 'TransitGatewayRouteTableId');
      const attachment = disableTransitGatewayRouteTablePropagation(
        state,
        scope,
        routeTableId,
        required(raw, 'TransitGatewayAttachmentId'),
      );
      return {
        propagation: { ...attachmentRef(attachment), transitGatewayRouteTableId: routeTableId, state: 'disabled' },
      };
    },

    GetTransitGatewayRouteTablePropagations(raw, ctx) {
      const { page, next } = listedAttachments(state, state.scope(ctx), raw, (t) => t.propagations);
      return {
        transitGatewayRouteTablePropagations: page.map((ref) => ({ ...ref, state: 'enabled' })),
        nextToken: next,
      };
    },
  };
}
