import { FUNCTIONS } from '../../../functions/manifest';
import type { LocalRuntime } from '../../core/runtime';
import { HUB_ROLE_NAME } from '../../core/runtime';
import { getRole, putRole } from './model';

/**
 * The roles AWS (or vendguard's deployment) puts in each account, so every principal the sandbox
 * issues credentials for has real policies to be judged by:
 * - every member account: `OrganizationAccountAccessRole` (AdministratorAccess, trusting the
 *   management account, as `CreateAccount` makes it) and `Developer` (PowerUserAccess: everything but
 *   `iam:*`, `organizations:*`, `account:*`), the role people use in the quick start;
 * - the management account: `vendguard-hub` (the deployer, AdministratorAccess) and one execution
 *   role per function of the manifest, `vendguard-<name>`, allowed exactly the manifest's actions.
 */

const POLICY = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';

/** Name of the execution role of a manifest function. */
export const functionRoleName = (functionName: string): string => `vendguard-${functionName}`;

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

/** The hub's roles in the management account: the deployer and one execution role per function. */
export function seedHubRoles(runtime: LocalRuntime): void {
  const mgmt = runtime.managementAccountId;
  putRole(runtime.store, runtime.clock, mgmt, {
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
  const remediationRole = runtime.config.vending.remediationRoleName;
  for (const fn of FUNCTIONS) {
    const statements: unknown[] = [{ Sid: 'ManifestActions', Effect: 'Allow', Action: [...fn.actions], Resource: '*' }];
    if ('assumesMemberRole' in fn && fn.assumesMemberRole) {
      statements.push({
        Sid: 'AssumeRemediationRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::*:role/${remediationRole}`,
      });
    }
    putRole(runtime.store, runtime.clock, mgmt, {
      roleName: functionRoleName(fn.name),
      description: `Execution role of ${fn.name}: ${fn.description}`,
      trustPolicy: POLICY([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
      inlinePolicies: { 'manifest-actions': POLICY(statements) },
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    });
  }
}
