import { CANCELLED_REASON, type OperationPreferences, type OperationTarget, type TargetSchedule } from './model';

/** Max accounts deployed at once in a region (AWS: a percentage rounds down, at least 1). */
export function maxConcurrent(prefs: OperationPreferences, accounts: number): number {
  if (prefs.MaxConcurrentCount !== undefined) return Math.max(1, prefs.MaxConcurrentCount);
  if (prefs.MaxConcurrentPercentage !== undefined) {
    return Math.max(1, Math.floor((prefs.MaxConcurrentPercentage * accounts) / 100));
  }
  return 1;
}

/** Failed accounts tolerated per region before the operation stops (a percentage rounds down). */
export function failureTolerance(prefs: OperationPreferences, accounts: number): number {
  if (prefs.FailureToleranceCount !== undefined) return prefs.FailureToleranceCount;
  if (prefs.FailureTolerancePercentage !== undefined) {
    return Math.floor((prefs.FailureTolerancePercentage * accounts) / 100);
  }
  return 0;
}

/** The outcome of an operation's schedule. */
export interface Plan {
  schedule: TargetSchedule[];
  endAt: number;
  failed: boolean;
}

/**
 * Computes when each target of an operation deploys and how it ends, like StackSets does: regions
 * one after the other (SEQUENTIAL, the default, in `RegionOrder` then first-seen order) or all at
 * once (PARALLEL); within a region at most `maxConcurrent` accounts at a time; when more accounts
 * fail in a region than the tolerance allows, no further account starts there (nor, sequentially,
 * in later regions) and the rest are CANCELLED. Pure: the same targets give the same plan.
 *
 * @param targets - with their drawn durations and failures
 * @param startAt - simulated ms when the operation starts
 */
export function planOperation(targets: OperationTarget[], prefs: OperationPreferences, startAt: number): Plan {
  const schedule: TargetSchedule[] = targets.map(() => ({ endAt: startAt, outcome: 'CANCELLED' as const }));
  const regions: string[] = [];
  for (const r of prefs.RegionOrder ?? [])
    if (targets.some((t) => t.region === r) && !regions.includes(r)) regions.push(r);
  for (const t of targets) if (!regions.includes(t.region)) regions.push(t.region);

  const parallel = prefs.RegionConcurrencyType === 'PARALLEL';
  let cursor = startAt;
  let end = startAt;
  let failed = false;
  for (const region of regions) {
    const indexes = targets.flatMap((t, i) => (t.region === region ? [i] : []));
    const regionStart = parallel ? startAt : cursor;
    if (!parallel && failed) {
      for (const i of indexes) schedule[i] = { endAt: regionStart, outcome: 'CANCELLED', reason: CANCELLED_REASON };
      continue;
    }
    const result = runRegion(indexes, targets, prefs, regionStart, schedule);
    failed ||= result.failed;
    cursor = result.endAt;
    end = Math.max(end, result.endAt);
  }
  return { schedule, endAt: end, failed };
}

function runRegion(
  indexes: number[],
  targets: OperationTarget[],
  prefs: OperationPreferences,
  regionStart: number,
  schedule: TargetSchedule[],
): { endAt: number; failed: boolean } {
  const slots = maxConcurrent(prefs, indexes.length);
  const tolerance = failureTolerance(prefs, indexes.length);
  const queue = [...indexes];
  const running: { index: number; endAt: number }[] = [];
  let now = regionStart;
  let failures = 0;
  let stopped = false;
  while (queue.length > 0 || running.length > 0) {
    while (!stopped && running.length < slots && queue.length > 0) {
      const index = queue.shift() as number;
      const target = targets[index] as OperationTarget;
      running.push({ index, endAt: now + target.durationMs });
    }
    if (running.length === 0) break;
    running.sort((a, b) => a.endAt - b.endAt || a.index - b.index);
    const done = running.shift() as { index: number; endAt: number };
    now = done.endAt;
    const target = targets[done.index] as OperationTarget;
    const startAt = done.endAt - target.durationMs;
    if (target.failure !== undefined) {
      failures++;
      schedule[done.index] = { startAt, endAt: now, outcome: 'FAILED', reason: target.failure };
      if (failures > tolerance) stopped = true;
    } else {
      schedule[done.index] = { startAt, endAt: now, outcome: 'SUCCEEDED' };
    }
    if (stopped) {
      for (const i of queue) schedule[i] = { endAt: now, outcome: 'CANCELLED', reason: CANCELLED_REASON };
      queue.length = 0;
    }
  }
  return { endAt: now, failed: stopped };
}
