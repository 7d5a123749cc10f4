/**
 * Secrets Manager through SDK v3 (awsJson1_1, target `secretsmanager`): secrets and versions, binary
 * values, deletion and restore, and another account reading a secret only when its resource policy
 * admits that account.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let sm: SecretsManagerClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  sm = sb.client(SecretsManagerClient);
}, 30_000);
afterAll(() => sb?.stop());

it('creates a secret, adds a version and reads both stages (the SDK fills ClientRequestToken)', async () => {
  const created = await sm.send(new CreateSecretCommand({ Name: 'it/webhook', SecretString: 'one' }));
  expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:it\/webhook-[A-Za-z0-9]{6}$/);
  await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'two' }));
  expect((await sm.send(new GetSecretValueCommand({ SecretId: 'it/webhook' }))).SecretString).toBe('two');
  const previous = await sm.send(new GetSecretValueCommand({ SecretId: 'it/webhook', VersionStage: 'AWSPREVIOUS' }));
  expect(previous).toMatchObject({ SecretString: 'one', VersionId: created.VersionId, VersionStages: ['AWSPREVIOUS'] });
  expect(previous.CreatedDate).toBeInstanceOf(Date);
});

it('round-trips a binary secret', async () => {
  await sm.send(new CreateSecretCommand({ Name: 'it/binary', SecretBinary: Uint8Array.from([0, 1, 2, 255]) }));
  const { SecretBinary } = await sm.send(new GetSecretValueCommand({ SecretId: 'it/binary' }));
  expect([...(SecretBinary as Uint8Array)]).toEqual([0, 1, 2, 255]);
});

it('marks a deleted secret, refuses its value, and restores it', async () => {
  await sm.send(new CreateSecretCommand({ Name: 'it/doomed', SecretString: 'x' }));
  const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'it/doomed', RecoveryWindowInDays: 7 }));
  expect(deleted.DeletionDate).toBeInstanceOf(Date);
  await expect(sm.send(new GetSecretValueCommand({ SecretId: 'it/doomed' }))).rejects.toBeInstanceOf(
    InvalidRequestException,
  );
  expect((await sm.send(new DescribeSecretCommand({ SecretId: 'it/doomed' }))).DeletedDate).toBeInstanceOf(Date);
  await sm.send(new RestoreSecretCommand({ SecretId: 'it/doomed' }));
  expect((await sm.send(new GetSecretValueCommand({ SecretId: 'it/doomed' }))).SecretString).toBe('x');
  await expect(sm.send(new GetSecretValueCommand({ SecretId: 'it/none' }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
});

it("lets another account read a secret only when the secret's resource policy admits it", async () => {
  const ownerAccount = sb.accountId('egress');
  const owner = sb.client(SecretsManagerClient, { accountId: ownerAccount, role: 'Developer' });
  const { ARN } = await owner.send(new CreateSecretCommand({ Name: 'it/shared', SecretString: 'shared' }));
  const readerAccount = sb.accountId('network');
  const reader = sb.client(SecretsManagerClient, { accountId: readerAccount, role: 'Developer' });
  await expect(reader.send(new GetSecretValueCommand({ SecretId: ARN }))).rejects.toMatchObject({
    name: 'AccessDeniedException',
  });
  await owner.send(
    new PutResourcePolicyCommand({
      SecretId: ARN,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${readerAccount}:root` },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          },
        ],
      }),
    }),
  );
  expect((await reader.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString).toBe('shared');
});
