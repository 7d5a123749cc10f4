import { AwsServiceError } from '../../core/types';

/**
 * IAM errors as the SDK names them (`err.name` is the `<Code>` of the awsQuery error). Codes and
 * HTTP statuses are those of the IAM API model; messages are IAM's own wording where it is known
 * (see each class).
 */
export class IamError extends AwsServiceError {
  constructor(code: string, message: string, status: number) {
    super(code, message, { status });
    this.name = code;
  }
}

/** `NoSuchEntity` (404): the role, inline policy or managed policy does not exist. */
export class NoSuchEntity extends IamError {
  constructor(message: string) {
    super('NoSuchEntity', message, 404);
  }
}

/** `EntityAlreadyExists` (409). */
export class EntityAlreadyExists extends IamError {
  constructor(message: string) {
    super('EntityAlreadyExists', message, 409);
  }
}

/** `MalformedPolicyDocument` (400): the evaluator refused a document; the message names the statement. */
export class MalformedPolicyDocument extends IamError {
  constructor(message: string) {
    super('MalformedPolicyDocument', message, 400);
  }
}

/** `LimitExceeded` (409): a quota (attached policies, policy sizes, tags). */
export class LimitExceeded extends IamError {
  constructor(message: string) {
    super('LimitExceeded', message, 409);
  }
}

/** `InvalidInput` (400). */
export class InvalidInput extends IamError {
  constructor(message: string) {
    super('InvalidInput', message, 400);
  }
}

/** `DeleteConflict` (409): the role still has policies. */
export class DeleteConflict extends IamError {
  constructor(message: string) {
    super('DeleteConflict', message, 409);
  }
}

/** `UnmodifiableEntity` (400): a service-linked or AWS-reserved role. */
export class UnmodifiableEntity extends IamError {
  constructor(roleName: string) {
    super(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${roleName}' - this role is only modifiable by AWS`,
      400,
    );
  }
}

/** `ValidationError` (400): a parameter breaks a constraint of the API model. */
export class ValidationError extends IamError {
  constructor(message: string) {
    super('ValidationError', message, 400);
  }
}

/** `NoSuchEntity` for a role: `The role with name X cannot be found.` */
export const roleNotFound = (roleName: string): NoSuchEntity =>
  new NoSuchEntity(`The role with name ${roleName} cannot be found.`);

/** `NoSuchEntity` for an inline policy: `The role policy with name X cannot be found.` */
export const rolePolicyNotFound = (policyName: string): NoSuchEntity =>
  new NoSuchEntity(`The role policy with name ${policyName} cannot be found.`);
