import { SeededRandom } from '../../../../sandbox/core/random';

describe('SeededRandom', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(1);
    const seq = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seq);
    expect(new SeededRandom(2).next()).not.toBe(seq[0]);
  });

  it('makes 12-digit account ids outside the core range and v4 uuids', () => {
    const r = new SeededRandom(3);
    for (let i = 0; i < 50; i++) expect(r.accountId()).toMatch(/^[2-9]\d{11}$/);
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
