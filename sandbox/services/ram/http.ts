import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError } from '../../core/types';
import { RamError } from './errors';

/**
 * RAM's REST-JSON wire codec (restJson1, SigV4 signing name `ram`): every operation is
 * `POST /<operation in lower case>` with a JSON body, but `DeleteResourceShare` (and the permission
 * deletions), `DELETE` with query parameters. Replies are JSON, timestamps in epoch seconds; errors
 * carry the code in `x-amzn-ErrorType` and `{ "message": … }`.
 */

/** Every operation of the RAM API (2018-01-04), by path: the ones the sandbox serves and the others. */
const OPERATIONS = [
  'AcceptResourceShareInvitation',
  'AssociateResourceShare',
  'AssociateResourceSharePermission',
  'CreatePermission',
  'CreatePermissionVersion',
  'CreateResourceShare',
  'DeletePermission',
  'DeletePermissionVersion',
  'DeleteResourceShare',
  'DisassociateResourceShare',
  'DisassociateResourceSharePermission',
  'EnableSharingWithAwsOrganization',
  'GetPermission',
  'GetResourcePolicies',
  'GetResourceShareAssociations',
  'GetResourceShareInvitations',
  'GetResourceShares',
  'ListPendingInvitationResources',
  'ListPermissionAssociations',
  'ListPermissions',
  'ListPermissionVersions',
  'ListPrincipals',
  'ListReplacePermissionAssociationsWork',
  'ListResources',
  'ListResourceSharePermissions',
  'ListResourceTypes',
  'ListSourceAssociations',
  'PromotePermissionCreatedFromPolicy',
  'PromoteResourceShareCreatedFromPolicy',
  'RejectResourceShareInvitation',
  'ReplacePermissionAssociations',
  'SetDefaultPermissionVersion',
  'TagResource',
  'UntagResource',
  'UpdateResourceShare',
] as const;

const DELETES = new Set(['DeleteResourceShare', 'DeletePermission', 'DeletePermissionVersion']);
const BY_PATH = new Map(OPERATIONS.map((op) => [`/${op.toLowerCase()}`, op]));

/** The operation of a request (`*` when the method and path are none of RAM's). */
export function operationOf(method: string | undefined, pathname: string): string {
  const op = BY_PATH.get(pathname.replace(/\/+$/, '').toLowerCase());
  if (!op) return '*';
  return method === (DELETES.has(op) ? 'DELETE' : 'POST') ? op : '*';
}

/** A request's input: the JSON body, or the query parameters of a `DELETE`. */
export function decodeInput(req: IncomingMessage, url: URL, body: Buffer): Record<string, unknown> {
  if (req.method === 'DELETE') return Object.fromEntries(url.searchParams);
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RamError('SerializationException', `Could not parse the request body: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RamError('SerializationException', 'Could not parse the request body: it is not a JSON object');
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

/** The codes RAM answers with 403: the authentication failures and denials. */
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

/**
 * An error reply. The sandbox's authentication failures (SigV4, unknown or expired keys) come as the
 * JSON family's codes; RAM answers them, and denials, with 403.
 */
export function sendRamError(res: ServerResponse, err: AwsServiceError, requestId: string): void {
  const status = FORBIDDEN.has(err.code) ? 403 : err.status;
  send(res, status, JSON.stringify({ message: err.message }), {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
  });
}

/** An unexpected failure, as RAM's `ServerInternalException`. */
export const internalError = (err: unknown): AwsServiceError =>
  err instanceof AwsServiceError
    ? err
    : new RamError(
        'ServerInternalException',
        `The service could not respond to the request due to an internal problem: ${String(err)}`,
        500,
      );
