import type { OrganizationConfig } from '../../../config/schema';
import type { Notification } from './notification';

/** Where a notification goes and why (logged and recorded with every delivery). */
export interface Route {
  readonly channel: string;
  /** e.g. `severity high` or `kind vending`. */
  readonly reason: string;
}

/**
 * Picks the Slack channel from config `slack.channels`: vending outcomes and rejected account
 * requests go to `vending`, findings
 * to the channel of their severity.
 *
 * @example
 * routeFor({ kind: 'finding', finding }, config.slack.channels) // { channel: '#sec-alerts', reason: 'severity high' }
 */
export function routeFor(n: Notification, channels: OrganizationConfig['slack']['channels']): Route {
  if (n.kind === 'finding') return { channel: channels[n.finding.severity], reason: `severity ${n.finding.severity}` };
  return { channel: channels.vending, reason: 'kind vending' };
}
