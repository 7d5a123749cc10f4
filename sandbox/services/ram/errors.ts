import { AwsServiceError } from '../../core/types';

/**
 * RAM's errors as its REST-JSON API sends them: the code in `x-amzn-ErrorType`, the body
 * `{ "message": … }`, HTTP 400 but for `AccessDeniedException` (403), throttling (429) and the
 * service's own faults (500, 503). The SDK names each by its code (`err.name`).
 */
export class RamError extends AwsServiceError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status });
    this.name = code;
  }
}

/**
 * What RAM answers when a resource can be shared only inside the organization, or when sharing with
 * the organization is not enabled (the two causes share one message: the RAM User Guide's
 * "Errors when trying to share with accounts outside of my organization", and
 * hashicorp/terraform-provider-aws#7769).
 */
export const ORGANIZATION_ONLY_MESSAGE =
  'The resource you are attempting to share can only be shared within your AWS Organization. This error may also occur if you have not enabled sharing with your AWS organization, or that onboarding process is still in progress.';

/** `UnknownResourceException`: a share, an organization or an OU the caller cannot see. */
export const unknownResource = (message: string): RamError => new RamError('UnknownResourceException', message);

/** `UnknownResourceException` for a resource share: "ResourceShare <arn> could not be found." */
export const shareNotFound = (arn: string): RamError => unknownResource(`ResourceShare ${arn} could not be found.`);

export const invalidParameter = (message: string): RamError => new RamError('InvalidParameterException', message);

export const missingParameter = (name: string): RamError =>
  new RamError('MissingRequiredParameterException', `The ${name} parameter is required.`);

export const malformedArn = (message: string): RamError => new RamError('MalformedArnException', message);

export const operationNotPermitted = (message: string): RamError =>
  new RamError('OperationNotPermittedException', message);

export const invalidNextToken = (): RamError =>
  new RamError('InvalidNextTokenException', 'The specified value for NextToken is not valid.');

export const invalidMaxResults = (): RamError =>
  new RamError('InvalidMaxResultsException', 'The specified value for MaxResults is not valid.');

export const invalidResourceType = (type: string): RamError =>
  new RamError('InvalidResourceTypeException', `Invalid resource type: ${type}`);

export const idempotentParameterMismatch = (token: string): RamError =>
  new RamError(
    'IdempotentParameterMismatchException',
    `The client token ${token} was used before with different parameters.`,
  );

export const invitationNotFound = (arn: string): RamError =>
  new RamError('ResourceShareInvitationArnNotFoundException', `ResourceShareInvitation ${arn} could not be found.`);

export const invitationAlreadyAccepted = (arn: string): RamError =>
  new RamError('ResourceShareInvitationAlreadyAcceptedException', `The invitation ${arn} has already been accepted.`);

export const invitationAlreadyRejected = (arn: string): RamError =>
  new RamError('ResourceShareInvitationAlreadyRejectedException', `The invitation ${arn} has already been rejected.`);

/** A denial by the policy evaluator: 403, as RAM answers it (hashicorp/terraform#27764). */
export const accessDenied = (message: string): RamError => new RamError('AccessDeniedException', message, 403);
