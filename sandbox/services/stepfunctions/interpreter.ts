/**
 * aws-local-stepfunctions, loaded on first use, and what the sandbox needs of it that it does not
 * export: its `States.Timeout` error class.
 */
import '../../core/polyfills';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

export type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

type Interpreter = typeof import('aws-local-stepfunctions');
let interpreter: Interpreter | undefined;

/** The interpreter, loaded on first use: it pulls in the Lambda SDK client (~0.5 s) a sandbox without executions never needs. */
export function loadInterpreter(): Interpreter {
  interpreter ??= require('aws-local-stepfunctions') as Interpreter;
  return interpreter;
}

type ErrorClass = new () => Error;
let timeoutErrorClass: Promise<ErrorClass> | undefined;

/** The resource of the probe task (never invoked: a local handler overrides it). */
const PROBE_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:vendguard-sandbox-probe';

/**
 * The interpreter's `States.Timeout` error class, which it does not export: its `States.TaskFailed`
 * matches any error but one of this class, as AWS's matches any error but `States.Timeout`. Found
 * once, by timing out a one-state machine (1 ms).
 */
function statesTimeoutErrorClass(): Promise<ErrorClass> {
  timeoutErrorClass ??= (async () => {
    const probe = new (loadInterpreter().StateMachine)(
      {
        StartAt: 'Probe',
        States: { Probe: { Type: 'Task', Resource: PROBE_RESOURCE, TimeoutSeconds: 0.001, End: true } },
      } as unknown as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const never = () => new Promise<never>(() => {});
    const run = probe.run(
      {},
      { overrides: { taskResourceLocalHandlers: { Probe: never } as unknown as LocalHandlers } },
    );
    const cause = await run.result.then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err.cause : undefined),
    );
    if (!(cause instanceof Error) || cause.name !== 'States.Timeout') {
      throw new Error('aws-local-stepfunctions did not time out its probe task with States.Timeout');
    }
    return cause.constructor as ErrorClass;
  })();
  return timeoutErrorClass;
}

/**
 * A task's `States.Timeout` as the interpreter's own: `States.TaskFailed` does not match it, and a
 * Catch sees `{"Error": "States.Timeout", "Cause": ""}`, as in AWS.
 */
export async function statesTimeoutError(): Promise<Error> {
  const error = new (await statesTimeoutErrorClass())();
  error.message = '';
  return error;
}
