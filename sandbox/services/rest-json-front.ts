import type { IncomingMessage, ServerResponse } from 'node:http';
import { denialMessage } from '../core/auth';
import { cloudTrailEntry, isReadOnlyByName } from '../core/cloudtrail';
import { encodeJson } from '../core/protocols/json';
import type { LocalRuntime } from '../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../core/server';
import { type AuthorizationDetails, AwsServiceError, type RequestContext } from '../core/types';

/**
 * Serves a REST-JSON (restJson1) API over raw HTTP, as API Gateway fronts GuardDuty, Security Hub and
 * IAM Access Analyzer: a route table (`GET /detector/{DetectorId}`), the input of an operation made of
 * its URI labels, its query string and its JSON body (each under the name it has on the wire), the
 * reply as JSON (`Date`s as epoch seconds; a service that sends ISO 8601 strings returns strings).
 * Authentication and faults are the server's (`handleRaw`); authorization (the gatekeeper: identity
 * policies, SCPs) and CloudTrail (the mutating calls, and every denied call) are done here, so a
 * denial is recorded. Each service words its own errors ({@link RestJsonApi.errorBody}).
 */

/** One operation's HTTP binding, as the API model gives it. */
export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/detector/{DetectorId}/member`: a `{Label}` matches one path segment. */
  readonly path: string;
  readonly operation: string;
}

export type RestOperation = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

export interface RestJsonApi {
  readonly signingName: string;
  /** CloudTrail `eventSource` (`guardduty.amazonaws.com`). */
  readonly eventSource: string;
  /** IAM action prefix when it differs from the signing name. */
  readonly actionPrefix?: string;
  readonly routes: readonly RestRoute[];
  readonly operations: Readonly<Record<string, RestOperation>>;
  /** The resources and condition keys of a call; default `*`. */
  readonly authorization?: (
    operation: string,
    input: Record<string, unknown>,
    ctx: RequestContext,
  ) => AuthorizationDetails;
  /** The JSON body of an error reply (GuardDuty `{ message, __type }`, Security Hub `{ Code, Message }`). */
  readonly errorBody: (err: AwsServiceError) => Record<string, unknown>;
  /** The `x-amzn-ErrorType` of an error reply; default its code. */
  readonly errorType?: (err: AwsServiceError) => string;
  /** The service's denial (`AccessDeniedException`, 403) with the gatekeeper's message. */
  readonly accessDenied: (message: string) => AwsServiceError;
  /** The service's own 500 for an unexpected failure. */
  readonly internalError: (err: unknown) => AwsServiceError;
  /** Called on start (listeners on the organization). */
  readonly start?: (runtime: LocalRuntime) => void;
}

/** The authentication failures API Gateway answers with 403 (the sandbox raises them as the JSON family's codes). */
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

interface CompiledRoute {
  readonly route: RestRoute;
  readonly pattern: RegExp;
  readonly labels: readonly string[];
}

function compile(route: RestRoute): CompiledRoute {
  const labels: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const label = /^\{(\w+)\}$/.exec(segment);
      if (!label) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      labels.push(label[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), labels };
}

/** Builds the raw-HTTP service of a REST-JSON API. */
export function createRestJsonService(runtime: LocalRuntime, api: RestJsonApi): RawHttpService {
  const routes = api.routes.map(compile);
  const match = (method: string | undefined, pathname: string) => {
    for (const r of routes) {
      if (r.route.method !== method) continue;
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.labels.forEach((label, i) => {
        params[label] = decodeURIComponent(m[i + 1] as string);
      });
      return { operation: r.route.operation, params };
    }
    return undefined;
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string>): void => {
    if (res.headersSent) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  };

  const sendError = (res: ServerResponse, err: AwsServiceError, requestId: string): void => {
    const status = FORBIDDEN.has(err.code) ? 403 : err.status;
    send(res, status, JSON.stringify(api.errorBody(err)), {
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': api.errorType?.(err) ?? err.code,
    });
  };

  const asServiceError = (err: unknown): AwsServiceError =>
    err instanceof AwsServiceError ? err : api.internalError(err);

  function decodeBody(body: Buffer): Record<string, unknown> {
    const text = body.toString('utf8');
    if (text.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new AwsServiceError(
        'SerializationException',
        `Could not parse the request body: ${(err as Error).message}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AwsServiceError('SerializationException', 'Could not parse the request body: it is not a JSON object');
    }
    return parsed as Record<string, unknown>;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { principal, region, requestId } = call;
    const found = match(req.method, url.pathname);
    const operation = found?.operation ?? '*';
    const ctx: RequestContext = {
      service: api.signingName,
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
    let denied = false;
    try {
      if (!found) {
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${req.method} ${url.pathname}`, {
          status: 404,
        });
      }
      input = { ...Object.fromEntries(url.searchParams), ...found.params, ...decodeBody(call.body) };
      const details = api.authorization?.(operation, input, ctx) ?? {};
      const denial = runtime.gatekeeper.decide({
        principal,
        action: details.action ?? `${api.actionPrefix ?? api.signingName}:${operation}`,
        region,
        ...(details.resources ? { resources: details.resources } : {}),
        ...(details.context ? { context: details.context } : {}),
      });
      if (denial) {
        denied = true;
        throw api.accessDenied(denialMessage(principal.arn, denial));
      }
      const handler = api.operations[operation] as RestOperation;
      result = await handler(input, ctx);
      send(res, 200, encodeJson(result ?? {}), { 'x-amzn-requestid': requestId });
    } catch (err) {
      error = asServiceError(err);
      runtime.stats.errors++;
      sendError(res, error as AwsServiceError, requestId);
    } finally {
      runtime.stats.totalMs += performance.now() - started;
      if (found && (denied || !isReadOnlyByName(operation))) {
        try {
          runtime.emitTrail(
            cloudTrailEntry({
              ctx,
              protocol: 'awsJson1_1',
              eventSource: api.eventSource,
              input,
              result,
              error,
              eventTime: runtime.clock.now(),
            }),
          );
        } catch {
          // recording must never fail the call
        }
      }
    }
  }

  return {
    signingName: api.signingName,
    ...(api.actionPrefix ? { actionPrefix: api.actionPrefix } : {}),
    errorFamily: 'json',
    operationOf: (req, url) => match(req.method, url.pathname)?.operation ?? '*',
    sendError,
    ...(api.start ? { start: api.start } : {}),
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => sendError(res, asServiceError(err), call.requestId));
    },
  };
}
