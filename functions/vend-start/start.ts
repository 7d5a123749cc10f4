/**
 * Starts one vending execution per account request. The execution is named from the request id,
 * so the same request (sent twice, replayed from the archive) never starts a second execution. A
 * malformed request starts nothing and is answered with `Account Request Rejected` on the bus.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import * as z from 'zod/mini';
import { organizationConfig } from '../shared/config';
import { awsErrorName, zodIssues } from '../shared/errors';
import { logger } from '../shared/logger';
import {
  ACCOUNT_ENROLLMENT_DETAIL_TYPE,
  AccountEnrollmentSchema,
  AccountRequestSchema,
} from '../shared/schemas/account-request';
import { rethrowTransient } from '../shared/vending/org';
import { requestIdFor, VENDING_STATE_MACHINE } from '../shared/vending/plan';
import { announceRejection, rejectionDetail } from './reject';

/**
 * The edge schema of vend-start: any EventBridge envelope. The detail is parsed inside, so a
 * malformed request is rejected (logged, and announced on the bus) instead of failing the
 * invocation (which EventBridge would retry for nothing).
 */
export const StartEventSchema = z.looseObject({
  id: z.optional(z.string()),
  time: z.optional(z.string()),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  region: z.string(),
  detail: z.unknown(),
});
export type StartEvent = z.infer<typeof StartEventSchema>;

/** What vend-start did with a request. */
export type StartResult =
  | { readonly status: 'started' | 'already-started'; readonly requestId: string; readonly executionArn: string }
  | {
      readonly status: 'rejected';
      readonly issues: readonly { path: string; message: string }[];
      /** Whether `Account Request Rejected` reached the bus (a failure is logged, not thrown). */
      readonly announced: boolean;
    };

/** Clients and settings vend-start needs. */
export interface StartDeps {
  readonly sfn: SFNClient;
  readonly sts: STSClient;
  readonly events: EventBridgeClient;
  /** `VENDGUARD_EVENT_BUS` (default `vendguard`): where a rejection is announced. */
  readonly eventBusName: string;
  /** `VENDGUARD_VENDING_STATE_MACHINE_ARN`; derived from the caller's account and region when absent. */
  readonly stateMachineArn?: string;
  readonly region: string;
}

/** The ARN of the vending state machine: the configured one, or `…:<account>:stateMachine:vendguard-account-vending`. */
export async function vendingStateMachineArn(deps: StartDeps): Promise<string> {
  if (deps.stateMachineArn) return deps.stateMachineArn;
  const me = await deps.sts.send(new GetCallerIdentityCommand({}));
  if (!me.Account) throw new Error('GetCallerIdentity returned no account');
  return `arn:aws:states:${deps.region}:${me.Account}:stateMachine:vendguard-${VENDING_STATE_MACHINE}`;
}

/**
 * Parses the request of an `Account Request` event and starts its execution (once). A request from
 * an account that is neither the hub nor a configured requester, or a malformed one, starts nothing:
 * it is logged and answered with `Account Request Rejected`, which names the sender.
 */
export async function startVending(event: StartEvent, deps: StartDeps): Promise<StartResult> {
  const reject = async (issues: { path: string; message: string }[]): Promise<StartResult> => {
    const rejection = rejectionDetail(event, issues);
    logger.warn('account request rejected', { source: event.source, rejection });
    const announced = await announceRejection(deps.events, deps.eventBusName, rejection);
    return { status: 'rejected', issues, announced };
  };
  // the sender is the event's account, which EventBridge sets and a sender cannot forge
  const stateMachineArn = await vendingStateMachineArn(deps);
  const hubAccount = stateMachineArn.split(':')[4];
  const { requesters } = organizationConfig().vending;
  if (event.account !== hubAccount && !requesters.accounts.includes(event.account)) {
    return reject([
      {
        path: 'account',
        message: `account ${event.account} may not request accounts: only the hub account and vending.requesters.accounts may`,
      },
    ]);
  }
  const enrollment = event['detail-type'] === ACCOUNT_ENROLLMENT_DETAIL_TYPE;
  const parsed = (enrollment ? AccountEnrollmentSchema : AccountRequestSchema).safeParse(event.detail);
  if (!parsed.success) return reject(zodIssues(parsed.error));
  const { accountId, ...request } = parsed.data as typeof parsed.data & { accountId?: string };
  // an enrollment is named after its account: one enrollment per account, whatever its email
  const requestId = request.requestId ?? (accountId ? `enroll-${accountId}` : requestIdFor(request));
  const input = { request, requestId, ...(accountId ? { enroll: { accountId } } : {}) };
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: requestId, input: JSON.stringify(input) }),
    );
    logger.info('vending started', { requestId, executionArn: out.executionArn });
    return { status: 'started', requestId, executionArn: out.executionArn ?? executionArn };
  } catch (err) {
    if (awsErrorName(err) === 'ExecutionAlreadyExists') {
      logger.info('vending already started for this request', { requestId, executionArn });
      return { status: 'already-started', requestId, executionArn };
    }
    return rethrowTransient(err, `StartExecution ${requestId}`);
  }
}
