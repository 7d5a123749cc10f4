import { createHash } from 'node:crypto';

/**
 * DynamoDB refuses a partition key over 2,048 bytes (`Size of hashkey has exceeded the maximum size
 * limit of2048 bytes`). A state table key made from something a sender controls (a CloudTrail
 * field, a resource name) stays readable up to this many bytes and is hashed beyond.
 */
export const MAX_READABLE_KEY_BYTES = 1024;

/**
 * `prefix` + `value`, or `prefix` + `sha256:<hex>` of the value when the whole would be longer than
 * {@link MAX_READABLE_KEY_BYTES}: the same value always gives the same key, and no key is too long.
 *
 * @example
 * stateKey('guardrail#event#', '3f5e…') // 'guardrail#event#3f5e…'
 * stateKey('guardrail#event#', 'x'.repeat(20_000)) // 'guardrail#event#sha256:9f1c…'
 */
export function stateKey(prefix: string, value: string): string {
  const key = `${prefix}${value}`;
  if (Buffer.byteLength(key, 'utf8') <= MAX_READABLE_KEY_BYTES) return key;
  return `${prefix}sha256:${createHash('sha256').update(value).digest('hex')}`;
}
