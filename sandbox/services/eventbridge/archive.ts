/**
 * Archives and replays: `CreateArchive`/`DescribeArchive`/`ListArchives`/`DeleteArchive` and
 * `StartReplay`/`DescribeReplay`/`ListReplays`/`CancelReplay`. A replay re-sends the archived
 * events of a time window to the archive's bus, with `replay-name` in the envelope, to the rules
 * named in `FilterArns` (or every rule of the bus), moving STARTING → RUNNING → COMPLETED.
 */
import type { OperationHandler, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import type { EventRouter } from './delivery';
import {
  type ArchivedEvent,
  type ArchiveRecord,
  alreadyExists,
  arns,
  type BusRecord,
  callScope,
  keys,
  notFound,
  optionalString,
  paginate,
  parseBusArn,
  parseRuleArn,
  type ReplayRecord,
  requiredString,
  type Scope,
  sameScope,
  scopePrefix,
  TABLES,
  timestampInput,
  toDate,
  validation,
} from './model';
import { checkPattern, ensureBus } from './rules';

const ARCHIVE_NAME = /^[.\-_A-Za-z0-9]{1,48}$/;

/** Creates an archive if absent (start-up seeding). */
export function ensureArchive(
  runtime: SandboxRuntime,
  name: string,
  bus: BusRecord,
  description?: string,
): ArchiveRecord {
  const existing = runtime.store.get<ArchiveRecord>(TABLES.archives, keys.archive(bus, name));
  if (existing) return existing;
  const record: ArchiveRecord = {
    account: bus.account,
    region: bus.region,
    ArchiveName: name,
    ArchiveArn: arns.archive(bus, name),
    EventSourceArn: bus.Arn,
    RetentionDays: 0,
    State: 'ENABLED',
    CreationTime: runtime.clock.nowMs(),
    ...(description ? { Description: description } : {}),
  };
  runtime.store.put(TABLES.archives, keys.archive(bus, name), record);
  return record;
}

function archiveStats(runtime: SandboxRuntime, archive: ArchiveRecord): { EventCount: number; SizeBytes: number } {
  const events = runtime.store.list<ArchivedEvent>(TABLES.archived, `${keys.archive(archive, archive.ArchiveName)}/`);
  return { EventCount: events.length, SizeBytes: events.reduce((sum, e) => sum + e.size, 0) };
}

function describeReplay(replay: ReplayRecord): Record<string, unknown> {
  return {
    ReplayName: replay.ReplayName,
    ReplayArn: replay.ReplayArn,
    Description: replay.Description,
    State: replay.State,
    StateReason: replay.StateReason,
    EventSourceArn: replay.EventSourceArn,
    Destination: replay.Destination,
    EventStartTime: toDate(replay.EventStartTime),
    EventEndTime: toDate(replay.EventEndTime),
    EventLastReplayedTime: toDate(replay.EventLastReplayedTime),
    ReplayStartTime: toDate(replay.ReplayStartTime),
    ReplayEndTime: toDate(replay.ReplayEndTime),
  };
}

/** The operations of this file. */
export function archiveOperations(runtime: SandboxRuntime, router: EventRouter): Record<string, OperationHandler> {
  const store = runtime.store;
  const archiveByName = (scope: Scope, name: string): ArchiveRecord => {
    const archive = store.get<ArchiveRecord>(TABLES.archives, keys.archive(scope, name));
    if (!archive) throw notFound(`Archive ${name} does not exist.`);
    return archive;
  };

  return {
    CreateArchive(input, ctx) {
      const scope = callScope(ctx);
      const name = requiredString(input, 'ArchiveName');
      if (!ARCHIVE_NAME.test(name)) throw validation(`Archive name ${name} is not valid.`);
      const source = requiredString(input, 'EventSourceArn');
      const parsed = parseBusArn(source);
      const bus =
        parsed && sameScope(parsed, scope)
          ? parsed.name === 'default'
            ? ensureBus(runtime, scope, 'default')
            : store.get<BusRecord>(TABLES.buses, keys.bus(scope, parsed.name))
          : undefined;
      if (!bus) throw notFound(`Event bus ${source} does not exist.`);
      if (store.get(TABLES.archives, keys.archive(scope, name))) throw alreadyExists(`Archive ${name} already exists.`);
      const pattern = optionalString(input, 'EventPattern');
      if (pattern) checkPattern(pattern);
      const retention = input.RetentionDays;
      const record: ArchiveRecord = {
        ...ensureArchive(runtime, name, bus, optionalString(input, 'Description')),
        ...(pattern ? { EventPattern: pattern } : {}),
        RetentionDays: typeof retention === 'number' ? retention : 0,
      };
      store.put(TABLES.archives, keys.archive(scope, name), record);
      return { ArchiveArn: record.ArchiveArn, State: record.State, CreationTime: toDate(record.CreationTime) };
    },

    DescribeArchive(input, ctx) {
      const {
        account: _a,
        region: _r,
        ...archive
      } = archiveByName(callScope(ctx), requiredString(input, 'ArchiveName'));
      return {
        ...archive,
        CreationTime: toDate(archive.CreationTime),
        ...archiveStats(runtime, { ...archive, account: _a, region: _r }),
      };
    },

    ListArchives(input, ctx) {
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const source = optionalString(input, 'EventSourceArn');
      const state = optionalString(input, 'State');
      const archives = store
        .list<ArchiveRecord>(TABLES.archives, scopePrefix(callScope(ctx)))
        .filter(
          (a) =>
            a.ArchiveName.startsWith(prefix) &&
            (!source || a.EventSourceArn === source) &&
            (!state || a.State === state),
        );
      const { page, next } = paginate(archives, input);
      return {
        Archives: page.map((a) => ({
          ArchiveName: a.ArchiveName,
          EventSourceArn: a.EventSourceArn,
          State: a.State,
          RetentionDays: a.RetentionDays,
          CreationTime: toDate(a.CreationTime),
          ...archiveStats(runtime, a),
        })),
        NextToken: next,
      };
    },

    DeleteArchive(input, ctx) {
      const scope = callScope(ctx);
      const archive = archiveByName(scope, requiredString(input, 'ArchiveName'));
      for (const archived of store.list<ArchivedEvent>(
        TABLES.archived,
        `${keys.archive(scope, archive.ArchiveName)}/`,
      )) {
        store.delete(TABLES.archived, archived.key);
      }
      store.delete(TABLES.archives, keys.archive(scope, archive.ArchiveName));
      return {};
    },

    StartReplay(input, ctx) {
      const scope = callScope(ctx);
      const name = requiredString(input, 'ReplayName');
      if (!ARCHIVE_NAME.test(name)) throw validation(`Replay name ${name} is not valid.`);
      if (store.get(TABLES.replays, keys.replay(scope, name))) throw alreadyExists(`Replay ${name} already exists.`);
      const source = requiredString(input, 'EventSourceArn');
      const archive = store
        .list<ArchiveRecord>(TABLES.archives, scopePrefix(scope))
        .find((a) => a.ArchiveArn === source);
      if (!archive) throw notFound(`Archive ${source} does not exist.`);
      const start = timestampInput(input.EventStartTime, 'EventStartTime');
      const end = timestampInput(input.EventEndTime, 'EventEndTime');
      if (!(start < end)) throw validation('Parameter EventStartTime must be before EventEndTime.');
      const destination = input.Destination as { Arn?: unknown; FilterArns?: unknown } | undefined;
      if (!destination || typeof destination.Arn !== 'string')
        throw validation('Parameter Destination.Arn must be specified.');
      if (destination.Arn !== archive.EventSourceArn) {
        throw validation(`Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.`);
      }
      const filterArns = Array.isArray(destination.FilterArns) ? destination.FilterArns.map(String) : [];
      for (const arn of filterArns) {
        const rule = parseRuleArn(arn);
        if (!rule || !store.get(TABLES.rules, keys.rule(rule, rule.bus, rule.name)))
          throw notFound(`Rule ${arn} does not exist.`);
      }
      const replay: ReplayRecord = {
        ...scope,
        ReplayName: name,
        ReplayArn: arns.replay(scope, name),
        EventSourceArn: source,
        Destination: { Arn: destination.Arn, ...(filterArns.length ? { FilterArns: filterArns } : {}) },
        EventStartTime: start,
        EventEndTime: end,
        State: 'STARTING',
        ReplayStartTime: runtime.clock.nowMs(),
        replayed: 0,
        ...(optionalString(input, 'Description')
          ? { Description: optionalString(input, 'Description') as string }
          : {}),
      };
      store.put(TABLES.replays, keys.replay(scope, name), replay);
      runtime.track(runReplay(runtime, router, keys.replay(scope, name)));
      return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: toDate(replay.ReplayStartTime) };
    },

    DescribeReplay(input, ctx) {
      const name = requiredString(input, 'ReplayName');
      const replay = store.get<ReplayRecord>(TABLES.replays, keys.replay(callScope(ctx), name));
      if (!replay) throw notFound(`Replay ${name} does not exist.`);
      return describeReplay(replay);
    },

    ListReplays(input, ctx) {
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const source = optionalString(input, 'EventSourceArn');
      const state = optionalString(input, 'State');
      const replays = store
        .list<ReplayRecord>(TABLES.replays, scopePrefix(callScope(ctx)))
        .filter(
          (r) =>
            r.ReplayName.startsWith(prefix) &&
            (!source || r.EventSourceArn === source) &&
            (!state || r.State === state),
        );
      const { page, next } = paginate(replays, input);
      return {
        Replays: page.map((r) => {
          const { Destination: _d, ReplayArn: _a, Description: _x, ...summary } = describeReplay(r);
          return summary;
        }),
        NextToken: next,
      };
    },

    CancelReplay(input, ctx) {
      const name = requiredString(input, 'ReplayName');
      const key = keys.replay(callScope(ctx), name);
      const replay = store.get<ReplayRecord>(TABLES.replays, key);
      if (!replay) throw notFound(`Replay ${name} does not exist.`);
      if (replay.State !== 'STARTING' && replay.State !== 'RUNNING') {
        throw new AwsServiceError(
          'IllegalStatusException',
          `Replay ${name} is ${replay.State} and cannot be cancelled.`,
        );
      }
      store.put<ReplayRecord>(TABLES.replays, key, { ...replay, State: 'CANCELLING' });
      return { ReplayArn: replay.ReplayArn, State: 'CANCELLING' };
    },
  };
}

/** Events replayed per batch before yielding (so the replay is observable while RUNNING). */
const BATCH = 50;

/** Runs a replay (by its store key `<account>/<region>/<name>`) in the background. */
export async function runReplay(runtime: SandboxRuntime, router: EventRouter, key: string): Promise<void> {
  const name = key.split('/').slice(2).join('/');
  const store = runtime.store;
  const update = (patch: Partial<ReplayRecord>): ReplayRecord | undefined => {
    const current = store.get<ReplayRecord>(TABLES.replays, key);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    store.put(TABLES.replays, key, next);
    return next;
  };
  await new Promise((resolve) => setImmediate(resolve));
  let replay = store.get<ReplayRecord>(TABLES.replays, key);
  if (!replay) return;
  if (replay.State === 'CANCELLING') {
    update({ State: 'CANCELLED', StateReason: 'Replay was cancelled.', ReplayEndTime: runtime.clock.nowMs() });
    return;
  }
  replay = update({ State: 'RUNNING' });
  if (!replay) return;
  try {
    const scope: Scope = replay;
    const archive = store
      .list<ArchiveRecord>(TABLES.archives, scopePrefix(scope))
      .find((a) => a.ArchiveArn === replay?.EventSourceArn);
    if (!archive) throw new Error(`Archive ${replay.EventSourceArn} no longer exists`);
    const bus = store.list<BusRecord>(TABLES.buses, scopePrefix(scope)).find((b) => b.Arn === replay?.Destination.Arn);
    if (!bus) throw new Error(`Event bus ${replay.Destination.Arn} no longer exists`);
    const events = store
      .list<ArchivedEvent>(TABLES.archived, `${keys.archive(scope, archive.ArchiveName)}/`)
      .filter(
        (e) => e.timeMs >= (replay as ReplayRecord).EventStartTime && e.timeMs < (replay as ReplayRecord).EventEndTime,
      );
    let replayed = 0;
    let last: number | undefined;
    for (let i = 0; i < events.length; i++) {
      const archived = events[i] as ArchivedEvent;
      router.route(scope, bus.Name, { ...archived.event, 'replay-name': name } as typeof archived.event, {
        replayName: name,
        filterArns: replay.Destination.FilterArns ?? [],
      });
      replayed++;
      last = archived.timeMs;
      if ((i + 1) % BATCH === 0) {
        update({ replayed, ...(last !== undefined ? { EventLastReplayedTime: last } : {}) });
        await new Promise((resolve) => setImmediate(resolve));
        if (store.get<ReplayRecord>(TABLES.replays, key)?.State === 'CANCELLING') {
          update({ State: 'CANCELLED', StateReason: 'Replay was cancelled.', ReplayEndTime: runtime.clock.nowMs() });
          return;
        }
      }
    }
    update({
      State: 'COMPLETED',
      replayed,
      ReplayEndTime: runtime.clock.nowMs(),
      ...(last !== undefined ? { EventLastReplayedTime: last } : {}),
    });
  } catch (error) {
    try {
      update({ State: 'FAILED', StateReason: (error as Error).message, ReplayEndTime: runtime.clock.nowMs() });
    } catch {
      // store closed on shutdown
    }
  }
}
