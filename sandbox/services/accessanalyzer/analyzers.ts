import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime, Store } from '../../core/types';
import {
  isDelegatedAdministratorFor,
  isServiceAccessEnabled,
  organizationAccount,
  organizationManagementAccount,
} from '../organizations/integration';
import { onServiceAccessDisabled } from '../organizations/trusted-access';
import { accessDenied, analyzerExists, analyzerNotFound, validation } from './errors';

/**
 * Analyzers (`CreateAnalyzer`, `ListAnalyzers`, `GetAnalyzer`, `DeleteAnalyzer`), one namespace per
 * account and Region. An analyzer whose zone of trust is the organization (`ORGANIZATION`,
 * `ORGANIZATION_UNUSED_ACCESS`, `ORGANIZATION_INTERNAL_ACCESS`) is made by the management account or a
 * delegated administrator for `access-analyzer.amazonaws.com`, and needs trusted access for it
 * ("Service not enabled for AWS Organizations" otherwise); when trusted access is disabled later, the
 * organization's analyzers become `DISABLED` with `statusReason.code` `AWS_SERVICE_ACCESS_DISABLED`.
 */

export const ACCESS_ANALYZER_SERVICE_PRINCIPAL = 'access-analyzer.amazonaws.com';

export const TABLES = { analyzers: 'accessanalyzer.analyzers' } as const;

const TYPES = [
  'ACCOUNT',
  'ORGANIZATION',
  'ACCOUNT_UNUSED_ACCESS',
  'ORGANIZATION_UNUSED_ACCESS',
  'ACCOUNT_INTERNAL_ACCESS',
  'ORGANIZATION_INTERNAL_ACCESS',
] as const;
type AnalyzerType = (typeof TYPES)[number];

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export interface AnalyzerRecord {
  readonly account: string;
  readonly region: string;
  readonly arn: string;
  readonly name: string;
  readonly type: AnalyzerType;
  readonly createdAt: string;
  readonly status: 'ACTIVE' | 'DISABLED';
  readonly statusReason?: { readonly code: string };
  readonly tags: Readonly<Record<string, string>>;
}

type Input = Record<string, unknown>;

const key = (account: string, region: string, name: string) => `${account}/${region}/${name}`;

export const analyzerArn = (region: string, account: string, name: string): string =>
  `arn:aws:access-analyzer:${region}:${account}:analyzer/${name}`;

export function analyzerOf(runtime: SandboxRuntime, account: string, region: string, name: string) {
  return runtime.store.get<AnalyzerRecord>(TABLES.analyzers, key(account, region, name));
}

function analyzerName(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 255 || !NAME.test(value)) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at 'analyzerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z_][A-Za-z0-9_.-]*`,
    );
  }
  return value;
}

function analyzerType(value: unknown, member = 'type'): AnalyzerType {
  if (!TYPES.includes(value as AnalyzerType)) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${TYPES.join(', ')}]`,
    );
  }
  return value as AnalyzerType;
}

const isOrganizationType = (type: AnalyzerType): boolean => type.startsWith('ORGANIZATION');

/** Whether the caller's account may make an analyzer whose zone of trust is its organization. */
function checkOrganizationZone(runtime: SandboxRuntime, account: string): void {
  const { store } = runtime;
  const management = organizationManagementAccount(store);
  const inOrganization = management !== undefined && organizationAccount(store, account)?.Status === 'ACTIVE';
  const allowed =
    inOrganization &&
    (account === management || isDelegatedAdministratorFor(store, account, ACCESS_ANALYZER_SERVICE_PRINCIPAL));
  if (!allowed) {
    throw accessDenied(
      `Only the management account or a delegated administrator for ${ACCESS_ANALYZER_SERVICE_PRINCIPAL} can create an analyzer with the organization as the zone of trust.`,
    );
  }
  if (!isServiceAccessEnabled(store, ACCESS_ANALYZER_SERVICE_PRINCIPAL))
    throw validation('Service not enabled for AWS Organizations');
}

const view = (a: AnalyzerRecord): Record<string, unknown> => ({
  arn: a.arn,
  name: a.name,
  type: a.type,
  createdAt: a.createdAt,
  status: a.status,
  ...(a.statusReason ? { statusReason: { ...a.statusReason } } : {}),
  tags: { ...a.tags },
});

const listening = new WeakSet<Store>();

/** Disabling trusted access for Access Analyzer disables every analyzer of the organization. */
export function listenForTrustedAccess(runtime: SandboxRuntime): void {
  const { store } = runtime;
  if (listening.has(store)) return;
  listening.add(store);
  onServiceAccessDisabled(store, (servicePrincipal) => {
    if (servicePrincipal !== ACCESS_ANALYZER_SERVICE_PRINCIPAL) return;
    for (const a of store.list<AnalyzerRecord>(TABLES.analyzers)) {
      if (!isOrganizationType(a.type) || a.status === 'DISABLED') continue;
      store.put<AnalyzerRecord>(TABLES.analyzers, key(a.account, a.region, a.name), {
        ...a,
        status: 'DISABLED',
        statusReason: { code: 'AWS_SERVICE_ACCESS_DISABLED' },
      });
    }
  });
}

export function analyzerOperations(runtime: SandboxRuntime) {
  const { store } = runtime;
  return {
    CreateAnalyzer(input: Input, ctx: RequestContext) {
      const name = analyzerName(input.analyzerName);
      const type = analyzerType(input.type);
      const account = ctx.principal.accountId;
      if (isOrganizationType(type)) checkOrganizationZone(runtime, account);
      if (analyzerOf(runtime, account, ctx.region, name)) throw analyzerExists(name);
      const tags =
        input.tags && typeof input.tags === 'object' && !Array.isArray(input.tags)
          ? Object.fromEntries(Object.entries(input.tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
          : {};
      const analyzer: AnalyzerRecord = {
        account,
        region: ctx.region,
        arn: analyzerArn(ctx.region, account, name),
        name,
        type,
        createdAt: runtime.clock.now().toISOString(),
        status: 'ACTIVE',
        tags,
      };
      store.put(TABLES.analyzers, key(account, ctx.region, name), analyzer);
      return { arn: analyzer.arn };
    },

    ListAnalyzers(input: Input, ctx: RequestContext) {
      const type = input.type === undefined ? undefined : analyzerType(input.type);
      const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
      if (!Number.isInteger(max) || max < 1) {
        throw validation(
          `1 validation error detected: Value '${String(input.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`,
        );
      }
      const analyzers = store
        .list<AnalyzerRecord>(TABLES.analyzers, `${ctx.principal.accountId}/${ctx.region}/`)
        .filter((a) => type === undefined || a.type === type);
      const token = typeof input.nextToken === 'string' && input.nextToken !== '' ? input.nextToken : undefined;
      const { page, next } = pageAt(analyzers, token, max, () => validation('Invalid nextToken.'));
      return { analyzers: page.map(view), ...(next ? { nextToken: next } : {}) };
    },

    GetAnalyzer(input: Input, ctx: RequestContext) {
      const name = analyzerName(input.analyzerName);
      const analyzer = analyzerOf(runtime, ctx.principal.accountId, ctx.region, name);
      if (!analyzer) throw analyzerNotFound(name);
      return { analyzer: view(analyzer) };
    },

    DeleteAnalyzer(input: Input, ctx: RequestContext) {
      const name = analyzerName(input.analyzerName);
      if (!store.delete(TABLES.analyzers, key(ctx.principal.accountId, ctx.region, name))) throw analyzerNotFound(name);
      return {};
    },
  };
}
