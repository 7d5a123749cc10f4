/**
 * `vendguard network converge`: brings the core of the network to what the config says, idempotently.
 * The egress and bastion accounts get their stack sets' instances (their VPC, attached to the
 * gateway: the gateway id only exists in AWS, so it is given per instance here); once those are
 * deployed, the egress attachment becomes every environment's default route and the bastion's is
 * propagated into the production tables. Each call does what it can and says what is still running.
 */
import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackInstanceCommand,
  type StackInstance,
} from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { OrganizationConfig } from '../../../config/schema';
import { awsErrorName, TransientError } from '../errors';
import { rethrowTransient } from '../vending/org';
import { associate, availableAttachment, propagate, staticRoute, type WiringChange } from './connect';
import { NetworkConnectError } from './errors';
import { isProductionPool, type NetworkConfig, type NetworkIds } from './resolve';
import { BASTION_ROUTE_TABLE, EGRESS_ROUTE_TABLE } from './tags';

/** A core account's stack set instance, as converge found or left it. */
export interface CoreInstance {
  readonly stackSet: string;
  readonly status: 'SUCCEEDED' | 'RUNNING' | 'FAILED';
  readonly reason?: string;
}

export interface CoreAccountResult {
  readonly role: 'egress' | 'bastion';
  readonly name: string;
  readonly accountId: string;
  readonly instances: readonly CoreInstance[];
  readonly attachmentId?: string;
}

/** One wiring of the gateway: what it is and whether it changed. */
export interface WiringResult {
  readonly what: string;
  readonly change: WiringChange;
}

export interface ConvergeResult {
  /** SUCCEEDED: all wired; RUNNING: instances still deploying (call again); FAILED: see `failures`. */
  readonly status: 'SUCCEEDED' | 'RUNNING' | 'FAILED';
  readonly transitGatewayId: string;
  readonly coreAccounts: readonly CoreAccountResult[];
  readonly wiring: readonly WiringResult[];
  readonly failures: readonly string[];
}

/** Ids the hub knows from its deployment (`vendguard:accountIds`, `vendguard:ouIds`). */
export interface CoreIds {
  readonly accountIds: Readonly<Record<string, string>>;
  readonly ouIds: Readonly<Record<string, string>>;
}

const DEFAULT_ROUTE = '0.0.0.0/0';

/** The operation id of a core instance's deployment for a gateway: stable across calls. */
function operationIdFor(stackSet: string, accountId: string, transitGatewayId: string): string {
  const digest = createHash('sha256').update(`${stackSet}#${accountId}#${transitGatewayId}`).digest('hex');
  return `vendguard-converge-${digest.slice(0, 24)}`;
}

async function describeInstance(
  cfn: CloudFormationClient,
  stackSet: string,
  accountId: string,
  region: string,
): Promise<StackInstance | undefined> {
  try {
    const out = await cfn.send(
      new DescribeStackInstanceCommand({
        StackSetName: stackSet,
        StackInstanceAccount: accountId,
        StackInstanceRegion: region,
      }),
    );
    return out.StackInstance;
  } catch (err) {
    if (awsErrorName(err) === 'StackInstanceNotFoundException') return undefined;
    return rethrowTransient(err, `DescribeStackInstance ${stackSet} ${accountId}`);
  }
}

/** Ensures one core instance exists with the gateway given, and reports its state. */
async function ensureInstance(
  cfn: CloudFormationClient,
  config: OrganizationConfig,
  stackSet: string,
  account: { accountId: string; ouId: string },
  transitGatewayId: string,
): Promise<CoreInstance> {
  const region = config.organization.homeRegion;
  const instance = await describeInstance(cfn, stackSet, account.accountId, region);
  const given = instance?.ParameterOverrides?.find((p) => p.ParameterKey === 'TransitGatewayId')?.ParameterValue;
  if (!instance || given !== transitGatewayId) {
    const prefs = config.baselines.operationPreferences;
    try {
      await cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: stackSet,
          DeploymentTargets: {
            OrganizationalUnitIds: [account.ouId],
            Accounts: [account.accountId],
            AccountFilterType: 'INTERSECTION',
          },
          Regions: [region],
          ParameterOverrides: [{ ParameterKey: 'TransitGatewayId', ParameterValue: transitGatewayId }],
          OperationPreferences: {
            RegionConcurrencyType: prefs.regionConcurrencyType,
            MaxConcurrentPercentage: prefs.maxConcurrentPercentage,
            FailureTolerancePercentage: prefs.failureTolerancePercentage,
          },
          OperationId: operationIdFor(stackSet, account.accountId, transitGatewayId),
        }),
      );
    } catch (err) {
      if (awsErrorName(err) !== 'OperationIdAlreadyExistsException') {
        rethrowTransient(err, `CreateStackInstances ${stackSet} for ${account.accountId}`);
      }
    }
    return { stackSet, status: 'RUNNING' };
  }
  const detailed = instance.StackInstanceStatus?.DetailedStatus;
  if (detailed === 'SUCCEEDED') return { stackSet, status: 'SUCCEEDED' };
  if (detailed === 'FAILED' || detailed === 'CANCELLED' || detailed === 'INOPERABLE') {
    return { stackSet, status: 'FAILED', reason: instance.StatusReason ?? detailed };
  }
  return { stackSet, status: 'RUNNING' };
}

/**
 * One pass of the convergence.
 *
 * @param cfn - CloudFormation where the stack sets are (the hub)
 * @param ec2 - EC2 in the network account (the operator role)
 */
export async function convergeCore(
  cfn: CloudFormationClient,
  ec2: EC2Client,
  config: OrganizationConfig,
  network: NetworkConfig,
  ids: NetworkIds,
  core: CoreIds,
): Promise<ConvergeResult> {
  const failures: string[] = [];
  const coreAccounts: CoreAccountResult[] = [];
  for (const role of ['egress', 'bastion'] as const) {
    const name = role === 'egress' ? network.egressAccount : network.bastionAccount;
    const account = config.accounts.find((a) => a.name === name);
    const accountId = core.accountIds[name];
    const ouId = account ? core.ouIds[account.ou] : undefined;
    if (!account || !accountId || !ouId) {
      failures.push(
        `the ${role} account ${name} has no id in the hub's deployment (vendguard:accountIds, vendguard:ouIds)`,
      );
      continue;
    }
    const stackSets = config.baselines.stackSets.filter((s) => s.ous.includes(account.ou));
    if (stackSets.length === 0) {
      failures.push(`no stack set in baselines.stackSets targets ${account.ou}, the OU of the ${role} account ${name}`);
      continue;
    }
    const instances: CoreInstance[] = [];
    for (const set of stackSets) {
      instances.push(await ensureInstance(cfn, config, set.name, { accountId, ouId }, ids.transitGatewayId));
    }
    for (const i of instances) {
      if (i.status === 'FAILED') failures.push(`stack set ${i.stackSet} in ${name} (${accountId}) failed: ${i.reason}`);
    }
    coreAccounts.push({ role, name, accountId, instances });
  }
  const running = coreAccounts.some((a) => a.instances.some((i) => i.status === 'RUNNING'));
  if (failures.length || running) {
    return {
      status: failures.length ? 'FAILED' : 'RUNNING',
      transitGatewayId: ids.transitGatewayId,
      coreAccounts,
      wiring: [],
      failures,
    };
  }

  const wiring: WiringResult[] = [];
  const withAttachments: CoreAccountResult[] = [];
  for (const account of coreAccounts) {
    try {
      const attachmentId = await availableAttachment(ec2, ids, account.accountId, `the ${account.role} account`);
      withAttachments.push({ ...account, attachmentId });
    } catch (err) {
      if (err instanceof NetworkConnectError) failures.push(err.message);
      else if (err instanceof TransientError)
        return { status: 'RUNNING', transitGatewayId: ids.transitGatewayId, coreAccounts, wiring, failures };
      else throw err;
      withAttachments.push(account);
    }
  }
  const egress = withAttachments.find((a) => a.role === 'egress')?.attachmentId;
  const bastion = withAttachments.find((a) => a.role === 'bastion')?.attachmentId;
  if (egress) {
    wiring.push({
      what: `egress attachment ${egress} → ${EGRESS_ROUTE_TABLE} table`,
      change: await associate(ec2, ids, egress, EGRESS_ROUTE_TABLE),
    });
    for (const pool of network.pools) {
      wiring.push({
        what: `${pool.name} table: ${DEFAULT_ROUTE} → egress attachment`,
        change: await staticRoute(ec2, ids, pool.name, DEFAULT_ROUTE, egress),
      });
    }
  }
  if (bastion) {
    wiring.push({
      what: `bastion attachment ${bastion} → ${BASTION_ROUTE_TABLE} table`,
      change: await associate(ec2, ids, bastion, BASTION_ROUTE_TABLE),
    });
    for (const pool of network.pools.filter((p) => isProductionPool(network, p))) {
      wiring.push({
        what: `bastion propagated into the ${pool.name} table`,
        change: await propagate(ec2, ids, bastion, pool.name),
      });
    }
  }
  return {
    status: failures.length ? 'FAILED' : 'SUCCEEDED',
    transitGatewayId: ids.transitGatewayId,
    coreAccounts: withAttachments,
    wiring,
    failures,
  };
}
