import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A pure AWS Signature Version 4 verifier: it recomputes the signature of a request as received
 * and compares it with the one the client sent. It never looks up a secret; the caller resolves
 * `auth.accessKeyId` itself (unknown key → `InvalidClientTokenId`).
 *
 * Canonicalisation follows the SigV4 spec the way `@smithy/signature-v4` and botocore sign:
 * a non-S3 path is normalised (`.`/`..`/empty segments dropped) and URI-encoded once more (so
 * `%3A` on the wire signs as `%253A`), an S3 path (signing name `s3`, S3 Control included) is
 * signed as sent; query keys and values are RFC 3986-encoded and sorted; header values are
 * trimmed with inner whitespace collapsed and repeats joined with `,`.
 *
 * @example
 * const auth = parseAuthorization(req);
 * if ('failure' in auth) return reject(auth);
 * const secret = keys.get(auth.accessKeyId); // unknown → InvalidClientTokenId
 * const result = verifySignature(req, auth, secret, Date.now());
 */

/** A request as received, e.g. from a node `IncomingMessage` and its buffered body. */
export interface SignedRequest {
  method: string;
  /** Raw path + query exactly as received (`req.url`). */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * Node's `req.rawHeaders`. Give it when you can: node joins a repeated header with `', '` (and
   * drops repeats of `content-type`, `host`, …) while SigV4 joins the values with `','`.
   */
  rawHeaders?: readonly string[];
  /** The body bytes. A string is hashed as UTF-8, so pass a Buffer for bodies that are not text. */
  body: Buffer | string;
}

/**
 * Why a request is not authentic. Neutral: the caller maps it to the protocol's code (STS says
 * `SignatureDoesNotMatch` where JSON services say `InvalidSignatureException`, EC2 `AuthFailure`).
 */
export type SigV4Failure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  /** A presigned request past its `X-Amz-Expires`. */
  | 'ExpiredSignature'
  /** More than 15 minutes between the request's date and now. */
  | 'RequestTimeTooSkewed';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header or of a presigned query. */
export interface ParsedAuth {
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  date: string;
  region: string;
  service: string;
  /** Lowercase names, in the client's order. */
  signedHeaders: string[];
  signature: string;
  /** The request time, ISO 8601 basic (`20130524T000000Z`), from X-Amz-Date or else the Date header. */
  amzDate: string;
  presigned: boolean;
  expiresSeconds?: number;
  securityToken?: string;
}

export interface SigV4Rejection {
  failure: SigV4Failure;
  message: string;
}

export type VerifyResult =
  | { ok: true }
  | ({
      ok: false;
      canonicalRequest?: string;
      stringToSign?: string;
      /** The signature is right but the body is not what `x-amz-content-sha256` says (S3: `XAmzContentSHA256Mismatch`). */
      contentSha256Mismatch?: true;
    } & SigV4Rejection);

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 15 * 60_000;
const MAX_PRESIGN_SECONDS = 604_800;

/** AWS's messages (DynamoDB's, as recorded by dynalite; STS and the CLI issues show the same texts). */
export const SIGV4_MESSAGES = {
  missing: 'Request is missing Authentication Token',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  both: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
  hostNotSigned: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
  expired: 'Request has expired',
  contentSha256: "The provided 'x-amz-content-sha256' header does not match what was computed.",
} as const;

const reject = (failure: SigV4Failure, message: string): SigV4Rejection => ({ failure, message });

// ---- encoding ---------------------------------------------------------------------------------

const HEX = '0123456789ABCDEF';
const UNRESERVED = new Set(Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'));
const SLASH = 0x2f;

/** RFC 3986 encoding of UTF-8 bytes, uppercase hex; `/` kept when `keepSlash`. */
function uriEncode(bytes: Buffer, keepSlash = false): string {
  let out = '';
  for (const b of bytes) {
    out += UNRESERVED.has(b) || (keepSlash && b === SLASH) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Percent-decodes to bytes; a `%` without two hex digits stays a literal `%`, and `+` stays `+`. */
function percentDecode(s: string): Buffer {
  if (!s.includes('%')) return Buffer.from(s, 'utf8');
  const parts = s.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    parts.map((p, i) => (i % 2 === 1 ? Buffer.of(Number.parseInt(p.slice(1), 16)) : Buffer.from(p, 'utf8'))),
  );
}

const canonicalComponent = (raw: string): string => uriEncode(percentDecode(raw));

/** Path and raw query of `req.url` (absolute-form URLs lose their scheme and authority). */
function splitUrl(url: string): { path: string; query: string } {
  let rest = url;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** Raw `key=value` pairs of a query string, in order; `decodedKey` for lookups. */
function queryPairs(query: string): { key: string; value: string; decodedKey: string }[] {
  const out: { key: string; value: string; decodedKey: string }[] = [];
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    out.push({ key, value, decodedKey: percentDecode(key).toString('utf8') });
  }
  return out;
}

function queryParam(pairs: ReturnType<typeof queryPairs>, name: string, anyCase = false): string | undefined {
  const lower = name.toLowerCase();
  const hit = pairs.find((p) => p.decodedKey === name || (anyCase && p.decodedKey.toLowerCase() === lower));
  return hit === undefined ? undefined : percentDecode(hit.value).toString('utf8');
}

// ---- canonical request ------------------------------------------------------------------------

/** The canonical URI: S3 signs the path as sent, other services normalise and encode it again. */
export function canonicalUri(path: string, service: string): string {
  if (service === 's3') return path === '' ? '/' : path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized =
    (path.startsWith('/') || path === '' ? '/' : '') +
    segments.join('/') +
    (segments.length > 0 && path.endsWith('/') ? '/' : '');
  return uriEncode(Buffer.from(normalized, 'utf8'), true);
}

/** The canonical query string: pairs RFC 3986-encoded, sorted by key then value. */
export function canonicalQuery(query: string, presigned: boolean): string {
  return queryPairs(query)
    .filter((p) => !(presigned && p.decodedKey === 'X-Amz-Signature'))
    .map((p) => [canonicalComponent(p.key), canonicalComponent(p.value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const trimAll = (value: string): string => value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');

/** All values of a header, in the order received. */
function headerValues(req: SignedRequest, name: string): string[] {
  if (req.rawHeaders) {
    const values: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === name) values.push(req.rawHeaders[i + 1] ?? '');
    }
    return values;
  }
  const value = req.headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function header(req: SignedRequest, name: string): string | undefined {
  const values = headerValues(req, name);
  return values.length === 0 ? undefined : values.join(',');
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The payload hash the client signed: `x-amz-content-sha256` when sent, else the body's SHA-256. */
function signedPayloadHash(req: SignedRequest, auth: ParsedAuth): string {
  const declared =
    header(req, 'x-amz-content-sha256') ??
    (auth.presigned ? queryParam(queryPairs(splitUrl(req.url).query), 'X-Amz-Content-Sha256', true) : undefined);
  if (declared !== undefined) return declared.trim();
  if (auth.presigned && auth.service === 's3') return 'UNSIGNED-PAYLOAD';
  return sha256Hex(req.body);
}

/** The canonical request of SigV4 task 1. */
export function canonicalRequest(req: SignedRequest, auth: ParsedAuth, payloadHash: string): string {
  const { path, query } = splitUrl(req.url);
  const headers = auth.signedHeaders.map((name) => `${name}:${headerValues(req, name).map(trimAll).join(',')}\n`);
  return [
    req.method.toUpperCase(),
    canonicalUri(path, auth.service),
    canonicalQuery(query, auth.presigned),
    headers.join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** The string to sign of SigV4 task 2. */
export function stringToSign(auth: ParsedAuth, canonical: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  return `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 256;

/** kSigning = HMAC chain of the secret over date, region, service and `aws4_request`, cached. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  const hit = signingKeys.get(cacheKey);
  if (hit) return hit;
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`, 'utf8');
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) {
    const oldest = signingKeys.keys().next().value;
    if (oldest !== undefined) signingKeys.delete(oldest);
  }
  signingKeys.set(cacheKey, key);
  return key;
}

// ---- parsing ----------------------------------------------------------------------------------

const BASIC_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Milliseconds of an ISO 8601 basic timestamp, or undefined when it is not one. */
function basicDateMs(value: string): number | undefined {
  const m = BASIC_DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
}

/** `20130524T000000Z` of a time. */
export const toAmzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const badDate = (got: string): SigV4Rejection =>
  reject(
    'IncompleteSignature',
    `Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  );

/** Checks shared by both forms: algorithm, date format, credential shape, `host` signed, scope. */
function checkCommon(
  algorithm: string,
  credential: string,
  time: { amzDate: string } | { httpDate: string },
  signedHeaders: string[],
): SigV4Rejection | { amzDate: string; scope: string[] } {
  let amzDate: string;
  if ('amzDate' in time) {
    if (basicDateMs(time.amzDate) === undefined) return badDate(time.amzDate);
    amzDate = time.amzDate;
  } else {
    const ms = Date.parse(time.httpDate);
    if (Number.isNaN(ms)) return badDate(time.httpDate);
    amzDate = toAmzDate(ms);
  }
  if (algorithm !== ALGORITHM) {
    return reject('IncompleteSignature', `Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). `);
  }
  const scope = credential.replace(/\/+$/, '').split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    return reject(
      'IncompleteSignature',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  if (!signedHeaders.includes('host')) return reject('SignatureDoesNotMatch', SIGV4_MESSAGES.hostNotSigned);
  const [, date, , , terminator] = scope as [string, string, string, string, string];
  let message = '';
  if (terminator !== 'aws4_request') {
    message += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
  }
  if (date !== amzDate.slice(0, 8)) {
    message += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`;
  }
  if (message) return reject('SignatureDoesNotMatch', message.trim());
  return { amzDate, scope };
}

function parseHeaderAuth(req: SignedRequest, authorization: string, pairs: ReturnType<typeof queryPairs>) {
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const params = new Map<string, string>();
  for (const part of (space < 0 ? '' : trimmed.slice(space + 1)).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) {
      return reject(
        'IncompleteSignature',
        `'${p}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      );
    }
    params.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const amzDate = header(req, 'x-amz-date') ?? queryParam(pairs, 'X-Amz-Date');
  const httpDate = header(req, 'date');
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  if (!amzDate && !httpDate) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing) return reject('IncompleteSignature', `${missing}Authorization=${authorization}`);
  const signedHeaders = (params.get('SignedHeaders') ?? '').split(';').map((h) => h.trim().toLowerCase());
  const credential = params.get('Credential') ?? '';
  const time = amzDate ? { amzDate: amzDate.trim() } : { httpDate: httpDate ?? '' };
  const common = checkCommon(algorithm, credential, time, signedHeaders);
  if ('failure' in common) return common;
  const token = header(req, 'x-amz-security-token');
  return toParsed(common, signedHeaders, params.get('Signature') ?? '', false, undefined, token);
}

function parsePresigned(pairs: ReturnType<typeof queryPairs>) {
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const values = names.map((n) => queryParam(pairs, n) ?? '');
  const missing = names.filter((_, i) => values[i] === '');
  if (missing.length > 0) {
    const list = missing.map((n) => `AWS query-string parameters must include '${n}'. `).join('');
    return reject('IncompleteSignature', `${list}Re-examine the query-string parameters.`);
  }
  const [algorithm, credential, signature, signedHeadersRaw, amzDate] = values as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expiresRaw = queryParam(pairs, 'X-Amz-Expires');
  let expiresSeconds: number | undefined;
  if (expiresRaw !== undefined) {
    if (!/^-?\d+$/.test(expiresRaw)) return reject('IncompleteSignature', 'X-Amz-Expires should be a number');
    expiresSeconds = Number(expiresRaw);
    if (expiresSeconds < 0) return reject('IncompleteSignature', 'X-Amz-Expires must be non-negative');
    if (expiresSeconds > MAX_PRESIGN_SECONDS) {
      return reject(
        'IncompleteSignature',
        'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
      );
    }
  }
  const signedHeaders = signedHeadersRaw.split(';').map((h) => h.trim().toLowerCase());
  const common = checkCommon(algorithm, credential, { amzDate }, signedHeaders);
  if ('failure' in common) return common;
  return toParsed(common, signedHeaders, signature, true, expiresSeconds, queryParam(pairs, 'X-Amz-Security-Token'));
}

function toParsed(
  common: { amzDate: string; scope: string[] },
  signedHeaders: string[],
  signature: string,
  presigned: boolean,
  expiresSeconds: number | undefined,
  securityToken: string | undefined,
): ParsedAuth {
  const [accessKeyId, date, region, service] = common.scope as [string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders,
    signature,
    amzDate: common.amzDate,
    presigned,
    ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
    ...(securityToken !== undefined ? { securityToken } : {}),
  };
}

/**
 * Reads the SigV4 credentials of a request from its `Authorization` header or presigned query,
 * with AWS's errors for a missing or malformed one.
 */
export function parseAuthorization(req: SignedRequest): ParsedAuth | SigV4Rejection {
  const pairs = queryPairs(splitUrl(req.url).query);
  const authorization = header(req, 'authorization');
  const presigned = pairs.some((p) => p.decodedKey === 'X-Amz-Algorithm');
  if (authorization !== undefined && presigned) return reject('SignatureDoesNotMatch', SIGV4_MESSAGES.both);
  if (presigned) return parsePresigned(pairs);
  if (authorization === undefined || !authorization.trim().startsWith('AWS4-')) {
    return reject('MissingAuthenticationToken', SIGV4_MESSAGES.missing);
  }
  return parseHeaderAuth(req, authorization, pairs);
}

// ---- verification -----------------------------------------------------------------------------

/**
 * Whether the request time is usable at `nowMs`: within 15 minutes of now, and for a presigned
 * request with `X-Amz-Expires` not past its expiry. The caller may run it before the key lookup,
 * which is AWS's order; {@link verifySignature} runs it too.
 */
export function checkRequestTime(auth: ParsedAuth, nowMs: number): SigV4Rejection | undefined {
  const at = basicDateMs(auth.amzDate);
  if (at === undefined) return badDate(auth.amzDate);
  const now = Math.floor(nowMs / 1000) * 1000;
  if (at > now + SKEW_MS) {
    return reject(
      'RequestTimeTooSkewed',
      `Signature not yet current: ${auth.amzDate} is still later than ${toAmzDate(now + SKEW_MS)} (${toAmzDate(now)} + 15 min.)`,
    );
  }
  if (auth.presigned && auth.expiresSeconds !== undefined) {
    return now > at + auth.expiresSeconds * 1000 ? reject('ExpiredSignature', SIGV4_MESSAGES.expired) : undefined;
  }
  if (at < now - SKEW_MS) {
    return reject(
      'RequestTimeTooSkewed',
      `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(now - SKEW_MS)} (${toAmzDate(now)} - 15 min.)`,
    );
  }
  return undefined;
}

/**
 * Recomputes the signature of `req` with `secretAccessKey` and compares it in constant time.
 * A failure carries the canonical request and string to sign for debugging (AWS puts them in
 * some services' messages; do not send them to clients unless you mean to).
 *
 * @param nowMs - real wall-clock time (`Date.now()`), not the sandbox's simulated clock
 */
export function verifySignature(
  req: SignedRequest,
  auth: ParsedAuth,
  secretAccessKey: string,
  nowMs: number,
): VerifyResult {
  const stale = checkRequestTime(auth, nowMs);
  if (stale) return { ok: false, ...stale };
  const payloadHash = signedPayloadHash(req, auth);
  const canonical = canonicalRequest(req, auth, payloadHash);
  const toSign = stringToSign(auth, canonical);
  const key = signingKey(secretAccessKey, auth.date, auth.region, auth.service);
  const expected = Buffer.from(createHmac('sha256', key).update(toSign).digest('hex'), 'utf8');
  const provided = Buffer.from(auth.signature, 'utf8');
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
    return {
      ok: false,
      failure: 'SignatureDoesNotMatch',
      message: SIGV4_MESSAGES.mismatch,
      canonicalRequest: canonical,
      stringToSign: toSign,
    };
  }
  if (/^[0-9a-f]{64}$/i.test(payloadHash) && payloadHash.toLowerCase() !== sha256Hex(req.body)) {
    const message = auth.service === 's3' ? SIGV4_MESSAGES.contentSha256 : SIGV4_MESSAGES.mismatch;
    return { ok: false, failure: 'SignatureDoesNotMatch', message, contentSha256Mismatch: true };
  }
  return { ok: true };
}
