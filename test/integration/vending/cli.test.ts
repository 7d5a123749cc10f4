import { runRequest } from '../../../cli/commands/request';
import type { TestSandbox } from '../../helpers/sandbox';
import { clients, startVendingSandbox } from './harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;
let stdout: jest.SpyInstance;
let stderr: jest.SpyInstance;

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
});
afterAll(() => sb?.stop());
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  stderr.mockRestore();
  sb.runtime.faults.clear();
  process.exitCode = undefined;
});

const progressLines = () => stderr.mock.calls.map((call) => String(call[0]));

describe('vendguard request --wait against the sandbox', () => {
  it('prints each state as it completes and ends with the vended account', async () => {
    const result = await runRequest(
      {
        name: 'cli-dev',
        email: 'aws-cli-dev@acme.example',
        ou: 'Workloads/Dev',
        owner: 'team-cli',
        wait: true,
        pollMs: 20,
      },
      { events: c.events, sfn: c.sfn },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.accountId).toMatch(/^\d{12}$/);
    const lines = progressLines().join('');
    for (const state of [
      'ValidateRequest',
      'CreateAccount',
      'Quarantine',
      'DeployBaseline',
      'ReleaseQuarantine',
      'AnnounceSuccess',
    ]) {
      expect(lines).toContain(state);
    }
    expect(stdout).toHaveBeenCalledWith(`account ${result.accountId} vended for request ${result.requestId}\n`);
    expect(process.exitCode).toBeUndefined();
  });

  it('exits 1 on a failed vending and prints the error, cause and redrive command', async () => {
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'DeployStackInstance',
      error: 'ResourceLimitExceeded',
    });
    const result = await runRequest(
      {
        name: 'cli-broken',
        email: 'aws-cli-broken@acme.example',
        ou: 'Sandbox',
        owner: 'team-cli',
        wait: true,
        pollMs: 20,
        json: true,
      },
      { events: c.events, sfn: c.sfn },
    );
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'BaselineDeploymentFailedError',
      failedState: 'CheckBaseline',
      redriveCommand: `npx vendguard replay ${result.requestId} --mode redrive`,
    });
    expect(result.cause).toMatch(/failed in account \d{12}, region/);
    expect(process.exitCode).toBe(1);
  });
});
