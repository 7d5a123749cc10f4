import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../../infra/config/load';
import { FunctionNotFoundError } from '../../../../sandbox/core/errors';
import { withFunctionEnvironment } from '../../../../sandbox/core/functions';
import { LocalRuntime } from '../../../../sandbox/core/runtime';

describe('InProcessFunctions', () => {
  let runtime: LocalRuntime;
  let home: string;
  const saved = { ...process.env };

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'vendguard-fn-'));
    runtime = new LocalRuntime({ home, timeScale: 6000 });
    runtime.endpoint = 'http://127.0.0.1:1';
  });
  afterAll(() => {
    runtime.close();
    rmSync(home, { recursive: true, force: true });
    process.env = saved;
  });

  it('names functions vendguard-<name> with the management account ARN', () => {
    expect(runtime.functions.functionArn('vend-start')).toBe(
      'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-start',
    );
    expect(runtime.functions.spec('arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-start').name).toBe(
      'vend-start',
    );
  });

  it('rejects an unknown function with FunctionNotFoundError', async () => {
    await expect(runtime.functions.invoke('no-such-function', {})).rejects.toBeInstanceOf(FunctionNotFoundError);
  });

  it('runs a manifest handler with the sandbox environment and records the invocation', async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    await runtime.functions.invoke('vend-start', { not: 'an EventBridge event' }).catch((e: unknown) => e);
    expect(process.env.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:1');
    // outside an invocation the process keeps the hub's credentials; the function saw its own role's
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('ASIAVENDGUARDHUB0001');
    expect(process.env.VENDGUARD_STATE_TABLE).toBe('vendguard-state');
    expect(process.env.SLACK_WEBHOOK_URL).toBe('http://127.0.0.1:1/_sandbox/slack/webhook');
    const [record] = runtime.functions.recent(1);
    expect(record).toMatchObject({ functionName: 'vend-start', error: expect.any(String) });
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives each invocation its own variables while the process keeps its own, even when they interleave', async () => {
    process.env.VG_TEST_VAR = 'process';
    const seen: string[] = [];
    const a = withFunctionEnvironment({ VG_TEST_VAR: 'a' }, async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(`a:${process.env.VG_TEST_VAR}:${'VG_TEST_VAR' in process.env}`);
    });
    const b = withFunctionEnvironment({ VG_TEST_VAR: 'b' }, async () => {
      seen.push(`b:${process.env.VG_TEST_VAR}`);
    });
    await Promise.all([a, b]);
    expect(seen.sort()).toEqual(['a:a:true', 'b:b']);
    expect(process.env.VG_TEST_VAR).toBe('process');
  });

  it('lets the process reassign a variable that exists (a second sandbox in the same process)', () => {
    // jest gives tests a plain object as process.env; node's real one refuses partial definitions,
    // so this runs in a plain node process
    const script = [
      "const { withFunctionEnvironment } = require('./sandbox/core/functions.ts');",
      "withFunctionEnvironment({ VG_TEST_VAR: 'inside' }, () => undefined);",
      "process.env.VG_TEST_VAR = 'one';",
      "process.env.VG_TEST_VAR = 'two';",
      "const inside = withFunctionEnvironment({ VG_TEST_VAR: 'inside' }, () => process.env.VG_TEST_VAR);",
      'delete process.env.VG_TEST_VAR;',
      'console.log(JSON.stringify([inside, process.env.VG_TEST_VAR === undefined]));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) as string)).toEqual(['inside', true]);
  });

  it('runs each function as its own execution role, vendguard-<name>', () => {
    const credentials = runtime.functionCredentials('vend-announce');
    expect(runtime.identities.registered(credentials.accessKeyId)?.arn).toBe(
      'arn:aws:sts::100000000001:assumed-role/vendguard-vend-announce/vendguard-vend-announce',
    );
    expect(runtime.functionCredentials('vend-announce').accessKeyId).toBe(credentials.accessKeyId);
    expect(runtime.functionCredentials('vend-start').accessKeyId).not.toBe(credentials.accessKeyId);
  });
});
