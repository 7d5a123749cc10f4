/**
 * Polls `check` every 25 ms until it returns a value, or fails after `timeoutMs` of real time.
 *
 * @param what - named in the timeout error (`the alert`)
 */
export async function until<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
