import ipaddr from 'ipaddr.js';

/**
 * What intrinsic functions need beyond looking values up: the `Template error: …` a function that
 * cannot be evaluated raises, and `Fn::Cidr`'s arithmetic. A template error fails the resource whose
 * properties hold the function (on AWS its event's reason is the error itself, e.g. "Template error:
 * Fn::Select cannot select nonexistent value at index 1"), and the stack rolls back.
 */

/** A function of the template that cannot be evaluated; `message` starts with "Template error: ". */
export class TemplateError extends Error {
  constructor(detail: string) {
    super(`Template error: ${detail}`);
    this.name = 'TemplateError';
  }
}

/** `Fn::Cidr`'s documented bounds: "The number of CIDRs to generate. Valid range is between 1 and 256." */
export const CIDR_COUNT = { min: 1, max: 256 } as const;

/** An integer argument given as a number or a string of digits (a `Number` parameter's `Ref` is a string). */
function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** An IPv4 (`a.b.c.d/n`, dotted quads only) or IPv6 block as an unsigned network address and prefix. */
function blockOf(text: unknown): { bits: 32 | 128; network: bigint; prefix: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
  if (!v4 && !(ipaddr.IPv6.isValidCIDR(text) && !text.includes('%'))) return undefined;
  const [address, prefix] = ipaddr.parseCIDR(text);
  const bits = v4 ? 32 : 128;
  const value = address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { bits, network: value & ~hostMask, prefix };
}

/** The text of an address of `bits` bits (IPv6 in its compressed form, as AWS writes it). */
function addressText(value: bigint, bits: 32 | 128): string {
  const bytes: number[] = [];
  for (let i = bits / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * `Fn::Cidr [ipBlock, count, cidrBits]`: `count` consecutive blocks from the start of `ipBlock`, each
 * with `cidrBits` host bits (8 on IPv4 is a /24: the prefix is 32, or 128 for IPv6, minus
 * `cidrBits`). `count` and `cidrBits` may be numbers or strings of digits. Throws
 * {@link TemplateError} for a value that is not a CIDR block, a count outside 1–256, host bits the
 * block does not have, or more blocks than fit in it (the messages past "Template error:" are the
 * sandbox's wording: AWS documents the bounds, not its messages).
 *
 * @example
 * cidrBlocks('192.168.0.0/24', 6, 5); // ['192.168.0.0/27', '192.168.0.32/27', …, '192.168.0.160/27']
 */
export function cidrBlocks(ipBlock: unknown, count: unknown, cidrBits: unknown): string[] {
  const block = blockOf(ipBlock);
  if (!block) throw new TemplateError(`Fn::Cidr ipBlock ${String(ipBlock)} is not a valid CIDR block`);
  const n = integerOf(count);
  if (n === undefined || n < CIDR_COUNT.min || n > CIDR_COUNT.max) {
    throw new TemplateError(
      `Fn::Cidr count must be an integer between ${CIDR_COUNT.min} and ${CIDR_COUNT.max}, got ${String(count)}`,
    );
  }
  const hostBits = integerOf(cidrBits);
  const available = block.bits - block.prefix;
  const where = `${addressText(block.network, block.bits)}/${block.prefix}`;
  if (hostBits === undefined || hostBits < 1 || hostBits > available) {
    const got = String(cidrBits);
    throw new TemplateError(
      `Fn::Cidr cidrBits must be an integer between 1 and ${available} (the host bits of ${where}), got ${got}`,
    );
  }
  if (BigInt(n) << BigInt(hostBits) > 1n << BigInt(available)) {
    throw new TemplateError(`Fn::Cidr cannot fit ${n} blocks of /${block.bits - hostBits} in ${where}`);
  }
  const size = 1n << BigInt(hostBits);
  return Array.from(
    { length: n },
    (_, i) => `${addressText(block.network + BigInt(i) * size, block.bits)}/${block.bits - hostBits}`,
  );
}
