/**
 * Announces a vending outcome on the central bus: `Account Vended` (what downstream onboarding
 * needs) or `Account Vending Failed` (step, error, cause and the exact redrive command). The Slack
 * notifier renders both from the bus.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import type { OrganizationConfig } from '../../config/schema';
import { TransientError } from '../shared/errors';
import { logger } from '../shared/logger';
import {
  ACCOUNT_VENDED,
  ACCOUNT_VENDING_FAILED,
  type AccountVended,
  AccountVendedSchema,
  type AccountVendingFailed,
  AccountVendingFailedSchema,
  VENDING_SOURCE,
} from '../shared/schemas/findings';
import { causeMessage, raiseOrResume } from '../shared/steps';
import { redriveCommand } from '../shared/vending/failure-reasons';
import {
  AccountProgressSchema,
  type ExecutionContext,
  ExecutionContextSchema,
  VendingPlanSchema,
} from '../shared/vending/plan';

/** The execution state as AnnounceSuccess / AnnounceFailure see it (`"state.$": "$"`); loose on purpose. */
export const AnnounceStateSchema = z.looseObject({
  request: z.optional(
    z.looseObject({
      name: z.optional(z.string()),
      email: z.optional(z.string()),
      ou: z.optional(z.string()),
      owner: z.optional(z.string()),
      costCenter: z.optional(z.string()),
      environment: z.optional(z.string()),
    }),
  ),
  requestId: z.optional(z.string()),
  plan: z.optional(VendingPlanSchema),
  account: z.optional(AccountProgressSchema),
  failure: z.optional(z.looseObject({ step: z.optional(z.string()), redriveCount: z.optional(z.number()) })),
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
export type AnnounceState = z.infer<typeof AnnounceStateSchema>;

export const AnnounceInputSchema = z.object({
  /** `raise` fails the execution with the failed step's error, or, once redriven, names the step to resume. */
  outcome: z.enum(['success', 'failure', 'raise']),
  state: AnnounceStateSchema,
  context: ExecutionContextSchema,
});
export type AnnounceInput = z.infer<typeof AnnounceInputSchema>;

export { causeMessage };

/** OU paths from the top down to `ou` (`Workloads`, `Workloads/Prod`). */
function ouAncestry(ou: string): string[] {
  const parts = ou.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** SCPs in effect on an account of an OU: inherited from its OUs plus the account-level ones. */
export function effectiveScps(config: OrganizationConfig, ou: string, accountScps: readonly string[]): string[] {
  const ancestry = new Set(ouAncestry(ou));
  const inherited = config.scps
    .filter((s) => !s.quarantine && s.targets.some((t) => ancestry.has(t)))
    .map((s) => s.name);
  return [...new Set([...inherited, ...accountScps])];
}

function executionOf(context: ExecutionContext) {
  const id = context?.Execution?.Id ?? 'unknown-execution';
  const name = context?.Execution?.Name ?? id.split(':').pop() ?? id;
  return { id, name, startTime: context?.Execution?.StartTime };
}

/** The `Account Vended` detail of a finished execution. */
export function vendedDetail(input: AnnounceInput, config: OrganizationConfig, now: Date): AccountVended {
  const { state } = input;
  const { plan, request } = state;
  if (!plan || !state.account?.accountId) throw new Error('AnnounceSuccess needs the plan and the account id');
  const execution = executionOf(input.context);
  const startedAt = execution.startTime ?? now.toISOString();
  return AccountVendedSchema.parse({
    requestId: plan.requestId,
    accountId: state.account.accountId,
    accountName: plan.accountName,
    email: plan.email,
    ou: plan.ou,
    ouId: plan.ouId,
    owner: request?.owner ?? 'unknown',
    ...(request?.costCenter ? { costCenter: request.costCenter } : {}),
    environment: request?.environment ?? 'unknown',
    baselines: plan.stackSets.map((s) => s.name),
    scps: effectiveScps(config, plan.ou, plan.accountScps),
    regions: plan.regions,
    executionArn: execution.id,
    startedAt,
    durationSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(startedAt)) / 1000)),
  });
}

/** The `Account Vending Failed` detail of a failed execution. */
export function failedDetail(input: AnnounceInput): AccountVendingFailed {
  const { state } = input;
  const execution = executionOf(input.context);
  const cause = causeMessage(state.error?.Cause);
  // BaselineDeploymentFailedError names them: "baseline stack set X failed in account A, region R: …"
  const where = /stack set (\S+) failed in account \d{12}, region ([a-z0-9-]+):/.exec(cause);
  return AccountVendingFailedSchema.parse({
    requestId: state.requestId ?? execution.name,
    accountName: state.request?.name ?? state.plan?.accountName ?? 'unknown',
    ...(state.account?.accountId ? { accountId: state.account.accountId } : {}),
    ...(state.request?.ou ? { ou: state.request.ou } : {}),
    ...(state.request?.owner ? { owner: state.request.owner } : {}),
    failedStep: state.failure?.step ?? 'unknown',
    error: state.error?.Error ?? 'UnknownError',
    cause,
    ...(where?.[2] ? { region: where[2] } : {}),
    ...(where?.[1] ? { stackSet: where[1] } : {}),
    executionArn: execution.id,
    redriveCommand: redriveCommand(execution.name),
  });
}

/**
 * RaiseFailure: throws the failed step's error so the execution fails with it, unless the
 * execution was redriven since the step failed; then it names the step to go back to.
 */
export function raiseFailure(input: AnnounceInput): { readonly step: string } {
  const { state } = input;
  return raiseOrResume(
    state.failure,
    state.error,
    input.context?.Execution?.RedriveCount ?? 0,
    'VendingStepFailedError',
  );
}

/** Puts the outcome event on the bus and returns its detail. */
export async function announceOutcome(
  events: EventBridgeClient,
  input: AnnounceInput,
  deps: { readonly config: OrganizationConfig; readonly eventBusName: string; readonly now?: () => Date },
): Promise<AccountVended | AccountVendingFailed> {
  // the duration is Step Functions' own (StartTime to this state's EnteredTime), as `vendguard
  // executions` reports it; the function's clock is another machine's
  const entered = input.context?.State?.EnteredTime;
  const now = deps.now?.() ?? (entered ? new Date(entered) : new Date());
  if (input.outcome === 'raise') throw new Error('raise is not an announcement');
  const detail = input.outcome === 'success' ? vendedDetail(input, deps.config, now) : failedDetail(input);
  const detailType = input.outcome === 'success' ? ACCOUNT_VENDED : ACCOUNT_VENDING_FAILED;
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: deps.eventBusName,
          Source: VENDING_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          Resources: [detail.executionArn],
        },
      ],
    }),
  );
  if (out.FailedEntryCount) {
    const entry = out.Entries?.[0];
    throw new TransientError(
      `PutEvents ${detailType} failed: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
    );
  }
  logger.info(`${detailType}`, { detail });
  return detail;
}

/** The vend-announce entry: `success` / `failure` put an event; `raise` ends or resumes a failed execution. */
export async function announce(
  events: EventBridgeClient,
  input: AnnounceInput,
  deps: { readonly config: OrganizationConfig; readonly eventBusName: string; readonly now?: () => Date },
): Promise<AccountVended | AccountVendingFailed | { readonly step: string }> {
  if (input.outcome === 'raise') return raiseFailure(input);
  return announceOutcome(events, input, deps);
}
