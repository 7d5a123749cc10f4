import type { LocalRuntime } from '../../core/runtime';
import type { RawHttpService } from '../../core/server';
import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { createRestJsonService, type RestRoute } from '../rest-json-front';
import { analyzerArn, analyzerOperations, listenForTrustedAccess } from './analyzers';
import { AccessAnalyzerError, accessDenied, internalError } from './errors';

export { ACCESS_ANALYZER_SERVICE_PRINCIPAL, TABLES as ACCESS_ANALYZER_TABLES } from './analyzers';

/** The operations the sandbox serves, bound as the Access Analyzer API (2019-11-01) binds them. */
const ROUTES: readonly RestRoute[] = [
  { method: 'PUT', path: '/analyzer', operation: 'CreateAnalyzer' },
  { method: 'GET', path: '/analyzer', operation: 'ListAnalyzers' },
  { method: 'GET', path: '/analyzer/{analyzerName}', operation: 'GetAnalyzer' },
  { method: 'DELETE', path: '/analyzer/{analyzerName}', operation: 'DeleteAnalyzer' },
];

/**
 * What IAM is asked (Service Authorization Reference, `access-analyzer`): `access-analyzer:<Operation>`
 * on the analyzer's ARN for the calls that name one (`CreateAnalyzer` included), `*` for `ListAnalyzers`.
 */
function authorization(_operation: string, input: Record<string, unknown>, ctx: RequestContext): AuthorizationDetails {
  const name = input.analyzerName;
  if (typeof name !== 'string') return {};
  return { resources: [analyzerArn(ctx.region, ctx.principal.accountId, name)] };
}

/**
 * IAM Access Analyzer (REST-JSON, SigV4 signing name `access-analyzer`): analyzers of an account or of
 * the organization. See docs/services/security-services.md.
 *
 * @example
 * const aa = new AccessAnalyzerClient({ endpoint, region: 'eu-west-1' });
 * await aa.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' }));
 */
export function createAccessAnalyzerService(runtime: LocalRuntime): RawHttpService {
  return createRestJsonService(runtime, {
    signingName: 'access-analyzer',
    eventSource: 'access-analyzer.amazonaws.com',
    routes: ROUTES,
    operations: analyzerOperations(runtime),
    authorization,
    errorBody: (err) => ({ message: err.message, ...(err instanceof AccessAnalyzerError ? err.fields : {}) }),
    accessDenied,
    internalError,
    start: () => listenForTrustedAccess(runtime),
  });
}
