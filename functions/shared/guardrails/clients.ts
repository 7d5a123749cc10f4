/**
 * AWS clients of the guardrails: hub clients (state table, bus, Organizations) created once per
 * process, and member-account clients made with the cached remediation-role credentials.
 *
 * The SDK packages are required on first use, not when the module loads: a cold start pays only
 * for the packages the invocation calls (each `@aws-sdk/client-*` costs 50–150 ms to require), and
 * a function never loads the ones it does not use (the S3 guard never loads EC2).
 */
import type * as CloudTrailSdk from '@aws-sdk/client-cloudtrail';
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import type * as EventBridgeSdk from '@aws-sdk/client-eventbridge';
import type * as OrganizationsSdk from '@aws-sdk/client-organizations';
import type * as S3ControlSdk from '@aws-sdk/client-s3-control';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsClient, memberCredentials, renewOnExpiredToken } from '../aws';
import { REMEDIATION_SESSION } from './settings';

/** Memoises a loader. */
function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

/**
 * The SDK packages, each required on first call (a synchronous `require`, so the module is the
 * same instance everywhere: `instanceof` checks and aws-sdk-client-mock keep working).
 *
 * @example
 * const { PutEventsCommand } = sdk.eventbridge();
 */
export const sdk = {
  cloudtrail: once(() => require('@aws-sdk/client-cloudtrail') as typeof CloudTrailSdk),
  dynamodb: once(() => require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk),
  ec2: once(() => require('@aws-sdk/client-ec2') as typeof Ec2Sdk),
  eventbridge: once(() => require('@aws-sdk/client-eventbridge') as typeof EventBridgeSdk),
  organizations: once(() => require('@aws-sdk/client-organizations') as typeof OrganizationsSdk),
  s3control: once(() => require('@aws-sdk/client-s3-control') as typeof S3ControlSdk),
} as const;

interface HubClients {
  readonly dynamodb: DynamoDbSdk.DynamoDBClient;
  readonly events: EventBridgeSdk.EventBridgeClient;
  readonly organizations: OrganizationsSdk.OrganizationsClient;
}

let hubDynamoDb: DynamoDbSdk.DynamoDBClient | undefined;
let hubEvents: EventBridgeSdk.EventBridgeClient | undefined;
let hubOrganizations: OrganizationsSdk.OrganizationsClient | undefined;

/** Clients in the hub account (where the function runs); each is created on first use. */
const hub: HubClients = {
  get dynamodb() {
    hubDynamoDb ??= awsClient(sdk.dynamodb().DynamoDBClient);
    return hubDynamoDb;
  },
  get events() {
    hubEvents ??= awsClient(sdk.eventbridge().EventBridgeClient);
    return hubEvents;
  },
  get organizations() {
    hubOrganizations ??= awsClient(sdk.organizations().OrganizationsClient, { region: 'us-east-1' });
    return hubOrganizations;
  },
};

/** Clients in the hub account (where the function runs). */
export function hubClients(): HubClients {
  return hub;
}

/** Member-account clients, by kind. */
interface MemberClients {
  readonly ec2: Ec2Sdk.EC2Client;
  readonly cloudtrail: CloudTrailSdk.CloudTrailClient;
  readonly s3control: S3ControlSdk.S3ControlClient;
}
type MemberKind = keyof MemberClients;

const memberCache = new Map<string, unknown>();

/**
 * The endpoint `AWS_ENDPOINT_URL_S3_CONTROL` / `AWS_ENDPOINT_URL` names, or undefined (real AWS).
 * S3 Control's endpoint rules put the account id in front of the host (`{AccountId}.s3-control…`),
 * which cannot resolve for `127.0.0.1`; with a custom endpoint the client is given a fixed
 * `endpointProvider` instead (only then: against AWS the rules stay as they are).
 */
export function s3ControlEndpointOverride(): string | undefined {
  return process.env.AWS_ENDPOINT_URL_S3_CONTROL || process.env.AWS_ENDPOINT_URL || undefined;
}

function createMemberClient(kind: MemberKind, region: string, credentials: AwsCredentialIdentityProvider): unknown {
  switch (kind) {
    case 'ec2':
      return awsClient(sdk.ec2().EC2Client, { region, credentials });
    case 'cloudtrail':
      return awsClient(sdk.cloudtrail().CloudTrailClient, { region, credentials });
    case 's3control': {
      const { S3ControlClient } = sdk.s3control();
      const endpoint = s3ControlEndpointOverride();
      if (!endpoint) return awsClient(S3ControlClient, { region, credentials });
      const url = new URL(endpoint);
      /** The client with the endpoint as is (no account-id host prefix). */
      class S3ControlClientAtEndpoint extends S3ControlClient {
        constructor(config: S3ControlSdk.S3ControlClientConfig) {
          super({ ...config, endpointProvider: () => ({ url }) });
        }
      }
      return awsClient(S3ControlClientAtEndpoint, { region, credentials });
    }
  }
}

/**
 * A client acting as the remediation role in a member account and region. Its credentials come from
 * {@link memberCredentials} on every request (one `AssumeRole` per account while they are valid). A
 * request refused with `ExpiredToken` renews them and is sent once more: a session can end before
 * the expiry this process computed (its clock and STS's differ), and a guardrail must not fail for it.
 */
export async function memberClient<K extends MemberKind>(
  kind: K,
  accountId: string,
  region: string,
  roleName: string,
): Promise<MemberClients[K]> {
  // assumed up front: a member account that refuses the role fails here, before any action is planned
  await memberCredentials(accountId, roleName, REMEDIATION_SESSION);
  const key = `${process.env.AWS_ENDPOINT_URL ?? ''}|${kind}/${accountId}/${region}/${roleName}`;
  const cached = memberCache.get(key);
  if (cached) return cached as MemberClients[K];
  // resolved on every request; "expired now" makes the SDK ask again instead of keeping its copy
  const credentials: AwsCredentialIdentityProvider = async () => ({
    ...(await memberCredentials(accountId, roleName, REMEDIATION_SESSION)),
    expiration: new Date(),
  });
  const client = renewOnExpiredToken(
    createMemberClient(kind, region, credentials),
    accountId,
    roleName,
    REMEDIATION_SESSION,
  ) as MemberClients[K];
  memberCache.set(key, client);
  return client;
}

/** Forgets every cached client (tests). */
export function resetGuardClients(): void {
  hubDynamoDb = undefined;
  hubEvents = undefined;
  hubOrganizations = undefined;
  memberCache.clear();
}
