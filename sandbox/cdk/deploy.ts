import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PROJECT_ROOT } from '../../config/load';
import type { LocalRuntime } from '../core/runtime';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../services/ec2/transit-gateways';
import { type Assembly, type AssemblyStack, defaultCacheDir, synthesize } from './assembly';
import { bootstrap, bootstrapRoles, deployRoleSession } from './bootstrap';

export { BOOTSTRAP, BootstrapRoleError, bootstrap, bootstrapRoles } from './bootstrap';

/**
 * `npm start`'s deployment: the synthesized CDK app, every stack into the account it targets,
 * through the sandbox's own CloudFormation API, as `cdk deploy` does it (a change set per stack:
 * CREATE for a new stack, UPDATE for a changed template, nothing for an unchanged one). The hub's
 * stacks are deployed with the deployer's (the hub's) credentials; another account's stack with
 * that account's bootstrap deploy role, its change set executed by the account's CloudFormation
 * execution role (`bootstrap.ts`). What the app deploys is the only thing that runs: the hub's
 * functions, rules, bus, table, state machine, queues, alarms, and the governance stack's stack
 * sets and SCPs.
 */

/** The stack-synthesizer context that makes the sandbox's synthesis skip bundling: it runs sources by manifest name. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface DeployedStack {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly action: 'created' | 'updated' | 'unchanged';
  /** Real milliseconds the deployment of this stack took. */
  readonly ms: number;
}

export interface AppDeployment {
  readonly assembly: Pick<Assembly, 'hash' | 'cached' | 'ms' | 'dir'>;
  readonly stacks: readonly DeployedStack[];
}

/** A stack that did not deploy: the failed resource, its type and CloudFormation's reason. */
export class StackDeployError extends Error {
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly failures: readonly { logicalId: string; type: string; reason: string }[],
  ) {
    super(
      `stack ${stackName} ended ${status}${failures.length ? `: ${failures.map((f) => `${f.logicalId} (${f.type}): ${f.reason}`).join('; ')}` : ''}`,
    );
    this.name = 'StackDeployError';
  }
}

/**
 * The CDK context only the sandbox knows (ids AWS would have): its organization, OU ids by path, the
 * core accounts' ids by name, the bastion account and the Transit Gateway. With the same seed a fresh sandbox has the same ids, so
 * every test sandbox shares one synthesized assembly.
 */
export function sandboxContext(runtime: LocalRuntime): Record<string, unknown> {
  const org = runtime.organizations;
  const ouIds: Record<string, string> = {};
  for (const ou of runtime.config.organizationalUnits) {
    const id = org.ouIdByPath(ou.path);
    if (id) ouIds[ou.path] = id;
  }
  const accountIds: Record<string, string> = {};
  for (const account of runtime.config.accounts) {
    const id = org.accountIdByName(account.name);
    if (id) accountIds[account.name] = id;
  }
  return {
    'vendguard:organizationId': org.organizationId,
    'vendguard:ouIds': ouIds,
    'vendguard:accountIds': accountIds,
    'vendguard:bastionAccountId': org.accountIdByName('bastion') ?? runtime.managementAccountId,
    'vendguard:transitGatewayId': SANDBOX_TRANSIT_GATEWAY_ID,
    ...NO_BUNDLING,
  };
}

/**
 * What the operator makes before deploying (docs/deploy.md): the Slack webhook secret the hub reads,
 * here holding the sandbox's Slack outbox. Its value follows the endpoint (a restart may change port).
 */
export async function ensureSlackSecret(runtime: LocalRuntime, endpoint: string): Promise<void> {
  const client = new SecretsManagerClient({
    endpoint,
    region: runtime.homeRegion,
    credentials: runtime.hubCredentials(),
    maxAttempts: 1,
  });
  const SecretId = runtime.config.slack.webhookSecretName;
  const SecretString = `${endpoint}/_sandbox/slack/webhook`;
  try {
    const current = await client.send(new GetSecretValueCommand({ SecretId })).catch((error: Error) => {
      if (error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    });
    if (!current) {
      await client.send(
        new CreateSecretCommand({
          Name: SecretId,
          Description: "vendguard's Slack incoming webhook (the sandbox's outbox)",
          SecretString,
        }),
      );
    } else if (current.SecretString !== SecretString) {
      await client.send(new PutSecretValueCommand({ SecretId, SecretString }));
    }
  } finally {
    client.destroy();
  }
}

/** The account a stack targets: its own when the assembly names one, else the deployer's (the hub). */
function targetAccount(runtime: LocalRuntime, stack: AssemblyStack): string {
  return /^\d{12}$/.test(stack.account ?? '') ? (stack.account as string) : runtime.managementAccountId;
}

async function describe(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message))
      return undefined;
    throw error;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the stack leaves `*_IN_PROGRESS` (bounded); returns it, or undefined once deleted. */
async function settle(cfn: CloudFormationClient, name: string, timeoutMs = 120_000): Promise<Stack | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stack = await describe(cfn, name);
    if (!stack?.StackStatus?.endsWith('IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`stack ${name} is still ${stack.StackStatus} after ${timeoutMs} ms`);
    await pause(10);
  }
}

/** The resources that failed in the stack's latest operation, as DescribeStackEvents tells them. */
async function failures(cfn: CloudFormationClient, name: string): Promise<StackDeployError['failures']> {
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
  // newest first: stop at the operation's start
  const latest = [];
  for (const event of events) {
    if (event.ResourceType === 'AWS::CloudFormation::Stack' && event.ResourceStatusReason === 'User Initiated') break;
    latest.push(event);
  }
  return latest
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceType !== 'AWS::CloudFormation::Stack')
    .reverse()
    .map((e) => ({
      logicalId: e.LogicalResourceId ?? '?',
      type: e.ResourceType ?? '?',
      reason: e.ResourceStatusReason ?? '',
    }));
}

/**
 * Deploys one stack of the assembly as `cdk deploy` does (a change set), waiting for it to settle:
 * the hub's own stacks as the hub; another account's through its deploy role, the change set
 * executed by its CloudFormation execution role, so the resources are that account's.
 */
async function deployStack(runtime: LocalRuntime, endpoint: string, stack: AssemblyStack): Promise<DeployedStack> {
  const started = performance.now();
  const account = targetAccount(runtime, stack);
  bootstrap(runtime, account, stack.region);
  const roles = account === runtime.managementAccountId ? undefined : bootstrapRoles(account, stack.region);
  const cfn = new CloudFormationClient({
    endpoint,
    region: stack.region,
    credentials: roles ? deployRoleSession(runtime, endpoint, roles.deploy, stack.region) : runtime.hubCredentials(),
    maxAttempts: 3,
  });
  const done = (action: DeployedStack['action']): DeployedStack => ({
    name: stack.name,
    account,
    region: stack.region,
    action,
    ms: Math.round(performance.now() - started),
  });
  try {
    const body = JSON.stringify(stack.template);
    let existing = await settle(cfn, stack.name);
    if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
      // a stack whose creation failed cannot be updated: cdk deploy deletes it and creates it again
      await cfn.send(new DeleteStackCommand({ StackName: stack.name }));
      existing = await settle(cfn, stack.name);
    }
    if (existing) {
      const current = (await cfn.send(new GetTemplateCommand({ StackName: stack.name }))).TemplateBody;
      if (current === body && !existing.StackStatus?.includes('ROLLBACK')) return done('unchanged');
    }
    const type = existing ? 'UPDATE' : 'CREATE';
    const ChangeSetName = `vendguard-${type.toLowerCase()}-${Date.now()}`;
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: stack.name,
        ChangeSetName,
        ChangeSetType: type,
        TemplateBody: body,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        ...(roles ? { RoleARN: roles.cfnExec } : {}),
        Description: `vendguard sandbox deployment of assembly ${stack.name}`,
      }),
    );
    const changeSet = await cfn.send(new DescribeChangeSetCommand({ StackName: stack.name, ChangeSetName }));
    if (changeSet.Status === 'FAILED') {
      if (/didn't contain changes|No updates/.test(changeSet.StatusReason ?? '')) return done('unchanged');
      throw new StackDeployError(stack.name, `change set FAILED: ${changeSet.StatusReason}`, []);
    }
    await cfn.send(new ExecuteChangeSetCommand({ StackName: stack.name, ChangeSetName }));
    const settled = await settle(cfn, stack.name);
    const status = settled?.StackStatus ?? 'DELETED';
    if (status !== `${type}_COMPLETE`) {
      throw new StackDeployError(stack.name, status, await failures(cfn, stack.name));
    }
    return done(type === 'CREATE' ? 'created' : 'updated');
  } finally {
    cfn.destroy();
  }
}

/** Deploys every stack of an assembly, in the assembly's order (the hub before what refers to it). */
export async function deployAssembly(
  runtime: LocalRuntime,
  endpoint: string,
  stacks: readonly AssemblyStack[],
  onStack?: (stack: DeployedStack) => void,
): Promise<DeployedStack[]> {
  await ensureSlackSecret(runtime, endpoint);
  const out: DeployedStack[] = [];
  for (const stack of stacks) {
    const deployed = await deployStack(runtime, endpoint, stack);
    onStack?.(deployed);
    out.push(deployed);
  }
  return out;
}

export interface DeployAppOptions {
  /** The project root (`cdk.json`). @default PROJECT_ROOT */
  readonly root?: string;
  /** @default defaultCacheDir(root) */
  readonly cacheDir?: string;
  /** Synthesize even if a cached assembly exists. */
  readonly force?: boolean;
  /** Told each stack as it is deployed (`npm start` prints progress). */
  readonly onStack?: (stack: DeployedStack) => void;
}

/** Synthesizes the CDK app with the sandbox's ids (cached) and deploys all of it. */
export async function deployApp(
  runtime: LocalRuntime,
  endpoint: string,
  options: DeployAppOptions = {},
): Promise<AppDeployment> {
  const root = options.root ?? PROJECT_ROOT;
  const assembly = await synthesize({
    root,
    cacheDir: options.cacheDir ?? defaultCacheDir(root),
    context: sandboxContext(runtime),
    // the app synthesizes the config the sandbox runs on (a test's own, or VENDGUARD_CONFIG)
    configPath: runtime.loaded.path,
    ...(options.force ? { force: true } : {}),
  });
  const stacks = await deployAssembly(runtime, endpoint, assembly.stacks, options.onStack);
  return {
    assembly: { hash: assembly.hash, cached: assembly.cached, ms: assembly.ms, dir: assembly.dir },
    stacks,
  };
}
