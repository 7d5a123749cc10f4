/**
 * Finds the network account's resources by their tags (`VendguardNetwork` puts them) through the
 * operator role there: the Transit Gateway, the pools and the route tables. Cached per warm
 * function: they change only when the network stack does.
 */
import {
  DescribeIpamPoolsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { OrganizationConfig } from '../../../config/schema';
import { roleClient } from '../aws';
import { rethrowTransient } from '../vending/org';
import { NetworkNotFoundError } from './errors';
import { NETWORK_TAGS } from './tags';

export type NetworkConfig = NonNullable<OrganizationConfig['network']>;

/** The network account's resources vendguard wires accounts with. */
export interface NetworkIds {
  readonly accountId: string;
  readonly region: string;
  readonly transitGatewayId: string;
  /** Pool id by `network.pools` name. */
  readonly pools: ReadonlyMap<string, string>;
  /** Route table id by name (a pool name, `egress`, `bastion`). */
  readonly routeTables: ReadonlyMap<string, string>;
}

/** The network account's id, as the hub stack gives it to the functions that need it. */
export function networkAccountId(): string {
  const id = process.env.VENDGUARD_NETWORK_ACCOUNT;
  if (!id || !/^\d{12}$/.test(id)) {
    throw new NetworkNotFoundError(
      'VENDGUARD_NETWORK_ACCOUNT is not set: the hub was deployed without the network account id (vendguard:accountIds)',
    );
  }
  return id;
}

/**
 * An EC2 client in the network account's home region as the operator role, for a session named
 * after the caller (it shows in the network account's CloudTrail).
 */
export async function networkEc2(network: NetworkConfig, region: string, session: string): Promise<EC2Client> {
  const accountId = networkAccountId();
  try {
    return await roleClient(EC2Client, accountId, network.operatorRoleName, session, region);
  } catch (err) {
    return rethrowTransient(err, `AssumeRole ${network.operatorRoleName} in the network account ${accountId}`);
  }
}

const cache = new Map<string, NetworkIds>();

/** Forgets what was found (tests; after the network stack changed). */
export function clearNetworkCache(): void {
  cache.clear();
}

function tagValue(tags: readonly { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Finds the gateway, the pools and the route tables; a missing one is a {@link NetworkNotFoundError}. */
export async function resolveNetwork(ec2: EC2Client, network: NetworkConfig, region: string): Promise<NetworkIds> {
  const accountId = networkAccountId();
  // per endpoint too: a test run hosts the functions of several sandboxes in one process
  const key = `${process.env.AWS_ENDPOINT_URL ?? ''}|${accountId}/${region}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const where = `in the network account ${accountId} (${region}): deploy the VendguardNetwork stack`;
  try {
    const gateways = (
      await ec2.send(
        new DescribeTransitGatewaysCommand({
          Filters: [
            { Name: `tag:${NETWORK_TAGS.transitGateway}`, Values: ['organization'] },
            { Name: 'owner-id', Values: [accountId] },
            { Name: 'state', Values: ['available', 'pending'] },
          ],
        }),
      )
    ).TransitGateways;
    const transitGatewayId = gateways?.[0]?.TransitGatewayId;
    if (!transitGatewayId) {
      throw new NetworkNotFoundError(`no Transit Gateway tagged ${NETWORK_TAGS.transitGateway}=organization ${where}`);
    }
    const pools = new Map<string, string>();
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeIpamPoolsCommand({ Filters: [{ Name: 'tag-key', Values: [NETWORK_TAGS.pool] }], NextToken }),
      );
      for (const pool of page.IpamPools ?? []) {
        const name = tagValue(pool.Tags, NETWORK_TAGS.pool);
        if (name && pool.IpamPoolId && pool.OwnerId === accountId) pools.set(name, pool.IpamPoolId);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    const routeTables = new Map<string, string>();
    let tableToken: string | undefined;
    do {
      const tables = await ec2.send(
        new DescribeTransitGatewayRouteTablesCommand({
          Filters: [
            { Name: 'transit-gateway-id', Values: [transitGatewayId] },
            { Name: 'tag-key', Values: [NETWORK_TAGS.routeTable] },
          ],
          NextToken: tableToken,
        }),
      );
      for (const table of tables.TransitGatewayRouteTables ?? []) {
        const name = tagValue(table.Tags, NETWORK_TAGS.routeTable);
        if (name && table.TransitGatewayRouteTableId && table.State !== 'deleting' && table.State !== 'deleted') {
          routeTables.set(name, table.TransitGatewayRouteTableId);
        }
      }
      tableToken = tables.NextToken;
    } while (tableToken);
    const missingPools = network.pools.map((p) => p.name).filter((name) => !pools.has(name));
    if (missingPools.length) {
      throw new NetworkNotFoundError(`no IPAM pool tagged ${NETWORK_TAGS.pool}=${missingPools.join(', ')} ${where}`);
    }
    const ids: NetworkIds = { accountId, region, transitGatewayId, pools, routeTables };
    cache.set(key, ids);
    return ids;
  } catch (err) {
    if (err instanceof NetworkNotFoundError) throw err;
    return rethrowTransient(err, `finding the network ${where}`);
  }
}

/** The route table a name stands for, or a {@link NetworkNotFoundError}. */
export function routeTableOf(ids: NetworkIds, name: string): string {
  const id = ids.routeTables.get(name);
  if (!id) {
    throw new NetworkNotFoundError(
      `no Transit Gateway route table tagged ${NETWORK_TAGS.routeTable}=${name} on ${ids.transitGatewayId} in the network account ${ids.accountId}: deploy the VendguardNetwork stack`,
    );
  }
  return id;
}

/** The pool serving an OU (the OU or one above it is in the pool's `ous`). */
export function poolFor(network: NetworkConfig, ou: string): NetworkConfig['pools'][number] | undefined {
  return network.pools.find((pool) => pool.ous.some((p) => ou === p || ou.startsWith(`${p}/`)));
}

/** Whether a pool's VPCs are production (one of its OUs is in or below `network.production.ous`). */
export function isProductionPool(network: NetworkConfig, pool: NetworkConfig['pools'][number]): boolean {
  return pool.ous.some((ou) => network.production.ous.some((p) => ou === p || ou.startsWith(`${p}/`)));
}
