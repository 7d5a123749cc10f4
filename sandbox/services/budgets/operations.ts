import { pageAt } from '../../core/paging';
import type { OperationHandler, RequestContext, SandboxRuntime } from '../../core/types';
import {
  BUDGET_TYPES,
  type BudgetRecord,
  BudgetsError,
  budgetView,
  checkAccountId,
  checkBudgetName,
  checkNotification,
  checkSpend,
  checkSubscriberLimits,
  checkSubscribers,
  creationLimitExceeded,
  DEFAULT_COST_TYPES,
  DEFAULT_END_MS,
  defaultStartMs,
  duplicateRecord,
  Findings,
  getBudget,
  insertBudget,
  invalidNextToken,
  invalidParameter,
  listBudgets,
  MAX_NOTIFICATIONS,
  type NotificationRecord,
  notFound,
  removeBudget,
  sameNotification,
  saveBudget,
  TIME_UNITS,
  toNotification,
  toSubscribers,
} from './model';

/**
 * The Budgets operations, one function per API action: `CreateBudget` (with its notifications and
 * subscribers), `DescribeBudget`, `DescribeBudgets`, `DeleteBudget`, `CreateNotification`,
 * `DescribeNotificationsForBudget`, `DescribeSubscribersForNotification`. Every request names an
 * `AccountId`, which must be the caller's own (IAM refuses another account's budgets first, see
 * index.ts; the operations check it again).
 */

type Input = Record<string, unknown>;

/** The budget ARN IAM is asked about (`arn:aws:budgets::<account>:budget/<name>`). */
export const budgetArn = (accountId: string, name: string): string => `arn:aws:budgets::${accountId}:budget/${name}`;

/** `AccessDeniedException` for a request naming another account, in IAM's words. */
function otherAccount(ctx: RequestContext, action: string, resource: string): BudgetsError {
  return new BudgetsError(
    'AccessDeniedException',
    `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`,
  );
}

/** The validated `AccountId`, the caller's own. */
function ownAccount(input: Input, ctx: RequestContext, action: string, name?: string): string {
  const f = new Findings();
  checkAccountId(f, input.AccountId);
  if (name === undefined && input.BudgetName !== undefined) checkBudgetName(f, 'budgetName', input.BudgetName);
  f.throwIfAny();
  const accountId = input.AccountId as string;
  if (accountId !== ctx.principal.accountId) throw otherAccount(ctx, action, budgetArn(accountId, name ?? '*'));
  return accountId;
}

/** `MaxResults` within the operation's bounds. */
function maxResults(input: Input, max: number): number {
  const f = new Findings();
  f.number('maxResults', input.MaxResults, 1, max, true);
  f.throwIfAny();
  return (input.MaxResults as number | undefined) ?? 100;
}

function page<T>(items: readonly T[], input: Input, max: number): { page: T[]; NextToken?: string } {
  const token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined;
  const { page: p, next } = pageAt(items, token, maxResults(input, max), () => invalidNextToken());
  return next ? { page: p, NextToken: next } : { page: p };
}

export function budgetOperations(runtime: SandboxRuntime): Record<string, OperationHandler> {
  const budgetNotFound = (accountId: string, name: string, operation: string) =>
    notFound(
      `[Exception=NotFoundException] Failed to call ${operation} for [AccountId: ${accountId}] - Failed to call GetBudget for [AccountId: ${accountId}] - Unable to get budget: ${name} - the budget doesn't exist.`,
    );
  const existing = (accountId: string, name: string, operation: string): BudgetRecord => {
    const b = getBudget(runtime.store, accountId, name);
    if (!b) throw budgetNotFound(accountId, name, operation);
    return b;
  };
  const requiredName = (input: Input): string => {
    const f = new Findings();
    checkBudgetName(f, 'budgetName', input.BudgetName);
    f.throwIfAny();
    return input.BudgetName as string;
  };

  return {
    CreateBudget: (input, ctx) => {
      const f = new Findings();
      checkAccountId(f, input.AccountId);
      const budget = input.Budget;
      if (f.required('budget', budget) && (typeof budget !== 'object' || Array.isArray(budget))) {
        f.add('budget', budget, 'Member must be a structure');
      }
      const b = (budget ?? {}) as Input;
      checkBudgetName(f, 'budget.budgetName', b.BudgetName);
      if (f.required('budget.timeUnit', b.TimeUnit)) f.oneOf('budget.timeUnit', b.TimeUnit, TIME_UNITS);
      if (f.required('budget.budgetType', b.BudgetType)) f.oneOf('budget.budgetType', b.BudgetType, BUDGET_TYPES);
      checkSpend(f, 'budget.budgetLimit', b.BudgetLimit);
      const withSubscribers = Array.isArray(input.NotificationsWithSubscribers)
        ? input.NotificationsWithSubscribers
        : [];
      if (input.NotificationsWithSubscribers !== undefined && !Array.isArray(input.NotificationsWithSubscribers)) {
        f.add('notificationsWithSubscribers', input.NotificationsWithSubscribers, 'Member must be a list');
      }
      withSubscribers.forEach((n: unknown, i) => {
        const at = `notificationsWithSubscribers.${i + 1}.member`;
        const item = (n ?? {}) as Input;
        checkNotification(f, `${at}.notification`, item.Notification);
        checkSubscribers(f, `${at}.subscribers`, item.Subscribers);
      });
      f.throwIfAny();
      const name = b.BudgetName as string;
      const accountId = ownAccount(input, ctx, 'budgets:ModifyBudget', name);
      const limited = b.BudgetType === 'COST' || b.BudgetType === 'USAGE';
      if (
        limited &&
        b.BudgetLimit === undefined &&
        b.PlannedBudgetLimits === undefined &&
        b.AutoAdjustData === undefined
      ) {
        throw invalidParameter(
          'Unable to create/update budget - please provide one of the followings: Budget Limit/ Planned Budget Limit/ Auto Adjust Data',
        );
      }
      const now = runtime.clock.nowMs();
      const period = (b.TimePeriod ?? {}) as { Start?: unknown; End?: unknown };
      const seconds = (v: unknown): number | undefined => (typeof v === 'number' ? v * 1000 : undefined);
      const startMs = seconds(period.Start) ?? defaultStartMs(b.TimeUnit as string, now);
      const endMs = seconds(period.End) ?? DEFAULT_END_MS;
      if (startMs >= endMs) {
        throw invalidParameter(`The start date of budget ${name} must be before its end date.`);
      }
      if (withSubscribers.length > MAX_NOTIFICATIONS) throw creationLimitExceeded();
      const notifications: NotificationRecord[] = withSubscribers.map((n: unknown) => {
        const item = n as Input;
        const subscribers = toSubscribers(item.Subscribers as unknown[]);
        checkSubscriberLimits(subscribers);
        return { notification: toNotification(item.Notification as Input), subscribers };
      });
      const record: BudgetRecord = {
        accountId,
        BudgetName: name,
        BudgetType: b.BudgetType as string,
        TimeUnit: b.TimeUnit as string,
        ...(b.BudgetLimit ? { BudgetLimit: b.BudgetLimit as BudgetRecord['BudgetLimit'] } : {}),
        ...(b.PlannedBudgetLimits
          ? { PlannedBudgetLimits: b.PlannedBudgetLimits as BudgetRecord['PlannedBudgetLimits'] }
          : {}),
        ...(b.CostFilters ? { CostFilters: b.CostFilters as BudgetRecord['CostFilters'] } : {}),
        ...(b.BudgetType === 'COST'
          ? { CostTypes: { ...DEFAULT_COST_TYPES, ...((b.CostTypes as Record<string, boolean> | undefined) ?? {}) } }
          : {}),
        ...(b.AutoAdjustData ? { AutoAdjustData: b.AutoAdjustData as Record<string, unknown> } : {}),
        startMs,
        endMs,
        lastUpdatedMs: now,
        notifications,
        tags: Array.isArray(input.ResourceTags) ? (input.ResourceTags as { Key: string; Value: string }[]) : [],
      };
      if (!insertBudget(runtime.store, record)) {
        throw duplicateRecord(`Error creating budget: ${name} - the budget already exists.`);
      }
      return {};
    },

    DescribeBudget: (input, ctx) => {
      const name = requiredName(input);
      const accountId = ownAccount(input, ctx, 'budgets:ViewBudget', name);
      return { Budget: budgetView(existing(accountId, name, 'DescribeBudget')) };
    },

    DescribeBudgets: (input, ctx) => {
      const accountId = ownAccount(input, ctx, 'budgets:ViewBudget');
      const { page: budgets, NextToken } = page(listBudgets(runtime.store, accountId), input, 1000);
      return { Budgets: budgets.map(budgetView), ...(NextToken ? { NextToken } : {}) };
    },

    DeleteBudget: (input, ctx) => {
      const name = requiredName(input);
      const accountId = ownAccount(input, ctx, 'budgets:ModifyBudget', name);
      if (!removeBudget(runtime.store, accountId, name)) {
        throw notFound(`Unable to delete budget: ${name} - the budget doesn't exist. Try creating it first. `);
      }
      return {};
    },

    CreateNotification: (input, ctx) => {
      const name = requiredName(input);
      const f = new Findings();
      checkNotification(f, 'notification', input.Notification);
      checkSubscribers(f, 'subscribers', input.Subscribers);
      f.throwIfAny();
      const accountId = ownAccount(input, ctx, 'budgets:ModifyBudget', name);
      const budget = getBudget(runtime.store, accountId, name);
      if (!budget) throw notFound("Unable to create notification - the budget doesn't exist.");
      const notification = toNotification(input.Notification as Input);
      if (budget.notifications.some((n) => sameNotification(n.notification, notification))) {
        throw duplicateRecord(`Error creating notification: ${name} - the notification already exists.`);
      }
      if (budget.notifications.length >= MAX_NOTIFICATIONS) throw creationLimitExceeded();
      const subscribers = toSubscribers(input.Subscribers as unknown[]);
      checkSubscriberLimits(subscribers);
      saveBudget(runtime.store, {
        ...budget,
        notifications: [...budget.notifications, { notification, subscribers }],
      });
      return {};
    },

    DescribeNotificationsForBudget: (input, ctx) => {
      const name = requiredName(input);
      const accountId = ownAccount(input, ctx, 'budgets:ViewBudget', name);
      const budget = existing(accountId, name, 'DescribeNotificationsForBudget');
      const { page: notifications, NextToken } = page(budget.notifications, input, 100);
      return { Notifications: notifications.map((n) => n.notification), ...(NextToken ? { NextToken } : {}) };
    },

    DescribeSubscribersForNotification: (input, ctx) => {
      const name = requiredName(input);
      const f = new Findings();
      checkNotification(f, 'notification', input.Notification);
      f.throwIfAny();
      const accountId = ownAccount(input, ctx, 'budgets:ViewBudget', name);
      const budget = existing(accountId, name, 'DescribeSubscribersForNotification');
      const wanted = toNotification(input.Notification as Input);
      const found = budget.notifications.find((n) => sameNotification(n.notification, wanted));
      if (!found) throw notFound(`Unable to get notification for budget: ${name} - the notification doesn't exist.`);
      const { page: subscribers, NextToken } = page(found.subscribers, input, 100);
      return { Subscribers: subscribers, ...(NextToken ? { NextToken } : {}) };
    },
  };
}
