import {
  BudgetsClient,
  CreateBudgetCommand,
  type CreateBudgetCommandInput,
  CreateNotificationCommand,
  CreationLimitExceededException,
  DeleteBudgetCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  DuplicateRecordException,
  InvalidNextTokenException,
  InvalidParameterException,
  NotFoundException,
  type Notification,
} from '@aws-sdk/client-budgets';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * AWS Budgets through `@aws-sdk/client-budgets` (awsJson1_1, `AWSBudgetServiceGateway`): budgets of
 * the caller's own account with their notifications and subscribers, the refusals the API reference
 * documents, IAM's `budgets:ModifyBudget`/`budgets:ViewBudget`, CloudTrail in us-east-1 and faults.
 */

let sb: TestSandbox;
let budgets: BudgetsClient;
let mgmt: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  // the SDK signs for the client's Region; the home Region proves the service is global
  budgets = sb.client(BudgetsClient);
  mgmt = sb.runtime.managementAccountId;
}, 60_000);
afterAll(() => sb.stop());

const rejection = (p: Promise<unknown>): Promise<Error & Record<string, unknown>> =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: Error & Record<string, unknown>) => e,
  );

const ACTUAL_80: Notification = {
  NotificationType: 'ACTUAL',
  ComparisonOperator: 'GREATER_THAN',
  Threshold: 80,
  ThresholdType: 'PERCENTAGE',
};

const monthly = (name: string, extra: Partial<CreateBudgetCommandInput> = {}): CreateBudgetCommandInput => ({
  AccountId: mgmt,
  Budget: { BudgetName: name, BudgetLimit: { Amount: '100', Unit: 'USD' }, TimeUnit: 'MONTHLY', BudgetType: 'COST' },
  ...extra,
});

describe('budgets', () => {
  it('creates a monthly cost budget with its notification and subscribers, and describes it', async () => {
    await budgets.send(
      new CreateBudgetCommand(
        monthly('team-monthly', {
          NotificationsWithSubscribers: [
            {
              Notification: ACTUAL_80,
              Subscribers: [
                { SubscriptionType: 'EMAIL', Address: 'finops@acme.example' },
                { SubscriptionType: 'SNS', Address: `arn:aws:sns:us-east-1:${mgmt}:budget-alerts` },
              ],
            },
          ],
        }),
      ),
    );
    const { Budget } = await budgets.send(new DescribeBudgetCommand({ AccountId: mgmt, BudgetName: 'team-monthly' }));
    const now = new Date(sb.runtime.clock.nowMs());
    expect(Budget).toMatchObject({
      BudgetName: 'team-monthly',
      BudgetLimit: { Amount: '100', Unit: 'USD' },
      TimeUnit: 'MONTHLY',
      BudgetType: 'COST',
      CalculatedSpend: { ActualSpend: { Amount: '0', Unit: 'USD' } },
      CostTypes: { IncludeTax: true, IncludeCredit: true, UseBlended: false, UseAmortized: false },
      TimePeriod: {
        Start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
        End: new Date(Date.UTC(2087, 5, 15)),
      },
    });
    const notes = await budgets.send(
      new DescribeNotificationsForBudgetCommand({ AccountId: mgmt, BudgetName: 'team-monthly' }),
    );
    expect(notes.Notifications).toEqual([ACTUAL_80]);
    const subs = await budgets.send(
      new DescribeSubscribersForNotificationCommand({
        AccountId: mgmt,
        BudgetName: 'team-monthly',
        Notification: ACTUAL_80,
      }),
    );
    expect(subs.Subscribers?.map((s) => s.SubscriptionType)).toEqual(['EMAIL', 'SNS']);
  });

  it('lists the account budgets, a page at a time', async () => {
    await budgets.send(new CreateBudgetCommand(monthly('team-second')));
    const first = await budgets.send(new DescribeBudgetsCommand({ AccountId: mgmt, MaxResults: 1 }));
    expect(first.Budgets?.map((b) => b.BudgetName)).toEqual(['team-monthly']);
    expect(first.NextToken).toBeDefined();
    const second = await budgets.send(
      new DescribeBudgetsCommand({ AccountId: mgmt, MaxResults: 1, NextToken: first.NextToken }),
    );
    expect(second.Budgets?.map((b) => b.BudgetName)).toEqual(['team-second']);
    expect(second.NextToken).toBeUndefined();
    const err = await rejection(budgets.send(new DescribeBudgetsCommand({ AccountId: mgmt, NextToken: 'bogus' })));
    expect(err).toBeInstanceOf(InvalidNextTokenException);
  });

  it('refuses a second budget of the same name with DuplicateRecordException', async () => {
    const err = await rejection(budgets.send(new CreateBudgetCommand(monthly('team-monthly'))));
    expect(err).toBeInstanceOf(DuplicateRecordException);
    expect(err.message).toBe('Error creating budget: team-monthly - the budget already exists.');
  });

  it('refuses a cost budget without a limit with InvalidParameterException', async () => {
    const err = await rejection(
      budgets.send(
        new CreateBudgetCommand({
          AccountId: mgmt,
          Budget: { BudgetName: 'no-limit', TimeUnit: 'MONTHLY', BudgetType: 'COST' },
        }),
      ),
    );
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('refuses malformed members with ValidationException', async () => {
    const err = await rejection(
      budgets.send(
        new CreateBudgetCommand({
          AccountId: '12345',
          Budget: {
            BudgetName: 'bad:name',
            TimeUnit: 'WEEKLY' as 'MONTHLY',
            BudgetType: 'COST',
            BudgetLimit: { Amount: 'ten', Unit: 'USD' },
          },
        }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/^4 validation errors detected: /);
    expect(err.message).toContain("Value '12345' at 'accountId' failed to satisfy constraint");
    expect(err.message).toContain(
      "Value 'WEEKLY' at 'budget.timeUnit' failed to satisfy constraint: Member must satisfy enum value set",
    );
  });

  it('answers NotFoundException for a budget that does not exist', async () => {
    const described = await rejection(budgets.send(new DescribeBudgetCommand({ AccountId: mgmt, BudgetName: 'nope' })));
    expect(described).toBeInstanceOf(NotFoundException);
    expect(described.message).toBe(
      `[Exception=NotFoundException] Failed to call DescribeBudget for [AccountId: ${mgmt}] - Failed to call GetBudget for [AccountId: ${mgmt}] - Unable to get budget: nope - the budget doesn't exist.`,
    );
    for (const call of [
      new DeleteBudgetCommand({ AccountId: mgmt, BudgetName: 'nope' }),
      new CreateNotificationCommand({
        AccountId: mgmt,
        BudgetName: 'nope',
        Notification: ACTUAL_80,
        Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'a@acme.example' }],
      }),
      new DescribeNotificationsForBudgetCommand({ AccountId: mgmt, BudgetName: 'nope' }),
    ]) {
      expect(await rejection(budgets.send(call as DeleteBudgetCommand))).toBeInstanceOf(NotFoundException);
    }
  });

  it('deletes a budget', async () => {
    await budgets.send(new DeleteBudgetCommand({ AccountId: mgmt, BudgetName: 'team-second' }));
    const err = await rejection(
      budgets.send(new DescribeBudgetCommand({ AccountId: mgmt, BudgetName: 'team-second' })),
    );
    expect(err).toBeInstanceOf(NotFoundException);
  });
});

describe('notifications', () => {
  const forecast = (threshold: number): Notification => ({
    NotificationType: 'FORECASTED',
    ComparisonOperator: 'GREATER_THAN',
    Threshold: threshold,
  });
  const email = [{ SubscriptionType: 'EMAIL' as const, Address: 'finops@acme.example' }];

  it('adds a notification; the same one again is DuplicateRecordException; a sixth is CreationLimitExceededException', async () => {
    await budgets.send(
      new CreateNotificationCommand({
        AccountId: mgmt,
        BudgetName: 'team-monthly',
        Notification: forecast(100),
        Subscribers: email,
      }),
    );
    const dup = await rejection(
      budgets.send(
        new CreateNotificationCommand({
          AccountId: mgmt,
          BudgetName: 'team-monthly',
          Notification: forecast(100),
          Subscribers: email,
        }),
      ),
    );
    expect(dup).toBeInstanceOf(DuplicateRecordException);
    for (const t of [110, 120, 130]) {
      await budgets.send(
        new CreateNotificationCommand({
          AccountId: mgmt,
          BudgetName: 'team-monthly',
          Notification: forecast(t),
          Subscribers: email,
        }),
      );
    }
    const notes = await budgets.send(
      new DescribeNotificationsForBudgetCommand({ AccountId: mgmt, BudgetName: 'team-monthly' }),
    );
    expect(notes.Notifications).toHaveLength(5);
    const sixth = await rejection(
      budgets.send(
        new CreateNotificationCommand({
          AccountId: mgmt,
          BudgetName: 'team-monthly',
          Notification: forecast(140),
          Subscribers: email,
        }),
      ),
    );
    expect(sixth).toBeInstanceOf(CreationLimitExceededException);
  });

  it('refuses two SNS subscribers on one notification with CreationLimitExceededException', async () => {
    const err = await rejection(
      budgets.send(
        new CreateBudgetCommand(
          monthly('two-topics', {
            NotificationsWithSubscribers: [
              {
                Notification: ACTUAL_80,
                Subscribers: [
                  { SubscriptionType: 'SNS', Address: `arn:aws:sns:us-east-1:${mgmt}:a` },
                  { SubscriptionType: 'SNS', Address: `arn:aws:sns:us-east-1:${mgmt}:b` },
                ],
              },
            ],
          }),
        ),
      ),
    );
    expect(err).toBeInstanceOf(CreationLimitExceededException);
    expect(
      await rejection(budgets.send(new DescribeBudgetCommand({ AccountId: mgmt, BudgetName: 'two-topics' }))),
    ).toBeInstanceOf(NotFoundException);
  });

  it('answers NotFoundException for subscribers of a notification the budget does not have', async () => {
    const err = await rejection(
      budgets.send(
        new DescribeSubscribersForNotificationCommand({
          AccountId: mgmt,
          BudgetName: 'team-monthly',
          Notification: forecast(999),
        }),
      ),
    );
    expect(err).toBeInstanceOf(NotFoundException);
  });
});

describe('whose budgets', () => {
  it("refuses another account's AccountId with AccessDeniedException, and records the denial", async () => {
    const other = sb.accountId('network');
    const err = await rejection(budgets.send(new CreateBudgetCommand(monthly('elsewhere', { AccountId: other }))));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: arn:aws:iam::${mgmt}:user/sandbox-admin is not authorized to perform: budgets:ModifyBudget on resource: arn:aws:budgets::${other}:budget/elsewhere because no resource-based policy allows the budgets:ModifyBudget action`,
    );
    const read = await rejection(budgets.send(new DescribeBudgetsCommand({ AccountId: other })));
    expect(read.name).toBe('AccessDeniedException');
    const denied = sb.runtime.recentTrail.filter(
      (e) => e.detail.eventName === 'DescribeBudgets' && e.detail.errorCode === 'AccessDeniedException',
    );
    expect(denied).toHaveLength(1);
  });

  it('keeps each account its own budgets', async () => {
    const id = sb.accountId('network');
    const member = sb.client(BudgetsClient, { accountId: id });
    await member.send(new CreateBudgetCommand(monthly('team-monthly', { AccountId: id })));
    const own = await member.send(new DescribeBudgetsCommand({ AccountId: id }));
    expect(own.Budgets?.map((b) => b.BudgetName)).toEqual(['team-monthly']);
    const mine = await budgets.send(new DescribeBudgetsCommand({ AccountId: mgmt }));
    expect(mine.Budgets?.map((b) => b.BudgetName)).toEqual(['team-monthly']);
    expect(mine.Budgets?.[0]?.BudgetLimit?.Amount).toBe('100');
  });

  it('asks IAM for budgets:ModifyBudget: a role that may only view is refused CreateBudget', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'budget-viewer',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'budget-viewer',
        PolicyName: 'view',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'budgets:ViewBudget', Resource: `arn:aws:budgets::${mgmt}:budget/*` }],
        }),
      }),
    );
    const viewer = sb.client(BudgetsClient, { accountId: mgmt, role: 'budget-viewer' });
    expect((await viewer.send(new DescribeBudgetsCommand({ AccountId: mgmt }))).Budgets).toHaveLength(1);
    const err = await rejection(viewer.send(new CreateBudgetCommand(monthly('viewer-made'))));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('because no identity-based policy allows the budgets:ModifyBudget action');
  });
});

describe('CloudTrail and faults', () => {
  it('records CreateBudget in us-east-1 whatever Region the client signs for, and not the reads', async () => {
    const before = sb.runtime.recentTrail.length;
    await budgets.send(new CreateBudgetCommand(monthly('traced')));
    await budgets.send(new DescribeBudgetCommand({ AccountId: mgmt, BudgetName: 'traced' }));
    const events = sb.runtime.recentTrail.slice(before).filter((e) => e.source === 'aws.budgets');
    expect(events.map((e) => e.detail.eventName)).toEqual(['CreateBudget']);
    expect(events[0]).toMatchObject({
      region: 'us-east-1',
      detail: {
        eventSource: 'budgets.amazonaws.com',
        awsRegion: 'us-east-1',
        requestParameters: { accountId: mgmt, budget: { budgetName: 'traced', timeUnit: 'MONTHLY' } },
      },
    });
  });

  it('throttles with an injected fault as ThrottlingException', async () => {
    sb.runtime.faults.add({ service: 'budgets', operation: 'DescribeBudgets', error: 'throttle', count: 1 });
    const err = await rejection(budgets.send(new DescribeBudgetsCommand({ AccountId: mgmt })));
    expect(err.name).toBe('ThrottlingException');
  });
});
