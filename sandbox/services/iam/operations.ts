import { uniqueIdFor } from '../../core/identity';
import type { RequestContext } from '../../core/types';
import { InvalidInput, NoSuchEntity, rolePolicyNotFound, ValidationError } from './errors';
import {
  CreateRoleSchema,
  GetPolicyVersionSchema,
  ListAttachedRolePoliciesSchema,
  ListRolePoliciesSchema,
  ListRolesSchema,
  ListRoleTagsSchema,
  MAX_SESSION_DURATION,
  PolicyArnSchema,
  PutRolePolicySchema,
  paginate,
  parseInput,
  RoleNameSchema,
  RolePolicyArnSchema,
  RolePolicySchema,
  TagRoleSchema,
  UntagRoleSchema,
  UpdateAssumeRolePolicySchema,
  UpdateRoleSchema,
} from './input';
import { awsManagedPolicy } from './managed';
import { checkDeletable, type IamRole, listRoles, mustRole, removeRole, roleArn, saveRole } from './model';
import {
  checkAttachable,
  checkDuplicateTags,
  checkInlinePolicy,
  checkManagedQuota,
  checkModifiable,
  checkPath,
  checkPathPrefix,
  checkRoleName,
  checkTrustPolicy,
  isReservedPath,
  mergeTags,
  removeTags,
} from './rules';

/**
 * The IAM role operations, one function per API action, each named like it. Input is the decoded
 * awsQuery form; results are the `<OpResult>` content (lists become `<member>` lists, paging is
 * `IsTruncated`/`Marker`). Policy documents go out URL-encoded, as IAM returns them.
 */

type Input = Record<string, unknown>;

const account = (ctx: RequestContext): string => ctx.principal.accountId;
const store = (ctx: RequestContext) => ctx.runtime.store;

/** IAM returns every policy document URL-encoded (`%7B%22Version%22…`). */
const encoded = (document: string): string => encodeURIComponent(document);

const POLICY_ARN = /^arn:[^:]+:iam::(?:\d{12}|aws):policy\/.+$/;

/** A role as the API returns it. `ListRoles` omits `Tags` and `RoleLastUsed`; `CreateRole` echoes what was given. */
function roleView(role: IamRole, shape: 'get' | 'list' | 'create', maxSessionDurationGiven = true) {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encoded(role.trustPolicy),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    ...(maxSessionDurationGiven ? { MaxSessionDuration: role.maxSessionDuration } : {}),
    ...(shape !== 'list' && role.tags.length > 0 ? { Tags: role.tags } : {}),
    ...(shape === 'get' ? { RoleLastUsed: {} } : {}),
  };
}

function checkPolicyArn(policyArn: string): void {
  if (!POLICY_ARN.test(policyArn)) throw new ValidationError('Invalid ARN:  Could not be parsed!');
}

/** Creates a role. Errors: `EntityAlreadyExists`, `MalformedPolicyDocument`, `LimitExceeded`, `InvalidInput`, `ValidationError`. */
export function CreateRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(CreateRoleSchema, raw);
  const path = input.Path ?? '/';
  checkRoleName(input.RoleName);
  checkPath(path);
  if (isReservedPath(path)) {
    throw new InvalidInput(`The path ${path} is reserved for roles that AWS creates and manages.`);
  }
  if (input.PermissionsBoundary !== undefined) {
    throw new InvalidInput(
      'The sandbox does not support permissions boundaries: create the role without PermissionsBoundary.',
    );
  }
  checkTrustPolicy(input.RoleName, input.AssumeRolePolicyDocument);
  const tags = input.Tags ?? [];
  checkDuplicateTags(tags);
  const arn = roleArn(account(ctx), path, input.RoleName);
  const role = saveRole(
    store(ctx),
    {
      accountId: account(ctx),
      roleName: input.RoleName,
      roleId: uniqueIdFor('AROA', arn),
      arn,
      path,
      createDate: ctx.runtime.clock.now().toISOString(),
      ...(input.Description ? { description: input.Description } : {}),
      maxSessionDuration: input.MaxSessionDuration ?? MAX_SESSION_DURATION.default,
      trustPolicy: input.AssumeRolePolicyDocument,
      inlinePolicies: {},
      managedPolicyArns: [],
      tags,
    },
    { create: true },
  );
  return { Role: roleView(role, 'create', input.MaxSessionDuration !== undefined) };
}

/** Gets a role with its trust policy (URL-encoded). Errors: `NoSuchEntity`. */
export function GetRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(RoleNameSchema, raw);
  return { Role: roleView(mustRole(store(ctx), account(ctx), input.RoleName), 'get') };
}

/** Lists the account's roles by name, filtered by `PathPrefix`, paged by `Marker`/`MaxItems`. */
export function ListRoles(raw: Input, ctx: RequestContext) {
  const input = parseInput(ListRolesSchema, raw);
  const prefix = input.PathPrefix ?? '/';
  checkPathPrefix(prefix);
  const roles = listRoles(store(ctx), account(ctx))
    .filter((r) => r.path.startsWith(prefix))
    .sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0));
  const { page, ...rest } = paginate(roles, input);
  return { Roles: page.map((r) => roleView(r, 'list')), ...rest };
}

/** Deletes a role that has no policies left. Errors: `NoSuchEntity`, `DeleteConflict`, `UnmodifiableEntity`. */
export function DeleteRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(RoleNameSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  checkDeletable(role);
  removeRole(store(ctx), account(ctx), role.roleName);
  return {};
}

/** Replaces a role's trust policy. Errors: `NoSuchEntity`, `MalformedPolicyDocument`, `LimitExceeded`, `UnmodifiableEntity`. */
export function UpdateAssumeRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(UpdateAssumeRolePolicySchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  checkTrustPolicy(role.roleName, input.PolicyDocument);
  saveRole(store(ctx), { ...role, trustPolicy: input.PolicyDocument });
  return {};
}

/**
 * Updates a role's description and maximum session duration; an absent member keeps its value,
 * an empty `Description` removes it. Errors: `NoSuchEntity`, `UnmodifiableEntity`.
 */
export function UpdateRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(UpdateRoleSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  const { description: previous, ...rest } = role;
  const description = input.Description ?? previous;
  saveRole(store(ctx), {
    ...rest,
    ...(description ? { description } : {}),
    maxSessionDuration: input.MaxSessionDuration ?? role.maxSessionDuration,
  });
  return {};
}

/**
 * Adds or replaces an inline policy. Errors: `NoSuchEntity`, `MalformedPolicyDocument`,
 * `LimitExceeded` (10,240 characters of inline policies per role), `UnmodifiableEntity`.
 */
export function PutRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(PutRolePolicySchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  checkInlinePolicy(role.roleName, input.PolicyName, input.PolicyDocument, role.inlinePolicies);
  saveRole(store(ctx), {
    ...role,
    inlinePolicies: { ...role.inlinePolicies, [input.PolicyName]: input.PolicyDocument },
  });
  return {};
}

/** Gets an inline policy (URL-encoded). Errors: `NoSuchEntity`. */
export function GetRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(RolePolicySchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  const document = role.inlinePolicies[input.PolicyName];
  if (document === undefined) throw rolePolicyNotFound(input.PolicyName);
  return { RoleName: role.roleName, PolicyName: input.PolicyName, PolicyDocument: encoded(document) };
}

/** Deletes an inline policy. Errors: `NoSuchEntity`, `UnmodifiableEntity`. */
export function DeleteRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(RolePolicySchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  if (role.inlinePolicies[input.PolicyName] === undefined) throw rolePolicyNotFound(input.PolicyName);
  const { [input.PolicyName]: _deleted, ...inlinePolicies } = role.inlinePolicies;
  saveRole(store(ctx), { ...role, inlinePolicies });
  return {};
}

/** Lists a role's inline policy names in order. Errors: `NoSuchEntity`. */
export function ListRolePolicies(raw: Input, ctx: RequestContext) {
  const input = parseInput(ListRolePoliciesSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  const { page, ...rest } = paginate(Object.keys(role.inlinePolicies).sort(), input);
  return { PolicyNames: page, ...rest };
}

/**
 * Attaches an AWS managed policy (idempotent). Errors: `NoSuchEntity` (role, or a policy the
 * catalogue lacks), `LimitExceeded` (10 per role), `UnmodifiableEntity`, `ValidationError`.
 */
export function AttachRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(RolePolicyArnSchema, raw);
  checkPolicyArn(input.PolicyArn);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  checkAttachable(input.PolicyArn);
  if (role.managedPolicyArns.includes(input.PolicyArn)) return {};
  checkManagedQuota(role.managedPolicyArns.length + 1);
  saveRole(store(ctx), { ...role, managedPolicyArns: [...role.managedPolicyArns, input.PolicyArn] });
  return {};
}

/** Detaches a managed policy. Errors: `NoSuchEntity` (role, or a policy not attached), `UnmodifiableEntity`. */
export function DetachRolePolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(RolePolicyArnSchema, raw);
  checkPolicyArn(input.PolicyArn);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  checkModifiable(role);
  if (!role.managedPolicyArns.includes(input.PolicyArn))
    throw new NoSuchEntity(`Policy ${input.PolicyArn} was not found.`);
  saveRole(store(ctx), { ...role, managedPolicyArns: role.managedPolicyArns.filter((a) => a !== input.PolicyArn) });
  return {};
}

/** Lists a role's attached managed policies by name, filtered by the policies' `PathPrefix`. */
export function ListAttachedRolePolicies(raw: Input, ctx: RequestContext) {
  const input = parseInput(ListAttachedRolePoliciesSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  const prefix = input.PathPrefix ?? '/';
  const attached = role.managedPolicyArns
    .flatMap((arn) => {
      const policy = awsManagedPolicy(arn);
      return policy?.Path.startsWith(prefix) ? [{ PolicyName: policy.PolicyName, PolicyArn: policy.Arn }] : [];
    })
    .sort((a, b) => (a.PolicyName < b.PolicyName ? -1 : a.PolicyName > b.PolicyName ? 1 : 0));
  const { page, ...rest } = paginate(attached, input);
  return { AttachedPolicies: page, ...rest };
}

/** Adds or replaces tags. Errors: `NoSuchEntity`, `InvalidInput` (duplicate keys), `LimitExceeded` (50 tags). */
export function TagRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(TagRoleSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  saveRole(store(ctx), { ...role, tags: mergeTags(role.tags, input.Tags) });
  return {};
}

/** Removes tags by key; unknown keys are ignored. Errors: `NoSuchEntity`. */
export function UntagRole(raw: Input, ctx: RequestContext) {
  const input = parseInput(UntagRoleSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  saveRole(store(ctx), { ...role, tags: removeTags(role.tags, input.TagKeys) });
  return {};
}

/** Lists a role's tags sorted by key. Errors: `NoSuchEntity`. */
export function ListRoleTags(raw: Input, ctx: RequestContext) {
  const input = parseInput(ListRoleTagsSchema, raw);
  const role = mustRole(store(ctx), account(ctx), input.RoleName);
  const sorted = [...role.tags].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  const { page, ...rest } = paginate(sorted, input);
  return { Tags: page, ...rest };
}

function mustManaged(policyArn: string) {
  const policy = awsManagedPolicy(policyArn);
  if (!policy) throw new NoSuchEntity(`Policy ${policyArn} was not found.`);
  return policy;
}

/** Gets an AWS managed policy's metadata; `AttachmentCount` counts the caller's account's roles. Errors: `NoSuchEntity`. */
export function GetPolicy(raw: Input, ctx: RequestContext) {
  const input = parseInput(PolicyArnSchema, raw);
  checkPolicyArn(input.PolicyArn);
  const policy = mustManaged(input.PolicyArn);
  const attachments = listRoles(store(ctx), account(ctx)).filter((r) => r.managedPolicyArns.includes(policy.Arn));
  return {
    Policy: {
      PolicyName: policy.PolicyName,
      PolicyId: policy.PolicyId,
      Arn: policy.Arn,
      Path: policy.Path,
      DefaultVersionId: policy.DefaultVersionId,
      AttachmentCount: attachments.length,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: policy.Description,
      CreateDate: new Date(policy.CreateDate),
      UpdateDate: new Date(policy.UpdateDate),
    },
  };
}

/** Gets the default version of an AWS managed policy (the only one the sandbox holds). Errors: `NoSuchEntity`. */
export function GetPolicyVersion(raw: Input) {
  const input = parseInput(GetPolicyVersionSchema, raw);
  checkPolicyArn(input.PolicyArn);
  const policy = mustManaged(input.PolicyArn);
  if (input.VersionId !== policy.DefaultVersionId) {
    throw new NoSuchEntity(`Policy ${policy.Arn} version ${input.VersionId} does not exist or is not attachable.`);
  }
  return {
    PolicyVersion: {
      Document: encoded(policy.document),
      VersionId: policy.DefaultVersionId,
      IsDefaultVersion: true,
      CreateDate: new Date(policy.UpdateDate),
    },
  };
}
