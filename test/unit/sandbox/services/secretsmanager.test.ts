import { secretProvider } from '../../../../sandbox/services/cloudformation/providers/secretsmanager';
import type { ResourceContext } from '../../../../sandbox/services/cloudformation/resources';
import { createSecretsManagerService, findSecret } from '../../../../sandbox/services/secretsmanager';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

const REGION = 'eu-west-1';
let rt: TestRuntime;
let account: string;
let call: (op: string, input?: Result) => Promise<Result>;
let tokens = 0;
const token = () => `00000000-0000-4000-8000-${String(++tokens).padStart(12, '0')}`;

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
  const service = createSecretsManagerService(rt);
  call = async (op, input = {}) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'secretsmanager', region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const create = (input: Result = {}) =>
  call('CreateSecret', { Name: 'vendguard/slack', SecretString: 'hook-1', ClientRequestToken: token(), ...input });

describe('CreateSecret, GetSecretValue and DescribeSecret', () => {
  it('creates a secret whose ARN ends in a six-character suffix, and reads its value by name or ARN', async () => {
    const created = await create({ Description: 'the Slack webhook' });
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${REGION}:${account}:secret:vendguard/slack-[A-Za-z0-9]{6}$`),
    );
    for (const id of [
      'vendguard/slack',
      created.ARN,
      `arn:aws:secretsmanager:${REGION}:${account}:secret:vendguard/slack`,
    ]) {
      expect(await call('GetSecretValue', { SecretId: id })).toMatchObject({
        ARN: created.ARN,
        Name: 'vendguard/slack',
        VersionId: created.VersionId,
        SecretString: 'hook-1',
        VersionStages: ['AWSCURRENT'],
      });
    }
    const described = await call('DescribeSecret', { SecretId: 'vendguard/slack' });
    expect(described).toMatchObject({
      Name: 'vendguard/slack',
      Description: 'the Slack webhook',
      VersionIdsToStages: { [created.VersionId as string]: ['AWSCURRENT'] },
    });
    expect(described.LastAccessedDate).toBeInstanceOf(Date);
  });

  it.each([
    [
      { Name: 'bad name' },
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    ],
    [
      { SecretBinary: 'AAEC' },
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    ],
    [{ ClientRequestToken: 'short' }, 'InvalidParameterException', 'ClientRequestToken must be 32-64 characters long.'],
  ])('refuses %j with %s', async (input, code, message) => {
    await expect(create(input)).rejects.toMatchObject({ code, message });
  });

  it('refuses a second secret of the same name, and answers an unknown one ResourceNotFoundException', async () => {
    await create();
    await expect(create()).rejects.toMatchObject({
      code: 'ResourceExistsException',
      message: 'The operation failed because the secret vendguard/slack already exists.',
    });
    await expect(call('GetSecretValue', { SecretId: 'nope' })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  });
});

describe('versions', () => {
  it('moves AWSCURRENT to a new value and AWSPREVIOUS to the old one', async () => {
    const first = await create();
    const second = await call('PutSecretValue', {
      SecretId: 'vendguard/slack',
      SecretString: 'hook-2',
      ClientRequestToken: token(),
    });
    expect(second.VersionStages).toEqual(['AWSCURRENT']);
    expect((await call('GetSecretValue', { SecretId: 'vendguard/slack' })).SecretString).toBe('hook-2');
    expect(await call('GetSecretValue', { SecretId: 'vendguard/slack', VersionStage: 'AWSPREVIOUS' })).toMatchObject({
      SecretString: 'hook-1',
      VersionId: first.VersionId,
    });
    expect(
      (await call('GetSecretValue', { SecretId: 'vendguard/slack', VersionId: first.VersionId })).SecretString,
    ).toBe('hook-1');
    await expect(
      call('GetSecretValue', { SecretId: 'vendguard/slack', VersionId: first.VersionId, VersionStage: 'AWSCURRENT' }),
    ).rejects.toMatchObject({
      code: 'InvalidRequestException',
      message: 'You provided a VersionStage that is not associated to the provided VersionId.',
    });
    await expect(
      call('GetSecretValue', { SecretId: 'vendguard/slack', VersionStage: 'AWSPENDING' }),
    ).rejects.toMatchObject({
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    });
    await call('UpdateSecret', {
      SecretId: 'vendguard/slack',
      SecretString: 'hook-3',
      ClientRequestToken: token(),
      Description: 'd',
    });
    const described = await call('DescribeSecret', { SecretId: 'vendguard/slack' });
    expect(Object.values(described.VersionIdsToStages as Result).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
    expect(described.Description).toBe('d');
  });

  it('is idempotent for a retried token and refuses a token reused with another value', async () => {
    await create();
    const t = token();
    const a = await call('PutSecretValue', { SecretId: 'vendguard/slack', SecretString: 'x', ClientRequestToken: t });
    const b = await call('PutSecretValue', { SecretId: 'vendguard/slack', SecretString: 'x', ClientRequestToken: t });
    expect(b.VersionId).toBe(a.VersionId);
    await expect(
      call('PutSecretValue', { SecretId: 'vendguard/slack', SecretString: 'y', ClientRequestToken: t }),
    ).rejects.toMatchObject({
      code: 'ResourceExistsException',
    });
  });
});

describe('deletion', () => {
  it('marks a secret for deletion, refuses its value, restores it, and purges it after the window', async () => {
    await create();
    await expect(call('DeleteSecret', { SecretId: 'vendguard/slack', RecoveryWindowInDays: 6 })).rejects.toMatchObject({
      code: 'InvalidParameterException',
      message: 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    });
    const deleted = await call('DeleteSecret', { SecretId: 'vendguard/slack', RecoveryWindowInDays: 7 });
    expect((deleted.DeletionDate as Date).getTime()).toBe(rt.clock.nowMs() + 7 * 86_400_000);
    await expect(call('GetSecretValue', { SecretId: 'vendguard/slack' })).rejects.toMatchObject({
      code: 'InvalidRequestException',
      message: "You can't perform this operation on the secret because it was marked for deletion.",
    });
    expect((await call('ListSecrets', {})).SecretList).toEqual([]);
    expect((await call('ListSecrets', { IncludePlannedDeletion: true })).SecretList).toHaveLength(1);
    await expect(create()).rejects.toMatchObject({
      message: "You can't create this secret because a secret with this name is already scheduled for deletion.",
    });
    await call('RestoreSecret', { SecretId: 'vendguard/slack' });
    expect((await call('GetSecretValue', { SecretId: 'vendguard/slack' })).SecretString).toBe('hook-1');
    await call('DeleteSecret', { SecretId: 'vendguard/slack' });
    rt.clock.advance(30 * 86_400_000);
    await expect(call('DescribeSecret', { SecretId: 'vendguard/slack' })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('deletes at once without recovery, and refuses both options together', async () => {
    await create();
    await expect(
      call('DeleteSecret', { SecretId: 'vendguard/slack', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
    ).rejects.toMatchObject({
      message: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    });
    await call('DeleteSecret', { SecretId: 'vendguard/slack', ForceDeleteWithoutRecovery: true });
    await expect(call('DescribeSecret', { SecretId: 'vendguard/slack' })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    await expect(create()).resolves.toMatchObject({ Name: 'vendguard/slack' });
  });
});

describe('listing, tags, policies and passwords', () => {
  it('lists with filters and tags and untags', async () => {
    await create({ Tags: [{ Key: 'team', Value: 'platform' }] });
    await create({ Name: 'other/thing' });
    const names = async (input: Result) =>
      ((await call('ListSecrets', input)).SecretList as Result[]).map((s) => s.Name);
    expect(await names({ Filters: [{ Key: 'name', Values: ['vendguard/'] }] })).toEqual(['vendguard/slack']);
    expect(await names({ Filters: [{ Key: 'tag-key', Values: ['team'] }] })).toEqual(['vendguard/slack']);
    expect(await names({ Filters: [{ Key: 'name', Values: ['!vendguard'] }] })).toEqual(['other/thing']);
    await call('TagResource', { SecretId: 'other/thing', Tags: [{ Key: 'a', Value: 'b' }] });
    await call('UntagResource', { SecretId: 'vendguard/slack', TagKeys: ['team'] });
    expect((await call('DescribeSecret', { SecretId: 'other/thing' })).Tags).toEqual([{ Key: 'a', Value: 'b' }]);
    expect((await call('DescribeSecret', { SecretId: 'vendguard/slack' })).Tags).toEqual([]);
  });

  it('keeps a resource policy', async () => {
    const { ARN } = await create();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::100000000002:root' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
        },
      ],
    });
    await call('PutResourcePolicy', { SecretId: 'vendguard/slack', ResourcePolicy: policy });
    expect(await call('GetResourcePolicy', { SecretId: 'vendguard/slack' })).toEqual({
      ARN,
      Name: 'vendguard/slack',
      ResourcePolicy: policy,
    });
    await call('DeleteResourcePolicy', { SecretId: 'vendguard/slack' });
    expect((await call('GetResourcePolicy', { SecretId: 'vendguard/slack' })).ResourcePolicy).toBeUndefined();
  });

  it('generates passwords with each included type and without excluded characters', async () => {
    const { RandomPassword } = await call('GetRandomPassword', { PasswordLength: 40, ExcludeCharacters: 'aeiou' });
    expect(RandomPassword).toHaveLength(40);
    expect(RandomPassword).not.toMatch(/[aeiou]/);
    expect(RandomPassword).toMatch(/[A-Z]/);
    expect(RandomPassword).toMatch(/[0-9]/);
    const plain = (await call('GetRandomPassword', { ExcludePunctuation: true })).RandomPassword as string;
    expect(plain).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});

describe('AWS::SecretsManager::Secret', () => {
  const ctx = (): ResourceContext => ({
    runtime: rt,
    account,
    region: REGION,
    stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/VendguardHub/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    stackName: 'VendguardHub',
    logicalId: 'DbSecret',
  });

  it('creates a secret from GenerateSecretString; Ref and Id are the ARN', async () => {
    const made = secretProvider.create(ctx(), {
      Name: 'db',
      GenerateSecretString: {
        SecretStringTemplate: '{"username":"admin"}',
        GenerateStringKey: 'password',
        PasswordLength: 20,
        ExcludePunctuation: true,
      },
    }) as { physicalId: string; attributes: Record<string, string> };
    expect(made.attributes).toEqual({ Id: made.physicalId });
    const value = JSON.parse((await call('GetSecretValue', { SecretId: made.physicalId })).SecretString as string);
    expect(value).toEqual({ username: 'admin', password: expect.stringMatching(/^[A-Za-z0-9]{20}$/) });
  });

  it('fails a secret with both SecretString and GenerateSecretString, or a template without its key', () => {
    expect(() => secretProvider.create(ctx(), { SecretString: 'x', GenerateSecretString: {} })).toThrow(
      "You can't specify both SecretString and GenerateSecretString.",
    );
    expect(() => secretProvider.create(ctx(), { GenerateSecretString: { SecretStringTemplate: '{}' } })).toThrow(
      'GenerateStringKey and SecretStringTemplate must be specified together.',
    );
  });

  it('updates the value as a new version, and deletes without recovery', async () => {
    const made = secretProvider.create(ctx(), { Name: 'db', SecretString: 'one' }) as { physicalId: string };
    secretProvider.update?.(
      ctx(),
      made.physicalId,
      { Name: 'db', SecretString: 'two' },
      { Name: 'db', SecretString: 'one' },
    );
    expect((await call('GetSecretValue', { SecretId: 'db' })).SecretString).toBe('two');
    expect((await call('GetSecretValue', { SecretId: 'db', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('one');
    secretProvider.delete(ctx(), made.physicalId, {});
    secretProvider.delete(ctx(), made.physicalId, {});
    expect(() => findSecret(rt, { account, region: REGION }, 'db')).toThrow();
  });
});
