import * as z from 'zod/mini';
import { SEVERITIES } from '../../../config/schema';
import { eventBridgeEnvelope } from './eventbridge';

/** Event sources and detail types vendguard itself puts on the bus. */
export const GUARDRAIL_SOURCE = 'vendguard.guardrails';
export const GUARDRAIL_FINDING = 'Guardrail Finding';
export const VENDING_SOURCE = 'vendguard.vending';
export const ACCOUNT_VENDED = 'Account Vended';
export const ACCOUNT_VENDING_FAILED = 'Account Vending Failed';
export const ACCOUNT_APPROVAL_REQUESTED = 'Account Request Awaiting Approval';

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

/**
 * `Account Request Awaiting Approval` (source `vendguard.vending`): a request for an OU marked
 * `approval: required` waits for `vendguard approve` or `vendguard reject` until `expiresAt`; then
 * the execution fails with `ApprovalTimedOutError`. Rendered to Slack (channel `vending`).
 */
export const AccountApprovalRequestedSchema = z.strictObject({
  requestId: z.string(),
  accountName: z.string(),
  email: z.string(),
  ou: z.string(),
  owner: z.string(),
  environment: z.string(),
  costCenter: z.optional(z.string()),
  executionArn: z.string(),
  /** The execution's redrive count: a redriven request asks again, and is announced again. */
  attempt: z.number(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  approveCommand: z.string(),
  rejectCommand: z.string(),
});
export type AccountApprovalRequested = z.infer<typeof AccountApprovalRequestedSchema>;

/** An `Account Request` the bus carried but vend-start could not read: nothing was started. */
export const ACCOUNT_REQUEST_REJECTED = 'Account Request Rejected';

/** One reason a request was rejected: the field (dotted path; empty for the whole detail) and why. */
export const RejectionIssueSchema = z.strictObject({ path: z.string(), message: z.string() });
export type RejectionIssue = z.infer<typeof RejectionIssueSchema>;

/**
 * `Account Request Rejected` (source `vendguard.vending`): an `Account Request` event whose detail
 * does not have the request's shape, so no vending execution was started. Carries what could be
 * read of the request (sanitized, cut to 100 characters), who sent it and every issue, so the
 * requester learns why. Rendered to Slack (channel `vending`).
 *
 * @example
 * { "requestId": "req-payments-prod-0001", "name": "payments-prod", "email": "aws-payments-prod@acme.example",
 *   "sourceAccount": "100000000001", "requestEventId": "0d4c7a4e-…", "requestTime": "2026-11-26T09:30:00Z",
 *   "issues": [{ "path": "environment", "message": "must be one of prod, staging, dev, sandbox" }] }
 */
export const AccountRequestRejectedSchema = z.strictObject({
  /** The request id given, else the one derived from a readable email (what the execution would have been named). */
  requestId: z.optional(z.string()),
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  /** The account that put the request on the bus (`account` of its envelope). */
  sourceAccount: z.string(),
  /** `id` and `time` of the rejected `Account Request` event. */
  requestEventId: z.string(),
  requestTime: z.optional(z.string()),
  issues: z.array(RejectionIssueSchema),
  /** How many issues were left out to keep the event small (only for a very broken detail). */
  omittedIssues: z.optional(z.number()),
});
export type AccountRequestRejected = z.infer<typeof AccountRequestRejectedSchema>;
