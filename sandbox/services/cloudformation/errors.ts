import { AwsServiceError } from '../../core/types';

/**
 * CloudFormation StackSets errors as the SDK names them (`err.name`). The codes and HTTP statuses
 * are those of the CloudFormation API model (`awsQueryError`).
 */
export class CloudFormationError extends AwsServiceError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status });
    this.name = code;
  }
}

/** `ValidationError` (400): a parameter is missing or malformed. */
export class ValidationError extends CloudFormationError {
  constructor(message: string) {
    super('ValidationError', message, 400);
  }
}

/** `StackSetNotFoundException` (404). */
export class StackSetNotFoundException extends CloudFormationError {
  constructor(name: string) {
    super('StackSetNotFoundException', `StackSet ${name} not found`, 404);
  }
}

/** `NameAlreadyExistsException` (409). */
export class NameAlreadyExistsException extends CloudFormationError {
  constructor(name: string) {
    super('NameAlreadyExistsException', `A StackSet with name ${name} already exists`, 409);
  }
}

/** `StackSetNotEmptyException` (409): the stack set still has stack instances. */
export class StackSetNotEmptyException extends CloudFormationError {
  constructor(name: string) {
    super('StackSetNotEmptyException', `StackSet ${name} cannot be deleted while it still has stack instances`, 409);
  }
}

/** `OperationInProgressException` (409): another operation runs on the stack set. */
export class OperationInProgressException extends CloudFormationError {
  constructor(name: string, operationId: string) {
    super('OperationInProgressException', `Another Operation on StackSet ${name} is in progress: ${operationId}`, 409);
  }
}

/** `OperationIdAlreadyExistsException` (409): the OperationId was used for another request. */
export class OperationIdAlreadyExistsException extends CloudFormationError {
  constructor(operationId: string) {
    super('OperationIdAlreadyExistsException', `The operation id ${operationId} already exists`, 409);
  }
}

/** `OperationNotFoundException` (404). */
export class OperationNotFoundException extends CloudFormationError {
  constructor(name: string, operationId: string) {
    super('OperationNotFoundException', `Operation ${operationId} not found for StackSet ${name}`, 404);
  }
}

/** `StackInstanceNotFoundException` (404). */
export class StackInstanceNotFoundException extends CloudFormationError {
  constructor(name: string, account: string, region: string) {
    super(
      'StackInstanceNotFoundException',
      `Stack instance for account ${account} in region ${region} not found for StackSet ${name}`,
      404,
    );
  }
}

/** `InvalidOperationException` (400): the operation is not valid for this stack set. */
export class InvalidOperationException extends CloudFormationError {
  constructor(message: string) {
    super('InvalidOperationException', message, 400);
  }
}

/** `InsufficientCapabilitiesException` (400): the template needs IAM capabilities. */
export class InsufficientCapabilitiesException extends CloudFormationError {
  constructor(capability: string) {
    super('InsufficientCapabilitiesException', `Requires capabilities : [${capability}]`, 400);
  }
}
