/**
 * What the Step Functions service keeps in the sandbox store: state machines, executions (with
 * the definition they started with, so a redrive runs the same one, as in AWS) and their history.
 */
import type { Store } from '../../core/types';

export const STATE_MACHINES = 'sfn-state-machines';
export const EXECUTIONS = 'sfn-executions';

export const ExecutionStatus = {
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  Aborted: 'ABORTED',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

export interface StateMachineRecord {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly definition: string;
  readonly roleArn: string;
  readonly creationDate: number;
  readonly updateDate?: number;
  readonly revisionId: string;
}

/** The last top-level state an execution entered: where a redrive resumes. */
export interface ResumePoint {
  readonly name: string;
  readonly input: unknown;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly redriveCount: number;
  readonly redriveDate?: number;
  /** The definition (placeholders filled) the execution started with. */
  readonly definition: string;
  readonly roleArn: string;
  /** Start order, to break ties between equal start dates. */
  readonly seq: number;
  readonly resumeFrom?: ResumePoint;
}

/** The ARN parts of a state machine or execution ARN. */
export interface ArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly stateMachineName: string;
  readonly executionName?: string;
}

const STATE_MACHINE_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([^:]{1,80})$/;

export function parseStateMachineArn(arn: string): ArnParts | undefined {
  const m = STATE_MACHINE_ARN.exec(arn);
  return m?.[1] && m[2] && m[3] ? { region: m[1], accountId: m[2], stateMachineName: m[3] } : undefined;
}

export function parseExecutionArn(arn: string): ArnParts | undefined {
  const m = EXECUTION_ARN.exec(arn);
  return m?.[1] && m[2] && m[3] && m[4]
    ? { region: m[1], accountId: m[2], stateMachineName: m[3], executionName: m[4] }
    : undefined;
}

export function stateMachineArnOf(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

/** `arn:aws:states:<region>:<account>:execution:<state machine>:<name>` of an execution. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Typed access to the service's tables. */
export class Records {
  constructor(private readonly store: Store) {}

  stateMachine(arn: string): StateMachineRecord | undefined {
    return this.store.get<StateMachineRecord>(STATE_MACHINES, arn);
  }

  putStateMachine(record: StateMachineRecord): void {
    this.store.put(STATE_MACHINES, record.stateMachineArn, record);
  }

  deleteStateMachine(arn: string): boolean {
    return this.store.delete(STATE_MACHINES, arn);
  }

  stateMachines(): StateMachineRecord[] {
    return this.store.list<StateMachineRecord>(STATE_MACHINES);
  }

  execution(arn: string): ExecutionRecord | undefined {
    return this.store.get<ExecutionRecord>(EXECUTIONS, arn);
  }

  /** Inserts a new execution; false when one with this ARN exists. */
  insertExecution(record: ExecutionRecord): boolean {
    return this.store.insert(EXECUTIONS, record.executionArn, record);
  }

  /** Applies `change` to a stored execution and returns the result (undefined when absent). */
  updateExecution(arn: string, change: (current: ExecutionRecord) => ExecutionRecord): ExecutionRecord | undefined {
    return this.store.transaction(() => {
      const current = this.execution(arn);
      if (!current) return undefined;
      const next = change(current);
      this.store.put(EXECUTIONS, arn, next);
      return next;
    });
  }

  /** Executions of a state machine, newest first. */
  executionsOf(stateMachineArn: string): ExecutionRecord[] {
    const prefix = `${executionArnOf(stateMachineArn, '')}`;
    return this.store
      .list<ExecutionRecord>(EXECUTIONS, prefix)
      .sort((a, b) => b.startDate - a.startDate || b.seq - a.seq);
  }

  /** Every execution whose status is RUNNING (restart recovery). */
  runningExecutions(): ExecutionRecord[] {
    return this.store.list<ExecutionRecord>(EXECUTIONS).filter((e) => e.status === ExecutionStatus.Running);
  }

  nextExecutionSeq(): number {
    return this.store.nextSequence('sfn-execution-seq');
  }
}
