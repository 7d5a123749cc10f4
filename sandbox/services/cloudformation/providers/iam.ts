import { AwsServiceError } from '../../../core/types';
import { deleteRole, getRole, putRole } from '../../iam/model';
import { DeleteRolePolicy, PutRolePolicy } from '../../iam/operations';
import {
  type CreatedResource,
  generatedName,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  serviceContext,
  str,
} from '../resources';

/**
 * `AWS::IAM::Role`: a role in the stack's account with its trust policy, inline and managed policies,
 * tags and session duration, validated exactly as the IAM API validates them (`putRole`). A name
 * taken by a role the stack did not make fails the resource, as CloudFormation's handler does.
 */

function spec(ctx: ResourceContext, props: Record<string, unknown>) {
  const policies = Array.isArray(props.Policies)
    ? (props.Policies as { PolicyName?: unknown; PolicyDocument?: unknown }[])
    : [];
  const roleName = str(props, 'RoleName') ?? generatedName(ctx);
  return {
    roleName,
    ...(str(props, 'Path') !== undefined ? { path: str(props, 'Path') as string } : {}),
    ...(str(props, 'Description') !== undefined ? { description: str(props, 'Description') as string } : {}),
    trustPolicy: props.AssumeRolePolicyDocument as object,
    inlinePolicies: Object.fromEntries(
      policies.flatMap((p) =>
        typeof p.PolicyName === 'string' && p.PolicyDocument ? [[p.PolicyName, p.PolicyDocument as object]] : [],
      ),
    ),
    managedPolicyArns: Array.isArray(props.ManagedPolicyArns) ? props.ManagedPolicyArns.map(String) : [],
    ...(props.MaxSessionDuration !== undefined ? { maxSessionDuration: Number(props.MaxSessionDuration) } : {}),
    ...(Array.isArray(props.Tags)
      ? {
          tags: (props.Tags as { Key: unknown; Value: unknown }[]).map((t) => ({
            Key: String(t.Key),
            Value: String(t.Value),
          })),
        }
      : {}),
  };
}

function created(ctx: ResourceContext, roleName: string): CreatedResource {
  const role = getRole(ctx.runtime.store, ctx.account, roleName);
  return { physicalId: roleName, attributes: { Arn: role?.arn ?? '', RoleId: role?.roleId ?? '' } };
}

export const roleProvider: ResourceProvider = {
  type: 'AWS::IAM::Role',
  properties: [
    'AssumeRolePolicyDocument',
    'Description',
    'ManagedPolicyArns',
    'MaxSessionDuration',
    'Path',
    'Policies',
    'RoleName',
    'Tags',
  ],
  required: ['AssumeRolePolicyDocument'],
  create(ctx, props) {
    const s = spec(ctx, props);
    if (getRole(ctx.runtime.store, ctx.account, s.roleName)) {
      throw new AwsServiceError('EntityAlreadyExists', `Role with name ${s.roleName} already exists.`, { status: 409 });
    }
    putRole(ctx.runtime.store, ctx.runtime.clock, ctx.account, s);
    return created(ctx, s.roleName);
  },
  update(ctx, physicalId, props) {
    const s = spec(ctx, props);
    // a new name (or path) is a new role: CloudFormation replaces it
    if (
      s.roleName !== physicalId ||
      (s.path ?? '/') !== (getRole(ctx.runtime.store, ctx.account, physicalId)?.path ?? '/')
    ) {
      return undefined;
    }
    putRole(ctx.runtime.store, ctx.runtime.clock, ctx.account, s);
    return created(ctx, s.roleName);
  },
  delete(ctx, physicalId) {
    deleteRole(ctx.runtime.store, ctx.account, physicalId);
  },
};

/**
 * `AWS::IAM::Policy`: an inline policy on each of its `Roles` (users and groups are not modelled),
 * put with `PutRolePolicy` so IAM's own checks apply. Ref is CloudFormation's generated id.
 */
export const policyProvider: ResourceProvider = {
  type: 'AWS::IAM::Policy',
  properties: ['PolicyDocument', 'PolicyName', 'Roles', 'Users', 'Groups'],
  required: ['PolicyDocument', 'PolicyName'],
  create(ctx, props) {
    attach(ctx, props);
    return { physicalId: generatedName(ctx).replace(/-/g, '').slice(0, 40) };
  },
  update(ctx, physicalId, props, previous) {
    detach(ctx, previous, props);
    attach(ctx, props);
    return { physicalId };
  },
  delete(ctx, _physicalId, props) {
    detach(ctx, props);
  },
};

const rolesOf = (props: Record<string, unknown>): string[] =>
  Array.isArray(props.Roles) ? props.Roles.map((r) => String(r).split('/').pop() as string) : [];

function attach(ctx: ResourceContext, props: Record<string, unknown>): void {
  if (
    (Array.isArray(props.Users) && props.Users.length > 0) ||
    (Array.isArray(props.Groups) && props.Groups.length > 0)
  ) {
    throw new ResourceFailure(
      'IAM users and groups are not modelled by the vendguard sandbox: attach the policy to Roles',
    );
  }
  const document =
    typeof props.PolicyDocument === 'string' ? props.PolicyDocument : JSON.stringify(props.PolicyDocument);
  for (const role of rolesOf(props)) {
    PutRolePolicy(
      { RoleName: role, PolicyName: str(props, 'PolicyName'), PolicyDocument: document },
      serviceContext(ctx, 'iam', 'PutRolePolicy'),
    );
  }
}

/** Removes the policy from the roles of `previous` (those still named by `next` keep it until re-put). */
function detach(ctx: ResourceContext, previous: Record<string, unknown>, next?: Record<string, unknown>): void {
  const keep = next && next.PolicyName === previous.PolicyName ? new Set(rolesOf(next)) : new Set<string>();
  for (const role of rolesOf(previous)) {
    if (keep.has(role)) continue;
    try {
      DeleteRolePolicy(
        { RoleName: role, PolicyName: str(previous, 'PolicyName') },
        serviceContext(ctx, 'iam', 'DeleteRolePolicy'),
      );
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'NoSuchEntity') throw error;
    }
  }
}
