import type { Command } from 'commander';
import { positiveInt } from '../options';
import { CliError, EXIT } from '../output';

/**
 * `vendguard sandbox credentials|status`: talks to a running sandbox's control API.
 */

interface CredentialsReply {
  accountId: string;
  arn: string;
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: string;
}

/** The sandbox endpoint: `--endpoint-url`, `AWS_ENDPOINT_URL`, `VENDGUARD_SANDBOX_PORT`, or `http://127.0.0.1:4566`. */
export function sandboxEndpoint(): string {
  const fromEnv = process.env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  return `http://127.0.0.1:${process.env.VENDGUARD_SANDBOX_PORT ?? 4566}`;
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const endpoint = sandboxEndpoint();
  let res: Response;
  try {
    res = await fetch(`${endpoint}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
  } catch (err) {
    throw new CliError(
      `no sandbox reachable at ${endpoint} (start one with \`npm start\`): ${(err as Error).message}`,
      EXIT.aws,
    );
  }
  const json = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) {
    const message = json.message ?? `sandbox answered ${res.status} for ${method} ${path}`;
    throw new CliError(message, res.status >= 400 && res.status < 500 ? EXIT.usage : EXIT.aws);
  }
  return json;
}

/** One deployed stack as `GET /_sandbox/stacks` returns it. */
interface StackLine {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly status: string;
  readonly reason?: string;
  readonly resources: number;
}

/** One traced event as `GET /_sandbox/bus-events` returns it. */
export interface TracedEvent {
  readonly account: string;
  readonly region: string;
  readonly bus: string;
  readonly event: { id: string; source: string; 'detail-type': string; account: string; region: string; time: string };
  readonly rules: { name: string; targets: { arn: string; outcome: string }[] }[];
}

/** The trace of an event as a table: one row per rule target. */
export function formatTrace(t: TracedEvent): string {
  const e = t.event;
  const lines = [
    `event ${e.id}: ${e.source} · ${e['detail-type']} from ${e.account}/${e.region} at ${e.time}`,
    `received by bus ${t.bus} in ${t.account}/${t.region}`,
  ];
  if (t.rules.length === 0) return [...lines, 'no rule of that bus matched it'].join('\n');
  const rows = t.rules.flatMap((r) =>
    r.targets.length === 0
      ? [[r.name, '(no target)', '']]
      : r.targets.map((target) => [r.name, target.arn, target.outcome]),
  );
  const width = (i: number) =>
    Math.max(...[['rule', 'target', 'outcome'], ...rows].map((row) => (row[i] ?? '').length));
  const fmt = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(width(i)))
      .join('  ')
      .trimEnd();
  return [...lines, '', fmt(['rule', 'target', 'outcome']), ...rows.map(fmt)].join('\n');
}

/**
 * The whole path of an event: one table per bus it reached, in order (a member's default bus, then
 * the hub's central bus along the forwarding rule).
 */
export function formatTraces(hops: readonly TracedEvent[]): string {
  if (hops.length === 1) return formatTrace(hops[0] as TracedEvent);
  return hops.map((t, i) => `hop ${i + 1} of ${hops.length}\n${formatTrace(t)}`).join('\n\n');
}

/** Shell `export` lines for a credentials reply. */
export function exportLines(c: CredentialsReply): string {
  return [
    `export AWS_ENDPOINT_URL=${c.endpoint}`,
    // AWS_DEFAULT_REGION too: the AWS CLI v1 reads only that one
    `export AWS_REGION=${c.region} AWS_DEFAULT_REGION=${c.region}`,
    `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
    `export AWS_SESSION_TOKEN=${c.sessionToken}`,
    `# acting as ${c.arn}${c.expiration ? ` until ${c.expiration} (sandbox clock)` : ''}`,
  ].join('\n');
}

/** `--duration-seconds`: what STS AssumeRole takes (the role's MaxSessionDuration may allow less). */
const DURATION_SECONDS = positiveInt('--duration-seconds', { min: 900, max: 43_200, unit: 'seconds' });

/** The `sandbox` command group, created by the first module that asks for it. */
export function sandboxGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'sandbox') ??
    program.command('sandbox').description('Work with the local sandbox (npm start)')
  );
}

export function register(program: Command): void {
  const sandbox = sandboxGroup(program);
  sandbox
    .command('credentials')
    .description('Print environment variables that act as a role in a sandbox account')
    .requiredOption('--account <name|id>', 'account name from the config (egress) or 12-digit id')
    .option('--role <role>', 'role name (default: the config accountAccessRoleName)')
    .option('--session <name>', 'role session name', 'sandbox-cli')
    .option(
      '--duration-seconds <n>',
      `session length on the sandbox clock: ${DURATION_SECONDS.accepts}, at most the role's MaxSessionDuration (default 3600)`,
      DURATION_SECONDS,
    )
    .option('--json', 'print JSON instead of export lines')
    .addHelpText(
      'after',
      `
Examples:
  $ eval "$(vendguard sandbox credentials --account payments-dev --role Developer)"
  $ vendguard sandbox credentials --account 100000000005 --json

The credentials act as arn:aws:sts::<account>:assumed-role/<role>/<session>: calls made with them
show that principal in CloudTrail, are authorized by that role's policies and the account's SCPs,
and expire like an AssumeRole session on the sandbox clock (at time scale 600, 3600 simulated
seconds last 6 real seconds: ask for --duration-seconds 43200 where the role allows it).
Exit codes: 0 printed, 2 unknown account or role, or a bad --duration-seconds, 3 the sandbox could not be reached.`,
    )
    .action(
      async (opts: { account: string; role?: string; session: string; durationSeconds?: number; json?: boolean }) => {
        const { durationSeconds } = opts;
        const reply = (await control('POST', '/_sandbox/credentials', {
          account: opts.account,
          role: opts.role,
          session: opts.session,
          ...(durationSeconds !== undefined ? { durationSeconds } : {}),
        })) as CredentialsReply;
        console.log(opts.json ? JSON.stringify(reply, null, 2) : exportLines(reply));
      },
    );
  sandbox
    .command('trace')
    .description('Show where an event went: the bus that received it, the rules that matched, each target')
    .argument('<event-id>', 'the id of an event (PutEvents EventId, a finding eventId, an archived event id)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard sandbox trace 7d5dd4d4-343e-404e-a061-0f1b28509a40
  $ vendguard sandbox trace 7d5dd4d4-343e-404e-a061-0f1b28509a40 --json

An event forwarded from bus to bus keeps its id: each bus it reached is one hop (a member account's
default bus, then the hub's vendguard bus along the baseline's forwarding rule), shown in order.
Outcomes: delivered, failed (every retry failed: see the dead letters), dropped (EventBridge was
not allowed to deliver it: the target bus's policy or the rule's role refused; counted in the rule's
FailedInvocations, GET /_sandbox/rule-metrics), pending (the delivery is still running). An event
no rule matched lists no rules.
The sandbox keeps the last 5,000 events (GET /_sandbox/bus-events).
Exit codes: 0 shown, 2 the sandbox keeps no event with that id, 3 the sandbox could not be reached.`,
    )
    .action(async (eventId: string, opts: { json?: boolean }) => {
      const reply = (await control('GET', `/_sandbox/bus-events?eventId=${encodeURIComponent(eventId)}`)) as {
        events: TracedEvent[];
      };
      if (reply.events.length === 0) throw new CliError(`the sandbox keeps no event with id ${eventId}`, EXIT.usage);
      if (opts.json) {
        console.log(JSON.stringify({ events: reply.events }, null, 2));
        return;
      }
      console.log(formatTraces(reply.events));
    });
  sandbox
    .command('status')
    .description('Show whether a sandbox is running, its clock, seed, faults and deployed CloudFormation stacks')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard sandbox status
  $ vendguard --endpoint-url http://127.0.0.1:4566 sandbox status --json

Exit codes: 0 running, 3 no sandbox answers at the endpoint.`,
    )
    .action(async (opts: { json?: boolean }) => {
      const health = (await control('GET', '/_sandbox/health')) as Record<string, unknown>;
      const faults = (await control('GET', '/_sandbox/faults')) as { faults: unknown[] };
      const { stacks } = (await control('GET', '/_sandbox/stacks')) as { stacks: StackLine[] };
      if (opts.json) {
        console.log(JSON.stringify({ ...health, faults: faults.faults, stacks }, null, 2));
        return;
      }
      console.log(
        [
          `sandbox ${String(health.status)} at ${String(health.endpoint)}`,
          `  home ${String(health.home)}`,
          `  simulated time ${String(health.time)} (scale ${String(health.timeScale)}x), seed ${String(health.seed)}`,
          `  requests served ${String(health.requests)}, faults in force ${faults.faults.length}`,
          `  stacks ${stacks.length}${stacks.length ? ':' : ''}`,
          ...stacks.map(
            (s) =>
              `    ${s.name.padEnd(28)} ${s.account} ${s.region.padEnd(14)} ${s.status.padEnd(20)} ${s.resources} resources${s.reason ? `  (${s.reason})` : ''}`,
          ),
        ].join('\n'),
      );
    });
}
