import * as z from 'zod/mini';
import { eventBridgeEnvelope } from '../shared/schemas/eventbridge';
import {
  ACCOUNT_APPROVAL_REQUESTED,
  ACCOUNT_REQUEST_REJECTED,
  ACCOUNT_VENDED,
  ACCOUNT_VENDING_FAILED,
  AccountApprovalRequestedSchema,
  AccountRequestRejectedSchema,
  AccountVendedSchema,
  AccountVendingFailedSchema,
  GuardrailFindingEventSchema,
} from '../shared/schemas/findings';

/** `Account Vended` in its EventBridge envelope (source `vendguard.vending`). */
export const AccountVendedEventSchema = eventBridgeEnvelope(z.literal(ACCOUNT_VENDED), AccountVendedSchema);

/** `Account Vending Failed` in its EventBridge envelope (source `vendguard.vending`). */
export const AccountVendingFailedEventSchema = eventBridgeEnvelope(
  z.literal(ACCOUNT_VENDING_FAILED),
  AccountVendingFailedSchema,
);

/** `Account Request Rejected` in its EventBridge envelope (source `vendguard.vending`). */
export const AccountRequestRejectedEventSchema = eventBridgeEnvelope(
  z.literal(ACCOUNT_REQUEST_REJECTED),
  AccountRequestRejectedSchema,
);

/** `Account Request Awaiting Approval` in its EventBridge envelope (source `vendguard.vending`). */
export const AccountApprovalRequestedEventSchema = eventBridgeEnvelope(
  z.literal(ACCOUNT_APPROVAL_REQUESTED),
  AccountApprovalRequestedSchema,
);

/**
 * Everything rule `notify-slack` delivers: a `Guardrail Finding` (source `vendguard.guardrails`),
 * an `Account Vended`, an `Account Vending Failed`, an `Account Request Rejected` or an `Account Request Awaiting Approval` (source
 * `vendguard.vending`), told apart by
 * `detail-type`; the detail is checked strictly against the schema of its type.
 * See functions/shared/schemas/findings.ts and events/samples/vendguard.*.
 *
 * @example
 * { "version": "0", "id": "…", "detail-type": "Guardrail Finding", "source": "vendguard.guardrails",
 *   "account": "100000000001", "time": "2026-11-26T10:00:09Z", "region": "eu-west-1", "resources": [],
 *   "detail": { "rule": "igw-attached", "severity": "high", … } }
 */
export const NotifySlackEventSchema = z.discriminatedUnion('detail-type', [
  GuardrailFindingEventSchema,
  AccountVendedEventSchema,
  AccountVendingFailedEventSchema,
  AccountRequestRejectedEventSchema,
  AccountApprovalRequestedEventSchema,
]);
export type NotifySlackEvent = z.infer<typeof NotifySlackEventSchema>;
