import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthorizeCall, accessDeniedError, type ErrorFamily, errorFamily } from './auth';
import { cloudTrailEntry, isExcludedFromTrail, isReadOnlyByName } from './cloudtrail';
import { findControlRoute } from './control';
import { PortInUseError } from './errors';
import { decodeJsonBody, encodeJson, encodeJsonError, jsonOperation } from './protocols/json';
import { decodeQueryForm } from './protocols/query';
import { encodeEc2Error, encodeEc2Response, encodeQueryError, encodeQueryResponse } from './protocols/xml';
import type { LocalRuntime } from './runtime';
import type { AuthorizationDetails, Principal, Protocol, RequestContext, ServiceDefinition } from './types';
import { AwsServiceError } from './types';

/**
 * The HTTP front of the sandbox: routes a request to a service by the SigV4 credential scope
 * (falling back to `X-Amz-Target` or the form's `Action`/`Version`), decodes the wire protocol,
 * authenticates the caller (SigV4, see `auth.ts`), authorizes the call with the one policy evaluator,
 * applies faults, calls the operation, encodes the reply and emits the CloudTrail event (denied calls
 * included). Nothing a client sends can crash it.
 */

/** A service that handles raw HTTP itself (DynamoDB through dynalite, S3 Control's REST-XML). */
export interface RawHttpService {
  readonly signingName: string;
  readonly targetPrefix?: string;
  /** IAM action prefix when it differs from the signing name (`s3` for S3 Control is the same). */
  readonly actionPrefix?: string;
  /** How its authentication and authorization errors are coded: `json` (DynamoDB) or `rest` (S3). */
  readonly errorFamily?: ErrorFamily;
  /** Largest body it accepts; default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Its own error for a body past `maxBodyBytes`; default `RequestEntityTooLarge` (413). */
  readonly tooLarge?: () => AwsServiceError;
  /**
   * The IAM action and resources of a request, when the server should authorize it before handing it
   * over (DynamoDB); a service that authorizes itself (to record the denial in CloudTrail) omits it.
   */
  readonly authorization?: (
    operation: string,
    body: Buffer,
    principal: Principal,
    region: string,
  ) => AuthorizationDetails;
  /** Serves an authenticated request; the body is already read. */
  handle(req: IncomingMessage, res: ServerResponse, call: RawCall): void;
  /** The operation of a request, for faults. Default: the `X-Amz-Target` operation, else `*`. */
  readonly operationOf?: (req: IncomingMessage, url: URL) => string;
  /** Encodes an injected fault in the service's own protocol. Default: awsJson1_0. */
  readonly sendError?: (res: ServerResponse, err: AwsServiceError, requestId: string) => void;
  readonly start?: (runtime: LocalRuntime) => void | Promise<void>;
  readonly stop?: () => void | Promise<void>;
}

/** What the server hands a raw-HTTP service with each authenticated request. */
export interface RawCall {
  readonly body: Buffer;
  readonly principal: Principal;
  readonly region: string;
  readonly requestId: string;
}

export type AnyService = ServiceDefinition | RawHttpService;

/** The gatekeeper's call for a decoded request of a {@link ServiceDefinition}. */
function authorizeCall(
  service: ServiceDefinition,
  operation: string,
  details: AuthorizationDetails,
  ctx: RequestContext,
): AuthorizeCall {
  return {
    principal: ctx.principal,
    action: details.action ?? `${service.actionPrefix ?? service.signingName}:${operation}`,
    region: ctx.region,
    ...(details.resources ? { resources: details.resources } : {}),
    ...(details.context ? { context: details.context } : {}),
    ...(details.resourcePolicy ? { resourcePolicy: details.resourcePolicy } : {}),
    ...(details.resourceAccountId ? { resourceAccountId: details.resourceAccountId } : {}),
  };
}

/** Whether a service handles raw HTTP itself. */
export const isRaw = (s: AnyService): s is RawHttpService => 'handle' in s;

const QUERY_VERSIONS: Readonly<Record<string, string>> = {
  '2011-06-15': 'sts',
  '2010-05-15': 'cloudformation',
  '2016-11-15': 'ec2',
  '2010-05-08': 'iam',
};

/** Access key, region and signing name of a SigV4 `Authorization` header or presigned query. */
export function parseCredentialScope(
  authorization: string | undefined,
  url: URL,
): { accessKeyId?: string; region?: string; signingName?: string } {
  const scope = /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? url.searchParams.get('X-Amz-Credential') ?? '';
  const [accessKeyId, , region, signingName] = scope.split('/');
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(region ? { region } : {}),
    ...(signingName ? { signingName } : {}),
  };
}

const MAX_BODY = 16 * 1024 * 1024;

const tooLargeDefault = () => new AwsServiceError('RequestEntityTooLarge', 'Request body too large', { status: 413 });

/**
 * Reads a whole request body as bytes (signature verification needs them); rejects with `tooLarge`
 * (and drops the connection) past `maxBytes`.
 * @param maxBytes - default 16 MiB
 * @param tooLarge - the service's own "too large" error; default `RequestEntityTooLarge` (413)
 */
export function readBodyBuffer(req: IncomingMessage, maxBytes = MAX_BODY, tooLarge = tooLargeDefault): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** {@link readBodyBuffer} as UTF-8 text. */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY, tooLarge = tooLargeDefault): Promise<string> {
  return (await readBodyBuffer(req, maxBytes, tooLarge)).toString('utf8');
}

/** The caller's IP as CloudTrail records it (IPv4-mapped addresses unwrapped). */
export function sourceIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const CONTENT_TYPES: Readonly<Record<Protocol, string>> = {
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
  awsQuery: 'text/xml',
  ec2Query: 'text/xml;charset=UTF-8',
};

/** Encodes an error for a protocol. */
function sendError(res: ServerResponse, protocol: Protocol, err: AwsServiceError, requestId: string): void {
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId };
  if (protocol === 'awsJson1_0' || protocol === 'awsJson1_1') {
    const e = encodeJsonError(err);
    send(res, e.status, CONTENT_TYPES[protocol], e.body, { ...headers, ...e.headers });
  } else if (protocol === 'ec2Query') {
    send(res, err.status, CONTENT_TYPES.ec2Query, encodeEc2Error(err, requestId), headers);
  } else {
    send(res, err.status, CONTENT_TYPES.awsQuery, encodeQueryError(err, requestId), headers);
  }
}

function asServiceError(err: unknown): AwsServiceError {
  if (err instanceof AwsServiceError) return err;
  return new AwsServiceError(
    'InternalFailure',
    `The request processing has failed because of an unknown error: ${err instanceof Error ? err.message : String(err)}`,
    {
      status: 500,
    },
  );
}

/** The sandbox HTTP server. */
export class SandboxServer {
  private readonly server: Server;
  private readonly bySigningName = new Map<string, AnyService>();
  private readonly byTargetPrefix = new Map<string, AnyService>();
  /** Set to log unexpected (non-AWS) errors. */
  onInternalError: (err: unknown, what: string) => void = () => undefined;

  constructor(
    private readonly runtime: LocalRuntime,
    services: readonly AnyService[],
  ) {
    for (const s of services) {
      this.bySigningName.set(s.signingName, s);
      if (s.targetPrefix) this.byTargetPrefix.set(s.targetPrefix, s);
      if (!isRaw(s)) for (const alias of s.targetPrefixAliases ?? []) this.byTargetPrefix.set(alias, s);
    }
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.onInternalError(err, `${req.method} ${req.url}`);
        send(res, 500, 'application/json', JSON.stringify({ __type: 'InternalFailure', message: String(err) }));
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** Listens on 127.0.0.1; resolves to the endpoint. Rejects with {@link PortInUseError}. */
  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: err }) : err);
      };
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        const addr = this.server.address() as AddressInfo;
        resolve(`http://127.0.0.1:${addr.port}`);
      });
    });
  }

  /** Stops accepting, closes idle connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/_sandbox/')) return this.control(req, res, url);
    const started = performance.now();
    const requestId = randomUUID();
    const scope = parseCredentialScope(req.headers.authorization, url);
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
    let service: AnyService | undefined = scope.signingName ? this.bySigningName.get(scope.signingName) : undefined;
    if (!service && target) service = this.byTargetPrefix.get(target.slice(0, target.lastIndexOf('.')));
    const contentType = String(req.headers['content-type'] ?? '');
    const rawService = service && isRaw(service) ? service : undefined;
    let raw: Buffer;
    try {
      raw = await readBodyBuffer(req, rawService?.maxBodyBytes, rawService?.tooLarge);
    } catch (err) {
      if (rawService?.sendError) return rawService.sendError(res, asServiceError(err), requestId);
      const protocol: Protocol = target || contentType.includes('json') ? 'awsJson1_1' : 'awsQuery';
      return sendError(res, protocol, asServiceError(err), requestId);
    }
    const body = raw.toString('utf8');
    if (service && isRaw(service)) {
      this.handleRaw(service, req, res, url, raw, requestId, target);
      return;
    }
    let form: ReturnType<typeof decodeQueryForm> | undefined;
    if (
      !service &&
      !target &&
      (contentType.includes('form-urlencoded') || url.searchParams.has('Action') || /(^|&)Action=/.test(body))
    ) {
      form = decodeQueryForm(contentType.includes('form-urlencoded') || body ? body : url.search.slice(1));
      const name = form.version ? QUERY_VERSIONS[form.version] : undefined;
      service = name ? this.bySigningName.get(name) : undefined;
    }
    if (!service || isRaw(service)) {
      const what = scope.signingName ?? target ?? 'no service';
      const err = new AwsServiceError('UnrecognizedClientException', `The sandbox does not serve ${what}`, {
        status: 400,
      });
      const protocol: Protocol = target || contentType.includes('json') ? 'awsJson1_1' : 'awsQuery';
      return sendError(res, protocol, err, requestId);
    }
    // a query-compatible JSON service answers an `Action=…` form (no X-Amz-Target) in the query protocol
    const protocol: Protocol =
      service.queryCompatible && !target && (contentType.includes('form-urlencoded') || /(^|&)Action=/.test(body))
        ? 'awsQuery'
        : service.protocol;
    const region = scope.region ?? this.runtime.homeRegion;
    let principal: Principal;
    try {
      principal = this.runtime.gatekeeper.authenticate(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: raw,
        },
        errorFamily(protocol),
      );
    } catch (err) {
      this.runtime.stats.requests++;
      this.runtime.stats.errors++;
      return sendError(res, protocol, asServiceError(err), requestId);
    }
    let operation = '';
    let input: Record<string, unknown> = {};
    let result: unknown;
    let error: unknown;
    try {
      if (protocol === 'awsJson1_0' || protocol === 'awsJson1_1') {
        const op = [service.targetPrefix ?? '', ...(service.targetPrefixAliases ?? [])]
          .map((prefix) => jsonOperation(target, prefix))
          .find((o) => o !== undefined);
        if (!op)
          throw new AwsServiceError(
            'UnknownOperationException',
            `Missing or invalid X-Amz-Target header: ${target ?? '(none)'}`,
          );
        operation = op;
        if (!Object.hasOwn(service.operations, op))
          throw new AwsServiceError('UnknownOperationException', `Unknown operation ${op}`);
        input = decodeJsonBody(body);
      } else {
        form ??= decodeQueryForm(body || url.search.slice(1));
        operation = form.action ?? '';
        input = form.input;
        if (!operation) throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action');
        if (!Object.hasOwn(service.operations, operation)) {
          throw new AwsServiceError('InvalidAction', `The action ${operation} is not valid for this web service.`);
        }
      }
    } catch (err) {
      this.runtime.stats.requests++;
      this.runtime.stats.errors++;
      return sendError(res, protocol, asServiceError(err), requestId);
    }
    const handler = service.operations[operation];
    const ctx: RequestContext = {
      service: service.signingName,
      operation,
      region,
      principal,
      requestId,
      sourceIp: sourceIpOf(req),
      userAgent: String(req.headers['user-agent'] ?? 'unknown'),
      runtime: this.runtime,
    };
    let injected = false;
    let denied = false;
    try {
      const details = service.authorization?.(operation, input, ctx) ?? {};
      const denial = details.noPermissionRequired
        ? undefined
        : this.runtime.gatekeeper.decide(authorizeCall(service, operation, details, ctx));
      if (denial) {
        denied = true;
        throw accessDeniedError(errorFamily(protocol), principal.arn, denial);
      }
      const fault = this.runtime.fault(service.signingName, operation);
      if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault?.error) {
        injected = true;
        throw new AwsServiceError(fault.error.code, fault.error.message, { status: fault.error.status });
      }
      if (!handler)
        throw new AwsServiceError('InvalidAction', `The action ${operation} is not valid for this web service.`);
      result = await handler(input, ctx);
    } catch (err) {
      error = err;
      if (!(err instanceof AwsServiceError)) this.onInternalError(err, `${service.signingName}:${operation}`);
    }
    // a denied call is recorded even when it only reads, as CloudTrail records every AccessDenied
    const readOnly = !denied && (service.isReadOnly ? service.isReadOnly(operation) : isReadOnlyByName(operation));
    if (!readOnly && !injected && !isExcludedFromTrail(service.signingName, operation)) {
      try {
        this.runtime.emitTrail(
          cloudTrailEntry({
            ctx,
            protocol,
            eventSource: service.eventSource,
            input,
            result,
            error,
            eventTime: this.runtime.clock.now(),
            ...(service.trailShapes?.[operation] ? { shape: service.trailShapes[operation] } : {}),
          }),
        );
      } catch (err) {
        this.onInternalError(err, `cloudtrail ${service.signingName}:${operation}`);
      }
    }
    this.runtime.stats.requests++;
    this.runtime.stats.totalMs += performance.now() - started;
    if (error !== undefined) {
      this.runtime.stats.errors++;
      return sendError(res, protocol, asServiceError(error), requestId);
    }
    const headers = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId };
    switch (protocol) {
      case 'awsJson1_0':
      case 'awsJson1_1':
        return send(res, 200, CONTENT_TYPES[protocol], encodeJson(result), headers);
      case 'ec2Query':
        return send(
          res,
          200,
          CONTENT_TYPES.ec2Query,
          encodeEc2Response(operation, result, requestId, service.xmlNamespace),
          headers,
        );
      case 'awsQuery':
        return send(
          res,
          200,
          CONTENT_TYPES.awsQuery,
          encodeQueryResponse(operation, service.xmlNamespace ?? '', result, requestId),
          headers,
        );
    }
  }

  /** A raw-HTTP service: authenticated here, authorized by the service's own description, then handed the body. */
  private handleRaw(
    service: RawHttpService,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
    requestId: string,
    target: string | undefined,
  ): void {
    this.runtime.stats.requests++;
    const family = service.errorFamily ?? 'json';
    const fail = (err: AwsServiceError): void => {
      this.runtime.stats.errors++;
      if (service.sendError) service.sendError(res, err, requestId);
      else sendError(res, 'awsJson1_0', err, requestId);
    };
    let principal: Principal;
    try {
      principal = this.runtime.gatekeeper.authenticate(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
        family,
      );
    } catch (err) {
      fail(asServiceError(err));
      return;
    }
    const operation = service.operationOf?.(req, url) ?? (target ? target.slice(target.lastIndexOf('.') + 1) : '*');
    const region = parseCredentialScope(req.headers.authorization, url).region ?? this.runtime.homeRegion;
    if (service.authorization) {
      const details = service.authorization(operation, body, principal, region);
      const denial = this.runtime.gatekeeper.decide({
        principal,
        action: details.action ?? `${service.actionPrefix ?? service.signingName}:${operation}`,
        region,
        ...(details.resources ? { resources: details.resources } : {}),
        ...(details.context ? { context: details.context } : {}),
      });
      if (denial) {
        fail(accessDeniedError(family, principal.arn, denial));
        return;
      }
    }
    const fault = this.runtime.fault(service.signingName, operation);
    const run = (): void => {
      if (fault?.error)
        fail(new AwsServiceError(fault.error.code, fault.error.message, { status: fault.error.status }));
      else service.handle(req, res, { body, principal, region, requestId });
    };
    if (fault?.latencyMs) setTimeout(run, fault.latencyMs);
    else run();
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = findControlRoute(req.method ?? 'GET', url.pathname);
    if (!route)
      return send(
        res,
        404,
        'application/json',
        JSON.stringify({ error: 'NotFound', message: `no control route ${req.method} ${url.pathname}` }),
      );
    const text = await readBody(req);
    let body: unknown = text;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } else body = undefined;
    const out = await route(this.runtime, body, Object.fromEntries(url.searchParams));
    if (typeof out.body === 'string') return send(res, out.status, 'text/plain; charset=utf-8', out.body);
    return send(res, out.status, 'application/json', JSON.stringify(out.body ?? {}));
  }
}
