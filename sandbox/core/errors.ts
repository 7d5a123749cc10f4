/** Errors of the sandbox itself (not AWS errors, which are `AwsServiceError`). */

/** Base of every sandbox error. */
export class SandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
  }
}

/** The port is already in use. */
export class PortInUseError extends SandboxError {
  constructor(
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} on 127.0.0.1 is already in use (another sandbox running? use --port)`, options);
    this.name = 'PortInUseError';
  }
}

/** A faults file or control-API rule is invalid. */
export class FaultConfigError extends SandboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaultConfigError';
  }
}
