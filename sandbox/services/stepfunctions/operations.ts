/**
 * The wire-level operations of the Step Functions API: input checks, pagination and output shapes
 * over {@link StepFunctions}.
 */
import { pageAt } from '../../core/paging';
import type { RequestContext } from '../../core/types';
import { isWellFormedToken, type TaskAnswer } from './callbacks';
import {
  InvalidArn,
  InvalidOutput,
  InvalidToken,
  ResourceNotFound,
  StateMachineTypeNotSupported,
  ValidationException,
} from './errors';
import { History } from './history';
import { parseExecutionArn, parseStateMachineArn, type StateMachineRecord } from './records';
import type { StepFunctions } from './service';

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
  'SendTaskSuccess',
  'SendTaskFailure',
  'SendTaskHeartbeat',
] as const;
export type Operations = Record<(typeof OPERATIONS)[number], Operation>;

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

const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;
/** `ExecutionStatus` in the order AWS's ValidationException lists it (recorded from AWS). */
const EXECUTION_STATUSES = ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'] as const;
const REDRIVE_FILTERS = ['REDRIVEN', 'NOT_REDRIVEN'] as const;

/**
 * The constraint violations of a request, reported together as AWS does:
 * `2 validation errors detected: Value '…' at 'statusFilter' failed to satisfy constraint: …; Value …`.
 */
class Violations {
  private readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** `maxResults`: 0..1000 (0 is the default page size). */
  pageSize(input: Record<string, unknown>): void {
    const v = input.maxResults;
    if (typeof v !== 'number') return;
    if (v > MAX_PAGE_SIZE) {
      this.add(
        `Value '${v}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`,
      );
    } else if (v < 0) {
      this.add(
        `Value '${v}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      );
    }
  }

  /** A string member's length: `nextToken` 1..1024 (ListExecutions 1..3096), an ARN 1..256. */
  length(input: Record<string, unknown>, key: string, max: number): void {
    const v = input[key];
    if (typeof v !== 'string') return;
    if (v.length > max) {
      this.add(
        `Value '${v}' at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    } else if (v.length < 1) {
      this.add(
        `Value '${v}' at '${key}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
  }

  /** A member that must be present (`Value null at 'taskToken' failed to satisfy constraint: …`). */
  required(input: Record<string, unknown>, key: string): void {
    if (input[key] === undefined || input[key] === null) {
      this.add(`Value null at '${key}' failed to satisfy constraint: Member must not be null`);
    }
  }

  /** A string member of at most `max` characters (no minimum: `output`, `error`, `cause`). */
  maxLength(input: Record<string, unknown>, key: string, max: number): void {
    const v = input[key];
    if (typeof v === 'string' && v.length > max) {
      this.add(
        `Value '${v}' at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    }
  }

  /** An enum member; `values` in the order AWS lists them in its message. */
  oneOf(input: Record<string, unknown>, key: string, values: readonly string[]): void {
    const v = input[key];
    if (v === undefined || v === null || values.includes(String(v))) return;
    this.add(
      `Value '${String(v)}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
  }

  /** Throws the `ValidationException` when anything was wrong. */
  throwIfAny(): void {
    const n = this.problems.length;
    if (n === 0) return;
    throw new ValidationException(`${n} validation error${n > 1 ? 's' : ''} detected: ${this.problems.join('; ')}`);
  }
}

/** Checks `maxResults` and `nextToken` of a list operation (`tokenMax`: 1024, ListExecutions 3096). */
function checkPaging(input: Record<string, unknown>, tokenMax = 1024): void {
  const v = new Violations();
  v.pageSize(input);
  v.length(input, 'nextToken', tokenMax);
  v.throwIfAny();
}

/** Page of `items` from an opaque `nextToken` (`maxResults` already checked: 0 means the default). */
function page<T>(items: T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : DEFAULT_PAGE_SIZE;
  const token = input.nextToken ?? undefined;
  if (token !== undefined && typeof token !== 'string') throw new InvalidToken(token);
  const { page: slice, next } = pageAt(items, token, max, (t) => new InvalidToken(t));
  return next ? { items: slice, nextToken: next } : { items: slice };
}

/**
 * Why `arn` is not an ARN of the `expected` resource type, worded as AWS's `InvalidArn` is
 * (`Invalid ARN prefix: x`, `Resource type not valid in this context: execution`), or undefined.
 */
function arnProblem(arn: string, expected: 'stateMachine' | 'execution', valid: boolean): string | undefined {
  if (valid) return undefined;
  if (!arn.startsWith('arn:')) return `Invalid ARN prefix: ${arn}`;
  const type = arn.split(':')[5];
  if (type && type !== expected) return `Resource type not valid in this context: ${type}`;
  return arn;
}

function stateMachineArnInput(input: Record<string, unknown>): string {
  const arn = required(input, 'stateMachineArn');
  const problem = arnProblem(arn, 'stateMachine', parseStateMachineArn(arn) !== undefined);
  if (problem !== undefined) throw new InvalidArn(problem);
  return arn;
}

function executionArnInput(input: Record<string, unknown>): string {
  const arn = required(input, 'executionArn');
  const problem = arnProblem(arn, 'execution', parseExecutionArn(arn) !== undefined);
  if (problem !== undefined) throw new InvalidArn(problem);
  return arn;
}

/** Task token limits of the API reference: `taskToken` 1..2048, `output` 262144, `error` 256, `cause` 32768. */
const TASK_TOKEN_MAX = 2048;
const OUTPUT_MAX = 262_144;
const ERROR_MAX = 256;
const CAUSE_MAX = 32_768;

/**
 * Checks a `SendTask*` request (every constraint violation at once, then the token's shape:
 * `Invalid Token: 'Invalid token'` as AWS words it) and returns its token.
 */
function taskTokenInput(input: Record<string, unknown>, limits: Record<string, number> = {}): string {
  const v = new Violations();
  v.required(input, 'taskToken');
  v.length(input, 'taskToken', TASK_TOKEN_MAX);
  for (const [key, max] of Object.entries(limits)) v.maxLength(input, key, max);
  if (limits.output !== undefined) v.required(input, 'output');
  v.throwIfAny();
  const token = String(input.taskToken);
  if (!isWellFormedToken(token)) throw new InvalidToken('Invalid token');
  return token;
}

/** The operations of a {@link StepFunctions}. */
export function createOperations(sfn: StepFunctions): Operations {
  const summary = (sm: StateMachineRecord) => ({
    stateMachineArn: sm.stateMachineArn,
    name: sm.name,
    type: sm.type,
    creationDate: new Date(sm.creationDate),
  });
  /** SendTask*: the token of the caller's account and region answered (an empty reply). */
  const answer = (token: string, ctx: RequestContext, taskAnswer: TaskAnswer) => {
    sfn.tokens.answer(token, ctx.principal.accountId, ctx.region, taskAnswer);
    return {};
  };
  const ops: Operations = {
    CreateStateMachine: (input, ctx) => {
      const sm = sfn.createStateMachine(ctx.region, ctx.principal.accountId, {
        name: required(input, 'name'),
        definition: required(input, 'definition'),
        roleArn: required(input, 'roleArn'),
        ...(str(input, 'type') !== undefined ? { type: str(input, 'type') } : {}),
      });
      return { stateMachineArn: sm.stateMachineArn, creationDate: new Date(sm.creationDate) };
    },
    UpdateStateMachine: (input) => {
      const sm = sfn.updateStateMachine(stateMachineArnInput(input), {
        ...(str(input, 'definition') !== undefined ? { definition: str(input, 'definition') } : {}),
        ...(str(input, 'roleArn') !== undefined ? { roleArn: str(input, 'roleArn') } : {}),
      });
      return { updateDate: new Date(sm.updateDate ?? sm.creationDate), revisionId: sm.revisionId };
    },
    DescribeStateMachine: (input) => {
      const sm = sfn.stateMachineOrThrow(stateMachineArnInput(input));
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
      const ex = sfn.executionOrThrow(executionArnInput(input));
      const sm = sfn.records.stateMachine(ex.stateMachineArn);
      return {
        stateMachineArn: ex.stateMachineArn,
        name: ex.stateMachineArn.split(':').pop(),
        definition: ex.definition,
        roleArn: ex.roleArn,
        updateDate: new Date(sm?.updateDate ?? sm?.creationDate ?? ex.startDate),
      };
    },
    ListStateMachines: (input, ctx) => {
      checkPaging(input);
      const mine = sfn.records
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
      sfn.records.deleteStateMachine(stateMachineArnInput(input));
      return {};
    },
    StartExecution: (input) => {
      const ex = sfn.startExecution(stateMachineArnInput(input), str(input, 'input'), str(input, 'name'));
      return { executionArn: ex.executionArn, startDate: new Date(ex.startDate) };
    },
    DescribeExecution: (input) => sfn.describeExecution(executionArnInput(input)),
    ListExecutions: (input) => {
      const v = new Violations();
      v.length(input, 'stateMachineArn', 256);
      v.oneOf(input, 'statusFilter', EXECUTION_STATUSES);
      v.pageSize(input);
      v.length(input, 'nextToken', 3096);
      v.length(input, 'mapRunArn', 2000);
      v.oneOf(input, 'redriveFilter', REDRIVE_FILTERS);
      const mapRunArn = str(input, 'mapRunArn');
      if (input.stateMachineArn === undefined && mapRunArn === undefined) {
        v.add('Must provide a StateMachine ARN or MapRun ARN');
      }
      v.throwIfAny();
      if (input.stateMachineArn !== undefined && mapRunArn !== undefined) {
        throw new ValidationException('You can specify either a mapRunArn or a stateMachineArn, but not both.');
      }
      const statusFilter = str(input, 'statusFilter');
      const redriveFilter = str(input, 'redriveFilter');
      // documented: PENDING_REDRIVE with a stateMachineArn is a ValidationException (the wording is ours)
      if (statusFilter === 'PENDING_REDRIVE' && mapRunArn === undefined) {
        throw new ValidationException(
          'The PENDING_REDRIVE statusFilter lists the child workflow executions of a Map Run: specify mapRunArn, not stateMachineArn.',
        );
      }
      // the sandbox runs no Distributed Map, so no Map Run exists
      if (mapRunArn !== undefined) throw new ResourceNotFound(mapRunArn);
      const smArn = stateMachineArnInput(input);
      const sm = sfn.stateMachineOrThrow(smArn);
      if (sm.type !== 'STANDARD') throw new StateMachineTypeNotSupported();
      const list = sfn.records
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
      checkPaging(input);
      const arn = executionArnInput(input);
      sfn.executionOrThrow(arn);
      const events = sfn.history.events(arn);
      if (input.reverseOrder === true) events.reverse();
      const { items, nextToken } = page(events, input);
      const includeData = input.includeExecutionData !== false;
      return { events: items.map((e) => History.toApi(e, includeData)), ...(nextToken ? { nextToken } : {}) };
    },
    StopExecution: (input) => {
      const ex = sfn.stopExecution(executionArnInput(input), str(input, 'error'), str(input, 'cause'));
      return { stopDate: new Date(ex.stopDate ?? sfn.runtime.clock.nowMs()) };
    },
    RedriveExecution: (input) => {
      const ex = sfn.redriveExecution(executionArnInput(input));
      return { redriveDate: new Date(ex.redriveDate ?? sfn.runtime.clock.nowMs()) };
    },
    SendTaskSuccess: (input, ctx) => {
      const token = taskTokenInput(input, { output: OUTPUT_MAX });
      const output = String(input.output);
      try {
        JSON.parse(output);
      } catch (err) {
        throw new InvalidOutput((err as Error).message);
      }
      return answer(token, ctx, { kind: 'success', output });
    },
    SendTaskFailure: (input, ctx) => {
      const token = taskTokenInput(input, { error: ERROR_MAX, cause: CAUSE_MAX });
      const error = str(input, 'error');
      const cause = str(input, 'cause');
      return answer(token, ctx, {
        kind: 'failure',
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
    },
    SendTaskHeartbeat: (input, ctx) => answer(taskTokenInput(input), ctx, { kind: 'heartbeat' }),
  };
  return ops;
}
