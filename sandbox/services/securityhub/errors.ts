import { AwsServiceError } from '../../core/types';

/**
 * Security Hub's errors as its REST-JSON API sends them: the code in `x-amzn-ErrorType` and a body
 * `{ "Code": …, "Message": … }` (hashicorp/terraform-provider-aws#23079 and nozaq/terraform-aws-secure-baseline#135
 * show the wire form); statuses as the API model gives them.
 */
const STATUS: Readonly<Record<string, number>> = {
  InvalidAccessException: 401,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  LimitExceededException: 429,
  InternalException: 500,
};

export class SecurityHubError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: STATUS[code] ?? 400 });
    this.name = code;
  }
}

/** `InvalidAccessException`: Security Hub is not enabled in the caller's account and Region. */
export const notSubscribed = (accountId: string): SecurityHubError =>
  new SecurityHubError('InvalidAccessException', `Account ${accountId} is not subscribed to AWS Security Hub`);

/** `ResourceConflictException`: `EnableSecurityHub` in an account that has it. */
export const alreadySubscribed = (): SecurityHubError =>
  new SecurityHubError('ResourceConflictException', 'Account is already subscribed to Security Hub');

/** `InvalidAccessException`: an organization call from an account that is not the Region's administrator. */
export const notAdministrator = (accountId: string): SecurityHubError =>
  new SecurityHubError('InvalidAccessException', `Account ${accountId} is not an administrator for this organization`);

export const invalidInput = (message: string): SecurityHubError =>
  new SecurityHubError('InvalidInputException', message);

export const accessDenied = (message: string): SecurityHubError =>
  new SecurityHubError('AccessDeniedException', message);

export const internalError = (err: unknown): AwsServiceError =>
  err instanceof AwsServiceError
    ? err
    : new SecurityHubError('InternalException', `Internal server error: ${String(err)}`);
