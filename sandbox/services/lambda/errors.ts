import { AwsServiceError } from '../../core/types';

/**
 * Lambda's errors as its REST-JSON API sends them: the code in `x-amzn-ErrorType`, a body whose
 * members follow each exception's shape (`ResourceNotFoundException` carries `Type` and `Message`,
 * `InvalidParameterValueException` `Type` and `message`, `TooManyRequestsException` also `Reason` and
 * a `Retry-After` header). The messages are AWS's, as recorded against the real service.
 */

interface LambdaErrorOptions {
  readonly status: number;
  /** The body member holding the message: `Message` or `message`, as the exception's shape names it. */
  readonly messageKey: 'Message' | 'message';
  /** `User` (the caller's fault) or `Service`; absent for `ValidationException`. */
  readonly type?: 'User' | 'Service';
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
}

/** An error of the Lambda API. */
export class LambdaError extends AwsServiceError {
  readonly messageKey: 'Message' | 'message';
  readonly type?: 'User' | 'Service';
  readonly reason?: string;
  readonly retryAfterSeconds?: number;

  constructor(code: string, message: string, options: LambdaErrorOptions) {
    super(code, message, { status: options.status });
    this.name = 'LambdaError';
    this.messageKey = options.messageKey;
    if (options.type) this.type = options.type;
    if (options.reason) this.reason = options.reason;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The JSON body Lambda sends. */
  body(): Record<string, unknown> {
    return {
      ...(this.type ? { Type: this.type } : {}),
      [this.messageKey]: this.message,
      ...(this.reason ? { Reason: this.reason } : {}),
    };
  }
}

/** The body of any error: a {@link LambdaError}'s own, else `{ message }`. */
export function errorBody(error: AwsServiceError): Record<string, unknown> {
  return error instanceof LambdaError ? error.body() : { Type: 'User', message: error.message };
}

export const resourceNotFound = (message: string): LambdaError =>
  new LambdaError('ResourceNotFoundException', message, { status: 404, messageKey: 'Message', type: 'User' });

/** `Function not found: <arn>` (404). */
export const functionNotFound = (arn: string): LambdaError => resourceNotFound(`Function not found: ${arn}`);

export const invalidParameter = (message: string): LambdaError =>
  new LambdaError('InvalidParameterValueException', message, { status: 400, messageKey: 'message', type: 'User' });

export const resourceConflict = (message: string): LambdaError =>
  new LambdaError('ResourceConflictException', message, { status: 409, messageKey: 'message', type: 'User' });

export const preconditionFailed = (message: string): LambdaError =>
  new LambdaError('PreconditionFailedException', message, { status: 412, messageKey: 'message', type: 'User' });

export const requestTooLarge = (message: string): LambdaError =>
  new LambdaError('RequestEntityTooLargeException', message, { status: 413, messageKey: 'message', type: 'User' });

export const invalidRequestContent = (message: string): LambdaError =>
  new LambdaError('InvalidRequestContentException', message, { status: 400, messageKey: 'message', type: 'User' });

export const accessDenied = (message: string): LambdaError =>
  new LambdaError('AccessDeniedException', message, { status: 403, messageKey: 'Message' });

/** `Rate Exceeded.` (429), with the throttle's `Reason` (`ReservedFunctionConcurrentInvocationLimitExceeded`). */
export const tooManyRequests = (reason: string): LambdaError =>
  new LambdaError('TooManyRequestsException', 'Rate Exceeded.', {
    status: 429,
    messageKey: 'message',
    type: 'User',
    reason,
    retryAfterSeconds: 1,
  });

/** A Coral validation failure: `1 validation error detected: Value '<v>' at '<member>' failed to satisfy constraint: …`. */
export function validationError(problems: readonly string[]): LambdaError {
  const n = problems.length;
  return new LambdaError(
    'ValidationException',
    `${n} validation error${n > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
    { status: 400, messageKey: 'message' },
  );
}

/** One problem of {@link validationError}: `Value '<v>' at '<member>' failed to satisfy constraint: <constraint>`. */
export function problem(member: string, value: unknown, constraint: string): string {
  const shown =
    value === undefined || value === null
      ? 'null'
      : `'${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}'`;
  return `Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`;
}

/** A single-problem {@link validationError}. */
export const invalidMember = (member: string, value: unknown, constraint: string): LambdaError =>
  validationError([problem(member, value, constraint)]);

/** The sandbox does not model a feature the request uses (versions, layers, VPCs, container images…). */
export const notModelled = (what: string): LambdaError =>
  invalidParameter(`${what} is not modelled by the vendguard sandbox.`);
