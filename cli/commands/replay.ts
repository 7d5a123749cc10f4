import { createInterface } from 'node:readline/promises';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { executionArnFor, resolveStateMachineArn, sfnClient } from '../aws';
import { endpointNow } from '../clock';
import { followExecution, formatSpan } from '../follow';
import { positiveInt } from '../options';
import { CliError, EXIT, print, printJson, progress, table } from '../output';
import { planReplay, type ReplayMode, type ReplayPlan, runReplay } from '../replay';
import { listExecutions, mapLimit, SINCE } from './executions';

export interface ReplayOptions {
  mode: string;
  inputPatch?: string;
  dryRun?: boolean;
  wait?: boolean;
  status?: string;
  /** Milliseconds (`--since`, parsed). */
  since?: number;
  yes?: boolean;
  /** Replays (and plans) in flight at once. */
  concurrency: number;
  stateMachine: string;
  json?: boolean;
  /** How often `--wait` polls (tests poll fast). @default 500 */
  pollMs?: number;
}

export interface Outcome {
  readonly name: string;
  readonly mode: ReplayMode;
  readonly replay?: string;
  readonly status: string;
  readonly error?: string;
}

function parseMode(mode: string): ReplayMode {
  if (mode !== 'redrive' && mode !== 'restart') throw new CliError('--mode must be redrive or restart', EXIT.usage);
  return mode;
}

function parsePatch(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    const patch: unknown = JSON.parse(text);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new Error('not an object');
    return patch;
  } catch (err) {
    throw new CliError(`--input-patch must be a JSON object (${(err as Error).message})`, EXIT.usage);
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The summary of a replay run. */
export interface ReplaySummary {
  readonly outcomes: readonly Outcome[];
  readonly failed: number;
}

/**
 * Runs `vendguard replay` with the given options against a Step Functions client: plans, asks (bulk),
 * replays with bounded concurrency, reports progress to stderr and a table (or JSON) to stdout.
 */
export async function replayCommand(
  target: string | undefined,
  opts: ReplayOptions,
  sfn: SFNClient,
): Promise<ReplaySummary> {
  const mode = parseMode(opts.mode);
  const patch = parsePatch(opts.inputPatch);
  const { concurrency } = opts;
  if (target && opts.status) throw new CliError('give an execution or --status, not both', EXIT.usage);
  if (!target && !opts.status)
    throw new CliError('give an execution name/ARN, or --status FAILED for bulk', EXIT.usage);
  const machine = await resolveStateMachineArn(sfn, opts.stateMachine);
  const now = await endpointNow();

  let arns: string[];
  if (target) arns = [executionArnFor(machine, target)];
  else {
    const items = await listExecutions(sfn, machine, {
      status: opts.status?.toUpperCase(),
      sinceMs: opts.since,
      now,
    });
    arns = items.map((i) => i.executionArn as string);
  }
  const bulk = !target;
  const plans: (ReplayPlan | { name: string; error: string })[] = await mapLimit(arns, concurrency, (arn) =>
    planReplay(sfn, arn, mode, patch, new Date(now)).catch((err: unknown) => {
      if (!bulk) throw err;
      return { name: arn.split(':').pop() ?? arn, error: (err as Error).message };
    }),
  );
  const runnable = plans.filter((p): p is ReplayPlan => 'executionArn' in p);
  if (bulk || opts.dryRun) {
    progress(
      `${runnable.length} execution(s) to ${mode}${plans.length > runnable.length ? `, ${plans.length - runnable.length} refused` : ''}:`,
    );
    for (const p of plans) {
      progress(
        'executionArn' in p
          ? `  ${p.name} (${p.status}) → ${p.mode === 'redrive' ? 'redrive' : `restart as ${p.newName}`}`
          : `  ${p.name}: refused: ${p.error}`,
      );
    }
  }
  if (opts.dryRun) {
    if (opts.json) printJson({ dryRun: true, plans });
    return { outcomes: [], failed: 0 };
  }
  if (bulk && runnable.length > 0 && !opts.yes && !(await confirm(`${mode} ${runnable.length} execution(s)?`))) {
    throw new CliError('not confirmed; pass --yes to run without asking', EXIT.usage);
  }
  let done = 0;
  const outcomes: Outcome[] = await mapLimit(runnable, concurrency, async (plan) => {
    try {
      const result = await runReplay(sfn, plan);
      let status = 'STARTED';
      if (opts.wait) {
        ({ status } = await followExecution(sfn, result.replayArn, {
          pollMs: opts.pollMs,
          onState: bulk ? undefined : (span) => progress(formatSpan(span)),
        }));
      }
      return { name: plan.name, mode, replay: result.replayArn.split(':').pop(), status };
    } catch (err) {
      return { name: plan.name, mode, status: 'ERROR', error: `${(err as Error).name}: ${(err as Error).message}` };
    } finally {
      done += 1;
      if (bulk) progress(`[${done}/${runnable.length}] ${plan.name}`);
    }
  });
  for (const p of plans)
    if (!('executionArn' in p)) outcomes.push({ name: p.name, mode, status: 'REFUSED', error: p.error });
  const failed = outcomes.filter((o) => !['STARTED', 'SUCCEEDED'].includes(o.status));
  if (opts.json) printJson({ outcomes, failed: failed.length });
  else {
    print(
      table(outcomes, {
        execution: (o) => o.name,
        mode: (o) => o.mode,
        replay: (o) => o.replay ?? '-',
        result: (o) => o.status,
        error: (o) => o.error ?? '',
      }),
    );
    print(`${outcomes.length - failed.length} succeeded, ${failed.length} failed`);
  }
  return { outcomes, failed: failed.length };
}

/**
 * `--concurrency`: Step Functions throttles DescribeExecution, GetExecutionHistory and the replays
 * per account and Region; more in flight would only be throttled (and retried).
 */
const CONCURRENCY = positiveInt('--concurrency', { min: 1, max: 20 });

export function register(program: Command): void {
  program
    .command('replay')
    .description(
      'Redrive a failed execution from its failed state, or restart it with its original input; one or in bulk',
    )
    .argument('[name|arn]', 'execution name (request id) or ARN; omit and use --status for bulk')
    .option(
      '--mode <mode>',
      'redrive (resume from the failed state) | restart (new execution, original input)',
      'redrive',
    )
    .option('--input-patch <json>', 'restart only: JSON merge patch applied to the original input')
    .option('--dry-run', 'say what would be done, change nothing')
    .option('--wait', 'follow the replayed execution(s) to the end')
    .option('--status <status>', 'bulk: replay every execution with this status (e.g. FAILED)')
    .option('--since <duration>', `bulk: only executions started within this long (e.g. 7d), ${SINCE.accepts}`, SINCE)
    .option('--yes', 'bulk: do not ask for confirmation')
    .option('--concurrency <n>', `bulk: replays in flight at once, ${CONCURRENCY.accepts}`, CONCURRENCY, 4)
    .option('--state-machine <name>', 'state machine name or ARN', 'account-vending')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard replay req-payments-prod-0001 --wait               # redrive from the failed state
  $ vendguard replay req-payments-prod-0001 --mode restart --input-patch '{"request":{"costCenter":"CC-9"}}'
  $ vendguard replay --status FAILED --since 7d --yes --concurrency 4

Redrive keeps the execution (and its account); restart starts <name>-restart-<n> with the same
request, which adopts the account the first run created. AWS refuses a redrive of a running or
succeeded execution and after 14 days; so does this command, with the reason.
Exit codes: 0 all replays succeeded (or were started without --wait), 1 any failed, 2 usage or a bad
option value (nothing was replayed).`,
    )
    .action(async (target: string | undefined, opts: ReplayOptions) => {
      const summary = await replayCommand(target, opts, sfnClient());
      if (summary.failed > 0) process.exitCode = EXIT.failed;
    });
}
