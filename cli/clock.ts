/**
 * "Now" as the endpoint sees it. AWS runs on wall time; the sandbox runs a compressed clock ahead
 * of it, so relative windows (`--since 24h`, `--from 2h`) and the redrive window are computed from
 * its `/_sandbox/clock` when the endpoint is a sandbox.
 */
export async function endpointNow(endpoint = process.env.AWS_ENDPOINT_URL): Promise<number> {
  if (!endpoint) return Date.now();
  try {
    const response = await fetch(new URL('/_sandbox/clock', endpoint), { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return Date.now();
    const body = (await response.json()) as { epochMs?: unknown };
    return typeof body.epochMs === 'number' ? body.epochMs : Date.now();
  } catch {
    return Date.now();
  }
}
