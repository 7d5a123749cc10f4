/**
 * The main authentication and authorization rules seen from the real AWS CLI (botocore), unmodified,
 * pointed at the sandbox with `--endpoint-url`: the test key works, a wrong secret and an unknown key
 * are refused, the deny-IGW SCP refuses a developer's gateway, a member account cannot list the
 * organization, and an assumed role's session works. Skipped only where `aws` is not installed;
 * under CI (`CI=true`) a missing CLI fails the suite instead (.ci/run installs Debian's awscli).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity } from '@smithy/types';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const awsPath = (() => {
  try {
    return execFileSync('which', ['aws'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();
if (!awsPath && process.env.CI === 'true') throw new Error('the AWS CLI is not installed: .ci/run installs awscli');
const describeCli = awsPath ? describe : describe.skip;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let sb: TestSandbox;
let service: string;

function aws(args: string[], credentials: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      awsPath,
      [...args, '--endpoint-url', sb.endpoint, '--output', 'json'],
      {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
          AWS_DEFAULT_REGION: 'eu-west-1',
          AWS_PAGER: '',
          ...credentials,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const TEST_KEY = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
const sessionOf = (c: AwsCredentialIdentity) => ({
  AWS_ACCESS_KEY_ID: c.accessKeyId,
  AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  AWS_SESSION_TOKEN: c.sessionToken ?? '',
});

beforeAll(async () => {
  sb = await startTestSandbox();
  const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  const created = await org.send(new CreateAccountCommand({ AccountName: 'cli-dev', Email: 'cli-dev@acme.example' }));
  for (;;) {
    const s = (
      await org.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id }),
      )
    ).CreateAccountStatus;
    if (s?.State === 'SUCCEEDED') {
      service = s.AccountId as string;
      break;
    }
    if (s?.State === 'FAILED') throw new Error(String(s.FailureReason));
    await new Promise((r) => setTimeout(r, 20));
  }
  await org.send(
    new MoveAccountCommand({
      AccountId: service,
      SourceParentId: sb.runtime.organizations.rootId,
      DestinationParentId: sb.runtime.organizations.ouIdByPath('Workloads/Dev'),
    }),
  );
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
