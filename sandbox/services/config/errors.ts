import { AwsServiceError } from '../../core/types';

/** AWS Config's errors (awsJson1_1, HTTP 400, `{ "__type": …, "message": … }`). */
export class ConfigError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 400 });
    this.name = code;
  }
}

export const invalidParameterValue = (message: string): ConfigError =>
  new ConfigError('InvalidParameterValueException', message);

/** A member that fails the model's constraints, worded as AWS's request validation words it. */
export const validationError = (member: string, value: unknown, constraint: string): ConfigError =>
  new ConfigError(
    'ValidationException',
    value === undefined || value === null
      ? `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`
      : `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

/** `OrganizationAccessDeniedException`, with the cause the API reference lists. */
export const organizationAccessDenied = (message: string): ConfigError =>
  new ConfigError('OrganizationAccessDeniedException', message);

/** The caller's account is in no organization (it left). */
export const noAvailableOrganization = (): ConfigError =>
  new ConfigError('NoAvailableOrganizationException', 'Organization is no longer available.');

export const noSuchAggregator = (count = 1): ConfigError =>
  new ConfigError(
    'NoSuchConfigurationAggregatorException',
    count === 1
      ? 'The configuration aggregator does not exist. Check the configuration aggregator name and try again.'
      : 'At least one of the configuration aggregators does not exist. Check the configuration aggregator names and try again.',
  );
