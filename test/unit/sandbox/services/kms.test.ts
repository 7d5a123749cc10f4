import { kmsAliasProvider, kmsKeyProvider } from '../../../../sandbox/services/cloudformation/providers/kms';
import type { ResourceContext } from '../../../../sandbox/services/cloudformation/resources';
import { createKmsService, defaultKeyPolicy, findKey, keyAllowsService } from '../../../../sandbox/services/kms';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

type Result = Record<string, unknown>;

const REGION = 'eu-west-1';
let rt: TestRuntime;
let account: string;
let call: (op: string, input?: Result, region?: string) => Promise<Result>;

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
  const service = createKmsService(rt);
  call = async (op, input = {}, region = REGION) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'kms', region }))) as Result;
  };
});
afterEach(() => rt.close());

const newKey = async (input: Result = {}) => (await call('CreateKey', input)).KeyMetadata as Result;

describe('CreateKey and DescribeKey', () => {
  it('creates an enabled symmetric key with the default key policy', async () => {
    const key = await newKey({ Description: 'alarms' });
    expect(key).toMatchObject({
      AWSAccountId: account,
      Enabled: true,
      Description: 'alarms',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      MultiRegion: false,
    });
    expect(key.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key.Arn).toBe(`arn:aws:kms:${REGION}:${account}:key/${key.KeyId}`);
    const { Policy } = await call('GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default' });
    expect(Policy).toBe(defaultKeyPolicy(account));
    expect(JSON.parse(Policy as string)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
  });

  it('describes a key by id, key ARN, alias name and alias ARN', async () => {
    const key = await newKey();
    await call('CreateAlias', { AliasName: 'alias/vendguard-alarms', TargetKeyId: key.Arn });
    for (const id of [
      key.KeyId,
      key.Arn,
      'alias/vendguard-alarms',
      `arn:aws:kms:${REGION}:${account}:alias/vendguard-alarms`,
    ]) {
      expect(((await call('DescribeKey', { KeyId: id })).KeyMetadata as Result).KeyId).toBe(key.KeyId);
    }
  });

  it.each([
    ['not-a-key', 'NotFoundException', 'Invalid keyId not-a-key'],
    [
      '0a1b2c3d-0000-4000-8000-000000000000',
      'NotFoundException',
      `Key 'arn:aws:kms:eu-west-1:100000000001:key/0a1b2c3d-0000-4000-8000-000000000000' does not exist`,
    ],
    ['alias/nope', 'NotFoundException', 'Alias arn:aws:kms:eu-west-1:100000000001:alias/nope is not found.'],
    [
      'arn:aws:kms:us-east-1:100000000001:key/0a1b2c3d-0000-4000-8000-000000000000',
      'NotFoundException',
      'Invalid arn us-east-1',
    ],
  ])('DescribeKey %s is %s', async (id, code, message) => {
    await expect(call('DescribeKey', { KeyId: id })).rejects.toMatchObject({ code, message });
  });

  it('keeps keys apart by region', async () => {
    const key = await newKey();
    await expect(call('DescribeKey', { KeyId: key.KeyId }, 'us-east-1')).rejects.toMatchObject({
      code: 'NotFoundException',
    });
    expect((await call('ListKeys', {}, 'us-east-1')).Keys).toEqual([]);
  });

  it.each([
    [
      { KeySpec: 'AES_256' },
      'ValidationException',
      /^1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint/,
    ],
    [
      { KeySpec: 'RSA_2048' },
      'ValidationException',
      /^You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys\.$/,
    ],
    [
      { KeyUsage: 'SIGN_VERIFY' },
      'ValidationException',
      /^KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT$/,
    ],
    [{ Policy: '{"Statement": [' }, 'MalformedPolicyDocumentException', /./],
    [{ Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }, 'TagException', /^Tags beginning with aws: are reserved$/],
  ])('CreateKey %j is %s', async (input, code, message) => {
    const error = call('CreateKey', input);
    await expect(error).rejects.toMatchObject({ code });
    await expect(error).rejects.toThrow(message);
  });

  it('lists keys with KeyId and KeyArn, paged by Limit and Marker', async () => {
    const keys = [await newKey(), await newKey(), await newKey()];
    const first = await call('ListKeys', { Limit: 2 });
    expect(first).toMatchObject({
      Truncated: true,
      Keys: keys.slice(0, 2).map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })),
    });
    const rest = await call('ListKeys', { Limit: 2, Marker: first.NextMarker });
    expect(rest).toEqual({ Truncated: false, Keys: [{ KeyId: keys[2]?.KeyId, KeyArn: keys[2]?.Arn }] });
  });
});

describe('key policy, rotation and deletion', () => {
  it('replaces the key policy and refuses a malformed one', async () => {
    const key = await newKey();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    });
    await call('PutKeyPolicy', { KeyId: key.KeyId, Policy: policy });
    expect((await call('GetKeyPolicy', { KeyId: key.KeyId })).Policy).toBe(policy);
    await expect(
      call('PutKeyPolicy', { KeyId: key.KeyId, Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }),
    ).rejects.toMatchObject({
      code: 'MalformedPolicyDocumentException',
    });
    await expect(call('GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'other' })).rejects.toMatchObject({
      code: 'NotFoundException',
      message: 'No such policy exists',
    });
  });

  it('turns rotation on with a period and a next date, and off', async () => {
    const key = await newKey();
    expect(await call('GetKeyRotationStatus', { KeyId: key.KeyId })).toEqual({
      KeyId: key.Arn,
      KeyRotationEnabled: false,
    });
    await call('EnableKeyRotation', { KeyId: key.KeyId, RotationPeriodInDays: 180 });
    const status = await call('GetKeyRotationStatus', { KeyId: key.KeyId });
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect((status.NextRotationDate as Date).getTime()).toBe(rt.clock.nowMs() + 180 * 86_400_000);
    await call('DisableKeyRotation', { KeyId: key.KeyId });
    expect((await call('GetKeyRotationStatus', { KeyId: key.KeyId })).KeyRotationEnabled).toBe(false);
    await expect(call('EnableKeyRotation', { KeyId: 'alias/x' })).rejects.toMatchObject({
      message: 'Invalid keyId alias/x',
    });
  });

  it('schedules deletion in 7 to 30 days, cancels it into Disabled, and deletes the key when the day comes', async () => {
    const key = await newKey();
    await call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: key.KeyId });
    await expect(call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 6 })).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'PendingWindowInDays should be between 7 and 30, but it is 6',
    });
    const scheduled = await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(((await call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata as Result).Enabled).toBe(false);
    await expect(call('Encrypt', { KeyId: key.KeyId, Plaintext: 'aGk=' })).rejects.toMatchObject({
      code: 'KMSInvalidStateException',
      message: `${key.Arn} is pending deletion.`,
    });
    await call('CancelKeyDeletion', { KeyId: key.KeyId });
    expect(((await call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata as Result).KeyState).toBe('Disabled');
    await expect(call('Encrypt', { KeyId: key.KeyId, Plaintext: 'aGk=' })).rejects.toMatchObject({
      code: 'DisabledException',
    });
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    rt.clock.advance(7 * 86_400_000);
    await expect(call('DescribeKey', { KeyId: key.KeyId })).rejects.toMatchObject({ code: 'NotFoundException' });
    expect((await call('ListAliases', {})).Aliases).toEqual([]);
  });
});

describe('aliases', () => {
  it('creates, lists (by key too), updates and deletes aliases', async () => {
    const a = await newKey();
    const b = await newKey();
    await call('CreateAlias', { AliasName: 'alias/one', TargetKeyId: a.KeyId });
    await call('CreateAlias', { AliasName: 'alias/two', TargetKeyId: b.Arn });
    const all = (await call('ListAliases', {})).Aliases as Result[];
    expect(all.map((x) => [x.AliasName, x.AliasArn, x.TargetKeyId])).toEqual([
      ['alias/one', `arn:aws:kms:${REGION}:${account}:alias/one`, a.KeyId],
      ['alias/two', `arn:aws:kms:${REGION}:${account}:alias/two`, b.KeyId],
    ]);
    await call('UpdateAlias', { AliasName: 'alias/two', TargetKeyId: a.KeyId });
    expect(((await call('ListAliases', { KeyId: a.KeyId })).Aliases as Result[]).map((x) => x.AliasName)).toEqual([
      'alias/one',
      'alias/two',
    ]);
    await call('DeleteAlias', { AliasName: 'alias/one' });
    await expect(call('DeleteAlias', { AliasName: 'alias/one' })).rejects.toMatchObject({
      code: 'NotFoundException',
      message: `Alias arn:aws:kms:${REGION}:${account}:alias/one is not found.`,
    });
  });

  it.each([
    [
      'vendguard',
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    ],
    ['alias/aws/s3', 'NotAuthorizedException', ''],
    [
      'alias/my alias',
      'ValidationException',
      "1 validation error detected: Value 'alias/my alias' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    ],
    ['alias/my:alias', 'ValidationException', 'alias/my:alias contains invalid characters for an alias'],
  ])('CreateAlias %s is %s', async (name, code, message) => {
    const key = await newKey();
    await expect(call('CreateAlias', { AliasName: name, TargetKeyId: key.KeyId })).rejects.toMatchObject({
      code,
      message,
    });
  });

  it('refuses a duplicate alias and an alias of an alias', async () => {
    const key = await newKey();
    await call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: key.KeyId });
    await expect(call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: key.KeyId })).rejects.toMatchObject({
      code: 'AlreadyExistsException',
      message: `An alias with the name arn:aws:kms:${REGION}:${account}:alias/x already exists`,
    });
    await expect(call('CreateAlias', { AliasName: 'alias/y', TargetKeyId: 'alias/x' })).rejects.toMatchObject({
      message: 'Aliases must refer to keys. Not aliases',
    });
  });
});

describe('tags', () => {
  it('tags, lists and untags a key', async () => {
    const key = await newKey({ Tags: [{ TagKey: 'team', TagValue: 'platform' }] });
    await call('TagResource', { KeyId: key.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }] });
    await call('UntagResource', { KeyId: key.KeyId, TagKeys: ['team'] });
    expect(await call('ListResourceTags', { KeyId: key.KeyId })).toEqual({
      Tags: [{ TagKey: 'env', TagValue: 'prod' }],
      Truncated: false,
    });
  });
});

describe('Encrypt, Decrypt and GenerateDataKey', () => {
  it('round-trips a plaintext, bound to its key and encryption context', async () => {
    const key = await newKey();
    await call('CreateAlias', { AliasName: 'alias/data', TargetKeyId: key.KeyId });
    const plaintext = Buffer.from('hello vendguard').toString('base64');
    const sealed = await call('Encrypt', {
      KeyId: 'alias/data',
      Plaintext: plaintext,
      EncryptionContext: { app: 'vg' },
    });
    expect(sealed).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const opened = await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { app: 'vg' } });
    expect(opened).toEqual({ KeyId: key.Arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    await expect(
      call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { app: 'other' } }),
    ).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    });
    const other = await newKey();
    await expect(
      call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, KeyId: other.KeyId, EncryptionContext: { app: 'vg' } }),
    ).rejects.toMatchObject({
      code: 'IncorrectKeyException',
    });
    await expect(call('Decrypt', { CiphertextBlob: Buffer.from('garbage').toString('base64') })).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    });
  });

  it('generates data keys whose ciphertext decrypts to the plaintext', async () => {
    const key = await newKey();
    const data = await call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' });
    expect(Buffer.from(data.Plaintext as string, 'base64')).toHaveLength(32);
    expect((await call('Decrypt', { CiphertextBlob: data.CiphertextBlob })).Plaintext).toBe(data.Plaintext);
    const bare = await call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, NumberOfBytes: 16 });
    expect(bare.Plaintext).toBeUndefined();
    await expect(call('GenerateDataKey', { KeyId: key.KeyId })).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Please specify either number of bytes or key spec.',
    });
  });

  it('refuses keys that do not encrypt', async () => {
    const key = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await expect(call('Encrypt', { KeyId: key.KeyId, Plaintext: 'aGk=' })).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
    });
  });
});

describe('AWS::KMS::Key and AWS::KMS::Alias', () => {
  const ctx = (logicalId: string): ResourceContext => ({
    runtime: rt,
    account,
    region: REGION,
    stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/VendguardHub/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    stackName: 'VendguardHub',
    logicalId,
  });
  const hubKey = () => ({
    Description: 'Encrypts the vendguard alarm topic (CloudWatch cannot publish to the AWS-managed SNS key)',
    EnableKeyRotation: true,
    KeyPolicy: {
      Statement: [
        { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Resource: '*' },
        {
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: '*',
        },
      ],
      Version: '2012-10-17',
    },
  });

  it("creates the hub's key (policy, rotation) and alias; Ref is the key id and the alias name", async () => {
    const key = kmsKeyProvider.create(ctx('AlarmsTopicKeyAB251E47'), hubKey()) as {
      physicalId: string;
      attributes: Record<string, string>;
    };
    expect(key.attributes).toEqual({
      Arn: `arn:aws:kms:${REGION}:${account}:key/${key.physicalId}`,
      KeyId: key.physicalId,
    });
    expect(JSON.parse((await call('GetKeyPolicy', { KeyId: key.physicalId })).Policy as string)).toEqual(
      hubKey().KeyPolicy,
    );
    expect((await call('GetKeyRotationStatus', { KeyId: key.physicalId })).KeyRotationEnabled).toBe(true);
    const tags = (await call('ListResourceTags', { KeyId: key.physicalId })).Tags as Result[];
    expect(tags).toContainEqual({ TagKey: 'aws:cloudformation:logical-id', TagValue: 'AlarmsTopicKeyAB251E47' });
    const alias = kmsAliasProvider.create(ctx('AlarmsTopicKeyAlias6B00278F'), {
      AliasName: 'alias/vendguard-alarms',
      TargetKeyId: key.attributes.Arn,
    });
    expect(alias).toEqual({ physicalId: 'alias/vendguard-alarms' });
    expect(findKey(rt, { account, region: REGION }, 'alias/vendguard-alarms', { aliases: true }).KeyId).toBe(
      key.physicalId,
    );
  });

  it('updates the policy and rotation in place, and schedules deletion on delete', async () => {
    const key = kmsKeyProvider.create(ctx('Key'), hubKey()) as { physicalId: string };
    kmsKeyProvider.update?.(
      ctx('Key'),
      key.physicalId,
      { ...hubKey(), EnableKeyRotation: false, KeyPolicy: undefined },
      hubKey(),
    );
    expect((await call('GetKeyPolicy', { KeyId: key.physicalId })).Policy).toBe(defaultKeyPolicy(account));
    expect((await call('GetKeyRotationStatus', { KeyId: key.physicalId })).KeyRotationEnabled).toBe(false);
    expect(
      kmsKeyProvider.update?.(ctx('Key'), key.physicalId, { ...hubKey(), KeySpec: 'HMAC_256' }, hubKey()),
    ).toBeUndefined();
    kmsKeyProvider.delete(ctx('Key'), key.physicalId, { PendingWindowInDays: 7 });
    expect(((await call('DescribeKey', { KeyId: key.physicalId })).KeyMetadata as Result).KeyState).toBe(
      'PendingDeletion',
    );
  });

  it('tells a service whether the key policy lets it use the key', async () => {
    const key = kmsKeyProvider.create(ctx('Key'), hubKey()) as { physicalId: string };
    const scope = { account, region: REGION };
    expect(
      keyAllowsService(rt, scope, key.physicalId, 'cloudwatch.amazonaws.com', 'kms:GenerateDataKey'),
    ).toMatchObject({ ok: true });
    expect(keyAllowsService(rt, scope, key.physicalId, 'cloudwatch.amazonaws.com', 'kms:Encrypt')).toMatchObject({
      ok: false,
    });
    const plain = await newKey();
    expect(keyAllowsService(rt, scope, plain.KeyId as string, 'cloudwatch.amazonaws.com', 'kms:Decrypt')).toEqual({
      ok: false,
      reason: `cloudwatch.amazonaws.com is not authorized to perform: kms:Decrypt on resource: ${plain.Arn} because no resource-based policy allows the kms:Decrypt action`,
    });
    expect(keyAllowsService(rt, scope, 'alias/none', 'cloudwatch.amazonaws.com', 'kms:Decrypt')).toMatchObject({
      ok: false,
    });
  });

  it('fails an alias KMS refuses', () => {
    const key = kmsKeyProvider.create(ctx('Key'), {}) as { physicalId: string };
    expect(() =>
      kmsAliasProvider.create(ctx('Alias'), { AliasName: 'alias/aws/sns', TargetKeyId: key.physicalId }),
    ).toThrow();
  });
});
