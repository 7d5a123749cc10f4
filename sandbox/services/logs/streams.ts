import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { required } from './groups';
import {
  constraint,
  groupNameOf,
  invalidParameter,
  type LogEventRecord,
  type LogStreamRecord,
  LogsError,
  logGroupArn,
  mustGroup,
  type Scope,
  scopeOf,
  streamId,
  streamNotFound,
  TABLES,
} from './model';

/**
 * Log streams and events, kept minimal: create and describe streams, put events (AWS's time window
 * and ordering rules) and read them back with `GetLogEvents`. Events are stored, never expired.
 */

type Input = Record<string, unknown>;

const STREAM_NAME = /^[^:*]*$/;
const DAY_MS = 86_400_000;
const MAX_EVENTS = 10_000;

function groupOf(runtime: SandboxRuntime, ctx: RequestContext, input: Input) {
  const name =
    typeof input.logGroupIdentifier === 'string'
      ? groupNameOf(input.logGroupIdentifier)
      : required(input, 'logGroupName');
  return mustGroup(runtime, scopeOf(ctx), name);
}

function getStream(runtime: SandboxRuntime, scope: Scope, group: string, stream: string): LogStreamRecord {
  const record = runtime.store.get<LogStreamRecord>(TABLES.streams, streamId(scope, group, stream));
  if (!record) throw streamNotFound();
  return record;
}

/** Creates a log stream in a group. */
export function createLogStream(runtime: SandboxRuntime, scope: Scope, group: string, stream: string): LogStreamRecord {
  mustGroup(runtime, scope, group);
  if (stream.length > 512)
    throw constraint(stream, 'logStreamName', 'Member must have length less than or equal to 512');
  if (!STREAM_NAME.test(stream))
    throw constraint(stream, 'logStreamName', 'Member must satisfy regular expression pattern: [^:*]*');
  const id = streamId(scope, group, stream);
  const record: LogStreamRecord = {
    _id: id,
    logStreamName: stream,
    creationTime: runtime.clock.nowMs(),
    uploadSequenceToken: 1,
  };
  if (!runtime.store.insert(TABLES.streams, id, record)) {
    throw new LogsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
  }
  return record;
}

/** Stores events in a stream; events outside AWS's window are rejected as `PutLogEvents` reports them. */
export function putLogEvents(
  runtime: SandboxRuntime,
  scope: Scope,
  group: string,
  stream: string,
  events: readonly { timestamp: number; message: string }[],
) {
  const record = getStream(runtime, scope, group, stream);
  const now = runtime.clock.nowMs();
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  let tooOld = -1;
  let tooNew = -1;
  const accepted: { timestamp: number; message: string }[] = [];
  events.forEach((e, i) => {
    if (e.timestamp < now - 14 * DAY_MS) tooOld = i;
    else if (e.timestamp > now + 2 * 3_600_000) tooNew = tooNew < 0 ? i : tooNew;
    else accepted.push(e);
  });
  runtime.store.transaction(() => {
    for (const e of accepted) {
      const seq = String(runtime.store.nextSequence(TABLES.events)).padStart(12, '0');
      const id = `${record._id}:${seq}`;
      runtime.store.put<LogEventRecord>(TABLES.events, id, {
        _id: id,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: now,
      });
    }
    const times = accepted.map((e) => e.timestamp);
    runtime.store.put<LogStreamRecord>(TABLES.streams, record._id, {
      ...record,
      ...(times.length > 0
        ? {
            firstEventTimestamp: Math.min(record.firstEventTimestamp ?? Number.POSITIVE_INFINITY, ...times),
            lastEventTimestamp: Math.max(record.lastEventTimestamp ?? 0, ...times),
            lastIngestionTime: now,
          }
        : {}),
      uploadSequenceToken: record.uploadSequenceToken + 1,
    });
  });
  return {
    nextSequenceToken: String(record.uploadSequenceToken + 1).padStart(56, '0'),
    ...(tooOld >= 0 || tooNew >= 0
      ? {
          rejectedLogEventsInfo: {
            ...(tooOld >= 0 ? { tooOldLogEventEndIndex: tooOld } : {}),
            ...(tooNew >= 0 ? { tooNewLogEventStartIndex: tooNew } : {}),
          },
        }
      : {}),
  };
}

/** The stream operations, bound to the runtime. */
export function streamOperations(runtime: SandboxRuntime) {
  return {
    CreateLogStream(input: Input, ctx: RequestContext) {
      createLogStream(runtime, scopeOf(ctx), required(input, 'logGroupName'), required(input, 'logStreamName'));
      return {};
    },

    DescribeLogStreams(input: Input, ctx: RequestContext) {
      const group = groupOf(runtime, ctx, input);
      const prefix = typeof input.logStreamNamePrefix === 'string' ? input.logStreamNamePrefix : undefined;
      const orderBy = input.orderBy ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        throw constraint(orderBy, 'orderBy', 'Member must satisfy enum value set: [LogStreamName, LastEventTime]');
      }
      if (orderBy === 'LastEventTime' && prefix !== undefined) {
        throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const limit = input.limit === undefined ? 50 : Number(input.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50)
        throw constraint(input.limit, 'limit', 'Member must have value less than or equal to 50');
      const arn = logGroupArn(group, group.logGroupName);
      const streams = runtime.store
        .list<LogStreamRecord>(TABLES.streams, `${streamId(group, group.logGroupName, '')}`)
        .filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix))
        .sort((a, b) =>
          orderBy === 'LastEventTime'
            ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0)
            : a.logStreamName < b.logStreamName
              ? -1
              : a.logStreamName > b.logStreamName
                ? 1
                : 0,
        );
      if (input.descending === true) streams.reverse();
      const { page, next } = pageAt(
        streams,
        typeof input.nextToken === 'string' ? input.nextToken : undefined,
        limit,
        () => invalidParameter('The specified nextToken is invalid.'),
      );
      return {
        logStreams: page.map((s) => ({
          logStreamName: s.logStreamName,
          creationTime: s.creationTime,
          ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
          ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
          ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
          uploadSequenceToken: String(s.uploadSequenceToken).padStart(56, '0'),
          arn: `${arn}:log-stream:${s.logStreamName}`,
          storedBytes: 0,
        })),
        ...(next ? { nextToken: next } : {}),
      };
    },

    PutLogEvents(input: Input, ctx: RequestContext) {
      const group = required(input, 'logGroupName');
      const stream = required(input, 'logStreamName');
      if (!Array.isArray(input.logEvents) || input.logEvents.length === 0) {
        throw constraint('null', 'logEvents', 'Member must have length greater than or equal to 1');
      }
      if (input.logEvents.length > MAX_EVENTS)
        throw constraint('…', 'logEvents', `Member must have length less than or equal to ${MAX_EVENTS}`);
      const events = (input.logEvents as { timestamp?: unknown; message?: unknown }[]).map((e, i) => {
        if (typeof e?.timestamp !== 'number')
          throw constraint('null', `logEvents.${i + 1}.member.timestamp`, 'Member must not be null');
        if (typeof e.message !== 'string' || e.message === '') {
          throw constraint(
            'null',
            `logEvents.${i + 1}.member.message`,
            'Member must have length greater than or equal to 1',
          );
        }
        return { timestamp: e.timestamp, message: e.message };
      });
      mustGroup(runtime, scopeOf(ctx), group);
      return putLogEvents(runtime, scopeOf(ctx), group, stream, events);
    },

    GetLogEvents(input: Input, ctx: RequestContext) {
      const group = groupOf(runtime, ctx, input);
      const record = getStream(runtime, group, group.logGroupName, required(input, 'logStreamName'));
      const start = typeof input.startTime === 'number' ? input.startTime : undefined;
      const end = typeof input.endTime === 'number' ? input.endTime : undefined;
      const limit = input.limit === undefined ? MAX_EVENTS : Number(input.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) {
        throw constraint(input.limit, 'limit', `Member must have value less than or equal to ${MAX_EVENTS}`);
      }
      const all = runtime.store
        .list<LogEventRecord>(TABLES.events, `${record._id}:`)
        .filter((e) => (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end))
        .sort((a, b) => a.timestamp - b.timestamp);
      const token = typeof input.nextToken === 'string' ? /^([fb])\/(\d+)$/.exec(input.nextToken) : null;
      if (typeof input.nextToken === 'string' && !token) throw invalidParameter('The specified nextToken is invalid.');
      const fromHead = token ? token[1] === 'f' : input.startFromHead === true;
      // a forward token names the first index to return; a backward token the end (exclusive)
      const at = token ? Number(token[2]) : fromHead ? 0 : all.length;
      const [from, to] = fromHead ? [at, Math.min(all.length, at + limit)] : [Math.max(0, at - limit), at];
      return {
        events: all
          .slice(from, to)
          .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${String(to).padStart(56, '0')}`,
        nextBackwardToken: `b/${String(from).padStart(56, '0')}`,
      };
    },
  };
}
