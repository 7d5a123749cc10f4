/**
 * Errors of the Slack notifier. Error `name`s are API (logs, alarms and the sandbox match them),
 * so rename only on purpose. No message ever contains the webhook URL: every text that could hold
 * it goes through {@link redactSecrets} first.
 */
import { VendguardError } from '../errors';

/** Base of every notifier error. */
export class NotifyError extends VendguardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotifyError';
  }
}

/** No webhook URL: neither `SLACK_WEBHOOK_URL` nor the Secrets Manager secret gave one. */
export class SlackWebhookUnavailableError extends NotifyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackWebhookUnavailableError';
  }
}

/**
 * One delivery ended without Slack accepting the message. `retryable` is true for 5xx, 429 and
 * network errors; false for any other 4xx (a bad payload or a revoked URL).
 */
export class SlackDeliveryError extends NotifyError {
  /** HTTP status, or undefined for a network error. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Attempts made so far. */
  readonly attempts: number;

  constructor(
    message: string,
    details: { status?: number; retryable: boolean; attempts: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SlackDeliveryError';
    this.status = details.status;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
  }
}

/**
 * An alert could not be delivered and was kept in the dead-letter store (`slack-deadletter#<key>`
 * in the state table). Thrown so the failure is visible (the rule's retry and DLQ see it).
 */
export class SlackAlertDeadLetteredError extends NotifyError {
  /** The dedupe key of the alert; the dead-letter item id is `slack-deadletter#<key>`. */
  readonly key: string;

  constructor(message: string, key: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackAlertDeadLetteredError';
    this.key = key;
  }
}

const SLACK_HOOK = /https?:\/\/hooks\.slack(?:-gov)?\.com\/[^\s"'<>]*/gi;

/**
 * Removes webhook URLs from a text: every `secrets` value given (the configured URL, also without
 * its scheme) and anything that looks like a Slack incoming webhook.
 *
 * @example
 * redactSecrets('fetch failed for https://hooks.slack.com/services/T/B/x', [url]) // 'fetch failed for [redacted webhook]'
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const variants = new Set([secret, secret.replace(/^https?:\/\//, ''), safePath(secret)]);
    for (const v of variants) if (v && v.length >= 8) out = out.split(v).join('[redacted webhook]');
  }
  return out.replace(SLACK_HOOK, '[redacted webhook]');
}

function safePath(url: string): string | undefined {
  try {
    const { pathname, search } = new URL(url);
    return pathname.length > 1 ? `${pathname}${search}` : undefined;
  } catch {
    return undefined;
  }
}
