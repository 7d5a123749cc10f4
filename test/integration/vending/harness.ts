import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  type Account,
  ListAccountsCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

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
