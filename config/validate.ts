import { isIPv4, isIPv6 } from 'node:net';
import type { ConfigIssue } from './errors';
import { type OrganizationConfig, OrganizationConfigSchema, VENDING_EXECUTION_TIMEOUT_HOURS } from './schema';

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
 * Validates a raw (parsed YAML) organization config: the strict schema first, then the
 * cross-field checks. Every problem is collected; nothing stops at the first one.
 * Makes no AWS call.
 *
 * @example
 * const result = validateOrganizationConfig(yaml.parse(text), { scpDocuments, baselineTemplates });
 * if (!result.ok) console.error(result.issues);
 */
export function validateOrganizationConfig(raw: unknown, ctx: ValidationContext): ValidationResult {
  const parsed = OrganizationConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const keys = (issue as { keys?: string[] }).keys ?? [];
        return { path, message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` };
      }
      return { path, message: issue.message };
    });
    return { ok: false, issues };
  }
  const issues = crossFieldIssues(parsed.data, ctx);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data, issues: [] };
}

function crossFieldIssues(config: OrganizationConfig, ctx: ValidationContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ouPaths = new Set(config.organizationalUnits.map((ou) => ou.path));
  const knownOu = (path: string) => path === 'Root' || ouPaths.has(path);

  const allowedOus = new Set(config.vending.allowedOus);
  config.organizationalUnits.forEach((ou, i) => {
    if (ou.approval !== 'required') return;
    const covers = [...allowedOus].some((allowed) => allowed === ou.path || allowed.startsWith(`${ou.path}/`));
    if (!covers) {
      issues.push({
        path: `organizationalUnits.${i}.approval`,
        message: `no request can need it: neither "${ou.path}" nor an OU below it is in vending.allowedOus`,
      });
    }
  });
  const { timeoutHours } = config.vending.approval;
  const longestWait = VENDING_EXECUTION_TIMEOUT_HOURS - APPROVAL_HEADROOM_HOURS;
  if (timeoutHours > longestWait) {
    issues.push({
      path: 'vending.approval.timeoutHours',
      message: `${timeoutHours} is too long: at most ${longestWait} (a vending execution times out after ${VENDING_EXECUTION_TIMEOUT_HOURS} hours and needs ${APPROVAL_HEADROOM_HOURS} for the rest)`,
    });
  }

  const seenOu = new Set<string>();
  config.organizationalUnits.forEach((ou, i) => {
    if (seenOu.has(ou.path))
      issues.push({ path: `organizationalUnits.${i}.path`, message: `duplicate OU "${ou.path}"` });
    seenOu.add(ou.path);
    const parent = ou.path.split('/').slice(0, -1).join('/');
    if (parent && !ouPaths.has(parent)) {
      issues.push({ path: `organizationalUnits.${i}.path`, message: `parent OU "${parent}" is not declared` });
    }
  });

  const { homeRegion, allowedRegions } = config.organization;
  if (!allowedRegions.includes(homeRegion)) {
    issues.push({ path: 'organization.homeRegion', message: `home region ${homeRegion} is not in allowedRegions` });
  }

  const emails = new Map<string, number>();
  const names = new Map<string, number>();
  config.accounts.forEach((account, i) => {
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
  const accountByName = new Map(config.accounts.map((a) => [a.name, a]));
  const seenDelegation = new Set<string>();
  config.organization.delegatedAdministrators.forEach((delegation, i) => {
    const account = accountByName.get(delegation.account);
    const path = `organization.delegatedAdministrators.${i}`;
    if (!account) issues.push({ path: `${path}.account`, message: `account "${delegation.account}" is not declared` });
    else if (account.role === 'management') {
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

  const management = config.accounts.filter((a) => a.role === 'management');
  if (management.length !== 1) {
    issues.push({
      path: 'accounts',
      message: `exactly one account must have role management (found ${management.length})`,
    });
  } else if (management[0]?.ou !== 'Root') {
    issues.push({ path: 'accounts', message: 'the management account must be in Root' });
  }

  config.baselines.stackSets.forEach((stackSet, i) => {
    stackSet.ous.forEach((ou, j) => {
      if (!ouPaths.has(ou))
        issues.push({ path: `baselines.stackSets.${i}.ous.${j}`, message: `OU "${ou}" is not declared` });
    });
    if (stackSet.regions !== 'all') {
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

  const attached = new Map<string, string[]>();
  const quarantines = config.scps.filter((scp) => scp.quarantine);
  if (quarantines.length !== 1) {
    issues.push({
      path: 'scps',
      message: `exactly one SCP must be the quarantine policy (found ${quarantines.length})`,
    });
  }
  const scpNames = new Set<string>();
  config.scps.forEach((scp, i) => {
    if (scpNames.has(scp.name)) issues.push({ path: `scps.${i}.name`, message: `duplicate SCP name "${scp.name}"` });
    scpNames.add(scp.name);
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
        if (!knownOu(target))
          issues.push({ path: `scps.${i}.${field}.${j}`, message: `OU "${target}" is not declared` });
      });
    }
    scp.accounts.forEach((name, j) => {
      const account = accountByName.get(name);
      if (!account) issues.push({ path: `scps.${i}.accounts.${j}`, message: `account "${name}" is not declared` });
      else if (account.role === 'management') {
        issues.push({
          path: `scps.${i}.accounts.${j}`,
          message: 'SCPs never apply to the management account: attaching one there protects nothing',
        });
      }
    });
    for (const target of scp.targets) attached.set(target, [...(attached.get(target) ?? []), scp.name]);
    for (const name of scp.accounts) {
      attached.set(`core:${name}`, [...(attached.get(`core:${name}`) ?? []), scp.name]);
    }
    for (const target of scp.accountTargets) {
      attached.set(`account:${target}`, [...(attached.get(`account:${target}`) ?? []), scp.name]);
    }
  });

  const quota = config.organization.scpQuotaPerTarget;
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

  config.vending.allowedOus.forEach((ou, i) => {
    if (!ouPaths.has(ou)) issues.push({ path: `vending.allowedOus.${i}`, message: `OU "${ou}" is not declared` });
  });
  try {
    new RegExp(config.vending.accountNamePattern);
  } catch {
    issues.push({ path: 'vending.accountNamePattern', message: 'is not a valid regular expression' });
  }

  const { requesters } = config.vending;
  if (requesters.principals.length > 0 && requesters.accounts.length === 0) {
    issues.push({
      path: 'vending.requesters.principals',
      message: 'names principals of no account: list their accounts in vending.requesters.accounts',
    });
  }
  config.vending.requesters.principals.forEach((pattern, i) => {
    const problem = principalPatternProblem(pattern, config.vending.requesters.accounts);
    if (problem) issues.push({ path: `vending.requesters.principals.${i}`, message: problem });
  });

  const accountNames = new Set(config.accounts.map((a) => a.name));
  const knownAccount = (ref: string) => accountNames.has(ref) || /^\d{12}$/.test(ref);
  config.guardrails.exemptions.accounts.forEach((ref, i) => {
    if (!knownAccount(ref)) {
      issues.push({
        path: `guardrails.exemptions.accounts.${i}`,
        message: `account "${ref}" is not declared in accounts`,
      });
    }
  });
  config.guardrails.exemptions.securityGroupIngress.forEach((rule, i) => {
    if (!knownAccount(rule.account)) {
      issues.push({
        path: `guardrails.exemptions.securityGroupIngress.${i}.account`,
        message: `account "${rule.account}" is not declared in accounts`,
      });
    }
    const problem = cidrProblem(rule.cidr);
    if (problem) issues.push({ path: `guardrails.exemptions.securityGroupIngress.${i}.cidr`, message: problem });
  });
  return issues;
}

/** Hours of a vending execution kept for the steps after approval (creation, baseline, SCPs). */
export const APPROVAL_HEADROOM_HOURS = 24;

/**
 * Why a CIDR block is unusable, or undefined: an IPv4 (`a.b.c.d/0-32`) or IPv6 (`…/0-128`) block
 * whose address has no bit set beyond its prefix, as EC2 stores a security group rule's range (so an
 * exemption written another way would never match).
 *
 * @example cidrProblem('999.0.0.0/77') // 'address 999.0.0.0 is not an IPv4 or IPv6 address'
 */
export function cidrProblem(cidr: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return `"${cidr}" is not a CIDR block (address/prefix, like 10.0.0.0/8)`;
  const [, address, prefixText] = match as unknown as [string, string, string];
  const prefix = Number(prefixText);
  if (isIPv4(address)) {
    if (prefix > 32) return `prefix /${prefix} is longer than an IPv4 address (at most /32)`;
    const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    const hostBits = 2 ** (32 - prefix);
    if (value % hostBits !== 0) {
      const network = value - (value % hostBits);
      const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
      return `${cidr} has host bits set: the block is ${dotted}/${prefix}`;
    }
    return undefined;
  }
  if (isIPv6(address)) {
    if (prefix > 128) return `prefix /${prefix} is longer than an IPv6 address (at most /128)`;
    return undefined;
  }
  return `address ${address} is not an IPv4 or IPv6 address`;
}

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
