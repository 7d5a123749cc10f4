import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorName } from '../functions/shared/errors';
import { executionHistory, type StateSpan, timeline } from './executions';
import { formatDuration } from './output';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export interface FollowOptions {
  /** Called once per state as it completes (and for the running one at the end). */
  readonly onState?: (span: StateSpan) => void;
  /** @default 500 */
  readonly pollMs?: number;
  /** Give up after this long (the execution keeps running). @default 30 minutes */
  readonly timeoutMs?: number;
}

/** Formats a completed state for progress output: `  ✓ CreateAccount  1.2s`. */
export function formatSpan(span: StateSpan): string {
  const mark = span.status === 'failed' ? '✗' : span.status === 'running' ? '…' : '✓';
  const retries = span.attempts > 1 ? ` (${span.attempts} attempts)` : '';
  const error = span.error ? `  ${span.error}: ${span.cause ?? ''}`.slice(0, 300) : '';
  return `  ${mark} ${span.name.padEnd(24)} ${formatDuration(span.durationMs ?? Number.NaN)}${retries}${error}`;
}

/** How a followed execution ended (or stood when the timeout came first). */
export interface FollowResult {
  /** The final status; on timeout the last one seen (`RUNNING` when the execution never appeared). */
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: string;
  /** Every state of the execution, the running one included. */
  readonly spans: readonly StateSpan[];
}

/**
 * Polls an execution until it ends, reporting each state once as it completes. Progress uses
 * history, so a redriven execution shows only the states it re-ran. An execution that does not
 * exist yet (a rule starts it asynchronously) is waited for.
 */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  options: FollowOptions = {},
): Promise<FollowResult> {
  const pollMs = options.pollMs ?? 500;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let reported = 0;
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((err: unknown) => {
      if (awsErrorName(err) === 'ExecutionDoesNotExist') return undefined;
      throw err;
    });
    const spans = described ? timeline(await executionHistory(sfn, executionArn)) : [];
    const completed = spans.filter((s) => s.status !== 'running');
    for (const span of completed.slice(reported)) options.onState?.(span);
    reported = completed.length;
    const status = described?.status ?? 'RUNNING';
    if (TERMINAL.has(status) || Date.now() > deadline) {
      return {
        status,
        ...(described?.error ? { error: described.error } : {}),
        ...(described?.cause ? { cause: described.cause } : {}),
        ...(described?.output ? { output: described.output } : {}),
        spans,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
