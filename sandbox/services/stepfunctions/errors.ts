/**
 * Errors of the sandbox's Step Functions service. The API errors reach the SDK as the named
 * exceptions of `@aws-sdk/client-sfn` (their `code` is the `__type`); the task errors are what a
 * Retry/Catch of an execution sees. Names are API: rename only on purpose.
 */
import { AwsServiceError } from '../../core/types';

/** Base of every API error this service returns. */
export class StepFunctionsApiError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = code;
  }
}

export class StateMachineDoesNotExist extends StepFunctionsApiError {
  constructor(arn: string) {
    super('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }
}

export class StateMachineAlreadyExists extends StepFunctionsApiError {
  constructor(arn: string) {
    super('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
}

export class ExecutionDoesNotExist extends StepFunctionsApiError {
  constructor(arn: string) {
    super('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }
}

export class ExecutionAlreadyExists extends StepFunctionsApiError {
  constructor(arn: string) {
    super('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }
}

export class ExecutionNotRedrivable extends StepFunctionsApiError {
  constructor(arn: string, reason: string) {
    super('ExecutionNotRedrivable', `Execution '${arn}' cannot be redriven: ${reason}`);
  }
}

export class InvalidDefinition extends StepFunctionsApiError {
  constructor(detail: string) {
    super('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`);
  }
}

/** `detail` is what AWS puts in the quotes: `Invalid ARN prefix: x`, `Resource type not valid in this context: execution`. */
export class InvalidArn extends StepFunctionsApiError {
  constructor(detail: unknown) {
    super('InvalidArn', `Invalid Arn: '${String(detail)}'`);
  }
}

export class ResourceNotFound extends StepFunctionsApiError {
  constructor(arn: string) {
    super('ResourceNotFound', `Resource not found: '${arn}'`);
  }
}

export class StateMachineTypeNotSupported extends StepFunctionsApiError {
  constructor() {
    super('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  }
}

export class InvalidName extends StepFunctionsApiError {
  constructor(name: unknown) {
    super('InvalidName', `Invalid Name: '${String(name)}'`);
  }
}

export class InvalidExecutionInput extends StepFunctionsApiError {
  constructor(detail: string) {
    super('InvalidExecutionInput', `Invalid execution input: ${detail}`);
  }
}

export class InvalidToken extends StepFunctionsApiError {
  constructor(token: unknown) {
    super('InvalidToken', `Invalid Token: '${String(token)}'`);
  }
}

/** A task token the caller's account and region never issued (a token of another account is one). */
export class TaskDoesNotExist extends StepFunctionsApiError {
  constructor() {
    super('TaskDoesNotExist', "Task Does Not Exist: 'Provided task does not exist'");
  }
}

/**
 * A task token whose task is over: answered already, timed out, or its execution stopped (AWS's
 * words for a token used twice: `Task Timed Out: 'Provided task does not exist anymore'`).
 */
export class TaskTimedOut extends StepFunctionsApiError {
  constructor() {
    super('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
  }
}

/** `SendTaskSuccess` output that is not JSON. */
export class InvalidOutput extends StepFunctionsApiError {
  constructor(detail: string) {
    super('InvalidOutput', `Invalid Output: '${detail}'`);
  }
}

export class ValidationException extends StepFunctionsApiError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

/**
 * An error as a Task state sees it: `name` is the ASL error (`TransientError`, `States.Runtime`,
 * `Lambda.ServiceException`) and `message` the cause. States-level runtime errors can be neither
 * retried nor caught, as in AWS.
 */
export class TaskError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(error: string, cause: string, options: { terminal?: boolean } = {}) {
    super(cause);
    this.name = error;
    this.isRetryable = !options.terminal;
    this.isCatchable = !options.terminal;
  }
}
