/**
 * The one code path of every guardrail: read the delivery, claim its event id, run the guard,
 * record the finding, complete the claim. The event handlers and the reconciliation sweep both go
 * through {@link processGuardEvent}, so a violation is handled the same way however it was found.
 */
import { clearCredentialCache, isExpiredToken } from '../aws';
import { awsErrorName, isThrottling, TransientError } from '../errors';
import { logger } from '../logger';
import type { GuardrailFinding } from '../schemas/findings';
import { hubClients } from './clients';
import { ExemptionDataUnavailableError, GuardrailStateError } from './errors';
import { claimKeyOf, type GuardEvent, readDelivery } from './event';
import { cachedAccountName } from './exemptions';
import { publishFinding } from './findings';
import { recordRejected } from './rejected';
import type { GuardRule } from './rules';
import { type GuardSettings, guardSettings } from './settings';
import { claimEvent, completeEvent, countAction, EVENT_RECORD_TTL_SECONDS, releaseEvent } from './state';

/** What a guard reports; the pipeline adds the event's who/where/when and the rule. */
export type FindingDraft = Pick<GuardrailFinding, 'summary' | 'action' | 'outcome'> &
  Partial<Pick<GuardrailFinding, 'resource' | 'resourceType' | 'vpcId' | 'reason' | 'severity'>>;

/** Effective mode of one event: the rule's mode, or dry-run under the global alert-only switch. */
export type EffectiveMode = 'remediate' | 'alert' | 'dry-run';

/** What a guard gets. */
export interface GuardContext {
  readonly event: GuardEvent;
  readonly rule: GuardRule;
  readonly settings: GuardSettings;
  readonly mode: EffectiveMode;
  /**
   * Asks to make a change. Returns undefined when the guard may act (one action is counted against
   * the account's blast-radius budget), or the draft to report instead: `alerted` (rule mode alert),
   * `dry-run` (global alert-only), `suppressed` (budget spent).
   *
   * @param wouldDo - what would be done, e.g. `detach igw-1 from vpc-1 and delete it`
   */
  gate(wouldDo: string, draft: Omit<FindingDraft, 'action' | 'outcome'>): Promise<FindingDraft | undefined>;
}

/** A guard: looks at one violation and acts or reports. `null` means not a violation after all (no finding). */
export type Guard = (ctx: GuardContext) => Promise<FindingDraft | null>;

/** What a handler returns. Failures that must be retried are thrown instead. */
export type GuardResult =
  | { readonly status: 'done'; readonly eventId: string; readonly finding: GuardrailFinding }
  | { readonly status: 'duplicate'; readonly eventId: string }
  | { readonly status: 'ignored'; readonly eventId?: string; readonly reason: string }
  | { readonly status: 'rejected'; readonly eventId?: string; readonly reason: string };

function effectiveMode(rule: GuardRule, settings: GuardSettings): EffectiveMode {
  if (rule.mode === 'alert') return 'alert';
  return settings.alertOnly ? 'dry-run' : 'remediate';
}

function makeContext(event: GuardEvent, rule: GuardRule, settings: GuardSettings): GuardContext {
  const mode = effectiveMode(rule, settings);
  return {
    event,
    rule,
    settings,
    mode,
    gate: async (wouldDo, draft) => {
      if (mode === 'alert') return { ...draft, action: `none (alert-only rule); would ${wouldDo}`, outcome: 'alerted' };
      if (mode === 'dry-run') return { ...draft, action: `none (dry-run); would ${wouldDo}`, outcome: 'dry-run' };
      const budget = await countAction(settings, event.accountId);
      if (budget.allowed) return undefined;
      return {
        ...draft,
        action: `none; would ${wouldDo}`,
        outcome: 'suppressed',
        reason: `blast-radius guard: ${budget.count} actions in account ${event.accountId} within ${settings.windowMinutes} minutes (limit ${settings.maxActionsPerAccount}); remediation stopped in this account`,
      };
    },
  };
}

/**
 * Errors after which the delivery should be retried rather than reported as failed. A guard that
 * turns its own call's failure into a `failed` finding rethrows these first.
 */
export function isRetryable(err: unknown): boolean {
  return (
    err instanceof TransientError ||
    isThrottling(err) ||
    isExpiredToken(err) ||
    awsErrorName(err) === 'ServiceUnavailable'
  );
}

/**
 * Handles one violation end to end. Duplicate event ids are skipped; an unexpected failure becomes
 * a `failed` finding (alert, never silence); throttling and state-table failures are rethrown so
 * EventBridge retries the delivery.
 *
 * @param ttlSeconds - how long the event id is remembered
 */
export async function processGuardEvent(
  event: GuardEvent,
  rule: GuardRule,
  guard: Guard,
  settings: GuardSettings = guardSettings(),
  ttlSeconds = EVENT_RECORD_TTL_SECONDS,
): Promise<GuardResult> {
  const log = {
    eventId: event.eventId,
    rule: rule.name,
    accountId: event.accountId,
    region: event.region,
    ...(event.replayName ? { replay: event.replayName } : {}),
  };
  const claimKey = claimKeyOf(event, rule.name);
  if (!(await claimEvent(settings, claimKey, ttlSeconds))) {
    logger.info('duplicate delivery skipped', log);
    return { status: 'duplicate', eventId: event.eventId };
  }
  const ctx = makeContext(event, rule, settings);
  let draft: FindingDraft | null;
  try {
    draft = await guard(ctx);
  } catch (err) {
    if (isRetryable(err) || err instanceof GuardrailStateError) {
      // The retried delivery must not get the same cached member credentials back.
      if (isExpiredToken(err)) clearCredentialCache();
      await releaseEvent(settings, claimKey).catch(() => undefined);
      throw err;
    }
    if (err instanceof ExemptionDataUnavailableError) {
      logger.warn('exemption data unavailable; alerting instead of acting', { ...log, reason: err.message });
      draft = {
        summary: `${event.actor} called ${event.eventName} in ${event.accountId}/${event.region}`,
        action: 'none: exemptions could not be read, alerting instead of acting',
        outcome: 'alerted',
        reason: err.message,
      };
    } else {
      logger.error('guardrail failed', { ...log, error: err as Error });
      draft = {
        summary: `${event.actor} called ${event.eventName} in ${event.accountId}/${event.region}; the guardrail could not complete`,
        action: 'none: the guardrail failed',
        outcome: 'failed',
        reason: `${awsErrorName(err) ?? 'Error'}: ${(err as Error).message}`,
      };
    }
  }
  if (draft === null) {
    await completeEvent(settings, claimKey, 'not-a-violation');
    logger.info('not a violation', log);
    return { status: 'ignored', eventId: event.eventId, reason: 'not a violation' };
  }
  const { severity, ...rest } = draft;
  const accountName = cachedAccountName(event.accountId);
  const finding: GuardrailFinding = {
    rule: rule.name,
    severity: severity ?? rule.severity,
    mode: ctx.mode,
    actor: event.actor,
    accountId: event.accountId,
    ...(accountName ? { accountName } : {}),
    region: event.region,
    ...rest,
    eventId: event.eventId,
    eventName: event.eventName,
    eventTime: event.eventTime,
  };
  try {
    await publishFinding(settings, finding);
  } catch (err) {
    await releaseEvent(settings, claimKey).catch(() => undefined);
    throw err;
  }
  await completeEvent(settings, claimKey, finding.outcome);
  logger.info(finding.summary, { ...log, outcome: finding.outcome, action: finding.action });
  return { status: 'done', eventId: event.eventId, finding };
}

/**
 * The body of a guardrail handler: validates the raw delivery (a malformed one is kept with why in
 * the state table, counted, and returned as `rejected`, never thrown: EventBridge would only retry
 * it), then {@link processGuardEvent}.
 *
 * @param functionName - the manifest name; selects the rules this function serves
 */
export async function runGuardrail(raw: unknown, functionName: string, guard: Guard): Promise<GuardResult> {
  const settings = guardSettings();
  const delivery = readDelivery(raw, functionName, settings.remediationRole);
  if (delivery.kind === 'rejected') {
    logger.warn('rejected CloudTrail event; no action taken', {
      reason: delivery.reason,
      ...(delivery.eventId ? { eventId: delivery.eventId.slice(0, 128) } : {}),
    });
    try {
      await recordRejected(hubClients().dynamodb, settings.stateTable, {
        functionName,
        raw,
        reason: delivery.reason,
        ...(delivery.eventId ? { eventId: delivery.eventId } : {}),
      });
    } catch (err) {
      // not kept: fail the invocation, so Lambda retries it and then keeps it in the on-failure queue
      throw new TransientError(
        `cannot record the rejected delivery in ${settings.stateTable}: ${(err as Error).message}`,
      );
    }
    return { status: 'rejected', reason: delivery.reason, ...(delivery.eventId ? { eventId: delivery.eventId } : {}) };
  }
  if (delivery.kind === 'ignored') {
    logger.info('event ignored', { reason: delivery.reason, eventId: delivery.eventId });
    return { status: 'ignored', eventId: delivery.eventId, reason: delivery.reason };
  }
  return processGuardEvent(delivery.event, delivery.rule, guard, settings);
}
