/**
 * AWS clients of the guardrails: hub clients (state table, bus, Organizations) created once per
 * process, and member-account clients made with the cached remediation-role credentials.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { awsClient, memberCredentials } from '../aws';
import { REMEDIATION_SESSION } from './settings';

let hub: { dynamodb: DynamoDBClient; events: EventBridgeClient; organizations: OrganizationsClient } | undefined;

/** Clients in the hub account (where the function runs). */
export function hubClients() {
  if (!hub) {
    hub = {
      dynamodb: awsClient(DynamoDBClient),
      events: awsClient(EventBridgeClient),
      organizations: awsClient(OrganizationsClient, { region: 'us-east-1' }),
    };
  }
  return hub;
}

/** Member-account clients, by kind. */
const MEMBER_CLIENTS = { ec2: EC2Client, cloudtrail: CloudTrailClient, s3control: S3ControlClient } as const;
type MemberKind = keyof typeof MEMBER_CLIENTS;
type MemberClient<K extends MemberKind> = InstanceType<(typeof MEMBER_CLIENTS)[K]>;

const memberCache = new Map<string, { client: unknown; credentials: unknown }>();

/**
 * A client acting as the remediation role in a member account and region. Credentials come from
 * {@link memberCredentials} (one `AssumeRole` per account while they are valid); the client is
 * reused while the credentials are the same object.
 */
export async function memberClient<K extends MemberKind>(
  kind: K,
  accountId: string,
  region: string,
  roleName: string,
): Promise<MemberClient<K>> {
  const credentials = await memberCredentials(accountId, roleName, REMEDIATION_SESSION);
  const key = `${kind}/${accountId}/${region}/${roleName}`;
  const cached = memberCache.get(key);
  if (cached && cached.credentials === credentials) return cached.client as MemberClient<K>;
  const Ctor = MEMBER_CLIENTS[kind] as unknown as new (config: object) => MemberClient<K>;
  const client = awsClient(Ctor, { region, credentials });
  memberCache.set(key, { client, credentials });
  return client;
}

/** Forgets every cached client (tests). */
export function resetGuardClients(): void {
  hub = undefined;
  memberCache.clear();
}
