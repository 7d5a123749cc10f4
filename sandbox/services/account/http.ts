import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../../core/types';
import { AccountError, AccountValidationError } from './errors';

/**
 * The Account Management API's REST-JSON codec (restJson1, SigV4 signing name `account`): every
 * operation is `POST /<operation in lower camel case>` with a JSON body (`/putAlternateContact`,
 * `/getAlternateContact`, `/deleteAlternateContact`, as `@aws-sdk/client-account` calls them).
 * Replies are JSON; errors carry the code in `x-amzn-ErrorType` and `{ "message": … }`.
 */

/** Every operation of the Account Management API (2021-02-01), the ones the sandbox serves and the others. */
const OPERATIONS = [
  'AcceptPrimaryEmailUpdate',
  'DeleteAlternateContact',
  'DisableRegion',
  'EnableRegion',
  'GetAccountInformation',
  'GetAlternateContact',
  'GetContactInformation',
  'GetGovCloudAccountInformation',
  'GetPrimaryEmail',
  'GetPrimaryEmailUpdateStatus',
  'GetRegionOptStatus',
  'ListRegions',
  'PutAccountName',
  'PutAlternateContact',
  'PutContactInformation',
  'SendPhoneNumberVerification',
  'StartPrimaryEmailUpdate',
  'VerifyPhoneNumber',
] as const;

const BY_PATH = new Map<string, string>(OPERATIONS.map((op) => [`/${op.charAt(0).toLowerCase()}${op.slice(1)}`, op]));

/** The operation of a request (`*` when the method and path are none of the API's). */
export function operationOf(method: string | undefined, pathname: string): string {
  const op = BY_PATH.get(pathname.replace(/\/+$/, ''));
  return op && method === 'POST' ? op : '*';
}

/** A request's JSON body (an empty body is `{}`). */
export function decodeInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AccountError('SerializationException', `Could not parse the request body: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AccountError('SerializationException', 'Could not parse the request body: it is not a JSON object');
  }
  return parsed as Record<string, unknown>;
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

/** A successful reply. */
export function sendResult(res: ServerResponse, result: unknown, requestId: string): void {
  send(res, 200, JSON.stringify(result ?? {}), { 'x-amzn-requestid': requestId });
}

/** Authentication failures and denials: 403, as the API answers them. */
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

/** An error reply; `ValidationException` carries `reason` and `fieldList`. */
export function sendAccountError(res: ServerResponse, err: AwsServiceError, requestId: string): void {
  const status = FORBIDDEN.has(err.code) ? 403 : err.status;
  const body =
    err instanceof AccountValidationError
      ? { message: err.message, reason: err.reason, fieldList: err.fieldList }
      : { message: err.message };
  send(res, status, JSON.stringify(body), { 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code });
}

/** An unexpected failure, as the API's `InternalServerException`. */
export const internalError = (err: unknown): AwsServiceError =>
  err instanceof AwsServiceError
    ? err
    : new AccountError(
        'InternalServerException',
        `The operation failed because of an error internal to AWS: ${String(err)}`,
        500,
      );
