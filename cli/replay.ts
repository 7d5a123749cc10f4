import {
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describeExecution } from './executions';
import { CliError, EXIT } from './output';

/** AWS lets an execution be redriven within 14 days of when it stopped. */
export const REDRIVE_WINDOW_MS = 14 * 86_400_000;
const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export type ReplayMode = 'redrive' | 'restart';

export interface ReplayPlan {
  readonly executionArn: string;
  readonly name: string;
  readonly mode: ReplayMode;
  readonly status: string;
  /** For restart: the new execution's name and input. */
  readonly newName?: string;
  readonly input?: string;
}

export interface ReplayResult extends ReplayPlan {
  /** The execution that runs now (same ARN for redrive, a new one for restart). */
  readonly replayArn: string;
}

/**
 * Merges a JSON patch object into an input (RFC 7386 merge patch: null deletes a key).
 * @example mergePatch({ a: 1, b: { c: 2 } }, { b: { c: 3 } }) // { a: 1, b: { c: 3 } }
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

/** `<original>-restart-<n>`: a restart's name keeps its lineage visible (80 characters at most). */
export function restartName(original: string, attempt: number): string {
  const base = original.replace(/-restart-\d+$/, '');
  const suffix = `-restart-${attempt}`;
  return `${base.slice(0, 80 - suffix.length)}${suffix}`;
}

/**
 * Decides what a replay does, refusing with a clear reason what AWS would refuse: a running
 * execution, a redrive of a succeeded one, or one past the 14-day redrive window.
 */
export async function planReplay(
  sfn: SFNClient,
  executionArn: string,
  mode: ReplayMode,
  inputPatch?: unknown,
  now: Date = new Date(),
): Promise<ReplayPlan> {
  const described = await describeExecution(sfn, executionArn);
  const status = described.status ?? 'UNKNOWN';
  const name = described.name ?? executionArn.split(':').pop() ?? executionArn;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    throw new CliError(`${name} is ${status}; wait for it to end (or stop it) before replaying`, EXIT.failed);
  }
  if (mode === 'redrive') {
    if (inputPatch !== undefined)
      throw new CliError('--input-patch needs --mode restart (a redrive keeps its input)', EXIT.usage);
    if (!REDRIVABLE.has(status)) {
      throw new CliError(
        `${name} is ${status}; only FAILED, TIMED_OUT or ABORTED executions can be redriven (use --mode restart)`,
      );
    }
    const stopped = described.stopDate ? new Date(described.stopDate).getTime() : now.getTime();
    if (now.getTime() - stopped > REDRIVE_WINDOW_MS) {
      throw new CliError(`${name} stopped more than 14 days ago, past the redrive window; use --mode restart`);
    }
    if (described.redriveStatus === 'NOT_REDRIVABLE') {
      throw new CliError(
        `${name} cannot be redriven: ${described.redriveStatusReason ?? 'AWS says it is not redrivable'}`,
      );
    }
    return { executionArn, name, mode, status };
  }
  const original = described.input ? JSON.parse(described.input) : {};
  const input = JSON.stringify(inputPatch === undefined ? original : mergePatch(original, inputPatch));
  const stateMachineArn = described.stateMachineArn ?? stateMachineOf(executionArn);
  return { executionArn, name, mode, status, newName: await nextRestartName(sfn, stateMachineArn, name), input };
}

/** The state machine ARN of an execution ARN. */
export function stateMachineOf(executionArn: string): string {
  return executionArn.replace(':execution:', ':stateMachine:').split(':').slice(0, -1).join(':');
}

/** The next free `<name>-restart-<n>` among the state machine's executions. */
async function nextRestartName(sfn: SFNClient, stateMachineArn: string, name: string): Promise<string> {
  const base = name.replace(/-restart-\d+$/, '');
  let highest = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
    for (const item of page.executions ?? []) {
      const match = item.name?.startsWith(`${base}-restart-`) ? /-restart-(\d+)$/.exec(item.name) : null;
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return restartName(base, highest + 1);
}

/** Carries out a plan: RedriveExecution, or StartExecution under the restart name. */
export async function runReplay(sfn: SFNClient, plan: ReplayPlan): Promise<ReplayResult> {
  if (plan.mode === 'redrive') {
    await sfn.send(new RedriveExecutionCommand({ executionArn: plan.executionArn }));
    return { ...plan, replayArn: plan.executionArn };
  }
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineOf(plan.executionArn),
      name: plan.newName,
      input: plan.input,
    }),
  );
  return { ...plan, replayArn: started.executionArn ?? '' };
}
