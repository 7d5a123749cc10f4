import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { organizationConfig } from '../../functions/shared/config';
import { zodIssues } from '../../functions/shared/errors';
import {
  ACCOUNT_REQUEST_DETAIL_TYPE,
  ACCOUNT_REQUEST_SOURCE,
  type AccountRequest,
  AccountRequestSchema,
} from '../../functions/shared/schemas/account-request';
import { redriveCommand } from '../../functions/shared/vending/failure-reasons';
import { requestIdFor, VENDING_STATE_MACHINE } from '../../functions/shared/vending/plan';
import { configIssues } from '../../functions/vend-validate-request/validate';
import { eventsClient, executionArnFor, resolveStateMachineArn, sfnClient } from '../aws';
import { accountIdIn, failedState } from '../executions';
import { followExecution } from '../follow';
import { positiveInt } from '../options';
import { CliError, EXIT, formatDuration, printJson, progress } from '../output';

/** Options of `vendguard request`. */
export interface RequestOptions {
  readonly name?: string;
  readonly email?: string;
  readonly ou?: string;
  readonly owner?: string;
  readonly costCenter?: string;
  readonly environment?: string;
  readonly requestId?: string;
  /** The VPC's size (`/16` to `/24`) for an OU that gets one. */
  readonly vpcNetmaskLength?: number;
  readonly wait?: boolean;
  readonly json?: boolean;
  /** Real milliseconds between polls with `--wait`. */
  readonly pollMs?: number;
  /** Give up waiting after this many real seconds. */
  readonly timeoutSeconds?: number;
}

/** What `vendguard request` reports (`--json`). */
export interface RequestResult {
  readonly requestId: string;
  readonly eventId?: string;
  readonly executionArn?: string;
  readonly status: 'SENT' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'RUNNING';
  readonly accountId?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly failedState?: string;
  readonly redriveCommand?: string;
  readonly states?: readonly { name: string; durationMs?: number; status: string }[];
}

/** The environment of an OU when none is given: the last path segment when it names one, else dev. */
export function defaultEnvironment(ou: string | undefined): string {
  const last = ou?.split('/').pop()?.toLowerCase();
  return last === 'prod' || last === 'staging' || last === 'sandbox' ? last : 'dev';
}

/** Builds and validates the request from the options; a usage error names every bad field. */
export function buildRequest(options: RequestOptions): AccountRequest & { requestId: string } {
  const raw = {
    name: options.name,
    email: options.email,
    ou: options.ou,
    owner: options.owner,
    ...(options.costCenter !== undefined ? { costCenter: options.costCenter } : {}),
    environment: options.environment ?? defaultEnvironment(options.ou),
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    ...(options.vpcNetmaskLength !== undefined ? { vpcNetmaskLength: options.vpcNetmaskLength } : {}),
  };
  const parsed = AccountRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = zodIssues(parsed.error)
      .map((i) => `--${i.path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) || 'request'}: ${i.message}`)
      .join('; ');
    throw new CliError(`the account request is invalid (nothing was sent): ${detail}`, EXIT.usage);
  }
  // The organization rules that need no AWS call (allowed OU, name pattern, email domain) are
  // checked here too, so a request the state machine would reject is never sent.
  const issues = configIssues(parsed.data, organizationConfig());
  if (issues.length) {
    const detail = issues
      .map((i) => `--${i.path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`)
      .join('; ');
    throw new CliError(`the account request is invalid (nothing was sent): ${detail}`, EXIT.usage);
  }
  return { ...parsed.data, requestId: requestIdFor(parsed.data) };
}

/** Puts the `Account Request` event on the central bus; returns its event id. */
export async function putRequest(
  events: EventBridgeClient,
  request: AccountRequest,
  detailType: string = ACCOUNT_REQUEST_DETAIL_TYPE,
): Promise<string | undefined> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
          Source: ACCOUNT_REQUEST_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(request),
        },
      ],
    }),
  );
  const entry = out.Entries?.[0];
  if (out.FailedEntryCount || entry?.ErrorCode) {
    throw new CliError(
      `PutEvents refused the request: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
      EXIT.aws,
    );
  }
  return entry?.EventId;
}

/** Runs `vendguard request`: validate, put the event, optionally follow the execution. */
export async function runRequest(
  options: RequestOptions,
  clients: { events: EventBridgeClient; sfn: SFNClient } = { events: eventsClient(), sfn: sfnClient() },
): Promise<RequestResult> {
  const request = buildRequest(options);
  const { requestId } = request;
  const eventId = await putRequest(clients.events, request);
  return reportRequest(requestId, eventId, options, clients.sfn);
}

/**
 * After an `Account Request` (or an enrollment) was put: prints what was sent, or follows its
 * execution state by state with `--wait` and reports how it ended (exit code 1 when it failed).
 */
export async function reportRequest(
  requestId: string,
  eventId: string | undefined,
  options: Pick<RequestOptions, 'wait' | 'json' | 'pollMs' | 'timeoutSeconds'>,
  sfn: SFNClient,
): Promise<RequestResult> {
  const clients = { sfn };
  if (!options.json)
    progress(`request ${requestId} sent (event ${eventId ?? '?'}); vending runs as execution ${requestId}`);
  if (!options.wait) {
    const result: RequestResult = { requestId, ...(eventId ? { eventId } : {}), status: 'SENT' };
    if (options.json) printJson(result);
    else process.stdout.write(`${requestId}\n`);
    return result;
  }
  const stateMachineArn = await resolveStateMachineArn(clients.sfn, VENDING_STATE_MACHINE);
  const executionArn = executionArnFor(stateMachineArn, requestId);
  const followed = await followExecution(clients.sfn, executionArn, {
    pollMs: options.pollMs ?? 1000,
    timeoutMs: (options.timeoutSeconds ?? 3600) * 1000,
    onState: (span) => {
      if (options.json || span.type === 'Pass' || span.type === 'Choice') return;
      const mark = span.status === 'failed' ? 'failed' : 'ok';
      progress(`  ${span.name.padEnd(20)} ${mark.padEnd(6)} ${formatDuration(span.durationMs ?? Number.NaN)}`);
    },
  });
  const failed = failedState(followed.spans);
  const status = followed.status as RequestResult['status'];
  const accountId = accountIdIn(followed.output);
  const result: RequestResult = {
    requestId,
    ...(eventId ? { eventId } : {}),
    executionArn,
    status,
    ...(accountId ? { accountId } : {}),
    ...(status !== 'SUCCEEDED' && followed.error ? { error: followed.error } : {}),
    ...(status !== 'SUCCEEDED' && followed.cause ? { cause: followed.cause } : {}),
    ...(status !== 'SUCCEEDED' && status !== 'RUNNING' && failed ? { failedState: failed.name } : {}),
    ...(status !== 'SUCCEEDED' && status !== 'RUNNING' ? { redriveCommand: redriveCommand(requestId) } : {}),
    states: followed.spans.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
    })),
  };
  if (options.json) printJson(result);
  else if (status === 'SUCCEEDED')
    process.stdout.write(`account ${accountId ?? '?'} vended for request ${requestId}\n`);
  else if (status === 'RUNNING') process.stdout.write(`still running after the timeout: ${executionArn}\n`);
  else {
    process.stdout.write(
      [
        `vending ${status}: ${result.error ?? 'unknown error'}`,
        `  cause:   ${result.cause ?? '-'}`,
        `  state:   ${result.failedState ?? '-'}`,
        `  redrive: ${result.redriveCommand}`,
        '',
      ].join('\n'),
    );
  }
  if (status !== 'SUCCEEDED' && status !== 'RUNNING') process.exitCode = EXIT.failed;
  return result;
}

/** `--poll-ms`: fast enough to show each state as it ends, slow enough not to be throttled. */
/** `--vpc-netmask-length`: what the network baseline can split into its four subnets. */
const VPC_NETMASK = positiveInt('--vpc-netmask-length', { min: 16, max: 24 });
const POLL_MS = positiveInt('--poll-ms', { min: 100, max: 60_000, unit: 'milliseconds' });
/** `--timeout`: up to a year, the longest a Standard execution runs. */
const TIMEOUT = positiveInt('--timeout', { min: 1, max: 31_536_000, unit: 'seconds' });

export function register(program: Command): void {
  program
    .command('request')
    .description('Request an account: puts an Account Request event on the central bus, which starts vending')
    .requiredOption('--name <name>', 'account name, e.g. payments-prod')
    .requiredOption('--email <email>', 'root email of the account (an allowed domain)')
    .requiredOption('--ou <path>', 'target OU path, e.g. Workloads/Prod')
    .requiredOption('--owner <team>', 'owning team, e.g. team-payments')
    .option('--cost-center <cc>', 'cost center tag')
    .option('--environment <env>', 'prod | staging | dev | sandbox (default: from the OU name, else dev)')
    .option('--request-id <id>', 'idempotency key (default: derived from the email)')
    .option(
      '--vpc-netmask-length <n>',
      `the VPC's size, from its OU's IPAM pool: ${VPC_NETMASK.accepts} (default: network.vpcNetmaskLength)`,
      VPC_NETMASK,
    )
    .option('--wait', 'follow the execution state by state until it ends')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--poll-ms <ms>', `time between polls with --wait: ${POLL_MS.accepts}`, POLL_MS, 1000)
    .option(
      '--timeout <seconds>',
      `stop waiting after this long (the execution goes on): ${TIMEOUT.accepts}, a year`,
      TIMEOUT,
      3600,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard request --name payments-prod --email aws-payments-prod@acme.example --ou Workloads/Prod --owner team-payments --wait
  $ vendguard request --name data-dev --email aws-data-dev@acme.example --ou Workloads/Dev --owner team-data --json

Exit codes: 0 sent (or vended, with --wait), 1 vending failed (error, cause and redrive command printed),
2 the request or an option is invalid (nothing was sent), 3 AWS or the sandbox could not be reached.`,
    )
    .action(async (opts: RequestOptions & { timeout?: number }) => {
      await runRequest({ ...opts, ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}) });
    });
}
