import type { IpPermissionInput } from '../../ec2/input';
import type { RuleRecord, Scope, SecurityGroupRecord } from '../../ec2/model';
import { expandPermissions, type RuleSpec, sameRule } from '../../ec2/rules';
import {
  authorizeSecurityGroupRules,
  createSecurityGroup,
  deleteSecurityGroup,
  findGroup,
  revokeSecurityGroupRules,
} from '../../ec2/security-groups';
import type { Ec2State } from '../../ec2/state';
import type { CreatedResource, ResourceContext, ResourceProvider } from '../resources';
import { str } from '../resources';
import { deleting, ec2Of, invalid, need, onlyChanged, tagsOf } from './ec2-support';

/**
 * `AWS::EC2::SecurityGroup` with its inline rules, and the standalone `SecurityGroupIngress` /
 * `SecurityGroupEgress` rules. Rules are checked and stored as AuthorizeSecurityGroupIngress/Egress
 * store them (one per peer, protocols normalised, duplicates refused). As CloudFormation does, a
 * group keeps EC2's allow-all egress rule unless `SecurityGroupEgress` lists rules of its own, and an
 * update changes the inline rules the template changed (rules added by other resources stay).
 */

/** The keys of a rule (inline, or the standalone resource's own besides the group). */
const INGRESS_KEYS = ['CidrIp', 'CidrIpv6', 'Description', 'FromPort', 'IpProtocol', 'SourceSecurityGroupId', 'ToPort'];
const EGRESS_KEYS = [
  'CidrIp',
  'CidrIpv6',
  'Description',
  'DestinationSecurityGroupId',
  'FromPort',
  'IpProtocol',
  'ToPort',
];

/** EC2's egress rule of a new group: all traffic to anywhere. */
const ALLOW_ALL_EGRESS: RuleSpec = {
  isEgress: true,
  ipProtocol: '-1',
  fromPort: -1,
  toPort: -1,
  cidrIpv4: '0.0.0.0/0',
};

function port(ctx: ResourceContext, value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw invalid(ctx, `#${path}: expected type: Integer, found: ${typeof value}`);
  return n;
}

/**
 * The rules of one template rule (`{ IpProtocol, FromPort, ToPort, CidrIp | CidrIpv6 | Source/DestinationSecurityGroupId }`),
 * through the same checks as the API's IpPermissions; `path` locates it in messages (`/SecurityGroupIngress/0`).
 */
function ruleSpecs(ctx: ResourceContext, rule: Record<string, unknown>, isEgress: boolean, path: string): RuleSpec[] {
  const keys = isEgress ? EGRESS_KEYS : INGRESS_KEYS;
  const extra = Object.keys(rule).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw invalid(ctx, `#${path}: extraneous key [${extra[0]}] is not permitted`);
  if (rule.IpProtocol === undefined) throw invalid(ctx, `#${path}: required key [IpProtocol] not found`);
  const peerGroup = isEgress ? 'DestinationSecurityGroupId' : 'SourceSecurityGroupId';
  const peers = ['CidrIp', 'CidrIpv6', peerGroup].filter((k) => rule[k] !== undefined);
  if (peers.length !== 1) {
    throw invalid(ctx, `#${path}: exactly one of CidrIp, CidrIpv6 or ${peerGroup} must be specified`);
  }
  const description = str(rule, 'Description');
  const withDescription = description !== undefined ? { Description: description } : {};
  const cidr = str(rule, 'CidrIp');
  const cidr6 = str(rule, 'CidrIpv6');
  const group = str(rule, peerGroup);
  const permission: IpPermissionInput = {
    IpProtocol: String(rule.IpProtocol),
    FromPort: port(ctx, rule.FromPort, `${path}/FromPort`),
    ToPort: port(ctx, rule.ToPort, `${path}/ToPort`),
    ...(cidr !== undefined ? { IpRanges: [{ CidrIp: cidr, ...withDescription }] } : {}),
    ...(cidr6 !== undefined ? { Ipv6Ranges: [{ CidrIpv6: cidr6, ...withDescription }] } : {}),
    ...(group !== undefined ? { Groups: [{ GroupId: group, ...withDescription }] } : {}),
  };
  return expandPermissions([permission], isEgress);
}

/** A group's inline rules of one direction as the template declares them (egress: allow-all when it declares none). */
function inlineRules(ctx: ResourceContext, props: Record<string, unknown>, isEgress: boolean): RuleSpec[] {
  const name = isEgress ? 'SecurityGroupEgress' : 'SecurityGroupIngress';
  const value = props[name];
  if (value !== undefined && !Array.isArray(value)) throw invalid(ctx, `#/${name}: expected type: JSONArray`);
  const rules = (value ?? []) as unknown[];
  if (isEgress && rules.length === 0) return [ALLOW_ALL_EGRESS];
  return rules.flatMap((rule, i) => {
    if (!rule || typeof rule !== 'object' || Array.isArray(rule)) {
      throw invalid(ctx, `#/${name}/${i}: expected type: JSONObject`);
    }
    return ruleSpecs(ctx, rule as Record<string, unknown>, isEgress, `/${name}/${i}`);
  });
}

/** Moves a group from the rules `before` to the rules `after`: revokes the dropped ones, authorizes the new ones. */
function changeRules(
  state: Ec2State,
  scope: Scope,
  group: SecurityGroupRecord,
  before: readonly RuleSpec[],
  after: readonly RuleSpec[],
): void {
  const dropped = before.filter((b) => !after.some((a) => sameRule(a, b)));
  const added = after.filter((a) => !before.some((b) => sameRule(a, b)));
  const rules = state.rulesOf(scope, group.groupId);
  revokeSecurityGroupRules(
    state,
    scope,
    rules.filter((r) => dropped.some((s) => sameRule(r, s))),
  );
  authorizeSecurityGroupRules(state, scope, group, added, []);
  // a new description of a kept rule is changed in place
  for (const rule of state.rulesOf(scope, group.groupId)) {
    const spec = after.find((s) => sameRule(rule, s));
    if (spec && spec.description !== rule.description) {
      const { description: _old, ...rest } = rule;
      state.put(
        scope,
        rule.securityGroupRuleId,
        spec.description === undefined ? rest : { ...rest, description: spec.description },
      );
    }
  }
}

/** CloudFormation's generated group name: `<stack>-<logical id>-<13 random characters>`. */
function generatedName(ctx: ResourceContext): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let suffix = '';
  for (let i = 0; i < 13; i++) suffix += alphabet[Math.floor(ctx.runtime.random() * alphabet.length)];
  return `${ctx.stackName}-${ctx.logicalId}-${suffix}`.slice(0, 255);
}

const groupResource = (g: SecurityGroupRecord): CreatedResource => ({
  physicalId: g.groupId,
  attributes: { GroupId: g.groupId, VpcId: g.vpcId },
});

/**
 * `AWS::EC2::SecurityGroup` (Ref and `GroupId`: the group id): in `VpcId` or the default VPC, named
 * `GroupName` or `<stack>-<logical id>-<suffix>`. New inline rules or tags change it in place; a new
 * name, description or VPC replaces it.
 */
const securityGroupProvider: ResourceProvider = {
  type: 'AWS::EC2::SecurityGroup',
  properties: ['GroupDescription', 'GroupName', 'SecurityGroupEgress', 'SecurityGroupIngress', 'Tags', 'VpcId'],
  required: ['GroupDescription'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const ingress = inlineRules(ctx, props, false);
    const egress = inlineRules(ctx, props, true);
    const group = state.runtime.store.transaction(() => {
      const g = createSecurityGroup(state, scope, {
        groupName: str(props, 'GroupName') ?? generatedName(ctx),
        description: need(ctx, props, 'GroupDescription'),
        vpcId: str(props, 'VpcId'),
        tags: tagsOf(ctx, props),
      });
      changeRules(state, scope, g, [ALLOW_ALL_EGRESS], [...ingress, ...egress]);
      return g;
    });
    return groupResource(group);
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['SecurityGroupEgress', 'SecurityGroupIngress', 'Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const before = [...inlineRules(ctx, previous, false), ...inlineRules(ctx, previous, true)];
    const after = [...inlineRules(ctx, props, false), ...inlineRules(ctx, props, true)];
    const group = state.runtime.store.transaction(() => {
      const g = { ...state.require<SecurityGroupRecord>(scope, physicalId), tags: tagsOf(ctx, props) };
      state.put(scope, physicalId, g);
      changeRules(state, scope, g, before, after);
      return g;
    });
    return groupResource(group);
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteSecurityGroup(state, scope, state.require<SecurityGroupRecord>(scope, physicalId)));
  },
};

/** A standalone rule resource: one rule added to a group (Ref and `Id`: the `sgr-` id). */
function ruleProvider(isEgress: boolean): ResourceProvider {
  const keys = isEgress ? EGRESS_KEYS : INGRESS_KEYS;
  return {
    type: isEgress ? 'AWS::EC2::SecurityGroupEgress' : 'AWS::EC2::SecurityGroupIngress',
    properties: [...keys, 'GroupId', ...(isEgress ? [] : ['GroupName'])],
    required: isEgress ? ['GroupId', 'IpProtocol'] : ['IpProtocol'],
    create(ctx, props) {
      const { state, scope } = ec2Of(ctx);
      const groupId = str(props, 'GroupId');
      const groupName = str(props, 'GroupName');
      const group = findGroup(state, scope, {
        ...(groupId !== undefined ? { GroupId: groupId } : {}),
        ...(groupName !== undefined ? { GroupName: groupName } : {}),
      });
      const rule = Object.fromEntries(Object.entries(props).filter(([k]) => keys.includes(k)));
      const specs = ruleSpecs(ctx, rule, isEgress, '');
      const [added] = authorizeSecurityGroupRules(state, scope, group, specs, []);
      const id = (added as RuleRecord).securityGroupRuleId;
      return { physicalId: id, attributes: { Id: id } };
    },
    update(ctx, physicalId, props, previous) {
      if (!onlyChanged(props, previous, ['Description'])) return undefined;
      const { state, scope } = ec2Of(ctx);
      const { description: _old, ...rule } = state.require<RuleRecord>(scope, physicalId);
      const description = str(props, 'Description');
      state.put(scope, physicalId, description === undefined ? rule : { ...rule, description });
      return { physicalId, attributes: { Id: physicalId } };
    },
    delete(ctx, physicalId) {
      const { state, scope } = ec2Of(ctx);
      deleting(() => revokeSecurityGroupRules(state, scope, [state.require<RuleRecord>(scope, physicalId)]));
    },
  };
}

/** `AWS::EC2::SecurityGroup`, `AWS::EC2::SecurityGroupIngress`, `AWS::EC2::SecurityGroupEgress`. */
export const securityGroupProviders: readonly ResourceProvider[] = [
  securityGroupProvider,
  ruleProvider(false),
  ruleProvider(true),
];
