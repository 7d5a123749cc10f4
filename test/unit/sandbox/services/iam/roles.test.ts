import { IAM_TABLES } from '../../../../../sandbox/services/iam';
import { type IamHarness, iamHarness, LAMBDA_TRUST, type Result } from './harness';

type Role = Record<string, unknown>;

describe('IAM roles', () => {
  let h: IamHarness;

  beforeEach(() => {
    h = iamHarness();
  });
  afterEach(() => h.rt.close());

  const create = (name: string, extra: Result = {}) =>
    h.call('CreateRole', { RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST, ...extra });

  describe('CreateRole', () => {
    it('creates a role with its ARN, AROA id and the creation time of the sandbox clock', async () => {
      const { Role: role } = (await create('builder', { Description: 'builds things' })) as { Role: Role };
      expect(role).toEqual({
        Path: '/',
        RoleName: 'builder',
        RoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}$/),
        Arn: `arn:aws:iam::${h.account}:role/builder`,
        CreateDate: h.rt.clock.now(),
        AssumeRolePolicyDocument: encodeURIComponent(LAMBDA_TRUST),
        Description: 'builds things',
      });
    });

    it('puts the path in the ARN and echoes MaxSessionDuration and tags when given', async () => {
      const { Role: role } = (await create('ops', {
        Path: '/team/ops/',
        MaxSessionDuration: '7200',
        Tags: [{ Key: 'team', Value: 'ops' }],
      })) as { Role: Role };
      expect(role).toMatchObject({
        Path: '/team/ops/',
        Arn: `arn:aws:iam::${h.account}:role/team/ops/ops`,
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'team', Value: 'ops' }],
      });
    });

    it('refuses a second role of the same name, whatever its case', async () => {
      await create('Builder');
      await expect(create('Builder')).rejects.toMatchObject({
        code: 'EntityAlreadyExists',
        status: 409,
        message: 'Role with name Builder already exists.',
      });
      await expect(create('builder')).rejects.toMatchObject({ code: 'EntityAlreadyExists' });
    });

    it('keeps roles of different accounts apart', async () => {
      await create('builder');
      const other = h.rt.managementAccountId;
      await h.call('CreateRole', { RoleName: 'builder', AssumeRolePolicyDocument: LAMBDA_TRUST }, other);
      const { Role: role } = (await h.call('GetRole', { RoleName: 'builder' }, other)) as { Role: Role };
      expect(role.Arn).toBe(`arn:aws:iam::${other}:role/builder`);
    });

    it('refuses a trust policy the evaluator refuses, naming the statement, and stores nothing', async () => {
      const noPrincipal = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'Lambda', Effect: 'Allow', Action: 'sts:AssumeRole' }],
      });
      const err = await h.error('CreateRole', { RoleName: 'broken', AssumeRolePolicyDocument: noPrincipal });
      expect(err).toMatchObject({ code: 'MalformedPolicyDocument', status: 400 });
      expect(err.message).toMatch(/^Statement 1 \(Sid Lambda\): /);
      expect(h.rt.store.count(IAM_TABLES.roles)).toBe(0);
      await expect(h.call('GetRole', { RoleName: 'broken' })).rejects.toMatchObject({ code: 'NoSuchEntity' });
    });

    it('refuses a trust policy that is not JSON', async () => {
      await expect(create('broken', { AssumeRolePolicyDocument: '{"Version":' })).rejects.toMatchObject({
        code: 'MalformedPolicyDocument',
        message: 'Syntax errors in policy.',
      });
    });

    it('refuses a trust policy over 2,048 characters (white space not counted)', async () => {
      const principals = Array.from({ length: 70 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:root`);
      const big = JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }],
        },
        null,
        8,
      );
      expect(big.replace(/\s/g, '').length).toBeGreaterThan(2048);
      await expect(create('wide', { AssumeRolePolicyDocument: big })).rejects.toMatchObject({
        code: 'LimitExceeded',
        status: 409,
        message: 'Cannot exceed quota for ACLSizePerRole: 2048',
      });
      const indented = LAMBDA_TRUST.replace(/,/g, `,${' '.repeat(1000)}`);
      expect(indented.length).toBeGreaterThan(2048);
      await create('indented', { AssumeRolePolicyDocument: indented });
    });

    it('refuses role names outside [\\w+=,.@-]{1,64} with IAM’s messages', async () => {
      await expect(create('has space')).rejects.toMatchObject({
        code: 'ValidationError',
        status: 400,
        message:
          'The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-',
      });
      const long = 'r'.repeat(65);
      await expect(create(long)).rejects.toMatchObject({
        code: 'ValidationError',
        message: `1 validation error detected: Value '${long}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
      });
      await create('a+b=c,d.e@f_g-h');
    });

    it('refuses a missing name or trust policy, listing every violation', async () => {
      await expect(h.call('CreateRole', {})).rejects.toMatchObject({
        code: 'ValidationError',
        message:
          "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
          "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
      });
    });

    it('refuses paths that do not begin and end with a slash', async () => {
      await expect(create('r', { Path: 'team/' })).rejects.toMatchObject({
        code: 'ValidationError',
        message:
          'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
      });
      await expect(create('r', { Path: '/team' })).rejects.toMatchObject({ code: 'ValidationError' });
      await expect(create('r', { Path: '/aws-service-role/x/' })).rejects.toMatchObject({ code: 'InvalidInput' });
    });

    it('refuses a MaxSessionDuration outside 3600–43200 seconds', async () => {
      await expect(create('r', { MaxSessionDuration: '1800' })).rejects.toMatchObject({
        code: 'ValidationError',
        message:
          "1 validation error detected: Value '1800' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
      });
      await expect(create('r', { MaxSessionDuration: '43201' })).rejects.toMatchObject({
        message: expect.stringContaining('Member must have value less than or equal to 43200'),
      });
      await create('r', { MaxSessionDuration: '43200' });
    });

    it('refuses a description over 1,000 characters', async () => {
      await expect(create('r', { Description: 'd'.repeat(1001) })).rejects.toMatchObject({
        code: 'ValidationError',
        message: expect.stringContaining(
          "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
        ),
      });
    });

    it('refuses duplicate tag keys (case-insensitive) and more than 50 tags', async () => {
      await expect(
        create('r', {
          Tags: [
            { Key: 'Team', Value: 'a' },
            { Key: 'team', Value: 'b' },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'InvalidInput',
        status: 400,
        message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      });
      const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await expect(create('r', { Tags: tags })).rejects.toMatchObject({
        code: 'ValidationError',
        message: expect.stringContaining(
          "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
        ),
      });
    });

    it('refuses a permissions boundary, which the sandbox does not enforce', async () => {
      await expect(
        create('r', { PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }),
      ).rejects.toMatchObject({
        code: 'InvalidInput',
      });
    });
  });

  describe('GetRole', () => {
    it('returns the role with its URL-encoded trust policy, session duration, tags and RoleLastUsed', async () => {
      await create('builder', { Tags: [{ Key: 'team', Value: 'a' }] });
      const { Role: role } = (await h.call('GetRole', { RoleName: 'builder' })) as { Role: Role };
      expect(role).toMatchObject({
        RoleName: 'builder',
        MaxSessionDuration: 3600,
        Tags: [{ Key: 'team', Value: 'a' }],
        RoleLastUsed: {},
      });
      expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument as string))).toEqual(JSON.parse(LAMBDA_TRUST));
    });

    it('finds a role whatever the case of the name asked for', async () => {
      await create('Builder');
      const { Role: role } = (await h.call('GetRole', { RoleName: 'BUILDER' })) as { Role: Role };
      expect(role.RoleName).toBe('Builder');
    });

    it('answers NoSuchEntity (404) for a role that does not exist', async () => {
      await expect(h.call('GetRole', { RoleName: 'ghost' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        status: 404,
        message: 'The role with name ghost cannot be found.',
      });
    });
  });

  describe('ListRoles', () => {
    const names = (r: Result) => (r.Roles as Role[]).map((x) => x.RoleName);

    it('lists the account’s roles by name without tags, paging with Marker and MaxItems', async () => {
      for (const name of ['delta', 'alpha', 'echo', 'charlie', 'bravo'])
        await create(name, { Tags: [{ Key: 'k', Value: 'v' }] });
      const first = await h.call('ListRoles', { MaxItems: '2' });
      expect(names(first)).toEqual(['alpha', 'bravo']);
      expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
      expect((first.Roles as Role[])[0]).not.toHaveProperty('Tags');
      expect((first.Roles as Role[])[0]).not.toHaveProperty('RoleLastUsed');
      const second = await h.call('ListRoles', { MaxItems: '2', Marker: first.Marker });
      expect(names(second)).toEqual(['charlie', 'delta']);
      const last = await h.call('ListRoles', { MaxItems: '2', Marker: second.Marker });
      expect(names(last)).toEqual(['echo']);
      expect(last.IsTruncated).toBe(false);
      expect(last).not.toHaveProperty('Marker');
    });

    it('lists up to 100 roles by default and nothing of other accounts', async () => {
      for (let i = 0; i < 101; i++) await create(`role-${String(i).padStart(3, '0')}`);
      await h.call(
        'CreateRole',
        { RoleName: 'elsewhere', AssumeRolePolicyDocument: LAMBDA_TRUST },
        h.rt.managementAccountId,
      );
      const page = await h.call('ListRoles');
      expect((page.Roles as Role[]).length).toBe(100);
      expect(page.IsTruncated).toBe(true);
      const rest = await h.call('ListRoles', { Marker: page.Marker });
      expect(names(rest)).toEqual(['role-100']);
    });

    it('filters by PathPrefix', async () => {
      await create('root-role');
      await create('team-role', { Path: '/team/a/' });
      expect(names(await h.call('ListRoles', { PathPrefix: '/team/' }))).toEqual(['team-role']);
      await expect(h.call('ListRoles', { PathPrefix: 'team' })).rejects.toMatchObject({
        code: 'ValidationError',
        message:
          'The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.',
      });
    });

    it('refuses MaxItems outside 1–1000 and a marker it did not issue', async () => {
      await expect(h.call('ListRoles', { MaxItems: '0' })).rejects.toMatchObject({
        code: 'ValidationError',
        message:
          "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
      });
      await expect(h.call('ListRoles', { Marker: 'not-a-marker' })).rejects.toMatchObject({ code: 'ValidationError' });
    });
  });

  describe('UpdateRole and UpdateAssumeRolePolicy', () => {
    it('changes the description and the maximum session duration, keeping what is not given', async () => {
      await create('r', { Description: 'first' });
      await h.call('UpdateRole', { RoleName: 'r', MaxSessionDuration: '14400' });
      let { Role: role } = (await h.call('GetRole', { RoleName: 'r' })) as { Role: Role };
      expect(role).toMatchObject({ Description: 'first', MaxSessionDuration: 14400 });
      await h.call('UpdateRole', { RoleName: 'r', Description: 'second' });
      ({ Role: role } = (await h.call('GetRole', { RoleName: 'r' })) as { Role: Role });
      expect(role).toMatchObject({ Description: 'second', MaxSessionDuration: 14400 });
      await expect(h.call('UpdateRole', { RoleName: 'r', MaxSessionDuration: '60' })).rejects.toMatchObject({
        code: 'ValidationError',
      });
      await expect(h.call('UpdateRole', { RoleName: 'ghost' })).rejects.toMatchObject({ code: 'NoSuchEntity' });
    });

    it('replaces the trust policy after validating it', async () => {
      await create('r');
      const ec2 = LAMBDA_TRUST.replace('lambda.amazonaws.com', 'ec2.amazonaws.com');
      await h.call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: ec2 });
      const { Role: role } = (await h.call('GetRole', { RoleName: 'r' })) as { Role: Role };
      expect(decodeURIComponent(role.AssumeRolePolicyDocument as string)).toBe(ec2);
      const identity = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      });
      await expect(h.call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: identity })).rejects.toMatchObject(
        {
          code: 'MalformedPolicyDocument',
          message: expect.stringMatching(/^Statement 1/),
        },
      );
      await expect(h.call('UpdateAssumeRolePolicy', { RoleName: 'ghost', PolicyDocument: ec2 })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: 'The role with name ghost cannot be found.',
      });
    });
  });

  describe('DeleteRole', () => {
    it('deletes a role without policies', async () => {
      await create('r');
      await h.call('DeleteRole', { RoleName: 'r' });
      await expect(h.call('GetRole', { RoleName: 'r' })).rejects.toMatchObject({ code: 'NoSuchEntity' });
      await expect(h.call('DeleteRole', { RoleName: 'r' })).rejects.toMatchObject({
        code: 'NoSuchEntity',
        message: 'The role with name r cannot be found.',
      });
      await create('r');
    });

    it('refuses while managed policies are attached, then while inline policies remain', async () => {
      await create('r');
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await h.call('PutRolePolicy', {
        RoleName: 'r',
        PolicyName: 'inline',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      });
      await expect(h.call('DeleteRole', { RoleName: 'r' })).rejects.toMatchObject({
        code: 'DeleteConflict',
        status: 409,
        message: 'Cannot delete entity, must detach all policies first.',
      });
      await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await expect(h.call('DeleteRole', { RoleName: 'r' })).rejects.toMatchObject({
        code: 'DeleteConflict',
        message: 'Cannot delete entity, must delete policies first.',
      });
      await h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'inline' });
      await h.call('DeleteRole', { RoleName: 'r' });
    });
  });

  describe('tags', () => {
    it('adds, replaces (keys are case-insensitive), lists sorted by key and removes tags', async () => {
      await create('r', { Tags: [{ Key: 'team', Value: 'a' }] });
      await h.call('TagRole', {
        RoleName: 'r',
        Tags: [
          { Key: 'Team', Value: 'b' },
          { Key: 'cost-center', Value: '42' },
        ],
      });
      expect((await h.call('ListRoleTags', { RoleName: 'r' })).Tags).toEqual([
        { Key: 'Team', Value: 'b' },
        { Key: 'cost-center', Value: '42' },
      ]);
      await h.call('UntagRole', { RoleName: 'r', TagKeys: ['TEAM', 'absent'] });
      expect(await h.call('ListRoleTags', { RoleName: 'r' })).toEqual({
        Tags: [{ Key: 'cost-center', Value: '42' }],
        IsTruncated: false,
      });
    });

    it('pages tags with MaxItems', async () => {
      await create('r', { Tags: ['c', 'a', 'b'].map((k) => ({ Key: k, Value: k })) });
      const first = await h.call('ListRoleTags', { RoleName: 'r', MaxItems: '2' });
      expect(first).toMatchObject({ Tags: [{ Key: 'a' }, { Key: 'b' }], IsTruncated: true });
      const rest = await h.call('ListRoleTags', { RoleName: 'r', MaxItems: '2', Marker: first.Marker });
      expect(rest).toEqual({ Tags: [{ Key: 'c', Value: 'c' }], IsTruncated: false });
    });

    it('refuses more than 50 tags on a role, duplicate keys and bad keys', async () => {
      await create('r', { Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) });
      await expect(h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'one-more', Value: 'v' }] })).rejects.toMatchObject(
        {
          code: 'LimitExceeded',
          status: 409,
        },
      );
      await h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'k0', Value: 'replaced' }] });
      await expect(
        h.call('TagRole', {
          RoleName: 'r',
          Tags: [
            { Key: 'x', Value: '1' },
            { Key: 'X', Value: '2' },
          ],
        }),
      ).rejects.toMatchObject({ code: 'InvalidInput' });
      await expect(h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'bad{key}', Value: 'v' }] })).rejects.toMatchObject(
        {
          code: 'ValidationError',
          message: expect.stringContaining("Value 'bad{key}' at 'tags.1.member.key' failed to satisfy constraint"),
        },
      );
      await expect(h.call('TagRole', { RoleName: 'ghost', Tags: [{ Key: 'k', Value: 'v' }] })).rejects.toMatchObject({
        code: 'NoSuchEntity',
      });
      await expect(h.call('UntagRole', { RoleName: 'ghost', TagKeys: ['k'] })).rejects.toMatchObject({
        code: 'NoSuchEntity',
      });
      await expect(h.call('ListRoleTags', { RoleName: 'ghost' })).rejects.toMatchObject({ code: 'NoSuchEntity' });
    });
  });
});
