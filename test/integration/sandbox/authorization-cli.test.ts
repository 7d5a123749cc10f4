import { type CliResult, installedAwsClis, runAws, sessionEnv, TEST_KEY_ENV } from '../../helpers/aws-cli';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const awsPath = installedAwsClis()[0]?.path ?? '';
const describeCli = awsPath ? describe : describe.skip;

let sb: TestSandbox;
let service: string;

const aws = (args: string[], credentials: Readonly<Record<string, string>>): Promise<CliResult> =>
  runAws(awsPath, sb.endpoint, args, credentials);
const TEST_KEY = TEST_KEY_ENV;
const sessionOf = sessionEnv;

beforeAll(async () => {
  sb = await startTestSandbox();
  service = await createAccountIn(sb, 'cli-dev', 'Workloads/Dev');
}, 30_000);
afterAll(() => sb?.stop());

describeCli('the AWS CLI against the strict sandbox', () => {
  it('acts as the management account admin with the documented test key', async () => {
    const out = await aws(['sts', 'get-caller-identity'], TEST_KEY);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ Arn: 'arn:aws:iam::100000000001:user/sandbox-admin' });
  });

  it('refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidClientTokenId', async () => {
    const wrong = await aws(['sts', 'get-caller-identity'], { ...TEST_KEY, AWS_SECRET_ACCESS_KEY: 'nope' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('SignatureDoesNotMatch');
    const unknown = await aws(['organizations', 'list-accounts'], {
      AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(unknown.stderr).toContain('UnrecognizedClientException');
  });

  it("denies a developer's Internet Gateway in a Workloads account by SCP (UnauthorizedOperation)", async () => {
    const dev = sb.credentials({ accountId: service, role: 'Developer', session: 'cli' });
    const out = await aws(['ec2', 'create-internet-gateway'], sessionOf(dev));
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('UnauthorizedOperation');
    expect(out.stderr).toContain('explicit deny in a service control policy');
    const vpc = await aws(['ec2', 'create-vpc', '--cidr-block', '10.9.0.0/16'], sessionOf(dev));
    expect(vpc.code).toBe(0);
  });

  it('refuses organization-wide calls to a member account', async () => {
    const dev = sb.credentials({ accountId: service, role: 'OrganizationAccountAccessRole', session: 'cli' });
    const out = await aws(['organizations', 'list-accounts'], sessionOf(dev));
    expect(out.stderr).toContain('AccessDeniedException');
  });

  it('assumes a role the trust policy allows and acts as its session; refuses one it does not', async () => {
    const assumed = await aws(
      [
        'sts',
        'assume-role',
        '--role-arn',
        `arn:aws:iam::${service}:role/OrganizationAccountAccessRole`,
        '--role-session-name',
        'cli-admin',
      ],
      TEST_KEY,
    );
    expect(assumed.code).toBe(0);
    const c = JSON.parse(assumed.stdout).Credentials as Record<string, string>;
    const me = await aws(['sts', 'get-caller-identity'], {
      AWS_ACCESS_KEY_ID: c.AccessKeyId as string,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey as string,
      AWS_SESSION_TOKEN: c.SessionToken as string,
    });
    expect(JSON.parse(me.stdout).Arn).toBe(
      `arn:aws:sts::${service}:assumed-role/OrganizationAccountAccessRole/cli-admin`,
    );
    const dev = sb.credentials({ accountId: service, role: 'Developer', session: 'cli' });
    const sideways = await aws(
      [
        'sts',
        'assume-role',
        '--role-arn',
        `arn:aws:iam::${sb.accountId('egress')}:role/OrganizationAccountAccessRole`,
        '--role-session-name',
        'sideways',
      ],
      sessionOf(dev),
    );
    expect(sideways.stderr).toContain('AccessDenied');
  });

  it('reads the seeded roles through the IAM API', async () => {
    const out = await aws(['iam', 'get-role', '--role-name', 'vendguard-vend-announce'], TEST_KEY);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).Role.Arn).toBe('arn:aws:iam::100000000001:role/vendguard-vend-announce');
  });
});
