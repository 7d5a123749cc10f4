/**
 * KMS through SDK v3 (awsJson1_1, TrentService): keys, aliases, blobs that round-trip, and the key
 * policy deciding who may use a key, as AWS decides it (the key policy must allow; a statement naming
 * the account delegates to IAM policies).
 */
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  MalformedPolicyDocumentException,
  NotFoundException,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let kms: KMSClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  kms = sb.client(KMSClient);
}, 30_000);
afterAll(() => sb?.stop());

describe('keys and aliases', () => {
  it('creates a key and an alias, lists the alias and describes the key through it', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'it' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/it-key', TargetKeyId: KeyMetadata?.KeyId }));
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: KeyMetadata?.Arn }));
    expect(Aliases).toEqual([
      expect.objectContaining({
        AliasName: 'alias/it-key',
        AliasArn: `arn:aws:kms:eu-west-1:${sb.runtime.managementAccountId}:alias/it-key`,
        TargetKeyId: KeyMetadata?.KeyId,
      }),
    ]);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/it-key' }));
    expect(described.KeyMetadata).toMatchObject({ KeyId: KeyMetadata?.KeyId, KeyState: 'Enabled', Description: 'it' });
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/it-key', TargetKeyId: KeyMetadata?.KeyId })),
    ).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('encrypts and decrypts through the SDK blobs', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const sealed = await kms.send(new EncryptCommand({ KeyId: KeyMetadata?.Arn, Plaintext: Buffer.from('vendguard') }));
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext as Uint8Array).toString()).toBe('vendguard');
    expect(opened.KeyId).toBe(KeyMetadata?.Arn);
    const trail = sb.runtime.recentTrail.filter((e) => e.detail.eventName === 'Encrypt');
    expect(JSON.stringify(trail)).not.toContain(Buffer.from('vendguard').toString('base64'));
  });
});

describe('the key policy decides', () => {
  it('a key policy that names another role locks out the account, IAM policies notwithstanding', async () => {
    const account = sb.accountId('egress');
    const developer = sb.client(KMSClient, { accountId: account, role: 'Developer' });
    const admin = sb.client(KMSClient, { accountId: account, role: 'OrganizationAccountAccessRole' });
    const { KeyMetadata } = await developer.send(new CreateKeyCommand({ Description: 'team key' }));
    await developer.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }));
    const onlyAdmin = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    await expect(
      developer.send(new PutKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId, Policy: onlyAdmin })),
    ).rejects.toMatchObject({
      name: MalformedPolicyDocumentException.name,
      message: 'The new key policy will not allow you to update the key policy in the future.',
    });
    await developer.send(
      new PutKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId, Policy: onlyAdmin, BypassPolicyLockoutSafetyCheck: true }),
    );
    await expect(developer.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${account}:assumed-role/Developer/test is not authorized to perform: kms:DescribeKey on resource: ${KeyMetadata?.Arn} because no resource-based policy allows the kms:DescribeKey action`,
    });
    expect((await admin.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId }))).Policy).toBe(onlyAdmin);
  });

  it("another account's key needs its key policy to admit the caller's account", async () => {
    const owner = sb.client(KMSClient, { accountId: sb.accountId('egress'), role: 'Developer' });
    const { KeyMetadata } = await owner.send(new CreateKeyCommand({}));
    const other = sb.client(KMSClient, { accountId: sb.accountId('network'), role: 'Developer' });
    await expect(other.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.Arn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(other.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata?.Arn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});
