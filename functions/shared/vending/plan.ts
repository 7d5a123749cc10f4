/**
 * The vending plan and the state that flows through the `account-vending` state machine. The
 * validate step computes the plan once from the request and the organization config; every later
 * step reads it from the execution state, so a redrive runs with the plan it started with.
 */
import { createHash } from 'node:crypto';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import type { OrganizationConfig } from '../../../config/schema';
import { type AccountRequest, AccountRequestSchema } from '../schemas/account-request';

// zod/mini ships without messages ("Invalid input"); a rejected request must say why. Import the one
// locale by name: `z.locales.en()` keeps every locale in the bundle (+270 KB).
z.config(en());

/** Tag keys vendguard puts on a vended account. `vendguard:request-id` is how a retry adopts it. */
export const TAGS = {
  requestId: 'vendguard:request-id',
  name: 'vendguard:account-name',
  owner: 'vendguard:owner',
  team: 'vendguard:team',
  costCenter: 'vendguard:cost-center',
  environment: 'vendguard:environment',
} as const;

/** The tags a vended account gets (at creation, and again by TagAccount). */
export function vendedAccountTags(request: AccountRequest, requestId: string): { Key: string; Value: string }[] {
  return [
    { Key: TAGS.requestId, Value: requestId },
    { Key: TAGS.name, Value: request.name },
    { Key: TAGS.owner, Value: request.owner },
    { Key: TAGS.team, Value: request.owner },
    ...(request.costCenter ? [{ Key: TAGS.costCenter, Value: request.costCenter }] : []),
    { Key: TAGS.environment, Value: request.environment },
  ];
}

/**
 * Wait intervals (seconds) of the Wait states, chosen from the expected durations: CreateAccount
 * typically completes in one to four minutes, a baseline stack instance in one to three.
 */
export const WAITS = {
  accountFirst: 60,
  account: 30,
  baselineFirst: 40,
  baseline: 20,
  /** Shortest wait for a free creation slot. */
  slot: 10,
  /**
   * Expected duration of one CreateAccount (the middle of one to four minutes): one "wave" of the
   * concurrent creations. A request queued for a slot re-checks about once per this long.
   */
  creation: 150,
} as const;

/** How many times a `CONCURRENT_ACCOUNT_MODIFICATION` / `INTERNAL_FAILURE` creation is started again. */
export const MAX_CREATE_ATTEMPTS = 8;

/** CreateAccount requests AWS runs at once per organization; more fail with CONCURRENT_ACCOUNT_MODIFICATION. */
export const MAX_CONCURRENT_CREATIONS = 5;

/**
 * A number in [0, 1) derived from a request id and a counter: spreads the waits of concurrent
 * requests without a random source (the state machine must stay deterministic on replay).
 */
export function spread(requestId: string, n: number): number {
  const digest = createHash('sha256').update(`${requestId}#${n}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Name of the vending state machine (ARN `…:stateMachine:vendguard-account-vending`). */
export const VENDING_STATE_MACHINE = 'account-vending';

export const PlannedStackSetSchema = z.strictObject({
  name: z.string(),
  regions: z.array(z.string()),
});

/** What the validate step decided; input of every later step. */
export const VendingPlanSchema = z.strictObject({
  requestId: z.string(),
  accountName: z.string(),
  email: z.string(),
  ou: z.string(),
  ouId: z.string(),
  rootId: z.string(),
  stackSets: z.array(PlannedStackSetSchema),
  /** Every region the baseline touches. */
  regions: z.array(z.string()),
  /** SCPs attached to the account itself (config `accountTargets`). */
  accountScps: z.array(z.string()),
  quarantinePolicy: z.string(),
  scpQuota: z.number(),
  operationPreferences: z.strictObject({
    regionConcurrencyType: z.enum(['SEQUENTIAL', 'PARALLEL']),
    maxConcurrentPercentage: z.number(),
    failureTolerancePercentage: z.number(),
  }),
  /**
   * Whether the request waits for `vendguard approve` (its OU, or one above it, is `approval:
   * required`) and for how long. Absent in plans made before approval existed: no approval.
   */
  approval: z.optional(z.strictObject({ required: z.boolean(), timeoutSeconds: z.number(), timeoutHours: z.number() })),
  /** An enrollment: the existing account this request brings under vendguard (no CreateAccount). */
  enrollAccountId: z.optional(z.string()),
  /**
   * The account's VPC (config `network`): the pool it comes from, its size, the stack set that makes
   * it, and whether it is production (propagated into the bastion's table). Absent: no VPC is made
   * for this OU, or the plan is older than the network model.
   */
  network: z.optional(
    z.strictObject({
      stackSet: z.string(),
      pool: z.string(),
      netmaskLength: z.number(),
      production: z.boolean(),
    }),
  ),
  waits: z.strictObject({
    accountFirst: z.number(),
    account: z.number(),
    baselineFirst: z.number(),
    baseline: z.number(),
    slot: z.number(),
    /** Absent in plans made before it existed (a redrive of such an execution uses {@link WAITS}). */
    creation: z.optional(z.number()),
  }),
});
export type VendingPlan = z.infer<typeof VendingPlanSchema>;

/** The `account` part of the execution state (CreateAccount / CheckAccountStatus results). */
export const AccountProgressSchema = z.strictObject({
  createAccountRequestId: z.optional(z.string()),
  accountId: z.optional(z.string()),
  /** QUEUED: the organization already runs its maximum of creations; CreateAccount is tried again later. */
  state: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'RETRY', 'QUEUED']),
  /** Seconds the next WaitForAccount waits. */
  waitSeconds: z.number(),
  attempts: z.number(),
  /** How many times the creation waited for a free slot. */
  queued: z.optional(z.number()),
  adopted: z.boolean(),
  failureReason: z.optional(z.string()),
});
export type AccountProgress = z.infer<typeof AccountProgressSchema>;

/** One stack set operation started for this account. */
export const BaselineOperationSchema = z.strictObject({
  stackSetName: z.string(),
  operationId: z.string(),
  regions: z.array(z.string()),
  status: z.string(),
});

/** The `baseline` part of the execution state (DeployBaseline / CheckBaseline results). */
export const BaselineProgressSchema = z.strictObject({
  status: z.enum(['RUNNING', 'SUCCEEDED']),
  operations: z.array(BaselineOperationSchema),
  waitSeconds: z.number(),
  /** The execution's redrive count when the operations were started. */
  redriveCount: z.number(),
});
export type BaselineProgress = z.infer<typeof BaselineProgressSchema>;

/** The Step Functions context object, as much of it as vending reads (`"context.$": "$$"`). */
export const ExecutionContextSchema = z.optional(
  z.looseObject({
    Execution: z.optional(
      z.looseObject({
        Id: z.optional(z.string()),
        Name: z.optional(z.string()),
        StartTime: z.optional(z.string()),
        RedriveCount: z.optional(z.number()),
      }),
    ),
    /** `EnteredTime`: when the state was entered, on the same clock as `Execution.StartTime`. */
    State: z.optional(z.looseObject({ Name: z.optional(z.string()), EnteredTime: z.optional(z.string()) })),
  }),
);
export type ExecutionContext = z.infer<typeof ExecutionContextSchema>;

/** The execution input: what `vend-start` passes to StartExecution. */
export const VendingInputSchema = z.object({
  request: AccountRequestSchema,
  requestId: z.string(),
  /** The whole execution state (ValidateRequest reads `enroll` from it: absent for a vending request). */
  state: z.optional(z.looseObject({ enroll: z.optional(z.object({ accountId: z.string() })) })),
});

/**
 * The request id of a request: the one given, else derived from the email so that the same
 * request (same email) always maps to the same execution name.
 *
 * @example
 * requestIdFor({ email: 'aws-x@acme.example', ... }) // 'req-3c1f0e…' (16 hex digits)
 */
export function requestIdFor(request: Pick<AccountRequest, 'email' | 'requestId'>): string {
  if (request.requestId) return request.requestId;
  const digest = createHash('sha256').update(request.email.trim().toLowerCase()).digest('hex');
  return `req-${digest.slice(0, 16)}`;
}

/** Regions of a stack set of the config (`all` → the organization's allowed regions). */
export function stackSetRegions(config: OrganizationConfig, regions: 'all' | readonly string[]): string[] {
  return regions === 'all' ? [...config.organization.allowedRegions] : [...regions];
}

/** The quarantine SCP of the config (`quarantine: true`). */
export function quarantinePolicyName(config: OrganizationConfig): string | undefined {
  return config.scps.find((s) => s.quarantine)?.name;
}

/** The SCPs attached to an account of `ou` itself (config `accountTargets`; never the quarantine SCP). */
export function accountScpNames(config: OrganizationConfig, ou: string): string[] {
  return config.scps.filter((s) => !s.quarantine && s.accountTargets.includes(ou)).map((s) => s.name);
}

/** Whether a request for `ou` needs approval: the OU or one above it is `approval: required`. */
export function approvalRequired(config: OrganizationConfig, ou: string): boolean {
  const required = config.organizationalUnits.filter((o) => o.approval === 'required').map((o) => o.path);
  return required.some((path) => ou === path || ou.startsWith(`${path}/`));
}

/**
 * Computes the plan of a request that passed validation.
 *
 * @param ids - the resolved OU id of `request.ou` and the root id
 */
export function computePlan(
  request: AccountRequest,
  requestId: string,
  config: OrganizationConfig,
  ids: { readonly ouId: string; readonly rootId: string; readonly enrollAccountId?: string },
): VendingPlan {
  const stackSets = config.baselines.stackSets
    .filter((s) => s.ous.includes(request.ou))
    .map((s) => ({ name: s.name, regions: stackSetRegions(config, s.regions) }));
  const regions = [...new Set(stackSets.flatMap((s) => s.regions))];
  const accountScps = accountScpNames(config, request.ou);
  return {
    requestId,
    accountName: request.name,
    email: request.email,
    ou: request.ou,
    ouId: ids.ouId,
    rootId: ids.rootId,
    stackSets,
    regions,
    accountScps,
    quarantinePolicy: quarantinePolicyName(config) ?? '',
    scpQuota: config.organization.scpQuotaPerTarget,
    operationPreferences: { ...config.baselines.operationPreferences },
    approval: {
      required: approvalRequired(config, request.ou),
      timeoutSeconds: config.vending.approval.timeoutHours * 3600,
      timeoutHours: config.vending.approval.timeoutHours,
    },
    ...(ids.enrollAccountId ? { enrollAccountId: ids.enrollAccountId } : {}),
    ...networkPlan(request, config, stackSets),
    waits: { ...WAITS },
  };
}

/** The `network` part of a plan: when the OU gets the network stack set and a pool serves it. */
function networkPlan(
  request: AccountRequest,
  config: OrganizationConfig,
  stackSets: readonly { readonly name: string }[],
): Pick<VendingPlan, 'network'> {
  const network = config.network;
  if (!network || !stackSets.some((s) => s.name === network.stackSet)) return {};
  const pool = network.pools.find((p) => p.ous.some((ou) => request.ou === ou || request.ou.startsWith(`${ou}/`)));
  if (!pool) return {};
  const production = pool.ous.some((ou) => network.production.ous.some((p) => ou === p || ou.startsWith(`${p}/`)));
  return {
    network: {
      stackSet: network.stackSet,
      pool: pool.name,
      netmaskLength: request.vpcNetmaskLength ?? network.vpcNetmaskLength,
      production,
    },
  };
}
