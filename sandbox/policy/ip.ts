/**
 * IPv4 and IPv6 addresses and CIDR ranges for `IpAddress` / `NotIpAddress` (RFC 4632 / 4291
 * notation; a bare address is a /32 or /128). An address is 8 sixteen-bit groups; IPv4 uses the
 * first two and is never equal to an IPv6 address.
 */

export interface Ip {
  readonly v6: boolean;
  readonly groups: readonly number[];
}

export interface Cidr {
  contains(ip: Ip): boolean;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    bytes.push(Number(p));
  }
  return [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
}

function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const part = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const pieces = h.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push(...v4);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(Number.parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Parses `192.0.2.1` or `2001:db8::1`; `undefined` when it is neither. */
export function parseIp(s: string): Ip | undefined {
  if (s.includes(':')) {
    const groups = parseV6(s);
    return groups && { v6: true, groups };
  }
  const groups = parseV4(s);
  return groups && { v6: false, groups };
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address; `undefined` when invalid. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const base = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!base) return undefined;
  const max = base.v6 ? 128 : 32;
  const bits = slash < 0 ? max : Number(s.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  return {
    contains(ip) {
      if (ip.v6 !== base.v6) return false;
      let left = bits;
      for (let i = 0; left > 0; i++, left -= 16) {
        const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
        if ((ip.groups[i]! & mask) !== (base.groups[i]! & mask)) return false;
      }
      return true;
    },
  };
}
