import type { OperationTarget } from '../../../../../sandbox/services/cloudformation/model';
import {
  failureTolerance,
  maxConcurrent,
  planOperation,
} from '../../../../../sandbox/services/cloudformation/schedule';

const target = (account: string, region: string, durationMs = 30_000, failure?: string): OperationTarget => ({
  account,
  region,
  durationMs,
  ...(failure ? { failure } : {}),
});

describe('StackSets operation planning', () => {
  it('rounds percentages down as StackSets does, with at least one concurrent account', () => {
    expect(maxConcurrent({ MaxConcurrentPercentage: 50 }, 3)).toBe(1);
    expect(maxConcurrent({ MaxConcurrentPercentage: 100 }, 3)).toBe(3);
    expect(maxConcurrent({ MaxConcurrentPercentage: 10 }, 3)).toBe(1);
    expect(maxConcurrent({}, 5)).toBe(1);
    expect(failureTolerance({ FailureTolerancePercentage: 50 }, 3)).toBe(1);
    expect(failureTolerance({ FailureToleranceCount: 2 }, 3)).toBe(2);
    expect(failureTolerance({}, 3)).toBe(0);
  });

  it('deploys one account at a time by default', () => {
    const plan = planOperation([target('a', 'r1'), target('b', 'r1')], {}, 0);
    expect(plan.schedule.map((s) => [s.startAt, s.endAt])).toEqual([
      [0, 30_000],
      [30_000, 60_000],
    ]);
    expect(plan).toMatchObject({ endAt: 60_000, failed: false });
  });

  it('runs regions in RegionOrder sequentially and all at once in parallel', () => {
    const targets = [target('a', 'r1'), target('a', 'r2')];
    const seq = planOperation(targets, { RegionOrder: ['r2', 'r1'] }, 0);
    expect(seq.schedule.map((s) => s.startAt)).toEqual([30_000, 0]);
    const par = planOperation(targets, { RegionConcurrencyType: 'PARALLEL' }, 0);
    expect(par.schedule.map((s) => s.startAt)).toEqual([0, 0]);
    expect(par.endAt).toBe(30_000);
  });

  it('tolerates failures up to the tolerance, then cancels the rest and later regions', () => {
    const tolerated = planOperation(
      [target('a', 'r1', 30_000, 'boom'), target('b', 'r1')],
      { FailureToleranceCount: 1 },
      0,
    );
    expect(tolerated.schedule.map((s) => s.outcome)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(tolerated.failed).toBe(false);

    const stopped = planOperation([target('a', 'r1', 30_000, 'boom'), target('b', 'r1'), target('a', 'r2')], {}, 0);
    expect(stopped.schedule.map((s) => s.outcome)).toEqual(['FAILED', 'CANCELLED', 'CANCELLED']);
    expect(stopped).toMatchObject({ failed: true, endAt: 30_000 });
  });

  it('lets deployments already running finish after the tolerance is exceeded', () => {
    const plan = planOperation(
      [target('a', 'r1', 20_000, 'boom'), target('b', 'r1', 50_000), target('c', 'r1')],
      { MaxConcurrentCount: 2 },
      0,
    );
    expect(plan.schedule.map((s) => s.outcome)).toEqual(['FAILED', 'SUCCEEDED', 'CANCELLED']);
    expect(plan.endAt).toBe(50_000);
  });
});
