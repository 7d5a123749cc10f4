import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import { assumedRolePrincipal } from '../../sandbox/core/identity';
import type { LocalRuntime } from '../../sandbox/core/runtime';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../sandbox/index';

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
   * `arn:aws:sts::<accountId>:assumed-role/<role>/<session>` (role default `Admin`, session `test`).
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

/** The access key tests use for the admin user (unknown keys act as `sandbox-admin`). */
export const TEST_ADMIN_KEY = 'AKIASANDBOXTESTADMIN';

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'vendguard-test-'));
  const sandbox = await startSandbox({ timeScale: 6000, quiet: true, ...options, port: options.port ?? 0, home });
  const { runtime } = sandbox;
  const credentials = (o: TestClientOptions = {}): AwsCredentialIdentity => {
    if (!o.accountId) return { accessKeyId: TEST_ADMIN_KEY, secretAccessKey: 'sandbox' };
    const issued = runtime.registerPrincipal(assumedRolePrincipal(o.accountId, o.role ?? 'Admin', o.session ?? 'test'));
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
