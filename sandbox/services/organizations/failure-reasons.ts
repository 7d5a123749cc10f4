import type { CreateAccountFailureReason } from '@aws-sdk/client-organizations';

/**
 * `CreateAccountStatus.FailureReason`: every value AWS documents, and what it means. A FAILED
 * creation carries one of them: the sandbox decides `EMAIL_ALREADY_EXISTS`,
 * `CONCURRENT_ACCOUNT_MODIFICATION` and `ACCOUNT_LIMIT_EXCEEDED` itself; an
 * `organizations`/`CreateAccountProcess` fault gives any of them (its `error` is the reason).
 * Typed against the SDK's enum, so a reason AWS adds fails the type check until it is listed.
 *
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html
 */
export const CREATE_ACCOUNT_FAILURE_REASONS: Readonly<Record<CreateAccountFailureReason, string>> = {
  ACCOUNT_LIMIT_EXCEEDED: 'the organization has reached its maximum number of accounts',
  CONCURRENT_ACCOUNT_MODIFICATION: 'a request with the same information is already in progress',
  EMAIL_ALREADY_EXISTS: 'another AWS account already has the email address',
  FAILED_BUSINESS_VALIDATION: 'the management account failed business license validation',
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: 'an account in AWS GovCloud (US) already has the email address',
  INTERNAL_FAILURE: 'an internal failure; try again later',
  INVALID_ADDRESS: 'the address is not valid',
  INVALID_EMAIL: 'the email address is not valid',
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION:
    'the management account has no valid identity data, so business license validation cannot complete',
  INVALID_PAYMENT_INSTRUMENT: 'the management account has no supported payment method',
  MISSING_BUSINESS_VALIDATION: 'the management account has not received business validation',
  MISSING_PAYMENT_INSTRUMENT: 'the management account has no valid payment method',
  PENDING_BUSINESS_VALIDATION: 'the management account is still completing business license validation',
  UNKNOWN_BUSINESS_VALIDATION: 'the management account has an unknown issue with business license validation',
  UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED:
    'in the SDK enum; AWS documents it for PutResourcePolicy with tags on an existing policy',
};

/** True when AWS documents this `FailureReason`. */
export function isCreateAccountFailureReason(reason: string): reason is CreateAccountFailureReason {
  return Object.hasOwn(CREATE_ACCOUNT_FAILURE_REASONS, reason);
}
