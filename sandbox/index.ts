import './core/polyfills';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRuntime, type RuntimeOptions } from './core/runtime';
import { type AnyService, isRaw, SandboxServer } from './core/server';
import { deployGovernance } from './deploy';
import { createServices } from './services';
import { seedHubRoles } from './services/iam/seed';
import './slack-outbox';

/**
 * Starts the sandbox: runtime, services, HTTP server on 127.0.0.1, then each service's `start()`
 * (seed the organization, load rules and state machines).
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
}

export interface RunningSandbox {
  readonly endpoint: string;
  readonly runtime: LocalRuntime;
  readonly services: readonly AnyService[];
  stop(): Promise<void>;
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
      rmSync(join(runtime.home, 'dynamodb'), { recursive: true, force: true });
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
    try {
      // the hub's roles first: starting services already calls AWS as the hub (DynamoDB's table)
      seedHubRoles(runtime);
      await startServices(services, runtime);
      await deployGovernance(runtime, endpoint);
    } catch (err) {
      await server.close();
      for (const s of services) await s.stop?.();
      throw err;
    }
    runtime.onReset(async () => {
      // raw-HTTP services (dynalite, S3 Control) keep running across a reset
      const restartable = services.filter((s) => !isRaw(s));
      for (const s of restartable) await s.stop?.();
      seedHubRoles(runtime);
      await startServices(restartable, runtime);
      await deployGovernance(runtime, endpoint);
    });
    let stopped = false;
    return {
      endpoint,
      runtime,
      services,
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
