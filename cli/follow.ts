import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
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

/**
 * Polls an execution until it ends, reporting each state once as it completes; resolves to the
 * final status. Progress uses history, so a redriven execution shows only the states it re-ran.
 */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  options: FollowOptions = {},
): Promise<string> {
  const pollMs = options.pollMs ?? 500;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let reported = 0;
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = described.status ?? 'UNKNOWN';
    const spans = timeline(await executionHistory(sfn, executionArn)).filter((s) => s.status !== 'running');
    for (const span of spans.slice(reported)) options.onState?.(span);
    reported = spans.length;
    if (TERMINAL.has(status)) return status;
    if (Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
