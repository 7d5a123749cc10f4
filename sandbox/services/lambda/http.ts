import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsServiceError } from '../../core/types';
import type { InvokeResult } from './api';
import { errorBody, invalidMember, invalidRequestContent, LambdaError } from './errors';

/**
 * Lambda's REST-JSON wire codec: which operation a method and path are (`/2015-03-31/functions/…`,
 * `/2017-10-31/…/concurrency`, `/2019-09-25/…/event-invoke-config`, `/2017-03-31/tags/…`), the
 * operation's input from the path, query string, headers and JSON body (members named as the SDK
 * names them), and the reply: the status each operation answers with, JSON bodies, `Invoke`'s raw
 * payload and `X-Amz-*` headers, errors with `x-amzn-ErrorType`.
 */

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly operation: string;
  /** Input members the path's groups fill, in order. */
  readonly params: readonly string[];
  /** The status of a successful reply. */
  readonly status: number;
}

const FN = '([^/]+)';
const route = (method: string, path: string, operation: string, status: number, params = ['FunctionName']): Route => ({
  method,
  path: new RegExp(`^${path}/?$`),
  operation,
  params,
  status,
});

const ROUTES: readonly Route[] = [
  route('POST', '/2015-03-31/functions', 'CreateFunction', 201, []),
  route('GET', '/2015-03-31/functions', 'ListFunctions', 200, []),
  route('GET', `/2015-03-31/functions/${FN}`, 'GetFunction', 200),
  route('DELETE', `/2015-03-31/functions/${FN}`, 'DeleteFunction', 204),
  route('GET', `/2015-03-31/functions/${FN}/configuration`, 'GetFunctionConfiguration', 200),
  route('PUT', `/2015-03-31/functions/${FN}/configuration`, 'UpdateFunctionConfiguration', 200),
  route('POST', `/2015-03-31/functions/${FN}/invocations`, 'Invoke', 200),
  route('POST', `/2015-03-31/functions/${FN}/policy`, 'AddPermission', 201),
  route('GET', `/2015-03-31/functions/${FN}/policy`, 'GetPolicy', 200),
  route('DELETE', `/2015-03-31/functions/${FN}/policy/${FN}`, 'RemovePermission', 204, ['FunctionName', 'StatementId']),
  route('PUT', `/2017-10-31/functions/${FN}/concurrency`, 'PutFunctionConcurrency', 200),
  route('DELETE', `/2017-10-31/functions/${FN}/concurrency`, 'DeleteFunctionConcurrency', 204),
  route('GET', `/2019-09-30/functions/${FN}/concurrency`, 'GetFunctionConcurrency', 200),
  route('PUT', `/2019-09-25/functions/${FN}/event-invoke-config`, 'PutFunctionEventInvokeConfig', 200),
  route('POST', `/2019-09-25/functions/${FN}/event-invoke-config`, 'UpdateFunctionEventInvokeConfig', 200),
  route('GET', `/2019-09-25/functions/${FN}/event-invoke-config`, 'GetFunctionEventInvokeConfig', 200),
  route('DELETE', `/2019-09-25/functions/${FN}/event-invoke-config`, 'DeleteFunctionEventInvokeConfig', 204),
  route('GET', `/2019-09-25/functions/${FN}/event-invoke-config/list`, 'ListFunctionEventInvokeConfigs', 200),
  route('GET', '/2017-03-31/tags/(.+)', 'ListTags', 200, ['Resource']),
  route('POST', '/2017-03-31/tags/(.+)', 'TagResource', 204, ['Resource']),
  route('DELETE', '/2017-03-31/tags/(.+)', 'UntagResource', 204, ['Resource']),
  route('GET', '/2016-08-19/account-settings', 'GetAccountSettings', 200, []),
];

/** Query-string parameters and the input members they fill. */
const QUERY: Readonly<Record<string, string>> = {
  Qualifier: 'Qualifier',
  Marker: 'Marker',
  MaxItems: 'MaxItems',
  FunctionVersion: 'FunctionVersion',
  MasterRegion: 'MasterRegion',
  RevisionId: 'RevisionId',
};

/** The route of a request, or undefined (`*` for faults). */
export function matchRoute(
  method: string | undefined,
  pathname: string,
): { route: Route; groups: string[] } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.path.exec(pathname);
    if (m) return { route: r, groups: m.slice(1) };
  }
  return undefined;
}

/** The operation of a request (for faults), `*` when none matches. */
export const operationOf = (method: string | undefined, pathname: string): string =>
  matchRoute(method, pathname)?.route.operation ?? '*';

/** A decoded request. */
export interface DecodedRequest {
  readonly operation: string;
  readonly status: number;
  readonly input: Record<string, unknown>;
  /** `Invoke`'s payload, as sent. */
  readonly payload?: string;
}

function decodePath(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** Decodes a request whose route is known. */
export function decodeRequest(
  req: IncomingMessage,
  url: URL,
  matched: { route: Route; groups: string[] },
  body: Buffer,
): DecodedRequest {
  const { route: r, groups } = matched;
  const input: Record<string, unknown> = {};
  r.params.forEach((name, i) => {
    input[name] = decodePath(groups[i] ?? '');
  });
  for (const [param, member] of Object.entries(QUERY)) {
    const v = url.searchParams.get(param);
    if (v !== null) input[member] = member === 'MaxItems' ? Number(v) : v;
  }
  if (r.operation === 'UntagResource') input.TagKeys = url.searchParams.getAll('tagKeys');
  if (r.operation === 'Invoke') {
    const type = header(req, 'x-amz-invocation-type');
    if (type !== undefined) input.InvocationType = type;
    const logType = header(req, 'x-amz-log-type');
    if (logType !== undefined) input.LogType = logType;
    const clientContext = header(req, 'x-amz-client-context');
    if (clientContext !== undefined) input.ClientContext = clientContext;
    return { operation: r.operation, status: r.status, input, payload: body.toString('utf8') };
  }
  const text = body.toString('utf8');
  if (text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw invalidRequestContent('Could not parse request body into json: the body is not a JSON object');
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (!(k in input)) input[k] = v;
  }
  return { operation: r.operation, status: r.status, input };
}

/** `InvocationType` and `LogType` of an `Invoke`, checked against their enums. */
export function invokeHeaders(input: Record<string, unknown>): {
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  logType: 'None' | 'Tail';
} {
  const type = input.InvocationType ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    throw invalidMember('invocationType', type, 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
  }
  const logType = input.LogType ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') {
    throw invalidMember('logType', logType, 'Member must satisfy enum value set: [Tail, None]');
  }
  return { invocationType: type, logType };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** A successful reply: JSON (empty for 204). */
export function sendResult(res: ServerResponse, status: number, result: unknown, requestId: string): void {
  const body = status === 204 || result === undefined ? '' : JSON.stringify(result);
  send(res, status, body, { 'x-amzn-requestid': requestId });
}

/** `Invoke`'s reply: the payload as the body, the function error and version in headers. */
export function sendInvokeResult(res: ServerResponse, result: InvokeResult): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': result.requestId };
  if (result.statusCode === 200) {
    headers['x-amz-executed-version'] = result.executedVersion ?? '$LATEST';
    if (result.functionError) headers['x-amz-function-error'] = result.functionError;
    if (result.logResult) headers['x-amz-log-result'] = result.logResult;
  }
  send(res, result.statusCode, result.statusCode === 200 ? (result.payload ?? 'null') : '', headers);
}

/** An error reply, as Lambda sends it. */
export function sendLambdaError(res: ServerResponse, err: AwsServiceError, requestId: string): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code };
  if (err instanceof LambdaError && err.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(err.retryAfterSeconds);
  }
  send(res, err.status, JSON.stringify(errorBody(err)), headers);
}
