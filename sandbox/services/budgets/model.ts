import { AwsServiceError, type Store } from '../../core/types';

/**
 * AWS Budgets' state: budgets per account (a global service: no Region), each with its notifications
 * and their subscribers. Store ids `<account id>/<budget name>`. The errors carry the Budgets API's
 * codes (awsJson1_1, HTTP 400); input constraints are the API reference's (`Budget`, `Notification`,
 * `Subscriber`, `Spend`).
 */

export const BUDGETS_TABLES = { budgets: 'budgets.budgets' } as const;

export const TIME_UNITS = ['DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY', 'CUSTOM'] as const;
export const BUDGET_TYPES = [
  'USAGE',
  'COST',
  'RI_UTILIZATION',
  'RI_COVERAGE',
  'SAVINGS_PLANS_UTILIZATION',
  'SAVINGS_PLANS_COVERAGE',
] as const;
export const NOTIFICATION_TYPES = ['ACTUAL', 'FORECASTED'] as const;
export const COMPARISON_OPERATORS = ['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO'] as const;
export const THRESHOLD_TYPES = ['PERCENTAGE', 'ABSOLUTE_VALUE'] as const;
export const SUBSCRIPTION_TYPES = ['SNS', 'EMAIL'] as const;

/** "A budget can have up to five notifications, and each notification can have one SNS subscriber and up to 10 email subscribers." */
export const MAX_NOTIFICATIONS = 5;
export const MAX_SNS_SUBSCRIBERS = 1;
export const MAX_EMAIL_SUBSCRIBERS = 10;

/** The end date AWS gives a budget without one: 06/15/87 00:00 UTC. */
export const DEFAULT_END_MS = Date.UTC(2087, 5, 15);

export interface Spend {
  readonly Amount: string;
  readonly Unit: string;
}

export interface NotificationShape {
  readonly NotificationType: string;
  readonly ComparisonOperator: string;
  readonly Threshold: number;
  readonly ThresholdType?: string;
}

export interface SubscriberShape {
  readonly SubscriptionType: string;
  readonly Address: string;
}

export interface NotificationRecord {
  readonly notification: NotificationShape;
  subscribers: SubscriberShape[];
}

export interface BudgetRecord {
  readonly accountId: string;
  readonly BudgetName: string;
  readonly BudgetType: string;
  readonly TimeUnit: string;
  readonly BudgetLimit?: Spend;
  readonly PlannedBudgetLimits?: Readonly<Record<string, Spend>>;
  readonly CostFilters?: Readonly<Record<string, readonly string[]>>;
  readonly CostTypes?: Readonly<Record<string, boolean>>;
  readonly AutoAdjustData?: Readonly<Record<string, unknown>>;
  readonly startMs: number;
  readonly endMs: number;
  readonly lastUpdatedMs: number;
  readonly notifications: NotificationRecord[];
  readonly tags: readonly { Key: string; Value: string }[];
}

/** A Budgets error (awsJson1_1: `__type` and HTTP 400). */
export class BudgetsError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 400 });
    this.name = code;
  }
}

export const invalidParameter = (message: string): BudgetsError =>
  new BudgetsError('InvalidParameterException', message);
export const notFound = (message: string): BudgetsError => new BudgetsError('NotFoundException', message);
export const duplicateRecord = (message: string): BudgetsError => new BudgetsError('DuplicateRecordException', message);
export const creationLimitExceeded = (): BudgetsError =>
  new BudgetsError('CreationLimitExceededException', "You've exceeded the notification or subscriber limit.");
export const invalidNextToken = (): BudgetsError =>
  new BudgetsError('InvalidNextTokenException', 'The pagination token is invalid.');

/**
 * Collects the input's constraint violations and reports them as the service framework does:
 * `ValidationException` "1 validation error detected: Value 'x' at 'budget.timeUnit' failed to
 * satisfy constraint: Member must satisfy enum value set: [...]" (every finding, `; `-separated).
 */
export class Findings {
  private readonly list: string[] = [];

  add(path: string, value: unknown, constraint: string): void {
    const shown =
      value === undefined || value === null
        ? 'null'
        : `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
    const at = value === undefined || value === null ? `Value null at '${path}'` : `Value ${shown} at '${path}'`;
    this.list.push(`${at} failed to satisfy constraint: ${constraint}`);
  }

  /** A required member. */
  required(path: string, value: unknown): boolean {
    if (value === undefined || value === null) {
      this.add(path, value, 'Member must not be null');
      return false;
    }
    return true;
  }

  /** A string member: type, length, pattern. */
  string(
    path: string,
    value: unknown,
    c: { min?: number; max?: number; pattern?: RegExp; patternText?: string },
  ): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') {
      this.add(path, value, 'Member must be a string');
      return;
    }
    if (c.min !== undefined && value.length < c.min)
      this.add(path, value, `Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && value.length > c.max)
      this.add(path, value, `Member must have length less than or equal to ${c.max}`);
    if (c.pattern && !c.pattern.test(value)) {
      this.add(path, value, `Member must satisfy regular expression pattern: ${c.patternText ?? c.pattern.source}`);
    }
  }

  /** An enum member. */
  oneOf(path: string, value: unknown, values: readonly string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !values.includes(value)) {
      this.add(path, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
  }

  /** An integer or double member within bounds. */
  number(path: string, value: unknown, min: number, max: number, integer = false): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value))) {
      this.add(path, value, `Member must be ${integer ? 'an integer' : 'a number'}`);
      return;
    }
    if (value < min) this.add(path, value, `Member must have value greater than or equal to ${min}`);
    if (value > max) this.add(path, value, `Member must have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const n = this.list.length;
    throw new BudgetsError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.list.join('; ')}`,
    );
  }
}

/** `AccountId`: "Fixed length of 12", pattern `\d{12}`. */
export function checkAccountId(f: Findings, value: unknown): void {
  if (f.required('accountId', value)) f.string('accountId', value, { pattern: /^\d{12}$/, patternText: '\\d{12}' });
}

const BUDGET_NAME_TEXT = '^(?![^:\\\\]*/action/|(?i).*<script>.*</script>.*)[^:\\\\]+$';

/** `BudgetName`: 1–100 characters, no `:` or `\`, no `/action/`, no `<script>…</script>`. */
export function checkBudgetName(f: Findings, path: string, value: unknown): void {
  if (!f.required(path, value)) return;
  f.string(path, value, { min: 1, max: 100 });
  if (
    typeof value === 'string' &&
    (/[:\\]/.test(value) || value.includes('/action/') || /<script>.*<\/script>/i.test(value) || value === '')
  ) {
    f.add(path, value, `Member must satisfy regular expression pattern: ${BUDGET_NAME_TEXT}`);
  }
}

/** `Spend`: `Amount` a decimal number (`([0-9]*\.)?[0-9]+`), `Unit` non-empty. */
export function checkSpend(f: Findings, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    f.add(path, value, 'Member must be a structure');
    return;
  }
  const spend = value as Record<string, unknown>;
  if (f.required(`${path}.amount`, spend.Amount)) {
    f.string(`${path}.amount`, spend.Amount, {
      min: 1,
      pattern: /^([0-9]*\.)?[0-9]+$/,
      patternText: '([0-9]*\\.)?[0-9]+',
    });
  }
  if (f.required(`${path}.unit`, spend.Unit)) f.string(`${path}.unit`, spend.Unit, { min: 1 });
}

/** `Notification`: type, operator, threshold (0–15,000,000,000), optional threshold type and state. */
export function checkNotification(f: Findings, path: string, value: unknown): void {
  if (!f.required(path, value)) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    f.add(path, value, 'Member must be a structure');
    return;
  }
  const n = value as Record<string, unknown>;
  if (f.required(`${path}.notificationType`, n.NotificationType)) {
    f.oneOf(`${path}.notificationType`, n.NotificationType, NOTIFICATION_TYPES);
  }
  if (f.required(`${path}.comparisonOperator`, n.ComparisonOperator)) {
    f.oneOf(`${path}.comparisonOperator`, n.ComparisonOperator, COMPARISON_OPERATORS);
  }
  if (f.required(`${path}.threshold`, n.Threshold)) f.number(`${path}.threshold`, n.Threshold, 0, 15_000_000_000);
  f.oneOf(`${path}.thresholdType`, n.ThresholdType, THRESHOLD_TYPES);
  f.oneOf(`${path}.notificationState`, n.NotificationState, ['OK', 'ALARM']);
}

/** `Subscribers`: 1–11 subscribers, each a type and an address without line breaks. */
export function checkSubscribers(f: Findings, path: string, value: unknown): void {
  if (!f.required(path, value)) return;
  if (!Array.isArray(value)) {
    f.add(path, value, 'Member must be a list');
    return;
  }
  if (value.length < 1) f.add(path, value, 'Member must have length greater than or equal to 1');
  if (value.length > 11) f.add(path, value, 'Member must have length less than or equal to 11');
  value.forEach((s: unknown, i) => {
    const at = `${path}.${i + 1}.member`;
    if (typeof s !== 'object' || s === null) {
      f.add(at, s, 'Member must be a structure');
      return;
    }
    const sub = s as Record<string, unknown>;
    if (f.required(`${at}.subscriptionType`, sub.SubscriptionType)) {
      f.oneOf(`${at}.subscriptionType`, sub.SubscriptionType, SUBSCRIPTION_TYPES);
    }
    if (f.required(`${at}.address`, sub.Address)) {
      f.string(`${at}.address`, sub.Address, { min: 1, pattern: /^[^\n\r]+$/, patternText: '(.*[\\n\\r\\t\\f\\ ]?)*' });
    }
  });
}

/** The notification as stored and returned (no `NotificationState`: the sandbox has no spend). */
export function toNotification(n: Record<string, unknown>): NotificationShape {
  return {
    NotificationType: n.NotificationType as string,
    ComparisonOperator: n.ComparisonOperator as string,
    Threshold: n.Threshold as number,
    ...(typeof n.ThresholdType === 'string' ? { ThresholdType: n.ThresholdType } : {}),
  };
}

export const toSubscribers = (list: unknown[]): SubscriberShape[] =>
  list.map((s) => {
    const sub = s as Record<string, unknown>;
    return { SubscriptionType: sub.SubscriptionType as string, Address: sub.Address as string };
  });

/** Whether two notifications are the same one (a missing threshold type is `PERCENTAGE`). */
export function sameNotification(a: NotificationShape, b: NotificationShape): boolean {
  return (
    a.NotificationType === b.NotificationType &&
    a.ComparisonOperator === b.ComparisonOperator &&
    a.Threshold === b.Threshold &&
    (a.ThresholdType ?? 'PERCENTAGE') === (b.ThresholdType ?? 'PERCENTAGE')
  );
}

/** The subscriber limits of one notification (one SNS topic, ten email addresses): `CreationLimitExceededException`. */
export function checkSubscriberLimits(subscribers: readonly SubscriberShape[]): void {
  const sns = subscribers.filter((s) => s.SubscriptionType === 'SNS').length;
  const email = subscribers.filter((s) => s.SubscriptionType === 'EMAIL').length;
  if (sns > MAX_SNS_SUBSCRIBERS || email > MAX_EMAIL_SUBSCRIBERS) throw creationLimitExceeded();
}

const key = (accountId: string, name: string): string => `${accountId}/${name}`;

export function getBudget(store: Store, accountId: string, name: string): BudgetRecord | undefined {
  return store.get<BudgetRecord>(BUDGETS_TABLES.budgets, key(accountId, name));
}

export function listBudgets(store: Store, accountId: string): BudgetRecord[] {
  return store.list<BudgetRecord>(BUDGETS_TABLES.budgets, `${accountId}/`);
}

export function saveBudget(store: Store, budget: BudgetRecord): void {
  store.put<BudgetRecord>(BUDGETS_TABLES.budgets, key(budget.accountId, budget.BudgetName), budget);
}

/** Inserts a new budget; false when the account has one of that name. */
export function insertBudget(store: Store, budget: BudgetRecord): boolean {
  return store.insert<BudgetRecord>(BUDGETS_TABLES.budgets, key(budget.accountId, budget.BudgetName), budget);
}

export function removeBudget(store: Store, accountId: string, name: string): boolean {
  return store.delete(BUDGETS_TABLES.budgets, key(accountId, name));
}

/**
 * The start AWS gives a budget without one: the start of its period in UTC (the day for `DAILY` and
 * `CUSTOM`, the month, the quarter, the year).
 */
export function defaultStartMs(timeUnit: string, nowMs: number): number {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (timeUnit) {
    case 'MONTHLY':
      return Date.UTC(y, m, 1);
    case 'QUARTERLY':
      return Date.UTC(y, m - (m % 3), 1);
    case 'ANNUALLY':
      return Date.UTC(y, 0, 1);
    default:
      return Date.UTC(y, m, d.getUTCDate());
  }
}

/** "The default value is true" for every `CostTypes` member but `UseBlended` and `UseAmortized` (API reference). */
export const DEFAULT_COST_TYPES: Readonly<Record<string, boolean>> = {
  IncludeTax: true,
  IncludeSubscription: true,
  UseBlended: false,
  IncludeRefund: true,
  IncludeCredit: true,
  IncludeUpfront: true,
  IncludeRecurring: true,
  IncludeOtherSubscription: true,
  IncludeSupport: true,
  IncludeDiscount: true,
  UseAmortized: false,
};

/** A budget as `DescribeBudget`/`DescribeBudgets` return it (no spend: the sandbox bills nothing). */
export function budgetView(b: BudgetRecord): Record<string, unknown> {
  const unit = b.BudgetLimit?.Unit ?? Object.values(b.PlannedBudgetLimits ?? {})[0]?.Unit ?? 'USD';
  return {
    BudgetName: b.BudgetName,
    ...(b.BudgetLimit ? { BudgetLimit: b.BudgetLimit } : {}),
    ...(b.PlannedBudgetLimits ? { PlannedBudgetLimits: b.PlannedBudgetLimits } : {}),
    ...(b.CostFilters ? { CostFilters: b.CostFilters } : {}),
    ...(b.CostTypes ? { CostTypes: b.CostTypes } : {}),
    TimeUnit: b.TimeUnit,
    TimePeriod: { Start: new Date(b.startMs), End: new Date(b.endMs) },
    CalculatedSpend: { ActualSpend: { Amount: '0', Unit: unit } },
    BudgetType: b.BudgetType,
    LastUpdatedTime: new Date(b.lastUpdatedMs),
    ...(b.AutoAdjustData ? { AutoAdjustData: b.AutoAdjustData } : {}),
  };
}
