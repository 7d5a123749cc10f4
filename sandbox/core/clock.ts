import type { Clock } from './types';

/** Default: 600 simulated seconds per real second, so a 4-minute account creation takes 0.4 s. */
export const DEFAULT_TIME_SCALE = 600;

/**
 * A compressed clock: simulated time starts at the real time when the sandbox starts (or at the
 * persisted simulated time, so it never goes backwards across a restart) and runs `scale` times
 * faster than real time.
 *
 * @example
 * const clock = new ScaledClock(600);
 * await clock.sleep(240_000); // 0.4 s of real time
 */
export class ScaledClock implements Clock {
  private originReal: number;
  private originSimulated: number;

  constructor(
    readonly scale: number = DEFAULT_TIME_SCALE,
    startSimulatedMs: number = Date.now(),
  ) {
    if (!(scale > 0)) throw new RangeError(`time scale must be positive, got ${scale}`);
    this.originReal = performance.now();
    this.originSimulated = Math.max(startSimulatedMs, Date.now());
  }

  nowMs(): number {
    return this.originSimulated + (performance.now() - this.originReal) * this.scale;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  toRealMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / this.scale);
  }

  sleep(simulatedMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.toRealMs(simulatedMs)));
  }

  /** Jumps simulated time forward (control API `/_sandbox/clock`). */
  advance(simulatedMs: number): void {
    this.originSimulated += Math.max(0, simulatedMs);
  }
}
