import { InputValidationError } from '../shared/errors';
import { logger } from '../shared/logger';
import { type Notification, type NotifyDeps, type NotifyResult, notify } from '../shared/notify';
import {
  ACCOUNT_APPROVAL_REQUESTED,
  ACCOUNT_REQUEST_REJECTED,
  ACCOUNT_VENDED,
  ACCOUNT_VENDING_FAILED,
  GUARDRAIL_FINDING,
  GUARDRAIL_SOURCE,
  VENDING_SOURCE,
} from '../shared/schemas/findings';
import type { NotifySlackEvent } from './events';

/** The source each detail type must come from. */
const EXPECTED_SOURCE = {
  [GUARDRAIL_FINDING]: GUARDRAIL_SOURCE,
  [ACCOUNT_VENDED]: VENDING_SOURCE,
  [ACCOUNT_VENDING_FAILED]: VENDING_SOURCE,
  [ACCOUNT_REQUEST_REJECTED]: VENDING_SOURCE,
  [ACCOUNT_APPROVAL_REQUESTED]: VENDING_SOURCE,
} as const;

/**
 * Turns a parsed bus event into the notification it announces.
 *
 * @throws {@link InputValidationError} when the source does not match the detail type
 */
export function toNotification(event: NotifySlackEvent): Notification {
  const expected = EXPECTED_SOURCE[event['detail-type']];
  if (event.source !== expected) {
    throw new InputValidationError(`${event['detail-type']} event`, [
      { path: 'source', message: `must be ${expected} for detail-type ${event['detail-type']}, got ${event.source}` },
    ]);
  }
  switch (event['detail-type']) {
    case GUARDRAIL_FINDING:
      return { kind: 'finding', finding: event.detail };
    case ACCOUNT_VENDED:
      return { kind: 'vended', vended: event.detail };
    case ACCOUNT_VENDING_FAILED:
      return { kind: 'vending-failed', failure: event.detail };
    case ACCOUNT_REQUEST_REJECTED:
      return { kind: 'request-rejected', rejection: event.detail };
    case ACCOUNT_APPROVAL_REQUESTED:
      return { kind: 'approval-requested', approval: event.detail };
  }
}

/**
 * Rule `notify-slack`: announces the event on Slack. Resolves with what was done (posted or
 * duplicate); rejects with `SlackAlertDeadLetteredError` when the alert could not be delivered, so
 * the rule's retry policy and DLQ see it (the alert itself is already kept in the dead-letter store).
 */
export async function handleNotifyEvent(event: NotifySlackEvent, deps: NotifyDeps = {}): Promise<NotifyResult> {
  const notification = toNotification(event);
  logger.appendKeys({ eventId: event.id, detailType: event['detail-type'] });
  return notify(notification, deps);
}
