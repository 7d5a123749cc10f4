import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { awsClient } from '../../functions/shared/aws';
import {
  type ApprovalRecord,
  getApproval,
  listPendingApprovals,
  REQUEST_REJECTED_ERROR,
  recordDecision,
} from '../../functions/shared/vending/approval';
import { CliError, EXIT, print, printJson, table } from '../output';

/** Longest `--reason` (it becomes the execution's failure cause and the Slack message). */
export const MAX_REASON_LENGTH = 1000;

/** What `vendguard approve` / `reject` report (`--json`). */
export interface DecisionResult {
  readonly requestId: string;
  readonly decision: 'approved' | 'rejected';
  readonly executionArn: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
  readonly reason?: string;
}

export interface ApprovalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly sts: STSClient;
}

function defaultClients(): ApprovalClients {
  return { dynamodb: awsClient(DynamoDBClient), sfn: awsClient(SFNClient), sts: awsClient(STSClient) };
}

function stateTable(): string {
  return process.env.VENDGUARD_STATE_TABLE ?? 'vendguard-state';
}

/** Calls AWS, turning a refusal into exit 3 with what was being done. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as Error;
    throw new CliError(`cannot ${what}: ${e.name}: ${e.message}`, EXIT.aws);
  }
}

/** The pending approval of a request; a clear error (and exit code) when there is none to decide. */
async function pendingApproval(clients: ApprovalClients, requestId: string): Promise<ApprovalRecord> {
  const record = await call(`read the approval of ${requestId}`, () =>
    getApproval(clients.dynamodb, stateTable(), requestId),
  );
  if (!record) {
    throw new CliError(
      `no approval was asked for request ${requestId} (\`vendguard approvals\` lists the pending ones)`,
      EXIT.usage,
    );
  }
  if (record.status !== 'pending') {
    throw new CliError(
      `request ${requestId} was already ${record.status} by ${record.decidedBy ?? 'someone'} at ${record.decidedAt ?? '?'}`,
      EXIT.failed,
    );
  }
  return record;
}

/**
 * Why Step Functions refused the answer, for the operator. AWS answers `TaskTimedOut` for a token
 * whose task is over (timed out, answered, its execution stopped or redriven) and `TaskDoesNotExist`
 * for one it never issued: the execution's status says which.
 */
async function refusal(sfn: SFNClient, requestId: string, record: ApprovalRecord, error: Error): Promise<CliError> {
  if (error.name !== 'TaskTimedOut' && error.name !== 'TaskDoesNotExist' && error.name !== 'InvalidToken') {
    return new CliError(`cannot answer request ${requestId}: ${error.name}: ${error.message}`, EXIT.aws);
  }
  const execution = await sfn
    .send(new DescribeExecutionCommand({ executionArn: record.executionArn }))
    .catch(() => undefined);
  const status = execution?.status;
  const why =
    status === 'FAILED' && execution?.error === 'ApprovalTimedOutError'
      ? `it timed out waiting for approval at ${record.expiresAt}; redrive its execution to ask again`
      : status && status !== 'RUNNING'
        ? `its execution is ${status}${execution?.error ? ` (${execution.error})` : ''}`
        : 'its task was already answered or redriven';
  return new CliError(`request ${requestId} is no longer waiting for approval: ${why}`, EXIT.failed);
}

/**
 * Approves (SendTaskSuccess) or rejects (SendTaskFailure `Vendguard.RequestRejected`) the pending
 * approval of a request, then records who decided. Step Functions is answered first: the record can
 * never say approved for an execution that still waits.
 */
export async function decide(
  requestId: string,
  decision: { approve: true } | { approve: false; reason: string },
  clients: ApprovalClients = defaultClients(),
  now: () => Date = () => new Date(),
): Promise<DecisionResult> {
  const reason = decision.approve ? undefined : decision.reason.trim();
  if (reason !== undefined && !reason) throw new CliError('--reason must say why the request is rejected', EXIT.usage);
  if (reason !== undefined && reason.length > MAX_REASON_LENGTH) {
    throw new CliError(`--reason is ${reason.length} characters; at most ${MAX_REASON_LENGTH}`, EXIT.usage);
  }
  const record = await pendingApproval(clients, requestId);
  const identity = await call('read the caller identity', () => clients.sts.send(new GetCallerIdentityCommand({})));
  const by = identity.Arn ?? 'unknown';
  const at = now().toISOString();
  try {
    if (decision.approve) {
      await clients.sfn.send(
        new SendTaskSuccessCommand({
          taskToken: record.taskToken,
          output: JSON.stringify({ decision: 'approved', by, at }),
        }),
      );
    } else {
      await clients.sfn.send(
        new SendTaskFailureCommand({
          taskToken: record.taskToken,
          error: REQUEST_REJECTED_ERROR,
          cause: `rejected by ${by}: ${reason}`,
        }),
      );
    }
  } catch (error) {
    throw await refusal(clients.sfn, requestId, record, error as Error);
  }
  const status = decision.approve ? 'approved' : 'rejected';
  await call(`record the decision on ${requestId}`, () =>
    recordDecision(clients.dynamodb, stateTable(), requestId, {
      status,
      taskToken: record.taskToken,
      by,
      at,
      ...(reason !== undefined ? { reason } : {}),
    }),
  );
  return {
    requestId,
    decision: status,
    executionArn: record.executionArn,
    decidedBy: by,
    decidedAt: at,
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** Every request waiting for approval, oldest first. */
export async function pendingApprovals(clients: ApprovalClients = defaultClients()): Promise<ApprovalRecord[]> {
  return call('list the pending approvals', () => listPendingApprovals(clients.dynamodb, stateTable()));
}

const EXIT_HELP = `Exit codes: 0 done, 1 the request is no longer waiting (already decided, timed out, stopped),
2 usage (no approval was asked for that request id, --reason missing), 3 AWS refused the call.`;

function report(result: DecisionResult, json: boolean | undefined): void {
  if (json) printJson(result);
  else {
    print(
      `request ${result.requestId} ${result.decision} by ${result.decidedBy}${result.reason ? `: ${result.reason}` : ''}`,
    );
  }
}

export function register(program: Command): void {
  program
    .command('approve')
    .description('Approve a pending account request (one for an OU marked approval: required); vending continues')
    .argument('<request-id>', 'the request id (Slack and `vendguard approvals` show it)')
    .option('--json', 'print the decision as JSON')
    .addHelpText('after', `\nExample:\n  $ vendguard approve req-payments-prod-0001\n\n${EXIT_HELP}`)
    .action(async (requestId: string, opts: { json?: boolean }) => {
      report(await decide(requestId, { approve: true }), opts.json);
    });
  program
    .command('reject')
    .description('Reject a pending account request: its vending execution fails with Vendguard.RequestRejected')
    .argument('<request-id>', 'the request id (Slack and `vendguard approvals` show it)')
    .requiredOption('--reason <text>', `why (at most ${MAX_REASON_LENGTH} characters; the requester sees it)`)
    .option('--json', 'print the decision as JSON')
    .addHelpText(
      'after',
      `\nExample:\n  $ vendguard reject req-payments-prod-0001 --reason "prod accounts need a cost center"\n\nA rejected request can be asked again: redrive its execution (vendguard replay <request-id> --mode redrive).\n${EXIT_HELP}`,
    )
    .action(async (requestId: string, opts: { reason: string; json?: boolean }) => {
      report(await decide(requestId, { approve: false, reason: opts.reason }), opts.json);
    });
  program
    .command('approvals')
    .description('List the account requests waiting for approval, oldest first')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      const pending = await pendingApprovals();
      if (opts.json) {
        printJson(pending.map(({ taskToken: _token, ...rest }) => rest));
        return;
      }
      if (!pending.length) {
        print('no request is waiting for approval');
        return;
      }
      print(
        table(pending, {
          request: (r) => r.requestId,
          account: (r) => r.accountName,
          ou: (r) => r.ou,
          owner: (r) => r.owner,
          requested: (r) => r.requestedAt,
          expires: (r) => r.expiresAt,
        }),
      );
    });
}
