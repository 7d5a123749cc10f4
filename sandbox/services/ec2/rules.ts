import { checkPeerCidr } from './cidr';
import { InvalidParameterValue } from './errors';
import type { IpPermissionInput } from './input';
import type { RuleRecord } from './model';

/** A rule as requested: protocol, ports and one peer. */
export interface RuleSpec {
  isEgress: boolean;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  description?: string;
}

const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
  '-1': '-1',
  all: '-1',
};

/** Normalises protocol and ports as EC2 stores them (`6` → `tcp`; all traffic has ports -1). */
export function normaliseProtocol(
  protocol: string | undefined,
  fromPort: number | undefined,
  toPort: number | undefined,
): { ipProtocol: string; fromPort: number; toPort: number } {
  if (protocol === undefined) throw new InvalidParameterValue('Invalid value for portRange: IpProtocol is required');
  const p =
    PROTOCOLS[protocol.toLowerCase()] ?? (/^\d+$/.test(protocol) && Number(protocol) <= 255 ? protocol : undefined);
  if (p === undefined)
    throw new InvalidParameterValue(`Invalid value '${protocol}' for IP protocol. Unknown protocol.`);
  if (p === '-1') return { ipProtocol: '-1', fromPort: -1, toPort: -1 };
  if (p === 'tcp' || p === 'udp') {
    if (fromPort === undefined || toPort === undefined || fromPort < 0 || toPort < 0) {
      throw new InvalidParameterValue(
        `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange`,
      );
    }
    if (fromPort > toPort) {
      throw new InvalidParameterValue(
        `Invalid value 'from port ${fromPort} is greater than to port ${toPort}' for portRange`,
      );
    }
  }
  return { ipProtocol: p, fromPort: fromPort ?? -1, toPort: toPort ?? -1 };
}

/** Splits IpPermissions into one rule per peer, as EC2 does; a malformed CIDR is `InvalidParameterValue`. */
export function expandPermissions(permissions: readonly IpPermissionInput[], isEgress: boolean): RuleSpec[] {
  const specs: RuleSpec[] = [];
  for (const perm of permissions) {
    const base = { isEgress, ...normaliseProtocol(perm.IpProtocol, perm.FromPort, perm.ToPort) };
    const withDescription = (d: string | undefined) => (d !== undefined ? { description: d } : {});
    for (const r of perm.IpRanges ?? []) {
      if (!r.CidrIp) throw new InvalidParameterValue('Invalid value for CidrIp');
      checkPeerCidr(r.CidrIp, 4);
      specs.push({ ...base, cidrIpv4: r.CidrIp, ...withDescription(r.Description) });
    }
    for (const r of perm.Ipv6Ranges ?? []) {
      if (!r.CidrIpv6) throw new InvalidParameterValue('Invalid value for CidrIpv6');
      checkPeerCidr(r.CidrIpv6, 6);
      specs.push({ ...base, cidrIpv6: r.CidrIpv6, ...withDescription(r.Description) });
    }
    for (const g of perm.Groups ?? []) {
      if (!g.GroupId) throw new InvalidParameterValue('Invalid value for Groups: GroupId is required');
      specs.push({ ...base, referencedGroupId: g.GroupId, ...withDescription(g.Description) });
    }
  }
  return specs;
}

export const peerOf = (r: RuleSpec): string => r.cidrIpv4 ?? r.cidrIpv6 ?? r.referencedGroupId ?? '';

/** Two rules are the same when direction, protocol, ports and peer are (descriptions do not count). */
export function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return (
    a.isEgress === b.isEgress &&
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    peerOf(a) === peerOf(b)
  );
}

/** AWS's wording of a rule in `InvalidPermission.Duplicate`. */
export function describeRule(r: RuleSpec): string {
  if (r.ipProtocol === '-1') return `peer: ${peerOf(r)}, ALL, ALLOW`;
  return `peer: ${peerOf(r)}, ${r.ipProtocol.toUpperCase()}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
}

/** Rules regrouped into IpPermissions (`ipPermissions` of DescribeSecurityGroups). */
export function permissionsView(rules: readonly RuleRecord[]): Record<string, unknown>[] {
  const byKey = new Map<string, { head: RuleRecord; rules: RuleRecord[] }>();
  for (const r of rules) {
    const key = `${r.ipProtocol}/${r.fromPort}/${r.toPort}`;
    const entry = byKey.get(key);
    if (entry) entry.rules.push(r);
    else byKey.set(key, { head: r, rules: [r] });
  }
  return [...byKey.values()].map(({ head, rules: group }) => ({
    ipProtocol: head.ipProtocol,
    fromPort: head.ipProtocol === '-1' ? undefined : head.fromPort,
    toPort: head.ipProtocol === '-1' ? undefined : head.toPort,
    groups: group
      .filter((r) => r.referencedGroupId)
      .map((r) => ({ groupId: r.referencedGroupId, userId: r.groupOwnerId, description: r.description })),
    ipRanges: group.filter((r) => r.cidrIpv4).map((r) => ({ cidrIp: r.cidrIpv4, description: r.description })),
    ipv6Ranges: group.filter((r) => r.cidrIpv6).map((r) => ({ cidrIpv6: r.cidrIpv6, description: r.description })),
    prefixListIds: [],
  }));
}

/** A rule as DescribeSecurityGroupRules and AuthorizeSecurityGroupIngress return it. */
export function ruleView(r: RuleRecord, region: string): Record<string, unknown> {
  return {
    securityGroupRuleId: r.securityGroupRuleId,
    groupId: r.groupId,
    groupOwnerId: r.groupOwnerId,
    isEgress: r.isEgress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    referencedGroupInfo: r.referencedGroupId ? { groupId: r.referencedGroupId, userId: r.groupOwnerId } : undefined,
    description: r.description,
    tagSet: r.tags.map((t) => ({ key: t.key, value: t.value })),
    securityGroupRuleArn: `arn:aws:ec2:${region}:${r.groupOwnerId}:security-group-rule/${r.securityGroupRuleId}`,
  };
}

/** A rule as RevokeSecurityGroupIngress reports it (`revokedSecurityGroupRuleSet`). */
export function revokedView(r: RuleRecord): Record<string, unknown> {
  return {
    securityGroupRuleId: r.securityGroupRuleId,
    groupId: r.groupId,
    isEgress: r.isEgress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    referencedGroupId: r.referencedGroupId,
    description: r.description,
  };
}
