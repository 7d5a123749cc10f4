import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListParentsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity } from '@smithy/types';
import { deployedRuleName, scheduledFunctionRules } from '../../events/rules';
import { FUNCTIONS } from '../../functions/manifest';
import { assumedRolePrincipal } from '../../sandbox/core/identity';
import type { LocalRuntime } from '../../sandbox/core/runtime';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../sandbox/index';
import { bumpRulesVersion, hubScope, keys, type RuleRecord, TABLES } from '../../sandbox/services/eventbridge/model';
import { getRole } from '../../sandbox/services/iam/model';

/**
 * A sandbox for integration tests: port 0 on 127.0.0.1, a fresh temporary home (removed on
 * `stop()` unless you passed `home`), time scale 6000 (a 4-minute CreateAccount takes 40 ms).
 *
 * @example
 * let sb: TestSandbox;
 * beforeAll(async () => { sb = await startTestSandbox(); });
 * afterAll(() => sb.stop());
 * const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
 * const ec2 = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
 */
export interface TestSandbox {
  readonly endpoint: string;
  readonly runtime: LocalRuntime;
  readonly sandbox: RunningSandbox;
  readonly home: string;
  /**
   * An SDK client against the sandbox. Without `accountId` it acts as the admin user of the
   * management account (`arn:aws:iam::100000000001:user/sandbox-admin`); with it, as
   * `arn:aws:sts::<accountId>:assumed-role/<role>/<session>` (role default `OrganizationAccountAccessRole`,
   * session `test`; the role must exist, and its policies and the account's SCPs apply).
   * `maxAttempts` defaults to 1 (no retries), region to the home region.
   */
  client<C>(Client: new (config: TestClientConfig) => C, options?: TestClientOptions): C;
  /** Credentials of a principal (same rules as `client`). */
  credentials(options?: TestClientOptions): AwsCredentialIdentity;
  /** The account id of a config account name (`egress`) or a vended account's name. */
  accountId(name: string): string;
  stop(): Promise<void>;
}

export interface TestClientOptions {
  readonly accountId?: string;
  readonly role?: string;
  readonly session?: string;
  readonly region?: string;
  readonly maxAttempts?: number;
}

export interface TestClientConfig {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity;
  maxAttempts: number;
}

/** The documented admin pair `test`/`test`: the management account's `sandbox-admin` user. */
export const TEST_ADMIN_KEY = 'test';
export const TEST_ADMIN_SECRET = 'test';

/** Any running sandbox (a test sandbox, or `startSandbox`'s in a benchmark). */
export interface RunningSandboxLike {
  readonly endpoint: string;
  readonly runtime: LocalRuntime;
}

/** SDK client config acting as the admin (test/test), one attempt. */
const adminConfig = (sb: RunningSandboxLike) => ({
  endpoint: sb.endpoint,
  region: sb.runtime.homeRegion,
  credentials: { accessKeyId: TEST_ADMIN_KEY, secretAccessKey: TEST_ADMIN_SECRET },
  maxAttempts: 1,
});

/**
 * Deploys the security baseline to an account as vending does (its remediation role and event
 * forwarding), in the home region and in us-east-1 where the baseline creates its IAM roles.
 */
export async function deploySecurityBaseline(sb: RunningSandboxLike, ...accountIds: string[]): Promise<void> {
  const cfn = new CloudFormationClient(adminConfig(sb));
  const op = await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: 'vendguard-baseline-security',
      DeploymentTargets: {
        OrganizationalUnitIds: [sb.runtime.organizations.rootId],
        Accounts: accountIds,
        AccountFilterType: 'INTERSECTION',
      },
      Regions: ['eu-west-1', 'us-east-1'],
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 100 },
    }),
  );
  await waitForAsync(`the baseline of ${accountIds.join(', ')}`, async () => {
    const out = await cfn.send(
      new DescribeStackSetOperationCommand({
        StackSetName: 'vendguard-baseline-security',
        OperationId: op.OperationId as string,
      }),
    );
    const status = out.StackSetOperation?.Status;
    if (status === 'FAILED' || status === 'STOPPED') throw new Error(`baseline operation ${status}`);
    return status === 'SUCCEEDED';
  });
}

async function waitForAsync(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Creates an account with Organizations CreateAccount (as the admin) and, when `ouPath` is given,
 * moves it there from the root, as vending leaves an account before its baseline. Returns its id.
 */
export async function createAccountIn(sb: RunningSandboxLike, name: string, ouPath?: string): Promise<string> {
  const org = new OrganizationsClient({ ...adminConfig(sb), region: 'us-east-1' });
  const created = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@acme.example` }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = (
      await org.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id }),
      )
    ).CreateAccountStatus;
    if (s?.State === 'SUCCEEDED') {
      const accountId = s.AccountId as string;
      if (ouPath) {
        await org.send(
          new MoveAccountCommand({
            AccountId: accountId,
            SourceParentId: sb.runtime.organizations.rootId,
            DestinationParentId: sb.runtime.organizations.ouIdByPath(ouPath),
          }),
        );
      }
      return accountId;
    }
    if (s?.State === 'FAILED' || Date.now() > deadline) {
      throw new Error(`CreateAccount of ${name} ${s?.State}: ${s?.FailureReason ?? 'timed out'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Moves an account from its parent to the root, out of reach of its OU's SCPs; returns its id. */
export async function moveToRoot(sb: TestSandbox, name: string): Promise<string> {
  const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  const accountId = sb.accountId(name);
  const source = (await org.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
  await org.send(
    new MoveAccountCommand({
      AccountId: accountId,
      SourceParentId: source,
      DestinationParentId: sb.runtime.organizations.rootId,
    }),
  );
  return accountId;
}

/** What a test sandbox changes from `startSandbox`'s defaults. */
export interface TestSandboxOptions extends SandboxOptions {
  /**
   * Keep the scheduled functions' rules enabled. At time scale 6000, guard-reconcile's `rate(6 hours)`
   * would sweep every 3.6 real seconds and race the scene a test sets, so a test sandbox disables the
   * deployed `vendguard-guard-reconcile-schedule` unless this is true. It does so in the store, not
   * with DisableRule: the API call would (rightly) raise vendguard's tampering alert in every test.
   * @default false
   */
  readonly schedules?: boolean;
}

/** Disables the deployed schedules of the scheduled functions, in the store (no CloudTrail event). */
function pauseSchedules(runtime: LocalRuntime): void {
  const hub = hubScope(runtime);
  for (const rule of scheduledFunctionRules(FUNCTIONS)) {
    const key = keys.rule(hub, rule.eventBus, deployedRuleName(rule.name));
    const record = runtime.store.get<RuleRecord>(TABLES.rules, key);
    if (!record) throw new Error(`the deployed hub has no rule ${deployedRuleName(rule.name)}`);
    runtime.store.put<RuleRecord>(TABLES.rules, key, { ...record, State: 'DISABLED' });
  }
  bumpRulesVersion(runtime.store);
}

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'vendguard-test-'));
  const sandbox = await startSandbox({ timeScale: 6000, quiet: true, ...options, port: options.port ?? 0, home });
  const { runtime } = sandbox;
  if (!options.schedules) pauseSchedules(runtime);
  const credentials = (o: TestClientOptions = {}): AwsCredentialIdentity => {
    if (!o.accountId) return { accessKeyId: TEST_ADMIN_KEY, secretAccessKey: TEST_ADMIN_SECRET };
    const role = o.role ?? 'OrganizationAccountAccessRole';
    if (!getRole(runtime.store, o.accountId, role)) throw new Error(`account ${o.accountId} has no role ${role}`);
    // a session that does not expire, so a slow test is not failed by the compressed clock
    const issued = runtime.registerPrincipal(assumedRolePrincipal(o.accountId, role, o.session ?? 'test'));
    return {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
    };
  };
  return {
    endpoint: sandbox.endpoint,
    runtime,
    sandbox,
    home,
    credentials,
    client: (Client, o = {}) =>
      new Client({
        endpoint: sandbox.endpoint,
        region: o.region ?? runtime.homeRegion,
        credentials: credentials(o),
        maxAttempts: o.maxAttempts ?? 1,
      }),
    accountId: (name) => {
      const id = runtime.organizations.accountIdByName(name);
      if (!id) throw new Error(`no sandbox account named ${name}`);
      return id;
    },
    stop: async () => {
      await sandbox.stop();
      if (ownHome) rmSync(home, { recursive: true, force: true });
    },
  };
}
