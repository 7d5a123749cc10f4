/**
 * The S3 public access guard: the account-level public access block must have all four settings
 * on. A deleted block, or a Put that turns any setting off, is restored with PutPublicAccessBlock.
 */
import { awsErrorName } from '../shared/errors';
import { memberClient, sdk } from '../shared/guardrails/clients';
import { isExemptAccount } from '../shared/guardrails/exemptions';
import { type Guard, isRetryable } from '../shared/guardrails/pipeline';

export const PAB_RESOURCE_TYPE = 'AWS::S3::AccountPublicAccessBlock';
export const PAB_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

/** The settings a PutAccountPublicAccessBlock record turned off (none: not a weakening). */
export function weakenedSettings(requestParameters: Record<string, unknown> | null | undefined): string[] {
  const config = requestParameters?.PublicAccessBlockConfiguration;
  if (typeof config !== 'object' || config === null) return [...PAB_SETTINGS];
  const values = config as Record<string, unknown>;
  return PAB_SETTINGS.filter((key) => values[key] !== true && values[key] !== 'true');
}

/** The guard of the `s3-public-access-weakened` rule. */
export const s3PublicAccessGuard: Guard = async (ctx) => {
  const { event } = ctx;
  const where = `${event.accountId}/${event.region}`;
  const deleted = event.eventName === 'DeleteAccountPublicAccessBlock';
  const off = deleted ? [...PAB_SETTINGS] : weakenedSettings(event.record?.requestParameters);
  if (off.length === 0) return null;
  const summary = deleted
    ? `${event.actor} deleted the account public access block in ${where}`
    : `${event.actor} turned off ${off.join(', ')} of the account public access block in ${where}`;
  const base = { summary, resource: event.accountId, resourceType: PAB_RESOURCE_TYPE };
  if (await isExemptAccount(event.accountId)) {
    return { ...base, action: 'none: the account is exempt', outcome: 'exempt', severity: 'info' };
  }
  const stop = await ctx.gate('restore the account public access block (all four settings on)', base);
  if (stop) return stop;
  try {
    const s3control = await memberClient('s3control', event.accountId, event.region, ctx.settings.remediationRole);
    const { PutPublicAccessBlockCommand } = sdk.s3control();
    await s3control.send(
      new PutPublicAccessBlockCommand({
        AccountId: event.accountId,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  } catch (err) {
    if (isRetryable(err)) throw err;
    return {
      ...base,
      action: 'could not restore the account public access block',
      outcome: 'failed',
      reason: `${awsErrorName(err) ?? 'Error'}: ${(err as Error).message}`,
    };
  }
  return { ...base, action: 'restored the account public access block (all four settings on)', outcome: 'remediated' };
};
