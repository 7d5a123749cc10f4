import type {
  AccountApprovalRequested,
  AccountRequestRejected,
  AccountVended,
  AccountVendingFailed,
  GuardrailFinding,
} from '../schemas/findings';

/** What the notifier is asked to announce: a guardrail finding, a vending outcome or a rejected account request. */
export type Notification =
  | { readonly kind: 'finding'; readonly finding: GuardrailFinding }
  | { readonly kind: 'vended'; readonly vended: AccountVended }
  | { readonly kind: 'vending-failed'; readonly failure: AccountVendingFailed }
  | { readonly kind: 'request-rejected'; readonly rejection: AccountRequestRejected }
  | { readonly kind: 'approval-requested'; readonly approval: AccountApprovalRequested };

export type NotificationKind = Notification['kind'];

/**
 * The deduplication key of a notification: rule + account + region + resource + call + outcome for
 * a finding (a rule disabled then retargeted is two alerts; the same call seen twice is one), the vending request id + outcome for vending, the request id + the rejected event's id
 * for a rejection (the same event delivered twice; a request sent again is answered again). The
 * same key within the dedupe window posts once.
 *
 * @example
 * notificationKey({ kind: 'finding', finding }) // 'finding:igw-attached:222233334444:eu-west-1:igw-0a1b:AttachInternetGateway:remediated'
 */
export function notificationKey(n: Notification): string {
  switch (n.kind) {
    case 'finding': {
      const f = n.finding;
      return ['finding', f.rule, f.accountId, f.region, f.resource ?? '-', f.eventName, f.outcome].join(':');
    }
    case 'vended':
      return `vending:${n.vended.requestId}:vended`;
    case 'vending-failed':
      return `vending:${n.failure.requestId}:failed:${n.failure.failedStep}`;
    case 'request-rejected':
      return `vending:${n.rejection.requestId ?? '-'}:rejected:${n.rejection.requestEventId}`;
    case 'approval-requested':
      return `vending:${n.approval.requestId}:approval:${n.approval.attempt}`;
  }
}
