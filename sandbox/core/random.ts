/**
 * The sandbox's seeded random generator (mulberry32): faults, account ids and request ids drawn
 * from it repeat for the same seed, so a failing scenario can be replayed.
 */
export class SeededRandom {
  private state: number;

  /** @param seed - any integer; the same seed gives the same sequence */
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `length` characters of `alphabet`. */
  chars(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** Lower-case hex digits, e.g. for `igw-…` ids. */
  hex(length: number): string {
    return this.chars(length, '0123456789abcdef');
  }

  /** A random 12-digit account id that does not start with 0 or 1 (core accounts use `1000…`). */
  accountId(): string {
    return `${this.int(2, 9)}${this.chars(11, '0123456789')}`;
  }

  /** A version-4 UUID. */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[this.int(0, 3)] as string;
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

/** The default seed when none is given (`--seed`, `VENDGUARD_SEED`). */
export const DEFAULT_SEED = 42;
