/**
 * The CloudTrail guard: a stopped trail is restarted (StartLogging) and alerted; a deleted or
 * updated trail cannot be put back automatically and is alerted as critical.
 */
import { awsErrorName } from '../shared/errors';
import { memberClient, sdk } from '../shared/guardrails/clients';
import { stringField } from '../shared/guardrails/event';
import { isExemptAccount } from '../shared/guardrails/exemptions';
import { type Guard, isRetryable } from '../shared/guardrails/pipeline';

export const TRAIL_RESOURCE_TYPE = 'AWS::CloudTrail::Trail';

/** The guard of the `trail-tampered` rule. */
export const cloudTrailGuard: Guard = async (ctx) => {
  const { event } = ctx;
  const trail = stringField(event.record?.requestParameters, 'name');
  const where = `${event.accountId}/${event.region}`;
  const verb =
    event.eventName === 'StopLogging'
      ? 'stopped logging of'
      : event.eventName === 'DeleteTrail'
        ? 'deleted'
        : event.eventName === 'UpdateTrail'
          ? 'updated'
          : `called ${event.eventName} on`;
  const summary = `${event.actor} ${verb} trail ${trail ?? '(unnamed)'} in ${where}`;
  const base = { summary, resourceType: TRAIL_RESOURCE_TYPE, ...(trail ? { resource: trail } : {}) };
  if (await isExemptAccount(event.accountId)) {
    // Trails are never exempt from alerting: an exempt account is left untouched, but a person hears of it.
    return {
      ...base,
      action: 'none: the account is exempt from remediation, so logging was not restarted',
      outcome: 'alerted',
      reason: 'trail tampering is alerted in every account, exempt ones included',
    };
  }
  if (event.eventName !== 'StopLogging') {
    return {
      ...base,
      action: `none: a ${event.eventName === 'DeleteTrail' ? 'deleted' : 'changed'} trail cannot be restored automatically`,
      outcome: 'alerted',
    };
  }
  if (!trail) {
    return {
      ...base,
      action: 'none: the event names no trail, alerting instead of acting',
      outcome: 'alerted',
      reason: 'no requestParameters.name in the CloudTrail record',
    };
  }
  const stop = await ctx.gate(`restart logging of ${trail}`, base);
  if (stop) return stop;
  try {
    const cloudtrail = await memberClient('cloudtrail', event.accountId, event.region, ctx.settings.remediationRole);
    await cloudtrail.send(new (sdk.cloudtrail().StartLoggingCommand)({ Name: trail }));
  } catch (err) {
    if (isRetryable(err)) throw err;
    return {
      ...base,
      action: `could not restart logging of ${trail}`,
      outcome: 'failed',
      reason: `${awsErrorName(err) ?? 'Error'}: ${(err as Error).message}`,
    };
  }
  return { ...base, action: `restarted logging of ${trail}`, outcome: 'remediated' };
};
