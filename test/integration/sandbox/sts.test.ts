import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.stop());

describe('STS', () => {
  it('treats the documented test key as the admin user of the management account', async () => {
    const out = await sb.client(STSClient).send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({ Account: '100000000001', Arn: 'arn:aws:iam::100000000001:user/sandbox-admin' });
    expect(out.UserId).toMatch(/^AIDA/);
  });

  it('assumes a role in a member account and the new credentials act as that session', async () => {
    const network = sb.accountId('network');
    const before = sb.runtime.clock.nowMs();
    const out = await sb.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${network}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'guard-igw',
        DurationSeconds: 900,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${network}:assumed-role/OrganizationAccountAccessRole/guard-igw`,
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const after = sb.runtime.clock.nowMs();
    const expiration = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(before) + 900_000);
    expect(expiration).toBeLessThanOrEqual(Math.ceil(after) + 900_000);
    const as = new STSClient({
      endpoint: sb.endpoint,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: out.Credentials?.AccessKeyId as string,
        secretAccessKey: out.Credentials?.SecretAccessKey as string,
        sessionToken: out.Credentials?.SessionToken as string,
      },
    });
    const me = await as.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({
      Account: network,
      Arn: out.AssumedRoleUser?.Arn,
      UserId: out.AssumedRoleUser?.AssumedRoleId,
    });
  });

  it('denies a role in an account outside the organization with AccessDenied', async () => {
    const err = await sb
      .client(STSClient)
      .send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/X', RoleSessionName: 's' + 'x' }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('AccessDenied');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
  });

  it('emits the CloudTrail event of AssumeRole with source aws.sts', async () => {
    const bastion = sb.accountId('bastion');
    await sb.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${bastion}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'trail',
      }),
    );
    const event = sb.runtime.recentTrail.findLast((e) => e.detail.eventName === 'AssumeRole');
    expect(event?.source).toBe('aws.sts');
    expect(event?.detail.requestParameters).toEqual({
      roleArn: `arn:aws:iam::${bastion}:role/OrganizationAccountAccessRole`,
      roleSessionName: 'trail',
    });
    expect(
      (event?.detail.responseElements as { assumedRoleUser: { arn: string } } | undefined)?.assumedRoleUser.arn,
    ).toBe(`arn:aws:sts::${bastion}:assumed-role/OrganizationAccountAccessRole/trail`);
  });
});
