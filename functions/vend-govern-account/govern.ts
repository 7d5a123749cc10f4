/**
 * Governance steps of a new account, one per call (`action`): quarantine, move, tag,
 * attach-scps, release. Each is idempotent: a repeated call finds the work done and succeeds.
 */
import {
  AttachPolicyCommand,
  DetachPolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  MoveAccountCommand,
  type OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import * as z from 'zod/mini';
import { awsErrorName, TransientError } from '../shared/errors';
import { logger } from '../shared/logger';
import { AccountRequestSchema } from '../shared/schemas/account-request';
import { AccountIdSchema } from '../shared/schemas/eventbridge';
import { ScpQuotaExceededError } from '../shared/vending/errors';
import { policyIdsByName, rethrowTransient } from '../shared/vending/org';
import { VendingPlanSchema, vendedAccountTags } from '../shared/vending/plan';

export const GOVERN_ACTIONS = ['quarantine', 'move', 'tag', 'attach-scps', 'release'] as const;
export type GovernAction = (typeof GOVERN_ACTIONS)[number];

export const GovernInputSchema = z.object({
  action: z.enum(GOVERN_ACTIONS),
  request: AccountRequestSchema,
  requestId: z.string(),
  plan: VendingPlanSchema,
  accountId: AccountIdSchema,
});
export type GovernInput = z.infer<typeof GovernInputSchema>;

/** What a governance step did. */
export interface GovernResult {
  readonly action: GovernAction;
  readonly accountId: string;
  /** `done`: changed something; `already`: found it done. */
  readonly outcome: 'done' | 'already';
  readonly detail: string;
}

/** Ids of the SCPs attached directly to a target, every page. */
async function attachedPolicyIds(org: OrganizationsClient, targetId: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await org.send(
      new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY', NextToken }),
    );
    for (const p of page.Policies ?? []) if (p.Id) ids.push(p.Id);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/**
 * Attaches policies to an account within the per-target quota (FullAWSAccess counts).
 * `DuplicatePolicyAttachmentException` is success.
 */
export async function attachPolicies(
  org: OrganizationsClient,
  accountId: string,
  names: readonly string[],
  quota: number,
): Promise<{ attached: string[]; already: string[] }> {
  if (!names.length) return { attached: [], already: [] };
  const ids = await policyIdsByName(org, names);
  const current = new Set(await attachedPolicyIds(org, accountId));
  const already = names.filter((n) => current.has(ids[n] as string));
  const missing = names.filter((n) => !current.has(ids[n] as string));
  if (current.size + missing.length > quota) throw new ScpQuotaExceededError(accountId, current.size, missing, quota);
  const attached: string[] = [];
  for (const name of missing) {
    try {
      await org.send(new AttachPolicyCommand({ PolicyId: ids[name], TargetId: accountId }));
      attached.push(name);
    } catch (err) {
      const code = awsErrorName(err);
      if (code === 'DuplicatePolicyAttachmentException') {
        already.push(name);
        continue;
      }
      if (
        code === 'ConstraintViolationException' &&
        (err as { Reason?: string }).Reason === 'POLICY_NUMBER_LIMIT_EXCEEDED'
      ) {
        throw new ScpQuotaExceededError(accountId, current.size + attached.length, [name], quota, { cause: err });
      }
      rethrowTransient(err, `AttachPolicy ${name} to ${accountId}`);
    }
  }
  return { attached, already };
}

async function quarantine(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  const { plan, accountId } = input;
  const r = await attachPolicies(org, accountId, [plan.quarantinePolicy], plan.scpQuota);
  return result(input, r.attached.length ? 'done' : 'already', `quarantine SCP ${plan.quarantinePolicy} attached`);
}

async function move(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  const { plan, accountId } = input;
  let parentId: string | undefined;
  try {
    parentId = (await org.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
  } catch (err) {
    rethrowTransient(err, `ListParents ${accountId}`);
  }
  if (parentId === plan.ouId) return result(input, 'already', `already in ${plan.ou} (${plan.ouId})`);
  try {
    await org.send(
      new MoveAccountCommand({
        AccountId: accountId,
        SourceParentId: parentId ?? plan.rootId,
        DestinationParentId: plan.ouId,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === 'DuplicateAccountException') {
      return result(input, 'already', `already in ${plan.ou} (${plan.ouId})`);
    }
    // The account moved between ListParents and MoveAccount: the next attempt reads the parent again.
    if (awsErrorName(err) === 'SourceParentNotFoundException') {
      throw new TransientError(`MoveAccount ${accountId}: it left ${parentId} meanwhile`, { cause: err });
    }
    rethrowTransient(err, `MoveAccount ${accountId} to ${plan.ou}`);
  }
  return result(input, 'done', `moved from ${parentId ?? plan.rootId} to ${plan.ou} (${plan.ouId})`);
}

async function tag(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  const tags = vendedAccountTags(input.request, input.requestId);
  try {
    await org.send(new TagResourceCommand({ ResourceId: input.accountId, Tags: tags }));
  } catch (err) {
    rethrowTransient(err, `TagResource ${input.accountId}`);
  }
  return result(input, 'done', `tagged ${tags.map((t) => t.Key).join(', ')}`);
}

async function attachScps(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  const { plan, accountId } = input;
  // The quarantine SCP is still attached and detached right after: it does not count against the final set.
  const r = await attachPolicies(org, accountId, plan.accountScps, plan.scpQuota);
  const detail = plan.accountScps.length
    ? `SCPs ${plan.accountScps.join(', ')} attached`
    : 'no account-level SCPs planned';
  return result(input, r.attached.length ? 'done' : 'already', detail);
}

async function release(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  const { plan, accountId } = input;
  const ids = await policyIdsByName(org, [plan.quarantinePolicy]);
  try {
    await org.send(new DetachPolicyCommand({ PolicyId: ids[plan.quarantinePolicy], TargetId: accountId }));
  } catch (err) {
    if (awsErrorName(err) === 'PolicyNotAttachedException') {
      return result(input, 'already', `quarantine SCP ${plan.quarantinePolicy} not attached`);
    }
    rethrowTransient(err, `DetachPolicy ${plan.quarantinePolicy} from ${accountId}`);
  }
  return result(input, 'done', `quarantine SCP ${plan.quarantinePolicy} detached`);
}

function result(input: GovernInput, outcome: GovernResult['outcome'], detail: string): GovernResult {
  logger.info(`${input.action}: ${detail}`, { requestId: input.requestId, accountId: input.accountId, outcome });
  return { action: input.action, accountId: input.accountId, outcome, detail };
}

const ACTIONS: Readonly<Record<GovernAction, (org: OrganizationsClient, input: GovernInput) => Promise<GovernResult>>> =
  { quarantine, move, tag, 'attach-scps': attachScps, release };

/** Runs one governance action on the new account. */
export function govern(org: OrganizationsClient, input: GovernInput): Promise<GovernResult> {
  return ACTIONS[input.action](org, input);
}
