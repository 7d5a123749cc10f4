import { isIPv4, isIPv6 } from 'node:net';

/**
 * Why a CIDR block is unusable, or undefined: an IPv4 (`a.b.c.d/0-32`) or IPv6 (`…/0-128`) block
 * whose address has no bit set beyond its prefix, as EC2 stores a security group rule's range (so an
 * exemption written another way would never match).
 *
 * @example cidrProblem('999.0.0.0/77') // 'address 999.0.0.0 is not an IPv4 or IPv6 address'
 */
export function cidrProblem(cidr: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return `"${cidr}" is not a CIDR block (address/prefix, like 10.0.0.0/8)`;
  const [, address, prefixText] = match as unknown as [string, string, string];
  const prefix = Number(prefixText);
  if (isIPv4(address)) {
    if (prefix > 32) return `prefix /${prefix} is longer than an IPv4 address (at most /32)`;
    const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    const hostBits = 2 ** (32 - prefix);
    if (value % hostBits !== 0) {
      const network = value - (value % hostBits);
      const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
      return `${cidr} has host bits set: the block is ${dotted}/${prefix}`;
    }
    return undefined;
  }
  if (isIPv6(address)) {
    if (prefix > 128) return `prefix /${prefix} is longer than an IPv6 address (at most /128)`;
    return undefined;
  }
  return `address ${address} is not an IPv4 or IPv6 address`;
}

/** An IPv4 block as numbers: its first address and its prefix length. */
export interface Ipv4Block {
  readonly start: number;
  readonly prefix: number;
}

/** The block of a valid IPv4 CIDR (see {@link cidrProblem}), or undefined for anything else. */
export function ipv4Block(cidr: string): Ipv4Block | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (!match || cidrProblem(cidr) || !isIPv4(match[1] as string)) return undefined;
  const start = (match[1] as string).split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return { start, prefix: Number(match[2]) };
}

const size = (b: Ipv4Block) => 2 ** (32 - b.prefix);

/** Whether `inner` lies wholly inside `outer`. */
export function ipv4Within(inner: Ipv4Block, outer: Ipv4Block): boolean {
  return inner.start >= outer.start && inner.start + size(inner) <= outer.start + size(outer);
}

/** Whether two blocks share any address. */
export function ipv4Overlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start < b.start + size(b) && b.start < a.start + size(a);
}
