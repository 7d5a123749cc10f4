/**
 * The answer to a malformed account request: an `Account Request Rejected` event on the bus, so
 * the requester hears why nothing was started (the notifier renders it to Slack).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { awsErrorName } from '../shared/errors';
import { logger } from '../shared/logger';
import {
  ACCOUNT_REQUEST_REJECTED,
  type AccountRequestRejected,
  type RejectionIssue,
  VENDING_SOURCE,
} from '../shared/schemas/findings';
import { requestIdFor } from '../shared/vending/plan';

/** Longest request field (id, name, email) a rejection repeats; longer ones are cut with an ellipsis. */
export const MAX_FIELD_CHARS = 100;
/** Longest issue path and message a rejection carries. */
export const MAX_ISSUE_CHARS = 300;
/** Most issues a rejection carries (a request has 7 fields; only a very broken detail has more). */
export const MAX_ISSUES = 25;

/**
 * A string from untrusted input, safe to repeat: control and format characters become spaces,
 * whitespace runs collapse, and it is cut to `max` characters (code points). Undefined when the
 * value is not a string or nothing is left.
 */
export function sanitize(value: unknown, max = MAX_FIELD_CHARS): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return undefined;
  const chars = Array.from(clean);
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('')}…`;
}

/** The envelope fields of the rejected event that a rejection repeats. */
export interface RejectedEnvelope {
  readonly id?: unknown;
  readonly account: string;
  readonly time?: unknown;
  readonly detail: unknown;
}

/**
 * The detail of `Account Request Rejected`: what can be read of the request (sanitized, cut), the
 * account that sent it and every issue (at most {@link MAX_ISSUES}).
 */
export function rejectionDetail(event: RejectedEnvelope, issues: readonly RejectionIssue[]): AccountRequestRejected {
  const detail =
    typeof event.detail === 'object' && event.detail !== null ? (event.detail as Record<string, unknown>) : {};
  const email = sanitize(detail.email);
  const requestId =
    sanitize(detail.requestId) ?? (detail.requestId === undefined && email ? requestIdFor({ email }) : undefined);
  const kept = issues.slice(0, MAX_ISSUES).map((i) => ({
    path: sanitize(i.path, MAX_ISSUE_CHARS) ?? '',
    message: sanitize(i.message, MAX_ISSUE_CHARS) ?? 'invalid',
  }));
  return {
    ...(requestId ? { requestId } : {}),
    ...(sanitize(detail.name) ? { name: sanitize(detail.name) } : {}),
    ...(email ? { email } : {}),
    sourceAccount: sanitize(event.account, 20) ?? 'unknown',
    requestEventId: sanitize(event.id, MAX_FIELD_CHARS) ?? 'unknown',
    ...(sanitize(event.time, 40) ? { requestTime: sanitize(event.time, 40) } : {}),
    issues: kept,
    ...(issues.length > kept.length ? { omittedIssues: issues.length - kept.length } : {}),
  };
}

/**
 * Puts `Account Request Rejected` on the bus. Never throws: a rejection that cannot be announced
 * is logged as an error (with the whole detail), because failing would make EventBridge retry an
 * invocation that can never succeed for this request.
 *
 * @returns whether the event was accepted by the bus
 */
export async function announceRejection(
  events: EventBridgeClient,
  eventBusName: string,
  detail: AccountRequestRejected,
): Promise<boolean> {
  try {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: VENDING_SOURCE,
            DetailType: ACCOUNT_REQUEST_REJECTED,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      logger.error('account request rejected, but the rejection could not be put on the bus', {
        eventBusName,
        errorCode: entry?.ErrorCode,
        errorMessage: entry?.ErrorMessage,
        rejection: detail,
      });
      return false;
    }
    return true;
  } catch (err) {
    logger.error('account request rejected, but the rejection could not be put on the bus', {
      eventBusName,
      errorName: awsErrorName(err) ?? (err instanceof Error ? err.name : 'Error'),
      error: err instanceof Error ? err.message : String(err),
      rejection: detail,
    });
    return false;
  }
}
