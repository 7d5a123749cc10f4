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

/** `InvalidParameterValue` for a parameter that is not a CIDR block (`cidrBlock`, `destinationCidrBlock`). */
export class InvalidCidrBlock extends InvalidParameterValue {
  constructor(cidr: string, parameter = 'cidrBlock') {
    super(`Value (${cidr}) for parameter ${parameter} is invalid. This is not a valid CIDR block.`);
  }
}

/** `InvalidParameterValue` for a security group rule's peer that is not a CIDR block of its family. */
export class MalformedCidr extends InvalidParameterValue {
  constructor(cidr: string) {
    super(`CIDR block ${cidr} is malformed`);
  }
}

/** `InvalidVpc.Range`: a VPC's block is not between /16 and /28. */
export class InvalidVpcRange extends Ec2Error {
  constructor(cidr: string) {
    super('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);
  }
}

/** `InvalidSubnet.Range`: a subnet's block is not between /16 and /28 or not inside its VPC's. */
export class InvalidSubnetRange extends Ec2Error {
  constructor(cidr: string) {
    super('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
  }
}

/** `InvalidSubnet.Conflict`: a subnet's block overlaps another subnet of the VPC. */
export class InvalidSubnetConflict extends Ec2Error {
  constructor(cidr: string) {
    super('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
  }
}

/** `InvalidParameterCombination`: parameters that exclude each other (two route targets). */
export class InvalidParameterCombination extends Ec2Error {
  constructor(message: string) {
    super('InvalidParameterCombination', message);
  }
}

/** `RouteAlreadyExists`: the route table has a route to that destination (the `local` one included). */
export class RouteAlreadyExists extends Ec2Error {
  constructor(cidr: string) {
    super('RouteAlreadyExists', `The route identified by ${cidr} already exists.`);
  }
}

/** `InvalidRoute.NotFound`: DeleteRoute of a destination the route table has no route to. */
export class RouteNotFound extends NotFound {
  constructor(routeTableId: string, cidr: string) {
    super('InvalidRoute.NotFound', `no route with destination-cidr-block ${cidr} in route table ${routeTableId}`);
  }
}

/** `IncorrectState`: the resource is not in a state that allows the call (a transit gateway with attachments). */
export class IncorrectState extends Ec2Error {
  constructor(message: string) {
    super('IncorrectState', message);
  }
}

/**
 * `AuthFailure` (400): a call on what AWS manages for the account, such as the Elastic IP or the
 * network interface of a NAT gateway (ReleaseAddress, AssociateAddress, DisassociateAddress).
 */
export class AuthFailure extends Ec2Error {
  constructor() {
    super('AuthFailure', 'You do not have permission to access the specified resource.');
  }
}
