import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cloudTrailEntry } from '../core/cloudtrail';
import { escapeXml } from '../core/protocols/xml';
import type { LocalRuntime } from '../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../core/server';
import { AwsServiceError, type RequestContext, type TrailOverrides } from '../core/types';

/**
 * S3 Control, account-level Block Public Access only (REST-XML, SigV4 signing name `s3`):
 * `GET|PUT|DELETE /v20180820/configuration/publicAccessBlock` with the `x-amz-account-id` header.
 * Every account starts with all four settings on (what the baseline sets), lazily: an account
 * without a record has the baseline block. A caller can only read or change its own account's
 * block (`AccessDenied` otherwise). Put and Delete are recorded in CloudTrail as S3 records them:
 * eventSource `s3.amazonaws.com`, eventName `PutAccountPublicAccessBlock` /
 * `DeleteAccountPublicAccessBlock`.
 *
 * The SDK puts the account id in front of the endpoint's host (`{AccountId}.s3-control…`), which
 * breaks on `127.0.0.1`: point the client at the sandbox with an `endpointProvider` (see
 * `functions/shared/guardrails/clients.ts`). The Host header is not checked, so
 * `<account>.localhost` works where it resolves to loopback.
 */

export const S3CONTROL_NAMESPACE = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
export const PUBLIC_ACCESS_BLOCK_PATH = '/v20180820/configuration/publicAccessBlock';
export const S3CONTROL_TABLE = 's3control.publicAccessBlock';
export const PAB_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

export type PabSetting = (typeof PAB_SETTINGS)[number];
export type PublicAccessBlock = Readonly<Record<PabSetting, boolean>>;

/** The block every account has until someone changes it (the baseline's). */
export const BASELINE_BLOCK: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

interface PabRecord {
  readonly accountId: string;
  /** null: deleted. */
  readonly configuration: PublicAccessBlock | null;
  readonly updatedAt: string;
}

const OPERATIONS: Readonly<Record<string, string>> = {
  GET: 'GetPublicAccessBlock',
  PUT: 'PutPublicAccessBlock',
  DELETE: 'DeletePublicAccessBlock',
};

/** CloudTrail's names of the mutating calls (S3 records the IAM action, not the API name). */
const TRAIL_NAMES: Readonly<Record<string, string>> = {
  PutPublicAccessBlock: 'PutAccountPublicAccessBlock',
  DeletePublicAccessBlock: 'DeleteAccountPublicAccessBlock',
};

/** The IAM action of each call: IAM has no s3:DeleteAccountPublicAccessBlock, deleting needs the Put action. */
const IAM_ACTIONS: Readonly<Record<string, string>> = {
  GetPublicAccessBlock: 's3:GetAccountPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutAccountPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutAccountPublicAccessBlock',
};

const MAX_BODY = 64 * 1024;
const ACCOUNT_ID = /^\d{12}$/;

/** The account's block as S3 Control reports it: the stored one, the baseline's, or undefined when deleted. */
export function publicAccessBlockOf(runtime: LocalRuntime, accountId: string): PublicAccessBlock | undefined {
  const record = runtime.store.get<PabRecord>(S3CONTROL_TABLE, accountId);
  if (!record) return BASELINE_BLOCK;
  return record.configuration ?? undefined;
}

/** The operation of a request (by method, on the one path served), or `*`. */
export function s3ControlOperation(method: string | undefined, pathname: string): string {
  if (pathname !== PUBLIC_ACCESS_BLOCK_PATH) return '*';
  return OPERATIONS[method ?? ''] ?? '*';
}

/** The S3 Control error body (`<ErrorResponse><Error><Code>…`). */
export function encodeS3ControlError(err: AwsServiceError, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ErrorResponse><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId><HostId>${hostId(requestId)}</HostId></ErrorResponse>`
  );
}

/** Parses a PutPublicAccessBlock body; settings left out are off, as in S3. */
export function parsePublicAccessBlock(body: string): { configuration: PublicAccessBlock; xmlns?: string } {
  const root = /<PublicAccessBlockConfiguration(\s[^>]*)?>([\s\S]*)<\/PublicAccessBlockConfiguration>/.exec(body);
  if (!root) {
    throw new AwsServiceError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  const xmlns = /xmlns="([^"]*)"/.exec(root[1] ?? '')?.[1];
  const inner = root[2] ?? '';
  const values = {} as Record<PabSetting, boolean>;
  for (const key of PAB_SETTINGS) {
    const m = new RegExp(`<${key}>\\s*([^<]*?)\\s*</${key}>`).exec(inner);
    if (!m) {
      values[key] = false;
      continue;
    }
    const text = (m[1] ?? '').toLowerCase();
    if (text !== 'true' && text !== 'false') {
      throw new AwsServiceError(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    values[key] = text === 'true';
  }
  return { configuration: values, ...(xmlns ? { xmlns } : {}) };
}

function hostId(requestId: string): string {
  return Buffer.from(requestId).toString('base64');
}

function send(res: ServerResponse, status: number, body: string, requestId: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    'x-amz-id-2': hostId(requestId),
  });
  res.end(body);
}

function sendS3ControlError(res: ServerResponse, err: AwsServiceError, requestId: string): void {
  send(res, err.status, encodeS3ControlError(err, requestId), requestId);
}

function encodeConfiguration(c: PublicAccessBlock): string {
  const fields = PAB_SETTINGS.map((k) => `<${k}>${c[k]}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration xmlns="${S3CONTROL_NAMESPACE}">${fields}</PublicAccessBlockConfiguration>`;
}

/** The S3 Control service (raw HTTP: the server has no REST-XML codec). */
export function createS3ControlService(runtime: LocalRuntime): RawHttpService {
  const save = (accountId: string, configuration: PublicAccessBlock | null) =>
    runtime.store.put<PabRecord>(S3CONTROL_TABLE, accountId, {
      accountId,
      configuration,
      updatedAt: runtime.clock.now().toISOString(),
    });

  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const operation = s3ControlOperation(req.method, url.pathname);
    const { principal, region } = call;
    const header = req.headers['x-amz-account-id'];
    const accountId = typeof header === 'string' ? header : '';
    const ctx: RequestContext = {
      service: 's3',
      operation,
      region,
      principal,
      requestId,
      sourceIp: sourceIpOf(req),
      userAgent: String(req.headers['user-agent'] ?? 'unknown'),
      runtime,
    };
    let body = '';
    let result: string | undefined;
    let error: unknown;
    const requestParameters: Record<string, unknown> = {};
    try {
      body = call.body.toString('utf8');
      if (operation === '*') {
        throw new AwsServiceError(
          'NotImplemented',
          `The sandbox serves only account Block Public Access of S3 Control, not ${req.method} ${url.pathname}`,
          { status: 501 },
        );
      }
      if (!ACCOUNT_ID.test(accountId)) {
        throw new AwsServiceError('InvalidRequest', 'The x-amz-account-id header must be a 12-digit account id');
      }
      if (accountId !== principal.accountId) {
        throw new AwsServiceError('AccessDenied', 'Access Denied', { status: 403 });
      }
      // IAM names the account-level calls s3:Get/PutAccountPublicAccessBlock (there is no Delete action)
      runtime.gatekeeper.authorize({ principal, action: IAM_ACTIONS[operation] ?? `s3:${operation}`, region }, 'rest');
      if (operation === 'GetPublicAccessBlock') {
        const configuration = publicAccessBlockOf(runtime, accountId);
        if (!configuration) {
          throw new AwsServiceError(
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            { status: 404 },
          );
        }
        result = encodeConfiguration(configuration);
      } else if (operation === 'PutPublicAccessBlock') {
        const parsed = parsePublicAccessBlock(body);
        const sent = Object.fromEntries(
          PAB_SETTINGS.filter((k) => new RegExp(`<${k}>`).test(body)).map((k) => [k, parsed.configuration[k]]),
        );
        requestParameters.PublicAccessBlockConfiguration = {
          ...(parsed.xmlns ? { xmlns: parsed.xmlns } : {}),
          ...sent,
        };
        save(accountId, parsed.configuration);
        result = '';
      } else {
        save(accountId, null);
        result = '';
      }
    } catch (err) {
      error = err;
    }
    if (operation !== 'GetPublicAccessBlock' && operation !== '*') {
      const overrides: TrailOverrides = {
        eventName: TRAIL_NAMES[operation] ?? operation,
        requestParameters: {
          ...requestParameters,
          accountId,
          Host: `${accountId}.s3-control.${region}.amazonaws.com`,
        },
        responseElements: null,
      };
      try {
        runtime.emitTrail(
          cloudTrailEntry({
            ctx,
            // Not a query protocol: every field of the record comes from the overrides.
            protocol: 'awsQuery',
            eventSource: 's3.amazonaws.com',
            input: {},
            result: undefined,
            error,
            eventTime: runtime.clock.now(),
            shape: () => overrides,
          }),
        );
      } catch {
        // recording must never fail the call
      }
    }
    runtime.stats.totalMs += performance.now() - started;
    if (error !== undefined) {
      runtime.stats.errors++;
      const err =
        error instanceof AwsServiceError
          ? error
          : new AwsServiceError('InternalError', `We encountered an internal error: ${String(error)}`, { status: 500 });
      return sendS3ControlError(res, err, requestId);
    }
    send(res, 200, result ?? '', requestId);
  }

  return {
    signingName: 's3',
    operationOf: (req, url) => s3ControlOperation(req.method, url.pathname),
    sendError: sendS3ControlError,
    errorFamily: 'rest',
    maxBodyBytes: MAX_BODY,
    tooLarge: () => new AwsServiceError('MaxMessageLengthExceeded', 'Your request was too big.'),
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => {
        sendS3ControlError(
          res,
          new AwsServiceError('InternalError', `We encountered an internal error: ${String(err)}`, { status: 500 }),
          'internal',
        );
      });
    },
  };
}
