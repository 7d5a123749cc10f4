import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import './setup';
import { startSandbox } from '../sandbox/index';

/**
 * Synthesizes the CDK app once before the workers start (every test sandbox then reuses the cached
 * assembly instead of each worker synthesizing it), by starting one sandbox and stopping it.
 */
export default async function globalSetup(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'vendguard-synth-'));
  try {
    const sandbox = await startSandbox({ port: 0, home, quiet: true });
    await sandbox.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
