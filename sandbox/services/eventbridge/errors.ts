/**
 * Errors of the sandbox's EventBridge. Their names are API: the service maps them to the AWS error
 * codes the SDK turns into named exceptions.
 */

/** Base of every EventBridge sandbox error. */
export class EventBridgeSandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventBridgeSandboxError';
  }
}

/**
 * A malformed event pattern, with AWS's wording: `Event pattern is not valid. Reason: … at …`.
 * The service answers it as `InvalidEventPatternException`.
 */
export class InvalidEventPatternError extends EventBridgeSandboxError {
  /** The reason alone, without the prefix. */
  readonly reason: string;
  /** Where in the pattern, as a dotted path (`detail.state[0]`). */
  readonly path: string;

  constructor(reason: string, path: string) {
    super(`Event pattern is not valid. Reason: ${reason}${path ? ` at ${path}` : ''}`);
    this.name = 'InvalidEventPatternError';
    this.reason = reason;
    this.path = path;
  }
}

/** A target invocation that failed after every retry. */
export class TargetDeliveryError extends EventBridgeSandboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetDeliveryError';
  }
}

/**
 * A delivery EventBridge is not allowed to make (a cross-account bus whose policy does not admit the
 * sender, a rule role that does not exist or does not trust EventBridge): never retried, dropped and
 * counted in the rule's `FailedInvocations`.
 */
export class DeliveryDeniedError extends TargetDeliveryError {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryDeniedError';
  }
}
