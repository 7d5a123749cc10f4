/**
 * Posts a message to a Slack incoming webhook with plain `fetch`, and does not give up easily:
 * exponential backoff with jitter on 5xx and network errors, `Retry-After` on 429 (and on a 5xx that
 * sends one), a bounded total
 * time. Any other 4xx is a bad payload or URL and fails at once. Errors never contain the URL.
 */
import { redactSecrets, SlackDeliveryError } from './errors';

/** Knobs of {@link deliver}; every clock and the randomness are injectable for tests. */
export interface DeliveryOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Waits between attempts. @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock used to time the requests themselves. @default Date.now */
  readonly now?: () => number;
  /** In [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Bound on the whole delivery: request time plus waits. @default VENDGUARD_SLACK_MAX_DELIVERY_MS or 20000 */
  readonly maxTotalMs?: number;
  /** First backoff delay. @default 250 */
  readonly baseDelayMs?: number;
  /** Largest backoff delay. @default 5000 */
  readonly maxDelayMs?: number;
  /** Timeout of one request. @default 5000 */
  readonly attemptTimeoutMs?: number;
}

export interface DeliveryResult {
  readonly status: number;
  readonly attempts: number;
  /** Total time spent waiting between attempts. */
  readonly waitedMs: number;
  /** Every wait, in order (what was asked of `sleep`). */
  readonly delays: readonly number[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * POSTs `payload` as JSON to `url` until Slack answers 2xx, a non-retryable status comes back, or
 * the time bound would be exceeded.
 *
 * @throws {@link SlackDeliveryError} with the last status (or network error), redacted.
 * @example
 * await deliver(process.env.SLACK_WEBHOOK_URL, renderFinding(finding), { maxTotalMs: 20_000 });
 */
export async function deliver(url: string, payload: unknown, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const maxTotalMs = options.maxTotalMs ?? Number(process.env.VENDGUARD_SLACK_MAX_DELIVERY_MS ?? 20_000);
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const body = JSON.stringify(payload);
  const redact = (text: string) => redactSecrets(text, [url]);

  let requestMs = 0;
  let waitedMs = 0;
  const delays: number[] = [];
  const spent = () => requestMs + waitedMs;

  for (let attempt = 1; ; attempt++) {
    const started = now();
    let status: number | undefined;
    let problem: string;
    let wait: number | undefined;
    try {
      const remaining = Math.max(1, maxTotalMs - spent());
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(Math.min(attemptTimeoutMs, remaining)),
      });
      status = response.status;
      const text = await response.text().catch(() => '');
      if (response.ok) {
        requestMs += now() - started;
        return { status, attempts: attempt, waitedMs, delays };
      }
      problem = `Slack answered HTTP ${status}${text ? ` (${redact(text).slice(0, 200)})` : ''}`;
      if (status === 429 || status >= 500) wait = retryAfterMs(response.headers.get('retry-after'));
      if (status !== 429 && status < 500) {
        throw new SlackDeliveryError(`Slack rejected the message: ${problem}; not retried (bad payload or webhook)`, {
          status,
          retryable: false,
          attempts: attempt,
        });
      }
    } catch (err) {
      if (err instanceof SlackDeliveryError) throw err;
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const why = [e.name, e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
      problem = `network error: ${redact(why)}`;
    }
    requestMs += now() - started;

    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(wait ?? backoff * (0.5 + random() * 0.5));
    if (spent() + delay >= maxTotalMs) {
      throw new SlackDeliveryError(
        `Slack delivery gave up after ${attempt} attempt(s) in ${spent()} ms (bound ${maxTotalMs} ms): ${problem}` +
          (wait !== undefined ? `; Retry-After asked for ${wait} ms` : ''),
        { ...(status !== undefined ? { status } : {}), retryable: true, attempts: attempt },
      );
    }
    delays.push(delay);
    await sleep(delay);
    waitedMs += delay;
  }
}
