import { eventKey } from '../../../../functions/shared/guardrails/state';
import { dedupeItemId } from '../../../../functions/shared/notify/dedupe';
import { MAX_READABLE_KEY_BYTES, stateKey } from '../../../../functions/shared/state-key';

describe('state table keys made from what a sender controls', () => {
  it('stay readable while short and become a fixed-length hash beyond 1,024 bytes (DynamoDB refuses 2,048)', () => {
    expect(stateKey('guardrail#event#', '3f5e0c1a')).toBe('guardrail#event#3f5e0c1a');
    const long = eventKey('x'.repeat(20_000));
    expect(long).toMatch(/^guardrail#event#sha256:[0-9a-f]{64}$/);
    expect(eventKey('x'.repeat(20_000))).toBe(long);
    expect(eventKey('y'.repeat(20_000))).not.toBe(long);
    // multi-byte characters count in bytes, as DynamoDB counts them
    expect(Buffer.byteLength(dedupeItemId('é'.repeat(600)))).toBeLessThanOrEqual(MAX_READABLE_KEY_BYTES);
  });
});
