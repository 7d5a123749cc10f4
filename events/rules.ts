import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { SEVERITIES } from '../config/schema';

/**
 * An EventBridge rule of vendguard, one JSON file per rule in `events/rules/`. The CDK app deploys
 * each as `vendguard-<name>` ({@link deployedRuleName}), to AWS and to the sandbox alike.
 *
 * @example
 * { "name": "igw-created", "description": "…", "eventBus": "vendguard",
 *   "pattern": { "source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
 *                "detail": { "eventName": ["CreateInternetGateway"], "errorCode": [{ "exists": false }] } },
 *   "target": { "kind": "function", "name": "guard-internet-gateway" }, "mode": "remediate", "severity": "high" }
 */
export const RuleSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be kebab-case')),
  description: z.string().check(z.minLength(1)),
  /** `vendguard` is the central bus that member accounts forward CloudTrail events to. */
  eventBus: z._default(z.string(), 'vendguard'),
  pattern: z.optional(z.record(z.string(), z.unknown())),
  /** Schedule expression for scheduled rules (no pattern). */
  schedule: z.optional(z.string()),
  target: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('function'), name: z.string() }),
    z.strictObject({ kind: z.literal('stateMachine'), name: z.string() }),
  ]),
  /** `remediate`: act and alert; `alert`: alert only. */
  mode: z.enum(['remediate', 'alert', 'route']),
  severity: z._default(z.enum(SEVERITIES), 'info'),
  enabled: z._default(z.boolean(), true),
});
export type RuleDefinition = z.infer<typeof RuleSchema>;

export const RULES_DIR = join(__dirname, 'rules');

/** The name a rule is deployed under (`igw-created` → `vendguard-igw-created`): the CDK app's, and so the sandbox's. */
export const deployedRuleName = (name: string): string => `vendguard-${name}`;

/** The sources of the events vendguard itself puts on the central bus (findings, vending outcomes). */
export const HUB_SOURCES = ['vendguard.guardrails', 'vendguard.vending'] as const;

/** Every `source` value a pattern names (at its top level and in each `$or` branch). */
function patternSources(pattern: Readonly<Record<string, unknown>> | undefined): unknown[] {
  if (!pattern) return [];
  const own = Array.isArray(pattern.source) ? pattern.source : pattern.source === undefined ? [] : [pattern.source];
  const branches = Array.isArray(pattern.$or) ? (pattern.$or as Record<string, unknown>[]) : [];
  return [...own, ...branches.flatMap((b) => patternSources(b))];
}

/**
 * Whether a rule acts only on events vendguard itself emits ({@link HUB_SOURCES}): such a rule must
 * match them only from the hub account (the CDK app adds `account: [<hub>]`), so a member account
 * that reaches the bus cannot page the security channel with a forged finding.
 */
export function matchesHubSourcesOnly(rule: Pick<RuleDefinition, 'pattern'>): boolean {
  const sources = patternSources(rule.pattern);
  return sources.length > 0 && sources.every((s) => (HUB_SOURCES as readonly unknown[]).includes(s));
}

/** What {@link scheduledFunctionRules} needs of a manifest function. */
interface ScheduledSpec {
  readonly name: string;
  readonly trigger: { readonly kind: string; readonly expression?: string };
}

/**
 * The rules that run the manifest's scheduled functions: `<function>-schedule` on the `default` bus
 * (AWS runs schedule expressions on the default bus only), deployed as `vendguard-<function>-schedule`.
 */
export function scheduledFunctionRules(functions: readonly ScheduledSpec[]): RuleDefinition[] {
  return functions.flatMap((fn) =>
    fn.trigger.kind === 'schedule' && fn.trigger.expression
      ? [
          {
            name: `${fn.name}-schedule`,
            description: `Runs ${fn.name} on ${fn.trigger.expression}`,
            eventBus: 'default',
            schedule: fn.trigger.expression,
            target: { kind: 'function', name: fn.name },
            mode: 'route',
            severity: 'info',
            enabled: true,
          } satisfies RuleDefinition,
        ]
      : [],
  );
}

/** Loads and validates every rule in `events/rules/`; throws naming the file and field of a bad one. */
export function loadRules(dir: string = RULES_DIR): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const result = RuleSchema.safeParse(raw);
    if (!result.success) {
      const why = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`events/rules/${file} is invalid: ${why}`);
    }
    if (`${result.data.name}.json` !== file)
      throw new Error(`events/rules/${file} must be named ${result.data.name}.json`);
    if (!result.data.pattern === !result.data.schedule) {
      throw new Error(`events/rules/${file} needs exactly one of pattern or schedule`);
    }
    rules.push(result.data);
  }
  return rules;
}

/**
 * How the hub account's own CloudTrail events reach the central bus. A call lands on the default bus
 * of the caller's account and region (IAM, Organizations and STS calls in us-east-1), so the hub
 * needs what the security baseline gives each member account: a rule on its default bus in the home
 * region and in us-east-1 that forwards management events to the central bus (with `roleName` for
 * the cross-region hop). The pattern is the baseline's `ForwardCloudTrailRule` pattern. The CDK app
 * deploys it (`VendguardHub`, `VendguardHubGlobalEvents`), to AWS and to the sandbox.
 */
export const HUB_FORWARDING_RULE = {
  name: 'vendguard-hub-forward-cloudtrail',
  description: "Forwards the hub account's own CloudTrail management events to the vendguard bus",
  pattern: { 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventCategory: ['Management'] } },
  /** The role EventBridge uses for the cross-region put from us-east-1. */
  roleName: 'vendguard-hub-event-forwarder',
  /** Where IAM, Organizations and STS deliver their events. */
  globalEventsRegion: 'us-east-1',
} as const;
