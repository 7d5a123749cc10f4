import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ConvergeResult } from '../../functions/shared/network/converge';
import type { LocalRuntime } from '../core/runtime';

/** What `npm start` did to the network after deploying the app: the last pass of the convergence. */
export type NetworkConvergence = ConvergeResult | { status: 'RUNNING'; reason: string } | { status: 'SKIPPED' };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `vendguard network converge --wait` as `npm start` runs it after deploying the app: invokes the
 * deployed `vendguard-network-converge` with the hub's credentials until it settles (bounded). A
 * config without a network skips it.
 */
export async function convergeNetwork(
  runtime: LocalRuntime,
  endpoint: string,
  timeoutMs = 60_000,
): Promise<NetworkConvergence> {
  if (!runtime.config.network) return { status: 'SKIPPED' };
  const lambda = new LambdaClient({
    endpoint,
    region: runtime.homeRegion,
    credentials: runtime.hubCredentials(),
    maxAttempts: 3,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: 'vendguard-network-converge', Payload: Buffer.from('{}') }),
      );
      const payload = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || 'null') as NetworkConvergence & {
        errorType?: string;
        errorMessage?: string;
      };
      if (out.FunctionError) {
        throw new Error(`network converge failed: ${payload?.errorType}: ${payload?.errorMessage}`);
      }
      if (payload.status !== 'RUNNING' || Date.now() > deadline) return payload;
      await pause(50);
    }
  } finally {
    lambda.destroy();
  }
}
