import { fetchAlerts } from '../../cli/commands/sandbox-alerts';
import type { OutboxMessage } from '../../sandbox/slack-outbox';
import { until } from './until';

/**
 * Waits for a message of the sandbox's Slack outbox that matches (the newest 200 are searched).
 *
 * @param what - named in the timeout error (`the rejection of req-1`)
 */
export function waitForAlert(
  endpoint: string,
  match: (alert: OutboxMessage) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<OutboxMessage> {
  return until(async () => (await fetchAlerts(endpoint, 200)).alerts.find(match), timeoutMs, what);
}
