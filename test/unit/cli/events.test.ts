import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ResourceNotFoundException,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { replayEvents } from '../../../cli/commands/events';
import { EXIT } from '../../../cli/output';

const events = mockClient(EventBridgeClient);
const client = events as unknown as EventBridgeClient;
const NOW = Date.UTC(2026, 10, 26, 12);
const DEPLOYED = 'arn:aws:events:eu-west-1:111122223333:rule/vendguard/vendguard-igw-created';
const notFound = () => new ResourceNotFoundException({ message: 'Rule does not exist.', $metadata: {} });

let stderr: jest.SpyInstance;
beforeEach(() => {
  events.reset();
  events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:aws:events:eu-west-1:111122223333:archive/a' });
  events.on(DescribeEventBusCommand).resolves({ Arn: 'arn:aws:events:eu-west-1:111122223333:event-bus/vendguard' });
  events.on(StartReplayCommand).resolves({});
  events.on(DescribeReplayCommand).resolves({ State: 'STARTING' });
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

const options = (rule: string[]) => ({
  from: { agoMs: 2 * 3_600_000 },
  rule,
  archive: 'vendguard-archive',
  bus: 'vendguard',
  name: 'r1',
  wait: false,
});

describe('vendguard events replay --rule', () => {
  it('finds a rule by its file name under its deployed name vendguard-<name>', async () => {
    events.on(DescribeRuleCommand, { Name: 'igw-created' }).rejects(notFound());
    events.on(DescribeRuleCommand, { Name: 'vendguard-igw-created' }).resolves({ Arn: DEPLOYED });
    await replayEvents(options(['igw-created']), client, NOW);
    const start = events.commandCalls(StartReplayCommand)[0]?.args[0].input;
    expect(start?.Destination?.FilterArns).toEqual([DEPLOYED]);
  });

  it('is a usage error, before any replay starts, when neither name exists', async () => {
    events.on(DescribeRuleCommand).rejects(notFound());
    await expect(replayEvents(options(['no-such-rule']), client, NOW)).rejects.toMatchObject({
      exitCode: EXIT.usage,
      message: 'no rule no-such-rule on bus vendguard',
    });
    expect(events.commandCalls(DescribeRuleCommand).map((c) => c.args[0].input.Name)).toEqual([
      'no-such-rule',
      'vendguard-no-such-rule',
    ]);
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);
  });
});
