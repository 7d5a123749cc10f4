/**
 * What vending does with each `FailureReason` of a FAILED CreateAccount: start the creation again
 * (transient), adopt the account this request may already have created, or fail with a named
 * error whose message says what happened and what to do. The table is typed against the SDK's
 * enum, so a reason AWS adds fails the type check until it is placed here.
 *
 * Reasons: `CreateAccountStatus.FailureReason` in the AWS Organizations API reference
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html).
 */
import type { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import {
  AccountCreationFailedError,
  AccountLimitExceededError,
  BusinessValidationError,
  EmailAlreadyUsedError,
  InvalidAccountDataError,
  PaymentMethodError,
  type VendingError,
} from './errors';
import { MAX_CONCURRENT_CREATIONS } from './plan';

/** A CreateAccount that ended FAILED, as far as the messages need it. */
export interface FailedCreation {
  readonly accountName: string;
  readonly email: string;
  /** The vending request id (the execution's name). */
  readonly requestId: string;
  /** AWS's `FailureReason`. */
  readonly reason: string;
  /** The CreateAccount request id (`car-…`), for an AWS Support case. */
  readonly createAccountRequestId: string;
}

/** What vending does with one failure reason. */
export type FailureHandling =
  /** Transient: start the creation again after a backoff; `exhausted` is the advice once no attempt is left. */
  | { readonly kind: 'retry'; readonly exhausted: (f: FailedCreation) => string }
  /** The account may be this request's own (an earlier attempt made it): adopt it, else fail. */
  | { readonly kind: 'adopt' }
  /** Retrying cannot help: fail with this error. */
  | { readonly kind: 'fail'; readonly error: (f: FailedCreation) => VendingError };

/**
 * The command that redrives a failed execution from its failed step. A redrive after a failed
 * creation goes back to CreateAccount (`ResumeFailedStep`), which adopts or follows what exists and
 * otherwise requests the account again.
 *
 * @example
 * redriveCommand('req-1') // "npx vendguard replay req-1 --mode redrive"
 */
export function redriveCommand(executionName: string): string {
  return `npx vendguard replay ${executionName} --mode redrive`;
}

/**
 * The command that runs a request again as a new execution with a patched input (a new email:
 * a redrive keeps the input it failed with).
 *
 * @example
 * restartCommand('req-1', '{"request":{"email":"x@acme.example"}}') // "npx vendguard replay req-1 --mode restart --input-patch '…'"
 */
export function restartCommand(requestId: string, inputPatch: string): string {
  return `npx vendguard replay ${requestId} --mode restart --input-patch '${inputPatch}'`;
}

/** The advice when a request's email is taken: another email, and the command that restarts with it. */
export function otherEmailAdvice(requestId: string): string {
  return `choose another email and restart the request with it: ${restartCommand(requestId, '{"request":{"email":"<new email>"}}')}`;
}
const withOtherEmail = (f: FailedCreation) => otherEmailAdvice(f.requestId);
const thenRedrive = (f: FailedCreation) => `then redrive the execution: ${redriveCommand(f.requestId)}`;
const support = (f: FailedCreation) =>
  `open an AWS Support case naming CreateAccount request ${f.createAccountRequestId}`;

/** Every reason AWS documents (and the SDK lists), and what vending does with it. */
export const CREATE_ACCOUNT_FAILURES: Readonly<Record<CreateAccountFailureReason, FailureHandling>> = {
  ACCOUNT_LIMIT_EXCEEDED: {
    kind: 'fail',
    error: (f) => accountLimitExceeded(f.accountName, f.reason, f.requestId),
  },
  CONCURRENT_ACCOUNT_MODIFICATION: {
    kind: 'retry',
    exhausted: (f) =>
      `another creation with the same details, or the ${MAX_CONCURRENT_CREATIONS} creations AWS runs at once, kept it from starting on every attempt; once \`aws organizations list-create-account-status --states IN_PROGRESS\` lists fewer, redrive the execution: ${redriveCommand(f.requestId)}`,
  },
  EMAIL_ALREADY_EXISTS: { kind: 'adopt' },
  FAILED_BUSINESS_VALIDATION: {
    kind: 'fail',
    error: (f) =>
      new BusinessValidationError(f.accountName, f.reason, {
        advice: `the management account failed AWS's business license validation; ${support(f)} to correct the organization's business details, ${thenRedrive(f)}`,
      }),
  },
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: {
    kind: 'fail',
    error: (f) =>
      new EmailAlreadyUsedError(f.email, 'an account in the AWS GovCloud (US) Region', {
        failureReason: f.reason,
        advice: withOtherEmail(f),
      }),
  },
  INTERNAL_FAILURE: {
    kind: 'retry',
    exhausted: (f) =>
      `AWS failed internally on every attempt; redrive the execution later (${redriveCommand(f.requestId)}) and, if it keeps failing, ${support(f)}`,
  },
  INVALID_ADDRESS: {
    kind: 'fail',
    error: (f) =>
      new InvalidAccountDataError(f.accountName, f.reason, {
        advice: `AWS found the address not valid; vendguard sends none, so check the management account's contact address (AWS Account → Contact information) and, if it looks right, ${support(f)} to learn which address AWS rejected; ${thenRedrive(f)}`,
      }),
  },
  INVALID_EMAIL: {
    kind: 'fail',
    error: (f) =>
      new InvalidAccountDataError(f.accountName, f.reason, {
        advice: `AWS did not accept ${f.email} as an email address; ${withOtherEmail(f)}`,
      }),
  },
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION: {
    kind: 'fail',
    error: (f) =>
      new BusinessValidationError(f.accountName, f.reason, {
        advice: `the management account's identity data is not valid, so AWS cannot complete its business license validation; ${support(f)} to correct it, ${thenRedrive(f)}`,
      }),
  },
  INVALID_PAYMENT_INSTRUMENT: {
    kind: 'fail',
    error: (f) =>
      new PaymentMethodError(f.accountName, f.reason, {
        advice: `the management account has no supported payment method (AWS does not accept cards issued by financial institutions in Russia or Belarus); add a supported one in the Billing console (Payment preferences) of the management account, ${thenRedrive(f)}`,
      }),
  },
  MISSING_BUSINESS_VALIDATION: {
    kind: 'fail',
    error: (f) =>
      new BusinessValidationError(f.accountName, f.reason, {
        advice: `the management account has not received AWS's business validation; ${support(f)} to complete it, ${thenRedrive(f)}`,
      }),
  },
  MISSING_PAYMENT_INSTRUMENT: {
    kind: 'fail',
    error: (f) =>
      new PaymentMethodError(f.accountName, f.reason, {
        advice: `the management account has no payment method; add a valid one (such as a credit card) in the Billing console (Payment preferences) of the management account, ${thenRedrive(f)}`,
      }),
  },
  PENDING_BUSINESS_VALIDATION: {
    kind: 'fail',
    error: (f) =>
      new BusinessValidationError(f.accountName, f.reason, {
        advice: `AWS is still validating the business details of the organization's management account; redrive the execution once the validation completes (${redriveCommand(f.requestId)}), or ${support(f)} if it takes long`,
      }),
  },
  UNKNOWN_BUSINESS_VALIDATION: {
    kind: 'fail',
    error: (f) =>
      new BusinessValidationError(f.accountName, f.reason, {
        advice: `AWS reports an unknown issue with the business validation of the management account; ${support(f)}, ${thenRedrive(f)}`,
      }),
  },
  UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED: {
    kind: 'fail',
    error: (f) =>
      new AccountCreationFailedError(f.accountName, f.reason, {
        advice: `AWS documents this reason for PutResourcePolicy with tags, not for CreateAccount, and vendguard sets no resource policy; ${support(f)}, ${thenRedrive(f)}`,
      }),
  },
};

/**
 * The account-quota error, for `ACCOUNT_LIMIT_EXCEEDED` here and for CreateAccount's own
 * `ConstraintViolationException` (`ACCOUNT_NUMBER_LIMIT_EXCEEDED`).
 */
export function accountLimitExceeded(
  accountName: string,
  reason: string,
  requestId: string,
  options?: ErrorOptions,
): AccountLimitExceededError {
  return new AccountLimitExceededError(accountName, reason, {
    ...options,
    advice: `the organization has reached its maximum number of accounts (a closed account counts until its 90-day post-closure period ends); from the management account, raise the AWS Organizations quota "Default maximum number of accounts" in Service Quotas (us-east-1), then redrive the execution: ${redriveCommand(requestId)}`,
  });
}

/** True for a reason of the table; false for one AWS added after this SDK. */
export function isKnownFailureReason(reason: string): reason is CreateAccountFailureReason {
  return Object.hasOwn(CREATE_ACCOUNT_FAILURES, reason);
}

/**
 * What to do with a reason: its entry, or, for a reason this version does not know, a failure
 * that names it.
 */
export function failureHandling(reason: string): FailureHandling {
  if (isKnownFailureReason(reason)) return CREATE_ACCOUNT_FAILURES[reason];
  return {
    kind: 'fail',
    error: (f) =>
      new AccountCreationFailedError(f.accountName, f.reason, {
        advice: `vendguard does not know this FailureReason; look it up under CreateAccountStatus in the AWS Organizations API reference, fix its cause, ${thenRedrive(f)}`,
      }),
  };
}
