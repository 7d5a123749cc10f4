import * as z from 'zod/mini';
import { SEVERITIES } from '../../../infra/config/schema';
import { eventBridgeEnvelope } from './eventbridge';

/** Event sources and detail types vendguard itself puts on the bus. */
export const GUARDRAIL_SOURCE = 'vendguard.guardrails';
export const GUARDRAIL_FINDING = 'Guardrail Finding';
export const VENDING_SOURCE = 'vendguard.vending';
export const ACCOUNT_VENDED = 'Account Vended';
export const ACCOUNT_VENDING_FAILED = 'Account Vending Failed';

/**
 * A guardrail finding: what a guardrail saw and did. Put on the bus (`Guardrail Finding`), kept by
 * the archive, rendered to Slack by the notifier.
 *
 * @example
 * { "rule": "igw-attached", "severity": "high", "mode": "remediate",
 *   "summary": "arn:aws:sts::222233334444:assumed-role/Developer/jane attached igw-0a1b to vpc-0123 in 222233334444/eu-west-1",
 *   "actor": "arn:aws:sts::222233334444:assumed-role/Developer/jane", "accountId": "222233334444", "accountName": "payments-dev",
 *   "region": "eu-west-1", "resource": "igw-0a1b", "resourceType": "AWS::EC2::InternetGateway", "vpcId": "vpc-0123",
 *   "action": "detached from vpc-0123 and deleted", "outcome": "remediated", "eventId": "3f5e…", "eventName": "AttachInternetGateway",
 *   "eventTime": "2026-11-26T10:00:07Z" }
 */
export const GuardrailFindingSchema = z.strictObject({
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  mode: z.enum(['remediate', 'alert', 'dry-run']),
  /** One sentence: who did what to which resource where. */
  summary: z.string(),
  actor: z.string(),
  accountId: z.string(),
  accountName: z.optional(z.string()),
  region: z.string(),
  resource: z.optional(z.string()),
  resourceType: z.optional(z.string()),
  vpcId: z.optional(z.string()),
  /** What vendguard did (or would do, in dry-run). */
  action: z.string(),
  /**
   * remediated: fixed; already-compliant: nothing left to do; exempt: left alone on purpose;
   * alerted: alert only; dry-run: would have acted; failed: tried and could not; suppressed: the
   * blast-radius guard stopped it.
   */
  outcome: z.enum(['remediated', 'already-compliant', 'exempt', 'alerted', 'dry-run', 'failed', 'suppressed']),
  reason: z.optional(z.string()),
  eventId: z.string(),
  eventName: z.string(),
  eventTime: z.string(),
});
export type GuardrailFinding = z.infer<typeof GuardrailFindingSchema>;
export const GuardrailFindingEventSchema = eventBridgeEnvelope(z.literal(GUARDRAIL_FINDING), GuardrailFindingSchema);

/** `Account Vended`: what downstream onboarding (EKS namespace, GitOps) needs. */
export const AccountVendedSchema = z.strictObject({
  requestId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  email: z.string(),
  ou: z.string(),
  ouId: z.string(),
  owner: z.string(),
  costCenter: z.optional(z.string()),
  environment: z.string(),
  baselines: z.array(z.string()),
  scps: z.array(z.string()),
  regions: z.array(z.string()),
  executionArn: z.string(),
  startedAt: z.string(),
  durationSeconds: z.number(),
});
export type AccountVended = z.infer<typeof AccountVendedSchema>;

/** `Account Vending Failed`: enough to understand and redrive it. */
export const AccountVendingFailedSchema = z.strictObject({
  requestId: z.string(),
  accountName: z.string(),
  accountId: z.optional(z.string()),
  ou: z.optional(z.string()),
  owner: z.optional(z.string()),
  failedStep: z.string(),
  error: z.string(),
  cause: z.string(),
  region: z.optional(z.string()),
  stackSet: z.optional(z.string()),
  executionArn: z.string(),
  redriveCommand: z.string(),
});
export type AccountVendingFailed = z.infer<typeof AccountVendingFailedSchema>;
