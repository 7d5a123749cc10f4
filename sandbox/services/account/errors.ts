import { AwsServiceError } from '../../core/types';

/**
 * AWS Account Management's errors as its REST-JSON API sends them: the code in `x-amzn-ErrorType`,
 * the body `{ "message": … }` (plus `reason` and `fieldList` for `ValidationException`), and the
 * HTTP status of the model: `AccessDeniedException` 403, `ResourceNotFoundException` 404,
 * `ValidationException` 400, `TooManyRequestsException` 429, `InternalServerException` 500.
 */
export class AccountError extends AwsServiceError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status });
    this.name = code;
  }
}

/** One member of a `ValidationException`'s `fieldList`. */
export interface ValidationField {
  readonly name: string;
  readonly message: string;
}

/** `ValidationException` with the model's `reason` (`fieldValidationFailed`) and `fieldList`. */
export class AccountValidationError extends AccountError {
  readonly reason = 'fieldValidationFailed';

  constructor(readonly fieldList: readonly ValidationField[]) {
    // the service's validator joins its findings in brackets ("[instance value … not found in enum …]")
    super('ValidationException', `[${fieldList.map((f) => f.message).join(', ')}]`, 400);
  }
}

/**
 * A denial of the Account Management API: "User: <arn> is not authorized to perform:
 * account:<Operation>", with AWS's parenthesised reason when it gives one (trusted access missing,
 * the management account named by id, an unknown contact type).
 */
export function accountAccessDenied(principalArn: string, operation: string, reason?: string): AccountError {
  const base = `User: ${principalArn} is not authorized to perform: account:${operation}`;
  return new AccountError('AccessDeniedException', reason ? `${base} (${reason})` : base, 403);
}

/** The parenthesised reasons AWS gives (observed answers of the live API, see docs/services/account-budgets.md). */
export const DENIAL_REASONS = {
  trustedAccess: 'Your organization must first enable trusted access with AWS Account Management.',
  managementAccount:
    'The management account can only be managed using the standalone context from the management account.',
  contactType: 'You specified an invalid Alternate Contact type.',
} as const;

/** `ResourceNotFoundException` for a contact type that is not set. */
export const contactNotFound = (): AccountError =>
  new AccountError('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', 404);
