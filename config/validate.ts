import type * as z from 'zod/mini';
import { ipv4Block, ipv4Overlap, ipv4Within } from './cidr';
import type { ConfigIssue } from './errors';
import {
  type OrganizationConfig,
  OrganizationConfigSchema,
  VENDING_EXECUTION_TIMEOUT_HOURS,
  VPC_NETMASK,
} from './schema';

/** AWS's limit on an SCP document, counted after white space is removed. */
export const SCP_MAX_CHARACTERS = 5120;
/** The AWS-managed policy attached to every root, OU and account; it counts toward the quota. */
export const FULL_AWS_ACCESS = 'FullAWSAccess';

/** Inputs the cross-field checks need besides the parsed file. */
export interface ValidationContext {
  /** SCP document text by file name (from `config/scps/`); a missing name is reported. */
  readonly scpDocuments: Readonly<Record<string, string>>;
  /** Baseline template file names available in `config/baselines/`. */
  readonly baselineTemplates: readonly string[];
}

export type ValidationResult =
  | { readonly ok: true; readonly config: OrganizationConfig; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Length of an SCP document as AWS counts it: every white-space character removed. */
export function scpSize(document: string): number {
  return document.replace(/\s+/g, '').length;
}

/**
 * Validates a raw (parsed YAML) organization config: the strict schema, and the cross-field checks
 * of every section that passed it (a check needing a section that did not is skipped). Every
 * problem is collected in one run; nothing stops at the first one.
 * Makes no AWS call.
 *
 * @example
 * const result = validateOrganizationConfig(yaml.parse(text), { scpDocuments, baselineTemplates });
 * if (!result.ok) console.error(result.issues);
 */
export function validateOrganizationConfig(raw: unknown, ctx: ValidationContext): ValidationResult {
  const parsed = OrganizationConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const schemaIssues = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const keys = (issue as { keys?: string[] }).keys ?? [];
        return { path, message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` };
      }
      return { path, message: issue.message };
    });
    // and the cross-field problems of the sections that did parse: one run reports everything
    return { ok: false, issues: [...schemaIssues, ...crossFieldIssues(parsedSections(raw), ctx)] };
  }
  const issues = crossFieldIssues(parsed.data, ctx);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data, issues: [] };
}

/** The config as far as it parsed: each top-level section that passed the schema. */
type PartialConfig = Partial<OrganizationConfig>;

/**
 * Each top-level section parsed on its own, so the cross-field checks can run on the sections that
 * are valid while the schema reports the others: one run names every problem.
 */
function parsedSections(raw: unknown): PartialConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(OrganizationConfigSchema.shape)) {
    const section = (schema as z.ZodMiniType).safeParse((raw as Record<string, unknown>)[key]);
    if (section.success) out[key] = section.data;
  }
  return out as PartialConfig;
}

function crossFieldIssues(config: PartialConfig, ctx: ValidationContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { organizationalUnits: ous, accounts, organization, vending, guardrails } = config;
  // a check that needs a section that did not parse is skipped: the schema already named it
  const ouPaths = ous ? new Set(ous.map((ou) => ou.path)) : undefined;
  const knownOu = (path: string) => path === 'Root' || !ouPaths || ouPaths.has(path);
  const accountByName = new Map((accounts ?? []).map((a) => [a.name, a]));
  const knownAccountName = (name: string) => !accounts || accountByName.has(name);

  if (ous) issues.push(...ouIssues(ous, vending));
  if (vending) {
    const { timeoutHours } = vending.approval;
    const longestWait = VENDING_EXECUTION_TIMEOUT_HOURS - APPROVAL_HEADROOM_HOURS;
    if (timeoutHours > longestWait) {
      issues.push({
        path: 'vending.approval.timeoutHours',
        message: `${timeoutHours} is too long: at most ${longestWait} (a vending execution times out after ${VENDING_EXECUTION_TIMEOUT_HOURS} hours and needs ${APPROVAL_HEADROOM_HOURS} for the rest)`,
      });
    }
  }
  if (organization && !organization.allowedRegions.includes(organization.homeRegion)) {
    issues.push({
      path: 'organization.homeRegion',
      message: `home region ${organization.homeRegion} is not in allowedRegions`,
    });
  }
  if (accounts) issues.push(...accountIssues(accounts, knownOu));
  if (organization) {
    const seenDelegation = new Set<string>();
    organization.delegatedAdministrators.forEach((delegation, i) => {
      const path = `organization.delegatedAdministrators.${i}`;
      const account = accountByName.get(delegation.account);
      if (!knownAccountName(delegation.account)) {
        issues.push({ path: `${path}.account`, message: `account "${delegation.account}" is not declared` });
      } else if (account?.role === 'management') {
        issues.push({
          path: `${path}.account`,
          message: 'the management account cannot be a delegated administrator of its own organization',
        });
      }
      const key = `${delegation.account}/${delegation.servicePrincipal}`;
      if (seenDelegation.has(key)) {
        issues.push({ path, message: `${delegation.account} is already delegated ${delegation.servicePrincipal}` });
      }
      seenDelegation.add(key);
    });
  }
  if (config.baselines) {
    const allowedRegions = organization?.allowedRegions;
    config.baselines.stackSets.forEach((stackSet, i) => {
      stackSet.ous.forEach((ou, j) => {
        if (!knownOu(ou))
          issues.push({ path: `baselines.stackSets.${i}.ous.${j}`, message: `OU "${ou}" is not declared` });
      });
      if (stackSet.regions !== 'all' && allowedRegions) {
        stackSet.regions.forEach((region, j) => {
          if (!allowedRegions.includes(region)) {
            issues.push({
              path: `baselines.stackSets.${i}.regions.${j}`,
              message: `region ${region} is not in allowedRegions`,
            });
          }
        });
      }
      if (!ctx.baselineTemplates.includes(stackSet.template)) {
        issues.push({
          path: `baselines.stackSets.${i}.template`,
          message: `template ${stackSet.template} not found in config/baselines/`,
        });
      }
    });
  }
  if (config.scps) {
    issues.push(...scpIssues(config.scps, ctx, { knownOu, accountByName, knownAccountName }, organization));
  }
  if (vending) issues.push(...vendingIssues(vending, knownOu));
  if (config.lifecycle) {
    const { suspendedOu } = config.lifecycle;
    if (!knownOu(suspendedOu) || suspendedOu === 'Root') {
      issues.push({ path: 'lifecycle.suspendedOu', message: `OU "${suspendedOu}" is not declared` });
    } else {
      if (vending?.allowedOus.some((ou) => ou === suspendedOu || ou.startsWith(`${suspendedOu}/`))) {
        issues.push({
          path: 'lifecycle.suspendedOu',
          message: `"${suspendedOu}" must not be vendable (vending.allowedOus)`,
        });
      }
      if (config.scps && !config.scps.some((scp) => scp.targets.includes(suspendedOu))) {
        issues.push({
          path: 'lifecycle.suspendedOu',
          message: `no SCP in scps targets "${suspendedOu}": a closing account would keep its permissions`,
        });
      }
    }
  }
  if (config.network) {
    issues.push(...networkIssues(config.network, { knownOu, knownAccountName }, vending));
    if (config.baselines && organization) {
      issues.push(...networkStackSetIssues(config.network, config.baselines, organization));
    }
  }
  if (guardrails) {
    const knownAccount = (ref: string) => knownAccountName(ref) || /^\d{12}$/.test(ref);
    guardrails.exemptions.accounts.forEach((ref, i) => {
      if (!knownAccount(ref)) {
        issues.push({
          path: `guardrails.exemptions.accounts.${i}`,
          message: `account "${ref}" is not declared in accounts`,
        });
      }
    });
    guardrails.exemptions.securityGroupIngress.forEach((rule, i) => {
      if (!knownAccount(rule.account)) {
        issues.push({
          path: `guardrails.exemptions.securityGroupIngress.${i}.account`,
          message: `account "${rule.account}" is not declared in accounts`,
        });
      }
    });
  }
  return issues;
}

/** Duplicate OUs, undeclared parents, and approval on an OU no request can reach. */
function ouIssues(ous: OrganizationConfig['organizationalUnits'], vending: PartialConfig['vending']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const paths = new Set(ous.map((ou) => ou.path));
  const seen = new Set<string>();
  ous.forEach((ou, i) => {
    if (seen.has(ou.path)) issues.push({ path: `organizationalUnits.${i}.path`, message: `duplicate OU "${ou.path}"` });
    seen.add(ou.path);
    const parent = ou.path.split('/').slice(0, -1).join('/');
    if (parent && !paths.has(parent)) {
      issues.push({ path: `organizationalUnits.${i}.path`, message: `parent OU "${parent}" is not declared` });
    }
    if (ou.approval === 'required' && vending) {
      const covers = vending.allowedOus.some((allowed) => allowed === ou.path || allowed.startsWith(`${ou.path}/`));
      if (!covers) {
        issues.push({
          path: `organizationalUnits.${i}.approval`,
          message: `no request can need it: neither "${ou.path}" nor an OU below it is in vending.allowedOus`,
        });
      }
    }
  });
  return issues;
}

/** Accounts in undeclared OUs, duplicate emails and names, exactly one management account in Root. */
function accountIssues(accounts: OrganizationConfig['accounts'], knownOu: (path: string) => boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const emails = new Map<string, number>();
  const names = new Map<string, number>();
  accounts.forEach((account, i) => {
    if (!knownOu(account.ou)) issues.push({ path: `accounts.${i}.ou`, message: `OU "${account.ou}" is not declared` });
    const email = account.email.toLowerCase();
    const firstEmail = emails.get(email);
    if (firstEmail !== undefined) {
      issues.push({
        path: `accounts.${i}.email`,
        message: `email ${account.email} is already used by accounts.${firstEmail}`,
      });
    } else emails.set(email, i);
    const firstName = names.get(account.name);
    if (firstName !== undefined) {
      issues.push({
        path: `accounts.${i}.name`,
        message: `account name "${account.name}" is already used by accounts.${firstName}`,
      });
    } else names.set(account.name, i);
  });
  const management = accounts.filter((a) => a.role === 'management');
  if (management.length !== 1) {
    issues.push({
      path: 'accounts',
      message: `exactly one account must have role management (found ${management.length})`,
    });
  } else if (management[0]?.ou !== 'Root') {
    issues.push({ path: 'accounts', message: 'the management account must be in Root' });
  }
  return issues;
}

/** SCP documents (present, valid JSON, within the size limit), targets, and the quota per target. */
function scpIssues(
  scps: OrganizationConfig['scps'],
  ctx: ValidationContext,
  known: {
    knownOu: (path: string) => boolean;
    accountByName: ReadonlyMap<string, OrganizationConfig['accounts'][number]>;
    knownAccountName: (name: string) => boolean;
  },
  organization: PartialConfig['organization'],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const attached = new Map<string, string[]>();
  const attach = (key: string, name: string) => attached.set(key, [...(attached.get(key) ?? []), name]);
  const quarantines = scps.filter((scp) => scp.quarantine);
  if (quarantines.length !== 1) {
    issues.push({
      path: 'scps',
      message: `exactly one SCP must be the quarantine policy (found ${quarantines.length})`,
    });
  }
  const names = new Set<string>();
  scps.forEach((scp, i) => {
    if (names.has(scp.name)) issues.push({ path: `scps.${i}.name`, message: `duplicate SCP name "${scp.name}"` });
    names.add(scp.name);
    const document = ctx.scpDocuments[scp.document];
    if (document === undefined) {
      issues.push({ path: `scps.${i}.document`, message: `document ${scp.document} not found in config/scps/` });
    } else {
      const size = scpSize(document);
      if (size > SCP_MAX_CHARACTERS) {
        issues.push({
          path: `scps.${i}.document`,
          message: `${scp.document} is ${size} characters without white space; an SCP may have at most ${SCP_MAX_CHARACTERS}`,
        });
      }
      try {
        JSON.parse(document);
      } catch (err) {
        issues.push({
          path: `scps.${i}.document`,
          message: `${scp.document} is not valid JSON (${(err as Error).message})`,
        });
      }
    }
    for (const [field, targets] of [
      ['targets', scp.targets],
      ['accountTargets', scp.accountTargets],
    ] as const) {
      targets.forEach((target, j) => {
        if (!known.knownOu(target)) {
          issues.push({ path: `scps.${i}.${field}.${j}`, message: `OU "${target}" is not declared` });
        }
      });
    }
    scp.accounts.forEach((name, j) => {
      if (!known.knownAccountName(name)) {
        issues.push({ path: `scps.${i}.accounts.${j}`, message: `account "${name}" is not declared` });
      } else if (known.accountByName.get(name)?.role === 'management') {
        issues.push({
          path: `scps.${i}.accounts.${j}`,
          message: 'SCPs never apply to the management account: attaching one there protects nothing',
        });
      }
    });
    for (const target of scp.targets) attach(target, scp.name);
    for (const target of scp.accountTargets) attach(`account:${target}`, scp.name);
    for (const name of scp.accounts) attach(`core:${name}`, scp.name);
  });
  if (!organization) return issues;
  const quota = organization.scpQuotaPerTarget;
  for (const [target, policies] of attached) {
    const count = policies.length + 1; // + FullAWSAccess, attached by AWS to every target
    if (count > quota) {
      const what = target.startsWith('account:')
        ? `accounts vended into ${target.slice(8)}`
        : target.startsWith('core:')
          ? `account "${target.slice(5)}"`
          : `OU "${target}"`;
      issues.push({
        path: 'scps',
        message: `${what} would have ${count} SCPs (${[FULL_AWS_ACCESS, ...policies].join(', ')}); the quota per target is ${quota}`,
      });
    }
  }
  return issues;
}

/**
 * The network model: every pool inside the IPAM range and apart from the others, each vendable OU
 * served by exactly one pool, a VPC fitting in each pool, the egress and bastion ranges apart from
 * the pools, and the accounts declared.
 */
function networkIssues(
  network: NonNullable<OrganizationConfig['network']>,
  known: { knownOu: (path: string) => boolean; knownAccountName: (name: string) => boolean },
  vending: PartialConfig['vending'],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const top = ipv4Block(network.cidr);
  const blocks = network.pools.map((pool) => ipv4Block(pool.cidr));
  network.pools.forEach((pool, i) => {
    const path = `network.pools.${i}`;
    const block = blocks[i];
    if (top && block && !ipv4Within(block, top)) {
      issues.push({ path: `${path}.cidr`, message: `${pool.cidr} is not inside the IPAM range ${network.cidr}` });
    }
    network.pools.slice(0, i).forEach((other, j) => {
      const otherBlock = blocks[j];
      if (block && otherBlock && ipv4Overlap(block, otherBlock)) {
        issues.push({ path: `${path}.cidr`, message: `${pool.cidr} overlaps pool ${other.name} (${other.cidr})` });
      }
      if (other.name === pool.name) issues.push({ path: `${path}.name`, message: `duplicate pool "${pool.name}"` });
    });
    if (['egress', 'bastion', 'top'].includes(pool.name)) {
      issues.push({
        path: `${path}.name`,
        message: `"${pool.name}" is reserved (the egress and bastion route tables, the top-level pool)`,
      });
    }
    if (block && block.prefix > network.vpcNetmaskLength) {
      issues.push({
        path: `${path}.cidr`,
        message: `${pool.cidr} is smaller than one VPC (/${network.vpcNetmaskLength}, network.vpcNetmaskLength)`,
      });
    }
    pool.ous.forEach((ou, j) => {
      if (!known.knownOu(ou)) issues.push({ path: `${path}.ous.${j}`, message: `OU "${ou}" is not declared` });
    });
  });
  const covering = (ou: string) =>
    network.pools.filter((pool) => pool.ous.some((p) => ou === p || ou.startsWith(`${p}/`)));
  vending?.allowedOus.forEach((ou, i) => {
    const pools = covering(ou);
    if (pools.length === 0) {
      issues.push({
        path: `vending.allowedOus.${i}`,
        message: `the VPCs of "${ou}" would come from no pool: add it to one of network.pools`,
      });
    } else if (pools.length > 1) {
      issues.push({
        path: `vending.allowedOus.${i}`,
        message: `"${ou}" is served by ${pools.length} pools (${pools.map((p) => p.name).join(', ')}); one is needed`,
      });
    }
  });
  for (const field of ['egressCidr', 'bastionCidr'] as const) {
    const block = ipv4Block(network[field]);
    network.pools.forEach((pool, i) => {
      const poolBlock = blocks[i];
      if (block && poolBlock && ipv4Overlap(block, poolBlock)) {
        issues.push({
          path: `network.${field}`,
          message: `${network[field]} overlaps pool ${pool.name} (${pool.cidr}): vended VPCs could take its addresses`,
        });
      }
    });
  }
  const egress = ipv4Block(network.egressCidr);
  const bastion = ipv4Block(network.bastionCidr);
  for (const [field, block] of [
    ['egressCidr', egress],
    ['bastionCidr', bastion],
  ] as const) {
    if (block && (block.prefix < VPC_NETMASK.min || block.prefix > VPC_NETMASK.max)) {
      issues.push({
        path: `network.${field}`,
        message: `a VPC range must be /${VPC_NETMASK.min} to /${VPC_NETMASK.max} (got /${block.prefix})`,
      });
    }
  }
  if (egress && bastion && ipv4Overlap(egress, bastion)) {
    issues.push({ path: 'network.bastionCidr', message: `${network.bastionCidr} overlaps network.egressCidr` });
  }
  network.production.ous.forEach((ou, j) => {
    if (!known.knownOu(ou)) issues.push({ path: `network.production.ous.${j}`, message: `OU "${ou}" is not declared` });
  });
  for (const field of ['networkAccount', 'egressAccount', 'bastionAccount'] as const) {
    if (!known.knownAccountName(network[field])) {
      issues.push({ path: `network.${field}`, message: `account "${network[field]}" is not declared` });
    }
  }
  return issues;
}

/**
 * The network stack set: declared, deployed only where a pool serves the OU, and only in the home
 * region (the pools' locale: a VPC comes from a pool of its own region).
 */
function networkStackSetIssues(
  network: NonNullable<OrganizationConfig['network']>,
  baselines: OrganizationConfig['baselines'],
  organization: OrganizationConfig['organization'],
): ConfigIssue[] {
  const i = baselines.stackSets.findIndex((s) => s.name === network.stackSet);
  if (i < 0) {
    return [{ path: 'network.stackSet', message: `stack set "${network.stackSet}" is not in baselines.stackSets` }];
  }
  const set = baselines.stackSets[i]!;
  const issues: ConfigIssue[] = [];
  set.ous.forEach((ou, j) => {
    const served = network.pools.some((pool) => pool.ous.some((p) => ou === p || ou.startsWith(`${p}/`)));
    if (!served) {
      issues.push({
        path: `baselines.stackSets.${i}.ous.${j}`,
        message: `"${ou}" gets the network baseline but no pool in network.pools serves it`,
      });
    }
  });
  const regions = set.regions === 'all' ? organization.allowedRegions : set.regions;
  if (regions.length !== 1 || regions[0] !== organization.homeRegion) {
    issues.push({
      path: `baselines.stackSets.${i}.regions`,
      message: `the network baseline must deploy to the home region only ([${organization.homeRegion}]): the IPAM pools are there`,
    });
  }
  return issues;
}

/** Allowed OUs, the account name pattern, and the requesters' principal patterns. */
function vendingIssues(vending: OrganizationConfig['vending'], knownOu: (path: string) => boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  vending.allowedOus.forEach((ou, i) => {
    if (!knownOu(ou) || ou === 'Root') {
      issues.push({ path: `vending.allowedOus.${i}`, message: `OU "${ou}" is not declared` });
    }
  });
  try {
    new RegExp(vending.accountNamePattern);
  } catch {
    issues.push({ path: 'vending.accountNamePattern', message: 'is not a valid regular expression' });
  }
  const { requesters } = vending;
  if (requesters.principals.length > 0 && requesters.accounts.length === 0) {
    issues.push({
      path: 'vending.requesters.principals',
      message: 'names principals of no account: list their accounts in vending.requesters.accounts',
    });
  }
  requesters.principals.forEach((pattern, i) => {
    const problem = principalPatternProblem(pattern, requesters.accounts);
    if (problem) issues.push({ path: `vending.requesters.principals.${i}`, message: problem });
  });
  return issues;
}

/** Hours of a vending execution kept for the steps after approval (creation, baseline, SCPs). */
export const APPROVAL_HEADROOM_HOURS = 24;

/**
 * Why a requester principal pattern is unusable, or undefined: it must be an IAM role or user ARN
 * (`arn:<partition>:iam::<account>:role/<path/name>`, `*` and `?` allowed in the name), in one of the
 * requester accounts (or `*`, meaning any of them).
 */
export function principalPatternProblem(pattern: string, accounts: readonly string[]): string | undefined {
  const parts = pattern.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') return 'must be an ARN (arn:aws:iam::<account>:role/<name>)';
  const [, partition, service, region, account, resource] = parts as [string, string, string, string, string, string];
  if (!/^aws(-[a-z]+)*$/.test(partition)) return `partition "${partition}" is not an AWS partition`;
  if (service !== 'iam') return `must be an IAM principal ARN (service "iam", not "${service}")`;
  if (region !== '') return 'an IAM ARN has no region';
  if (account !== '*' && !/^\d{12}$/.test(account)) return `account "${account}" is not a 12-digit id or *`;
  if (account !== '*' && !accounts.includes(account)) return `account ${account} is not in vending.requesters.accounts`;
  if (!/^(role|user)\/[\w+=,.@*?/-]+$/.test(resource)) return `"${resource}" is not role/<name> or user/<name>`;
  return undefined;
}
