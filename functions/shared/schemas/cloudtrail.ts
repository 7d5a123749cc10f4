import * as z from 'zod/mini';
import { AccountIdSchema, eventBridgeEnvelope } from './eventbridge';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The longest `eventID` accepted (AWS's are 36-character GUIDs). */
export const EVENT_ID_MAX = 128;

/**
 * The `userIdentity` block of a CloudTrail record.
 * See https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export const UserIdentitySchema = z.looseObject({
  type: z.string(),
  principalId: z.optional(z.string()),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  accessKeyId: z.optional(z.string()),
  userName: z.optional(z.string()),
  invokedBy: z.optional(z.string()),
  sessionContext: z.optional(
    z.looseObject({
      sessionIssuer: z.optional(
        z.looseObject({
          type: z.optional(z.string()),
          principalId: z.optional(z.string()),
          arn: z.optional(z.string()),
          accountId: z.optional(z.string()),
          userName: z.optional(z.string()),
        }),
      ),
      attributes: z.optional(
        z.looseObject({ creationDate: z.optional(z.string()), mfaAuthenticated: z.optional(z.string()) }),
      ),
    }),
  ),
});
export type UserIdentity = z.infer<typeof UserIdentitySchema>;

/**
 * The `detail` of an `AWS API Call via CloudTrail` event: the CloudTrail record.
 * See https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 *
 * @example
 * { "eventVersion": "1.09", "userIdentity": {…}, "eventTime": "2026-11-26T10:00:00Z",
 *   "eventSource": "ec2.amazonaws.com", "eventName": "CreateInternetGateway", "awsRegion": "eu-west-1",
 *   "requestParameters": {}, "responseElements": { "internetGateway": { "internetGatewayId": "igw-…" } },
 *   "eventID": "…", "eventType": "AwsApiCall", "recipientAccountId": "…" }
 */
export const CloudTrailRecordSchema = z.looseObject({
  eventVersion: z.string(),
  userIdentity: UserIdentitySchema,
  eventTime: z.iso.datetime({ offset: true }),
  eventSource: z
    .string()
    .check(z.regex(/^[a-z0-9-]+\.amazonaws\.com$/, 'must be a service host like ec2.amazonaws.com')),
  eventName: z.string().check(z.minLength(1)),
  awsRegion: z.string().check(z.minLength(1)),
  sourceIPAddress: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  requestParameters: z.nullable(z.optional(z.record(z.string(), z.unknown()))),
  responseElements: z.nullable(z.optional(z.record(z.string(), z.unknown()))),
  requestID: z.optional(z.string()),
  // a key of the state table (and of every log line): a GUID on AWS, bounded here
  eventID: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(
        EVENT_ID_MAX,
        `must be at most ${EVENT_ID_MAX} characters (CloudTrail event ids are 36-character GUIDs)`,
      ),
    ),
  readOnly: z.optional(z.boolean()),
  eventType: z.string(),
  managementEvent: z.optional(z.boolean()),
  recipientAccountId: AccountIdSchema,
  eventCategory: z.optional(z.string()),
});
export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

/** An `AWS API Call via CloudTrail` event as EventBridge delivers it. */
export const CloudTrailEventSchema = eventBridgeEnvelope(z.literal(CLOUDTRAIL_DETAIL_TYPE), CloudTrailRecordSchema);
export type CloudTrailEvent = z.infer<typeof CloudTrailEventSchema>;

export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/**
 * The `detail` of an `AWS Service Event via CloudTrail` event: a CloudTrail record of something a
 * service did on its own (`eventType: AwsServiceEvent`), with `serviceEventDetails` instead of a caller.
 * See https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 *
 * @example
 * { "eventVersion": "1.08", "userIdentity": { "accountId": "111122223333", "invokedBy": "AWS Internal" },
 *   "eventTime": "2026-11-26T10:04:00Z", "eventSource": "organizations.amazonaws.com",
 *   "eventName": "CreateAccountResult", "awsRegion": "us-east-1", "eventType": "AwsServiceEvent",
 *   "serviceEventDetails": { "createAccountStatus": { "id": "car-…", "state": "SUCCEEDED", "accountId": "…" } }, … }
 */
export const ServiceEventRecordSchema = z.looseObject({
  eventVersion: z.string(),
  userIdentity: z.looseObject({ accountId: z.optional(z.string()), invokedBy: z.optional(z.string()) }),
  eventTime: z.iso.datetime({ offset: true }),
  eventSource: z
    .string()
    .check(z.regex(/^[a-z0-9-]+\.amazonaws\.com$/, 'must be a service host like organizations.amazonaws.com')),
  eventName: z.string().check(z.minLength(1)),
  awsRegion: z.string().check(z.minLength(1)),
  eventID: z.string().check(z.minLength(1)),
  eventType: z.literal('AwsServiceEvent'),
  recipientAccountId: AccountIdSchema,
  serviceEventDetails: z.optional(z.record(z.string(), z.unknown())),
});
export type ServiceEventRecord = z.infer<typeof ServiceEventRecordSchema>;

/** An `AWS Service Event via CloudTrail` event as EventBridge delivers it. */
export const ServiceEventSchema = eventBridgeEnvelope(z.literal(SERVICE_EVENT_DETAIL_TYPE), ServiceEventRecordSchema);
export type ServiceEvent = z.infer<typeof ServiceEventSchema>;

/**
 * `serviceEventDetails` of Organizations' `CreateAccountResult`: how an asynchronous CreateAccount
 * ended. Timestamps are CloudTrail's `May 15, 2023 8:26:54 AM`; `accountName` is masked (`****`).
 * See https://docs.aws.amazon.com/organizations/latest/userguide/orgs_cloudtrail-integration.html
 */
export const CreateAccountResultDetailsSchema = z.looseObject({
  createAccountStatus: z.looseObject({
    id: z.string().check(z.regex(/^car-[a-z0-9]{8,32}$/, 'must be a create account request id')),
    state: z.enum(['SUCCEEDED', 'FAILED']),
    accountName: z.optional(z.string()),
    accountId: z.optional(AccountIdSchema),
    failureReason: z.optional(z.string()),
    requestedTimestamp: z.optional(z.string()),
    completedTimestamp: z.optional(z.string()),
  }),
});
export type CreateAccountResultDetails = z.infer<typeof CreateAccountResultDetailsSchema>;
