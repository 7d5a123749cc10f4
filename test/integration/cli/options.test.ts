/**
 * The real CLI (a child process, as `npx vendguard` runs it) refuses a bad number, duration or time
 * with exit 2 and a message naming the option, before it sends anything: its endpoint is a stub
 * that records every request, and none arrives.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/load';

let server: Server;
let endpoint: string;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'cli', 'bin.cjs'), ...args],
      {
        cwd: PROJECT_ROOT,
        timeout: 60_000,
        // Credentials and a region, so a call that got through would reach the stub, not fail before it.
        env: {
          PATH: process.env.PATH,
          AWS_ENDPOINT_URL: endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const REQUEST = ['--name', 'payments-prod', '--email', 'aws-payments-prod@acme.example', '--ou', 'Workloads/Prod'];

describe('vendguard refuses bad option values before any call', () => {
  it.each([
    [
      ['request', ...REQUEST, '--owner', 'team-payments', '--wait', '--timeout', '-5'],
      '--timeout -5: must be a whole number of seconds, at least 1',
    ],
    [
      ['request', ...REQUEST, '--owner', 'team-payments', '--wait', '--poll-ms', 'fast'],
      '--poll-ms fast: must be a whole number of milliseconds from 100 to 60000',
    ],
    [
      ['replay', '--status', 'FAILED', '--yes', '--concurrency', '0'],
      '--concurrency 0: must be a whole number, at least 1',
    ],
    [
      ['executions', '--since', '-1h'],
      '--since -1h: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d',
    ],
    [
      ['events', 'replay', '--from', '2h', '--to', '2026-02-30T00:00:00Z'],
      '--to 2026-02-30T00:00:00Z: must be an ISO time with its zone',
    ],
    [
      ['sandbox', 'credentials', '--account', 'egress', '--duration-seconds', '10'],
      '--duration-seconds 10: must be a whole number of seconds, at least 900',
    ],
    [['sandbox', 'alerts', '--limit', '1.5'], '--limit 1.5: must be a whole number from 1 to 10000'],
  ])('vendguard %j exits 2: %s', async (args, message) => {
    const { code, stdout, stderr } = await cli(...args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(`vendguard: ${message}`);
    expect(received).toEqual([]);
  });

  it('runs the same commands when the values are good (the stub endpoint answers 500: exit 3, after a call)', async () => {
    const { code, stderr } = await cli('sandbox', 'alerts', '--limit', '5');
    expect(stderr).toContain('answered HTTP 500 for /_sandbox/alerts');
    expect(code).toBe(3);
    expect(received).toEqual(['GET /_sandbox/alerts?limit=5']);
  });
});
