import { ScaledClock } from '../../../../sandbox/core/clock';

/** Busy-waits `ms` of real time (computing, as a function does). */
function compute(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('the honest clock', () => {
  it('counts time spent computing at 1×', () => {
    const clock = new ScaledClock(600);
    const t0 = clock.nowMs();
    compute(50);
    const elapsed = clock.nowMs() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(1000); // at 600× it would be 30 s
  });

  it('compresses a modelled wait: a 4-minute wait takes about 0.4 s at scale 600', async () => {
    const clock = new ScaledClock(600);
    const t0 = clock.nowMs();
    const real0 = performance.now();
    await clock.sleep(240_000);
    expect(clock.nowMs() - t0).toBeGreaterThanOrEqual(240_000);
    expect(performance.now() - real0).toBeLessThan(2_000);
  });

  it('runs compressed while any hold is pending and at 1× from the instant the last one is due', async () => {
    const clock = new ScaledClock(1000);
    const t0 = clock.nowMs();
    clock.holdUntil(t0 + 50_000);
    expect(clock.compressing).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // 100 ms real: 50 s compressed, then about 50 ms at 1×
    const elapsed = clock.nowMs() - t0;
    expect(clock.compressing).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(50_000);
    expect(elapsed).toBeLessThan(55_000);
  });

  it('ends the holds a jump passes over and never goes backwards', () => {
    const clock = new ScaledClock(600);
    const t0 = clock.nowMs();
    clock.holdUntil(t0 + 60_000);
    clock.advance(3_600_000);
    expect(clock.compressing).toBe(false);
    const t1 = clock.nowMs();
    expect(t1).toBeGreaterThanOrEqual(t0 + 3_600_000);
    expect(clock.nowMs()).toBeGreaterThanOrEqual(t1);
    clock.holdUntil(t1 - 1); // a due time in the past is no wait
    expect(clock.compressing).toBe(false);
  });
});
