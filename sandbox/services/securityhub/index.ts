import type { LocalRuntime } from '../../core/runtime';
import type { RawHttpService } from '../../core/server';
import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { onAccountJoined } from '../organizations/lifecycle';
import { createRestJsonService, type RestRoute } from '../rest-json-front';
import { accessDenied, internalError } from './errors';
import { hubArn, scopeOf } from './model';
import { enableJoinedAccount, securityHubOperations } from './operations';

export { SECURITYHUB_SERVICE_PRINCIPAL, TABLES as SECURITYHUB_TABLES } from './model';

/** The operations the sandbox serves, bound as the Security Hub API (2018-10-26) binds them. */
const ROUTES: readonly RestRoute[] = [
  { method: 'POST', path: '/accounts', operation: 'EnableSecurityHub' },
  { method: 'GET', path: '/accounts', operation: 'DescribeHub' },
  { method: 'DELETE', path: '/accounts', operation: 'DisableSecurityHub' },
  { method: 'POST', path: '/organization/admin/enable', operation: 'EnableOrganizationAdminAccount' },
  { method: 'GET', path: '/organization/admin', operation: 'ListOrganizationAdminAccounts' },
  { method: 'POST', path: '/organization/configuration', operation: 'UpdateOrganizationConfiguration' },
  { method: 'GET', path: '/organization/configuration', operation: 'DescribeOrganizationConfiguration' },
  { method: 'GET', path: '/members', operation: 'ListMembers' },
];

/** Calls on the caller's hub, authorized on its ARN (Service Authorization Reference, `securityhub`: resource type `hub`). */
const ON_HUB = new Set(['EnableSecurityHub', 'DescribeHub', 'DisableSecurityHub', 'ListMembers']);

function authorization(operation: string, _input: Record<string, unknown>, ctx: RequestContext): AuthorizationDetails {
  return ON_HUB.has(operation) ? { resources: [hubArn(scopeOf(ctx))] } : {};
}

/** Stores whose organization Security Hub already listens to. */
const listening = new WeakSet<object>();

/**
 * AWS Security Hub (REST-JSON, SigV4 signing name `securityhub`): the hub of an account, the
 * organization's administrator, its configuration and members, and auto-enable of the accounts that
 * join the organization. See docs/services/security-services.md.
 *
 * @example
 * const hub = new SecurityHubClient({ endpoint, region: 'eu-west-1' });
 * await hub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
 */
export function createSecurityHubService(runtime: LocalRuntime): RawHttpService {
  return createRestJsonService(runtime, {
    signingName: 'securityhub',
    eventSource: 'securityhub.amazonaws.com',
    routes: ROUTES,
    operations: securityHubOperations(runtime),
    authorization,
    errorBody: (err) => ({ Code: err.code, Message: err.message }),
    accessDenied,
    internalError,
    start: () => {
      if (listening.has(runtime.store)) return;
      listening.add(runtime.store);
      onAccountJoined(runtime.store, (accountId) => enableJoinedAccount(runtime, accountId));
    },
  });
}
