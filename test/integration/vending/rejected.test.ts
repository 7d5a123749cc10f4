import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { OutboxMessage } from '../../../sandbox/slack-outbox';
import { waitForAlert } from '../../helpers/alerts';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { putRequest } from './harness';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb?.stop());

const STATE_MACHINE = 'arn:aws:states:eu-west-1:100000000001:stateMachine:vendguard-account-vending';

/** Polls the Slack outbox until an alert matches, or fails after `timeoutMs` of real time. */
function alertMatching(match: (a: OutboxMessage) => boolean): Promise<OutboxMessage> {
  return waitForAlert(sb.endpoint, match, 'the rejection in the Slack outbox');
}

describe('a malformed account request on the bus', () => {
  it('ends as a rejection in the vending channel naming every field and reason, and starts no execution', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const accountsBefore = (await org.send(new ListAccountsCommand({}))).Accounts?.length;
    const eventId = await putRequest(sb.client(EventBridgeClient), {
      name: 'payments-prod',
      email: 'aws-payments-prod@acme',
      ou: 'Workloads/Prod/',
      owner: 'team-payments',
      environment: 'production',
      requestId: 'req-rejected-0001',
    });

    const alert = await alertMatching((a) => a.kind === 'request-rejected');
    expect(alert.channel).toBe('#account-vending');
    const lines = alert.rendered.split('\n');
    expect(lines[0]).toBe('🚫 Account request rejected: payments-prod');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Request: req-rejected-0001',
        'Email: aws-payments-prod@acme',
        'Sent from account: 100000000001',
        `Request event: ${eventId}`,
        '• email: must be an email address',
        '• ou: must be an OU path like Workloads/Prod',
        '• environment: must be one of prod, staging, dev, sandbox',
      ]),
    );

    const executions = await sb.client(SFNClient).send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }));
    expect(executions.executions ?? []).toEqual([]);
    expect((await org.send(new ListAccountsCommand({}))).Accounts?.length).toBe(accountsBefore);
  }, 30_000);

  it("refuses a member account's request at the bus, and names every missing field of a detail that is not a request", async () => {
    // a member account may put on the hub bus only through its forwarding role: its administrator is refused
    const network = sb.accountId('network');
    await expect(
      putRequest(sb.client(EventBridgeClient, { accountId: network }), { name: 'payments-prod' }),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no resource-based policy allows the events:PutEvents action'),
    });
    // PutEvents itself refuses a detail that is not a JSON object (MalformedDetail), so the worst a
    // sender can do is an object of another shape.
    const eventId = await putRequest(sb.client(EventBridgeClient), { account: 'payments-dev' });

    const alert = await alertMatching((a) => a.kind === 'request-rejected' && a.rendered.includes(eventId));
    expect(alert.rendered.split('\n')[0]).toBe('🚫 Account request rejected: unreadable request');
    expect(alert.rendered).toContain(`Sent from account: ${sb.runtime.managementAccountId}`);
    for (const field of ['name', 'email', 'ou', 'owner', 'environment'])
      expect(alert.rendered).toContain(`• ${field}: `);
    expect(alert.rendered).toContain('• (the request): Unrecognized key: "account"');
    const executions = await sb.client(SFNClient).send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }));
    expect(executions.executions ?? []).toEqual([]);
  }, 30_000);
});
