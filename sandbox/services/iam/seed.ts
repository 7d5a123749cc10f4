import type { LocalRuntime } from '../../core/runtime';
import { HUB_ROLE_NAME } from '../../core/runtime';
import { getRole, putRole } from './model';

/**
 * The roles AWS (or vendguard's deployment) puts in each account, so every principal the sandbox
 * issues credentials for has real policies to be judged by:
 * - every member account: `OrganizationAccountAccessRole` (AdministratorAccess, trusting the
 *   management account, as `CreateAccount` makes it) and `Developer` (PowerUserAccess: everything but
 *   `iam:*`, `organizations:*`, `account:*`), the role people use in the quick start;
 * - the management account: `vendguard-hub` (the deployer, AdministratorAccess); the functions'
 *   roles are the deployed hub stack's.
 */

const POLICY = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';

/** The roles of a member account (idempotent: an existing role is left as it is). */
export function seedMemberRoles(runtime: LocalRuntime, accountId: string): void {
  const mgmt = runtime.managementAccountId;
  const put = (roleName: string, spec: Omit<Parameters<typeof putRole>[3], 'roleName'>): void => {
    if (!getRole(runtime.store, accountId, roleName))
      putRole(runtime.store, runtime.clock, accountId, { roleName, ...spec });
  };
  put(runtime.config.vending.accountAccessRoleName, {
    description: 'Created by AWS Organizations: administrator access for the management account',
    trustPolicy: POLICY([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' },
    ]),
    managedPolicyArns: [ADMIN],
    maxSessionDuration: 43_200,
  });
  put('Developer', {
    description: 'Seeded by the sandbox: a service team developer (PowerUserAccess)',
    trustPolicy: POLICY([
      {
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${accountId}:root`, `arn:aws:iam::${mgmt}:root`] },
        Action: 'sts:AssumeRole',
      },
    ]),
    managedPolicyArns: [POWER_USER],
    maxSessionDuration: 43_200,
  });
}

/**
 * The deployer in the management account, `vendguard-hub` (AdministratorAccess, trusted by
 * CloudFormation and Lambda): what `cdk bootstrap` and the operator's credentials are on AWS. The
 * functions' execution roles come from the deployed hub stack.
 */
export function seedDeployerRole(runtime: LocalRuntime): void {
  putRole(runtime.store, runtime.clock, runtime.managementAccountId, {
    roleName: HUB_ROLE_NAME,
    description: "vendguard's deployer in the sandbox (what CloudFormation and the sandbox itself act as)",
    trustPolicy: POLICY([
      {
        Effect: 'Allow',
        Principal: { Service: ['cloudformation.amazonaws.com', 'lambda.amazonaws.com'] },
        Action: 'sts:AssumeRole',
      },
    ]),
    managedPolicyArns: [ADMIN],
  });
}
