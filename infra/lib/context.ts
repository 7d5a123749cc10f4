import type { Node } from 'constructs';
import * as z from 'zod/mini';
import { DeploymentContextError } from './errors';

/**
 * Deployment settings that the organization config does not hold (ids that only exist in AWS),
 * read from CDK context (`cdk.json` or `-c key=value`). `cdk.json` ships documented placeholders.
 *
 * @example
 * npx cdk synth -c vendguard:organizationId=o-a1b2c3d4e5 -c vendguard:bastionAccountId=123456789012
 */
export const CONTEXT_KEYS = {
  organizationId: 'vendguard:organizationId',
  ouIds: 'vendguard:ouIds',
  accountIds: 'vendguard:accountIds',
  bastionAccountId: 'vendguard:bastionAccountId',
  stackSetParameters: 'vendguard:stackSetParameters',
  stackSetCallAs: 'vendguard:stackSetCallAs',
  alarmEmail: 'vendguard:alarmEmail',
  logLevel: 'vendguard:logLevel',
  allowMissingEntries: 'vendguard:allowMissingEntries',
} as const;

const OrgIdSchema = z.string().check(z.regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id like o-a1b2c3d4e5'));
const OuIdSchema = z
  .string()
  .check(z.regex(/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/, 'must be an OU id (ou-…) or root id (r-…)'));
const AccountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'));

export const DeploymentContextSchema = z.object({
  organizationId: OrgIdSchema,
  /** OU path (as in the config, e.g. `Workloads/Prod`) → OU id. */
  ouIds: z.record(z.string(), OuIdSchema),
  /** Core account name (as in the config's `accounts`) → account id: the targets of `scps[].accounts`. */
  accountIds: z._default(z.record(z.string(), AccountIdSchema), {}),
  bastionAccountId: AccountIdSchema,
  /** Extra stack set parameters by stack set name (override the derived ones). */
  stackSetParameters: z._default(z.record(z.string(), z.record(z.string(), z.string())), {}),
  /** `SELF` in the management account, `DELEGATED_ADMIN` in a delegated administrator. */
  stackSetCallAs: z._default(z.enum(['SELF', 'DELEGATED_ADMIN']), 'SELF'),
  alarmEmail: z.optional(z.email()),
  logLevel: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), 'INFO'),
  /** Synthesize placeholder code for manifest entries that do not exist yet (work in progress). */
  allowMissingEntries: z._default(z.boolean(), false),
});
export type DeploymentContext = z.infer<typeof DeploymentContextSchema>;

/** Reads and validates the vendguard context of an app; throws listing every problem. */
export function readDeploymentContext(node: Node): DeploymentContext {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(CONTEXT_KEYS)) {
    let value: unknown = node.tryGetContext(key);
    // `-c key=value` gives strings; accept JSON for the object and boolean settings.
    if (typeof value === 'string' && /^[[{]|^(true|false)$/.test(value.trim())) value = JSON.parse(value);
    if (value !== undefined) raw[field] = value;
  }
  const result = DeploymentContextSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const field = String(i.path[0] ?? '');
      const key = CONTEXT_KEYS[field as keyof typeof CONTEXT_KEYS] ?? field;
      return `${[key, ...i.path.slice(1)].join('.')}: ${i.message}`;
    });
    throw new DeploymentContextError(`CDK context has ${issues.length} issue(s): ${issues.join('; ')}`);
  }
  return result.data;
}
