import type { SandboxRuntime, ServiceDefinition } from '../../core/types';
import { getRole } from './model';
import * as operations from './operations';

export type { AwsManagedPolicy } from './managed';
export { AWS_MANAGED_POLICIES, awsManagedPolicy, managedPolicy } from './managed';
export type { IamRole, RolePolicies, RoleSpec } from './model';
export { deleteRole, getRole, putRole, rolePolicies, TABLES as IAM_TABLES } from './model';

/**
 * AWS IAM (awsQuery, 2010-05-08, global: signed for `us-east-1`): roles, their trust, inline and
 * attached AWS managed policies and tags, and `GetPolicy`/`GetPolicyVersion` for the AWS managed
 * policies the sandbox knows. State lives in the store (tables `iam.*`); every document is
 * validated by the sandbox's policy evaluator before it is stored.
 *
 * @example
 * const service = createIamService(runtime);
 * await service.operations.CreateRole?.({ RoleName: 'Dev', AssumeRolePolicyDocument: trust }, ctx);
 */
export function createIamService(runtime: SandboxRuntime): ServiceDefinition {
  return {
    signingName: 'iam',
    protocol: 'awsQuery',
    xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    eventSource: 'iam.amazonaws.com',
    // the role a call names (the SCPs protect role/vendguard-* and the remediation role), else `*`
    authorization: (_operation, input, ctx) => {
      if (typeof input.RoleName !== 'string') return {};
      const account = ctx.principal.accountId;
      const existing = getRole(runtime.store, account, input.RoleName);
      const arn =
        existing?.arn ??
        `arn:aws:iam::${account}:role${typeof input.Path === 'string' ? input.Path : '/'}${input.RoleName}`;
      const tags: Record<string, string> = {};
      for (const t of existing?.tags ?? []) tags[`aws:ResourceTag/${t.Key}`] = t.Value;
      return { resources: [arn], context: tags };
    },
    operations: { ...operations },
  };
}
