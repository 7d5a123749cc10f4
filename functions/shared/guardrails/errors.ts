/**
 * Errors of the guardrail functions. Error `name`s are API (logs and alarms match them), so rename
 * only on purpose. A message names the account, region and resource it is about.
 */
import { VendguardError } from '../errors';

/** Base of every guardrail error. */
export class GuardrailError extends VendguardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GuardrailError';
  }
}

/** The exemption data (account names, tags) could not be read: the guardrail alerts instead of acting. */
export class ExemptionDataUnavailableError extends GuardrailError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExemptionDataUnavailableError';
  }
}

/** The guardrail state table (idempotency, blast radius) could not be read or written. */
export class GuardrailStateError extends GuardrailError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GuardrailStateError';
  }
}

/** A remediation was tried and did not complete (e.g. `DependencyViolation` after every retry). */
export class RemediationFailedError extends GuardrailError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RemediationFailedError';
  }
}

/** The finding could not be put on the bus; the delivery is released so EventBridge retries it. */
export class FindingNotRecordedError extends GuardrailError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FindingNotRecordedError';
  }
}
