/**
 * Polls `check` every 25 ms until it returns a value (neither `undefined` nor `false`: a predicate
 * `x === y` waits until it holds), or fails after `timeoutMs` of real time.
 *
 * @param what - named in the timeout error (`the alert`)
 */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
