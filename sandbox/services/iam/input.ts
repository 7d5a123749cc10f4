import * as z from 'zod/mini';
import { pageAt } from '../../core/paging';
import { ValidationError } from './errors';

/**
 * Schemas of the IAM requests as the awsQuery codec decodes them (`Tags.member.1.Key` →
 * `Tags: [{ Key }]`, every scalar a string), with the constraints of the IAM API model
 * (botocore `iam/2010-05-08/service-2.json`: `roleNameType`, `pathType`, `policyDocumentType`, …).
 * A request that breaks them fails as IAM's validation layer answers:
 * `ValidationError: 2 validation errors detected: Value 'x' at 'roleName' failed to satisfy
 * constraint: Member must have length less than or equal to 64; …`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 */

const len = {
  min: (n: number) => z.minLength(n, `Member must have length greater than or equal to ${n}`),
  max: (n: number) => z.maxLength(n, `Member must have length less than or equal to ${n}`),
};
const pattern = (re: string, flags = '') =>
  z.regex(new RegExp(`^(?:${re})$`, flags), `Member must satisfy regular expression pattern: ${re}`);

/** A list as the query codec gives it; the SDK sends an empty list as `Name=` (an empty string). */
function listOf<T extends z.ZodMiniType>(item: T) {
  return z.pipe(
    z.transform((v: unknown) => (v === '' ? [] : v)),
    z.array(item),
  );
}

/** An integer member (a string on the wire) within `[min, max]`. */
function intBetween(min: number, max: number) {
  return z.coerce
    .number()
    .check(
      z.int('Member must be an integer'),
      z.minimum(min, `Member must have value greater than or equal to ${min}`),
      z.maximum(max, `Member must have value less than or equal to ${max}`),
    );
}

// The name and path patterns are checked by the model, which answers with IAM's own message
// (`The specified value for roleName is invalid. …`) rather than the generic constraint text.
const roleName = z.string().check(len.min(1), len.max(64));
const path = z.string().check(len.min(1), len.max(512));
const pathPrefix = z.string().check(len.min(1), len.max(512));
const policyName = z.string().check(len.min(1), len.max(128), pattern('[\\w+=,.@-]+'));
const policyDocument = z
  .string()
  .check(len.min(1), len.max(131_072), pattern('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'));
const description = z.string().check(len.max(1000), pattern('[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*'));
const arn = z.string().check(len.min(20), len.max(2048));
const tagKey = z.string().check(len.min(1), len.max(128), pattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+', 'u'));
const tagValue = z.string().check(len.max(256), pattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', 'u'));
const TagSchema = z.object({ Key: tagKey, Value: tagValue });
const tags = listOf(TagSchema).check(len.max(50));
const paging = {
  Marker: z.optional(z.string().check(len.min(1), len.max(320), pattern('[\\u0020-\\u00FF]+'))),
  MaxItems: z.optional(intBetween(1, 1000)),
};

/** A tag as IAM stores and returns it. */
export type Tag = z.infer<typeof TagSchema>;

/** A role's session duration bounds (`roleMaxSessionDurationType`). */
export const MAX_SESSION_DURATION = { min: 3600, max: 43_200, default: 3600 } as const;

export const RoleNameSchema = z.looseObject({ RoleName: roleName });

/** `CreateRole`. Sample: `{ RoleName: 'Dev', AssumeRolePolicyDocument: '{"Version":…}', Tags: [{ Key, Value }] }`. */
export const CreateRoleSchema = z.looseObject({
  RoleName: roleName,
  AssumeRolePolicyDocument: policyDocument,
  Path: z.optional(path),
  Description: z.optional(description),
  MaxSessionDuration: z.optional(intBetween(MAX_SESSION_DURATION.min, MAX_SESSION_DURATION.max)),
  PermissionsBoundary: z.optional(arn),
  Tags: z.optional(tags),
});

export const ListRolesSchema = z.looseObject({ PathPrefix: z.optional(pathPrefix), ...paging });

export const UpdateAssumeRolePolicySchema = z.looseObject({ RoleName: roleName, PolicyDocument: policyDocument });

export const UpdateRoleSchema = z.looseObject({
  RoleName: roleName,
  Description: z.optional(description),
  MaxSessionDuration: z.optional(intBetween(MAX_SESSION_DURATION.min, MAX_SESSION_DURATION.max)),
});

export const PutRolePolicySchema = z.looseObject({
  RoleName: roleName,
  PolicyName: policyName,
  PolicyDocument: policyDocument,
});

export const RolePolicySchema = z.looseObject({ RoleName: roleName, PolicyName: policyName });

export const ListRolePoliciesSchema = z.looseObject({ RoleName: roleName, ...paging });

export const RolePolicyArnSchema = z.looseObject({ RoleName: roleName, PolicyArn: arn });

export const ListAttachedRolePoliciesSchema = z.looseObject({
  RoleName: roleName,
  PathPrefix: z.optional(z.string().check(len.min(1), len.max(512), pattern('((/[A-Za-z0-9\\.,\\+@=_-]+)*)/'))),
  ...paging,
});

export const TagRoleSchema = z.looseObject({ RoleName: roleName, Tags: tags });

export const UntagRoleSchema = z.looseObject({ RoleName: roleName, TagKeys: listOf(tagKey).check(len.max(50)) });

export const ListRoleTagsSchema = z.looseObject({ RoleName: roleName, ...paging });

export const PolicyArnSchema = z.looseObject({ PolicyArn: arn });

export const GetPolicyVersionSchema = z.looseObject({
  PolicyArn: arn,
  VersionId: z.string().check(pattern('v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?')),
});

const lowerFirst = (k: string): string => (k.length > 0 ? (k[0] as string).toLowerCase() + k.slice(1) : k);

/** `['Tags', 0, 'Key']` → `tags.1.member.key`, as the validation layer names members. */
function memberPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `${p + 1}.member` : lowerFirst(String(p)))).join('.');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const p of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[p as string];
  }
  return node;
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value))
    return `'[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]'`;
  return `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
}

/** Parses a request or throws `ValidationError` listing every broken constraint. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const value = valueAt(input, issue.path);
    const constraint =
      issue.code === 'invalid_type'
        ? value === undefined
          ? 'Member must not be null'
          : 'Member must be of the modelled type'
        : issue.message;
    return `Value ${shown(value)} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraint}`;
  });
  const n = problems.length;
  throw new ValidationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

/** One page of `items` from an IAM `Marker` (opaque), `MaxItems` defaulting to 100 as IAM does. */
export function paginate<T>(
  items: readonly T[],
  input: { Marker?: string | undefined; MaxItems?: number | undefined },
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const { page: slice, next } = pageAt(
    items,
    input.Marker,
    input.MaxItems ?? 100,
    (marker) => new ValidationError(`Invalid Marker: ${marker}`),
  );
  return next === undefined ? { page: slice, IsTruncated: false } : { page: slice, IsTruncated: true, Marker: next };
}
