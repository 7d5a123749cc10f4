import type { IncomingMessage, ServerResponse } from 'node:http';
import { cloudTrailEntry, toTrailShape } from '../../core/cloudtrail';
import type { LocalRuntime } from '../../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../../core/server';
import { AwsServiceError, type RequestContext, type TrailShaper } from '../../core/types';
import { contactOperations } from './contacts';
import { AccountError } from './errors';
import { decodeInput, internalError, operationOf, sendAccountError, sendResult } from './http';

export { ACCOUNT_SERVICE_PRINCIPAL } from './authorization';
export { ACCOUNT_TABLES, type ContactRecord, getContact } from './model';

/**
 * AWS Account Management (REST-JSON, SigV4 signing name `account`, a global service): the alternate
 * contacts of an account (`PutAlternateContact`, `GetAlternateContact`, `DeleteAlternateContact`),
 * of the caller's own account or, for the management account and delegated administrators of
 * `account.amazonaws.com` with trusted access enabled, of a member account (`AccountId`). The service
 * authorizes every call itself, so a denial is recorded in CloudTrail; Put and Delete are recorded
 * (eventSource `account.amazonaws.com`, us-east-1, the contact's fields hidden as CloudTrail hides
 * sensitive parameters). See docs/services/account-budgets.md.
 *
 * @example
 * const account = new AccountClient({ endpoint, region: 'us-east-1' });
 * await account.send(new PutAlternateContactCommand({ AlternateContactType: 'SECURITY', Name: 'Sec', Title: 'CISO', EmailAddress: 'sec@acme.example', PhoneNumber: '+1 555 0100' }));
 */

/** Calls CloudTrail records (writes); a denied read is recorded too. */
const RECORDED = new Set(['PutAlternateContact', 'DeleteAlternateContact']);

/** What CloudTrail writes in place of a sensitive parameter. */
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const SENSITIVE = new Set(['Name', 'Title', 'EmailAddress', 'PhoneNumber']);

/** The request with the contact's fields hidden; no response elements (the operations return nothing). */
const contactTrailShape: TrailShaper = ({ input }) => ({
  requestParameters: toTrailShape(
    Object.fromEntries(Object.entries(input).map(([k, v]) => [k, SENSITIVE.has(k) ? HIDDEN : v])),
    'awsJson1_1',
  ) as Record<string, unknown>,
  responseElements: null,
});

export function createAccountService(runtime: LocalRuntime): RawHttpService {
  const operations = contactOperations(runtime);

  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { principal, region, requestId } = call;
    const operation = operationOf(req.method, url.pathname);
    const ctx: RequestContext = {
      service: 'account',
      operation,
      region,
      principal,
      requestId,
      sourceIp: sourceIpOf(req),
      userAgent: String(req.headers['user-agent'] ?? 'unknown'),
      runtime,
    };
    let input: Record<string, unknown> = {};
    let result: unknown;
    let error: unknown;
    try {
      if (operation === '*') {
        throw new AccountError('UnknownOperationException', `Unknown operation ${req.method} ${url.pathname}`, 404);
      }
      const handler = operations[operation];
      if (!handler) {
        throw new AccountError(
          'NotImplemented',
          `The sandbox's Account Management API does not serve ${operation}`,
          501,
        );
      }
      input = decodeInput(call.body);
      result = await handler(input, ctx);
      sendResult(res, result, requestId);
    } catch (err) {
      error = err;
      runtime.stats.errors++;
      sendAccountError(res, internalError(err), requestId);
    } finally {
      runtime.stats.totalMs += performance.now() - started;
      const denied = error instanceof AwsServiceError && error.code === 'AccessDeniedException';
      if (RECORDED.has(operation) || (denied && operations[operation])) {
        try {
          runtime.emitTrail(
            cloudTrailEntry({
              ctx,
              protocol: 'awsJson1_1',
              eventSource: 'account.amazonaws.com',
              input,
              result,
              error,
              eventTime: runtime.clock.now(),
              shape: contactTrailShape,
            }),
          );
        } catch {
          // recording must never fail the call
        }
      }
    }
  }

  return {
    signingName: 'account',
    errorFamily: 'json',
    operationOf: (req, url) => operationOf(req.method, url.pathname),
    sendError: sendAccountError,
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => {
        sendAccountError(res, internalError(err), call.requestId);
      });
    },
  };
}
