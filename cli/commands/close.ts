import { createInterface } from 'node:readline/promises';
import { DescribeAccountCommand, ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { organizationConfig } from '../../functions/shared/config';
import { awsErrorName } from '../../functions/shared/errors';
import { CLOSING_STATE_MACHINE, closeExecutionName, refusal } from '../../functions/shared/lifecycle/close';
import { ouPathOf } from '../../functions/shared/lifecycle/org-paths';
import { redriveCommand } from '../../functions/shared/vending/failure-reasons';
import { organizationsClient } from '../../functions/shared/vending/org';
import { executionArnFor, resolveStateMachineArn, sfnClient } from '../aws';
import { failedState } from '../executions';
import { followExecution } from '../follow';
import { positiveInt } from '../options';
import { CliError, EXIT, formatDuration, printJson, progress } from '../output';

export interface CloseOptions {
  readonly account: string;
  readonly yes?: boolean;
  readonly wait?: boolean;
  readonly json?: boolean;
  readonly pollMs?: number;
  readonly timeout?: number;
}

/** What `vendguard close` reports (`--json`). */
export interface CloseResult {
  readonly accountId: string;
  readonly accountName: string;
  readonly fromOu: string;
  readonly executionArn: string;
  /** STARTED (not waited for), ALREADY_STARTED, or the execution's status with `--wait`. */
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly failedState?: string;
  readonly redriveCommand?: string;
}

export interface CloseClients {
  readonly org: OrganizationsClient;
  readonly sfn: SFNClient;
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot ${what}: ${(err as Error).name}: ${(err as Error).message}`, EXIT.aws);
  }
}

/** The account an `--account` names: a 12-digit id, or the name of exactly one account. */
export async function resolveAccount(org: OrganizationsClient, ref: string) {
  if (/^\d{12}$/.test(ref)) {
    try {
      return (await org.send(new DescribeAccountCommand({ AccountId: ref }))).Account ?? {};
    } catch (err) {
      if (awsErrorName(err) === 'AccountNotFoundException') {
        throw new CliError(`--account: ${ref} is not an account of the organization`, EXIT.usage);
      }
      throw new CliError(`cannot describe account ${ref}: ${(err as Error).message}`, EXIT.aws);
    }
  }
  const matches = [];
  let NextToken: string | undefined;
  do {
    const page = await call('list the accounts', () => org.send(new ListAccountsCommand({ NextToken })));
    for (const a of page.Accounts ?? []) if (a.Name === ref) matches.push(a);
    NextToken = page.NextToken;
  } while (NextToken);
  if (matches.length !== 1) {
    throw new CliError(
      `--account: ${matches.length ? `${matches.length} accounts are named ${ref}; give the id` : `no account is named ${ref}`}`,
      EXIT.usage,
    );
  }
  return matches[0]!;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Runs `vendguard close`: checks the account (exit 2 and nothing changed for a core account, one
 * outside vendguard's OUs, one already closed), asks for confirmation, starts the closing execution
 * (one per account), and follows it with `--wait`.
 */
export async function runClose(
  options: CloseOptions,
  clients: CloseClients = { org: organizationsClient(), sfn: sfnClient() },
): Promise<CloseResult> {
  const config = organizationConfig();
  const account = await resolveAccount(clients.org, options.account);
  const accountId = account.Id ?? options.account;
  const { path } = await call(`find the OU of ${accountId}`, () => ouPathOf(clients.org, accountId));
  const why = refusal(config, { id: accountId, email: account.Email ?? '', status: account.Status }, path);
  if (why) throw new CliError(`${why}; nothing was changed`, EXIT.usage);
  const name = account.Name ?? accountId;
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new CliError(`closing ${name} (${accountId}) cannot be undone after 90 days: pass --yes`, EXIT.usage);
    }
    const ok = await confirm(`close ${name} (${accountId}, ${path})? This cannot be undone after 90 days [y/N] `);
    if (!ok) throw new CliError('not confirmed; nothing was changed', EXIT.usage);
  }
  const stateMachineArn = await call('find the closing state machine', () =>
    resolveStateMachineArn(clients.sfn, CLOSING_STATE_MACHINE),
  );
  const executionName = closeExecutionName(accountId);
  const executionArn = executionArnFor(stateMachineArn, executionName);
  let status = 'STARTED';
  try {
    await clients.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify({ accountId }) }),
    );
  } catch (err) {
    if (awsErrorName(err) !== 'ExecutionAlreadyExists') {
      throw new CliError(`cannot start the closure: ${(err as Error).name}: ${(err as Error).message}`, EXIT.aws);
    }
    status = 'ALREADY_STARTED';
  }
  if (!options.json) progress(`closing ${name} (${accountId}, from ${path}) as execution ${executionName}`);
  let result: CloseResult = { accountId, accountName: name, fromOu: path, executionArn, status };
  if (options.wait) {
    const followed = await followExecution(clients.sfn, executionArn, {
      pollMs: options.pollMs ?? 1000,
      timeoutMs: (options.timeout ?? 3600) * 1000,
      onState: (span) => {
        if (options.json || span.type === 'Pass' || span.type === 'Choice') return;
        progress(
          `  ${span.name.padEnd(18)} ${(span.status === 'failed' ? 'failed' : 'ok').padEnd(6)} ${formatDuration(span.durationMs ?? Number.NaN)}`,
        );
      },
    });
    const ended = followed.status !== 'SUCCEEDED' && followed.status !== 'RUNNING';
    const failed = failedState(followed.spans);
    result = {
      ...result,
      status: followed.status,
      ...(ended && followed.error ? { error: followed.error } : {}),
      ...(ended && followed.cause ? { cause: followed.cause } : {}),
      ...(ended && failed ? { failedState: failed.name } : {}),
      ...(ended ? { redriveCommand: redriveCommand(executionName) } : {}),
    };
    if (ended || followed.status === 'RUNNING') process.exitCode = EXIT.failed;
  }
  if (options.json) printJson(result);
  else if (result.status === 'SUCCEEDED') process.stdout.write(`account ${name} (${accountId}) closed\n`);
  else if (result.error) {
    process.stdout.write(
      `closing ${result.status}: ${result.error}\n  cause:   ${result.cause ?? '-'}\n  state:   ${result.failedState ?? '-'}\n  redrive: ${result.redriveCommand}\n`,
    );
  } else process.stdout.write(`${executionArn}\n`);
  return result;
}

const POLL_MS = positiveInt('--poll-ms', { min: 100, max: 60_000, unit: 'milliseconds' });
const TIMEOUT = positiveInt('--timeout', { min: 1, max: 31_536_000, unit: 'seconds' });

export function register(program: Command): void {
  program
    .command('close')
    .description(
      'Close a vended account: move it to the suspended OU (deny-all), remove its baseline (its VPC, IPAM range and attachment go too), CloseAccount, announce',
    )
    .requiredOption('--account <id|name>', 'the account: its 12-digit id or its name')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--wait', 'follow the closing execution state by state until it ends')
    .option(
      '--json',
      'print {accountId, accountName, fromOu, executionArn, status, error?, cause?, failedState?, redriveCommand?}',
    )
    .option('--poll-ms <ms>', `time between polls with --wait: ${POLL_MS.accepts}`, POLL_MS, 1000)
    .option(
      '--timeout <seconds>',
      `stop waiting after this long (the closure goes on): ${TIMEOUT.accepts}`,
      TIMEOUT,
      3600,
    )
    .addHelpText(
      'after',
      `
Refuses, with exit 2 and nothing changed: a core account of the config, the management account, an
account outside vending.allowedOus (and not already in lifecycle.suspendedOu), one already closed.
Over AWS's closure quota the execution waits lifecycle.closeRetryHours and tries again.

Examples:
  $ vendguard close --account payments-dev --yes --wait
  $ vendguard close --account 123456789012 --yes --json

Exit codes: 0 started (or closed, with --wait), 1 the closure failed (error, cause and redrive command
printed) or is still running after --timeout, 2 refused or not confirmed (nothing changed), 3 AWS or
the sandbox could not be reached.`,
    )
    .action(async (opts: CloseOptions) => {
      await runClose(opts);
    });
}
