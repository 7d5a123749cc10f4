/**
 * Exemptions from config `guardrails.exemptions`: accounts (by name or id), VPC ids, tags and the
 * security group ingress rules that stay open on purpose. Account names are resolved to ids with
 * Organizations `ListAccounts` (cached); when that fails the guardrail must alert, not act.
 */
import { organizationConfig } from '../config';
import { logger } from '../logger';
import { hubClients, sdk } from './clients';
import { ExemptionDataUnavailableError } from './errors';

const ACCOUNT_ID = /^\d{12}$/;
const DIRECTORY_TTL_MS = 5 * 60_000;

interface AccountDirectory {
  readonly byName: ReadonlyMap<string, string>;
  readonly byId: ReadonlyMap<string, { name: string; status: string }>;
  readonly loadedAt: number;
}

let directory: AccountDirectory | undefined;

/** Every account of the organization (ListAccounts, all pages), cached for five minutes. */
export async function accountDirectory(): Promise<AccountDirectory> {
  if (directory && Date.now() - directory.loadedAt < DIRECTORY_TTL_MS) return directory;
  const byName = new Map<string, string>();
  const byId = new Map<string, { name: string; status: string }>();
  let token: string | undefined;
  try {
    const { ListAccountsCommand } = sdk.organizations();
    do {
      const page = await hubClients().organizations.send(new ListAccountsCommand({ NextToken: token }));
      for (const account of page.Accounts ?? []) {
        if (!account.Id) continue;
        const name = account.Name ?? '';
        const status = account.State ?? account.Status ?? 'ACTIVE';
        byId.set(account.Id, { name, status });
        if (name) byName.set(name, account.Id);
      }
      token = page.NextToken;
    } while (token);
  } catch (err) {
    throw new ExemptionDataUnavailableError(
      `cannot list the organization's accounts to resolve exempt account names: ${(err as Error).message}`,
      { cause: err },
    );
  }
  directory = { byName, byId, loadedAt: Date.now() };
  return directory;
}

/** Forgets the cached account directory (tests). */
export function resetAccountDirectory(): void {
  directory = undefined;
}

/** Ids of the exempt accounts; names that match no account are logged and skipped. */
export async function exemptAccountIds(): Promise<ReadonlySet<string>> {
  const names = organizationConfig().guardrails.exemptions.accounts;
  const ids = new Set(names.filter((n) => ACCOUNT_ID.test(n)));
  const unresolved = names.filter((n) => !ACCOUNT_ID.test(n));
  if (unresolved.length === 0) return ids;
  const dir = await accountDirectory();
  for (const name of unresolved) {
    const id = dir.byName.get(name);
    if (id) ids.add(id);
    else logger.warn(`exempt account "${name}" matches no account of the organization`, { name });
  }
  return ids;
}

/** True when the account is exempt (by id, or by a name that resolves to it). */
export async function isExemptAccount(accountId: string): Promise<boolean> {
  return (await exemptAccountIds()).has(accountId);
}

/** The account's name when the directory is already loaded (no extra call). */
export function cachedAccountName(accountId: string): string | undefined {
  return directory?.byId.get(accountId)?.name || undefined;
}

/** True when the VPC is exempt by id. */
export function isExemptVpc(vpcId: string): boolean {
  return organizationConfig().guardrails.exemptions.vpcIds.includes(vpcId);
}

/** The exempt tag a resource carries (`key` or `key=value`), or undefined. */
export function exemptTag(tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined {
  for (const exempt of organizationConfig().guardrails.exemptions.tags) {
    const hit = (tags ?? []).find(
      (t) => t.Key === exempt.key && (exempt.value === undefined || t.Value === exempt.value),
    );
    if (hit) return exempt.value === undefined ? exempt.key : `${exempt.key}=${exempt.value}`;
  }
  return undefined;
}

/** Whether any exemption by tag is configured (otherwise no tag lookups are needed). */
export function hasTagExemptions(): boolean {
  return organizationConfig().guardrails.exemptions.tags.length > 0;
}

/**
 * True when an ingress rule (cidr, port range) in an account is kept open by config
 * `exemptions.securityGroupIngress`: same account (name or id), same CIDR, and the rule covers
 * exactly the exempt port (or the exemption names no port).
 */
export async function isExemptIngress(
  accountId: string,
  cidr: string,
  fromPort: number | undefined,
  toPort: number | undefined,
): Promise<boolean> {
  const entries = organizationConfig().guardrails.exemptions.securityGroupIngress;
  if (entries.length === 0) return false;
  for (const entry of entries) {
    if (entry.cidr !== cidr) continue;
    if (entry.port !== undefined && !(fromPort === entry.port && toPort === entry.port)) continue;
    if (ACCOUNT_ID.test(entry.account)) {
      if (entry.account === accountId) return true;
      continue;
    }
    const dir = await accountDirectory();
    if (dir.byName.get(entry.account) === accountId) return true;
  }
  return false;
}
