/**
 * Fidelity at the edge, through the real SDK v3: CloudTrail's Event history timestamps,
 * Organizations `LeaveOrganization`, Step Functions input validation and the PutEvents size limit,
 * each answered with AWS's own codes and messages. The same cases through the AWS CLI are in
 * edge-fidelity-cli.test.ts.
 */
import { CloudTrailClient, DescribeTrailsCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  ConstraintViolationException,
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  MasterCannotLeaveOrganizationException,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { MAX_PUT_EVENTS_BYTES } from '../../../sandbox/services/eventbridge';
import { MANAGEMENT_CANNOT_LEAVE_MESSAGE } from '../../../sandbox/services/organizations/membership';
import { moveToRoot, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
}, 30_000);
afterAll(() => sb?.stop());

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error & { name: string; Reason?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { name: string; Reason?: string },
  );
  if (!outcome) throw new Error('the call succeeded');
  return outcome;
}

describe('CloudTrail Event history', () => {
  it('answers LookupEvents with EventTime in whole seconds, the second of the event', async () => {
    const trail = sb.client(CloudTrailClient);
    const { Events = [] } = await trail.send(new LookupEventsCommand({ MaxResults: 5 }));
    expect(Events.length).toBeGreaterThan(0);
    for (const e of Events) {
      expect(e.EventTime).toBeInstanceOf(Date);
      expect(e.EventTime?.getTime()).toBe(Date.parse(JSON.parse(String(e.CloudTrailEvent)).eventTime));
    }
    const { trailList = [] } = await trail.send(new DescribeTrailsCommand({}));
    expect(trailList[0]?.Name).toBe('management-events');
  });
});

describe('LeaveOrganization', () => {
  it('refuses the management account with MasterCannotLeaveOrganizationException', async () => {
    const error = await failure(org.send(new LeaveOrganizationCommand({})));
    expect(error).toBeInstanceOf(MasterCannotLeaveOrganizationException);
    expect(error.message).toBe(MANAGEMENT_CANNOT_LEAVE_MESSAGE);
  });

  it('is denied by the deny-root-and-leave SCP to a member account under Infrastructure', async () => {
    const egress = sb.accountId('egress');
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: egress });
    const error = await failure(member.send(new LeaveOrganizationCommand({})));
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toContain('organizations:LeaveOrganization');
    expect(error.message).toContain('explicit deny in a service control policy');
    expect((await org.send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Id)).toContain(egress);
  });

  it('removes a member account the SCPs do not hold back: it is no longer listed and stands alone', async () => {
    const accountId = await moveToRoot(sb, 'eks-shared');
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId });
    await member.send(new LeaveOrganizationCommand({}));

    const listed = (await org.send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Id);
    expect(listed).not.toContain(accountId);
    expect(listed).toContain(sb.accountId('egress'));
    expect(await failure(org.send(new DescribeAccountCommand({ AccountId: accountId })))).toMatchObject({
      name: 'AccountNotFoundException',
    });
    const outside = await failure(member.send(new DescribeOrganizationCommand({})));
    expect(outside).toBeInstanceOf(AWSOrganizationsNotInUseException);
    expect(outside.message).toBe('Your account is not a member of an organization.');
    expect(await failure(member.send(new LeaveOrganizationCommand({})))).toBeInstanceOf(
      AWSOrganizationsNotInUseException,
    );
    const event = sb.runtime.recentTrail.findLast(
      (e) => e.detail.eventName === 'LeaveOrganization' && !e.detail.errorCode,
    );
    expect(event).toMatchObject({ account: accountId, region: 'us-east-1', detail: { recipientAccountId: accountId } });
  });

  it('refuses a delegated administrator with CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG', async () => {
    const accountId = await moveToRoot(sb, 'network');
    // AWS refuses a delegated administrator for a service without trusted access
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'guardduty.amazonaws.com' }));
    await org.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: 'guardduty.amazonaws.com' }),
    );
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId });
    const error = await failure(member.send(new LeaveOrganizationCommand({})));
    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect(error.Reason).toBe('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
  });

  it('refuses an account created less than four days ago with WAIT_PERIOD_ACTIVE', async () => {
    const created = await org.send(new CreateAccountCommand({ AccountName: 'fresh', Email: 'fresh@acme.example' }));
    let accountId: string | undefined;
    while (!accountId) {
      const s = (
        await org.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id }),
        )
      ).CreateAccountStatus;
      if (s?.State === 'FAILED') throw new Error(String(s.FailureReason));
      accountId = s?.AccountId;
      await new Promise((r) => setTimeout(r, 10));
    }
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId });
    const error = await failure(member.send(new LeaveOrganizationCommand({})));
    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect(error.Reason).toBe('WAIT_PERIOD_ACTIVE');
    expect((await org.send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Id)).toContain(accountId);
  });
});

describe('Step Functions ListExecutions and DescribeExecution', () => {
  const sfn = () => sb.client(SFNClient);
  const stateMachineArn = async () =>
    (await sfn().send(new ListStateMachinesCommand({}))).stateMachines?.[0]?.stateMachineArn as string;

  it('refuses a statusFilter outside the enum and maxResults outside 0..1000 with ValidationException', async () => {
    const arn = await stateMachineArn();
    const status = await failure(
      sfn().send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'DONE' as ExecutionStatus })),
    );
    expect(status.name).toBe('ValidationException');
    expect(status.message).toBe(
      "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    const tooMany = await failure(sfn().send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1001 })));
    expect(tooMany.message).toBe(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    const negative = await failure(sfn().send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: -1 })));
    expect(negative.name).toBe('ValidationException');
  });

  it('answers InvalidArn for a malformed ARN and StateMachineDoesNotExist for an unknown one', async () => {
    const malformed = await failure(sfn().send(new ListExecutionsCommand({ stateMachineArn: 'not-an-arn' })));
    expect(malformed).toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
    const unknown = `${await stateMachineArn()}-gone`;
    const missing = await failure(sfn().send(new ListExecutionsCommand({ stateMachineArn: unknown })));
    expect(missing).toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${unknown}'`,
    });
    const execution = await failure(sfn().send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })));
    expect(execution).toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
  });
});

describe('PutEvents request size', () => {
  const entry = (bytes: number) => ({
    Source: 'vendguard.edge',
    DetailType: 'Size',
    Detail: JSON.stringify({ pad: 'x'.repeat(bytes - 'vendguard.edge'.length - 'Size'.length - '{"pad":""}'.length) }),
    EventBusName: 'vendguard',
  });

  it('accepts 1 MB of entries and refuses the whole request one byte over', async () => {
    const events = sb.client(EventBridgeClient);
    const half = MAX_PUT_EVENTS_BYTES / 2;
    const ok = await events.send(new PutEventsCommand({ Entries: [entry(half), entry(half)] }));
    expect(ok.FailedEntryCount).toBe(0);
    const over = await failure(events.send(new PutEventsCommand({ Entries: [entry(half), entry(half + 1)] })));
    expect(over).toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
