/**
 * `vendguard doctor`: checks that an organization (AWS, or the sandbox) is what vendguard needs and
 * what the config says, with read-only calls. Prerequisites (before deploying): all features, trusted
 * access, an organization trail logging, delegated administrators, the SCP policy type. The deployed
 * app (after): the central bus policy admits no one the config does not, the SCPs carry their
 * documents and are attached where the config says, vendguard's rules are enabled.
 */
import { type CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeEventBusCommand, type EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListRootsCommand,
  type OrganizationsClient,
  paginateListAWSServiceAccessForOrganization,
  paginateListDelegatedAdministrators,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import { trustedServicesOf } from '../config/organization-services';
import type { OrganizationConfig } from '../config/schema';
import { deployedRuleName, loadRules } from '../events/rules';
import { listAccounts, ouIdByPath, policyIdsByName, rootId } from '../functions/shared/vending/org';

/** The result of one check: a line of the report. */
export interface CheckResult {
  /** Stable name, e.g. `trusted-access:cloudtrail.amazonaws.com`. */
  readonly check: string;
  readonly ok: boolean;
  /** What was found; for a failure, what is wrong and how to fix it. */
  readonly detail: string;
  /** `pre`: a prerequisite of deploying; `post`: the deployed app. */
  readonly phase: 'pre' | 'post';
}

export interface DoctorClients {
  readonly org: OrganizationsClient;
  readonly cloudtrail: CloudTrailClient;
  readonly events: EventBridgeClient;
}

export interface DoctorOptions {
  readonly config: OrganizationConfig;
  /** Only the prerequisites (before the first deploy). */
  readonly preDeploy?: boolean;
  readonly eventBusName?: string;
  /** The SCP documents by file name (config/scps/). */
  readonly scpDocuments: Readonly<Record<string, string>>;
}

/** What the check of a whole organization found. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** An error that is not about the organization: the endpoint could not be reached (exit 3). */
export class DoctorUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DoctorUnreachableError';
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET']);

/** Runs one check; an AWS refusal (access denied, not found) is a failed check, not a crash. */
async function run(
  check: string,
  phase: CheckResult['phase'],
  fn: () => Promise<{ ok: boolean; detail: string }>,
): Promise<CheckResult> {
  try {
    return { check, phase, ...(await fn()) };
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code && UNREACHABLE.has(e.code)) throw new DoctorUnreachableError(`${e.code}: ${e.message}`);
    return { check, phase, ok: false, detail: `${e.name}: ${e.message}` };
  }
}

const pass = (detail: string) => ({ ok: true, detail });
const fail = (detail: string) => ({ ok: false, detail });

/** Every item of every page of an SDK paginator. */
async function all<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

async function trustedServices(org: OrganizationsClient): Promise<Set<string>> {
  const enabled = await all(
    paginateListAWSServiceAccessForOrganization({ client: org }, {}),
    (p) => p.EnabledServicePrincipals,
  );
  return new Set(enabled.flatMap((s) => (s.ServicePrincipal ? [s.ServicePrincipal] : [])));
}

async function delegatedAdministrators(org: OrganizationsClient, servicePrincipal: string): Promise<Set<string>> {
  const admins = await all(
    paginateListDelegatedAdministrators({ client: org }, { ServicePrincipal: servicePrincipal }),
    (p) => p.DelegatedAdministrators,
  );
  return new Set(admins.flatMap((a) => (a.Id ? [a.Id] : [])));
}

async function policyTargets(org: OrganizationsClient, policyId: string): Promise<Set<string>> {
  const targets = await all(paginateListTargetsForPolicy({ client: org }, { PolicyId: policyId }), (p) => p.Targets);
  return new Set(targets.flatMap((t) => (t.TargetId ? [t.TargetId] : [])));
}

/** A policy document's statements, whatever its shape. */
interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function principalsOf(statement: Statement): string[] {
  const p = statement.Principal;
  if (p === '*') return ['*'];
  if (p && typeof p === 'object' && 'AWS' in p) {
    const aws = (p as { AWS: unknown }).AWS;
    return (Array.isArray(aws) ? aws : [aws]).map(String);
  }
  return [];
}

/** The account id of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:root`). */
function accountOfPrincipal(principal: string): string | undefined {
  return /^(\d{12})$/.exec(principal)?.[1] ?? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal)?.[1];
}

/**
 * Why a bus policy statement admits someone the config does not, or undefined: an Allow for any
 * principal must be limited to the organization and to the members' forwarding roles; an Allow for
 * accounts must name only requester accounts (`vending.requesters.accounts`).
 */
export function busStatementProblem(
  statement: Statement,
  organizationId: string,
  requesters: readonly string[],
): string | undefined {
  if (statement.Effect !== 'Allow') return undefined;
  const label = statement.Sid ?? '(no Sid)';
  const principals = principalsOf(statement);
  const conditions = statement.Condition ?? {};
  const value = (key: string) =>
    Object.values(conditions)
      .map((c) => c[key])
      .find((v) => v !== undefined);
  if (principals.includes('*')) {
    const orgId = value('aws:PrincipalOrgID');
    const arns = value('aws:PrincipalArn');
    if (orgId !== organizationId) return `${label} admits any principal not limited to organization ${organizationId}`;
    const arnList = (Array.isArray(arns) ? arns : [arns]).map(String);
    if (arns === undefined || !arnList.every((a) => /:role\/vendguard-event-forwarder-\*?$/.test(a))) {
      return `${label} admits every principal of the organization, not only the members' vendguard-event-forwarder-* roles (any member could put an Account Request)`;
    }
    return undefined;
  }
  const strangers = principals.filter((p) => {
    const account = accountOfPrincipal(p);
    return !account || !requesters.includes(account);
  });
  if (strangers.length) {
    return `${label} admits ${strangers.join(', ')}, not in vending.requesters.accounts`;
  }
  return undefined;
}

/** The organization's accounts, listed once for every check that reads them. */
type Accounts = ReturnType<typeof listAccounts>;

function prerequisiteChecks(
  clients: DoctorClients,
  config: OrganizationConfig,
  accounts: Accounts,
): Promise<CheckResult>[] {
  const { org, cloudtrail } = clients;
  const services = trustedServices(org);
  // Each check awaits what it needs; a failed shared lookup fails every check that reads it.
  services.catch(() => undefined);
  return [
    run('organization:all-features', 'pre', async () => {
      const out = await org.send(new DescribeOrganizationCommand({}));
      const featureSet = out.Organization?.FeatureSet;
      return featureSet === 'ALL'
        ? pass(`organization ${out.Organization?.Id} has all features enabled`)
        : fail(`feature set is ${featureSet}: SCPs need ALL (aws organizations enable-all-features)`);
    }),
    run('organization:scp-policy-type', 'pre', async () => {
      const out = await org.send(new ListRootsCommand({}));
      const root = out.Roots?.[0];
      const scp = root?.PolicyTypes?.find((t) => t.Type === 'SERVICE_CONTROL_POLICY');
      return scp?.Status === 'ENABLED'
        ? pass(`SCPs are enabled on root ${root?.Id}`)
        : fail(
            `the SERVICE_CONTROL_POLICY policy type is ${scp?.Status ?? 'not enabled'} on root ${root?.Id ?? '?'} (aws organizations enable-policy-type)`,
          );
    }),
    ...trustedServicesOf(config).map((sp) =>
      run(`trusted-access:${sp}`, 'pre', async () =>
        (await services).has(sp)
          ? pass(`trusted access is enabled for ${sp}`)
          : fail(
              `trusted access is not enabled for ${sp} (aws organizations enable-aws-service-access --service-principal ${sp})`,
            ),
      ),
    ),
    run('organization-trail', 'pre', async () => {
      const out = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      const trails = (out.trailList ?? []).filter((t) => t.IsOrganizationTrail);
      if (!trails.length)
        return fail('no organization trail: create one in the management account (IsOrganizationTrail)');
      const logging: string[] = [];
      for (const trail of trails) {
        const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
        if (status.IsLogging) logging.push(trail.Name ?? trail.TrailARN ?? '?');
      }
      return logging.length
        ? pass(`organization trail ${logging.join(', ')} is logging`)
        : fail(
            `organization trail ${trails.map((t) => t.Name).join(', ')} is not logging (aws cloudtrail start-logging)`,
          );
    }),
    ...config.organization.delegatedAdministrators.map((d) =>
      run(`delegated-administrator:${d.account}:${d.servicePrincipal}`, 'pre', async () => {
        const account = (await accounts).find((a) => a.Name === d.account);
        if (!account?.Id) return fail(`no account named ${d.account} in the organization`);
        return (await delegatedAdministrators(org, d.servicePrincipal)).has(account.Id)
          ? pass(`${d.account} (${account.Id}) is delegated administrator for ${d.servicePrincipal}`)
          : fail(
              `${d.account} (${account.Id}) is not delegated administrator for ${d.servicePrincipal} (aws organizations register-delegated-administrator)`,
            );
      }),
    ),
  ];
}

function deploymentChecks(clients: DoctorClients, options: DoctorOptions, accounts: Accounts): Promise<CheckResult>[] {
  const { org, events } = clients;
  const { config } = options;
  const busName = options.eventBusName ?? 'vendguard';
  // every OU path an SCP targets, resolved once (each resolution walks down from the root)
  const ouIds = rootId(org).then(async (root) => {
    const paths = [...new Set(config.scps.flatMap((scp) => scp.targets))];
    const ids = await Promise.all(paths.map((path) => ouIdByPath(org, path, root)));
    return new Map(paths.map((path, i) => [path, ids[i]]));
  });
  const policyIds = policyIdsByName(
    org,
    config.scps.map((s) => s.name),
  );
  for (const p of [ouIds, policyIds]) p.catch(() => undefined);
  return [
    run('bus-policy', 'post', async () => {
      const [bus, organization] = await Promise.all([
        events.send(new DescribeEventBusCommand({ Name: busName })),
        org.send(new DescribeOrganizationCommand({})),
      ]);
      const orgId = organization.Organization?.Id ?? '';
      const statements = bus.Policy ? ((JSON.parse(bus.Policy) as { Statement?: Statement[] }).Statement ?? []) : [];
      const problems = statements
        .map((s) => busStatementProblem(s, orgId, config.vending.requesters.accounts))
        .filter((p): p is string => p !== undefined);
      if (problems.length) return fail(problems.join('; '));
      const forwarders = statements.some(
        (s) => s.Effect === 'Allow' && principalsOf(s).includes('*') && busStatementProblem(s, orgId, []) === undefined,
      );
      if (!forwarders) {
        return fail(
          `bus ${busName} admits no member forwarding role: member CloudTrail events cannot reach vendguard (deploy VendguardHub)`,
        );
      }
      return pass(
        `bus ${busName} admits the members' forwarding roles${config.vending.requesters.accounts.length ? ` and requesters ${config.vending.requesters.accounts.join(', ')}` : ''} only`,
      );
    }),
    ...config.scps.map((scp) =>
      run(`scp:${scp.name}`, 'post', async () => {
        const id = (await policyIds)[scp.name] as string;
        const described = await org.send(new DescribePolicyCommand({ PolicyId: id }));
        const expected = options.scpDocuments[scp.document];
        const content = described.Policy?.Content;
        if (expected !== undefined && content !== undefined && !sameJson(content, expected)) {
          return fail(`${scp.name} (${id}) differs from config/scps/${scp.document}: deploy VendguardGovernance`);
        }
        const targets = await policyTargets(org, id);
        const missing: string[] = [];
        for (const path of scp.targets) {
          const ouId = (await ouIds).get(path);
          if (!ouId || !targets.has(ouId)) missing.push(`OU ${path}`);
        }
        for (const name of scp.accounts) {
          const account = (await accounts).find((a) => a.Name === name);
          if (!account?.Id || !targets.has(account.Id)) missing.push(`account ${name}`);
        }
        return missing.length
          ? fail(`${scp.name} is not attached to ${missing.join(', ')}`)
          : pass(
              `${scp.name} carries ${scp.document} and is attached to ${[...scp.targets, ...scp.accounts].join(', ') || 'nothing yet (vending attaches it)'}`,
            );
      }),
    ),
    run('rules', 'post', async () => {
      const deployed = new Map<string, string>();
      let NextToken: string | undefined;
      do {
        const page = await events.send(
          new ListRulesCommand({ EventBusName: busName, NamePrefix: 'vendguard-', NextToken }),
        );
        for (const r of page.Rules ?? []) if (r.Name) deployed.set(r.Name, r.State ?? '');
        NextToken = page.NextToken;
      } while (NextToken);
      const wanted = loadRules()
        .filter((r) => r.eventBus === 'vendguard')
        .map((r) => deployedRuleName(r.name));
      const missing = wanted.filter((n) => !deployed.has(n));
      const disabled = wanted.filter((n) => deployed.has(n) && deployed.get(n) !== 'ENABLED');
      if (missing.length || disabled.length) {
        return fail(
          [
            missing.length ? `missing: ${missing.join(', ')}` : '',
            disabled.length ? `not enabled: ${disabled.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        );
      }
      return pass(`all ${wanted.length} rules of events/rules/ are deployed and enabled on ${busName}`);
    }),
  ];
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** Runs every check (only the prerequisites with `preDeploy`), in a stable order. */
export async function runDoctor(clients: DoctorClients, options: DoctorOptions): Promise<DoctorReport> {
  const accounts = listAccounts(clients.org);
  accounts.catch(() => undefined);
  const checks = await Promise.all([
    ...prerequisiteChecks(clients, options.config, accounts),
    ...(options.preDeploy ? [] : deploymentChecks(clients, options, accounts)),
  ]);
  return { ok: checks.every((c) => c.ok), checks };
}
