/**
 * The security group guard: ingress open to the world (0.0.0.0/0 or ::/0) is revoked, and only
 * that: the other rules of the group, and the rules config keeps open on purpose, stay. Before it
 * revokes anything it reads the group's live rules and revokes only those still open (by their live
 * rule ids): a rule changed or removed since the event is left alone.
 */
import type { EC2Client, IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { awsErrorName } from '../shared/errors';
import { memberClient, sdk } from '../shared/guardrails/clients';
import { itemsOf, stringField } from '../shared/guardrails/event';
import { isExemptAccount, isExemptIngress } from '../shared/guardrails/exemptions';
import type { FindingDraft, Guard, GuardContext } from '../shared/guardrails/pipeline';

export const SG_RESOURCE_TYPE = 'AWS::EC2::SecurityGroup';
export const OPEN_CIDRS: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/** Which ingress rules a guard revokes; the default: open to the world. */
export type Offends = (rule: OpenIngress) => boolean;
export const openToWorld: Offends = (rule) => OPEN_CIDRS.has(rule.cidr);

/** One ingress rule open to the world. */
export interface OpenIngress {
  readonly cidr: string;
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** `sgr-…` when known (responseElements, ModifySecurityGroupRules, DescribeSecurityGroupRules). */
  readonly ruleId?: string;
}

/** The group and its open rules that an event (or the sweep) found. */
export interface SgTarget {
  readonly groupId: string;
  readonly open: readonly OpenIngress[];
  /** The rules were just described (the sweep): no need to read them again before revoking. */
  readonly live?: boolean;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** An open rule from what a record or a described rule says; a port or rule id is set only when known. */
function openRule(
  cidr: string,
  ipProtocol: string | undefined,
  fromPort: unknown,
  toPort: unknown,
  ruleId: string | undefined,
): OpenIngress {
  const from = num(fromPort);
  const to = num(toPort);
  return {
    cidr,
    ipProtocol: ipProtocol ?? '-1',
    ...(from !== undefined ? { fromPort: from } : {}),
    ...(to !== undefined ? { toPort: to } : {}),
    ...(ruleId ? { ruleId } : {}),
  };
}

function portText(rule: OpenIngress): string {
  if (rule.ipProtocol === '-1') return 'all traffic';
  if (rule.fromPort === undefined) return rule.ipProtocol;
  return rule.fromPort === rule.toPort
    ? `${rule.ipProtocol}/${rule.fromPort}`
    : `${rule.ipProtocol}/${rule.fromPort}-${rule.toPort}`;
}

/** Reads the open ingress rules from an AuthorizeSecurityGroupIngress or ModifySecurityGroupRules record. */
export function sgTargetOf(ctx: GuardContext, offends: Offends = openToWorld): SgTarget | undefined {
  const record = ctx.event.record;
  if (!record) return undefined;
  const params = record.requestParameters ?? {};
  if (record.eventName === 'ModifySecurityGroupRules') {
    const request = params.ModifySecurityGroupRulesRequest;
    const groupId = stringField(request, 'GroupId');
    if (!groupId) return undefined;
    const raw = (request as { SecurityGroupRule?: unknown }).SecurityGroupRule;
    const open: OpenIngress[] = [];
    for (const entry of Array.isArray(raw) ? raw : [raw]) {
      const ruleId = stringField(entry, 'SecurityGroupRuleId');
      const rule = (entry as { SecurityGroupRule?: unknown } | undefined)?.SecurityGroupRule;
      const cidr = stringField(rule, 'CidrIpv4') ?? stringField(rule, 'CidrIpv6');
      if (!ruleId || !cidr) continue;
      const r = rule as Record<string, unknown>;
      const candidate = openRule(cidr, stringField(r, 'IpProtocol'), r.FromPort, r.ToPort, ruleId);
      if (offends(candidate)) open.push(candidate);
    }
    return { groupId, open };
  }
  const groupId = stringField(params, 'groupId');
  if (!groupId) return undefined;
  // Rule ids the API returned, when present: revoke exactly those.
  const returned = itemsOf(record.responseElements?.securityGroupRuleSet);
  if (returned.length > 0) {
    const open: OpenIngress[] = [];
    for (const item of returned) {
      const r = item as Record<string, unknown>;
      const cidr = stringField(r, 'cidrIpv4') ?? stringField(r, 'cidrIpv6');
      const ruleId = stringField(r, 'securityGroupRuleId');
      if (r.isEgress === true || !cidr) continue;
      const candidate = openRule(cidr, stringField(r, 'ipProtocol'), r.fromPort, r.toPort, ruleId);
      if (offends(candidate)) open.push(candidate);
    }
    return { groupId, open };
  }
  const open: OpenIngress[] = [];
  for (const permission of itemsOf(params.ipPermissions)) {
    const p = permission as Record<string, unknown>;
    const ipProtocol = stringField(p, 'ipProtocol');
    const cidrs = [
      ...itemsOf(p.ipRanges).map((range) => stringField(range, 'cidrIp')),
      ...itemsOf(p.ipv6Ranges).map((range) => stringField(range, 'cidrIpv6')),
    ];
    for (const cidr of cidrs) {
      if (!cidr) continue;
      const candidate = openRule(cidr, ipProtocol, p.fromPort, p.toPort, undefined);
      if (offends(candidate)) open.push(candidate);
    }
  }
  return { groupId, open };
}

/** The offending ingress rules of a described group's rules (the sweep, and the live re-read). */
export function openIngressOf(rules: readonly SecurityGroupRule[], offends: Offends = openToWorld): OpenIngress[] {
  const open: OpenIngress[] = [];
  for (const rule of rules) {
    const cidr = rule.CidrIpv4 ?? rule.CidrIpv6;
    if (rule.IsEgress || !cidr) continue;
    const candidate = openRule(cidr, rule.IpProtocol, rule.FromPort, rule.ToPort, rule.SecurityGroupRuleId);
    if (offends(candidate)) open.push(candidate);
  }
  return open;
}

function toPermission(rule: OpenIngress): IpPermission {
  const v6 = rule.cidr.includes(':');
  return {
    IpProtocol: rule.ipProtocol,
    ...(rule.fromPort !== undefined ? { FromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { ToPort: rule.toPort } : {}),
    ...(v6 ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr }] } : { IpRanges: [{ CidrIp: rule.cidr }] }),
  };
}

const GONE = new Set(['InvalidGroup.NotFound', 'InvalidSecurityGroupRuleId.NotFound', 'InvalidPermission.NotFound']);

/** The group's ingress rules as they are now; undefined when the group is gone. */
async function liveIngress(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[] | undefined> {
  const rules: SecurityGroupRule[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await ec2.send(
        new (sdk.ec2().DescribeSecurityGroupRulesCommand)({
          Filters: [{ Name: 'group-id', Values: [groupId] }],
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      rules.push(...(page.SecurityGroupRules ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (err) {
    if (GONE.has(awsErrorName(err) ?? '')) return undefined;
    throw err;
  }
  return rules;
}

/** Whether a live open rule is one the event or sweep named: by rule id when known, else by CIDR, protocol and ports. */
function sameRule(wanted: OpenIngress, live: OpenIngress): boolean {
  if (wanted.ruleId) return wanted.ruleId === live.ruleId;
  if (wanted.cidr !== live.cidr || wanted.ipProtocol !== live.ipProtocol) return false;
  return wanted.ipProtocol === '-1' || (wanted.fromPort === live.fromPort && wanted.toPort === live.toPort);
}

/** The rules of `wanted` that are still open among the group's live rules, with their live rule ids. */
export function stillOpen(
  wanted: readonly OpenIngress[],
  live: readonly SecurityGroupRule[],
  offends: Offends = openToWorld,
): OpenIngress[] {
  return openIngressOf(live, offends).filter((rule) => wanted.some((w) => sameRule(w, rule)));
}

async function revoke(ec2: EC2Client, groupId: string, rules: readonly OpenIngress[]): Promise<boolean> {
  const ids = rules.map((r) => r.ruleId).filter((id): id is string => typeof id === 'string');
  try {
    if (ids.length === rules.length) {
      await ec2.send(
        new (sdk.ec2().RevokeSecurityGroupIngressCommand)({ GroupId: groupId, SecurityGroupRuleIds: ids }),
      );
    } else {
      await ec2.send(
        new (sdk.ec2().RevokeSecurityGroupIngressCommand)({ GroupId: groupId, IpPermissions: rules.map(toPermission) }),
      );
    }
    return true;
  } catch (err) {
    if (GONE.has(awsErrorName(err) ?? '')) return false;
    throw err;
  }
}

/**
 * Checks exemptions and revokes the offending rules of one group (by default those open to the
 * world). Shared by the event handlers and the sweep.
 */
export async function revokeOpenIngress(
  ctx: GuardContext,
  target: SgTarget,
  offends: Offends = openToWorld,
): Promise<FindingDraft | null> {
  const { event } = ctx;
  if (target.open.length === 0) return null;
  const described = target.open.map((r) => `${r.cidr} on ${portText(r)}`).join(', ');
  const verb = event.record ? 'opened' : 'found';
  const summary = `${event.actor} ${verb} ${target.groupId} ${event.record ? 'to' : 'open to'} ${described} in ${event.accountId}/${event.region}`;
  const base = { resource: target.groupId, resourceType: SG_RESOURCE_TYPE, summary };
  if (await isExemptAccount(event.accountId)) {
    return { ...base, action: 'none: the account is exempt', outcome: 'exempt', severity: 'info' };
  }
  const offending: OpenIngress[] = [];
  for (const rule of target.open) {
    if (!(await isExemptIngress(event.accountId, rule.cidr, rule.fromPort, rule.toPort))) offending.push(rule);
  }
  if (offending.length === 0) {
    return { ...base, action: 'none: the rules are exempt by config', outcome: 'exempt', severity: 'info' };
  }
  const list = offending.map((r) => r.ruleId ?? `${r.cidr} ${portText(r)}`).join(', ');
  const stop = await ctx.gate(`revoke ${list} of ${target.groupId}`, base);
  if (stop) return stop;
  const ec2 = await memberClient('ec2', event.accountId, event.region, ctx.settings.remediationRole);
  // check before destroying: only what is still open now, by its live rule id
  let toRevoke = offending;
  if (!target.live) {
    const live = await liveIngress(ec2, target.groupId);
    toRevoke = live ? stillOpen(offending, live, offends) : [];
    if (toRevoke.length === 0) {
      return {
        ...base,
        action: 'none: the rules are no longer open (changed or removed since)',
        outcome: 'already-compliant',
        severity: 'info',
      };
    }
  }
  const revoked = await revoke(ec2, target.groupId, toRevoke);
  if (!revoked) {
    return { ...base, action: 'none: the rules are already gone', outcome: 'already-compliant', severity: 'info' };
  }
  const kept = target.open.length - offending.length;
  const done = toRevoke.map((r) => r.ruleId ?? `${r.cidr} ${portText(r)}`).join(', ');
  return {
    ...base,
    action: `revoked ${done}${kept > 0 ? `; kept ${kept} exempt rule(s)` : ''}`,
    outcome: 'remediated',
  };
}

/** The guard of the `sg-open-ingress` rule. */
export const securityGroupGuard: Guard = async (ctx) => {
  const target = sgTargetOf(ctx);
  if (!target) {
    return {
      summary: `${ctx.event.actor} called ${ctx.event.eventName} in ${ctx.event.accountId}/${ctx.event.region} but the event names no security group`,
      action: 'none: the event is ambiguous, alerting instead of acting',
      outcome: 'alerted',
      resourceType: SG_RESOURCE_TYPE,
      reason: 'no group id in the CloudTrail record',
    };
  }
  return revokeOpenIngress(ctx, target);
};
