import type { LocalRuntime } from '../../core/runtime';
import type { RawHttpService } from '../../core/server';
import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { onAccountJoined } from '../organizations/lifecycle';
import { createRestJsonService, type RestRoute } from '../rest-json-front';
import { detectorOperations } from './detectors';
import { accessDenied, GuardDutyError, internalError } from './errors';
import { detectorArn, scopeOf } from './model';
import { enableJoinedAccount, organizationOperations } from './organization';

export { GUARDDUTY_SERVICE_PRINCIPAL, TABLES as GUARDDUTY_TABLES } from './model';

/** The operations the sandbox serves, bound as the GuardDuty API (2017-11-28) binds them. */
const ROUTES: readonly RestRoute[] = [
  { method: 'POST', path: '/admin/enable', operation: 'EnableOrganizationAdminAccount' },
  { method: 'POST', path: '/admin/disable', operation: 'DisableOrganizationAdminAccount' },
  { method: 'GET', path: '/admin', operation: 'ListOrganizationAdminAccounts' },
  { method: 'POST', path: '/detector', operation: 'CreateDetector' },
  { method: 'GET', path: '/detector', operation: 'ListDetectors' },
  { method: 'GET', path: '/detector/{DetectorId}', operation: 'GetDetector' },
  { method: 'DELETE', path: '/detector/{DetectorId}', operation: 'DeleteDetector' },
  { method: 'POST', path: '/detector/{DetectorId}/admin', operation: 'UpdateOrganizationConfiguration' },
  { method: 'GET', path: '/detector/{DetectorId}/admin', operation: 'DescribeOrganizationConfiguration' },
  { method: 'POST', path: '/detector/{DetectorId}/member', operation: 'CreateMembers' },
  { method: 'GET', path: '/detector/{DetectorId}/member', operation: 'ListMembers' },
];

/**
 * What IAM is asked (Service Authorization Reference, `guardduty`): `guardduty:<Operation>`, on the
 * detector's ARN for the calls that name the caller's detector, `*` for the others
 * (`CreateDetector`, `ListDetectors`, the organization administrator calls).
 */
function authorization(_operation: string, input: Record<string, unknown>, ctx: RequestContext): AuthorizationDetails {
  if (typeof input.DetectorId !== 'string') return {};
  return { resources: [detectorArn({ ...scopeOf(ctx), detectorId: input.DetectorId })] };
}

/** Stores whose organization GuardDuty already listens to. */
const listening = new WeakSet<object>();

/**
 * Amazon GuardDuty (REST-JSON, SigV4 signing name `guardduty`): detectors, the organization's
 * delegated administrator and configuration, members, and auto-enable of the accounts that join the
 * organization. See docs/services/security-services.md.
 *
 * @example
 * const gd = new GuardDutyClient({ endpoint, region: 'eu-west-1' });
 * await gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }));
 */
export function createGuardDutyService(runtime: LocalRuntime): RawHttpService {
  return createRestJsonService(runtime, {
    signingName: 'guardduty',
    eventSource: 'guardduty.amazonaws.com',
    routes: ROUTES,
    operations: { ...detectorOperations(runtime), ...organizationOperations(runtime) },
    authorization,
    errorBody: (err) => ({ message: err.message, __type: err instanceof GuardDutyError ? err.type : err.code }),
    accessDenied,
    internalError,
    start: () => {
      if (listening.has(runtime.store)) return;
      listening.add(runtime.store);
      onAccountJoined(runtime.store, (accountId) => enableJoinedAccount(runtime, accountId));
    },
  });
}
