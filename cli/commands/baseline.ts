import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
} from '@aws-sdk/client-cloudformation';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Command } from 'commander';
import type { OrganizationConfig } from '../../config/schema';
import { awsClient } from '../../functions/shared/aws';
import { organizationConfig } from '../../functions/shared/config';
import { organizationsClient, ouIdByPath } from '../../functions/shared/vending/org';
import { stackSetRegions } from '../../functions/shared/vending/plan';
import { positiveInt } from '../options';
import { CliError, EXIT, print, printJson, progress } from '../output';

export interface RolloutOptions {
  readonly stackSet?: string;
  readonly ou?: string;
  readonly wait?: boolean;
  readonly json?: boolean;
  readonly pollMs?: number;
  readonly timeout?: number;
}

/** One stack set operation of a rollout: a stack set to the accounts of one OU. */
export interface RolloutOperation {
  readonly stackSet: string;
  readonly ou: string;
  readonly operationId: string;
  readonly regions: readonly string[];
  /** RUNNING (not waited for), SUCCEEDED, FAILED, STOPPED, or SKIPPED (nothing to roll out). */
  status: string;
  failed: { account: string; region: string; reason: string }[];
  succeeded: number;
  readonly redriveCommand: string;
}

export interface RolloutResult {
  readonly status: 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  readonly operations: readonly RolloutOperation[];
}

export interface RolloutClients {
  readonly org: OrganizationsClient;
  readonly cfn: CloudFormationClient;
}

/** The (stack set, OU) pairs a rollout covers; a name or OU outside the config is a usage error. */
export function rolloutTargets(
  config: OrganizationConfig,
  options: Pick<RolloutOptions, 'stackSet' | 'ou'>,
): { stackSet: OrganizationConfig['baselines']['stackSets'][number]; ou: string }[] {
  const sets = config.baselines.stackSets.filter((s) => !options.stackSet || s.name === options.stackSet);
  if (options.stackSet && sets.length === 0) {
    throw new CliError(
      `--stack-set: ${options.stackSet} is not in baselines.stackSets (${config.baselines.stackSets.map((s) => s.name).join(', ')})`,
      EXIT.usage,
    );
  }
  const pairs = sets.flatMap((s) =>
    s.ous.filter((ou) => !options.ou || ou === options.ou).map((ou) => ({ stackSet: s, ou })),
  );
  if (options.ou && pairs.length === 0) {
    throw new CliError(
      `--ou: no stack set${options.stackSet ? ` ${options.stackSet}` : ''} targets ${options.ou}`,
      EXIT.usage,
    );
  }
  return pairs;
}

async function accountsWithInstances(cfn: CloudFormationClient, stackSet: string): Promise<Set<string>> {
  const accounts = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackInstancesCommand({ StackSetName: stackSet, NextToken }));
    for (const i of page.Summaries ?? []) if (i.Account) accounts.add(i.Account);
    NextToken = page.NextToken;
  } while (NextToken);
  return accounts;
}

const redrive = (stackSet: string, ou: string) =>
  `npx vendguard baseline rollout --stack-set ${stackSet} --ou ${ou} --wait`;

/**
 * Starts one CreateStackInstances per (stack set, OU): every account of the OU gets the stack set's
 * current template in its regions, missing instances are created. The network stack set is the
 * exception: its instances carry per-account parameters (the pool, the gateway) that only vending
 * knows, so only the accounts that already have one are redeployed (their overrides are kept).
 */
export async function startRollout(
  clients: RolloutClients,
  config: OrganizationConfig,
  options: RolloutOptions,
): Promise<RolloutOperation[]> {
  const prefs = config.baselines.operationPreferences;
  const operations: RolloutOperation[] = [];
  for (const { stackSet, ou } of rolloutTargets(config, options)) {
    const ouId = await ouIdByPath(clients.org, ou);
    if (!ouId)
      throw new CliError(
        `OU ${ou} (baselines.stackSets ${stackSet.name}) does not exist in the organization`,
        EXIT.failed,
      );
    const regions = stackSetRegions(config, stackSet.regions);
    const base = {
      stackSet: stackSet.name,
      ou,
      regions,
      failed: [],
      succeeded: 0,
      redriveCommand: redrive(stackSet.name, ou),
    };
    let accounts: string[] | undefined;
    if (config.network?.stackSet === stackSet.name) {
      accounts = [...(await accountsWithInstances(clients.cfn, stackSet.name))];
      if (accounts.length === 0) {
        operations.push({ ...base, operationId: '', status: 'SKIPPED' });
        continue;
      }
    }
    const out = await clients.cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: stackSet.name,
        DeploymentTargets: {
          OrganizationalUnitIds: [ouId],
          ...(accounts ? { Accounts: accounts, AccountFilterType: 'INTERSECTION' as const } : {}),
        },
        Regions: regions,
        OperationPreferences: {
          RegionConcurrencyType: prefs.regionConcurrencyType,
          MaxConcurrentPercentage: prefs.maxConcurrentPercentage,
          FailureTolerancePercentage: prefs.failureTolerancePercentage,
        },
      }),
    );
    operations.push({ ...base, operationId: out.OperationId ?? '', status: 'RUNNING' });
  }
  return operations;
}

/** Reads an operation's status and, once it ended, its per-account results. */
async function refresh(cfn: CloudFormationClient, op: RolloutOperation): Promise<void> {
  const out = await cfn.send(
    new DescribeStackSetOperationCommand({ StackSetName: op.stackSet, OperationId: op.operationId }),
  );
  const status = out.StackSetOperation?.Status ?? 'RUNNING';
  if (status === 'RUNNING' || status === 'QUEUED' || status === 'STOPPING') return;
  op.status = status;
  const results = await cfn.send(
    new ListStackSetOperationResultsCommand({ StackSetName: op.stackSet, OperationId: op.operationId }),
  );
  op.succeeded = (results.Summaries ?? []).filter((r) => r.Status === 'SUCCEEDED').length;
  op.failed = (results.Summaries ?? [])
    .filter((r) => r.Status && r.Status !== 'SUCCEEDED')
    .map((r) => ({ account: r.Account ?? '?', region: r.Region ?? '?', reason: r.StatusReason ?? r.Status ?? '' }));
}

/** `vendguard baseline rollout`: starts the operations, then follows them with `--wait`. */
export async function runRollout(
  options: RolloutOptions,
  clients: RolloutClients = { org: organizationsClient(), cfn: awsClient(CloudFormationClient) },
): Promise<RolloutResult> {
  const config = organizationConfig();
  let operations: RolloutOperation[];
  try {
    operations = await startRollout(clients, config, options);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot start the rollout: ${(err as Error).name}: ${(err as Error).message}`, EXIT.aws);
  }
  if (!options.json) {
    for (const op of operations)
      progress(
        `${op.stackSet} → ${op.ou} (${op.regions.join(', ')}): ${op.status === 'SKIPPED' ? 'no instance to update' : `operation ${op.operationId}`}`,
      );
  }
  let status: RolloutResult['status'] = 'STARTED';
  if (options.wait) {
    const deadline = Date.now() + (options.timeout ?? 3600) * 1000;
    for (;;) {
      for (const op of operations.filter((o) => o.status === 'RUNNING')) {
        await refresh(clients.cfn, op);
        if (!options.json && op.status !== 'RUNNING') {
          progress(
            `  ${op.stackSet} → ${op.ou}: ${op.status}, ${op.succeeded} instances deployed, ${op.failed.length} failed`,
          );
        }
      }
      if (!operations.some((o) => o.status === 'RUNNING') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, options.pollMs ?? 5000));
    }
    const failed = operations.some((o) => o.status === 'FAILED' || o.status === 'STOPPED' || o.failed.length > 0);
    status = operations.some((o) => o.status === 'RUNNING') ? 'RUNNING' : failed ? 'FAILED' : 'SUCCEEDED';
    if (status !== 'SUCCEEDED') process.exitCode = EXIT.failed;
  }
  const result: RolloutResult = { status, operations };
  if (options.json) printJson(result);
  else {
    const lines = [`rollout ${status}`];
    for (const op of operations) {
      lines.push(
        `  ${op.stackSet.padEnd(28)} ${op.ou.padEnd(16)} ${op.status.padEnd(9)} ${op.succeeded} ok, ${op.failed.length} failed`,
      );
      for (const f of op.failed) lines.push(`    ${f.account} ${f.region}: ${f.reason}`);
      if (op.failed.length || op.status === 'FAILED') lines.push(`    redrive: ${op.redriveCommand}`);
    }
    print(lines.join('\n'));
  }
  return result;
}

const POLL_MS = positiveInt('--poll-ms', { min: 100, max: 60_000, unit: 'milliseconds' });
const TIMEOUT = positiveInt('--timeout', { min: 1, max: 86_400, unit: 'seconds' });

export function register(program: Command): void {
  const baseline = program.command('baseline').description('The baseline stack sets of config/baselines/');
  baseline
    .command('rollout')
    .description(
      "Bring every account of every target OU to the stack sets' current templates, in every configured region",
    )
    .option('--stack-set <name>', 'only this stack set of baselines.stackSets')
    .option('--ou <path>', 'only this target OU')
    .option('--wait', 'follow the operations until they end, then print what failed and the redrive command')
    .option(
      '--json',
      'print {status, operations: [{stackSet, ou, operationId, regions, status, succeeded, failed, redriveCommand}]}',
    )
    .option('--poll-ms <ms>', `time between polls with --wait: ${POLL_MS.accepts}`, POLL_MS, 5000)
    .option(
      '--timeout <seconds>',
      `stop waiting after this long (the operations go on): ${TIMEOUT.accepts}`,
      TIMEOUT,
      3600,
    )
    .addHelpText(
      'after',
      `
One CreateStackInstances per stack set and OU, with baselines.operationPreferences (concurrency and
failure tolerance). Missing instances are created; existing ones get the current template. The
network stack set only redeploys the accounts that have an instance (their pool and gateway
parameters are kept): vending creates new ones.

Examples:
  $ vendguard baseline rollout --wait
  $ vendguard baseline rollout --stack-set vendguard-baseline-security --ou Workloads/Dev --wait --json

Exit codes: 0 started (or all deployed, with --wait), 1 an instance failed or --wait timed out, 2 usage
(an unknown stack set or OU), 3 AWS or the sandbox could not be reached.`,
    )
    .action(async (opts: RolloutOptions) => {
      await runRollout(opts);
    });
}
