import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { cidrProblem } from './cidr';

// zod/mini ships without messages ("Invalid input"); a config error must say why (the one locale, by name).
z.config(en());

/**
 * Schema of `config/organization.yaml`, the one description of the organization.
 * Unknown keys are errors at every level (strict objects); cross-field checks live in `validate.ts`.
 *
 * @example
 * ```yaml
 * organization: { name: acme, homeRegion: eu-west-1, allowedRegions: [eu-west-1] }
 * organizationalUnits: [{ path: Workloads }, { path: Workloads/Prod }]
 * ```
 */

const RegionSchema = z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region like eu-west-1'));
const OuPathSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9 _-]*(\/[A-Za-z0-9][A-Za-z0-9 _-]*)*$/, 'must be an OU path like Workloads/Prod'),
  );
/** A CIDR block, parsed (not pattern-matched): `999.0.0.0/77` names what is wrong with it. */
const CidrSchema = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: value });
  }),
);
const NameSchema = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be lower-case kebab-case'));

export const CORE_ACCOUNT_ROLES = [
  'management',
  'log-archive',
  'security-tooling',
  'network',
  'egress',
  'bastion',
  'eks-shared',
] as const;
export type CoreAccountRole = (typeof CORE_ACCOUNT_ROLES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const ServicePrincipalSchema = z
  .string()
  .check(z.regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'must be a service principal like securityhub.amazonaws.com'));

/** A member account registered as the organization's delegated administrator for a service. */
export const DelegatedAdministratorSchema = z.strictObject({
  /** Account name (from `accounts`). */
  account: NameSchema,
  servicePrincipal: ServicePrincipalSchema,
});

export const OrganizationSettingsSchema = z.strictObject({
  name: NameSchema,
  homeRegion: RegionSchema,
  allowedRegions: z.array(RegionSchema).check(z.minLength(1)),
  accountLimit: z._default(z.int().check(z.positive()), 10),
  scpQuotaPerTarget: z._default(z.int().check(z.positive()), 5),
  /**
   * Services the organization must trust besides the ones vendguard needs (StackSets, CloudTrail);
   * `vendguard doctor` checks them and the sandbox enables them.
   */
  trustedServices: z._default(z.array(ServicePrincipalSchema), []),
  /** Delegated administrators `vendguard doctor` expects registered (the sandbox registers them). */
  delegatedAdministrators: z._default(z.array(DelegatedAdministratorSchema), []),
});

export const APPROVAL_MODES = ['required', 'none'] as const;

export const OrganizationalUnitSchema = z.strictObject({
  path: OuPathSchema,
  /** `required`: an account request for this OU waits for `vendguard approve` (or reject, or the timeout). */
  approval: z._default(z.enum(APPROVAL_MODES), 'none'),
});

export const AccountSchema = z.strictObject({
  name: NameSchema,
  email: z.email(),
  /** OU path, or `Root` for the management account. */
  ou: z.union([z.literal('Root'), OuPathSchema]),
  role: z.enum(CORE_ACCOUNT_ROLES),
});

export const StackSetSchema = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a stack set name')),
  /** File name under `config/baselines/`. */
  template: z.string().check(z.regex(/^[\w.-]+\.ya?ml$/, 'must be a .yaml file name under config/baselines/')),
  ous: z.array(OuPathSchema).check(z.minLength(1)),
  regions: z.union([z.literal('all'), z.array(RegionSchema).check(z.minLength(1))]),
});

export const OperationPreferencesSchema = z.strictObject({
  regionConcurrencyType: z._default(z.enum(['SEQUENTIAL', 'PARALLEL']), 'PARALLEL'),
  maxConcurrentPercentage: z._default(z.int().check(z.minimum(1), z.maximum(100)), 100),
  failureTolerancePercentage: z._default(z.int().check(z.minimum(0), z.maximum(100)), 0),
});

export const ScpSchema = z.strictObject({
  name: z.string().check(z.regex(/^[\w+=,.@-]{1,128}$/, 'must be a policy name')),
  /** File name under `config/scps/`. */
  document: z.string().check(z.regex(/^[\w.-]+\.json$/, 'must be a .json file name under config/scps/')),
  /** OU paths the policy is attached to (reconciled by config). */
  targets: z._default(z.array(OuPathSchema), []),
  /**
   * Core account names (from `accounts`) the policy is attached to directly: for a policy that must
   * bind some accounts of an OU but not others (deny-IGW on every core account but egress).
   */
  accounts: z._default(z.array(NameSchema), []),
  /** OU paths whose newly vended accounts get this policy attached directly. */
  accountTargets: z._default(z.array(OuPathSchema), []),
  /** The policy that isolates an account until its baseline is in place. */
  quarantine: z._default(z.boolean(), false),
});

/**
 * Who may put an `Account Request` besides the hub account itself: account ids (the hub bus admits
 * them) and, optionally, the principal ARN patterns allowed in them (`aws:PrincipalArn`). Empty: the
 * hub account only.
 */
export const RequestersSchema = z.strictObject({
  accounts: z._default(z.array(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'))), []),
  principals: z._default(z.array(z.string()), []),
});

/** How long a vending execution may run (`TimeoutSeconds` of statemachines/account-vending.asl.json). */
export const VENDING_EXECUTION_TIMEOUT_HOURS = 168;

/** How long a request for an `approval: required` OU waits for a decision before it fails. */
export const ApprovalSchema = z.strictObject({
  timeoutHours: z._default(z.int().check(z.positive()), 72),
});

export const VendingSchema = z.strictObject({
  accountNamePattern: z._default(z.string(), '^[a-z][a-z0-9-]{2,49}$'),
  requesters: z._default(RequestersSchema, { accounts: [], principals: [] }),
  approval: z._default(ApprovalSchema, { timeoutHours: 72 }),
  allowedEmailDomains: z.array(z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain'))),
  allowedOus: z.array(OuPathSchema).check(z.minLength(1)),
  remediationRoleName: z._default(z.string(), 'VendguardGuardrailRemediation'),
  accountAccessRoleName: z._default(z.string(), 'OrganizationAccountAccessRole'),
});

export const ExemptTagSchema = z.strictObject({ key: z.string().check(z.minLength(1)), value: z.optional(z.string()) });

export const GuardrailsSchema = z.strictObject({
  alertOnly: z._default(z.boolean(), false),
  blastRadius: z._default(
    z.strictObject({
      maxActionsPerAccount: z._default(z.int().check(z.positive()), 10),
      windowMinutes: z._default(z.int().check(z.positive()), 60),
    }),
    { maxActionsPerAccount: 10, windowMinutes: 60 },
  ),
  exemptions: z._default(
    z.strictObject({
      /** Account names (from `accounts`) or 12-digit ids. */
      accounts: z._default(z.array(z.string()), []),
      vpcIds: z._default(z.array(z.string().check(z.regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id'))), []),
      tags: z._default(z.array(ExemptTagSchema), []),
      securityGroupIngress: z._default(
        z.array(
          z.strictObject({
            account: z.string(),
            cidr: CidrSchema,
            port: z.optional(z.int().check(z.minimum(0), z.maximum(65535))),
          }),
        ),
        [],
      ),
    }),
    { accounts: [], vpcIds: [], tags: [], securityGroupIngress: [] },
  ),
});

/** An IPv4 CIDR block (IPAM pools are IPv4 here). */
const Ipv4CidrSchema = CidrSchema.check(z.regex(/^\d+\.\d+\.\d+\.\d+\//, 'must be an IPv4 CIDR block'));
/**
 * A vended VPC's netmask: /16 to /24. The network baseline splits the VPC into quarters (two private
 * subnets, the last quarter holding the two /28 Transit Gateway subnets), so a quarter must hold a /28.
 */
export const VPC_NETMASK = { min: 16, max: 24 } as const;
const NetmaskSchema = z.int().check(z.minimum(VPC_NETMASK.min), z.maximum(VPC_NETMASK.max));

/**
 * One IPAM pool: the range the VPCs of its OUs are allocated from (network baseline,
 * `Ipv4IpamPoolId`), and the Transit Gateway route table their attachments are associated with.
 */
export const IpamPoolSchema = z.strictObject({
  /** The environment it serves (`prod`, `dev`, `sandbox`): the pool's and the route table's name. */
  name: NameSchema,
  cidr: Ipv4CidrSchema,
  /** The OU paths whose vended VPCs come from this pool (an OU below one of them too). */
  ous: z.array(OuPathSchema).check(z.minLength(1)),
});

/**
 * The network every account relies on (docs/network.md): the IPAM of the network account, its pools
 * by environment, and the Transit Gateway route tables. Empty (the default): no network model.
 */
export const NetworkSchema = z.strictObject({
  /** The IPAM's top-level pool; every environment pool lies inside it. */
  cidr: Ipv4CidrSchema,
  pools: z.array(IpamPoolSchema).check(z.minLength(1)),
  /** The size of a vended VPC unless the request says otherwise (`/20`: 4,096 addresses). */
  vpcNetmaskLength: z._default(NetmaskSchema, 20),
  /**
   * The baseline stack set that makes each vended account's VPC: vending gives its instances the
   * OU's pool (`Ipv4IpamPoolId`), the size (`VpcNetmaskLength`, `SubnetBits`) and the Transit Gateway.
   */
  stackSet: z._default(NameSchema, 'vendguard-baseline-network'),
  /**
   * The role in the network account that vendguard's network functions assume (created by the
   * `VendguardNetwork` stack): it finds the pools, the gateway and its route tables by their tags,
   * and associates and propagates attachments.
   */
  operatorRoleName: z._default(
    z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')),
    'VendguardNetworkOperator',
  ),
  /** Accounts (by name) of the Transit Gateway and IPAM, the egress VPC and the bastion. */
  networkAccount: NameSchema,
  egressAccount: NameSchema,
  bastionAccount: NameSchema,
  /** The egress and bastion VPCs' ranges (outside every pool: they are not vended). */
  egressCidr: Ipv4CidrSchema,
  bastionCidr: Ipv4CidrSchema,
  /**
   * Production: the OUs whose accounts admit management ports only from `bastionCidr` (the
   * `prod-ingress-outside-bastion` guardrail revokes any other source).
   */
  production: z._default(
    z.strictObject({
      ous: z.array(OuPathSchema),
      managementPorts: z._default(z.array(z.int().check(z.minimum(0), z.maximum(65535))), [22, 3389]),
    }),
    { ous: [], managementPorts: [22, 3389] },
  ),
});

/** Day 2 of an account (docs/lifecycle.md). */
export const LifecycleSchema = z.strictObject({
  /**
   * The OU a closing account is moved to (`vendguard close`): an SCP in `scps` denies everything
   * there but the stack set execution roles, which remove its baseline.
   */
  suspendedOu: z._default(OuPathSchema, 'Suspended'),
  /** How long a closure over AWS's quota waits before it is tried again. */
  closeRetryHours: z._default(z.int().check(z.minimum(1), z.maximum(720)), 24),
});

export const SlackSchema = z.strictObject({
  webhookSecretName: z.string().check(z.minLength(1)),
  channels: z.strictObject({
    critical: z.string(),
    high: z.string(),
    medium: z.string(),
    low: z.string(),
    info: z.string(),
    vending: z.string(),
  }),
  dedupeWindowMinutes: z._default(z.int().check(z.positive()), 15),
});

export const OrganizationConfigSchema = z.strictObject({
  organization: OrganizationSettingsSchema,
  organizationalUnits: z.array(OrganizationalUnitSchema).check(z.minLength(1)),
  accounts: z.array(AccountSchema),
  baselines: z.strictObject({
    operationPreferences: z._default(OperationPreferencesSchema, {
      regionConcurrencyType: 'PARALLEL',
      maxConcurrentPercentage: 100,
      failureTolerancePercentage: 0,
    }),
    stackSets: z.array(StackSetSchema),
  }),
  scps: z.array(ScpSchema),
  vending: VendingSchema,
  guardrails: GuardrailsSchema,
  slack: SlackSchema,
  network: z.optional(NetworkSchema),
  lifecycle: z._default(LifecycleSchema, { suspendedOu: 'Suspended', closeRetryHours: 24 }),
});

export type OrganizationConfig = z.infer<typeof OrganizationConfigSchema>;
export type AccountConfig = z.infer<typeof AccountSchema>;
export type StackSetConfig = z.infer<typeof StackSetSchema>;
export type ScpConfig = z.infer<typeof ScpSchema>;
