/**
 * `vendguard invoke` goes through the Lambda API: the real CLI (a child process) invokes the function
 * the hub stack deployed, which runs as its execution role, and exits 0, 1 or 2 as documented.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/load';
import { startTestSandbox, TEST_ADMIN_KEY, TEST_ADMIN_SECRET, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let dir: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  dir = mkdtempSync(join(tmpdir(), 'vendguard-invoke-'));
});
afterAll(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'cli', 'bin.cjs'), ...args],
      {
        cwd: PROJECT_ROOT,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          AWS_ENDPOINT_URL: sb.endpoint,
          AWS_REGION: sb.runtime.homeRegion,
          AWS_ACCESS_KEY_ID: TEST_ADMIN_KEY,
          AWS_SECRET_ACCESS_KEY: TEST_ADMIN_SECRET,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const file = (name: string, body: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
};

describe('vendguard invoke', () => {
  it('invokes the deployed function through Lambda and prints its result', async () => {
    const request = {
      requestId: 'req-invoke-1',
      request: {
        name: 'invoke-dev',
        email: 'aws-invoke-dev@acme.example',
        ou: 'Workloads/Dev',
        owner: 'team-invoke',
        environment: 'dev',
      },
    };
    const out = await cli('invoke', 'vend-validate-request', file('request.json', request), '--log');
    expect([out.code, out.stderr]).toEqual([0, expect.stringContaining('REPORT RequestId:')]);
    expect(JSON.parse(out.stdout)).toMatchObject({ requestId: 'req-invoke-1' });
    // it ran as Lambda runs it: through the deployed function, recorded under its ARN
    const [last] = sb.runtime.functions.recent(1, 'vend-validate-request');
    expect(last?.functionArn).toBe(
      `arn:aws:lambda:${sb.runtime.homeRegion}:${sb.runtime.managementAccountId}:function:vendguard-vend-validate-request`,
    );
  }, 60_000);

  it("exits 1 with the function's error type and message when it fails", async () => {
    const out = await cli('invoke', 'vend-validate-request', file('bad.json', { request: { name: 'X!' } }));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/vend-validate-request failed: \w+: /);
  }, 60_000);

  it('exits 2 for a function that is not deployed, naming it', async () => {
    const out = await cli('invoke', 'no-such-function', file('empty.json', {}));
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no-such-function');
  }, 60_000);
});
