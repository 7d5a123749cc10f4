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

/** Options of the errors of a failed creation: what the operator should do about it. */
export interface CreationErrorOptions extends ErrorOptions {
  /** What happened and what to do, appended to the message. */
  readonly advice?: string;
}

/**
 * The request's email belongs to an AWS account this request did not create: one of the
 * organization, one outside it, or one in AWS GovCloud (US).
 */
export class EmailAlreadyUsedError extends VendingError {
  /**
   * @param usedBy - who has the email: `account 123456789012`, `an AWS account outside this organization`, …
   */
  constructor(email: string, usedBy: string, options?: CreationErrorOptions & { readonly failureReason?: string }) {
    const reason = options?.failureReason ? ` (${options.failureReason})` : '';
    super(
      `email ${email} is already used by ${usedBy}, which was not created by this request${reason}: ${options?.advice ?? 'choose another email'}`,
      options,
    );
    this.name = 'EmailAlreadyUsedError';
  }
}

/**
 * CreateAccount failed for a reason that retrying will not fix, or kept failing after every retry.
 * Its subclasses name the kinds of reasons an operator fixes in different places.
 */
export class AccountCreationFailedError extends VendingError {
  /** AWS's `FailureReason`, or what else went wrong. */
  readonly failureReason: string;

  constructor(accountName: string, reason: string, options?: CreationErrorOptions) {
    super(`account ${accountName} was not created: ${reason}${options?.advice ? `: ${options.advice}` : ''}`, options);
    this.name = 'AccountCreationFailedError';
    this.failureReason = reason;
  }
}

/** The organization reached its account quota (`ACCOUNT_LIMIT_EXCEEDED`, `ACCOUNT_NUMBER_LIMIT_EXCEEDED`). */
export class AccountLimitExceededError extends AccountCreationFailedError {
  constructor(accountName: string, reason: string, options?: CreationErrorOptions) {
    super(accountName, reason, options);
    this.name = 'AccountLimitExceededError';
  }
}

/** AWS rejected the new account's email or address (`INVALID_EMAIL`, `INVALID_ADDRESS`). */
export class InvalidAccountDataError extends AccountCreationFailedError {
  constructor(accountName: string, reason: string, options?: CreationErrorOptions) {
    super(accountName, reason, options);
    this.name = 'InvalidAccountDataError';
  }
}

/** The management account's business validation is missing, pending or failed (`*_BUSINESS_VALIDATION`). */
export class BusinessValidationError extends AccountCreationFailedError {
  constructor(accountName: string, reason: string, options?: CreationErrorOptions) {
    super(accountName, reason, options);
    this.name = 'BusinessValidationError';
  }
}

/** The management account has no valid payment method (`MISSING_PAYMENT_INSTRUMENT`, `INVALID_PAYMENT_INSTRUMENT`). */
export class PaymentMethodError extends AccountCreationFailedError {
  constructor(accountName: string, reason: string, options?: CreationErrorOptions) {
    super(accountName, reason, options);
    this.name = 'PaymentMethodError';
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

/**
 * The account's VPC could not get a range: its OU's IPAM pool has no free block of the size asked.
 * The stack instance rolled back (no half-made VPC); free a range or grow the pool, then redrive.
 */
export class PoolExhaustedError extends BaselineDeploymentFailedError {
  readonly pool: string;

  constructor(
    accountId: string,
    region: string,
    stackSet: string,
    pool: string,
    netmaskLength: number,
    reason: string,
  ) {
    super(
      accountId,
      region,
      stackSet,
      `the IPAM pool ${pool} has no free /${netmaskLength} left (${reason}); the VPC was rolled back. Close an account of the pool or add a CIDR to network.pools, then redrive`,
    );
    this.name = 'PoolExhaustedError';
    this.pool = pool;
  }
}
