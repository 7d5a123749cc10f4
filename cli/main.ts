#!/usr/bin/env node
import { Command } from 'commander';
import { COMMANDS } from './commands';

/** Exit codes of every command; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (an execution failed, a replay had failures). */
  failed: 1,
  /** Bad usage or invalid input; nothing was changed. */
  usage: 2,
  /** AWS (or the sandbox) could not be reached or refused the call. */
  aws: 3,
} as const;

export function buildProgram(): Command {
  const program = new Command('vendguard')
    .description('Account vending and guardrails for AWS Organizations: operate executions, events and the sandbox')
    .option('--endpoint-url <url>', 'AWS endpoint (default: AWS_ENDPOINT_URL, e.g. the sandbox http://127.0.0.1:4566)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the home region of the config)')
    .showHelpAfterError('(run with --help for usage)')
    .hook('preAction', (cmd) => {
      const { endpointUrl, region } = cmd.opts<{ endpointUrl?: string; region?: string }>();
      if (endpointUrl) process.env.AWS_ENDPOINT_URL = endpointUrl;
      if (region) process.env.AWS_REGION = region;
    });
  for (const register of COMMANDS) register(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`vendguard: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = EXIT.failed;
    });
}
