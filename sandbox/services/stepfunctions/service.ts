/**
 * The Step Functions API of the sandbox (awsJson1_0, `X-Amz-Target: AWSStepFunctions.<Op>`): state
 * machines, executions, history, stop and redrive, and the task tokens of callback tasks, with AWS's
 * rules for names, idempotent starts and redrivability.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxRuntime } from '../../core/types';
import { TaskTokens } from './callbacks';
import { validateDefinition } from './definitions';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  InvalidDefinition,
  InvalidExecutionInput,
  InvalidName,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
} from './errors';
import { Executor } from './executor';
import { History, HistoryEventType, NOT_TRUNCATED } from './history';
import { createOperations, type Operations } from './operations';
import {
  type ExecutionRecord,
  ExecutionStatus,
  executionArnOf,
  Records,
  type StateMachineRecord,
  stateMachineArnOf,
} from './records';

/** How long after it stopped an execution can be redriven (simulated time). */
export const REDRIVE_PERIOD_MS = 14 * 24 * 3600 * 1000;
const MAX_INPUT_BYTES = 256 * 1024;
/** Names: 1–80 characters, none of whitespace, brackets, wildcards, special or control characters. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isValidName = (name: string): boolean =>
  name.length >= 1 &&
  name.length <= 80 &&
  !NAME_FORBIDDEN.test(name) &&
  ![...name].some((c) => {
    const code = c.charCodeAt(0);
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });

function checkDefinition(definition: string): void {
  const problems = validateDefinition(definition);
  if (problems.length > 0) throw new InvalidDefinition(problems.join('; '));
}

/** Whether an execution can be redriven now, and why not. */
export function redriveStatus(
  execution: ExecutionRecord,
  stateMachineExists: boolean,
  nowMs: number,
): { redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE'; redriveStatusReason?: string } {
  const not = (reason: string) => ({ redriveStatus: 'NOT_REDRIVABLE' as const, redriveStatusReason: reason });
  if (!stateMachineExists) return not('State machine is in DELETING status');
  if (execution.status === ExecutionStatus.Running) return not('Execution is RUNNING and cannot be redriven');
  if (execution.status === ExecutionStatus.Succeeded) return not('Execution is SUCCEEDED and cannot be redriven');
  if (nowMs - (execution.stopDate ?? execution.startDate) > REDRIVE_PERIOD_MS) {
    return not('Execution redrivable period exceeded');
  }
  return { redriveStatus: 'REDRIVABLE' };
}

/** The state and behaviour behind the operations. */
export class StepFunctions {
  readonly records: Records;
  readonly executor: Executor;
  readonly history: History;
  readonly tokens: TaskTokens;

  constructor(readonly runtime: SandboxRuntime) {
    this.records = new Records(runtime.store);
    this.tokens = new TaskTokens(runtime, this.records);
    this.executor = new Executor(runtime, this.records, this.tokens);
    this.history = new History(runtime.store, runtime.clock);
  }

  /** The state machine, or `StateMachineDoesNotExist`. */
  stateMachineOrThrow(arn: string): StateMachineRecord {
    const sm = this.records.stateMachine(arn);
    if (!sm) throw new StateMachineDoesNotExist(arn);
    return sm;
  }

  /** The execution, or `ExecutionDoesNotExist`. */
  executionOrThrow(arn: string): ExecutionRecord {
    const ex = this.records.execution(arn);
    if (!ex) throw new ExecutionDoesNotExist(arn);
    return ex;
  }

  /** Creates a state machine; the same name and definition again returns the existing one. */
  createStateMachine(
    region: string,
    accountId: string,
    spec: { name: string; definition: string; roleArn: string; type?: string },
  ): StateMachineRecord {
    if (!isValidName(spec.name)) throw new InvalidName(spec.name);
    checkDefinition(spec.definition);
    const arn = stateMachineArnOf(region, accountId, spec.name);
    const existing = this.records.stateMachine(arn);
    if (existing) {
      if (existing.definition === spec.definition && existing.roleArn === spec.roleArn) return existing;
      throw new StateMachineAlreadyExists(arn);
    }
    const record: StateMachineRecord = {
      stateMachineArn: arn,
      name: spec.name,
      type: spec.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition: spec.definition,
      roleArn: spec.roleArn,
      creationDate: this.runtime.clock.nowMs(),
      revisionId: randomUUID(),
    };
    this.records.putStateMachine(record);
    return record;
  }

  updateStateMachine(arn: string, change: { definition?: string; roleArn?: string }): StateMachineRecord {
    const current = this.stateMachineOrThrow(arn);
    if (change.definition !== undefined) checkDefinition(change.definition);
    const next: StateMachineRecord = {
      ...current,
      ...(change.definition !== undefined ? { definition: change.definition } : {}),
      ...(change.roleArn !== undefined ? { roleArn: change.roleArn } : {}),
      updateDate: this.runtime.clock.nowMs(),
      revisionId: randomUUID(),
    };
    this.records.putStateMachine(next);
    return next;
  }

  /**
   * Starts an execution. AWS's rule for a name already used: while that execution is open (RUNNING)
   * and the input is identical, the call succeeds and returns it; a different input, or any input
   * once it has closed, gives `ExecutionAlreadyExists`.
   */
  startExecution(stateMachineArn: string, inputText: string | undefined, name: string | undefined): ExecutionRecord {
    const sm = this.stateMachineOrThrow(stateMachineArn);
    const execName = name ?? randomUUID();
    if (!isValidName(execName)) throw new InvalidName(execName);
    const input = inputText ?? '{}';
    if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
      throw new InvalidExecutionInput(`the input is larger than ${MAX_INPUT_BYTES} bytes`);
    }
    try {
      JSON.parse(input);
    } catch (err) {
      throw new InvalidExecutionInput(`not valid JSON: ${(err as Error).message}`);
    }
    const executionArn = executionArnOf(sm.stateMachineArn, execName);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: sm.stateMachineArn,
      name: execName,
      status: ExecutionStatus.Running,
      input,
      startDate: this.runtime.clock.nowMs(),
      redriveCount: 0,
      definition: sm.definition,
      roleArn: sm.roleArn,
      seq: this.records.nextExecutionSeq(),
    };
    if (!this.records.insertExecution(record)) {
      const existing = this.executionOrThrow(executionArn);
      if (existing.status === ExecutionStatus.Running && existing.input === input) return existing;
      throw new ExecutionAlreadyExists(executionArn);
    }
    this.history.append(executionArn, HistoryEventType.ExecutionStarted, {
      input,
      inputDetails: NOT_TRUNCATED,
      roleArn: sm.roleArn,
    });
    this.executor.launch(record);
    return record;
  }

  stopExecution(arn: string, error?: string, cause?: string): ExecutionRecord {
    const current = this.executionOrThrow(arn);
    if (current.status !== ExecutionStatus.Running) return current;
    this.executor.stop(arn);
    return (
      this.executor.finish(arn, ExecutionStatus.Aborted, {
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      }) ?? current
    );
  }

  /**
   * Redrives a FAILED, TIMED_OUT or ABORTED execution that stopped less than 14 days ago: the
   * same ARN runs again from the last top-level state it entered, with that state's input, and
   * `redriveCount` goes up. A failure inside a Map or Parallel re-runs that whole state.
   */
  redriveExecution(arn: string): ExecutionRecord {
    const current = this.executionOrThrow(arn);
    const smExists = this.records.stateMachine(current.stateMachineArn) !== undefined;
    const status = redriveStatus(current, smExists, this.runtime.clock.nowMs());
    if (status.redriveStatus !== 'REDRIVABLE' || this.executor.isRunning(arn)) {
      throw new ExecutionNotRedrivable(arn, status.redriveStatusReason ?? 'Execution is still running');
    }
    const now = this.runtime.clock.nowMs();
    const next = this.records.updateExecution(arn, (c) => {
      const { stopDate: _s, output: _o, error: _e, cause: _c, ...rest } = c;
      return { ...rest, status: ExecutionStatus.Running, redriveCount: c.redriveCount + 1, redriveDate: now };
    });
    if (!next) throw new ExecutionDoesNotExist(arn);
    this.history.append(arn, HistoryEventType.ExecutionRedriven, { redriveCount: next.redriveCount });
    this.executor.launch(
      next,
      next.resumeFrom ? { startAt: next.resumeFrom.name, input: next.resumeFrom.input } : undefined,
    );
    return next;
  }

  /** Marks executions left RUNNING by a previous process FAILED (restart recovery). */
  recoverInterrupted(error: string, cause: string): number {
    let n = 0;
    for (const ex of this.records.runningExecutions()) {
      if (this.executor.isRunning(ex.executionArn)) continue;
      this.executor.finish(ex.executionArn, ExecutionStatus.Failed, { error, cause });
      n++;
    }
    return n;
  }

  describeExecution(arn: string): Record<string, unknown> {
    const ex = this.executionOrThrow(arn);
    const smExists = this.records.stateMachine(ex.stateMachineArn) !== undefined;
    return {
      executionArn: ex.executionArn,
      stateMachineArn: ex.stateMachineArn,
      name: ex.name,
      status: ex.status,
      startDate: new Date(ex.startDate),
      ...(ex.stopDate !== undefined ? { stopDate: new Date(ex.stopDate) } : {}),
      input: ex.input,
      inputDetails: { included: true },
      ...(ex.output !== undefined ? { output: ex.output, outputDetails: { included: true } } : {}),
      ...(ex.error !== undefined ? { error: ex.error } : {}),
      ...(ex.cause !== undefined ? { cause: ex.cause } : {}),
      redriveCount: ex.redriveCount,
      ...(ex.redriveDate !== undefined ? { redriveDate: new Date(ex.redriveDate) } : {}),
      ...redriveStatus(ex, smExists, this.runtime.clock.nowMs()),
    };
  }

  /** The API operations. */
  operations(): Operations {
    return createOperations(this);
  }
}
