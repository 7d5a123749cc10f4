import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { awsErrorName } from '../functions/shared/errors';
import { CliError, EXIT } from './output';

/** One state of an execution's timeline, built from its history. */
export interface StateSpan {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: Date;
  readonly exitedAt?: Date;
  readonly durationMs?: number;
  readonly status: 'succeeded' | 'failed' | 'running';
  readonly error?: string;
  readonly cause?: string;
  readonly attempts: number;
  /** The run the visit belongs to: 0 before any redrive, n after the n-th `ExecutionRedriven`. */
  readonly run: number;
}

/** What `executions show` prints. */
export interface ExecutionReport {
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly status: ExecutionStatus | string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly durationMs?: number;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  readonly redriveStatus?: string;
  readonly redriveStatusReason?: string;
  readonly requestId?: string;
  readonly accountId?: string;
  readonly failedState?: StateSpan;
  readonly states: readonly StateSpan[];
}

/** DescribeExecution; an execution that does not exist is a usage error that says how to list them. */
export async function describeExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return sfn.send(new DescribeExecutionCommand({ executionArn })).catch((err: unknown) => {
    if (awsErrorName(err) === 'ExecutionDoesNotExist') {
      throw new CliError(`no execution ${executionArn}; list them with: vendguard executions`, EXIT.usage);
    }
    throw err;
  });
}

/** Every history event of an execution, oldest first (all pages). */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const ENTERED = /StateEntered$/;
const EXITED = /StateExited$/;
const FAILED = /(Failed|TimedOut|Aborted)$/;

/**
 * Folds history events into one span per state visit: entered → exited with its duration; a
 * failure event between them marks the span failed with its error and cause, unless a retry of the
 * task then succeeded (retries count as attempts); each span knows the run (redrive) it belongs to.
 */
export function timeline(events: readonly HistoryEvent[]): StateSpan[] {
  const spans: StateSpan[] = [];
  let run = 0;
  let open:
    | { name: string; type: string; enteredAt: Date; attempts: number; run: number; error?: string; cause?: string }
    | undefined;
  const close = (exitedAt: Date | undefined, status: StateSpan['status']) => {
    if (!open) return;
    spans.push({
      ...open,
      exitedAt,
      durationMs: exitedAt ? exitedAt.getTime() - open.enteredAt.getTime() : undefined,
      status,
    });
    open = undefined;
  };
  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp ? new Date(event.timestamp) : new Date(0);
    if (ENTERED.test(type)) {
      close(at, 'succeeded');
      open = {
        name: event.stateEnteredEventDetails?.name ?? '?',
        type: type.replace('StateEntered', ''),
        enteredAt: at,
        attempts: 0,
        run,
      };
    } else if (EXITED.test(type)) {
      close(at, open?.error ? 'failed' : 'succeeded');
    } else if (/(LambdaFunction|Task)Scheduled$/.test(type) && open) {
      open.attempts += 1;
    } else if (/(LambdaFunction|Task)Succeeded$/.test(type) && open) {
      // a retry succeeded: the attempts before it failed, the state did not
      delete open.error;
      delete open.cause;
    } else if (FAILED.test(type) && !type.startsWith('Execution')) {
      const details = Object.values(event).find(
        (v): v is { error?: string; cause?: string } => typeof v === 'object' && v !== null && 'error' in v,
      );
      if (open) {
        open.error = details?.error;
        open.cause = details?.cause;
      }
    } else if (type.startsWith('Execution') && FAILED.test(type)) {
      const details =
        event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
      if (open) {
        open.error ??= details?.error;
        open.cause ??= details?.cause;
      }
      close(at, 'failed');
    } else if (type === 'ExecutionRedriven') {
      // a redrive resumes from the failed state: the next entered event opens it again, in a new run
      run += 1;
    }
  }
  if (open) spans.push({ ...open, status: 'running' });
  return spans;
}

/**
 * The state an execution failed in: in its last run (a redrive may have fixed an earlier failure),
 * the first state that failed and is not a Fail state (the states after it only report it).
 */
export function failedState(spans: readonly StateSpan[]): StateSpan | undefined {
  const lastRun = Math.max(0, ...spans.map((s) => s.run));
  const failed = spans.filter((s) => s.run === lastRun && (s.status === 'failed' || s.error));
  return failed.find((s) => s.type !== 'Fail') ?? failed[0];
}

function pick(value: unknown, ...keys: string[]): string | undefined {
  let current: unknown = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

/** The first 12-digit `"accountId"` in a JSON text (an execution's or a state's output). */
export function accountIdIn(text: string | undefined): string | undefined {
  return text ? /"accountId"\s*:\s*"(\d{12})"/.exec(text)?.[1] : undefined;
}

/** Finds the account id an execution created, from its output or its task outputs. */
function accountIdFrom(output: unknown, events: readonly HistoryEvent[]): string | undefined {
  const direct = pick(output, 'accountId') ?? pick(output, 'account', 'accountId');
  if (direct) return direct;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const found = accountIdIn(events[i]?.stateExitedEventDetails?.output);
    if (found) return found;
  }
  return undefined;
}

/** Describes an execution and folds its history into a report. */
export async function executionReport(sfn: SFNClient, executionArn: string): Promise<ExecutionReport> {
  const described = await describeExecution(sfn, executionArn);
  const events = await executionHistory(sfn, executionArn);
  const states = timeline(events);
  const input = parseJson(described.input);
  const output = parseJson(described.output);
  const start = described.startDate ? new Date(described.startDate) : undefined;
  const stop = described.stopDate ? new Date(described.stopDate) : undefined;
  return {
    name: described.name ?? executionArn.split(':').pop() ?? executionArn,
    executionArn,
    stateMachineArn: described.stateMachineArn ?? '',
    status: described.status ?? 'UNKNOWN',
    startDate: start,
    stopDate: stop,
    durationMs: start ? (stop ?? new Date()).getTime() - start.getTime() : undefined,
    input,
    output,
    error: described.error,
    cause: described.cause,
    redriveCount: described.redriveCount ?? 0,
    redriveStatus: described.redriveStatus,
    redriveStatusReason: described.redriveStatusReason,
    requestId: pick(input, 'requestId') ?? pick(input, 'request', 'requestId'),
    accountId: accountIdFrom(output, events),
    failedState: described.status === 'SUCCEEDED' ? undefined : failedState(states),
    states,
  };
}
