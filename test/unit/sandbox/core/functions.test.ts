import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../../config/load';
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
  });

  it('invokes only what Lambda has: a function no stack deployed is ResourceNotFoundException', async () => {
    await expect(runtime.functions.invoke('vend-start', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      message: expect.stringContaining('vendguard-vend-start'),
    });
  });

  it('runs a handler module with the sandbox as endpoint and its own variables, and records the invocation', async () => {
    await runtime.functions
      .runModule({
        modulePath: 'functions/vend-start/app.ts',
        exportName: 'handler',
        recordName: 'vend-start',
        functionName: 'vendguard-vend-start',
        invokedFunctionArn: runtime.functions.functionArn('vend-start'),
        memoryMb: 256,
        timeoutSeconds: 30,
        requestId: 'req-1',
        logGroupName: '/aws/lambda/vendguard-vend-start',
        event: { not: 'an EventBridge event' },
        environment: { VENDGUARD_STATE_TABLE: 'from-the-function' },
      })
      .catch((e: unknown) => e);
    const seen = process.env.VENDGUARD_STATE_TABLE;
    expect(process.env.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:1');
    // outside an invocation the process keeps the hub's credentials and none of the function's variables
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('ASIAVENDGUARDHUB0001');
    expect(seen).toBeUndefined();
    const [record] = runtime.functions.recent(1);
    expect(record).toMatchObject({ functionName: 'vend-start', requestId: 'req-1', error: expect.any(String) });
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
});
