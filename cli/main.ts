#!/usr/bin/env node
import { Command } from 'commander';
import { COMMANDS } from './commands';
import { CliError, EXIT } from './output';

export function buildProgram(): Command {
  const program = new Command('vendguard')
    .description('Account vending and guardrails for AWS Organizations: operate executions, events and the sandbox')
    .option('--endpoint-url <url>', 'AWS endpoint (default: AWS_ENDPOINT_URL, e.g. the sandbox http://127.0.0.1:4566)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the home region of the config)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((err) => {
      // --help and --version end with 0; any usage error commander reports (unknown option, missing
      // argument, an InvalidArgumentError from an argument parser) with 2, after commander printed it.
      // The parsers of cli/options.ts throw an OptionError instead, which commander passes through:
      // parseAsync rejects and reportError prints it, exit 2 as well.
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    })
    .hook('preAction', (cmd) => {
      const { endpointUrl, region } = cmd.opts<{ endpointUrl?: string; region?: string }>();
      if (endpointUrl) process.env.AWS_ENDPOINT_URL = endpointUrl;
      if (region) process.env.AWS_REGION = region;
    });
  program.addHelpText(
    'after',
    `
Point it at AWS with the default credential chain, or at the sandbox (npm start) with
  export AWS_ENDPOINT_URL=http://127.0.0.1:4566     (or --endpoint-url)

Exit codes: 0 ok, 1 the operation failed (an execution or a replay failed), 2 usage or invalid
input (nothing was changed), 3 AWS or the sandbox could not be reached.`,
  );
  for (const register of COMMANDS) register(program);
  return program;
}

if (require.main === module) {
  // As cli/bin.cjs does for `npx vendguard`: Node 20 is a supported dev runtime here, so no SDK nag
  // (the SDK checks when a client is first used, so setting it here is early enough).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  buildProgram().parseAsync(process.argv).catch(reportError);
}

/** Prints an error the way every command does and sets the exit code it carries. */
export function reportError(err: unknown): void {
  console.error(`vendguard: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof CliError ? err.exitCode : isConnectionError(err) ? EXIT.aws : EXIT.failed;
}

function isConnectionError(err: unknown): boolean {
  const code =
    (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET';
}
