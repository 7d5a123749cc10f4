/**
 * The guardrail rules as the functions see them: the same JSON files the sandbox loads onto its bus
 * and the CDK app deploys, imported so a bundle carries them. Mode and severity come from one place.
 */

import { type RuleDefinition, RuleSchema } from '../../../events/rules';
import deniedAttempts from '../../../events/rules/denied-attempts.json';
import igwAttached from '../../../events/rules/igw-attached.json';
import igwCreated from '../../../events/rules/igw-created.json';
import leaveOrganization from '../../../events/rules/leave-organization.json';
import organizationTampering from '../../../events/rules/organization-tampering.json';
import prodIngressOutsideBastion from '../../../events/rules/prod-ingress-outside-bastion.json';
import s3PublicAccessWeakened from '../../../events/rules/s3-public-access-weakened.json';
import sgOpenIngress from '../../../events/rules/sg-open-ingress.json';
import trailTampered from '../../../events/rules/trail-tampered.json';
import vendguardTampering from '../../../events/rules/vendguard-tampering.json';
import type { CloudTrailRecord } from '../schemas/cloudtrail';

/** What a guardrail needs to know about the rule that matched. */
export interface GuardRule {
  readonly name: string;
  readonly mode: 'remediate' | 'alert';
  readonly severity: RuleDefinition['severity'];
  /** Function the rule targets. */
  readonly target: string;
  /** Event names of the pattern. */
  readonly eventNames: readonly string[];
  /** True for rules that match failed calls (`errorCode` present). */
  readonly matchesErrors: boolean;
}

function toGuardRule(raw: unknown): GuardRule {
  const rule = RuleSchema.parse(raw);
  const detail = (rule.pattern?.detail ?? {}) as { eventName?: unknown; errorCode?: unknown };
  const eventNames = Array.isArray(detail.eventName) ? detail.eventName.filter((n) => typeof n === 'string') : [];
  const errorCode = detail.errorCode;
  const matchesErrors = Array.isArray(errorCode) && errorCode.every((c) => typeof c === 'string');
  if (rule.mode === 'route') throw new Error(`events/rules/${rule.name}.json: a guardrail rule cannot be mode route`);
  return {
    name: rule.name,
    mode: rule.mode,
    severity: rule.severity,
    target: rule.target.name,
    eventNames,
    matchesErrors,
  };
}

/** Every guardrail rule, by name. */
export const GUARDRAIL_RULES: ReadonlyMap<string, GuardRule> = new Map(
  [
    igwCreated,
    igwAttached,
    sgOpenIngress,
    prodIngressOutsideBastion,
    trailTampered,
    s3PublicAccessWeakened,
    vendguardTampering,
    organizationTampering,
    leaveOrganization,
    deniedAttempts,
  ].map((raw) => {
    const rule = toGuardRule(raw);
    return [rule.name, rule] as const;
  }),
);

/** A rule by name; throws on an unknown one. */
export function guardrailRule(name: string): GuardRule {
  const rule = GUARDRAIL_RULES.get(name);
  if (!rule) throw new Error(`unknown guardrail rule "${name}"`);
  return rule;
}

/**
 * The rule of `functionName` that matched a record: the one whose event names hold the record's
 * `eventName` and whose error side (success or denied) fits. Undefined when none does (the event is
 * not for this function).
 */
export function ruleForRecord(functionName: string, record: CloudTrailRecord): GuardRule | undefined {
  const failed = record.errorCode !== undefined && record.errorCode !== '';
  for (const rule of GUARDRAIL_RULES.values()) {
    if (rule.target !== functionName) continue;
    if (rule.matchesErrors !== failed) continue;
    if (rule.eventNames.includes(record.eventName)) return rule;
  }
  return undefined;
}
