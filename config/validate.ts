import type { ConfigIssue } from './errors';
import { type OrganizationConfig, OrganizationConfigSchema } from './schema';

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
    for (const target of scp.targets) attached.set(target, [...(attached.get(target) ?? []), scp.name]);
    for (const target of scp.accountTargets) {
      attached.set(`account:${target}`, [...(attached.get(`account:${target}`) ?? []), scp.name]);
    }
  });

  const quota = config.organization.scpQuotaPerTarget;
  for (const [target, policies] of attached) {
    const count = policies.length + 1; // + FullAWSAccess, attached by AWS to every target
    if (count > quota) {
      const what = target.startsWith('account:') ? `accounts vended into ${target.slice(8)}` : `OU "${target}"`;
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
  });
  return issues;
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
