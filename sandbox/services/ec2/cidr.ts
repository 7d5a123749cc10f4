import ipaddr from 'ipaddr.js';
import { InvalidCidrBlock, MalformedCidr } from './errors';

/**
 * CIDR blocks parsed with `ipaddr.js` (dotted quads only for IPv4: `10.0.0/16`, `0x0a.0.0.0/16` or
 * `010.0.0.0/16` are not CIDR blocks to EC2), and the arithmetic VPCs and subnets need.
 */

/** The prefix lengths a VPC's or subnet's IPv4 block may have (/16 is the largest, /28 the smallest). */
export const BLOCK_PREFIX = { min: 16, max: 28 } as const;

/** A parsed IPv4 block: its first address as an unsigned 32-bit number and its prefix length. */
export interface Ipv4Block {
  /** The network address (host bits cleared). */
  readonly network: number;
  readonly prefix: number;
  /** `a.b.c.d/n` with the host bits cleared, as EC2 stores a VPC's or subnet's block. */
  readonly canonical: string;
}

const mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

function dotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The IPv4 block of `text`, or `undefined` when it is not an `a.b.c.d/n` CIDR block. */
export function parseIpv4Cidr(text: string): Ipv4Block | undefined {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return undefined;
  const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
  const [a = 0, b = 0, c = 0, d = 0] = address.toByteArray();
  const network = ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & mask(prefix)) >>> 0;
  return { network, prefix, canonical: `${dotted(network)}/${prefix}` };
}

/** The block of `prefix` that starts at `network` (host bits cleared), e.g. `blockAt(0x0a400000, 20)` is 10.64.0.0/20. */
export function blockAt(network: number, prefix: number): Ipv4Block {
  const start = (network & mask(prefix)) >>> 0;
  return { network: start, prefix, canonical: `${dotted(start)}/${prefix}` };
}

/** Whether `text` is an IPv6 CIDR block (`::/0`, `2001:db8::/64`; no zone index). */
export function isIpv6Cidr(text: string): boolean {
  return !text.includes('%') && ipaddr.IPv6.isValidCIDR(text);
}

/** The number of addresses in a block. */
export const sizeOf = (block: Ipv4Block): number => 2 ** (32 - block.prefix);

/** Whether `inner` lies wholly inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefix >= outer.prefix && (inner.network & mask(outer.prefix)) >>> 0 === outer.network;
}

/** Whether two blocks share an address (one then contains the other). */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return contains(a, b) || contains(b, a);
}

/** The block of a `cidrBlock` parameter, or `InvalidParameterValue` ("… This is not a valid CIDR block."). */
export function cidrBlockParameter(text: string, parameter = 'cidrBlock'): Ipv4Block {
  const block = parseIpv4Cidr(text);
  if (!block) throw new InvalidCidrBlock(text, parameter);
  return block;
}

/**
 * A security group rule's peer (`CidrIp`, `CidrIpv4`: IPv4; `CidrIpv6`: IPv6); anything else is
 * `InvalidParameterValue` ("CIDR block … is malformed"). Host bits may be set, as EC2 allows.
 */
export function checkPeerCidr(text: string, family: 4 | 6): void {
  const valid = family === 4 ? parseIpv4Cidr(text) !== undefined : isIpv6Cidr(text);
  if (!valid) throw new MalformedCidr(text);
}
