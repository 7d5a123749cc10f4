/**
 * Bastion-only production: in an account of a production OU (config `network.production.ous`),
 * ingress on a management port (`network.production.managementPorts`, default 22 and 3389) from
 * anywhere but the bastion's range (`network.bastionCidr`) is revoked, like the open-ingress guard
 * revokes (live rules re-read first, exemptions honoured, the blast radius gate).
 */
import { ipv4Block, ipv4Within } from '../../config/cidr';
import {
  type Offends,
  type OpenIngress,
  revokeOpenIngress,
  SG_RESOURCE_TYPE,
  sgTargetOf,
} from '../guard-security-group/remediate';
import { organizationConfig } from '../shared/config';
import { hubClients, sdk } from '../shared/guardrails/clients';
import { ExemptionDataUnavailableError } from '../shared/guardrails/errors';
import type { Guard } from '../shared/guardrails/pipeline';
import { ouIdByPath, rootId } from '../shared/vending/org';

/** Whether a rule lets in a management port: all traffic, or a TCP/UDP range covering one. */
export function coversPort(rule: OpenIngress, ports: readonly number[]): boolean {
  if (rule.ipProtocol === '-1' || rule.ipProtocol === 'all') return true;
  if (!['tcp', 'udp', '6', '17'].includes(rule.ipProtocol)) return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return ports.some((port) => port >= from && port <= to);
}

/** The rule of a production account this guard revokes: a management port from outside the bastion range. */
export function outsideBastion(bastionCidr: string, ports: readonly number[]): Offends {
  const bastion = ipv4Block(bastionCidr);
  return (rule) => {
    if (!coversPort(rule, ports)) return false;
    const source = ipv4Block(rule.cidr);
    // IPv6, or IPv4 not wholly inside the bastion's range
    return !source || !bastion || !ipv4Within(source, bastion);
  };
}

const TTL_MS = 5 * 60_000;
let production: { ids: ReadonlySet<string>; at: number; key: string } | undefined;
const placed = new Map<string, { ous: readonly string[]; at: number }>();

/** The ids of the production OUs (resolved by path, cached five minutes). */
async function productionOuIds(paths: readonly string[]): Promise<ReadonlySet<string>> {
  const key = paths.join('\n');
  if (production && production.key === key && Date.now() - production.at < TTL_MS) return production.ids;
  const org = hubClients().organizations;
  const root = await rootId(org);
  const ids = new Set<string>();
  for (const path of paths) {
    const id = await ouIdByPath(org, path, root);
    if (id) ids.add(id);
  }
  production = { ids, at: Date.now(), key };
  return ids;
}

/** The OUs an account sits in, from its parent up to the root (ListParents, cached five minutes). */
async function ancestorsOf(accountId: string): Promise<readonly string[]> {
  const cached = placed.get(accountId);
  if (cached && Date.now() - cached.at < TTL_MS) return cached.ous;
  const { ListParentsCommand } = sdk.organizations();
  const ous: string[] = [];
  let child = accountId;
  for (let depth = 0; depth < 6; depth += 1) {
    const parent = (await hubClients().organizations.send(new ListParentsCommand({ ChildId: child }))).Parents?.[0];
    if (!parent?.Id || parent.Type === 'ROOT') break;
    ous.push(parent.Id);
    child = parent.Id;
  }
  placed.set(accountId, { ous, at: Date.now() });
  return ous;
}

/** Forgets the cached OU placements (tests). */
export function resetProductionCache(): void {
  production = undefined;
  placed.clear();
}

/** Whether an account sits in (or below) a production OU; the organization unread is an alert, not an action. */
async function isProduction(accountId: string, paths: readonly string[]): Promise<boolean> {
  try {
    const [ids, ancestors] = await Promise.all([productionOuIds(paths), ancestorsOf(accountId)]);
    return ancestors.some((ou) => ids.has(ou));
  } catch (err) {
    throw new ExemptionDataUnavailableError(
      `cannot tell whether account ${accountId} is a production account: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** The guard of the `prod-ingress-outside-bastion` rule. */
export const productionIngressGuard: Guard = async (ctx) => {
  const network = organizationConfig().network;
  if (!network || network.production.ous.length === 0) return null;
  if (!(await isProduction(ctx.event.accountId, network.production.ous))) return null;
  const offends = outsideBastion(network.bastionCidr, network.production.managementPorts);
  const target = sgTargetOf(ctx, offends);
  if (!target) {
    return {
      summary: `${ctx.event.actor} called ${ctx.event.eventName} in production account ${ctx.event.accountId} but the event names no security group`,
      action: 'none: the event is ambiguous, alerting instead of acting',
      outcome: 'alerted',
      resourceType: SG_RESOURCE_TYPE,
      reason: 'no group id in the CloudTrail record',
    };
  }
  return revokeOpenIngress(ctx, target, offends);
};
