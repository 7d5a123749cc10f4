import { parsePolicy } from '../../../../sandbox/policy';
import type {
  AuthPrincipal,
  AuthRequest,
  CompiledPolicy,
  ContextValue,
  PolicyKind,
} from '../../../../sandbox/policy/types';

/** Builders shared by the policy specs. */

export const ACCOUNT = '111111111111';
export const OTHER = '222222222222';

/** A session of `role` in `account` (`aws:PrincipalArn` is the role ARN). */
export function session(role: string, account = ACCOUNT, name = 'session'): AuthPrincipal {
  return {
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
    accountId: account,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
  };
}

export function user(name: string, account = ACCOUNT): AuthPrincipal {
  return { arn: `arn:aws:iam::${account}:user/${name}`, accountId: account };
}

export const root = (account = ACCOUNT): AuthPrincipal => ({ arn: `arn:aws:iam::${account}:root`, accountId: account });

export const service = (name: string, account = ACCOUNT): AuthPrincipal => ({
  arn: name,
  accountId: account,
  service: name,
});

export function request(
  action: string,
  resource = '*',
  principal: AuthPrincipal = session('Developer'),
  context: Record<string, ContextValue | undefined> = {},
): AuthRequest {
  return { action, resource, principal, context };
}

let counter = 0;

/** Compiles `statements` as one 2012-10-17 document of `kind`. */
export function policy(kind: PolicyKind, ...statements: object[]): CompiledPolicy {
  counter += 1;
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, kind, { kind, name: `${kind}-${counter}` });
}

export const allowAll = (kind: PolicyKind = 'identity') =>
  policy(kind, { Effect: 'Allow', Action: '*', Resource: '*' });
