import * as z from 'zod/mini';
import type { OperationHandler, RequestContext } from '../../core/types';
import { checkPeerCidr } from './cidr';
import { describeInput } from './describe';
import { DependencyViolation, Ec2Error, InvalidParameterValue, MissingParameter, NotFound } from './errors';
import { matchesFilters, tagFilter } from './filters';
import {
  list,
  PermissionRequestSchema,
  parseInput,
  SecurityGroupRuleRequestSchema,
  TagSpecificationSchema,
} from './input';
import {
  EC2_TABLES,
  type RuleRecord,
  type Scope,
  type SecurityGroupRecord,
  type Tag,
  tagSet,
  type VpcRecord,
} from './model';
import { paginate } from './paginate';
import {
  describeRule,
  expandPermissions,
  normaliseProtocol,
  permissionsView,
  type RuleSpec,
  revokedView,
  ruleView,
  sameRule,
} from './rules';
import { type Ec2State, tagsFor } from './state';

const CreateSchema = z.looseObject({
  GroupName: z.string(),
  GroupDescription: z.string(),
  VpcId: z.optional(z.string()),
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});
const ModifySchema = z.looseObject({
  GroupId: z.string(),
  SecurityGroupRule: z.array(
    z.looseObject({ SecurityGroupRuleId: z.string(), SecurityGroupRule: SecurityGroupRuleRequestSchema }),
  ),
});

function groupView(state: Ec2State, scope: Scope, g: SecurityGroupRecord): Record<string, unknown> {
  const rules = state.rulesOf(scope, g.groupId);
  return {
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    ownerId: g.ownerId,
    securityGroupArn: `arn:aws:ec2:${scope.region}:${g.ownerId}:security-group/${g.groupId}`,
    ipPermissions: permissionsView(rules.filter((r) => !r.isEgress)),
    ipPermissionsEgress: permissionsView(rules.filter((r) => r.isEgress)),
    tagSet: tagSet(g.tags),
  };
}

/** The group named by `GroupId`, or by `GroupName` in the default VPC. */
export function findGroup(
  state: Ec2State,
  scope: Scope,
  input: { GroupId?: string; GroupName?: string },
): SecurityGroupRecord {
  if (input.GroupId) return state.require<SecurityGroupRecord>(scope, input.GroupId);
  if (!input.GroupName) throw new MissingParameter('GroupId');
  const vpc = state.defaultVpc(scope);
  const group = state
    .list<SecurityGroupRecord>(scope, EC2_TABLES.sgs)
    .find((g) => g.groupName === input.GroupName && g.vpcId === vpc?.vpcId);
  if (!group) {
    throw new NotFound(
      'InvalidGroup.NotFound',
      `The security group '${input.GroupName}' does not exist in default VPC '${vpc?.vpcId ?? 'none'}'`,
    );
  }
  return group;
}

/** The rules a request names: IpPermissions, or the legacy top-level CidrIp/IpProtocol/FromPort/ToPort. */
function requestedRules(input: z.infer<typeof PermissionRequestSchema>, isEgress: boolean): RuleSpec[] {
  if (input.IpPermissions?.length) return expandPermissions(input.IpPermissions, isEgress);
  if (input.CidrIp || input.IpProtocol) {
    if (input.CidrIp) checkPeerCidr(input.CidrIp, 4);
    return [
      {
        isEgress,
        ...normaliseProtocol(input.IpProtocol, input.FromPort, input.ToPort),
        cidrIpv4: input.CidrIp ?? '0.0.0.0/0',
      },
    ];
  }
  return [];
}

/**
 * CreateSecurityGroup: in `vpcId` or the default VPC (`VPCIdNotSpecified` without one), not named
 * `default` nor `sg-*`, unique in its VPC (`InvalidGroup.Duplicate`), with the allow-all egress rule.
 * The API and the `AWS::EC2::SecurityGroup` resource both create groups through here.
 */
export function createSecurityGroup(
  state: Ec2State,
  scope: Scope,
  request: { groupName: string; description: string; vpcId?: string | undefined; tags: Tag[] },
): SecurityGroupRecord {
  const vpc = request.vpcId ? state.require<VpcRecord>(scope, request.vpcId) : state.defaultVpc(scope);
  if (!vpc) throw new Ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  if (request.groupName === 'default') {
    throw new InvalidParameterValue('Cannot use reserved security group name: default');
  }
  if (request.groupName.startsWith('sg-')) throw new InvalidParameterValue('Group names may not be in the format sg-*');
  const duplicate = state
    .list<SecurityGroupRecord>(scope, EC2_TABLES.sgs)
    .some((g) => g.vpcId === vpc.vpcId && g.groupName === request.groupName);
  if (duplicate) {
    throw new Ec2Error(
      'InvalidGroup.Duplicate',
      `The security group '${request.groupName}' already exists for VPC '${vpc.vpcId}'`,
    );
  }
  return state.runtime.store.transaction(() => {
    const g = state.createSecurityGroup(scope, vpc.vpcId, request.groupName, request.description, request.tags);
    state.addRule(scope, g, { isEgress: true, ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' });
    return g;
  });
}

/**
 * DeleteSecurityGroup: not the `default` group (`CannotDelete`), nor one another group's rule
 * references (`DependencyViolation`); its rules go with it.
 */
export function deleteSecurityGroup(state: Ec2State, scope: Scope, group: SecurityGroupRecord): void {
  if (group.groupName === 'default') {
    throw new Ec2Error(
      'CannotDelete',
      `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
    );
  }
  const referenced = state
    .list<RuleRecord>(scope, EC2_TABLES.rules)
    .some((r) => r.referencedGroupId === group.groupId && r.groupId !== group.groupId);
  if (referenced) throw new DependencyViolation(`resource ${group.groupId} has a dependent object`);
  state.runtime.store.transaction(() => {
    for (const r of state.rulesOf(scope, group.groupId)) state.delete(scope, r.securityGroupRuleId);
    state.delete(scope, group.groupId);
  });
}

/**
 * AuthorizeSecurityGroupIngress/Egress: adds one rule per spec; a referenced group must exist, and a
 * rule the group already has (or that the request repeats) is `InvalidPermission.Duplicate`.
 */
export function authorizeSecurityGroupRules(
  state: Ec2State,
  scope: Scope,
  group: SecurityGroupRecord,
  specs: readonly RuleSpec[],
  tags: Tag[],
): RuleRecord[] {
  for (const s of specs) if (s.referencedGroupId) state.require(scope, s.referencedGroupId);
  const existing = state.rulesOf(scope, group.groupId);
  specs.forEach((spec, i) => {
    if (existing.some((r) => sameRule(r, spec)) || specs.slice(0, i).some((s) => sameRule(s, spec))) {
      throw new Ec2Error('InvalidPermission.Duplicate', `the specified rule "${describeRule(spec)}" already exists`);
    }
  });
  return state.runtime.store.transaction(() => specs.map((spec) => state.addRule(scope, group, { ...spec, tags })));
}

/** RevokeSecurityGroupIngress/Egress once the rules are found: deletes them together. */
export function revokeSecurityGroupRules(state: Ec2State, scope: Scope, rules: readonly RuleRecord[]): void {
  state.runtime.store.transaction(() => {
    for (const r of rules) state.delete(scope, r.securityGroupRuleId);
  });
}

function authorize(state: Ec2State, isEgress: boolean): OperationHandler {
  return (raw, ctx: RequestContext) => {
    const scope = state.scope(ctx);
    const input = parseInput(PermissionRequestSchema, raw);
    const group = findGroup(state, scope, input);
    const specs = requestedRules(input, isEgress);
    if (specs.length === 0) throw new MissingParameter('IpPermissions');
    const tags = tagsFor(input.TagSpecification, 'security-group-rule');
    const added = authorizeSecurityGroupRules(state, scope, group, specs, tags);
    return { return: true, securityGroupRuleSet: added.map((r) => ruleView(r, scope.region)) };
  };
}

function revoke(state: Ec2State, isEgress: boolean): OperationHandler {
  return (raw, ctx: RequestContext) => {
    const scope = state.scope(ctx);
    const input = parseInput(PermissionRequestSchema, raw);
    const group = findGroup(state, scope, input);
    const rules = state.rulesOf(scope, group.groupId).filter((r) => r.isEgress === isEgress);
    let revoked: RuleRecord[];
    let unknown: RuleSpec[] = [];
    if (input.SecurityGroupRuleId?.length) {
      revoked = input.SecurityGroupRuleId.map((id) => {
        const rule = rules.find((r) => r.securityGroupRuleId === id);
        if (!rule) {
          throw new NotFound(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${id}' does not exist`,
          );
        }
        return rule;
      });
    } else {
      const specs = requestedRules(input, isEgress);
      if (specs.length === 0) throw new MissingParameter('IpPermissions');
      revoked = rules.filter((r) => specs.some((s) => sameRule(r, s)));
      unknown = specs.filter((s) => !rules.some((r) => sameRule(r, s)));
      if (revoked.length === 0) {
        throw new Ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      }
    }
    revokeSecurityGroupRules(state, scope, revoked);
    const unknownView = unknown.map((s) => ({
      ipProtocol: s.ipProtocol,
      fromPort: s.fromPort,
      toPort: s.toPort,
      ipRanges: s.cidrIpv4 ? [{ cidrIp: s.cidrIpv4 }] : [],
      ipv6Ranges: s.cidrIpv6 ? [{ cidrIpv6: s.cidrIpv6 }] : [],
      groups: s.referencedGroupId ? [{ groupId: s.referencedGroupId }] : [],
    }));
    return {
      return: true,
      unknownIpPermissionSet: unknownView.length ? unknownView : undefined,
      revokedSecurityGroupRuleSet: revoked.map(revokedView),
    };
  };
}

/** Security groups and their rules. */
export function securityGroupOperations(state: Ec2State): Record<string, OperationHandler> {
  return {
    CreateSecurityGroup(raw, ctx) {
      const scope = state.scope(ctx);
      if (raw.GroupName === undefined) throw new MissingParameter('GroupName');
      if (raw.GroupDescription === undefined) throw new MissingParameter('GroupDescription');
      const input = parseInput(CreateSchema, raw);
      const group = createSecurityGroup(state, scope, {
        groupName: input.GroupName,
        description: input.GroupDescription,
        vpcId: input.VpcId,
        tags: tagsFor(input.TagSpecification, 'security-group'),
      });
      return {
        groupId: group.groupId,
        tagSet: tagSet(group.tags),
        securityGroupArn: `arn:aws:ec2:${scope.region}:${scope.account}:security-group/${group.groupId}`,
      };
    },

    DescribeSecurityGroups(raw, ctx) {
      const scope = state.scope(ctx);
      const ids = list(raw, 'GroupId');
      const names = list(raw, 'GroupName');
      const { filter, max, token } = describeInput(raw);
      const all = state.list<SecurityGroupRecord>(scope, EC2_TABLES.sgs);
      for (const id of ids ?? []) state.require(scope, id);
      for (const name of names ?? []) findGroup(state, scope, { GroupName: name });
      const defaultVpc = state.defaultVpc(scope)?.vpcId;
      const groups = all
        .filter((g) => !ids || ids.includes(g.groupId))
        .filter((g) => !names || (names.includes(g.groupName) && g.vpcId === defaultVpc))
        .filter((g) => {
          const rules = state.rulesOf(scope, g.groupId);
          const ingress = rules.filter((r) => !r.isEgress);
          const egress = rules.filter((r) => r.isEgress);
          return matchesFilters(filter, (name) => {
            const on = name.startsWith('egress.') ? egress : ingress;
            switch (name.replace(/^egress\./, '')) {
              case 'group-id':
                return [g.groupId];
              case 'group-name':
                return [g.groupName];
              case 'vpc-id':
                return [g.vpcId];
              case 'owner-id':
                return [g.ownerId];
              case 'description':
                return [g.description];
              case 'ip-permission.cidr':
                return on.flatMap((r) => (r.cidrIpv4 ? [r.cidrIpv4] : []));
              case 'ip-permission.ipv6-cidr':
                return on.flatMap((r) => (r.cidrIpv6 ? [r.cidrIpv6] : []));
              case 'ip-permission.from-port':
                return on.map((r) => String(r.fromPort));
              case 'ip-permission.to-port':
                return on.map((r) => String(r.toPort));
              case 'ip-permission.protocol':
                return on.map((r) => r.ipProtocol);
              case 'ip-permission.group-id':
                return on.flatMap((r) => (r.referencedGroupId ? [r.referencedGroupId] : []));
              default:
                return tagFilter(g.tags, name);
            }
          });
        });
      const { page, next } = paginate(groups, token, max);
      return { securityGroupInfo: page.map((g) => groupView(state, scope, g)), nextToken: next };
    },

    DeleteSecurityGroup(raw, ctx) {
      const scope = state.scope(ctx);
      const group = findGroup(state, scope, {
        ...(typeof raw.GroupId === 'string' ? { GroupId: raw.GroupId } : {}),
        ...(typeof raw.GroupName === 'string' ? { GroupName: raw.GroupName } : {}),
      });
      deleteSecurityGroup(state, scope, group);
      return { return: true, groupId: group.groupId };
    },

    AuthorizeSecurityGroupIngress: authorize(state, false),
    AuthorizeSecurityGroupEgress: authorize(state, true),
    RevokeSecurityGroupIngress: revoke(state, false),
    RevokeSecurityGroupEgress: revoke(state, true),

    DescribeSecurityGroupRules(raw, ctx) {
      const scope = state.scope(ctx);
      const ids = list(raw, 'SecurityGroupRuleId');
      const { filter, max, token } = describeInput(raw);
      for (const id of ids ?? []) state.require(scope, id);
      const rules = state
        .list<RuleRecord>(scope, EC2_TABLES.rules)
        .filter((r) => !ids || ids.includes(r.securityGroupRuleId))
        .filter((r) =>
          matchesFilters(filter, (name) => {
            if (name === 'group-id') return [r.groupId];
            if (name === 'security-group-rule-id') return [r.securityGroupRuleId];
            return tagFilter(r.tags, name);
          }),
        );
      const { page, next } = paginate(rules, token, max);
      return { securityGroupRuleSet: page.map((r) => ruleView(r, scope.region)), nextToken: next };
    },

    ModifySecurityGroupRules(raw, ctx) {
      const scope = state.scope(ctx);
      if (raw.GroupId === undefined) throw new MissingParameter('GroupId');
      const input = parseInput(ModifySchema, raw);
      const group = state.require<SecurityGroupRecord>(scope, input.GroupId);
      const rules = state.rulesOf(scope, group.groupId);
      const updated = input.SecurityGroupRule.map((update) => {
        const rule = rules.find((r) => r.securityGroupRuleId === update.SecurityGroupRuleId);
        if (!rule) {
          throw new NotFound(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${update.SecurityGroupRuleId}' does not exist`,
          );
        }
        const req = update.SecurityGroupRule;
        if (req.CidrIpv4) checkPeerCidr(req.CidrIpv4, 4);
        if (req.CidrIpv6) checkPeerCidr(req.CidrIpv6, 6);
        const { cidrIpv4: _4, cidrIpv6: _6, referencedGroupId: _g, description: _d, ...base } = rule;
        const next: RuleRecord = {
          ...base,
          ...normaliseProtocol(req.IpProtocol, req.FromPort, req.ToPort),
          ...(req.CidrIpv4 ? { cidrIpv4: req.CidrIpv4 } : {}),
          ...(req.CidrIpv6 ? { cidrIpv6: req.CidrIpv6 } : {}),
          ...(req.ReferencedGroupId ? { referencedGroupId: req.ReferencedGroupId } : {}),
          ...(req.Description !== undefined ? { description: req.Description } : {}),
        };
        if (!next.cidrIpv4 && !next.cidrIpv6 && !next.referencedGroupId) {
          throw new MissingParameter('SecurityGroupRule.CidrIpv4');
        }
        if (rules.some((r) => r.securityGroupRuleId !== rule.securityGroupRuleId && sameRule(r, next))) {
          throw new Ec2Error(
            'InvalidPermission.Duplicate',
            `the specified rule "${describeRule(next)}" already exists`,
          );
        }
        return next;
      });
      state.runtime.store.transaction(() => {
        for (const r of updated) state.put(scope, r.securityGroupRuleId, r);
      });
      return { return: true };
    },
  };
}
