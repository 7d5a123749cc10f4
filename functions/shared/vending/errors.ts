/**
 * Errors of account vending. Their `name`s are API: the ASL of `account-vending` and the
 * `Account Vending Failed` event carry them, so rename only on purpose. Every message names the
 * account, email, OU, region or stack set it is about.
 */
import { VendguardError } from '../errors';

/** Base of every vending error that is not retried. */
export class VendingError extends VendguardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VendingError';
  }
}

/** The request's email belongs to an account of the organization that this request did not create. */
export class EmailAlreadyUsedError extends VendingError {
  constructor(email: string, accountId: string | undefined, options?: ErrorOptions) {
    super(
      `email ${email} is already used by ${accountId ? `account ${accountId}` : 'another AWS account'}, which was not created by this request`,
      options,
    );
    this.name = 'EmailAlreadyUsedError';
  }
}

/** The organization reached its account quota (`ACCOUNT_LIMIT_EXCEEDED`). */
export class AccountLimitExceededError extends VendingError {
  constructor(accountName: string, options?: ErrorOptions) {
    super(`cannot create account ${accountName}: the organization has reached its account limit`, options);
    this.name = 'AccountLimitExceededError';
  }
}

/** AWS rejected the account's email or contact data (`INVALID_EMAIL`, `INVALID_ADDRESS`, …). */
export class InvalidAccountDataError extends VendingError {
  constructor(accountName: string, email: string, reason: string, options?: ErrorOptions) {
    super(`cannot create account ${accountName} (${email}): AWS rejected it with ${reason}`, options);
    this.name = 'InvalidAccountDataError';
  }
}

/** CreateAccount failed for a reason that retrying will not fix, or kept failing after every retry. */
export class AccountCreationFailedError extends VendingError {
  readonly failureReason: string;

  constructor(accountName: string, reason: string, options?: ErrorOptions) {
    super(`account ${accountName} was not created: ${reason}`, options);
    this.name = 'AccountCreationFailedError';
    this.failureReason = reason;
  }
}

/** A named organizational unit or policy does not exist in the organization. */
export class OrganizationLookupError extends VendingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrganizationLookupError';
  }
}

/** Attaching the planned SCPs would exceed the per-target quota. */
export class ScpQuotaExceededError extends VendingError {
  constructor(accountId: string, attached: number, wanted: readonly string[], quota: number, options?: ErrorOptions) {
    super(
      `account ${accountId} has ${attached} SCPs attached; attaching ${wanted.join(', ')} would exceed the quota of ${quota} per target`,
      options,
    );
    this.name = 'ScpQuotaExceededError';
  }
}

/** A stack instance of the baseline failed; the message names account, region, stack set and reason. */
export class BaselineDeploymentFailedError extends VendingError {
  readonly accountId: string;
  readonly region: string;
  readonly stackSet: string;

  constructor(accountId: string, region: string, stackSet: string, reason: string, options?: ErrorOptions) {
    super(`baseline stack set ${stackSet} failed in account ${accountId}, region ${region}: ${reason}`, options);
    this.name = 'BaselineDeploymentFailedError';
    this.accountId = accountId;
    this.region = region;
    this.stackSet = stackSet;
  }
}
