/**
 * Helpers of the guardrail integration tests: a sandbox with a vended-like service account, the
 * findings the guardrails put on the bus (read from the `vendguard-archive` archive), and polling.
 */
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  DetachPolicyCommand,
  ListPoliciesCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { GuardrailFinding } from '../../../functions/shared/schemas/findings';
import { Ec2State } from '../../../sandbox/services/ec2';
import type { IgwRecord } from '../../../sandbox/services/ec2/model';
import { deploySecurityBaseline, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

interface Archived {
  readonly event: { source: string; 'detail-type': string; detail: Record<string, unknown> };
}

/** Every `Guardrail Finding` on the central bus so far, oldest first. */
export function findings(sb: TestSandbox): GuardrailFinding[] {
  return sb.runtime.store
    .list<Archived>('events.archived')
    .filter((a) => a.event.source === 'vendguard.guardrails' && a.event['detail-type'] === 'Guardrail Finding')
    .map((a) => a.event.detail as unknown as GuardrailFinding);
}

/** Every CloudTrail event on the central bus so far (the calls made against the sandbox). */
export function trail(sb: TestSandbox): Record<string, unknown>[] {
  return sb.runtime.store
    .list<Archived>('events.archived')
    .filter((a) => a.event['detail-type'] === 'AWS API Call via CloudTrail')
    .map((a) => a.event.detail);
}

/**
 * Plants a VPC with an attached Internet Gateway in an account without any API call, so no CloudTrail
 * event exists for it: a gateway that appeared while no rule was watching (created before the SCP was
 * attached, or an event that was lost). Nobody in the account can create one through the API any more.
 */
export function plantGateway(
  sb: TestSandbox,
  accountId: string,
  region: string,
  cidr: string,
): { vpcId: string; igwId: string } {
  const state = new Ec2State(sb.runtime);
  const scope = { account: accountId, region };
  const vpc = state.createVpc(scope, cidr, false, []);
  const igw: IgwRecord = { internetGatewayId: state.newId('igw-'), ownerId: accountId, vpcId: vpc.vpcId, tags: [] };
  state.put(scope, igw.internetGatewayId, igw);
  return { vpcId: vpc.vpcId, igwId: igw.internetGatewayId };
}

/** Runs `fn` with an SCP detached from an OU (as the management account), then attaches it again. */
export async function withoutScp<T>(
  sb: TestSandbox,
  policyName: string,
  ouPath: string,
  fn: () => Promise<T>,
): Promise<T> {
  const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  const policies = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
  const policyId = policies.Policies?.find((p) => p.Name === policyName)?.Id;
  const targetId = sb.runtime.organizations.ouIdByPath(ouPath);
  if (!policyId || !targetId) throw new Error(`no SCP ${policyName} or OU ${ouPath}`);
  await org.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  try {
    return await fn();
  } finally {
    await org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until no new invocation was recorded for `quietMs` (the bus has delivered what it had). */
export async function settle(sb: TestSandbox, quietMs = 300): Promise<void> {
  let last = -1;
  for (;;) {
    const count = sb.runtime.store.count('invocations');
    if (count === last) return;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

/**
 * Starts a sandbox and creates a service account (as vending would) with Organizations CreateAccount,
 * then deploys its security baseline. The account stays under the root, where no SCP denies
 * Internet Gateways: the scenes the tests set (a gateway that appears anyway) are possible there.
 */
export async function startGuardrailSandbox(): Promise<{ sb: TestSandbox; serviceAccount: string }> {
  const sb = await startTestSandbox();
  const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  const created = await org.send(
    new CreateAccountCommand({ AccountName: 'payments-dev', Email: 'aws-payments-dev@acme.example' }),
  );
  const requestId = created.CreateAccountStatus?.Id as string;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }));
    const status = out.CreateAccountStatus;
    if (status?.State === 'SUCCEEDED') {
      const serviceAccount = status.AccountId as string;
      // The egress account (a core account the guardrails exempt) gets the baseline too: without its
      // forwarding rule nothing it does would reach the hub, as on AWS.
      await deploySecurityBaseline(sb, serviceAccount, sb.accountId('egress'));
      return { sb, serviceAccount };
    }
    if (status?.State === 'FAILED' || Date.now() > deadline) {
      throw new Error(`CreateAccount ${status?.State}: ${status?.FailureReason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
