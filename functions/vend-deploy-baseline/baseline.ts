/**
 * Deploys the baseline stack sets to the new account only, and follows the operations.
 * DeploymentTargets = the account's OU ∩ [the account] (AccountFilterType INTERSECTION), so no other
 * account of the OU is touched; the OperationId is derived from the request and the stack set, so a
 * retried call finds its operation instead of starting a second one.
 */

import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationResultsCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import * as z from 'zod/mini';
import { awsErrorName } from '../shared/errors';
import { logger } from '../shared/logger';
import { AccountIdSchema } from '../shared/schemas/eventbridge';
import { BaselineDeploymentFailedError, PoolExhaustedError } from '../shared/vending/errors';
import { rethrowTransient } from '../shared/vending/org';
import {
  type BaselineProgress,
  BaselineProgressSchema,
  ExecutionContextSchema,
  type VendingPlan,
  VendingPlanSchema,
} from '../shared/vending/plan';

export const BaselineInputSchema = z.object({
  action: z.enum(['deploy', 'check']),
  requestId: z.string(),
  plan: VendingPlanSchema,
  accountId: AccountIdSchema,
  baseline: z.optional(BaselineProgressSchema),
  context: ExecutionContextSchema,
});
export type BaselineInput = z.infer<typeof BaselineInputSchema>;

/** EC2's answer when a pool has no free block of the size asked (AllocateIpamPoolCidr, CreateVpc from a pool). */
const POOL_EXHAUSTED = /allocation size is too big for the pool/i;

/** Operation states that are still going. */
const RUNNING_STATES: ReadonlySet<string> = new Set(['RUNNING', 'QUEUED', 'STOPPING']);

/**
 * The OperationId of a request's deployment of a stack set: stable across retries, new for each
 * redrive (so a redriven execution can start a failed deployment again).
 */
export function operationIdFor(requestId: string, stackSetName: string, redriveCount: number): string {
  const safe = requestId.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80);
  const digest = createHash('sha256').update(stackSetName).digest('hex').slice(0, 10);
  return `vendguard-${safe}-${digest}${redriveCount > 0 ? `-r${redriveCount}` : ''}`;
}

async function startOperation(
  cfn: CloudFormationClient,
  plan: VendingPlan,
  accountId: string,
  stackSetName: string,
  regions: readonly string[],
  operationId: string,
  overrides: readonly Parameter[] = [],
): Promise<void> {
  const prefs = plan.operationPreferences;
  try {
    await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: stackSetName,
        DeploymentTargets: {
          OrganizationalUnitIds: [plan.ouId],
          Accounts: [accountId],
          AccountFilterType: 'INTERSECTION',
        },
        Regions: [...regions],
        ...(overrides.length ? { ParameterOverrides: [...overrides] } : {}),
        OperationPreferences: {
          RegionConcurrencyType: prefs.regionConcurrencyType,
          MaxConcurrentPercentage: prefs.maxConcurrentPercentage,
          FailureTolerancePercentage: prefs.failureTolerancePercentage,
        },
        OperationId: operationId,
      }),
    );
    logger.info('baseline deployment started', { stackSetName, accountId, operationId, regions });
  } catch (err) {
    if (awsErrorName(err) === 'OperationIdAlreadyExistsException') {
      logger.info('baseline deployment already started', { stackSetName, accountId, operationId });
      return;
    }
    rethrowTransient(err, `CreateStackInstances ${stackSetName} for ${accountId}`);
  }
}

/**
 * The instance parameters of the network stack set (`plan.network`): the pool, the size and the
 * gateway, which only exist in AWS (found in the network account by {@link NetworkParameters}).
 */
export type NetworkParameters = (network: NonNullable<VendingPlan['network']>) => Promise<Parameter[]>;

/** What the baseline step needs besides CloudFormation. */
export interface BaselineDeps {
  readonly networkParameters?: NetworkParameters;
}

async function overridesFor(plan: VendingPlan, stackSetName: string, deps: BaselineDeps): Promise<Parameter[]> {
  if (!plan.network || plan.network.stackSet !== stackSetName) return [];
  if (!deps.networkParameters) throw new Error('the network stack set needs the network parameters');
  return deps.networkParameters(plan.network);
}

/** The parameters a VPC of `netmaskLength` from a pool gets (the template splits it in quarters). */
export function vpcParameters(poolId: string, netmaskLength: number, transitGatewayId: string): Parameter[] {
  return [
    { ParameterKey: 'Ipv4IpamPoolId', ParameterValue: poolId },
    { ParameterKey: 'VpcNetmaskLength', ParameterValue: String(netmaskLength) },
    { ParameterKey: 'SubnetBits', ParameterValue: String(32 - netmaskLength - 2) },
    { ParameterKey: 'TransitGatewayId', ParameterValue: transitGatewayId },
  ];
}

/** DeployBaseline: starts one CreateStackInstances per planned stack set. */
export async function deployBaseline(
  cfn: CloudFormationClient,
  input: BaselineInput,
  deps: BaselineDeps = {},
): Promise<BaselineProgress> {
  const { plan, accountId, requestId } = input;
  const redriveCount = input.context?.Execution?.RedriveCount ?? 0;
  const operations = [];
  for (const s of plan.stackSets) {
    const operationId = operationIdFor(requestId, s.name, redriveCount);
    const overrides = await overridesFor(plan, s.name, deps);
    await startOperation(cfn, plan, accountId, s.name, s.regions, operationId, overrides);
    operations.push({ stackSetName: s.name, operationId, regions: s.regions, status: 'RUNNING' });
  }
  return {
    status: operations.length ? 'RUNNING' : 'SUCCEEDED',
    operations,
    waitSeconds: plan.waits.baselineFirst,
    redriveCount,
  };
}

/** The failed instance of an operation: account, region and reason. */
async function failure(cfn: CloudFormationClient, stackSetName: string, operationId: string) {
  const out = await cfn.send(
    new ListStackSetOperationResultsCommand({ StackSetName: stackSetName, OperationId: operationId }),
  );
  const bad = (out.Summaries ?? []).find((s) => s.Status && s.Status !== 'SUCCEEDED');
  return {
    region: bad?.Region ?? 'unknown region',
    reason: bad?.StatusReason ?? `operation ${operationId} ${bad?.Status ?? 'FAILED'} without a reason`,
  };
}

/**
 * CheckBaseline: one status read per unfinished operation. A failed operation fails the step with
 * {@link BaselineDeploymentFailedError}, unless the execution was redriven since it started: then
 * the deployment is started again under a new OperationId.
 */
export async function checkBaseline(
  cfn: CloudFormationClient,
  input: BaselineInput,
  deps: BaselineDeps = {},
): Promise<BaselineProgress> {
  const { plan, accountId, requestId } = input;
  const baseline = input.baseline;
  if (!baseline) return deployBaseline(cfn, input, deps);
  const redriveCount = input.context?.Execution?.RedriveCount ?? baseline.redriveCount;
  const operations = [];
  for (const op of baseline.operations) {
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
    if (status === 'SUCCEEDED' || RUNNING_STATES.has(status)) {
      operations.push({ ...op, status: status === 'SUCCEEDED' ? 'SUCCEEDED' : 'RUNNING' });
      continue;
    }
    if (redriveCount > baseline.redriveCount) {
      const operationId = operationIdFor(requestId, op.stackSetName, redriveCount);
      logger.warn('redriven: starting the failed baseline deployment again', {
        stackSet: op.stackSetName,
        operationId,
      });
      const overrides = await overridesFor(plan, op.stackSetName, deps);
      await startOperation(cfn, plan, accountId, op.stackSetName, op.regions, operationId, overrides);
      operations.push({ ...op, operationId, status: 'RUNNING' });
      continue;
    }
    const { region, reason } = await failure(cfn, op.stackSetName, op.operationId);
    if (plan.network?.stackSet === op.stackSetName && POOL_EXHAUSTED.test(reason)) {
      throw new PoolExhaustedError(
        accountId,
        region,
        op.stackSetName,
        plan.network.pool,
        plan.network.netmaskLength,
        reason,
      );
    }
    throw new BaselineDeploymentFailedError(accountId, region, op.stackSetName, reason);
  }
  const done = operations.every((o) => o.status === 'SUCCEEDED');
  return {
    status: done ? 'SUCCEEDED' : 'RUNNING',
    operations,
    waitSeconds: plan.waits.baseline,
    redriveCount: Math.max(redriveCount, baseline.redriveCount),
  };
}

/** Runs the `deploy` or `check` action. */
export function baselineStep(
  cfn: CloudFormationClient,
  input: BaselineInput,
  deps: BaselineDeps = {},
): Promise<BaselineProgress> {
  return input.action === 'deploy' ? deployBaseline(cfn, input, deps) : checkBaseline(cfn, input, deps);
}
