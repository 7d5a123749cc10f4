import { deliver, retryAfterMs } from '../../../../../functions/shared/notify/deliver';

describe('retryAfterMs', () => {
  it.each([
    ['7', 7_000],
    ['0', 0],
    ['1.5', 1_500],
    ['Thu, 26 Nov 2026 10:00:30 GMT', 30_000],
    ['soon', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, ms) => {
    expect(retryAfterMs(value, Date.parse('2026-11-26T10:00:00Z'))).toBe(ms);
  });
});

describe('deliver', () => {
  const answer = (status: number, headers: Record<string, string> = {}) =>
    new Response(status === 200 ? 'ok' : 'nope', { status, headers });

  it('uses exponential backoff with jitter, capped, within the bound', async () => {
    const statuses = [500, 500, 500, 500, 500, 200];
    const fetchFn = jest.fn(async () => answer(statuses.shift() ?? 200));
    const delays: number[] = [];
    const result = await deliver(
      'http://127.0.0.1:1/x',
      { text: 'x' },
      {
        fetch: fetchFn as unknown as typeof fetch,
        sleep: async (ms) => {
          delays.push(ms);
        },
        random: () => 1,
        baseDelayMs: 100,
        maxDelayMs: 500,
      },
    );
    expect(result.attempts).toBe(6);
    expect(delays).toEqual([100, 200, 400, 500, 500]);
  });

  it('counts request time towards the bound', async () => {
    let clock = 0;
    const fetchFn = jest.fn(async () => {
      clock += 4_000;
      return answer(503);
    });
    await expect(
      deliver(
        'http://127.0.0.1:1/x',
        {},
        {
          fetch: fetchFn as unknown as typeof fetch,
          sleep: async () => undefined,
          now: () => clock,
          maxTotalMs: 10_000,
        },
      ),
    ).rejects.toMatchObject({ name: 'SlackDeliveryError', status: 503, attempts: 3 });
  });
});
