import { SandboxError } from '../core/errors';
import type { PolicyKind } from './types';

/** Base of the policy evaluator's errors. */
export class PolicyError extends SandboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}

/**
 * A policy document that IAM or Organizations would refuse (`MalformedPolicyDocument`). The message
 * names the statement when one is at fault: `Statement 2 (Sid DenyIgw): Action "ec2CreateVpc" is not
 * a valid action`; document-level problems read like IAM's (`Syntax errors in policy.`).
 */
export class MalformedPolicyError extends PolicyError {
  constructor(
    message: string,
    /** The kind of document that was parsed. */
    readonly kind: PolicyKind,
    /** The faulty statement, 1-based, when one is at fault. */
    readonly statement?: number,
    /** That statement's Sid, when it has one. */
    readonly sid?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MalformedPolicyError';
  }
}
