import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FUNCTIONS, functionSpec } from '../../functions/manifest';
import { PROJECT_ROOT } from '../../infra/config/load';
import { CliError, EXIT, printJson } from '../output';

/** A Lambda-like context for a local invocation. */
function localContext(name: string, timeoutSeconds: number) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    functionName: `vendguard-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'eu-west-1'}:000000000000:function:vendguard-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/vendguard-${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: unknown, context: ReturnType<typeof localContext>) => Promise<unknown>;

/** Invokes a manifest function in this process on an event; resolves to its result. */
export async function invokeLocal(name: string, event: unknown): Promise<unknown> {
  let spec: ReturnType<typeof functionSpec>;
  try {
    spec = functionSpec(name);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const mod = require(resolve(PROJECT_ROOT, spec.entry)) as { handler?: Handler };
  if (typeof mod.handler !== 'function') throw new CliError(`${spec.entry} exports no handler`, EXIT.failed);
  return mod.handler(event, localContext(spec.name, spec.timeoutSeconds ?? 30));
}

export function register(program: Command): void {
  program
    .command('invoke')
    .description(
      'Run one manifest function locally on an event file (like sam local invoke), against the configured endpoint',
    )
    .argument('<function>', `function name: ${FUNCTIONS.map((f) => f.name).join(', ')}`)
    .argument('<event.json>', 'event file, e.g. events/samples/aws.ec2/attach-internet-gateway.json ("-" for stdin)')
    .addHelpText(
      'after',
      `
Examples:
  $ AWS_ENDPOINT_URL=http://127.0.0.1:4566 vendguard invoke guard-internet-gateway events/samples/aws.ec2/create-internet-gateway.json
  $ vendguard invoke vend-validate-request request.json

Prints the function's result as JSON. Exit codes: 0 it returned, 1 it threw (error name and message printed), 2 usage.`,
    )
    .action(async (name: string, file: string) => {
      let event: unknown;
      try {
        event = JSON.parse(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read event ${file}: ${(err as Error).message}`, EXIT.usage);
      }
      try {
        printJson((await invokeLocal(name, event)) ?? null);
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`${name} failed: ${(err as Error).name}: ${(err as Error).message}`, EXIT.failed);
      }
    });
}
