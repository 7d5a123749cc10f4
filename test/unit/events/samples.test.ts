import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { AccountRequestEventSchema } from '../../../functions/shared/schemas/account-request';
import {
  CloudTrailEventSchema,
  CreateAccountResultDetailsSchema,
  SERVICE_EVENT_DETAIL_TYPE,
  ServiceEventSchema,
} from '../../../functions/shared/schemas/cloudtrail';
import { eventBridgeEnvelope } from '../../../functions/shared/schemas/eventbridge';
import {
  ACCOUNT_APPROVAL_REQUESTED,
  ACCOUNT_REQUEST_REJECTED,
  ACCOUNT_VENDED,
  ACCOUNT_VENDING_FAILED,
  AccountApprovalRequestedSchema,
  AccountRequestRejectedSchema,
  AccountVendedSchema,
  AccountVendingFailedSchema,
  GUARDRAIL_FINDING,
  GuardrailFindingEventSchema,
} from '../../../functions/shared/schemas/findings';

const SAMPLES = join(__dirname, '..', '..', '..', 'events', 'samples');

function samples(): { file: string; event: unknown }[] {
  return readdirSync(SAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, event: JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) }));
}

function schemaFor(event: unknown) {
  const detailType = (event as { 'detail-type'?: string })['detail-type'];
  if (detailType === 'AWS API Call via CloudTrail') return CloudTrailEventSchema;
  if (detailType === 'Account Request') return AccountRequestEventSchema;
  if (detailType === SERVICE_EVENT_DETAIL_TYPE) return ServiceEventSchema;
  if (detailType === GUARDRAIL_FINDING) return GuardrailFindingEventSchema;
  if (detailType === ACCOUNT_VENDED) return eventBridgeEnvelope(z.literal(ACCOUNT_VENDED), AccountVendedSchema);
  if (detailType === ACCOUNT_VENDING_FAILED) {
    return eventBridgeEnvelope(z.literal(ACCOUNT_VENDING_FAILED), AccountVendingFailedSchema);
  }
  if (detailType === ACCOUNT_REQUEST_REJECTED) {
    return eventBridgeEnvelope(z.literal(ACCOUNT_REQUEST_REJECTED), AccountRequestRejectedSchema);
  }
  if (detailType === ACCOUNT_APPROVAL_REQUESTED) {
    return eventBridgeEnvelope(z.literal(ACCOUNT_APPROVAL_REQUESTED), AccountApprovalRequestedSchema);
  }
  return undefined;
}

describe('sample events', () => {
  it('ships the samples the guardrails and vending need', () => {
    const files = samples().map((s) => s.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'vendguard.requests/account-request.json',
        'aws.ec2/create-internet-gateway.json',
        'aws.ec2/attach-internet-gateway.json',
        'aws.ec2/authorize-security-group-ingress-open.json',
        'aws.cloudtrail/stop-logging.json',
        'aws.s3/delete-account-public-access-block.json',
        'aws.organizations/create-account-result.json',
        'vendguard.vending/account-vended.json',
        'vendguard.vending/account-vending-failed.json',
        'vendguard.vending/account-request-rejected.json',
        'vendguard.guardrails/guardrail-finding-igw-remediated.json',
      ]),
    );
  });

  it.each(samples().map((s) => [s.file, s.event] as const))('%s parses with its production schema', (_file, event) => {
    const schema = schemaFor(event);
    expect(schema).toBeDefined();
    const result = schema!.safeParse(event);
    if (!result.success) throw new Error(JSON.stringify(result.error.issues, null, 2));
  });

  it('gives every CreateAccountResult sample the createAccountStatus vending reads', () => {
    const results = samples().filter(
      (s) => (s.event as { detail?: { eventName?: string } }).detail?.eventName === 'CreateAccountResult',
    );
    expect(results.length).toBeGreaterThan(0);
    for (const { event } of results) {
      const details = ServiceEventSchema.parse(event).detail.serviceEventDetails;
      const parsed = CreateAccountResultDetailsSchema.parse(details).createAccountStatus;
      expect(parsed.state === 'SUCCEEDED' ? parsed.accountId : parsed.failureReason).toBeDefined();
    }
  });

  it('keeps the source folder equal to the event source', () => {
    for (const { file, event } of samples()) {
      const folder = file.split('/')[0];
      const known = folder === 'vendguard.requests' || folder?.startsWith('aws.') || folder?.startsWith('vendguard.');
      if (!known) continue;
      expect((event as { source: string }).source).toBe(folder);
    }
  });
});
