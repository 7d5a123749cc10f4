import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * The real AWS CLI, driven against the sandbox by conformance tests: every distinct `aws` on the
 * PATH (the pyenv v1 shim, Debian's v2, …), run with a clean environment and `--endpoint-url`
 * (v2 before 2.13 ignores `AWS_ENDPOINT_URL`).
 *
 * @example
 * const clis = installedAwsClis();
 * const out = await runAws(clis[0].path, sb.endpoint, ['sts', 'get-caller-identity'], TEST_KEY_ENV);
 */

export interface AwsCli {
  readonly path: string;
  /** 1 or 2 (0 when `--version` said nothing recognisable). */
  readonly major: number;
}

export interface CliResult {
  readonly cli: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Every distinct `aws` on the PATH, by real path. None installed: an empty list (the caller skips),
 * but under CI (`CI=true`) it throws, since .ci/run installs Debian's awscli.
 */
export function installedAwsClis(): AwsCli[] {
  let found: string[] = [];
  try {
    found = execFileSync('which', ['-a', 'aws'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    found = [];
  }
  const clis = [...new Set(found.map((p) => realpathSync(p)))].map((path) => {
    const out = spawnSync(path, ['--version'], { encoding: 'utf8' });
    return { path, major: Number(/aws-cli\/(\d+)\./.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 0) };
  });
  if (clis.length === 0 && process.env.CI === 'true') {
    throw new Error('the AWS CLI is not installed: .ci/run installs awscli');
  }
  return clis;
}

/** The documented admin key pair as CLI environment variables. */
export const TEST_KEY_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
};

/** A session's credentials as CLI environment variables. */
export const sessionEnv = (c: AwsCredentialIdentity): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: c.accessKeyId,
  AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  AWS_SESSION_TOKEN: c.sessionToken ?? '',
});

/**
 * The error line the CLI prints, without v2's ` (reached max retries: N)`:
 * `An error occurred (<Code>) when calling the <Operation> operation: <message>`.
 */
export const errorLine = (out: CliResult): string => out.stderr.replace(/ \(reached max retries: \d+\)/, '').trim();

/** Runs one CLI command against the sandbox (JSON output, one attempt, region eu-west-1, no config files). */
export function runAws(
  cli: string,
  endpoint: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = TEST_KEY_ENV,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      cli,
      [...args, '--endpoint-url', endpoint, '--output', 'json'],
      {
        timeout: 30_000,
        maxBuffer: 8 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
          AWS_DEFAULT_REGION: 'eu-west-1',
          AWS_PAGER: '',
          ...env,
        },
      },
      (err, stdout, stderr) => {
        resolve({ cli, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
