/**
 * Requests for an OU marked `approval: required` (Workloads/Prod in the shipped config) wait on a
 * task token until `vendguard approve`, `vendguard reject` or the timeout: each path end to end,
 * through the deployed state machine, the approval function, Slack and the CLI's calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { type ApprovalClients, decide } from '../../../cli/commands/approval';
import { runRequest } from '../../../cli/commands/request';
import { CliError } from '../../../cli/output';
import type { OutboxMessage } from '../../../sandbox/slack-outbox';
import { waitForAlert } from '../../helpers/alerts';
import type { TestSandbox } from '../../helpers/sandbox';
import {
  accountsWithEmail,
  clients,
  executionArnOf,
  startVendingSandbox,
  waitForExecution,
  waitForPendingApproval,
} from './harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;
let approver: ApprovalClients;

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
  approver = { dynamodb: sb.client(DynamoDBClient), sfn: c.sfn, sts: sb.client(STSClient) };
});
afterAll(() => sb?.stop());

async function request(name: string, requestId: string, ou = 'Workloads/Prod'): Promise<void> {
  await runRequest(
    { name, email: `aws-${name}@acme.example`, ou, owner: 'team-payments', json: true, requestId },
    { events: c.events, sfn: c.sfn },
  );
}

/** Waits for a Slack message of a kind that mentions the request id. */
function slack(kind: string, requestId: string): Promise<OutboxMessage> {
  return waitForAlert(
    sb.endpoint,
    (a) => a.kind === kind && a.rendered.includes(requestId),
    `a ${kind} message for ${requestId}`,
  );
}

const pending = (requestId: string) => waitForPendingApproval(approver, requestId);

describe('a request for an approval-required OU', () => {
  it('waits, announces itself with both commands, and is vended once approved', async () => {
    await request('ledger-prod', 'req-approve');
    const asked = await slack('approval-requested', 'req-approve');
    expect(asked.channel).toBe('#account-vending');
    expect(asked.rendered).toContain('npx vendguard approve req-approve');
    expect(asked.rendered).toContain('npx vendguard reject req-approve --reason');
    await pending('req-approve');
    // nothing is created while it waits
    expect(await accountsWithEmail(c.org, 'aws-ledger-prod@acme.example')).toEqual([]);

    const decision = await decide('req-approve', { approve: true }, approver);
    expect(decision).toMatchObject({ requestId: 'req-approve', decision: 'approved' });
    expect(decision.decidedBy).toMatch(/^arn:aws:iam::100000000001:/);
    const execution = await waitForExecution(c.sfn, executionArnOf('req-approve'));
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}').approval).toMatchObject({ decision: 'approved' });
    expect(await accountsWithEmail(c.org, 'aws-ledger-prod@acme.example')).toHaveLength(1);

    // a second answer is refused by the CLI (already decided), exit code 1
    await expect(decide('req-approve', { approve: true }, approver)).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('already approved by arn:aws:iam::100000000001:'),
    });
  }, 60_000);

  it('fails cleanly when rejected, with the reason, and creates nothing', async () => {
    await request('shadow-prod', 'req-reject');
    await pending('req-reject');
    await expect(decide('req-reject', { approve: false, reason: '  ' }, approver)).rejects.toMatchObject({
      exitCode: 2,
    });
    await decide('req-reject', { approve: false, reason: 'prod accounts need a cost center' }, approver);
    const execution = await waitForExecution(c.sfn, executionArnOf('req-reject'));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Vendguard.RequestRejected');
    expect(execution.cause).toContain('prod accounts need a cost center');
    const failed = await slack('vending-failed', 'req-reject');
    expect(failed.rendered).toContain('AwaitApproval');
    expect(await accountsWithEmail(c.org, 'aws-shadow-prod@acme.example')).toEqual([]);
  }, 60_000);

  it('times out after vending.approval.timeoutHours, failing the execution as ApprovalTimedOutError', async () => {
    await request('late-prod', 'req-timeout');
    await pending('req-timeout');
    const res = await fetch(`${sb.endpoint}/_sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 73 * 3600 }),
    });
    expect(res.status).toBe(200);
    const execution = await waitForExecution(c.sfn, executionArnOf('req-timeout'));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ApprovalTimedOutError');
    expect(execution.cause).toContain('within 72 hours');
    const history = await c.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executionArnOf('req-timeout'), maxResults: 1000 }),
    );
    expect(history.events?.some((e) => e.type === 'TaskTimedOut')).toBe(true);
    // the CLI says why it cannot approve any more
    const late = await decide('req-timeout', { approve: true }, approver).catch((e: CliError) => e);
    expect(late).toBeInstanceOf(CliError);
    expect((late as CliError).exitCode).toBe(1);
    expect(await accountsWithEmail(c.org, 'aws-late-prod@acme.example')).toEqual([]);
  }, 60_000);

  it('does not wait for an OU without approval', async () => {
    await request('ledger-dev', 'req-no-approval', 'Workloads/Dev');
    const execution = await waitForExecution(c.sfn, executionArnOf('req-no-approval'));
    expect([execution.status, execution.cause ?? null]).toEqual(['SUCCEEDED', null]);
    expect(JSON.parse(execution.output ?? '{}').approval).toBeUndefined();
  }, 60_000);
});

describe('vendguard approve of an unknown request', () => {
  it('is a usage error naming the command that lists pending ones (exit 2)', async () => {
    await expect(decide('req-nobody', { approve: true }, approver)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('vendguard approvals'),
    });
  });
});
