/**
 * Organizations look-ups shared by the vending functions: OU by path, accounts by email, tags,
 * SCP ids by name. All paginated; all read-only.
 */
import {
  type Account,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { awsClient } from '../aws';
import { awsErrorName, isThrottling, TransientError } from '../errors';
import { OrganizationLookupError } from './errors';

/** Organizations is a global service homed in us-east-1. */
export const ORGANIZATIONS_REGION = 'us-east-1';

/** The Organizations client of the vending functions. */
export function organizationsClient(): OrganizationsClient {
  return awsClient(OrganizationsClient, { region: ORGANIZATIONS_REGION });
}

/** AWS errors that mean "try again later" across Organizations and CloudFormation. */
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ConcurrentModificationException',
  'ServiceException',
  'OperationInProgressException',
  'StaleRequestException',
  'InternalFailure',
  'ServiceUnavailable',
]);

/**
 * Rethrows an AWS error as a {@link TransientError} when it is throttling or a conflicting
 * operation, so the state machine retries it with backoff; any other error passes unchanged.
 *
 * @param what - what was being done, for the message (`MoveAccount 123456789012`)
 */
export function rethrowTransient(err: unknown, what: string): never {
  const name = awsErrorName(err);
  if (isThrottling(err) || (name !== undefined && TRANSIENT_ERRORS.has(name))) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TransientError(`${what}: ${name}: ${message}`, { cause: err });
  }
  throw err;
}

/** The id of the organization root. */
export async function rootId(org: OrganizationsClient): Promise<string> {
  const out = await org.send(new ListRootsCommand({}));
  const id = out.Roots?.[0]?.Id;
  if (!id) throw new OrganizationLookupError('the organization has no root (ListRoots returned none)');
  return id;
}

/** Children OUs of a parent, every page. */
async function childOus(org: OrganizationsClient, parentId: string): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken }));
    for (const ou of page.OrganizationalUnits ?? []) if (ou.Id && ou.Name) out.push({ id: ou.Id, name: ou.Name });
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/**
 * Resolves an OU path (`Workloads/Prod`) to its id by walking down from the root; undefined
 * when a segment does not exist.
 */
export async function ouIdByPath(org: OrganizationsClient, path: string, root?: string): Promise<string | undefined> {
  let parent = root ?? (await rootId(org));
  for (const segment of path.split('/')) {
    const next = (await childOus(org, parent)).find((ou) => ou.name === segment);
    if (!next) return undefined;
    parent = next.id;
  }
  return parent;
}

/** Every account of the organization. */
export async function listAccounts(org: OrganizationsClient): Promise<Account[]> {
  const out: Account[] = [];
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListAccountsCommand({ NextToken }));
    out.push(...(page.Accounts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The account with this email (case-insensitive, as AWS compares them), if any. */
export async function accountByEmail(org: OrganizationsClient, email: string): Promise<Account | undefined> {
  const wanted = email.toLowerCase();
  return (await listAccounts(org)).find((a) => a.Email?.toLowerCase() === wanted);
}

/** Tags of an account as a map. */
export async function accountTags(org: OrganizationsClient, accountId: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken }));
    for (const t of page.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    NextToken = page.NextToken;
  } while (NextToken);
  return tags;
}

/** Ids of service control policies by name; throws naming the policies that do not exist. */
export async function policyIdsByName(
  org: OrganizationsClient,
  names: readonly string[],
): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', NextToken }));
    for (const p of page.Policies ?? []) if (p.Name && p.Id) found[p.Name] = p.Id;
    NextToken = page.NextToken;
  } while (NextToken);
  const missing = names.filter((n) => !(n in found));
  if (missing.length) throw new OrganizationLookupError(`no service control policy named ${missing.join(', ')}`);
  return Object.fromEntries(names.map((n) => [n, found[n] as string]));
}
