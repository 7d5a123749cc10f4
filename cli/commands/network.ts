import type { Command } from 'commander';
import type { ConvergeResult } from '../../functions/shared/network/converge';
import { positiveInt } from '../options';
import { CliError, EXIT, print, printJson } from '../output';
import { invokeDeployed } from './invoke';

/** One pass's answer: a result, or "still settling" with why. */
type ConvergePass = ConvergeResult | { status: 'RUNNING'; reason: string };

/** The pass as lines: each core account's instances, then each wiring with what changed. */
export function formatConverge(result: ConvergePass): string {
  if (!('coreAccounts' in result)) return `RUNNING  ${result.reason}`;
  const lines = [`${result.status}  Transit Gateway ${result.transitGatewayId}`];
  for (const account of result.coreAccounts) {
    for (const i of account.instances) {
      lines.push(
        `  ${account.role.padEnd(7)} ${account.name} (${account.accountId})  ${i.stackSet}  ${i.status}${i.reason ? `: ${i.reason}` : ''}`,
      );
    }
    if (account.attachmentId) lines.push(`  ${account.role.padEnd(7)} attachment ${account.attachmentId}`);
  }
  for (const w of result.wiring) lines.push(`  ${w.change.padEnd(14)} ${w.what}`);
  for (const f of result.failures) lines.push(`  FAILED  ${f}`);
  return lines.join('\n');
}

/** One invocation of the deployed `network-converge` function. */
async function pass(): Promise<ConvergePass> {
  const out = await invokeDeployed('network-converge', {});
  if (out.functionError) {
    const payload = out.payload as { errorType?: string; errorMessage?: string } | null;
    throw new CliError(
      `network converge failed: ${payload?.errorType ?? out.functionError}: ${payload?.errorMessage ?? ''}`,
      EXIT.failed,
    );
  }
  return out.payload as ConvergePass;
}

const POLL_MS = positiveInt('--poll-ms', { min: 100, max: 60_000, unit: 'milliseconds' });
const TIMEOUT = positiveInt('--timeout', { min: 1, max: 86_400, unit: 'seconds' });

export interface ConvergeOptions {
  readonly wait?: boolean;
  readonly json?: boolean;
  readonly pollMs?: number;
  readonly timeout?: number;
}

/** Runs passes until SUCCEEDED or FAILED (`--wait`), or one pass; prints progress and the result. */
export async function runConverge(options: ConvergeOptions): Promise<ConvergePass> {
  const deadline = Date.now() + (options.timeout ?? 1800) * 1000;
  let result = await pass();
  while (options.wait && result.status === 'RUNNING' && Date.now() < deadline) {
    if (!options.json) process.stderr.write(`${formatConverge(result).split('\n')[0]}\n`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 5000));
    result = await pass();
  }
  if (options.json) printJson(result);
  else print(formatConverge(result));
  if (result.status === 'FAILED') process.exitCode = EXIT.failed;
  else if (result.status === 'RUNNING' && options.wait) process.exitCode = EXIT.failed;
  return result;
}

export function register(program: Command): void {
  const network = program
    .command('network')
    .description('The network (docs/network.md): IPAM pools, the Transit Gateway, the egress and bastion VPCs');
  network
    .command('converge')
    .description(
      'Deploy the egress and bastion VPCs with the gateway id and wire the core routes (default routes to egress, bastion into production); idempotent',
    )
    .option('--wait', 'call again until every instance is deployed and every route wired')
    .option('--json', 'print the last pass as JSON: {status, transitGatewayId, coreAccounts, wiring, failures}')
    .option('--poll-ms <ms>', `time between passes with --wait: ${POLL_MS.accepts}`, POLL_MS, 5000)
    .option('--timeout <seconds>', `stop waiting after this long: ${TIMEOUT.accepts}`, TIMEOUT, 1800)
    .addHelpText(
      'after',
      `
Run it once after deploying the VendguardNetwork stack (npm start does), and again whenever the gateway
or the egress/bastion templates change. Each pass invokes the deployed vendguard-network-converge
function, which works through the network account's operator role.

Examples:
  $ vendguard network converge --wait
  $ vendguard network converge --json | jq '.wiring[] | select(.change != "unchanged")'

Exit codes: 0 converged (or, without --wait, a pass that is still running), 1 a stack instance or a
wiring failed, or --wait timed out, 2 usage, 3 the endpoint could not be reached.`,
    )
    .action(async (opts: ConvergeOptions) => {
      await runConverge(opts);
    });
}
