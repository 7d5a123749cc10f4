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

/** One problem of rejected input: the field (dotted path) and the reason. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/** Turns zod issues into `{ path, message }` pairs with dotted paths. */
export function zodIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): InputIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Issues as one line: `ou: unknown OU; email: invalid` (an empty path reads `(root)`). */
export function describeIssues(issues: readonly InputIssue[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}

/** Input (event, request, config) rejected at the edge; nothing was changed. Never retried. */
export class InputValidationError extends VendguardError {
  /** Every problem: the field (dotted path) and the reason. */
  readonly issues: readonly InputIssue[];

  constructor(what: string, issues: readonly InputIssue[], options?: ErrorOptions) {
    super(`${what} is invalid: ${describeIssues(issues)}`, options);
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
