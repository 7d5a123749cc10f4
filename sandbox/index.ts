import './core/polyfills';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { convergeNetwork, type NetworkConvergence } from './cdk/converge';
import { type AppDeployment, type DeployedStack, deployApp } from './cdk/deploy';
import { LocalRuntime, type RuntimeOptions } from './core/runtime';
import { type AnyService, SandboxServer } from './core/server';
import { createServices } from './services';
import { seedDeployerRole } from './services/iam/seed';
import './slack-outbox';

/**
 * Starts the sandbox: runtime, services, HTTP server on 127.0.0.1, each service's `start()` (seed
 * the organization and the accounts' roles), then deploys the synthesized CDK app into it: the hub,
 * its us-east-1 events stack and the governance stack, through its own CloudFormation API.
 *
 * @example
 * const sandbox = await startSandbox({ port: 0, home: '/tmp/vg', timeScale: 6000 });
 * process.env.AWS_ENDPOINT_URL = sandbox.endpoint;
 * await sandbox.stop();
 */
export interface SandboxOptions extends RuntimeOptions {
  /** Default `VENDGUARD_SANDBOX_PORT` or 4566; 0 picks a free port. */
  readonly port?: number;
  /** A JSON file of fault rules; default `VENDGUARD_FAULTS`. */
  readonly faultsFile?: string;
  /** Wipe the home's state before starting. */
  readonly reset?: boolean;
  /** No logging of internal errors. */
  readonly quiet?: boolean;
  /** Told each stack of the CDK app as it is deployed (`npm start` prints progress). */
  readonly onStack?: (stack: DeployedStack) => void;
  /**
   * After deploying, run `vendguard network converge` until it settles (the egress and bastion VPCs,
   * the core routes). `npm start` does; a test that needs the core network asks for it.
   */
  readonly convergeNetwork?: boolean;
}

export interface RunningSandbox {
  readonly endpoint: string;
  readonly runtime: LocalRuntime;
  readonly services: readonly AnyService[];
  /** What the start deployed (the assembly, and each stack's action). */
  readonly deployment: AppDeployment;
  /** The network convergence's last pass (`convergeNetwork`), else undefined. */
  readonly network: NetworkConvergence | undefined;
  stop(): Promise<void>;
}

/** Removes every account's and region's DynamoDB tables (dynalite's files). */
function wipeDynamoDb(home: string): void {
  for (const dir of ['dynamodb', 'dynamodb-scopes']) rmSync(join(home, dir), { recursive: true, force: true });
}

async function startServices(services: readonly AnyService[], runtime: LocalRuntime): Promise<void> {
  for (const s of services) await s.start?.(runtime);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const runtime = new LocalRuntime(options);
  try {
    if (options.reset) {
      runtime.store.clear();
      runtime.hubCredentials();
      wipeDynamoDb(runtime.home);
    }
    const faultsFile = options.faultsFile ?? process.env.VENDGUARD_FAULTS;
    if (faultsFile) runtime.faults.loadFile(faultsFile);
    const services = createServices(runtime);
    const server = new SandboxServer(runtime, services);
    if (!options.quiet) {
      server.onInternalError = (err, what) => console.error(`[sandbox] internal error in ${what}:`, err);
    }
    const port = options.port ?? Number(process.env.VENDGUARD_SANDBOX_PORT ?? 4566);
    const endpoint = await server.listen(port);
    runtime.endpoint = endpoint;
    let network: NetworkConvergence | undefined;
    const deploy = async () => {
      const deployed = await deployApp(runtime, endpoint, options.onStack ? { onStack: options.onStack } : {});
      if (options.convergeNetwork) network = await convergeNetwork(runtime, endpoint);
      return deployed;
    };
    let deployment: AppDeployment;
    try {
      await startServices(services, runtime);
      seedDeployerRole(runtime);
      deployment = await deploy();
    } catch (err) {
      await server.close();
      for (const s of services) await s.stop?.();
      throw err;
    }
    runtime.onReset(async () => {
      // every service restarts on the wiped store; DynamoDB's tables live in dynalite's own files,
      // wiped too, so that the redeployed hub stack makes its table again
      for (const s of services) await s.stop?.();
      wipeDynamoDb(runtime.home);
      await startServices(services, runtime);
      seedDeployerRole(runtime);
      deployment = await deploy();
    });
    let stopped = false;
    return {
      endpoint,
      runtime,
      services,
      get deployment() {
        return deployment;
      },
      get network() {
        return network;
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.close();
        for (const s of services) await s.stop?.();
        await runtime.drain();
        runtime.close();
      },
    };
  } catch (err) {
    runtime.close();
    throw err;
  }
}

export { LocalRuntime } from './core/runtime';
