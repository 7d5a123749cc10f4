import { AwsServiceError } from '../../../core/types';
import { deleteRole, getRole, putRole } from '../../iam/model';
import { type CreatedResource, generatedName, type ResourceContext, type ResourceProvider, str } from '../resources';

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
