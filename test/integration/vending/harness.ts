import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  type Account,
  ListAccountsCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { type ApprovalClients, decide, pendingApprovals } from '../../../cli/commands/approval';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';

/**
 * A sandbox for vending; it deploys the config's baseline stack sets on start (as the CDK governance
 * stack does on AWS). Time scale 1200: a vending takes about 5 simulated minutes (0.25 s real), and
 * the real time the in-process functions spend stays small in simulated time even on a loaded machine.
 */
export async function startVendingSandbox(): Promise<TestSandbox> {
  return startTestSandbox({ timeScale: 1200 });
}

/** Clients as the platform team (the sandbox admin of the management account). */
export function clients(sb: TestSandbox) {
  return {
    org: sb.client(OrganizationsClient, { region: 'us-east-1', maxAttempts: 3 }),
    cfn: sb.client(CloudFormationClient, { maxAttempts: 3 }),
    sfn: sb.client(SFNClient, { maxAttempts: 3 }),
    events: sb.client(EventBridgeClient, { maxAttempts: 3 }),
  };
}

/** The ARN of the vending execution of a request id (the execution is named from it). */
export const executionArnOf = (requestId: string) =>
  `arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:${requestId}`;

/** The central bus's ARN: another account names it by ARN (a bare name is a bus of its own account). */
export const CENTRAL_BUS_ARN = 'arn:aws:events:eu-west-1:100000000001:event-bus/vendguard';

/** Puts an `Account Request` on the central bus as a requester would; fails if the bus refuses it. Returns the event id. */
export async function putRequest(events: EventBridgeClient, detail: unknown): Promise<string> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: CENTRAL_BUS_ARN,
          Source: 'vendguard.requests',
          DetailType: 'Account Request',
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (out.FailedEntryCount) throw new Error(`the bus refused the request: ${JSON.stringify(out.Entries)}`);
  return out.Entries?.[0]?.EventId as string;
}

/** Polls an execution until it leaves RUNNING (real time bound). */
export async function waitForExecution(sfn: SFNClient, executionArn: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((e: Error) => {
      if (e.name === 'ExecutionDoesNotExist') return undefined;
      throw e;
    });
    if (out && out.status !== 'RUNNING') return out;
    if (Date.now() > deadline)
      throw new Error(`execution ${executionArn} still ${out?.status ?? 'absent'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every account with this email. */
export async function accountsWithEmail(org: OrganizationsClient, email: string): Promise<Account[]> {
  const all: Account[] = [];
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListAccountsCommand({ NextToken }));
    all.push(...(page.Accounts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all.filter((a) => a.Email?.toLowerCase() === email.toLowerCase());
}

export async function parentOf(org: OrganizationsClient, accountId: string): Promise<string | undefined> {
  return (await org.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
}

export async function tagsOf(org: OrganizationsClient, accountId: string): Promise<Record<string, string>> {
  const out = await org.send(new ListTagsForResourceCommand({ ResourceId: accountId }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

export async function policiesOf(org: OrganizationsClient, accountId: string): Promise<string[]> {
  const out = await org.send(
    new ListPoliciesForTargetCommand({ TargetId: accountId, Filter: 'SERVICE_CONTROL_POLICY' }),
  );
  return (out.Policies ?? []).map((p) => p.Name ?? '');
}

/** Waits until a request waits for approval (its task token recorded, `vendguard approvals` lists it). */
export function waitForPendingApproval(approver: ApprovalClients, requestId: string, timeoutMs = 30_000) {
  return until(
    async () => (await pendingApprovals(approver)).find((a) => a.requestId === requestId),
    timeoutMs,
    `${requestId} to wait for approval`,
  );
}

/**
 * Approves a request once it waits for approval (Workloads/Prod is `approval: required`), as
 * `vendguard approve` does; resolves with the decision.
 */
export async function approveWhenAsked(sb: TestSandbox, requestId: string) {
  const approver = { dynamodb: sb.client(DynamoDBClient), sfn: sb.client(SFNClient), sts: sb.client(STSClient) };
  await waitForPendingApproval(approver, requestId);
  return decide(requestId, { approve: true }, approver);
}
