import type { AuthorizationDetails, SandboxRuntime, ServiceDefinition } from '../../core/types';
import { budgetArn, budgetOperations } from './operations';

export { BUDGETS_TABLES, type BudgetRecord, getBudget } from './model';

/**
 * What IAM is asked for each Budgets call (Service Authorization Reference, "AWS Budget Service"):
 * the writes are `budgets:ModifyBudget`, the reads `budgets:ViewBudget`, on the budget's ARN
 * (`arn:aws:budgets::<AccountId>:budget/<BudgetName>`, `budget/*` for `DescribeBudgets`). The budget
 * belongs to the request's `AccountId`: another account's budget is a cross-account call no resource
 * policy allows, so the policy evaluator refuses it (`AccessDeniedException`).
 */
const ACTIONS: Readonly<Record<string, string>> = {
  CreateBudget: 'budgets:ModifyBudget',
  DeleteBudget: 'budgets:ModifyBudget',
  CreateNotification: 'budgets:ModifyBudget',
  DescribeBudget: 'budgets:ViewBudget',
  DescribeBudgets: 'budgets:ViewBudget',
  DescribeNotificationsForBudget: 'budgets:ViewBudget',
  DescribeSubscribersForNotification: 'budgets:ViewBudget',
};

function authorization(operation: string, input: Record<string, unknown>): AuthorizationDetails {
  const action = ACTIONS[operation];
  const accountId =
    typeof input.AccountId === 'string' && /^\d{12}$/.test(input.AccountId) ? input.AccountId : undefined;
  const budget = input.Budget as { BudgetName?: unknown } | undefined;
  const name = operation === 'CreateBudget' ? budget?.BudgetName : input.BudgetName;
  return {
    ...(action ? { action } : {}),
    ...(accountId
      ? {
          resources: [budgetArn(accountId, typeof name === 'string' && operation !== 'DescribeBudgets' ? name : '*')],
          resourceAccountId: accountId,
        }
      : {}),
  };
}

/**
 * AWS Budgets (awsJson1_1, target `AWSBudgetServiceGateway`, SigV4 signing name `budgets`, a global
 * service whose endpoint is us-east-1): cost and usage budgets of the caller's own account with their
 * notifications and subscribers. Budgets track no spend in the sandbox (`ActualSpend` is 0). CloudTrail
 * records the writes (eventSource `budgets.amazonaws.com`, us-east-1). See
 * docs/services/account-budgets.md.
 *
 * @example
 * const budgets = new BudgetsClient({ endpoint, region: 'us-east-1' });
 * await budgets.send(new CreateBudgetCommand({ AccountId, Budget: { BudgetName: 'monthly', BudgetLimit: { Amount: '100', Unit: 'USD' }, TimeUnit: 'MONTHLY', BudgetType: 'COST' } }));
 */
export function createBudgetsService(runtime: SandboxRuntime): ServiceDefinition {
  return {
    signingName: 'budgets',
    protocol: 'awsJson1_1',
    targetPrefix: 'AWSBudgetServiceGateway',
    eventSource: 'budgets.amazonaws.com',
    authorization,
    operations: budgetOperations(runtime),
  };
}
