import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRequest, defaultEnvironment, runRequest } from '../../../cli/commands/request';
import { CliError, EXIT } from '../../../cli/output';

const events = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
const clients = () => ({ events: events as unknown as EventBridgeClient, sfn: sfn as unknown as SFNClient });
const VALID = {
  name: 'payments-prod',
  email: 'aws-payments-prod@acme.example',
  ou: 'Workloads/Prod',
  owner: 'team-payments',
};

let stdout: jest.SpyInstance;
let stderr: jest.SpyInstance;
beforeEach(() => {
  events.reset();
  sfn.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  stderr.mockRestore();
  process.exitCode = undefined;
});

describe('vendguard request', () => {
  it('puts one Account Request event with the request id and prints the id', async () => {
    const result = await runRequest({ ...VALID, costCenter: 'CC-1', requestId: 'req-7' }, clients());
    expect(result).toEqual({ requestId: 'req-7', eventId: 'ev-1', status: 'SENT' });
    const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      EventBusName: 'vendguard',
      Source: 'vendguard.requests',
      DetailType: 'Account Request',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      ...VALID,
      costCenter: 'CC-1',
      environment: 'prod',
      requestId: 'req-7',
    });
    expect(stdout).toHaveBeenCalledWith('req-7\n');
  });

  it('prints machine-readable JSON with --json', async () => {
    await runRequest({ ...VALID, json: true }, clients());
    const printed = JSON.parse(String(stdout.mock.calls[0]?.[0])) as Record<string, unknown>;
    expect(printed).toMatchObject({ status: 'SENT', eventId: 'ev-1' });
    expect(printed.requestId).toMatch(/^req-[0-9a-f]{16}$/);
  });

  it.each([
    [{ ...VALID, email: 'not-an-email' }, '--email'],
    [{ ...VALID, name: 'x' }, '--name'],
    [{ ...VALID, owner: '<script>' }, '--owner'],
    [{ ...VALID, ou: '../etc' }, '--ou'],
    [{ ...VALID, environment: 'production' }, '--environment'],
    [{ ...VALID, costCenter: '$(id)' }, '--cost-center'],
    [{ ...VALID, requestId: "x' OR 1=1" }, '--request-id'],
    [{ ...VALID, name: 'Payments-Prod' }, '--name'],
    [{ ...VALID, email: 'aws-x@evil.example' }, '--email'],
    [{ ...VALID, ou: 'Security' }, '--ou'],
  ])('rejects %o with exit 2 naming %s, and sends nothing', async (options, flag) => {
    const error = await runRequest(options, clients()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    expect((error as Error).message).toContain(`${flag}:`);
    expect(events.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('exits 3 when the bus refuses the event', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied' }] });
    await expect(runRequest(VALID, clients())).rejects.toMatchObject({ exitCode: EXIT.aws });
  });

  it('derives the environment from the OU', () => {
    expect(defaultEnvironment('Workloads/Prod')).toBe('prod');
    expect(defaultEnvironment('Sandbox')).toBe('sandbox');
    expect(defaultEnvironment('Workloads/Dev')).toBe('dev');
    expect(buildRequest({ ...VALID, ou: 'Sandbox' }).environment).toBe('sandbox');
  });
});
