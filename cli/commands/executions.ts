import {
  type ExecutionListItem,
  type ExecutionStatus,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { executionArnFor, isArn, resolveStateMachineArn, sfnClient } from '../aws';
import { endpointNow } from '../clock';
import { type ExecutionReport, executionReport } from '../executions';
import { formatSpan } from '../follow';
import { duration } from '../options';
import { CliError, EXIT, formatDuration, printJson, table } from '../output';

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** `--since` of `executions` and `replay`: Step Functions lists a closed execution for 90 days. */
export const SINCE = duration('--since', { max: '90d' });

export interface ListFilter {
  readonly status?: string;
  readonly sinceMs?: number;
  readonly requestId?: string;
  /** "Now" for `sinceMs` (the sandbox clock runs ahead of wall time). @default Date.now() */
  readonly now?: number;
}

/** Lists executions of a state machine (all pages) that pass the filter, newest first. */
export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  filter: ListFilter,
): Promise<ExecutionListItem[]> {
  if (filter.status && !(STATUSES as readonly string[]).includes(filter.status)) {
    throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, EXIT.usage);
  }
  const since = filter.sinceMs === undefined ? undefined : (filter.now ?? Date.now()) - filter.sinceMs;
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: filter.status as ExecutionStatus | undefined,
        maxResults: 100,
        nextToken,
      }),
    );
    let older = false;
    for (const item of page.executions ?? []) {
      const started = item.startDate ? new Date(item.startDate).getTime() : 0;
      if (since !== undefined && started < since) {
        older = true;
        continue;
      }
      if (filter.requestId && item.name !== filter.requestId && !item.name?.startsWith(`${filter.requestId}-`))
        continue;
      out.push(item);
    }
    // executions come newest first: once a page reaches past --since, the rest are older still
    nextToken = older ? undefined : page.nextToken;
  } while (nextToken);
  return out;
}

/** Runs `fn` over items with at most `concurrency` in flight, keeping order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

function when(date: Date | undefined): string {
  return date
    ? date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '-';
}

function printReport(report: ExecutionReport): void {
  console.log(`${report.name}  ${report.status}`);
  console.log(`  arn        ${report.executionArn}`);
  console.log(`  request    ${report.requestId ?? '-'}`);
  console.log(`  account    ${report.accountId ?? '-'}`);
  console.log(`  started    ${when(report.startDate)}   duration ${formatDuration(report.durationMs ?? Number.NaN)}`);
  console.log(`  redrives   ${report.redriveCount}${report.redriveStatus ? ` (${report.redriveStatus})` : ''}`);
  console.log('  input');
  for (const line of JSON.stringify(report.input, null, 2).split('\n')) console.log(`    ${line}`);
  console.log('  timeline');
  for (const span of report.states) console.log(`  ${formatSpan(span)}`);
  if (report.failedState || report.error) {
    console.log('  failure');
    console.log(`    state  ${report.failedState?.name ?? '-'}`);
    console.log(`    error  ${report.failedState?.error ?? report.error ?? '-'}`);
    console.log(`    cause  ${report.failedState?.cause ?? report.cause ?? '-'}`);
    console.log(`  redrive with: npx vendguard replay ${report.name} --mode redrive --wait`);
  }
}

export function register(program: Command): void {
  const executions = program
    .command('executions')
    .description('List the state machine executions (vending by default), newest first')
    .option('--status <status>', `filter by status: ${STATUSES.join('|')}`)
    .option(
      '--since <duration>',
      `only executions started within this long, e.g. 30m, 24h, 7d; ${SINCE.accepts}`,
      SINCE,
    )
    .option('--request-id <id>', 'only the executions of this account request (and its restarts)')
    .option('--state-machine <name>', 'state machine name or ARN', 'account-vending')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard executions --status FAILED --since 24h
  $ vendguard executions --request-id req-payments-prod-0001 --json
  $ vendguard executions show req-payments-prod-0001`,
    )
    .action(
      async (opts: { status?: string; since?: number; requestId?: string; stateMachine: string; json?: boolean }) => {
        const sfn = sfnClient();
        const arn = await resolveStateMachineArn(sfn, opts.stateMachine);
        const items = await listExecutions(sfn, arn, {
          status: opts.status?.toUpperCase(),
          sinceMs: opts.since,
          requestId: opts.requestId,
          // Only --since needs the endpoint's clock (one more HTTP call, up to 1.5 s against a non-sandbox).
          now: opts.since !== undefined ? await endpointNow() : undefined,
        });
        const reports = await mapLimit(items, 8, (item) => executionReport(sfn, item.executionArn as string));
        if (opts.json) {
          return printJson(
            reports.map((r) => ({
              name: r.name,
              executionArn: r.executionArn,
              requestId: r.requestId,
              accountId: r.accountId,
              status: r.status,
              failedState: r.failedState?.name,
              error: r.failedState?.error ?? r.error,
              startDate: r.startDate,
              stopDate: r.stopDate,
              durationMs: r.durationMs,
              redriveCount: r.redriveCount,
            })),
          );
        }
        if (reports.length === 0) return console.log('no executions match');
        console.log(
          table(reports, {
            name: (r) => r.name,
            request: (r) => r.requestId ?? '-',
            account: (r) => r.accountId ?? '-',
            status: (r) => r.status + (r.redriveCount ? ` (redriven ${r.redriveCount})` : ''),
            'failed step': (r) => r.failedState?.name ?? '-',
            started: (r) => when(r.startDate),
            duration: (r) => formatDuration(r.durationMs ?? Number.NaN),
          }),
        );
      },
    );

  executions
    .command('show')
    .description('Show one execution: timeline of states with durations, input, the failing state, redrive count')
    .argument('<name|arn>', 'execution name (the request id) or ARN')
    .option('--state-machine <name>', 'state machine name or ARN', 'account-vending')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard executions show req-payments-prod-0001
  $ vendguard executions show arn:aws:states:eu-west-1:111122223333:execution:vendguard-account-vending:req-1 --json

Exit codes: 0 shown, 2 no such execution, 3 AWS or the sandbox could not be reached.`,
    )
    .action(async (nameOrArn: string, opts: { stateMachine: string; json?: boolean }) => {
      const sfn = sfnClient();
      const executionArn = isArn(nameOrArn)
        ? nameOrArn
        : executionArnFor(await resolveStateMachineArn(sfn, opts.stateMachine), nameOrArn);
      const report = await executionReport(sfn, executionArn);
      if (opts.json) return printJson(report);
      printReport(report);
    });
}
