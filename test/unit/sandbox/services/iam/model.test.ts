import { authorize } from '../../../../../sandbox/policy';
import {
  deleteRole,
  getRole,
  IAM_TABLES,
  managedPolicy,
  putRole,
  rolePolicies,
} from '../../../../../sandbox/services/iam';
import { ADMIN_ARN, allow, type IamHarness, iamHarness, LAMBDA_TRUST } from './harness';

const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('IAM model (the sandbox’s programmatic API)', () => {
  let h: IamHarness;

  beforeEach(() => {
    h = iamHarness();
  });
  afterEach(() => h.rt.close());

  const put = (spec: Partial<Parameters<typeof putRole>[3]> = {}) =>
    putRole(h.rt.store, h.rt.clock, h.account, { roleName: 'worker', trustPolicy: TRUST, ...spec });

  describe('putRole', () => {
    it('creates a role the API sees, with object documents stored as JSON text', async () => {
      put({
        description: 'does work',
        inlinePolicies: {
          logs: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] },
        },
        managedPolicyArns: [ADMIN_ARN],
        tags: { team: 'a' },
        maxSessionDuration: 7200,
      });
      const { Role: role } = (await h.call('GetRole', { RoleName: 'worker' })) as { Role: Record<string, unknown> };
      expect(role).toMatchObject({
        RoleName: 'worker',
        Description: 'does work',
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'team', Value: 'a' }],
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(TRUST)),
      });
      expect((await h.call('ListRolePolicies', { RoleName: 'worker' })).PolicyNames).toEqual(['logs']);
      expect((await h.call('ListAttachedRolePolicies', { RoleName: 'worker' })).AttachedPolicies).toEqual([
        { PolicyName: 'AdministratorAccess', PolicyArn: ADMIN_ARN },
      ]);
    });

    it('replaces every attribute of an existing role but keeps its id and creation date', () => {
      const first = put({ inlinePolicies: { a: allow('s3:*') }, managedPolicyArns: [ADMIN_ARN] });
      h.rt.clock.advance(60_000);
      const second = put({ path: '/svc/', inlinePolicies: { b: allow('sqs:*') } });
      expect(second).toMatchObject({
        roleId: first.roleId,
        createDate: first.createDate,
        path: '/svc/',
        arn: `arn:aws:iam::${h.account}:role/svc/worker`,
        inlinePolicies: { b: allow('sqs:*') },
        managedPolicyArns: [],
      });
      expect(getRole(h.rt.store, h.account, 'WORKER')).toEqual(second);
    });

    it('validates everything before storing anything', () => {
      expect(() => put({ roleName: 'bad name' })).toThrow(expect.objectContaining({ code: 'ValidationError' }));
      expect(() =>
        put({
          inlinePolicies: { ok: allow('s3:*'), bad: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] } },
        }),
      ).toThrow(
        expect.objectContaining({ code: 'MalformedPolicyDocument', message: expect.stringMatching(/^Statement 1/) }),
      );
      expect(() => put({ managedPolicyArns: ['arn:aws:iam::aws:policy/Unknown'] })).toThrow(
        expect.objectContaining({ code: 'NoSuchEntity' }),
      );
      expect(() => put({ maxSessionDuration: 100 })).toThrow(expect.objectContaining({ code: 'ValidationError' }));
      expect(() =>
        put({ trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] } }),
      ).toThrow(expect.objectContaining({ code: 'MalformedPolicyDocument' }));
      expect(h.rt.store.count(IAM_TABLES.roles)).toBe(0);
    });

    it('makes roles on reserved paths unmodifiable over the API', async () => {
      putRole(h.rt.store, h.rt.clock, h.account, {
        roleName: 'AWSServiceRoleForOrganizations',
        path: '/aws-service-role/organizations.amazonaws.com/',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'organizations.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      });
      const unmodifiable = {
        code: 'UnmodifiableEntity',
        status: 400,
        message:
          "Cannot perform the operation on the protected role 'AWSServiceRoleForOrganizations' - this role is only modifiable by AWS",
      };
      const RoleName = 'AWSServiceRoleForOrganizations';
      await expect(h.call('DeleteRole', { RoleName })).rejects.toMatchObject(unmodifiable);
      await expect(
        h.call('PutRolePolicy', { RoleName, PolicyName: 'p', PolicyDocument: allow('s3:*') }),
      ).rejects.toMatchObject(unmodifiable);
      await expect(h.call('AttachRolePolicy', { RoleName, PolicyArn: ADMIN_ARN })).rejects.toMatchObject(unmodifiable);
      await expect(h.call('UpdateAssumeRolePolicy', { RoleName, PolicyDocument: LAMBDA_TRUST })).rejects.toMatchObject(
        unmodifiable,
      );
      await expect(h.call('UpdateRole', { RoleName, Description: 'x' })).rejects.toMatchObject(unmodifiable);
      await h.call('GetRole', { RoleName });
    });
  });

  describe('deleteRole', () => {
    it('deletes a role with its policies, without DeleteConflict', () => {
      put({ inlinePolicies: { a: allow('s3:*') }, managedPolicyArns: [ADMIN_ARN] });
      expect(deleteRole(h.rt.store, h.account, 'Worker')).toBe(true);
      expect(getRole(h.rt.store, h.account, 'worker')).toBeUndefined();
      expect(rolePolicies(h.rt.store, h.account, 'worker')).toBeUndefined();
      expect(deleteRole(h.rt.store, h.account, 'worker')).toBe(false);
    });
  });

  describe('rolePolicies', () => {
    it('returns the compiled trust policy, inline policies, then attached managed policies', () => {
      put({
        inlinePolicies: { a: allow('s3:GetObject'), b: allow('sqs:SendMessage') },
        managedPolicyArns: [ADMIN_ARN],
      });
      const policies = rolePolicies(h.rt.store, h.account, 'worker');
      expect(policies?.trust.source).toEqual({ kind: 'trust', name: 'role worker trust policy' });
      expect(policies?.identity.map((p) => p.source.name)).toEqual([
        'role worker inline policy a',
        'role worker inline policy b',
        ADMIN_ARN,
      ]);
      expect(policies?.identity[2]).toBe(managedPolicy(ADMIN_ARN));
      expect(rolePolicies(h.rt.store, h.account, 'nobody')).toBeUndefined();
    });

    it('serves the cached compilation until the role changes through the API', async () => {
      put({ inlinePolicies: { a: allow('s3:GetObject') } });
      const first = rolePolicies(h.rt.store, h.account, 'worker');
      expect(rolePolicies(h.rt.store, h.account, 'WORKER')).toBe(first);
      await h.call('PutRolePolicy', { RoleName: 'worker', PolicyName: 'b', PolicyDocument: allow('sqs:*') });
      const second = rolePolicies(h.rt.store, h.account, 'worker');
      expect(second).not.toBe(first);
      expect(second?.identity).toHaveLength(2);
      await h.call('DeleteRolePolicy', { RoleName: 'worker', PolicyName: 'a' });
      await h.call('DeleteRolePolicy', { RoleName: 'worker', PolicyName: 'b' });
      await h.call('DeleteRole', { RoleName: 'worker' });
      expect(rolePolicies(h.rt.store, h.account, 'worker')).toBeUndefined();
    });

    it('never serves policies of a role that a store reset removed', () => {
      put({ managedPolicyArns: [ADMIN_ARN] });
      expect(rolePolicies(h.rt.store, h.account, 'worker')?.identity).toHaveLength(1);
      h.rt.store.clear();
      expect(rolePolicies(h.rt.store, h.account, 'worker')).toBeUndefined();
      put({ managedPolicyArns: [] });
      expect(rolePolicies(h.rt.store, h.account, 'worker')?.identity).toEqual([]);
    });

    it('gives the evaluator policies that decide as the documents say', () => {
      put({
        inlinePolicies: { reads: allow('s3:GetObject', 'arn:aws:s3:::bucket/*') },
        managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      });
      const identity = rolePolicies(h.rt.store, h.account, 'worker')?.identity ?? [];
      const principal = {
        arn: `arn:aws:sts::${h.account}:assumed-role/worker/s`,
        accountId: h.account,
        roleArn: `arn:aws:iam::${h.account}:role/worker`,
      };
      const decide = (action: string, resource: string) =>
        authorize({ scpLevels: [], identity }, { action, resource, principal, context: {} }).allowed;
      expect(decide('s3:GetObject', 'arn:aws:s3:::bucket/key')).toBe(true);
      expect(decide('logs:PutLogEvents', '*')).toBe(true);
      expect(decide('s3:PutObject', 'arn:aws:s3:::bucket/key')).toBe(false);
    });
  });

  describe('the managed policy catalogue', () => {
    it('compiles every policy once', () => {
      const admin = managedPolicy(ADMIN_ARN);
      expect(admin).toBeDefined();
      expect(managedPolicy(ADMIN_ARN)).toBe(admin);
      expect(managedPolicy('arn:aws:iam::aws:policy/Nope')).toBeUndefined();
    });

    it('lets PowerUserAccess do everything but IAM, Organizations and Account, except what it lists', () => {
      const power = managedPolicy('arn:aws:iam::aws:policy/PowerUserAccess');
      if (!power) throw new Error('PowerUserAccess missing');
      const principal = { arn: `arn:aws:sts::${h.account}:assumed-role/dev/s`, accountId: h.account };
      const decide = (action: string) =>
        authorize({ scpLevels: [], identity: [power] }, { action, resource: '*', principal, context: {} }).allowed;
      expect(decide('ec2:CreateVpc')).toBe(true);
      expect(decide('iam:CreateRole')).toBe(false);
      expect(decide('organizations:CreateAccount')).toBe(false);
      expect(decide('iam:ListRoles')).toBe(true);
      expect(decide('organizations:DescribeOrganization')).toBe(true);
    });

    it('lets ReadOnlyAccess read but not write', () => {
      const readOnly = managedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess');
      if (!readOnly) throw new Error('ReadOnlyAccess missing');
      const principal = { arn: `arn:aws:sts::${h.account}:assumed-role/ro/s`, accountId: h.account };
      const decide = (action: string) =>
        authorize({ scpLevels: [], identity: [readOnly] }, { action, resource: '*', principal, context: {} }).allowed;
      expect(decide('ec2:DescribeVpcs')).toBe(true);
      expect(decide('iam:GetRole')).toBe(true);
      expect(decide('organizations:ListAccounts')).toBe(true);
      expect(decide('ec2:CreateVpc')).toBe(false);
    });
  });
});
