/**
 * Test harness of the guardrail functions: aws-sdk-client-mock clients for STS, DynamoDB (a small
 * in-memory table with the conditional semantics the guardrails rely on), EventBridge,
 * Organizations and the member-account services, plus sample events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadOrganizationConfig } from '../../../../../config/load';
import type { OrganizationConfig } from '../../../../../config/schema';
import { clearCredentialCache } from '../../../../../functions/shared/aws';
import { setOrganizationConfig } from '../../../../../functions/shared/config';
import { resetGuardClients } from '../../../../../functions/shared/guardrails/clients';
import { resetAccountDirectory } from '../../../../../functions/shared/guardrails/exemptions';
import type { GuardrailFinding } from '../../../../../functions/shared/schemas/findings';

export const SERVICE_ACCOUNT = '222233334444';
export const OTHER_SERVICE_ACCOUNT = '333344445555';
export const MANAGEMENT = '100000000001';
export const EGRESS = '100000000005';
export const BASTION = '100000000006';

export const ACCOUNTS = [
  { Id: MANAGEMENT, Name: 'management', Status: 'ACTIVE' as const },
  { Id: '100000000002', Name: 'log-archive', Status: 'ACTIVE' as const },
  { Id: EGRESS, Name: 'egress', Status: 'ACTIVE' as const },
  { Id: BASTION, Name: 'bastion', Status: 'ACTIVE' as const },
  { Id: SERVICE_ACCOUNT, Name: 'payments-dev', Status: 'ACTIVE' as const },
  { Id: OTHER_SERVICE_ACCOUNT, Name: 'orders-dev', Status: 'ACTIVE' as const },
];

const SAMPLES = join(__dirname, '..', '..', '..', '..', '..', 'events', 'samples');
type Json = Record<string, unknown>;

/** A sample event (deep copy), optionally edited: `detail` fields, account, event id. */
export function sampleEvent(
  file: string,
  options: { account?: string; eventId?: string; edit?: (detail: Json) => void } = {},
): Json {
  const event = JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as Json;
  const detail = event.detail as Json;
  if (options.account) {
    event.account = options.account;
    detail.recipientAccountId = options.account;
  }
  if (options.eventId) detail.eventID = options.eventId;
  options.edit?.(detail);
  return event;
}

/** The org config with `edit` applied to a copy of its guardrails section. */
export function withGuardrails(edit: (g: OrganizationConfig['guardrails']) => void): OrganizationConfig {
  const config = structuredClone(loadOrganizationConfig().config);
  edit(config.guardrails);
  return config;
}

/** Installs the mocks; call in `beforeEach`. */
export function guardHarness() {
  process.env.VENDGUARD_GUARD_BACKOFF_MS = '0';
  process.env.VENDGUARD_GUARD_ATTEMPTS = '3';
  delete process.env.VENDGUARD_ALERT_ONLY;
  clearCredentialCache();
  resetGuardClients();
  resetAccountDirectory();
  setOrganizationConfig(undefined);

  const sts = mockClient(STSClient);
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));

  const table = new Map<string, Record<string, { S?: string; N?: string }>>();
  const dynamodb = mockClient(DynamoDBClient);
  dynamodb.on(PutItemCommand).callsFake((input) => {
    const id = input.Item.id.S as string;
    const existing = table.get(id);
    const now = Number(input.ExpressionAttributeValues?.[':now']?.N ?? 0);
    if (existing) {
      const expired = Number(existing.expiration?.N ?? 0) < now;
      const stale = existing.status?.S === 'INPROGRESS' && Number(existing.inProgressUntil?.N ?? 0) < now;
      if (!expired && !stale) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
    }
    table.set(id, { ...input.Item });
    return {};
  });
  dynamodb.on(UpdateItemCommand).callsFake((input) => {
    const id = input.Key.id.S as string;
    const item = table.get(id) ?? { id: { S: id } };
    if (String(input.UpdateExpression).startsWith('ADD actions')) {
      item.actions = { N: String(Number(item.actions?.N ?? 0) + 1) };
      table.set(id, item);
      return { Attributes: { actions: item.actions } };
    }
    item.status = { S: 'COMPLETED' };
    item.outcome = input.ExpressionAttributeValues?.[':outcome'] ?? {};
    table.set(id, item);
    return {};
  });
  dynamodb.on(DeleteItemCommand).callsFake((input) => {
    table.delete(input.Key.id.S as string);
    return {};
  });

  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

  const organizations = mockClient(OrganizationsClient);
  organizations.on(ListAccountsCommand).resolves({ Accounts: ACCOUNTS });

  const ec2 = mockClient(EC2Client);
  const cloudtrail = mockClient(CloudTrailClient);
  const s3control = mockClient(S3ControlClient);

  /** The findings put on the bus, parsed. */
  const findings = (): GuardrailFinding[] =>
    events.commandCalls(PutEventsCommand).flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => {
        expect(entry.Source).toBe('vendguard.guardrails');
        expect(entry.DetailType).toBe('Guardrail Finding');
        expect(entry.EventBusName).toBe('vendguard');
        return JSON.parse(entry.Detail ?? '{}') as GuardrailFinding;
      }),
    );

  /** Every call made to a member-account service, by command name. */
  const memberCalls = (): string[] =>
    [ec2, cloudtrail, s3control].flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name));

  const restore = () => {
    for (const m of [sts, dynamodb, events, organizations, ec2, cloudtrail, s3control]) m.restore();
    setOrganizationConfig(undefined);
  };

  return { sts, dynamodb, table, events, organizations, ec2, cloudtrail, s3control, findings, memberCalls, restore };
}

export type GuardHarness = ReturnType<typeof guardHarness>;
