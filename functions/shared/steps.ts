/**
 * How a vendguard state machine fails and is redriven: a caught error is announced, then
 * `RaiseFailure` throws it again so the execution fails with it; once the execution is redriven,
 * `RaiseFailure` names the failed step instead, and a Choice goes back to it with the state it had.
 */
import { logger } from './logger';

/** A caught error as Step Functions records it (`ResultPath: $.error`). */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** Which step failed, and in which run (`$$.Execution.RedriveCount` when it failed). */
export interface StepFailure {
  readonly step?: string;
  readonly redriveCount?: number;
}

/** The message of a Lambda error's cause (its JSON `errorMessage`), or the cause itself. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause recorded';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) return String(parsed.errorMessage);
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

/** The error the execution fails with: the failed step's, under its own name. */
export class StepFailedError extends Error {
  constructor(name: string, message: string, fallbackName: string) {
    super(message);
    // Lambda.* and States.* names would be retried or caught again by RaiseFailure itself.
    this.name = /^(Lambda|States)\./.test(name) ? fallbackName : name;
  }
}

/**
 * RaiseFailure: throws the failed step's error, unless the execution was redriven since the step
 * failed; then returns the step to go back to.
 *
 * @param fallbackName - the error name when the step's own is a Lambda.* / States.* one
 */
export function raiseOrResume(
  failure: StepFailure | undefined,
  error: CaughtError | undefined,
  redriveCount: number,
  fallbackName: string,
): { readonly step: string } {
  const step = failure?.step;
  if (step && redriveCount > (failure?.redriveCount ?? 0)) {
    logger.info('redriven: resuming the failed step', { step, redriveCount });
    return { step };
  }
  const name = error?.Error ?? fallbackName;
  const cause = causeMessage(error?.Cause);
  throw new StepFailedError(
    name,
    `${step ?? 'a step'} failed: ${/^(Lambda|States)\./.test(name) ? `${name}: ` : ''}${cause}`,
    fallbackName,
  );
}
