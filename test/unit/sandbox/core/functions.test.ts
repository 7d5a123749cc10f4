import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionNotFoundError } from '../../../../sandbox/core/errors';
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
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('ASIAVENDGUARDHUB0001');
    expect(process.env.VENDGUARD_STATE_TABLE).toBe('vendguard-state');
    expect(process.env.SLACK_WEBHOOK_URL).toBe('http://127.0.0.1:1/_sandbox/slack/webhook');
    const [record] = runtime.functions.recent(1);
    expect(record).toMatchObject({ functionName: 'vend-start', error: expect.any(String) });
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
  });
});
