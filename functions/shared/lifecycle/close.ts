/**
 * Closing an account (`vendguard close`, the `account-closing` state machine), one step per call:
 * validate, move to the suspended OU (deny-all), remove its stack instances (which deletes its VPC:
 * the IPAM allocation and the Transit Gateway attachment go with it), CloseAccount within AWS's
 * quota (a refusal over quota waits and tries again), then wait for SUSPENDED. Every step is
 * idempotent, so a retry or a redrive finds its work done.
 */
import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  DeleteStackInstancesCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloseAccountCommand,
  DescribeAccountCommand,
  MoveAccountCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import * as z from 'zod/mini';
import type { OrganizationConfig } from '../../../config/schema';
import { awsErrorName, TransientError } from '../errors';
import { logger } from '../logger';
import { AccountIdSchema } from '../schemas/eventbridge';
import { ouIdByPath, rethrowTransient } from '../vending/org';
import { BaselineRemovalFailedError, CloseAccountFailedError, CloseRefusedError } from './errors';
import { ouPathOf } from './org-paths';

/** Name of the closing state machine (ARN `…:stateMachine:vendguard-account-closing`). */
export const CLOSING_STATE_MACHINE = 'account-closing';

/** The execution of an account's closure: one per account, so a second `close` finds the first. */
export const closeExecutionName = (accountId: string) => `close-${accountId}`;

/** Seconds between status reads of the stack set removals and of the closure. */
export const CLOSE_WAITS = { removal: 30, closure: 60 } as const;

export const ClosePlanSchema = z.strictObject({
  accountId: z.string(),
  accountName: z.string(),
  email: z.string(),
  /** The OU path it was in when the closure started. */
  fromOu: z.string(),
  suspendedOu: z.string(),
  suspendedOuId: z.string(),
  /** Stack sets with an instance in the account, and the regions of its instances. */
  stackSets: z.array(z.strictObject({ name: z.string(), regions: z.array(z.string()) })),
  /** Seconds a closure refused over AWS's quota waits before it is tried again. */
  retrySeconds: z.number(),
});
export type ClosePlan = z.infer<typeof ClosePlanSchema>;

export const RemovalSchema = z.strictObject({
  status: z.enum(['RUNNING', 'SUCCEEDED']),
  operations: z.array(
    z.strictObject({
      stackSetName: z.string(),
      operationId: z.string(),
      regions: z.array(z.string()),
      status: z.string(),
    }),
  ),
  waitSeconds: z.number(),
  redriveCount: z.number(),
});
export type Removal = z.infer<typeof RemovalSchema>;

/** REQUESTED: CloseAccount accepted; QUEUED: over AWS's quota, waits; CLOSED: SUSPENDED; PENDING: not yet. */
export const ClosureSchema = z.strictObject({
  state: z.enum(['REQUESTED', 'QUEUED', 'PENDING', 'CLOSED']),
  waitSeconds: z.number(),
  attempts: z.number(),
  reason: z.optional(z.string()),
});
export type Closure = z.infer<typeof ClosureSchema>;

export interface CloseClients {
  readonly org: OrganizationsClient;
  readonly cfn: CloudFormationClient;
}

const within = (ou: string, parent: string) => ou === parent || ou.startsWith(`${parent}/`);

/**
 * Why vendguard will not close an account, or undefined when it will: a core account of the config,
 * the management account, one outside the vendable OUs (and not already in the suspended OU), one
 * already closed.
 */
export function refusal(
  config: OrganizationConfig,
  account: { readonly id: string; readonly email: string; readonly status?: string },
  ou: string,
): string | undefined {
  const core = config.accounts.find((a) => a.email.toLowerCase() === account.email.toLowerCase());
  if (core)
    return `account ${account.id} is the core account ${core.name} (${core.role}): vendguard never closes core accounts`;
  if (account.status === 'SUSPENDED') return `account ${account.id} is already closed (SUSPENDED)`;
  if (within(ou, config.lifecycle.suspendedOu)) return undefined;
  if (!config.vending.allowedOus.some((allowed) => within(ou, allowed))) {
    return `account ${account.id} is in ${ou}, outside the OUs vendguard vends into (${config.vending.allowedOus.join(', ')})`;
  }
  return undefined;
}

/** ValidateClose: checks the account and plans the closure; a refusal changes nothing. */
export async function planClose(
  clients: CloseClients,
  config: OrganizationConfig,
  accountId: string,
): Promise<ClosePlan> {
  let account: { Id?: string; Email?: string; Name?: string; Status?: string } | undefined;
  try {
    account = (await clients.org.send(new DescribeAccountCommand({ AccountId: accountId }))).Account;
  } catch (err) {
    if (awsErrorName(err) === 'AccountNotFoundException') {
      throw new CloseRefusedError(`account ${accountId} is not in the organization`);
    }
    return rethrowTransient(err, `DescribeAccount ${accountId}`);
  }
  const { path } = await ouPathOf(clients.org, accountId);
  const why = refusal(config, { id: accountId, email: account?.Email ?? '', status: account?.Status }, path);
  if (why) throw new CloseRefusedError(why);
  const suspendedOuId = await ouIdByPath(clients.org, config.lifecycle.suspendedOu);
  if (!suspendedOuId) {
    throw new CloseRefusedError(`the organization has no OU ${config.lifecycle.suspendedOu} (lifecycle.suspendedOu)`);
  }
  const stackSets: ClosePlan['stackSets'] = [];
  for (const set of config.baselines.stackSets) {
    const regions: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await clients.cfn.send(
        new ListStackInstancesCommand({ StackSetName: set.name, StackInstanceAccount: accountId, NextToken }),
      );
      for (const i of page.Summaries ?? []) if (i.Region) regions.push(i.Region);
      NextToken = page.NextToken;
    } while (NextToken);
    if (regions.length) stackSets.push({ name: set.name, regions });
  }
  return {
    accountId,
    accountName: account?.Name ?? accountId,
    email: account?.Email ?? '',
    fromOu: path,
    suspendedOu: config.lifecycle.suspendedOu,
    suspendedOuId,
    stackSets,
    retrySeconds: config.lifecycle.closeRetryHours * 3600,
  };
}

/** MoveToSuspended: into the suspended OU, whose SCP denies everything but the baseline's removal. */
export async function moveToSuspended(org: OrganizationsClient, plan: ClosePlan): Promise<{ moved: boolean }> {
  const { parentId } = await ouPathOf(org, plan.accountId);
  if (parentId === plan.suspendedOuId) return { moved: false };
  try {
    await org.send(
      new MoveAccountCommand({
        AccountId: plan.accountId,
        SourceParentId: parentId,
        DestinationParentId: plan.suspendedOuId,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === 'DuplicateAccountException') return { moved: false };
    return rethrowTransient(err, `MoveAccount ${plan.accountId} to ${plan.suspendedOu}`);
  }
  logger.info('account moved to the suspended OU', { accountId: plan.accountId, from: plan.fromOu });
  return { moved: true };
}

/** The OperationId of a closure's removal of a stack set: stable across retries, new per redrive. */
export function removalOperationId(accountId: string, stackSetName: string, redriveCount: number): string {
  const digest = createHash('sha256').update(`${accountId}#${stackSetName}`).digest('hex').slice(0, 16);
  return `vendguard-close-${accountId}-${digest}${redriveCount > 0 ? `-r${redriveCount}` : ''}`;
}

async function startRemoval(
  cfn: CloudFormationClient,
  accountId: string,
  set: ClosePlan['stackSets'][number],
  operationId: string,
): Promise<void> {
  try {
    await cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: set.name,
        DeploymentTargets: { Accounts: [accountId] },
        Regions: set.regions,
        RetainStacks: false,
        OperationId: operationId,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === 'OperationIdAlreadyExistsException') return;
    rethrowTransient(err, `DeleteStackInstances ${set.name} for ${accountId}`);
  }
}

/** RemoveBaseline: one DeleteStackInstances per stack set the account has instances of. */
export async function removeBaseline(
  cfn: CloudFormationClient,
  plan: ClosePlan,
  redriveCount: number,
): Promise<Removal> {
  const operations = [];
  for (const set of plan.stackSets) {
    const operationId = removalOperationId(plan.accountId, set.name, redriveCount);
    await startRemoval(cfn, plan.accountId, set, operationId);
    operations.push({ stackSetName: set.name, operationId, regions: set.regions, status: 'RUNNING' });
  }
  return {
    status: operations.length ? 'RUNNING' : 'SUCCEEDED',
    operations,
    waitSeconds: CLOSE_WAITS.removal,
    redriveCount,
  };
}

/** CheckRemoval: one status read per unfinished removal; a failed one fails, or starts again after a redrive. */
export async function checkRemoval(
  cfn: CloudFormationClient,
  plan: ClosePlan,
  removal: Removal,
  redriveCount: number,
): Promise<Removal> {
  const operations = [];
  for (const op of removal.operations) {
    if (op.status === 'SUCCEEDED') {
      operations.push(op);
      continue;
    }
    let status: string;
    try {
      const out = await cfn.send(
        new DescribeStackSetOperationCommand({ StackSetName: op.stackSetName, OperationId: op.operationId }),
      );
      status = out.StackSetOperation?.Status ?? 'RUNNING';
    } catch (err) {
      return rethrowTransient(err, `DescribeStackSetOperation ${op.stackSetName} ${op.operationId}`);
    }
    if (status === 'SUCCEEDED') {
      operations.push({ ...op, status });
      continue;
    }
    if (status === 'RUNNING' || status === 'QUEUED' || status === 'STOPPING') {
      operations.push({ ...op, status: 'RUNNING' });
      continue;
    }
    if (redriveCount > removal.redriveCount) {
      const operationId = removalOperationId(plan.accountId, op.stackSetName, redriveCount);
      await startRemoval(cfn, plan.accountId, { name: op.stackSetName, regions: op.regions }, operationId);
      operations.push({ ...op, operationId, status: 'RUNNING' });
      continue;
    }
    const results = await cfn.send(
      new ListStackSetOperationResultsCommand({ StackSetName: op.stackSetName, OperationId: op.operationId }),
    );
    const bad = (results.Summaries ?? []).find((s) => s.Status && s.Status !== 'SUCCEEDED');
    throw new BaselineRemovalFailedError(
      plan.accountId,
      op.stackSetName,
      `${bad?.Region ?? 'a region'}: ${bad?.StatusReason ?? `operation ${op.operationId} ${status}`}`,
    );
  }
  return {
    status: operations.every((o) => o.status === 'SUCCEEDED') ? 'SUCCEEDED' : 'RUNNING',
    operations,
    waitSeconds: CLOSE_WAITS.removal,
    redriveCount: Math.max(redriveCount, removal.redriveCount),
  };
}

/** `ConstraintViolationException` reasons that waiting cures (the quota is a rolling window). */
const WAIT_REASONS = new Set(['CLOSE_ACCOUNT_QUOTA_EXCEEDED']);
/** Reasons that a retry soon cures. */
const TRANSIENT_REASONS = new Set(['CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED']);

/** CloseAccount: requested; or QUEUED over the quota (tried again after `retrySeconds`). */
export async function closeAccount(org: OrganizationsClient, plan: ClosePlan, previous?: Closure): Promise<Closure> {
  const attempts = (previous?.attempts ?? 0) + 1;
  try {
    await org.send(new CloseAccountCommand({ AccountId: plan.accountId }));
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'AccountAlreadyClosedException') return { state: 'CLOSED', waitSeconds: 0, attempts };
    if (name === 'ConflictException') return { state: 'REQUESTED', waitSeconds: CLOSE_WAITS.closure, attempts };
    if (name === 'ConstraintViolationException') {
      const reason = (err as { Reason?: string }).Reason ?? '';
      if (WAIT_REASONS.has(reason)) {
        logger.warn('closure over quota: queued', { accountId: plan.accountId, reason, attempts });
        return { state: 'QUEUED', waitSeconds: plan.retrySeconds, attempts, reason };
      }
      if (TRANSIENT_REASONS.has(reason)) {
        throw new TransientError(`CloseAccount ${plan.accountId}: ${reason}`, { cause: err });
      }
      throw new CloseAccountFailedError(plan.accountId, `${reason || name}: ${(err as Error).message}`);
    }
    return rethrowTransient(err, `CloseAccount ${plan.accountId}`);
  }
  logger.info('CloseAccount requested', { accountId: plan.accountId, attempts });
  return { state: 'REQUESTED', waitSeconds: CLOSE_WAITS.closure, attempts };
}

/** CheckClosed: CLOSED once the account is SUSPENDED. */
export async function checkClosed(org: OrganizationsClient, plan: ClosePlan, closure: Closure): Promise<Closure> {
  try {
    const out = await org.send(new DescribeAccountCommand({ AccountId: plan.accountId }));
    const status = out.Account?.Status;
    return { ...closure, state: status === 'SUSPENDED' ? 'CLOSED' : 'PENDING', waitSeconds: CLOSE_WAITS.closure };
  } catch (err) {
    return rethrowTransient(err, `DescribeAccount ${plan.accountId}`);
  }
}

export const CloseAccountIdSchema = AccountIdSchema;
