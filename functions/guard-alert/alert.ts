/**
 * The alert-only guard: tampering with vendguard, leaving the organization and denied attempts are
 * never remediated; they are recorded as a finding (severity from the rule) for the notifier.
 */
import { stringField } from '../shared/guardrails/event';
import type { Guard } from '../shared/guardrails/pipeline';

const RESOURCE_FIELDS = [
  'name',
  'rule',
  'roleName',
  'stackSetName',
  'trailName',
  'groupId',
  'internetGatewayId',
  'policyId',
  'accountId',
  'servicePrincipal',
  'rootId',
];

/** ` (target …)` of an SCP call, ` (… → …)` of a move, ` (policy type …)` of a policy type call. */
function targetOf(params: Record<string, unknown> | undefined): string {
  const target = stringField(params, 'targetId');
  if (target) return ` (target ${target})`;
  const policyType = stringField(params, 'policyType');
  if (policyType) return ` (policy type ${policyType})`;
  const from = stringField(params, 'sourceParentId');
  const to = stringField(params, 'destinationParentId');
  return from && to ? ` (${from} → ${to})` : '';
}

/** The guard of the `vendguard-tampering`, `organization-tampering`, `leave-organization` and `denied-attempts` rules. */
export const alertGuard: Guard = async (ctx) => {
  const { event, rule } = ctx;
  const record = event.record;
  const params = record?.requestParameters ?? undefined;
  const resource = RESOURCE_FIELDS.map((f) => stringField(params, f)).find((v) => v !== undefined);
  const where = `${event.accountId}/${event.region}`;
  const on = resource ? ` on ${resource}` : '';
  const summary =
    rule.name === 'denied-attempts'
      ? `${event.actor} was denied ${event.eventName}${on} (${record?.errorCode ?? 'error'}) in ${where}`
      : rule.name === 'leave-organization'
        ? `${event.actor} called ${event.eventName} in ${where}`
        : rule.name === 'organization-tampering'
          ? `${event.actor} called ${event.eventName}${on}${targetOf(params)}, weakening the organization's guardrails, in ${where}`
          : `${event.actor} called ${event.eventName}${on}, a vendguard resource, in ${where}`;
  return {
    summary,
    action: 'none: alert only',
    outcome: 'alerted',
    ...(resource ? { resource } : {}),
    ...(record?.errorMessage ? { reason: record.errorMessage } : {}),
  };
};
