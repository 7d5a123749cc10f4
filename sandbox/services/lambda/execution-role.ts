import { createHash } from 'node:crypto';
import type { IssuedCredentials } from '../../core/identity';
import { assumedRolePrincipal } from '../../core/identity';
import type { Principal, SandboxRuntime } from '../../core/types';
import type { CompiledPolicy } from '../../policy';
import type { FunctionRecord } from './model';

/**
 * A function's execution role as Lambda uses it: each invocation runs with the role's credentials in
 * a session named after the function (`arn:aws:sts::<account>:assumed-role/<role>/<function>`, the
 * session the in-process runner has always given the manifest functions), and Lambda itself acts as
 * the role to deliver to destinations. The role's policies and the account's SCPs decide what it may do.
 */

/** The role's name (the last segment of a role ARN with a path). */
export const roleNameOf = (fn: FunctionRecord): string => fn.Role.split('/').pop() as string;

/** The principal of the function's role session. */
export function executionPrincipal(fn: FunctionRecord, accessKeyId = ''): Principal {
  return { ...assumedRolePrincipal(fn.account, roleNameOf(fn), fn.FunctionName), accessKeyId };
}

/**
 * Credentials of the function's role session, issued once per account, role and function (a stable
 * key, so every invocation reuses them). They do not expire: Lambda refreshes them.
 */
export function executionCredentials(runtime: SandboxRuntime, fn: FunctionRecord): IssuedCredentials {
  const digest = createHash('sha256')
    .update(`${fn.account}/${roleNameOf(fn)}/${fn.FunctionName}`)
    .digest('hex');
  return runtime.registerPrincipal(assumedRolePrincipal(fn.account, roleNameOf(fn), fn.FunctionName), {
    accessKeyId: `ASIALAMBDA${digest.slice(0, 10).toUpperCase()}`,
  });
}

/**
 * Whether the execution role may make a call (its identity policies, the account's SCPs, the target's
 * own policy where the caller passes it): AWS's denial message, or undefined when allowed. Runtimes
 * that model no identities (unit tests) allow everything.
 */
export function roleDenial(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  action: string,
  resource: string,
  target: {
    readonly region?: string;
    readonly resourcePolicy?: CompiledPolicy;
    readonly resourceAccountId?: string;
  } = {},
): string | undefined {
  return runtime.authorize?.({
    principal: executionPrincipal(fn),
    action,
    resources: [resource],
    region: target.region ?? fn.region,
    ...(target.resourcePolicy ? { resourcePolicy: target.resourcePolicy } : {}),
    ...(target.resourceAccountId ? { resourceAccountId: target.resourceAccountId } : {}),
  });
}
