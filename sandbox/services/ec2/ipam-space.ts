import { blockAt, contains, type Ipv4Block, overlaps, sizeOf } from './cidr';

/**
 * Free space of an IPAM pool: which aligned block of a given size an allocation gets. IPAM hands
 * out the lowest free block (AWS's `allocate-ipam-pool-cidr` example: the first /24 of the pool is
 * 10.0.0.0/24), inside the pool's provisioned CIDRs, overlapping no allocation and no disallowed
 * CIDR and, when allowed CIDRs are given, inside one of them.
 */

export interface SpaceLimits {
  /** Only blocks inside one of these (AllowedCidr.N). */
  readonly allowed?: readonly Ipv4Block[];
  /** No block overlapping one of these (DisallowedCidr.N). */
  readonly disallowed?: readonly Ipv4Block[];
}

/** `within` narrowed to `allowed`: CIDRs nest or are disjoint, so each overlap is the smaller block. */
function narrowed(within: readonly Ipv4Block[], allowed: readonly Ipv4Block[] | undefined): Ipv4Block[] {
  if (!allowed) return [...within];
  const out: Ipv4Block[] = [];
  for (const w of within) {
    for (const a of allowed) {
      if (contains(w, a)) out.push(a);
      else if (contains(a, w)) out.push(w);
    }
  }
  return out;
}

/**
 * The lowest block of `/prefix` inside `within` that overlaps none of `taken` (nor `limits.disallowed`),
 * or undefined when there is none.
 *
 * @example
 * lowestFreeBlock([cidr('10.64.0.0/12')], [cidr('10.64.0.0/20')], 20); // 10.64.16.0/20
 */
export function lowestFreeBlock(
  within: readonly Ipv4Block[],
  taken: readonly Ipv4Block[],
  prefix: number,
  limits: SpaceLimits = {},
): Ipv4Block | undefined {
  const blockers = [...taken, ...(limits.disallowed ?? [])];
  const size = 2 ** (32 - prefix);
  const candidates = narrowed(within, limits.allowed)
    .filter((w) => w.prefix <= prefix)
    .sort((a, b) => a.network - b.network);
  for (const space of candidates) {
    const end = space.network + sizeOf(space);
    let at = space.network;
    while (at + size <= end) {
      const block = blockAt(at, prefix);
      const blocker = blockers.find((b) => overlaps(b, block));
      if (!blocker) return block;
      // past the blocker, on the next boundary of the block size
      at = Math.max(at + size, Math.ceil((blocker.network + sizeOf(blocker)) / size) * size);
    }
  }
  return undefined;
}

/** Whether `block` lies inside one of `within` and overlaps none of `taken`. */
export function isFree(within: readonly Ipv4Block[], taken: readonly Ipv4Block[], block: Ipv4Block): boolean {
  return within.some((w) => contains(w, block)) && !taken.some((t) => overlaps(t, block));
}
