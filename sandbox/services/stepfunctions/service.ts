/**
 * The Step Functions API of the sandbox (awsJson1_0, `X-Amz-Target: AWSStepFunctions.<Op>`): state
 * machines, executions, history, stop and redrive, with AWS's rules for names, idempotent starts
 * and redrivability.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { validateDefinition } from './definitions';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  InvalidArn,
  InvalidDefinition,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  ValidationException,
} from './errors';
import { Executor } from './executor';
import { History, HistoryEventType, NOT_TRUNCATED } from './history';
import {
  type ExecutionRecord,
  ExecutionStatus,
  executionArnOf,
  parseExecutionArn,
  parseStateMachineArn,
  Records,
  type StateMachineRecord,
  stateMachineArnOf,
} from './records';

/** An operation handler. */
type Operation = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** The operations the service implements. */
export const OPERATIONS = [
  'CreateStateMachine',
  'UpdateStateMachine',
  'DescribeStateMachine',
  'DescribeStateMachineForExecution',
  'ListStateMachines',
  'DeleteStateMachine',
  'StartExecution',
  'DescribeExecution',
  'ListExecutions',
  'GetExecutionHistory',
  'StopExecution',
  'RedriveExecution',
] as const;
export type Operations = Record<(typeof OPERATIONS)[number], Operation>;

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

function str(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

function required(input: Record<string, unknown>, key: string): string {
  const v = str(input, key);
  if (v === undefined || v === '') {
    throw new ValidationException(
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

/** Page of `items` from an opaque `nextToken` (base64 offset). */
function page<T>(items: T[], input: Record<string, unknown>, defaultSize = 100): { items: T[]; nextToken?: string } {
  const max =
    typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : defaultSize;
  let offset = 0;
  const token = input.nextToken;
  if (token !== undefined && token !== null) {
    const decoded =
      typeof token === 'string' ? /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
    if (!decoded?.[1]) throw new InvalidToken(token);
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + max);
  const next = offset + max < items.length ? Buffer.from(`o${offset + max}`).toString('base64url') : undefined;
  return next ? { items: slice, nextToken: next } : { items: slice };
}

function stateMachineArnInput(input: Record<string, unknown>): string {
  const arn = required(input, 'stateMachineArn');
  if (!parseStateMachineArn(arn)) throw new InvalidArn(arn);
  return arn;
}

function executionArnInput(input: Record<string, unknown>): string {
  const arn = required(input, 'executionArn');
  if (!parseExecutionArn(arn)) throw new InvalidArn(arn);
  return arn;
}

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

  constructor(private readonly runtime: SandboxRuntime) {
    this.records = new Records(runtime.store);
    this.executor = new Executor(runtime, this.records);
    this.history = new History(runtime.store, runtime.clock);
  }

  private stateMachineOrThrow(arn: string): StateMachineRecord {
    const sm = this.records.stateMachine(arn);
    if (!sm) throw new StateMachineDoesNotExist(arn);
    return sm;
  }

  private executionOrThrow(arn: string): ExecutionRecord {
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
    const summary = (sm: StateMachineRecord) => ({
      stateMachineArn: sm.stateMachineArn,
      name: sm.name,
      type: sm.type,
      creationDate: new Date(sm.creationDate),
    });
    const ops: Operations = {
      CreateStateMachine: (input, ctx) => {
        const sm = this.createStateMachine(ctx.region, ctx.principal.accountId, {
          name: required(input, 'name'),
          definition: required(input, 'definition'),
          roleArn: required(input, 'roleArn'),
          ...(str(input, 'type') !== undefined ? { type: str(input, 'type') } : {}),
        });
        return { stateMachineArn: sm.stateMachineArn, creationDate: new Date(sm.creationDate) };
      },
      UpdateStateMachine: (input) => {
        const sm = this.updateStateMachine(stateMachineArnInput(input), {
          ...(str(input, 'definition') !== undefined ? { definition: str(input, 'definition') } : {}),
          ...(str(input, 'roleArn') !== undefined ? { roleArn: str(input, 'roleArn') } : {}),
        });
        return { updateDate: new Date(sm.updateDate ?? sm.creationDate), revisionId: sm.revisionId };
      },
      DescribeStateMachine: (input) => {
        const sm = this.stateMachineOrThrow(stateMachineArnInput(input));
        return {
          ...summary(sm),
          status: 'ACTIVE',
          definition: sm.definition,
          roleArn: sm.roleArn,
          loggingConfiguration: { level: 'OFF', includeExecutionData: false },
          tracingConfiguration: { enabled: false },
          revisionId: sm.revisionId,
        };
      },
      DescribeStateMachineForExecution: (input) => {
        const ex = this.executionOrThrow(executionArnInput(input));
        const sm = this.records.stateMachine(ex.stateMachineArn);
        return {
          stateMachineArn: ex.stateMachineArn,
          name: ex.stateMachineArn.split(':').pop(),
          definition: ex.definition,
          roleArn: ex.roleArn,
          updateDate: new Date(sm?.updateDate ?? sm?.creationDate ?? ex.startDate),
        };
      },
      ListStateMachines: (input, ctx) => {
        const mine = this.records
          .stateMachines()
          .filter((sm) => {
            const parts = parseStateMachineArn(sm.stateMachineArn);
            return parts?.region === ctx.region && parts.accountId === ctx.principal.accountId;
          })
          .sort((a, b) => a.name.localeCompare(b.name));
        const { items, nextToken } = page(mine, input);
        return { stateMachines: items.map(summary), ...(nextToken ? { nextToken } : {}) };
      },
      DeleteStateMachine: (input) => {
        this.records.deleteStateMachine(stateMachineArnInput(input));
        return {};
      },
      StartExecution: (input) => {
        const ex = this.startExecution(stateMachineArnInput(input), str(input, 'input'), str(input, 'name'));
        return { executionArn: ex.executionArn, startDate: new Date(ex.startDate) };
      },
      DescribeExecution: (input) => this.describeExecution(executionArnInput(input)),
      ListExecutions: (input) => {
        const smArn = stateMachineArnInput(input);
        this.stateMachineOrThrow(smArn);
        const statusFilter = str(input, 'statusFilter');
        const redriveFilter = str(input, 'redriveFilter');
        if (statusFilter === 'PENDING_REDRIVE') return { executions: [] };
        const list = this.records
          .executionsOf(smArn)
          .filter((e) => !statusFilter || e.status === statusFilter)
          .filter((e) => !redriveFilter || (redriveFilter === 'REDRIVEN') === e.redriveCount > 0);
        const { items, nextToken } = page(list, input);
        return {
          executions: items.map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: new Date(e.startDate),
            ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate) } : {}),
            redriveCount: e.redriveCount,
            ...(e.redriveDate !== undefined ? { redriveDate: new Date(e.redriveDate) } : {}),
          })),
          ...(nextToken ? { nextToken } : {}),
        };
      },
      GetExecutionHistory: (input) => {
        const arn = executionArnInput(input);
        this.executionOrThrow(arn);
        const events = this.history.events(arn);
        if (input.reverseOrder === true) events.reverse();
        const { items, nextToken } = page(events, input);
        const includeData = input.includeExecutionData !== false;
        return { events: items.map((e) => History.toApi(e, includeData)), ...(nextToken ? { nextToken } : {}) };
      },
      StopExecution: (input) => {
        const ex = this.stopExecution(executionArnInput(input), str(input, 'error'), str(input, 'cause'));
        return { stopDate: new Date(ex.stopDate ?? this.runtime.clock.nowMs()) };
      },
      RedriveExecution: (input) => {
        const ex = this.redriveExecution(executionArnInput(input));
        return { redriveDate: new Date(ex.redriveDate ?? this.runtime.clock.nowMs()) };
      },
    };
    return ops;
  }
}
