import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { deployedRuleName } from '../../events/rules';
import { awsClient } from '../../functions/shared/aws';
import { listRejected, type RejectedDelivery } from '../../functions/shared/guardrails/rejected';
import { eventsClient } from '../aws';
import { endpointNow } from '../clock';
import { type PointInTime, pointInTime, resolveTime } from '../options';
import { CliError, EXIT, print, printJson, progress, table } from '../output';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/**
 * `--from` and `--to`: an ISO time, or a duration ago up to ten years (an archive may keep its
 * events indefinitely; EventBridge archives began in 2020).
 */
const FROM = pointInTime('--from', { maxAgo: '3650d' });
const TO = pointInTime('--to', { maxAgo: '3650d' });

/**
 * The ARN of a rule on a bus, by its file name (`igw-created`) or its deployed name
 * (`vendguard-igw-created`), so one `--rule` works against the sandbox and AWS alike.
 */
async function ruleArn(client: EventBridgeClient, rule: string, bus: string): Promise<string | undefined> {
  const names = rule.startsWith(deployedRuleName('')) ? [rule] : [rule, deployedRuleName(rule)];
  for (const name of names) {
    try {
      return (await client.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }))).Arn;
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
  }
  throw new CliError(`no rule ${rule} on bus ${bus}`, EXIT.usage);
}

export interface ReplayOptions {
  from: PointInTime;
  /** @default now */
  to?: PointInTime;
  rule?: string[];
  archive: string;
  bus: string;
  name?: string;
  wait: boolean;
  json?: boolean;
  /** How often the replay is polled. @default 500 */
  pollMs?: number;
}

/** What a finished (or started, with `--no-wait`) replay reports. */
export interface EventReplayResult {
  readonly replayName: string;
  readonly state?: string;
  readonly reason?: string;
  readonly eventLastReplayedTime?: Date;
  readonly rules: readonly string[];
}

/**
 * Runs `vendguard events replay`: resolves the archive, bus and rules (an unknown one is a usage
 * error before anything starts), starts the replay and follows it to its end.
 *
 * @param now - "now" of the endpoint (the sandbox clock runs ahead of wall time)
 */
export async function replayEvents(
  opts: ReplayOptions,
  client: EventBridgeClient,
  now: number,
): Promise<EventReplayResult> {
  const from = resolveTime(opts.from, now);
  const to = opts.to ? resolveTime(opts.to, now) : new Date(now);
  if (from >= to)
    throw new CliError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`, EXIT.usage);
  const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: opts.archive })).catch((err: unknown) => {
    if ((err as Error).name === 'ResourceNotFoundException')
      throw new CliError(`no archive named ${opts.archive}`, EXIT.usage);
    throw err;
  });
  const bus = await client.send(new DescribeEventBusCommand({ Name: opts.bus }));
  const filterArns: string[] = [];
  for (const rule of opts.rule ?? []) {
    const arn = await ruleArn(client, rule, opts.bus);
    if (arn) filterArns.push(arn);
  }
  const replayName = opts.name ?? `vendguard-replay-${Date.now()}`;
  await client.send(
    new StartReplayCommand({
      ReplayName: replayName,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: from,
      EventEndTime: to,
      Destination: { Arn: bus.Arn, ...(filterArns.length ? { FilterArns: filterArns } : {}) },
    }),
  );
  progress(
    `replay ${replayName}: ${from.toISOString()} → ${to.toISOString()}${filterArns.length ? ` to ${opts.rule?.join(', ')}` : ''}`,
  );
  let state = 'STARTING';
  let described = await client.send(new DescribeReplayCommand({ ReplayName: replayName }));
  while (opts.wait && !TERMINAL.has(described.State ?? '')) {
    if (described.State !== state) progress(`  ${described.State}`);
    state = described.State ?? state;
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 500));
    described = await client.send(new DescribeReplayCommand({ ReplayName: replayName }));
  }
  const result = {
    replayName,
    state: described.State,
    reason: described.StateReason,
    eventLastReplayedTime: described.EventLastReplayedTime,
    rules: opts.rule ?? [],
  };
  if (!opts.json) progress(`  ${described.State}${described.StateReason ? `: ${described.StateReason}` : ''}`);
  return result;
}

/** The rejected deliveries of the guardrails, newest first (`vendguard events rejected`). */
export async function rejectedEvents(
  dynamodb: DynamoDBClient = awsClient(DynamoDBClient),
): Promise<RejectedDelivery[]> {
  try {
    return await listRejected(dynamodb, process.env.VENDGUARD_STATE_TABLE ?? 'vendguard-state');
  } catch (err) {
    throw new CliError(`cannot list the rejected events: ${(err as Error).name}: ${(err as Error).message}`, EXIT.aws);
  }
}

export function register(program: Command): void {
  const events = program.command('events').description('Work with the archived guardrail and vending events');
  events
    .command('rejected')
    .description(
      'List the deliveries the guardrails rejected as malformed (kept 30 days in the state table), newest first',
    )
    .option('--json', 'print them as JSON, with a sample of each delivery')
    .addHelpText(
      'after',
      `
Each row is one distinct delivery: the function that rejected it, how many times it came, the
eventID it carried and why it was rejected (the field and the reason). Nothing was done for it.
Exit codes: 0 listed (none is not an error), 3 the state table could not be read.`,
    )
    .action(async (opts: { json?: boolean }) => {
      const rejected = await rejectedEvents();
      if (opts.json) return printJson(rejected);
      if (!rejected.length) return print('no delivery was rejected in the last 30 days');
      print(
        table(rejected, {
          'last seen': (r) => r.lastSeen,
          function: (r) => r.function,
          deliveries: (r) => String(r.deliveries),
          'event id': (r) => (r.eventId ?? '-').slice(0, 40),
          reason: (r) => r.reason.slice(0, 160),
        }),
      );
      const total = rejected.reduce((n, r) => n + r.deliveries, 0);
      print(`${rejected.length} rejected ${rejected.length === 1 ? 'delivery' : 'deliveries'}, ${total} in all`);
    });
  events
    .command('replay')
    .description(
      'Replay archived events (EventBridge StartReplay) to the rules of the bus and follow the replay to its end',
    )
    .requiredOption('--from <time>', `start of the window (e.g. 2h): ${FROM.accepts}`, FROM)
    .option('--to <time>', `end of the window (default: now): ${TO.accepts}`, TO)
    .option('--rule <name...>', 'only deliver to these rules (default: every rule of the bus)')
    .option('--archive <name>', 'the archive', 'vendguard-archive')
    .option('--bus <name>', 'the bus the archive belongs to', 'vendguard')
    .option('--name <name>', 'replay name (default: vendguard-replay-<time>)')
    .option('--no-wait', 'start the replay and return')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard events replay --from 2h --rule igw-created igw-attached
  $ vendguard events replay --from 2026-11-26T09:00:00Z --to 2026-11-26T10:00:00Z --json

Guardrails are idempotent per CloudTrail event: a replayed event whose violation is already fixed
changes nothing; one whose resource came back (e.g. a recreated gateway) is remediated again.
Exit codes: 0 replayed (or started, with --no-wait), 1 the replay failed or was cancelled, 2 a bad
option, archive or rule (nothing was replayed), 3 AWS or the sandbox could not be reached.`,
    )
    .action(async (opts: ReplayOptions) => {
      const result = await replayEvents(opts, eventsClient(), await endpointNow());
      if (opts.json) printJson(result);
      if (result.state === 'FAILED' || result.state === 'CANCELLED') process.exitCode = EXIT.failed;
    });
}
