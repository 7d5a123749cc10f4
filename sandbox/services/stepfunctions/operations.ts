/**
 * The wire-level operations of the Step Functions API: input checks, pagination and output shapes
 * over {@link StepFunctions}.
 */
import { pageAt } from '../../core/paging';
import type { RequestContext } from '../../core/types';
import { InvalidArn, InvalidToken, ValidationException } from './errors';
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

/** Page of `items` from an opaque `nextToken`. */
function page<T>(items: T[], input: Record<string, unknown>, defaultSize = 100): { items: T[]; nextToken?: string } {
  const max =
    typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : defaultSize;
  const token = input.nextToken ?? undefined;
  if (token !== undefined && typeof token !== 'string') throw new InvalidToken(token);
  const { page: slice, next } = pageAt(items, token, max, (t) => new InvalidToken(t));
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

/** The operations of a {@link StepFunctions}. */
export function createOperations(sfn: StepFunctions): Operations {
  const summary = (sm: StateMachineRecord) => ({
    stateMachineArn: sm.stateMachineArn,
    name: sm.name,
    type: sm.type,
    creationDate: new Date(sm.creationDate),
  });
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
      const smArn = stateMachineArnInput(input);
      sfn.stateMachineOrThrow(smArn);
      const statusFilter = str(input, 'statusFilter');
      const redriveFilter = str(input, 'redriveFilter');
      if (statusFilter === 'PENDING_REDRIVE') return { executions: [] };
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
  };
  return ops;
}
