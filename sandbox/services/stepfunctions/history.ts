/**
 * Execution history in AWS's `GetExecutionHistory` shape: events with `id` (1, 2, …),
 * `previousEventId` (the event before it in this execution; 0 for the first), `timestamp`
 * (simulated), `type` and a `<lowerCamelType>EventDetails` object (`stateEnteredEventDetails` for
 * every `*StateEntered`, `stateExitedEventDetails` for every `*StateExited`). Events are stored
 * as they happen, so the history of a running execution grows while it is read.
 */
import type { Clock, Store } from '../../core/types';

export const HISTORY = 'sfn-history';

/** AWS history event types the sandbox records. */
export const HistoryEventType = {
  ExecutionStarted: 'ExecutionStarted',
  ExecutionSucceeded: 'ExecutionSucceeded',
  ExecutionFailed: 'ExecutionFailed',
  ExecutionAborted: 'ExecutionAborted',
  ExecutionTimedOut: 'ExecutionTimedOut',
  ExecutionRedriven: 'ExecutionRedriven',
  LambdaFunctionScheduled: 'LambdaFunctionScheduled',
  LambdaFunctionStarted: 'LambdaFunctionStarted',
  LambdaFunctionSucceeded: 'LambdaFunctionSucceeded',
  LambdaFunctionFailed: 'LambdaFunctionFailed',
  TaskScheduled: 'TaskScheduled',
  TaskStarted: 'TaskStarted',
  TaskSubmitted: 'TaskSubmitted',
  TaskSucceeded: 'TaskSucceeded',
  TaskFailed: 'TaskFailed',
  TaskTimedOut: 'TaskTimedOut',
  MapIterationStarted: 'MapIterationStarted',
  MapIterationSucceeded: 'MapIterationSucceeded',
  MapIterationFailed: 'MapIterationFailed',
} as const;

/** One stored history event (timestamp in epoch ms). */
export interface StoredHistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly details?: Record<string, unknown>;
}

/** A history event as the API returns it. */
export type HistoryEvent = {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
} & Record<string, unknown>;

/** The details key of an event type: `TaskStateEntered` → `stateEnteredEventDetails`. */
export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** `{ truncated: false }`, the `*Details` of an input or output the sandbox never truncates. */
export const NOT_TRUNCATED = { truncated: false } as const;

/** Data fields left out when `includeExecutionData` is false. */
const DATA_FIELDS = new Set(['input', 'output', 'inputDetails', 'outputDetails', 'parameters', 'cause']);

const pad = (n: number) => String(n).padStart(9, '0');

/** Appends and reads execution history. */
export class History {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Appends an event; returns its id. */
  append(executionArn: string, type: string, details?: Record<string, unknown>): number {
    const id = this.store.nextSequence(`${HISTORY}:${executionArn}`);
    const event: StoredHistoryEvent = {
      id,
      previousEventId: id - 1,
      timestamp: this.clock.nowMs(),
      type,
      ...(details ? { details } : {}),
    };
    this.store.put(HISTORY, `${executionArn}#${pad(id)}`, event);
    return id;
  }

  /** Every event of an execution, oldest first. */
  events(executionArn: string): StoredHistoryEvent[] {
    return this.store.list<StoredHistoryEvent>(HISTORY, `${executionArn}#`);
  }

  /** An event as the API shows it. */
  static toApi(event: StoredHistoryEvent, includeExecutionData = true): HistoryEvent {
    const out: Record<string, unknown> = {
      timestamp: new Date(event.timestamp),
      type: event.type,
      id: event.id,
      previousEventId: event.previousEventId,
    };
    if (event.details) {
      out[detailsKey(event.type)] = includeExecutionData
        ? event.details
        : Object.fromEntries(Object.entries(event.details).filter(([k]) => !DATA_FIELDS.has(k)));
    }
    return out as HistoryEvent;
  }
}
