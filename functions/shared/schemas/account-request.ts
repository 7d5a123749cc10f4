import * as z from 'zod/mini';
import { eventBridgeEnvelope } from './eventbridge';

export const ACCOUNT_REQUEST_SOURCE = 'vendguard.requests';
export const ACCOUNT_REQUEST_DETAIL_TYPE = 'Account Request';

const SAFE_TEXT = /^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$/;

/**
 * An account request: what a service team asks for. Shape checks only; the rules that depend on
 * the organization (name pattern, allowed OUs and email domains, unused email) are checked by the
 * validate step against the config.
 *
 * @example
 * { "name": "payments-prod", "email": "aws-payments-prod@acme.example", "ou": "Workloads/Prod",
 *   "owner": "team-payments", "costCenter": "CC-1042", "environment": "prod", "requestId": "req-0001" }
 */
export const AccountRequestSchema = z.strictObject({
  name: z
    .string()
    .check(z.minLength(3, 'must be at least 3 characters'), z.maxLength(50, 'must be at most 50 characters')),
  email: z.email('must be an email address').check(z.maxLength(64, 'must be at most 64 characters')),
  ou: z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(200),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9 _-]*(\/[A-Za-z0-9][A-Za-z0-9 _-]*)*$/, 'must be an OU path like Workloads/Prod'),
    ),
  owner: z.string().check(z.minLength(1), z.maxLength(64), z.regex(SAFE_TEXT, 'must be letters, digits and . _ @ + -')),
  costCenter: z.optional(
    z.string().check(z.minLength(1), z.maxLength(64), z.regex(SAFE_TEXT, 'must be letters, digits and . _ @ + -')),
  ),
  environment: z.enum(['prod', 'staging', 'dev', 'sandbox'], 'must be one of prod, staging, dev, sandbox'),
  requestId: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9-_]{0,63}$/, 'must be 1-64 letters, digits, - or _')),
  ),
  /**
   * The size of the account's VPC (`/16` to `/24`), allocated from its OU's IPAM pool; default
   * `network.vpcNetmaskLength`. Only for OUs that get a VPC.
   */
  vpcNetmaskLength: z.optional(
    z
      .int('must be a whole number from 16 to 24')
      .check(
        z.minimum(16, 'must be from 16 to 24 (a /16 to /24 VPC)'),
        z.maximum(24, 'must be from 16 to 24 (a /16 to /24 VPC)'),
      ),
  ),
});
export type AccountRequest = z.infer<typeof AccountRequestSchema>;

export const ACCOUNT_ENROLLMENT_DETAIL_TYPE = 'Account Enrollment Request';

/**
 * An enrollment: an account created or invited outside vendguard, brought under it (quarantine,
 * move, tag, baseline, SCPs, release, announce; no creation). `name` and `email` are the account's
 * own (`vendguard enroll` reads them); the validate step checks them against the organization.
 */
export const AccountEnrollmentSchema = z.extend(AccountRequestSchema, {
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
});
export type AccountEnrollment = z.infer<typeof AccountEnrollmentSchema>;

/** The `Account Request` event on the bus. */
export const AccountRequestEventSchema = eventBridgeEnvelope(
  z.literal(ACCOUNT_REQUEST_DETAIL_TYPE),
  AccountRequestSchema,
);
export type AccountRequestEvent = z.infer<typeof AccountRequestEventSchema>;
