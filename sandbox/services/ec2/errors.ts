import { AwsServiceError } from '../../core/types';

/**
 * EC2 errors: the SDK names them by `<Code>` (`err.name === 'DependencyViolation'`). Codes and
 * messages follow the EC2 API error reference.
 */
export class Ec2Error extends AwsServiceError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status });
    this.name = code;
  }
}

/** `InvalidParameterValue`: a parameter has a value EC2 does not accept. */
export class InvalidParameterValue extends Ec2Error {
  constructor(message: string) {
    super('InvalidParameterValue', message);
  }
}

/** `MissingParameter`: a required parameter is absent. */
export class MissingParameter extends Ec2Error {
  constructor(name: string) {
    super('MissingParameter', `The request must contain the parameter ${name}`);
  }
}

/** `<Kind>.NotFound`, e.g. `InvalidVpcID.NotFound`, `InvalidInternetGatewayID.NotFound`. */
export class NotFound extends Ec2Error {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** `DependencyViolation`: the resource still has dependencies (an attachment, mapped addresses). */
export class DependencyViolation extends Ec2Error {
  constructor(message: string) {
    super('DependencyViolation', message);
  }
}
