import type { Clock } from './types';

/** Default: 600 simulated seconds per real second while a modelled wait runs (a 4-minute CreateAccount takes 0.4 s). */
export const DEFAULT_TIME_SCALE = 600;

/**
 * The sandbox's honest clock. Simulated time starts at the real time when the sandbox starts (or at
 * the persisted simulated time, so it never goes backwards across a restart) and runs at real speed,
 * so time spent computing counts at 1×. Modelled waits (an account being created, a stack set
 * operation, a `Wait` state, a retry back-off) are compressed: while at least one is pending
 * ({@link holdUntil}), time runs `scale` times faster, and drops back to 1× the moment the last one is
 * due. Work that runs while another wait is pending shares its compression (the sandbox runs
 * everything on one timeline).
 *
 * @example
 * const clock = new ScaledClock(600);
 * await clock.sleep(240_000); // 0.4 s of real time
 */
export class ScaledClock implements Clock {
  private baseReal: number;
  private baseSimulated: number;
  private rate = 1;
  /** Due times of the pending modelled waits, ascending. */
  private readonly holds: number[] = [];

  constructor(
    readonly scale: number = DEFAULT_TIME_SCALE,
    startSimulatedMs: number = Date.now(),
  ) {
    if (!(scale > 0)) throw new RangeError(`time scale must be positive, got ${scale}`);
    this.baseReal = performance.now();
    this.baseSimulated = Math.max(startSimulatedMs, Date.now());
  }

  nowMs(): number {
    const real = performance.now();
    // every wait whose due time passed ends at that very instant: time runs at 1× from the last one
    while (this.holds.length > 0 && this.rate !== 1) {
      const due = this.holds[0] as number;
      if (this.baseSimulated + (real - this.baseReal) * this.rate < due) break;
      this.holds.shift();
      if (this.holds.length === 0) {
        // a due time a jump passed over switches the pace at the jump, never before it
        if (due > this.baseSimulated) {
          this.baseReal += (due - this.baseSimulated) / this.rate;
          this.baseSimulated = due;
        }
        this.rate = 1;
      }
    }
    return this.baseSimulated + (real - this.baseReal) * this.rate;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Whether a modelled wait is pending (time runs `scale`× faster). */
  get compressing(): boolean {
    this.nowMs();
    return this.rate !== 1;
  }

  holdUntil(simulatedMs: number): void {
    const now = this.nowMs();
    if (!(simulatedMs > now)) return;
    this.rebase(now);
    const at = this.holds.findIndex((h) => h > simulatedMs);
    if (at < 0) this.holds.push(simulatedMs);
    else this.holds.splice(at, 0, simulatedMs);
    this.rate = this.scale;
  }

  toRealMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / (this.compressing ? this.scale : 1));
  }

  sleep(simulatedMs: number): Promise<void> {
    const ms = Math.max(0, simulatedMs);
    const until = this.nowMs() + ms;
    this.holdUntil(until);
    // a timer may fire a fraction of a millisecond early: sleep on until the wait has really passed
    return new Promise((resolve) => {
      const wake = (): void => {
        const left = until - this.nowMs();
        if (left <= 0) resolve();
        else setTimeout(wake, Math.max(1, this.toRealMs(left)));
      };
      setTimeout(wake, ms / this.scale);
    });
  }

  /** Jumps simulated time forward (control API `/_sandbox/clock`); waits that became due end. */
  advance(simulatedMs: number): void {
    this.rebase(this.nowMs());
    this.baseSimulated += Math.max(0, simulatedMs);
    this.nowMs();
  }

  private rebase(now: number): void {
    this.baseReal = performance.now();
    this.baseSimulated = now;
  }
}
