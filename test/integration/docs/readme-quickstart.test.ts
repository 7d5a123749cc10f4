/**
 * The README's quick start, run as written against a sandbox with each AWS CLI installed (v1 and
 * v2): every command succeeds, except the Internet Gateway the deny-IGW SCP refuses, and that
 * refusal comes from the sandbox (the CLI reached it), not from a missing region or endpoint.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/load';
import { installedAwsClis } from '../../helpers/aws-cli';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/** The commands of the README's first block that exports AWS_ENDPOINT_URL, continuation lines joined. */
function quickStartCommands(readme: string): string[] {
  const block = /```bash\n(export AWS_ENDPOINT_URL=[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no quick start block (```bash starting with export AWS_ENDPOINT_URL=)');
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

interface Ran {
  readonly command: string;
  readonly code: number;
  readonly output: string;
}

/** Runs the commands in one bash (the `eval` carries over), recording each one's exit code and output. */
function runQuickStart(commands: readonly string[], endpoint: string, awsDir: string): Promise<Ran[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vendguard-readme-'));
  const script = commands
    .map((c, i) => {
      const command = c.replace(/http:\/\/127\.0\.0\.1:4566/g, endpoint);
      return `{ ${command.replace(/\s+#.*$/, '')}\n} > ${dir}/${i}.out 2>&1; echo $? > ${dir}/${i}.code`;
    })
    .join('\n');
  writeFileSync(join(dir, 'quickstart.sh'), script);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(dir, 'quickstart.sh')],
      {
        cwd: PROJECT_ROOT,
        timeout: 120_000,
        env: {
          // the one AWS CLI under test first; nothing of the test's own AWS settings leaks in
          PATH: `${awsDir}:${process.env.PATH ?? ''}`,
          HOME: process.env.HOME ?? '/tmp',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
          npm_config_update_notifier: 'false',
        },
      },
      (err) => {
        if (err) return reject(err);
        resolve(
          commands.map((command, i) => ({
            command,
            code: Number(readFileSync(join(dir, `${i}.code`), 'utf8')),
            output: readFileSync(join(dir, `${i}.out`), 'utf8'),
          })),
        );
      },
    );
  });
}

const commands = quickStartCommands(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));
const clis = installedAwsClis();
const each = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

each('the README quick start with $path (v$major)', (cli) => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  }, 60_000);
  afterAll(() => sb?.stop());

  it('runs as written: every command succeeds but the gateway the SCP denies', async () => {
    // a directory holding only this CLI as `aws`
    const awsDir = mkdtempSync(join(tmpdir(), 'vendguard-aws-'));
    writeFileSync(join(awsDir, 'aws'), `#!/bin/sh\nexec ${cli.path} "$@"\n`, { mode: 0o755 });
    const ran = await runQuickStart(commands, sb.endpoint, awsDir);
    const failed = ran.filter((r) => r.code !== 0).map((r) => r.command);
    expect(failed).toEqual([expect.stringMatching(/^aws ec2 create-internet-gateway/)]);
    const igw = ran.find((r) => r.command.startsWith('aws ec2 create-internet-gateway')) as Ran;
    expect(igw.output).toContain('UnauthorizedOperation');
    expect(igw.output).toContain('explicit deny in a service control policy');
  }, 120_000);
});
