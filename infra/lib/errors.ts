/** Base of the errors the CDK app raises at synth time. Names are API (tests and docs match them). */
export class VendguardInfraError extends Error {
  override readonly name: string = 'VendguardInfraError';
}

/** The CDK context is missing a setting or holds a malformed one. */
export class DeploymentContextError extends VendguardInfraError {
  override readonly name = 'DeploymentContextError';
}

/** A rule, state machine or manifest entry refers to something the app does not define. */
export class UnknownReferenceError extends VendguardInfraError {
  override readonly name = 'UnknownReferenceError';
}
