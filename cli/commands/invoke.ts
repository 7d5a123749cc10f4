import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../../config/load';
import { FUNCTIONS, functionSpec } from '../../functions/manifest';
import { awsClient } from '../../functions/shared/aws';
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

/** The manifest function a name stands for (`guard-alert`, `vendguard-guard-alert`); usage error otherwise. */
function specOf(name: string): ReturnType<typeof functionSpec> {
  try {
    return functionSpec(name.replace(/^vendguard-/, ''));
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

/** Invokes a manifest function in this process on an event (`--local`); resolves to its result. */
export async function invokeLocal(name: string, event: unknown): Promise<unknown> {
  const spec = specOf(name);
  const mod = require(resolve(PROJECT_ROOT, spec.entry)) as { handler?: Handler };
  if (typeof mod.handler !== 'function') throw new CliError(`${spec.entry} exports no handler`, EXIT.failed);
  return mod.handler(event, localContext(spec.name, spec.timeoutSeconds ?? 30));
}

/** What a deployed invocation answered. */
export interface RemoteInvocation {
  readonly statusCode: number;
  readonly payload: unknown;
  /** Lambda's `FunctionError` (`Unhandled`) when the function failed. */
  readonly functionError?: string;
  /** The decoded log tail (`--log`). */
  readonly log?: string;
}

/**
 * Invokes the deployed function `vendguard-<name>` (or an ARN) through the Lambda API at the
 * configured endpoint, with the configured credentials: what AWS runs, with its role and settings.
 */
export async function invokeDeployed(
  name: string,
  event: unknown,
  options: { async?: boolean; log?: boolean } = {},
): Promise<RemoteInvocation> {
  const FunctionName = name.startsWith('arn:') ? name : `vendguard-${specOf(name).name}`;
  const lambda = awsClient(LambdaClient);
  let out: InvokeCommandOutput;
  try {
    out = await lambda.send(
      new InvokeCommand({
        FunctionName,
        InvocationType: options.async ? 'Event' : 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(event)),
        ...(options.log && !options.async ? { LogType: 'Tail' } : {}),
      }),
    );
  } catch (err) {
    const e = err as Error;
    const exit = e.name === 'ResourceNotFoundException' ? EXIT.usage : EXIT.aws;
    throw new CliError(`cannot invoke ${FunctionName}: ${e.name}: ${e.message}`, exit);
  } finally {
    lambda.destroy();
  }
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  return {
    statusCode: out.StatusCode ?? 0,
    payload: text ? (JSON.parse(text) as unknown) : null,
    ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
    ...(out.LogResult ? { log: Buffer.from(out.LogResult, 'base64').toString('utf8') } : {}),
  };
}

export function register(program: Command): void {
  program
    .command('invoke')
    .description(
      'Invoke a deployed vendguard function through the Lambda API on an event file (--local: run its source in this process)',
    )
    .argument(
      '<function>',
      `function name: ${FUNCTIONS.map((f) => f.name).join(', ')} (or vendguard-<name>, or an ARN)`,
    )
    .argument('<event.json>', 'event file, e.g. events/samples/aws.ec2/attach-internet-gateway.json ("-" for stdin)')
    .option('--async', 'invoke asynchronously (InvocationType Event): Lambda queues it and retries twice')
    .option('--log', "print the invocation's log tail (LogType Tail) on stderr")
    .option('--local', 'run the handler source in this process instead (like sam local invoke), against the endpoint')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard invoke guard-internet-gateway events/samples/aws.ec2/create-internet-gateway.json
  $ vendguard invoke vend-validate-request request.json --log
  $ vendguard invoke guard-reconcile - --async <<< '{"detail-type":"Scheduled Event"}'
  $ vendguard invoke guard-alert finding.json --local

Prints the function's result as JSON (--async: {"statusCode":202}). The deployed function runs as AWS
runs it: its execution role, environment, timeout and concurrency.
Exit codes: 0 it returned, 1 it failed (error type and message printed), 2 usage (unknown function,
unreadable event), 3 the endpoint could not be reached or refused the call.`,
    )
    .action(async (name: string, file: string, opts: { async?: boolean; log?: boolean; local?: boolean }) => {
      let event: unknown;
      try {
        event = JSON.parse(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read event ${file}: ${(err as Error).message}`, EXIT.usage);
      }
      if (opts.local) {
        try {
          printJson((await invokeLocal(name, event)) ?? null);
        } catch (err) {
          if (err instanceof CliError) throw err;
          throw new CliError(`${name} failed: ${(err as Error).name}: ${(err as Error).message}`, EXIT.failed);
        }
        return;
      }
      const result = await invokeDeployed(name, event, opts);
      if (result.log) process.stderr.write(result.log);
      if (opts.async) {
        printJson({ statusCode: result.statusCode });
        return;
      }
      if (result.functionError) {
        const error = (result.payload ?? {}) as { errorType?: string; errorMessage?: string };
        throw new CliError(
          `${name} failed: ${error.errorType ?? result.functionError}: ${error.errorMessage ?? ''}`,
          EXIT.failed,
        );
      }
      printJson(result.payload);
    });
}
