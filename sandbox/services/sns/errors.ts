import { AwsServiceError } from '../../core/types';

/**
 * SNS errors as the query protocol sends them (`<Code>` is what the SDK names the exception after:
 * `InvalidParameter` → `InvalidParameterException`). Codes and statuses are the SNS model's; messages
 * are AWS's own where recorded (LocalStack's AWS-validated snapshots).
 */
export class SnsError extends AwsServiceError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status });
    this.name = code;
  }
}

/** `InvalidParameter` (400): `Invalid parameter: …`. */
export class InvalidParameter extends SnsError {
  constructor(message: string) {
    super('InvalidParameter', message);
  }
}

/** `ParameterValueInvalid` (400): a message attribute SNS refuses. */
export class ParameterValueInvalid extends SnsError {
  constructor(message: string) {
    super('ParameterValueInvalid', message);
  }
}

/** `NotFound` (404): `Topic does not exist`, `Subscription does not exist`. */
export class NotFound extends SnsError {
  constructor(message: string) {
    super('NotFound', message, 404);
  }
}

/** `ResourceNotFound` (404): a tagging call on a topic that does not exist. */
export class ResourceNotFound extends SnsError {
  constructor() {
    super('ResourceNotFound', 'Resource does not exist', 404);
  }
}

/** `ValidationError` (400): a required member is missing. */
export class ValidationError extends SnsError {
  constructor(member: string) {
    super(
      'ValidationError',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
}

/** `AuthorizationError` (403): SNS's denial. */
export class AuthorizationError extends SnsError {
  constructor(message: string) {
    super('AuthorizationError', message, 403);
  }
}

export const TOPIC_DOES_NOT_EXIST = 'Topic does not exist';
export const SUBSCRIPTION_DOES_NOT_EXIST = 'Subscription does not exist';
