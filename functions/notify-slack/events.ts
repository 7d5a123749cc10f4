import * as z from 'zod/mini';
import { eventBridgeEnvelope } from '../shared/schemas/eventbridge';
import {
  ACCOUNT_VENDED,
  ACCOUNT_VENDING_FAILED,
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

/**
 * Everything rule `notify-slack` delivers: a `Guardrail Finding` (source `vendguard.guardrails`),
 * an `Account Vended` or an `Account Vending Failed` (source `vendguard.vending`), told apart by
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
]);
export type NotifySlackEvent = z.infer<typeof NotifySlackEventSchema>;
