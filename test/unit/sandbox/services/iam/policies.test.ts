import { AWS_MANAGED_POLICIES, IAM_TABLES } from '../../../../../sandbox/services/iam';
import { ADMIN_ARN, allow, type IamHarness, iamHarness, LAMBDA_TRUST } from './harness';

describe('IAM role policies', () => {
  let h: IamHarness;

  beforeEach(async () => {
    h = iamHarness();
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST });
  });
  afterEach(() => h.rt.close());

  describe('inline policies', () => {
    it('puts, gets (URL-encoded, as submitted), lists by name and deletes inline policies', async () => {
      const pretty = JSON.stringify(JSON.parse(allow('s3:GetObject')), null, 2);
      await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'reads', PolicyDocument: pretty });
      await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'logs', PolicyDocument: allow('logs:PutLogEvents') });
      const got = await h.call('GetRolePolicy', { RoleName: 'R', PolicyName: 'reads' });
      expect(got).toEqual({ RoleName: 'r', PolicyName: 'reads', PolicyDocument: encodeURIComponent(pretty) });
      expect(await h.call('ListRolePolicies', { RoleName: 'r' })).toEqual({
        PolicyNames: ['logs', 'reads'],
        IsTruncated: false,
      });
      await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'reads', PolicyDocument: allow('s3:ListBucket') });
      expect(
        decodeURIComponent(
          (await h.call('GetRolePolicy', { RoleName: 'r', PolicyName: 'reads' })).PolicyDocument as string,
        ),
      ).toBe(allow('s3:ListBucket'));
      await h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'reads' });
      expect((await h.call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual(['logs']);
    });

    it('pages inline policy names', async () => {
      for (const name of ['c', 'a', 'b'])
        await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: name, PolicyDocument: allow('s3:*') });
      const first = await h.call('ListRolePolicies', { RoleName: 'r', MaxItems: '2' });
      expect(first).toMatchObject({ PolicyNames: ['a', 'b'], IsTruncated: true });
      expect(await h.call('ListRolePolicies', { RoleName: 'r', Marker: first.Marker })).toEqual({
        PolicyNames: ['c'],
        IsTruncated: false,
      });
    });

    it('refuses a malformed document with the evaluator’s message naming the statement, storing nothing', async () => {
      const bad = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Sid: 'Vpc', Effect: 'Allow', Action: 'ec2CreateVpc', Resource: '*' },
        ],
      });
      const err = await h.error('PutRolePolicy', { RoleName: 'r', PolicyName: 'bad', PolicyDocument: bad });
      expect(err).toMatchObject({ code: 'MalformedPolicyDocument', status: 400 });
      expect(err.message).toMatch(/^Statement 2 \(Sid Vpc\): /);
      expect((await h.call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual([]);
    });

    it('refuses a Principal in an identity policy', async () => {
      const withPrincipal = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
      });
      await expect(
        h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: withPrincipal }),
      ).rejects.toMatchObject({ code: 'MalformedPolicyDocument', message: expect.stringMatching(/^Statement 1/) });
    });

    it('refuses inline policies over 10,240 characters in total per role (white space not counted)', async () => {
      const actions = (from: number) => Array.from({ length: 200 }, (_, i) => `s3:GetObjectVersion${from + i}`);
      const doc = (from: number) =>
        JSON.stringify(
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions(from), Resource: '*' }] },
          null,
          4,
        );
      await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'one', PolicyDocument: doc(0) });
      await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'one', PolicyDocument: doc(0) });
      await expect(
        h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'two', PolicyDocument: doc(1000) }),
      ).rejects.toMatchObject({
        code: 'LimitExceeded',
        status: 409,
        message: 'Maximum policy size of 10240 bytes exceeded for role r',
      });
      expect((await h.call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual(['one']);
    });

    it('answers NoSuchEntity for a missing role or policy', async () => {
      await expect(h.call('GetRolePolicy', { RoleName: 'r', PolicyName: 'none' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        status: 404,
        message: 'The role policy with name none cannot be found.',
      });
      await expect(h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'none' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: 'The role policy with name none cannot be found.',
      });
      await expect(
        h.call('PutRolePolicy', { RoleName: 'ghost', PolicyName: 'p', PolicyDocument: allow('s3:*') }),
      ).rejects.toMatchObject({ code: 'NoSuchEntity', message: 'The role with name ghost cannot be found.' });
      await expect(h.call('ListRolePolicies', { RoleName: 'ghost' })).rejects.toMatchObject({ code: 'NoSuchEntity' });
    });

    it('refuses a policy name outside [\\w+=,.@-]{1,128}', async () => {
      await expect(
        h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'no spaces', PolicyDocument: allow('s3:*') }),
      ).rejects.toMatchObject({
        code: 'ValidationError',
        message: expect.stringContaining("Value 'no spaces' at 'policyName' failed to satisfy constraint"),
      });
    });
  });

  describe('managed policies', () => {
    const catalogue = [...AWS_MANAGED_POLICIES.keys()];

    it('attaches (idempotently), lists by name and detaches AWS managed policies', async () => {
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN });
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN });
      await h.call('AttachRolePolicy', {
        RoleName: 'r',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      });
      expect(await h.call('ListAttachedRolePolicies', { RoleName: 'r' })).toEqual({
        AttachedPolicies: [
          {
            PolicyName: 'AWSLambdaBasicExecutionRole',
            PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          },
          { PolicyName: 'AdministratorAccess', PolicyArn: ADMIN_ARN },
        ],
        IsTruncated: false,
      });
      expect(
        (await h.call('ListAttachedRolePolicies', { RoleName: 'r', PathPrefix: '/service-role/' })).AttachedPolicies,
      ).toEqual([expect.objectContaining({ PolicyName: 'AWSLambdaBasicExecutionRole' })]);
      await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN });
      await expect(h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        status: 404,
        message: `Policy ${ADMIN_ARN} was not found.`,
      });
    });

    it('refuses an AWS managed policy the sandbox does not have, and customer managed policies', async () => {
      await expect(
        h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AWSLambdaFullAccess' }),
      ).rejects.toMatchObject({
        code: 'NoSuchEntity',
        status: 404,
        message: 'Policy arn:aws:iam::aws:policy/AWSLambdaFullAccess does not exist or is not attachable.',
      });
      const customer = `arn:aws:iam::${h.account}:policy/mine`;
      await expect(h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: customer })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: `Policy ${customer} does not exist or is not attachable.`,
      });
      await expect(
        h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'AdministratorAccess-not-an-arn' }),
      ).rejects.toMatchObject({
        code: 'ValidationError',
      });
      await expect(h.call('AttachRolePolicy', { RoleName: 'ghost', PolicyArn: ADMIN_ARN })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: 'The role with name ghost cannot be found.',
      });
    });

    it('refuses the 11th managed policy of a role', async () => {
      // the catalogue has fewer than 11 policies: fill the role through the store, as a role with
      // ten attachments (customer managed ones in AWS) would be
      const key = `${h.account}/r`;
      const stored = h.rt.store.get<Record<string, unknown>>(IAM_TABLES.roles, key);
      const ten = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::${h.account}:policy/p${i}`);
      h.rt.store.put(IAM_TABLES.roles, key, { ...stored, managedPolicyArns: ten });
      await expect(h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN })).rejects.toMatchObject({
        code: 'LimitExceeded',
        status: 409,
        message: 'Cannot exceed quota for PoliciesPerRole: 10',
      });
      h.rt.store.put(IAM_TABLES.roles, key, { ...stored, managedPolicyArns: ten.slice(0, 9) });
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN });
    });

    it('attaches every policy of the catalogue', async () => {
      for (const arn of catalogue) await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
      expect((await h.call('ListAttachedRolePolicies', { RoleName: 'r' })).AttachedPolicies).toHaveLength(
        catalogue.length,
      );
    });

    it('pages attached policies', async () => {
      for (const arn of catalogue.slice(0, 3)) await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
      const first = await h.call('ListAttachedRolePolicies', { RoleName: 'r', MaxItems: '2' });
      expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
      const rest = await h.call('ListAttachedRolePolicies', { RoleName: 'r', Marker: first.Marker });
      expect(rest).toMatchObject({ IsTruncated: false, AttachedPolicies: [expect.anything()] });
    });
  });

  describe('GetPolicy and GetPolicyVersion', () => {
    it('describe an AWS managed policy with the caller’s attachment count', async () => {
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN_ARN });
      const { Policy: policy } = await h.call('GetPolicy', { PolicyArn: ADMIN_ARN });
      expect(policy).toEqual({
        PolicyName: 'AdministratorAccess',
        PolicyId: 'ANPAIWMBCKSKIEE64ZLYK',
        Arn: ADMIN_ARN,
        Path: '/',
        DefaultVersionId: 'v1',
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        Description: 'Provides full access to AWS services and resources.',
        CreateDate: new Date('2015-02-06T18:39:46Z'),
        UpdateDate: new Date('2015-02-06T18:39:46Z'),
      });
      const other = await h.call('GetPolicy', { PolicyArn: ADMIN_ARN }, h.rt.managementAccountId);
      expect((other.Policy as Record<string, unknown>).AttachmentCount).toBe(0);
    });

    it('returns the default version’s document URL-encoded', async () => {
      const arn = 'arn:aws:iam::aws:policy/PowerUserAccess';
      const { Policy: policy } = (await h.call('GetPolicy', { PolicyArn: arn })) as { Policy: Record<string, string> };
      const { PolicyVersion: version } = (await h.call('GetPolicyVersion', {
        PolicyArn: arn,
        VersionId: policy.DefaultVersionId,
      })) as { PolicyVersion: Record<string, unknown> };
      expect(version).toMatchObject({ VersionId: policy.DefaultVersionId, IsDefaultVersion: true });
      const document = JSON.parse(decodeURIComponent(version.Document as string));
      expect(document.Statement[0]).toEqual({
        Effect: 'Allow',
        NotAction: ['iam:*', 'organizations:*', 'account:*'],
        Resource: '*',
      });
      expect(document.Statement[1].Action).toContain('iam:CreateServiceLinkedRole');
    });

    it('answer NoSuchEntity for unknown policies and versions', async () => {
      await expect(h.call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/Nope' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: 'Policy arn:aws:iam::aws:policy/Nope was not found.',
      });
      await expect(h.call('GetPolicyVersion', { PolicyArn: ADMIN_ARN, VersionId: 'v9' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
      });
      await expect(h.call('GetPolicyVersion', { PolicyArn: ADMIN_ARN, VersionId: 'version1' })).rejects.toMatchObject({
        code: 'ValidationError',
      });
    });
  });
});
