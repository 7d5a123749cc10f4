import type { Command } from 'commander';
import type { OutboxMessage } from '../../sandbox/slack-outbox';
import { positiveInt } from '../options';
import { CliError, EXIT, printJson } from '../output';
import { sandboxEndpoint, sandboxGroup } from './sandbox';

/** Fetches the outbox from the sandbox's control API, newest first. */
export async function fetchAlerts(base: string, limit: number): Promise<{ alerts: OutboxMessage[]; total: number }> {
  let response: Response;
  try {
    response = await fetch(`${base}/_sandbox/alerts?limit=${limit}`);
  } catch (err) {
    throw new CliError(
      `cannot reach the sandbox at ${base} (${err instanceof Error ? err.message : String(err)}); start it with \`npm start\` or pass --endpoint-url`,
      EXIT.aws,
    );
  }
  if (!response.ok) {
    throw new CliError(
      `the sandbox at ${base} answered HTTP ${response.status} for /_sandbox/alerts: ${(await response.text()).slice(0, 300)}; is it a vendguard sandbox with the Slack outbox?`,
      EXIT.aws,
    );
  }
  return (await response.json()) as { alerts: OutboxMessage[]; total: number };
}

/** Formats the outbox for a terminal: one block per alert, newest first. */
export function formatAlerts(alerts: readonly OutboxMessage[], total: number): string {
  if (alerts.length === 0) return 'no alerts in the sandbox outbox';
  const out: string[] = [];
  for (const a of alerts) {
    const what = a.severity ? `${a.kind} ${a.severity}` : a.kind;
    out.push(
      `── ${a.receivedAt}  ${a.channel ?? '(webhook channel)'}  ${what}${a.forwarded ? `  forwarded: ${a.forwarded}` : ''}`,
    );
    out.push(a.rendered.replace(/^/gm, '   '));
    out.push('');
  }
  out.push(`${alerts.length} of ${total} alert(s), newest first`);
  return out.join('\n');
}

/** `--limit`: the outbox keeps every alert; 10,000 at once is more than a terminal shows. */
const LIMIT = positiveInt('--limit', { min: 1, max: 10_000 });

/**
 * `vendguard sandbox alerts [--json] [--limit N]`: the Slack messages the sandbox received, newest
 * first. Adds itself to the `sandbox` command group (creating the group when no other module did).
 */
export function register(program: Command): void {
  sandboxGroup(program)
    .command('alerts')
    .description('List the Slack alerts the sandbox received (its outbox), newest first, with the rendered text')
    .option('--json', 'print the outbox as JSON (blocks included)')
    .option('--limit <n>', `how many alerts to show, newest first, ${LIMIT.accepts}`, LIMIT, 20)
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard sandbox alerts
  $ vendguard sandbox alerts --limit 5
  $ vendguard sandbox alerts --json | jq '.alerts[0].blocks'
  $ vendguard --endpoint-url http://127.0.0.1:4566 sandbox alerts

Exit codes: 0 listed, 2 bad --limit, 3 the sandbox could not be reached.`,
    )
    .action(async (opts: { json?: boolean; limit: number }) => {
      const { alerts, total } = await fetchAlerts(sandboxEndpoint(), opts.limit);
      if (opts.json) return printJson({ alerts, total });
      console.log(formatAlerts(alerts, total));
    });
}
