/**
 * The reconciliation sweep: finds the violations the events missed (an IGW or open ingress in a
 * non-exempt ACTIVE member account, in each allowed region) and feeds each to the same code path as
 * the event handlers, under a synthesised event id `reconcile:<account>:<region>:<resource>`.
 */
import type {
  DescribeInternetGatewaysCommandOutput,
  DescribeSecurityGroupRulesCommandOutput,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { removeInternetGateway } from '../guard-internet-gateway/remediate';
import { openIngressOf, revokeOpenIngress } from '../guard-security-group/remediate';
import { organizationConfig } from '../shared/config';
import { memberClient, sdk } from '../shared/guardrails/clients';
import type { GuardEvent } from '../shared/guardrails/event';
import { accountDirectory, exemptAccountIds } from '../shared/guardrails/exemptions';
import { type GuardResult, processGuardEvent } from '../shared/guardrails/pipeline';
import type { GuardRule } from '../shared/guardrails/rules';
import { type GuardSettings, guardSettings } from '../shared/guardrails/settings';
import { logger } from '../shared/logger';

/** The actor a sweep finding names (the creator is not known without the event). */
export const SWEEP_ACTOR = 'vendguard-reconcile';
/** A sweep's event ids are remembered for less than the schedule, so a failed fix is tried again. */
export const SWEEP_RECORD_TTL_SECONDS = 3600;

/** The rules a sweep reports under. */
export const SWEEP_RULES = {
  internetGateway: {
    name: 'reconcile-internet-gateway',
    mode: 'remediate',
    severity: 'high',
    target: 'guard-reconcile',
    eventNames: [],
    matchesErrors: false,
  },
  securityGroup: {
    name: 'reconcile-security-group',
    mode: 'remediate',
    severity: 'high',
    target: 'guard-reconcile',
    eventNames: [],
    matchesErrors: false,
  },
} as const satisfies Record<string, GuardRule>;

/** What one sweep did. */
export interface SweepReport {
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly skippedAccounts: readonly string[];
  readonly violations: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly errors: readonly { readonly accountId: string; readonly region: string; readonly error: string }[];
}

function sweepEvent(accountId: string, region: string, resource: string, now: string): GuardEvent {
  return {
    eventId: `reconcile:${accountId}:${region}:${resource}`,
    eventName: 'Reconcile',
    eventTime: now,
    accountId,
    region,
    actor: SWEEP_ACTOR,
  };
}

async function sweepAccountRegion(
  settings: GuardSettings,
  accountId: string,
  region: string,
  now: string,
): Promise<GuardResult[]> {
  const ec2 = await memberClient('ec2', accountId, region, settings.remediationRole);
  const results: GuardResult[] = [];
  let token: string | undefined;
  do {
    const page: DescribeInternetGatewaysCommandOutput = await ec2.send(
      new (sdk.ec2().DescribeInternetGatewaysCommand)({ NextToken: token }),
    );
    for (const gateway of page.InternetGateways ?? []) {
      if (!gateway.InternetGatewayId) continue;
      const igwId = gateway.InternetGatewayId;
      const vpcId = gateway.Attachments?.[0]?.VpcId;
      results.push(
        await processGuardEvent(
          sweepEvent(accountId, region, igwId, now),
          SWEEP_RULES.internetGateway,
          (ctx) => removeInternetGateway(ctx, { igwId, ...(vpcId ? { vpcId } : {}) }, gateway),
          settings,
          SWEEP_RECORD_TTL_SECONDS,
        ),
      );
    }
    token = page.NextToken;
  } while (token);

  const byGroup = new Map<string, SecurityGroupRule[]>();
  token = undefined;
  do {
    const page: DescribeSecurityGroupRulesCommandOutput = await ec2.send(
      new (sdk.ec2().DescribeSecurityGroupRulesCommand)({ NextToken: token }),
    );
    for (const rule of page.SecurityGroupRules ?? []) {
      if (!rule.GroupId) continue;
      const group = byGroup.get(rule.GroupId);
      if (group) group.push(rule);
      else byGroup.set(rule.GroupId, [rule]);
    }
    token = page.NextToken;
  } while (token);
  for (const [groupId, rules] of byGroup) {
    const open = openIngressOf(rules);
    if (open.length === 0) continue;
    results.push(
      await processGuardEvent(
        sweepEvent(accountId, region, groupId, now),
        SWEEP_RULES.securityGroup,
        (ctx) => revokeOpenIngress(ctx, { groupId, open, live: true }),
        settings,
        SWEEP_RECORD_TTL_SECONDS,
      ),
    );
  }
  return results;
}

/**
 * Sweeps every ACTIVE member account that is neither exempt nor the management account, in every
 * allowed region. A failure in one account/region is reported and the sweep goes on.
 */
export async function reconcile(now: Date = new Date()): Promise<SweepReport> {
  const config = organizationConfig();
  const settings = guardSettings();
  const regions = config.organization.allowedRegions;
  const directory = await accountDirectory();
  const exempt = await exemptAccountIds();
  const managementNames = new Set(config.accounts.filter((a) => a.role === 'management').map((a) => a.name));
  const skipped: string[] = [];
  const targets: string[] = [];
  for (const [accountId, account] of directory.byId) {
    if (account.status !== 'ACTIVE') continue;
    if (exempt.has(accountId) || managementNames.has(account.name)) skipped.push(accountId);
    else targets.push(accountId);
  }
  const outcomes: Record<string, number> = {};
  const errors: { accountId: string; region: string; error: string }[] = [];
  let violations = 0;
  const stamp = now.toISOString();
  for (const accountId of targets) {
    for (const region of regions) {
      try {
        for (const result of await sweepAccountRegion(settings, accountId, region, stamp)) {
          violations++;
          const key = result.status === 'done' ? result.finding.outcome : result.status;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
      } catch (err) {
        logger.error('sweep failed in an account/region', { accountId, region, error: err as Error });
        errors.push({ accountId, region, error: `${(err as Error).name}: ${(err as Error).message}` });
      }
    }
  }
  const report = { accounts: targets.length, regions, skippedAccounts: skipped, violations, outcomes, errors };
  logger.info('reconciliation sweep done', { ...report });
  return report;
}
