import { AwsServiceError } from '../../core/types';

/**
 * CloudWatch's errors. CloudWatch speaks JSON to SDK v3 and the query protocol to older clients
 * (`awsQueryCompatible`), so each error has the JSON `__type` (the model's shape name) and the query
 * code (its `awsQueryError` code), which the JSON protocol also sends in `x-amzn-query-error`.
 */

/** An error in both codes: `jsonCode` is the shape name, `queryCode` the `<Code>` of the query protocol. */
export class CloudWatchError extends AwsServiceError {
  constructor(jsonCode: string, queryCode: string, message: string, status = 400) {
    super(jsonCode, message, { status, queryCode });
    this.name = jsonCode;
  }
}

/** `ValidationException` / `ValidationError` (400): a value breaks a constraint. */
export const validationError = (message: string): CloudWatchError =>
  new CloudWatchError('ValidationException', 'ValidationError', message);

/** `InvalidParameterValueException` / `InvalidParameterValue` (400). */
export const invalidParameterValue = (message: string): CloudWatchError =>
  new CloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', message);

/** `InvalidParameterCombinationException` / `InvalidParameterCombination` (400). */
export const invalidParameterCombination = (message: string): CloudWatchError =>
  new CloudWatchError('InvalidParameterCombinationException', 'InvalidParameterCombination', message);

/** `MissingRequiredParameterException` / `MissingParameter` (400): `The parameter X is required.` */
export const missingParameter = (name: string): CloudWatchError =>
  new CloudWatchError('MissingRequiredParameterException', 'MissingParameter', `The parameter ${name} is required.`);

/** `ResourceNotFound` (404): the named alarm does not exist. */
export const alarmNotFound = (name: string): CloudWatchError =>
  new CloudWatchError('ResourceNotFound', 'ResourceNotFound', `Alarm ${name} not found`, 404);

/** `ResourceNotFoundException` (404): the tagged resource does not exist. */
export const resourceNotFound = (arn: string): CloudWatchError =>
  new CloudWatchError('ResourceNotFoundException', 'ResourceNotFoundException', `${arn} not found`, 404);

/** `InvalidNextToken` (400). */
export const invalidNextToken = (): CloudWatchError =>
  new CloudWatchError('InvalidNextToken', 'InvalidNextToken', 'The service returned an invalid NextToken.');

/** `InvalidFormatFault` / `InvalidFormat` (400): `StateReasonData` is not JSON. */
export const invalidFormat = (): CloudWatchError =>
  new CloudWatchError('InvalidFormatFault', 'InvalidFormat', 'Unknown');

/** `LimitExceededFault` / `LimitExceeded` (400). */
export const limitExceeded = (message: string): CloudWatchError =>
  new CloudWatchError('LimitExceededFault', 'LimitExceeded', message);
