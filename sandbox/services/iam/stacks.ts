import type { SandboxRuntime } from '../../core/types';
import { parseTemplate, ResolvedTemplate } from '../cloudformation/template';
import { deleteRole, putRole } from './model';

/**
 * The IAM side of a deployed stack: each `AWS::IAM::Role` of a stack instance's template becomes a
 * role in the instance's account, with its trust policy, inline policies, managed policies, tags
 * and session duration, once its `Condition` holds (the baselines create global roles in one region
 * only). Deleting the instance (without RetainStacks) deletes the roles it made.
 */

const TABLE = 'iam.stackRoles';

/** The stack instance as deployed by the StackSets engine. */
export interface DeployedStackInstance {
  readonly account: string;
  readonly region: string;
  readonly stackSetName: string;
  readonly stackId: string;
  readonly templateBody: string;
  readonly parameters: readonly { ParameterKey?: string; ParameterValue?: string }[];
}

interface StackRoles {
  readonly roles: string[];
}

const key = (s: { account: string; region: string; stackSetName: string }) =>
  `${s.account}/${s.region}/${s.stackSetName}`;

/** Creates (or updates) the roles a deployed stack instance declares; removes the ones it no longer declares. */
export function materialiseStackRoles(runtime: SandboxRuntime, stack: DeployedStackInstance): string[] {
  const template = parseTemplate(stack.templateBody);
  const previous = runtime.store.get<StackRoles>(TABLE, key(stack))?.roles ?? [];
  if (!template) return [];
  const names = new Map<string, string>();
  const resolved = new ResolvedTemplate(template, {
    account: stack.account,
    region: stack.region,
    stackId: stack.stackId,
    stackName: stack.stackId.split('/')[1] ?? stack.stackSetName,
    parameters: stack.parameters,
    attribute: (id, attr) =>
      attr === 'Arn' && names.has(id) ? `arn:aws:iam::${stack.account}:role/${names.get(id)}` : undefined,
    physicalId: (id) => names.get(id),
  });
  const roles = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::IAM::Role' && resolved.creates(r),
  );
  for (const [logicalId, r] of roles) {
    const props = (resolved.resolve(r.Properties ?? {}) ?? {}) as Record<string, unknown>;
    names.set(logicalId, typeof props.RoleName === 'string' ? props.RoleName : `${stack.stackSetName}-${logicalId}`);
  }
  const made: string[] = [];
  for (const [logicalId, r] of roles) {
    const props = resolved.resolve(r.Properties ?? {}) as Record<string, unknown>;
    const roleName = names.get(logicalId) as string;
    const policies = Array.isArray(props.Policies)
      ? (props.Policies as { PolicyName?: string; PolicyDocument?: unknown }[])
      : [];
    putRole(runtime.store, runtime.clock, stack.account, {
      roleName,
      ...(typeof props.Path === 'string' ? { path: props.Path } : {}),
      ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
      trustPolicy: props.AssumeRolePolicyDocument as object,
      inlinePolicies: Object.fromEntries(
        policies.flatMap((p) => (p.PolicyName && p.PolicyDocument ? [[p.PolicyName, p.PolicyDocument as object]] : [])),
      ),
      managedPolicyArns: Array.isArray(props.ManagedPolicyArns) ? props.ManagedPolicyArns.map(String) : [],
      ...(typeof props.MaxSessionDuration === 'number' || typeof props.MaxSessionDuration === 'string'
        ? { maxSessionDuration: Number(props.MaxSessionDuration) }
        : {}),
      ...(Array.isArray(props.Tags)
        ? {
            tags: (props.Tags as { Key: string; Value: string }[]).map((t) => ({
              Key: String(t.Key),
              Value: String(t.Value),
            })),
          }
        : {}),
    });
    made.push(roleName);
  }
  for (const gone of previous.filter((name) => !made.includes(name))) deleteRole(runtime.store, stack.account, gone);
  runtime.store.put<StackRoles>(TABLE, key(stack), { roles: made });
  return made;
}

/** Deletes the roles a stack instance made (its instance was deleted without RetainStacks). */
export function removeStackRoles(
  runtime: SandboxRuntime,
  stack: { account: string; region: string; stackSetName: string },
): void {
  const made = runtime.store.get<StackRoles>(TABLE, key(stack))?.roles ?? [];
  for (const name of made) deleteRole(runtime.store, stack.account, name);
  runtime.store.delete(TABLE, key(stack));
}
