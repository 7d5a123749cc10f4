import * as z from 'zod/mini';
import { InvalidParameterValue, MissingParameter } from './errors';

/**
 * Schemas of the EC2 requests as the ec2Query codec decodes them (`Filter.1.Value.1` → arrays,
 * scalars as strings).
 */
const strings = z.optional(z.array(z.string()));
const port = z.optional(z.coerce.number().check(z.int(), z.minimum(-1), z.maximum(65535)));

export const FilterSchema = z.looseObject({ Name: z.string(), Value: strings });
export const TagSchema = z.looseObject({ Key: z.string(), Value: z.optional(z.string()) });
export const TagSpecificationSchema = z.looseObject({
  ResourceType: z.optional(z.string()),
  Tag: z.optional(z.array(TagSchema)),
});

const IpRangeSchema = z.looseObject({ CidrIp: z.optional(z.string()), Description: z.optional(z.string()) });
const Ipv6RangeSchema = z.looseObject({ CidrIpv6: z.optional(z.string()), Description: z.optional(z.string()) });
const GroupPairSchema = z.looseObject({
  GroupId: z.optional(z.string()),
  GroupName: z.optional(z.string()),
  UserId: z.optional(z.string()),
  Description: z.optional(z.string()),
});
export const IpPermissionSchema = z.looseObject({
  IpProtocol: z.optional(z.string()),
  FromPort: port,
  ToPort: port,
  IpRanges: z.optional(z.array(IpRangeSchema)),
  Ipv6Ranges: z.optional(z.array(Ipv6RangeSchema)),
  Groups: z.optional(z.array(GroupPairSchema)),
});
export type IpPermissionInput = z.infer<typeof IpPermissionSchema>;

export const SecurityGroupRuleRequestSchema = z.looseObject({
  IpProtocol: z.optional(z.string()),
  FromPort: port,
  ToPort: port,
  CidrIpv4: z.optional(z.string()),
  CidrIpv6: z.optional(z.string()),
  ReferencedGroupId: z.optional(z.string()),
  Description: z.optional(z.string()),
});

/** `AuthorizeSecurityGroupIngress`/`Egress` and the `Revoke…` pair. */
export const PermissionRequestSchema = z.looseObject({
  GroupId: z.optional(z.string()),
  GroupName: z.optional(z.string()),
  IpPermissions: z.optional(z.array(IpPermissionSchema)),
  IpProtocol: z.optional(z.string()),
  FromPort: port,
  ToPort: port,
  CidrIp: z.optional(z.string()),
  SecurityGroupRuleId: strings,
  TagSpecification: z.optional(z.array(TagSpecificationSchema)),
});

export const DescribeSchema = z.looseObject({
  Filter: z.optional(z.array(FilterSchema)),
  /** 5–1000, checked by `describeInput` with EC2's own message. */
  MaxResults: z.optional(z.coerce.number().check(z.int())),
  NextToken: z.optional(z.string()),
});

/** Parses a request or throws `InvalidParameterValue` / `MissingParameter`. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? 'request';
  if (issue?.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    throw new MissingParameter(where);
  }
  throw new InvalidParameterValue(`Invalid value for parameter ${where}: ${issue?.message ?? 'invalid'}`);
}

/** A required string parameter. */
export function required(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (value === undefined || value === '') throw new MissingParameter(name);
  if (typeof value !== 'string') throw new InvalidParameterValue(`Invalid value for parameter ${name}`);
  return value;
}

/** An optional list parameter (`VpcId.1`, `InternetGatewayId.1`, …). */
export function list(input: Record<string, unknown>, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new InvalidParameterValue(`Invalid value for parameter ${name}`);
}
