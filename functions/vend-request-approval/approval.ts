/**
 * AwaitApproval (`lambda:invoke.waitForTaskToken`): a request for an OU marked `approval: required`
 * records its task token in the state table and announces `Account Request Awaiting Approval`; the
 * execution then waits until `vendguard approve` (SendTaskSuccess), `vendguard reject`
 * (SendTaskFailure `Vendguard.RequestRejected`) or the task's timeout (`States.Timeout`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { TransientError } from '../shared/errors';
import { logger } from '../shared/logger';
import { AccountRequestSchema } from '../shared/schemas/account-request';
import {
  ACCOUNT_APPROVAL_REQUESTED,
  type AccountApprovalRequested,
  AccountApprovalRequestedSchema,
  VENDING_SOURCE,
} from '../shared/schemas/findings';
import { approvalCommands, putPendingApproval } from '../shared/vending/approval';
import { ExecutionContextSchema, VendingPlanSchema } from '../shared/vending/plan';

/** The Payload of the AwaitApproval task (statemachines/account-vending.asl.json). */
export const ApprovalInputSchema = z.strictObject({
  taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
  requestId: z.string(),
  request: AccountRequestSchema,
  plan: VendingPlanSchema,
  context: ExecutionContextSchema,
});
export type ApprovalInput = z.infer<typeof ApprovalInputSchema>;

export interface ApprovalDeps {
  readonly dynamodb: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly stateTable: string;
  readonly eventBusName: string;
  readonly now?: () => Date;
}

/** The `Account Request Awaiting Approval` detail of a request waiting from `now`. */
export function approvalRequestedDetail(input: ApprovalInput, now: Date): AccountApprovalRequested {
  const { request, plan } = input;
  const timeoutSeconds = plan.approval?.timeoutSeconds ?? 0;
  const commands = approvalCommands(input.requestId);
  return AccountApprovalRequestedSchema.parse({
    requestId: input.requestId,
    accountName: plan.accountName,
    email: plan.email,
    ou: plan.ou,
    owner: request.owner,
    environment: request.environment,
    ...(request.costCenter ? { costCenter: request.costCenter } : {}),
    executionArn: input.context?.Execution?.Id ?? 'unknown-execution',
    attempt: input.context?.Execution?.RedriveCount ?? 0,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + timeoutSeconds * 1000).toISOString(),
    approveCommand: commands.approve,
    rejectCommand: commands.reject,
  });
}

/**
 * Records the pending approval (the token, so the CLI can answer it) and announces it. The record is
 * written first: an announced request can always be approved.
 */
export async function requestApproval(input: ApprovalInput, deps: ApprovalDeps): Promise<AccountApprovalRequested> {
  const detail = approvalRequestedDetail(input, deps.now?.() ?? new Date());
  await putPendingApproval(deps.dynamodb, deps.stateTable, {
    requestId: detail.requestId,
    taskToken: input.taskToken,
    executionArn: detail.executionArn,
    accountName: detail.accountName,
    ou: detail.ou,
    owner: detail.owner,
    requestedAt: detail.requestedAt,
    expiresAt: detail.expiresAt,
  });
  const out = await deps.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: deps.eventBusName,
          Source: VENDING_SOURCE,
          DetailType: ACCOUNT_APPROVAL_REQUESTED,
          Detail: JSON.stringify(detail),
          Resources: [detail.executionArn],
        },
      ],
    }),
  );
  if (out.FailedEntryCount) {
    const entry = out.Entries?.[0];
    throw new TransientError(
      `PutEvents ${ACCOUNT_APPROVAL_REQUESTED} failed: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
    );
  }
  logger.info('approval requested', { requestId: detail.requestId, ou: detail.ou, expiresAt: detail.expiresAt });
  return detail;
}
