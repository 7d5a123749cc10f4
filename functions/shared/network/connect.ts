/**
 * Wires Transit Gateway attachments into their route tables (docs/network.md), idempotently: each
 * call reads what is there and changes only what differs, so a retry or a redrive converges.
 *
 * - a workload VPC's attachment is associated with its environment's table and propagates into the
 *   egress table (and, for production, into the bastion table);
 * - the egress attachment is associated with the egress table, and every environment table sends
 *   `0.0.0.0/0` to it;
 * - the bastion attachment is associated with the bastion table and propagates into the production
 *   tables only.
 */
import {
  AssociateTransitGatewayRouteTableCommand,
  CreateTransitGatewayRouteCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DisassociateTransitGatewayRouteTableCommand,
  type EC2Client,
  EnableTransitGatewayRouteTablePropagationCommand,
  GetTransitGatewayRouteTableAssociationsCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  ReplaceTransitGatewayRouteCommand,
  SearchTransitGatewayRoutesCommand,
  type TransitGatewayVpcAttachment,
} from '@aws-sdk/client-ec2';
import { awsErrorName, TransientError } from '../errors';
import { logger } from '../logger';
import { rethrowTransient } from '../vending/org';
import { NetworkConnectError } from './errors';
import { type NetworkIds, routeTableOf } from './resolve';
import { BASTION_ROUTE_TABLE, EGRESS_ROUTE_TABLE } from './tags';

/** The live attachment of an account's VPC to the gateway (the newest, if several). */
export async function attachmentOf(
  ec2: EC2Client,
  ids: NetworkIds,
  accountId: string,
): Promise<TransitGatewayVpcAttachment | undefined> {
  const found: TransitGatewayVpcAttachment[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call(
      () =>
        ec2.send(
          new DescribeTransitGatewayVpcAttachmentsCommand({
            Filters: [
              { Name: 'transit-gateway-id', Values: [ids.transitGatewayId] },
              { Name: 'state', Values: ['available', 'pending', 'pendingAcceptance', 'modifying'] },
            ],
            NextToken,
          }),
        ),
      'DescribeTransitGatewayVpcAttachments',
    );
    for (const a of page.TransitGatewayVpcAttachments ?? []) if (a.VpcOwnerId === accountId) found.push(a);
    NextToken = page.NextToken;
  } while (NextToken);
  return found.sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0))[0];
}

async function call<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return rethrowTransient(err, what);
  }
}

/** An available attachment of the account, or why not (a pending one is retried). */
export async function availableAttachment(ec2: EC2Client, ids: NetworkIds, accountId: string, what: string) {
  const attachment = await attachmentOf(ec2, ids, accountId);
  if (!attachment?.TransitGatewayAttachmentId) {
    throw new NetworkConnectError(
      `${what} (account ${accountId}) has no VPC attached to the Transit Gateway ${ids.transitGatewayId}: its network baseline did not create the attachment`,
    );
  }
  if (attachment.State !== 'available') {
    throw new TransientError(
      `the attachment ${attachment.TransitGatewayAttachmentId} of account ${accountId} is ${attachment.State}, not yet available`,
    );
  }
  return attachment.TransitGatewayAttachmentId;
}

/** Where an attachment is associated now: the table id and the association's state. */
async function associationOf(ec2: EC2Client, ids: NetworkIds, attachmentId: string) {
  for (const tableId of ids.routeTables.values()) {
    const out = await call(
      () =>
        ec2.send(
          new GetTransitGatewayRouteTableAssociationsCommand({
            TransitGatewayRouteTableId: tableId,
            Filters: [{ Name: 'transit-gateway-attachment-id', Values: [attachmentId] }],
          }),
        ),
      'GetTransitGatewayRouteTableAssociations',
    );
    const association = out.Associations?.[0];
    if (association) return { tableId, state: association.State };
  }
  return undefined;
}

/** What a wiring call did: nothing (already so) or the change. */
export type WiringChange = 'unchanged' | 'associated' | 'moved' | 'propagated' | 'route-created' | 'route-replaced';

/**
 * Associates an attachment with the table `name`. One associated elsewhere (its account moved
 * environment) is disassociated first; the association is made on the next call, once the old one
 * is gone (a {@link TransientError} until then).
 */
export async function associate(
  ec2: EC2Client,
  ids: NetworkIds,
  attachmentId: string,
  name: string,
): Promise<WiringChange> {
  const tableId = routeTableOf(ids, name);
  const current = await associationOf(ec2, ids, attachmentId);
  if (current?.tableId === tableId) {
    if (current.state === 'associated') return 'unchanged';
    throw new TransientError(`the association of ${attachmentId} with the ${name} table is ${current.state}`);
  }
  if (current) {
    if (current.state === 'associated') {
      logger.warn('attachment associated with another table: moving it', {
        attachmentId,
        from: current.tableId,
        to: name,
      });
      await call(
        () =>
          ec2.send(
            new DisassociateTransitGatewayRouteTableCommand({
              TransitGatewayRouteTableId: current.tableId,
              TransitGatewayAttachmentId: attachmentId,
            }),
          ),
        'DisassociateTransitGatewayRouteTable',
      );
    }
    throw new TransientError(
      `${attachmentId} is leaving route table ${current.tableId} before joining the ${name} table`,
    );
  }
  try {
    await ec2.send(
      new AssociateTransitGatewayRouteTableCommand({
        TransitGatewayRouteTableId: tableId,
        TransitGatewayAttachmentId: attachmentId,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === 'Resource.AlreadyAssociated') {
      throw new TransientError(`${attachmentId} was associated meanwhile; checking again`, { cause: err });
    }
    return rethrowTransient(err, `AssociateTransitGatewayRouteTable ${name}`);
  }
  return 'associated';
}

/** Propagates an attachment's routes into the table `name`. */
export async function propagate(
  ec2: EC2Client,
  ids: NetworkIds,
  attachmentId: string,
  name: string,
): Promise<WiringChange> {
  const tableId = routeTableOf(ids, name);
  const out = await call(
    () =>
      ec2.send(
        new GetTransitGatewayRouteTablePropagationsCommand({
          TransitGatewayRouteTableId: tableId,
          Filters: [{ Name: 'transit-gateway-attachment-id', Values: [attachmentId] }],
        }),
      ),
    'GetTransitGatewayRouteTablePropagations',
  );
  if (out.TransitGatewayRouteTablePropagations?.some((p) => p.State === 'enabled' || p.State === 'enabling')) {
    return 'unchanged';
  }
  try {
    await ec2.send(
      new EnableTransitGatewayRouteTablePropagationCommand({
        TransitGatewayRouteTableId: tableId,
        TransitGatewayAttachmentId: attachmentId,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === 'TransitGatewayRouteTablePropagation.Duplicate') return 'unchanged';
    return rethrowTransient(err, `EnableTransitGatewayRouteTablePropagation ${name}`);
  }
  return 'propagated';
}

/** A static route in the table `name` to an attachment: created, or replaced if it led elsewhere. */
export async function staticRoute(
  ec2: EC2Client,
  ids: NetworkIds,
  name: string,
  destination: string,
  attachmentId: string,
): Promise<WiringChange> {
  const tableId = routeTableOf(ids, name);
  const out = await call(
    () =>
      ec2.send(
        new SearchTransitGatewayRoutesCommand({
          TransitGatewayRouteTableId: tableId,
          Filters: [
            { Name: 'route-search.exact-match', Values: [destination] },
            { Name: 'type', Values: ['static'] },
          ],
        }),
      ),
    'SearchTransitGatewayRoutes',
  );
  const route = out.Routes?.[0];
  if (route) {
    const target = route.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId;
    if (route.State === 'active' && target === attachmentId) return 'unchanged';
    await call(
      () =>
        ec2.send(
          new ReplaceTransitGatewayRouteCommand({
            TransitGatewayRouteTableId: tableId,
            DestinationCidrBlock: destination,
            TransitGatewayAttachmentId: attachmentId,
          }),
        ),
      'ReplaceTransitGatewayRoute',
    );
    return 'route-replaced';
  }
  await call(
    () =>
      ec2.send(
        new CreateTransitGatewayRouteCommand({
          TransitGatewayRouteTableId: tableId,
          DestinationCidrBlock: destination,
          TransitGatewayAttachmentId: attachmentId,
        }),
      ),
    'CreateTransitGatewayRoute',
  );
  return 'route-created';
}

/** Where a vended account's attachment was wired (the `network` part of the vending state). */
export interface AccountWiring {
  readonly status: 'CONNECTED' | 'SKIPPED';
  readonly attachmentId?: string;
  /** The route table it is associated with (its pool's name). */
  readonly routeTable?: string;
  /** The tables it propagates into. */
  readonly propagatedTo?: readonly string[];
  readonly changes?: readonly WiringChange[];
}

/**
 * ConnectNetwork: associates a vended account's attachment with its environment's route table and
 * propagates it into the egress table (and the bastion's, for production).
 */
export async function connectAccount(
  ec2: EC2Client,
  ids: NetworkIds,
  accountId: string,
  target: { readonly pool: string; readonly production: boolean },
): Promise<AccountWiring> {
  const attachmentId = await availableAttachment(ec2, ids, accountId, 'the vended account');
  const changes = [await associate(ec2, ids, attachmentId, target.pool)];
  const propagatedTo = [EGRESS_ROUTE_TABLE, ...(target.production ? [BASTION_ROUTE_TABLE] : [])];
  for (const table of propagatedTo) changes.push(await propagate(ec2, ids, attachmentId, table));
  logger.info('account connected to the Transit Gateway', { accountId, attachmentId, pool: target.pool, changes });
  return { status: 'CONNECTED', attachmentId, routeTable: target.pool, propagatedTo, changes };
}
