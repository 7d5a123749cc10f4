import type { IncomingMessage, ServerResponse } from 'node:http';
import { denialMessage, errorFamily } from '../core/auth';
import { cloudTrailEntry, isReadOnlyByName } from '../core/cloudtrail';
import { decodeJsonBody, encodeJson, encodeJsonError, jsonOperation } from '../core/protocols/json';
import { decodeQueryForm } from '../core/protocols/query';
import { encodeQueryError, escapeXml } from '../core/protocols/xml';
import type { LocalRuntime } from '../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../core/server';
import { AwsServiceError, type Protocol, type RequestContext, type ServiceDefinition } from '../core/types';

/**
 * Serves a {@link ServiceDefinition} over raw HTTP with the service's own query-XML codec, for the
 * services whose query protocol the server's generic XML encoder cannot write: SQS (JSON for SDK v3
 * and the AWS CLI v1; the query protocol, with flattened lists and `Name`/`Value` maps, for the AWS
 * CLI v2 2.9) and SNS (awsQuery, whose attribute maps are `<entry><key>…</key><value>…</value></entry>`
 * lists that SDK v3 reads by the `entry` name). Authentication and faults are the server's
 * (`handleRaw`); decoding, authorization by the gatekeeper (resource policies included), CloudTrail
 * and the JSON encoding reuse the server's own pieces; only the XML of results is the service's.
 *
 * A handler sees one input shape whatever the protocol: the codec turns a query form into it.
 */

/** How a service speaks the query protocol. */
export interface QueryCodec {
  /** The XML namespace of responses (`http://queue.amazonaws.com/doc/2012-11-05/`). */
  readonly namespace: string;
  /** Renames a form key before decoding (SNS `MessageAttributes.entry.1.Name` → `…entry.1.key`). */
  readonly formKey?: (key: string) => string;
  /** The operation's input from the decoded form (SQS: `Attribute: [{ Name, Value }]` → `Attributes: {…}`). */
  readonly input?: (operation: string, form: Record<string, unknown>) => Record<string, unknown>;
  /** The XML inside `<OpResult>` for a result. */
  readonly output: (operation: string, result: unknown) => string;
  /** An error as the query protocol words it (SQS's "… does not exist for this wsdl version."). */
  readonly error?: (error: AwsServiceError) => AwsServiceError;
}

export interface FrontOptions {
  readonly query: QueryCodec;
  /** Operations CloudTrail logs as data events, which the sandbox does not record (SQS `SendMessage`, SNS `Publish`). */
  readonly dataEvents?: ReadonlySet<string>;
  /** The service's own error for a denied call (SQS `AccessDenied`, SNS `AuthorizationError`). */
  readonly accessDenied: (message: string) => AwsServiceError;
}

const JSON_CONTENT_TYPES: Readonly<Partial<Record<Protocol, string>>> = {
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
};

/** The query protocol's codes for the authentication failures the JSON family names its own way. */
const QUERY_AUTH_CODES: Readonly<Record<string, { code: string; status: number }>> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
};

/** `<name>text</name>` with the text escaped; nothing for undefined. */
export function xmlText(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>inner</name>` around already-encoded XML. */
export function xmlElement(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

function isJsonProtocol(protocol: Protocol): boolean {
  return protocol === 'awsJson1_0' || protocol === 'awsJson1_1';
}

function send(res: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
  });
  res.end(body);
}

function internalFailure(err: unknown): AwsServiceError {
  if (err instanceof AwsServiceError) return err;
  return new AwsServiceError(
    'InternalFailure',
    `The request processing has failed because of an unknown error: ${err instanceof Error ? err.message : String(err)}`,
    { status: 500 },
  );
}

/** The form body with every key renamed by `rename`. */
function renameKeys(form: string, rename: (key: string) => string): string {
  const out = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(form)) out.append(rename(k), v);
  return out.toString();
}

/**
 * The raw-HTTP service that serves `service` in its JSON protocol (when it has one) and in the query
 * protocol through `options.query`.
 *
 * @example
 * services.push(queryFront(runtime, sqsService(runtime), { query: SQS_QUERY, accessDenied }));
 */
export function queryFront(runtime: LocalRuntime, service: ServiceDefinition, options: FrontOptions): RawHttpService {
  const json = isJsonProtocol(service.protocol);
  const prefixes = [service.targetPrefix ?? '', ...(service.targetPrefixAliases ?? [])];

  /** The protocol a request speaks: JSON with an `X-Amz-Target`, else the query protocol. */
  const protocolOf = (req: IncomingMessage): Protocol =>
    json && typeof req.headers['x-amz-target'] === 'string' ? service.protocol : 'awsQuery';

  function sendError(res: ServerResponse, protocol: Protocol, error: AwsServiceError, requestId: string): void {
    if (isJsonProtocol(protocol)) {
      const e = encodeJsonError(error);
      if (res.headersSent) return;
      const body = e.body;
      res.writeHead(e.status, {
        'content-type': JSON_CONTENT_TYPES[protocol] ?? 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': requestId,
        'x-amz-request-id': requestId,
        ...e.headers,
      });
      res.end(body);
      return;
    }
    const auth = QUERY_AUTH_CODES[error.code];
    const err = auth ? new AwsServiceError(auth.code, error.message, { status: auth.status }) : error;
    send(res, err.status, 'text/xml', encodeQueryError(options.query.error?.(err) ?? err, requestId), requestId);
  }

  function decode(
    req: IncomingMessage,
    protocol: Protocol,
    body: string,
  ): { operation: string; input: Record<string, unknown> } {
    if (isJsonProtocol(protocol)) {
      const target = String(req.headers['x-amz-target']);
      const operation = prefixes.map((p) => jsonOperation(target, p)).find((o) => o !== undefined);
      if (!operation)
        throw new AwsServiceError('UnknownOperationException', `Missing or invalid X-Amz-Target header: ${target}`);
      if (!Object.hasOwn(service.operations, operation))
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
      return { operation, input: decodeJsonBody(body) };
    }
    if (json && !service.queryCompatible)
      throw new AwsServiceError('UnknownOperationException', 'Missing or invalid X-Amz-Target header: (none)');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = body || url.search.slice(1);
    const form = decodeQueryForm(options.query.formKey ? renameKeys(text, options.query.formKey) : text);
    const operation = form.action ?? '';
    if (!operation) throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action');
    if (!Object.hasOwn(service.operations, operation))
      throw new AwsServiceError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    return { operation, input: options.query.input?.(operation, form.input) ?? form.input };
  }

  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const { principal, region, requestId } = call;
    const protocol = protocolOf(req);
    let decoded: { operation: string; input: Record<string, unknown> };
    try {
      decoded = decode(req, protocol, call.body.toString('utf8'));
    } catch (err) {
      runtime.stats.errors++;
      sendError(res, protocol, internalFailure(err), requestId);
      return;
    }
    const { operation, input } = decoded;
    const ctx: RequestContext = {
      service: service.signingName,
      operation,
      region,
      principal,
      requestId,
      sourceIp: sourceIpOf(req),
      userAgent: String(req.headers['user-agent'] ?? 'unknown'),
      runtime,
    };
    let result: unknown;
    let error: unknown;
    let denied = false;
    try {
      const details = service.authorization?.(operation, input, ctx) ?? {};
      const denial = details.noPermissionRequired
        ? undefined
        : runtime.gatekeeper.decide({
            principal,
            action: details.action ?? `${service.actionPrefix ?? service.signingName}:${operation}`,
            region,
            ...(details.resources ? { resources: details.resources } : {}),
            ...(details.context ? { context: details.context } : {}),
            ...(details.resourcePolicy ? { resourcePolicy: details.resourcePolicy } : {}),
            ...(details.resourceAccountId ? { resourceAccountId: details.resourceAccountId } : {}),
          });
      if (denial) {
        denied = true;
        throw options.accessDenied(denialMessage(principal.arn, denial));
      }
      const handler = service.operations[operation];
      if (!handler)
        throw new AwsServiceError('InvalidAction', `The action ${operation} is not valid for this web service.`);
      result = await handler(input, ctx);
    } catch (err) {
      error = internalFailure(err);
    }
    const readOnly = !denied && (service.isReadOnly ? service.isReadOnly(operation) : isReadOnlyByName(operation));
    if (!readOnly && !options.dataEvents?.has(operation)) {
      try {
        runtime.emitTrail(
          cloudTrailEntry({
            ctx,
            // handlers see one input shape (the JSON one for SQS), so the record has that shape
            protocol: service.protocol,
            eventSource: service.eventSource,
            input,
            result,
            error,
            eventTime: runtime.clock.now(),
            ...(service.trailShapes?.[operation] ? { shape: service.trailShapes[operation] } : {}),
          }),
        );
      } catch {
        // recording must never fail the call
      }
    }
    runtime.stats.totalMs += performance.now() - started;
    if (error !== undefined) {
      runtime.stats.errors++;
      sendError(res, protocol, error as AwsServiceError, requestId);
      return;
    }
    if (isJsonProtocol(protocol)) {
      send(res, 200, JSON_CONTENT_TYPES[protocol] ?? 'application/x-amz-json-1.0', encodeJson(result), requestId);
      return;
    }
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${escapeXml(options.query.namespace)}">` +
      `<${operation}Result>${options.query.output(operation, result)}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    send(res, 200, 'text/xml', xml, requestId);
  }

  return {
    signingName: service.signingName,
    ...(service.targetPrefix ? { targetPrefix: service.targetPrefix } : {}),
    ...(service.actionPrefix ? { actionPrefix: service.actionPrefix } : {}),
    errorFamily: errorFamily(service.protocol) === 'json' ? 'json' : 'query',
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => {
        sendError(res, protocolOf(req), internalFailure(err), call.requestId);
      });
    },
    sendError(res, err, requestId) {
      sendError(res, res.req ? protocolOf(res.req) : service.protocol, err, requestId);
    },
    ...(service.start ? { start: service.start } : {}),
    ...(service.stop ? { stop: service.stop } : {}),
  };
}
