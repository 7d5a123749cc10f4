/**
 * Base errors of the runtime. Error `name`s are API: the ASL `ErrorEquals` lists match them,
 * so rename only on purpose. Each module adds its own subclasses in its own `errors.ts`.
 */

/** Base of every error vendguard raises on purpose. */
export class VendguardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VendguardError';
  }
}

/** Input (event, request, config) rejected at the edge; nothing was changed. Never retried. */
export class InputValidationError extends VendguardError {
  /** Every problem: the field (dotted path) and the reason. */
  readonly issues: readonly { readonly path: string; readonly message: string }[];

  constructor(what: string, issues: readonly { path: string; message: string }[], options?: ErrorOptions) {
    const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(`${what} is invalid: ${detail}`, options);
    this.name = 'InputValidationError';
    this.issues = issues;
  }
}

/** A transient condition (throttling, a conflicting operation); the caller may retry later. */
export class TransientError extends VendguardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Returns the AWS error name (`ThrottlingException`, …) of an SDK error, or undefined. */
export function awsErrorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string') return err.name;
  return undefined;
}

/** Throttling error names across the services vendguard calls. */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(err: unknown): boolean {
  const name = awsErrorName(err);
  return name !== undefined && THROTTLING_ERRORS.has(name);
}
