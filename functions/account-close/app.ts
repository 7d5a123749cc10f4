import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { awsClient } from '../shared/aws';
import { organizationConfig } from '../shared/config';
import {
  ClosePlanSchema,
  ClosureSchema,
  checkClosed,
  checkRemoval,
  closeAccount,
  moveToSuspended,
  planClose,
  RemovalSchema,
  removeBaseline,
} from '../shared/lifecycle/close';
import { logger } from '../shared/logger';
import { lambdaHandler } from '../shared/middleware';
import { AccountIdSchema } from '../shared/schemas/eventbridge';
import { causeMessage, raiseOrResume } from '../shared/steps';
import { redriveCommand } from '../shared/vending/failure-reasons';
import { organizationsClient } from '../shared/vending/org';
import { ExecutionContextSchema } from '../shared/vending/plan';

export const CLOSE_ACTIONS = [
  'validate',
  'move',
  'remove-baseline',
  'check-removal',
  'close',
  'check-closed',
  'announce',
  'announce-failure',
  'raise',
] as const;

export const LIFECYCLE_SOURCE = 'vendguard.lifecycle';

export const CloseInputSchema = z.object({
  action: z.enum(CLOSE_ACTIONS),
  accountId: AccountIdSchema,
  plan: z.optional(ClosePlanSchema),
  removal: z.optional(RemovalSchema),
  closure: z.optional(ClosureSchema),
  /** The whole execution state (AnnounceFailure, RaiseFailure): what failed, where, and the plan if made. */
  state: z.optional(
    z.looseObject({
      plan: z.optional(ClosePlanSchema),
      failure: z.optional(z.object({ step: z.optional(z.string()), redriveCount: z.optional(z.number()) })),
      error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
    }),
  ),
  context: ExecutionContextSchema,
});
export type CloseInput = z.infer<typeof CloseInputSchema>;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the close step needs ${what} in its input`);
  return value;
}

async function announce(detailType: string, detail: Record<string, unknown>): Promise<Record<string, unknown>> {
  const events = awsClient(EventBridgeClient);
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
          Source: LIFECYCLE_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (out.FailedEntryCount) throw new Error(`PutEvents ${detailType} failed: ${out.Entries?.[0]?.ErrorMessage}`);
  logger.info(detailType, { detail });
  return detail;
}

/** The account-closing state machine's steps, one `action` per call (functions/shared/lifecycle/close.ts). */
export async function closeStep(input: CloseInput): Promise<unknown> {
  const config = organizationConfig();
  const org = organizationsClient();
  const cfn = awsClient(CloudFormationClient);
  const redriveCount = input.context?.Execution?.RedriveCount ?? 0;
  const execution = input.context?.Execution?.Name ?? `close-${input.accountId}`;
  switch (input.action) {
    case 'validate':
      return planClose({ org, cfn }, config, input.accountId);
    case 'move':
      return moveToSuspended(org, need(input.plan, 'plan'));
    case 'remove-baseline':
      return removeBaseline(cfn, need(input.plan, 'plan'), redriveCount);
    case 'check-removal':
      return checkRemoval(cfn, need(input.plan, 'plan'), need(input.removal, 'removal'), redriveCount);
    case 'close':
      return closeAccount(org, need(input.plan, 'plan'), input.closure);
    case 'check-closed':
      return checkClosed(org, need(input.plan, 'plan'), need(input.closure, 'closure'));
    case 'announce': {
      const plan = need(input.plan, 'plan');
      return announce('Account Closed', {
        accountId: plan.accountId,
        accountName: plan.accountName,
        email: plan.email,
        fromOu: plan.fromOu,
        removedStackSets: plan.stackSets.map((s) => s.name),
        attempts: input.closure?.attempts ?? 1,
        executionArn: input.context?.Execution?.Id ?? '',
      });
    }
    case 'announce-failure': {
      const state = input.state ?? {};
      return announce('Account Closure Failed', {
        accountId: input.accountId,
        ...(state.plan ? { accountName: state.plan.accountName, fromOu: state.plan.fromOu } : {}),
        failedStep: state.failure?.step ?? 'unknown',
        error: state.error?.Error ?? 'UnknownError',
        cause: causeMessage(state.error?.Cause),
        executionArn: input.context?.Execution?.Id ?? '',
        redriveCommand: redriveCommand(execution),
      });
    }
    case 'raise':
      return raiseOrResume(input.state?.failure, input.state?.error, redriveCount, 'CloseStepFailedError');
  }
}

export const handler = lambdaHandler(CloseInputSchema, 'close input', closeStep);
