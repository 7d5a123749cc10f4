/**
 * Helpers of the guardrail integration tests: a sandbox with a vended-like service account, the
 * findings the guardrails put on the bus (read from the `vendguard-archive` archive), and polling.
 */
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { GuardrailFinding } from '../../../functions/shared/schemas/findings';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

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

/** Starts a sandbox and creates a service account (as vending would) with Organizations CreateAccount. */
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
    if (status?.State === 'SUCCEEDED') return { sb, serviceAccount: status.AccountId as string };
    if (status?.State === 'FAILED' || Date.now() > deadline) {
      throw new Error(`CreateAccount ${status?.State}: ${status?.FailureReason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
