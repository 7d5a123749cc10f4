/**
 * IPv4 and IPv6 addresses and CIDR ranges for the `cidr` filter of event patterns.
 *
 * @example
 * const range = parseCidr('10.0.0.0/24');
 * range && inCidr(range, '10.0.0.7'); // true
 */

export interface CidrRange {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly mask: bigint;
}

export function parseCidr(cidr: string): CidrRange | undefined {
  const slash = cidr.indexOf('/');
  const ip = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  let length = bits;
  if (slash >= 0) {
    const text = cidr.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    length = Number(text);
    if (length > bits) return undefined;
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = length === 0 ? 0n : (all << BigInt(bits - length)) & all;
  return { family: ip.family, base: ip.value & mask, mask };
}

export function inCidr(range: CidrRange, value: string): boolean {
  const ip = parseIp(value);
  return ip !== undefined && ip.family === range.family && (ip.value & range.mask) === range.base;
}

function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address (::ffff:1.2.3.4) counts as two groups.
  const expand = (list: string[]): string[] | undefined => {
    const last = list[list.length - 1];
    if (last?.includes('.')) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      return [...list.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    }
    return list;
  };
  const h = halves.length === 2 ? head : expand(head);
  const t = expand(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...h, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...t];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}
