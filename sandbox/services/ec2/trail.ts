import { toTrailShape } from '../../core/cloudtrail';
import { EC2_NAMESPACE } from '../../core/protocols/xml';
import type { TrailShaper } from '../../core/types';

/**
 * EC2 calls whose CloudTrail record is not the generic lower-camel form (see
 * `events/samples/aws.ec2/`): ModifySecurityGroupRules keeps the SDK's PascalCase inside a
 * `ModifySecurityGroupRulesRequest` wrapper, AuthorizeSecurityGroupIngress lists every permission's
 * empty sets, CreateInternetGateway records its `tagSpecificationSet`.
 */

const PORT_KEY = /^(FromPort|ToPort)$/;
const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The PascalCase request member as CloudTrail keeps it (ports as numbers). */
function pascal(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = PORT_KEY.test(k) && typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

/**
 * `requestParameters.ModifySecurityGroupRulesRequest`: `GroupId`, and `SecurityGroupRule` (one
 * object, or a list when several rules change) of `{ SecurityGroupRuleId, SecurityGroupRule, tag }`;
 * `responseElements.ModifySecurityGroupRulesResponse`: `{ xmlns, requestId, return }`.
 */
export const modifySecurityGroupRulesShape: TrailShaper = ({ input, ctx }) => {
  const entries = asList(input.SecurityGroupRule).map((raw, i) => {
    const entry = asRecord(raw);
    return {
      ...(entry.SecurityGroupRuleId !== undefined ? { SecurityGroupRuleId: entry.SecurityGroupRuleId } : {}),
      SecurityGroupRule: pascal(asRecord(entry.SecurityGroupRule)),
      tag: i + 1,
    };
  });
  return {
    requestParameters: {
      ModifySecurityGroupRulesRequest: {
        ...(input.GroupId !== undefined ? { GroupId: input.GroupId } : {}),
        ...(input.GroupName !== undefined ? { GroupName: input.GroupName } : {}),
        SecurityGroupRule: entries.length === 1 ? entries[0] : entries,
        tag: 1,
      },
    },
    responseElements: {
      ModifySecurityGroupRulesResponse: { xmlns: EC2_NAMESPACE, requestId: ctx.requestId, return: true },
    },
  };
};

/** AuthorizeSecurityGroupIngress: every permission lists `groups`, `ipRanges`, `ipv6Ranges`, `prefixListIds` (`{}` when empty). */
export const authorizeSecurityGroupIngressShape: TrailShaper = ({ input }) => {
  const shaped = asRecord(toTrailShape(input, 'ec2Query'));
  const permissions = asRecord(shaped.ipPermissions);
  const items = asList(permissions.items).map((raw) => {
    const p = asRecord(raw);
    const { ipProtocol, fromPort, toPort, groups, ipRanges, ipv6Ranges, prefixListIds, ...rest } = p;
    return {
      ipProtocol,
      ...(fromPort !== undefined ? { fromPort } : {}),
      ...(toPort !== undefined ? { toPort } : {}),
      groups: groups ?? {},
      ipRanges: ipRanges ?? {},
      ipv6Ranges: ipv6Ranges ?? {},
      prefixListIds: prefixListIds ?? {},
      ...rest,
    };
  });
  return { requestParameters: { ...shaped, ipPermissions: items.length > 0 ? { items } : {} } };
};

/** CreateInternetGateway: `tagSpecificationSet` (`{}` without tags, else `{ items: [{ resourceType, tags }] }`). */
export const createInternetGatewayShape: TrailShaper = ({ input }) => {
  const specs = asList(input.TagSpecification).map((raw) => {
    const spec = asRecord(raw);
    const tags = asList(spec.Tag).map((t) => ({ key: asRecord(t).Key, value: asRecord(t).Value }));
    return {
      ...(spec.ResourceType !== undefined ? { resourceType: spec.ResourceType } : {}),
      tags: tags.length > 0 ? { items: tags } : {},
    };
  });
  return { requestParameters: { tagSpecificationSet: specs.length > 0 ? { items: specs } : {} } };
};

/** The EC2 service's `trailShapes`. */
export const EC2_TRAIL_SHAPES: Readonly<Record<string, TrailShaper>> = {
  ModifySecurityGroupRules: modifySecurityGroupRulesShape,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngressShape,
  CreateInternetGateway: createInternetGatewayShape,
};
