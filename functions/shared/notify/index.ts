/**
 * The Slack notifier: one `notify(notification)` for guardrail findings and vending outcomes.
 * It routes (channel per severity/kind), deduplicates (same key within the window posts once),
 * renders Block Kit, delivers with retries, and dead-letters what it cannot deliver.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrganizationConfig } from '../../../config/schema';
import { awsClient } from '../aws';
import { organizationConfig } from '../config';
import { logger } from '../logger';
import type { SlackMessage } from './blockkit';
import { type DeadLetterStore, DynamoDeadLetterStore, deadLetterItemId } from './deadletter';
import { type DedupeStore, DynamoDedupeStore } from './dedupe';
import { type DeliveryOptions, deliver } from './deliver';
import { redactSecrets, SlackAlertDeadLetteredError, SlackDeliveryError } from './errors';
import { type Notification, notificationKey } from './notification';
import { render } from './render';
import { routeFor } from './routing';
import { webhookUrl } from './webhook-url';

export type { Block, SlackMessage } from './blockkit';
export { blockKitProblems, LIMITS, truncate } from './blockkit';
export type { DeadLetter, DeadLetterStore } from './deadletter';
export { DynamoDeadLetterStore, MemoryDeadLetterStore } from './deadletter';
export type { DedupeStore } from './dedupe';
export { DynamoDedupeStore, MemoryDedupeStore } from './dedupe';
export type { DeliveryOptions, DeliveryResult } from './deliver';
export { deliver, retryAfterMs } from './deliver';
export * from './errors';
export type { Notification, NotificationKind } from './notification';
export { notificationKey } from './notification';
export { renderPlainText } from './plain-text';
export { render, renderFinding, renderRequestRejected, renderVended, renderVendingFailed } from './render';
export type { Route } from './routing';
export { routeFor } from './routing';
export { resetWebhookUrlCache, webhookUrl } from './webhook-url';

/** What `notify` did. */
export interface NotifyResult {
  readonly status: 'posted' | 'duplicate';
  readonly key: string;
  readonly channel: string;
  readonly routeReason: string;
  readonly attempts: number;
}

/** Everything `notify` depends on; each has a production default. */
export interface NotifyDeps {
  readonly slack?: OrganizationConfig['slack'];
  readonly dedupe?: DedupeStore;
  readonly deadLetters?: DeadLetterStore;
  readonly webhookUrl?: () => Promise<string>;
  readonly delivery?: DeliveryOptions;
  /** Clock for the dedupe window. @default () => new Date() */
  readonly now?: () => Date;
}

let defaultStores: { dedupe: DedupeStore; deadLetters: DeadLetterStore } | undefined;

/** The DynamoDB-backed stores on `VENDGUARD_STATE_TABLE` (default `vendguard-state`), made once. */
function stores() {
  if (!defaultStores) {
    const client = awsClient(DynamoDBClient);
    const table = process.env.VENDGUARD_STATE_TABLE ?? 'vendguard-state';
    defaultStores = {
      dedupe: new DynamoDedupeStore(client, table),
      deadLetters: new DynamoDeadLetterStore(client, table),
    };
  }
  return defaultStores;
}

/**
 * Announces a finding or a vending outcome on Slack.
 *
 * @returns `posted` (delivered) or `duplicate` (same key already posted within the window)
 * @throws {@link SlackAlertDeadLetteredError} when it could not be delivered; the alert is then kept
 *   as `slack-deadletter#<key>` in the state table and logged as an error.
 * @example
 * await notify({ kind: 'finding', finding });
 */
export async function notify(notification: Notification, deps: NotifyDeps = {}): Promise<NotifyResult> {
  const slack = deps.slack ?? organizationConfig().slack;
  const dedupe = deps.dedupe ?? stores().dedupe;
  const deadLetters = deps.deadLetters ?? stores().deadLetters;
  const now = deps.now ?? (() => new Date());
  const key = notificationKey(notification);
  const route = routeFor(notification, slack.channels);
  const payload: SlackMessage = render(notification, route.channel);
  const log = { key, kind: notification.kind, channel: route.channel, routeReason: route.reason };

  const nowSec = Math.floor(now().getTime() / 1000);
  let fresh: boolean;
  try {
    fresh = await dedupe.claim(key, nowSec, nowSec + slack.dedupeWindowMinutes * 60);
  } catch (err) {
    // Better a duplicate than a lost alert: post without the dedupe claim.
    const e = err as Error;
    logger.warn('Slack dedupe store unavailable; posting without deduplication', {
      ...log,
      dedupeError: `${e.name}: ${redactSecrets(e.message ?? '')}`,
    });
    fresh = true;
  }
  if (!fresh) {
    logger.info('Slack alert suppressed as a duplicate within the dedupe window', {
      ...log,
      dedupeWindowMinutes: slack.dedupeWindowMinutes,
    });
    return { status: 'duplicate', key, channel: route.channel, routeReason: route.reason, attempts: 0 };
  }

  let url: string | undefined;
  try {
    url = await (deps.webhookUrl ?? (() => webhookUrl()))();
    const result = await deliver(url, payload, deps.delivery);
    logger.info('Slack alert posted', { ...log, attempts: result.attempts, waitedMs: result.waitedMs });
    return { status: 'posted', key, channel: route.channel, routeReason: route.reason, attempts: result.attempts };
  } catch (err) {
    const e = err as Error;
    const errorName = e.name || 'Error';
    const error = redactSecrets(e.message ?? String(err), [url]);
    const attempts = err instanceof SlackDeliveryError ? err.attempts : 0;
    const status = err instanceof SlackDeliveryError ? err.status : undefined;
    await dedupe.release(key).catch(() => undefined);
    const letter = {
      key,
      kind: notification.kind,
      channel: route.channel,
      routeReason: route.reason,
      payload,
      errorName,
      error,
      attempts,
      failedAt: now().toISOString(),
      ...(status !== undefined ? { status } : {}),
    };
    try {
      await deadLetters.put(letter);
    } catch (storeErr) {
      // Last resort: the whole alert goes to the log so it is not lost.
      const s = storeErr as Error;
      logger.error('Slack alert undeliverable AND the dead-letter store failed; the alert is in this log line', {
        ...log,
        errorName,
        error,
        deadLetterError: `${s.name}: ${redactSecrets(s.message ?? '', [url])}`,
        payload,
      });
      throw new SlackAlertDeadLetteredError(
        `Slack alert ${key} for ${route.channel} was not delivered (${errorName}: ${error}) and could not be dead-lettered (${s.name}); it is in the log`,
        key,
      );
    }
    logger.error('Slack alert undeliverable; kept in the dead-letter store', {
      ...log,
      deadLetterId: deadLetterItemId(key),
      errorName,
      error,
      attempts,
    });
    throw new SlackAlertDeadLetteredError(
      `Slack alert ${key} for ${route.channel} was not delivered (${errorName}: ${error}); kept as ${deadLetterItemId(key)}`,
      key,
    );
  }
}
