import { AwsServiceError } from '../../core/types';

/**
 * GuardDuty's errors as its REST-JSON API sends them: the exception in `x-amzn-ErrorType`
 * (`BadRequestException` 400, `AccessDeniedException` 403, `InternalServerErrorException` 500) and a
 * body `{ "message": …, "__type": <kind> }` whose kind names the cause (`InvalidInputException`), as
 * GuardDuty answers (boto/boto3#3890 shows the wire form).
 */
export class GuardDutyError extends AwsServiceError {
  constructor(
    code: 'BadRequestException' | 'AccessDeniedException' | 'InternalServerErrorException',
    message: string,
    /** The body's `__type`. */
    readonly type: string,
    status = code === 'AccessDeniedException' ? 403 : code === 'InternalServerErrorException' ? 500 : 400,
  ) {
    super(code, message, { status });
    this.name = code;
  }
}

/** `BadRequestException` of kind `InvalidInputException`. */
export const invalidInput = (message: string): GuardDutyError =>
  new GuardDutyError('BadRequestException', message, 'InvalidInputException');

/** The generic refusal of a value (hashicorp/terraform-provider-aws#34765, aws-samples SRA #178). */
export const INVALID_VALUE_MESSAGE =
  'The request is rejected because an invalid or out-of-range value is specified as an input parameter.';
export const invalidValue = (): GuardDutyError => invalidInput(INVALID_VALUE_MESSAGE);

/** A detector id of another account, or of none (turbot/steampipe-plugin-aws#1105). */
export const detectorNotOwned = (): GuardDutyError =>
  invalidInput('The request is rejected because the input detectorId is not owned by the current account.');

/** A detector id that is not one (boto/boto3#3890). */
export const detectorIdInvalid = (): GuardDutyError =>
  invalidInput('The request is rejected because the parameter detectorId has an invalid value.');

/** `CreateDetector` in an account that has one in the region. */
export const detectorExists = (): GuardDutyError =>
  invalidInput('The request is rejected because a detector already exists for the current account.');

/** `DeleteDetector` of an administrator that still has members (aws-samples/amazon-guardduty-multiaccount-scripts#3). */
export const detectorHasMembers = (): GuardDutyError =>
  invalidInput(
    'The request is rejected because the current account cannot delete detector while it has invited or associated members.',
  );

/**
 * An organization call from an account that may not make it: the management account's calls from a
 * member, the delegated administrator's from another account (aws-samples SRA #141).
 */
export const noOrganizationPermission = (): GuardDutyError =>
  new GuardDutyError(
    'BadRequestException',
    'The request failed because you do not have required AWS Organization master permission.',
    'BadRequestException',
  );

/** A denial by the policy evaluator. */
export const accessDenied = (message: string): GuardDutyError =>
  new GuardDutyError('AccessDeniedException', message, 'AccessDeniedException');

/** An unexpected failure. */
export const internalError = (err: unknown): AwsServiceError =>
  err instanceof AwsServiceError
    ? err
    : new GuardDutyError('InternalServerErrorException', `Internal server error: ${String(err)}`, 'InternalException');
