import type { IncomingMessage, ServerResponse } from 'node:http';
import { denialMessage } from '../../core/auth';
import { cloudTrailEntry } from '../../core/cloudtrail';
import type { LocalRuntime } from '../../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../../core/server';
import type { RequestContext } from '../../core/types';
import { useResourceSharing } from '../ec2/ipam-pools';
import { ramAuthorization } from './authorization';
import { accessDenied, RamError } from './errors';
import { decodeInput, internalError, operationOf, sendRamError, sendResult } from './http';
import { invitationOperations } from './invitations';
import { RamState } from './model';
import { enableSharingWithAwsOrganization, listenForTrustedAccess } from './organization';
import { seedSharingWithOrganization } from './seed';
import { type Caller, shareOperations } from './shares';
import { isSharedWith } from './sharing';

export { RAM_SERVICE_PRINCIPAL, RAM_TABLES } from './model';
export { isSharedWith } from './sharing';

/**
 * AWS Resource Access Manager (REST-JSON, SigV4 signing name `ram`): resource shares of transit
 * gateways, subnets and IPAM pools with accounts, OUs and the organization; sharing with the
 * organization (`EnableSharingWithAwsOrganization`, the management account only); invitations for
 * the accounts it does not reach. Other services ask {@link isSharedWith} whether a resource is
 * shared with an account. Every call is authorized here (a raw service authorizes itself, so a denial
 * is recorded in CloudTrail); the mutating calls are recorded with eventSource `ram.amazonaws.com`.
 * See `docs/services/ram.md`.
 *
 * @example
 * const ram = new RAMClient({ endpoint, region: 'eu-west-1' });
 * await ram.send(new CreateResourceShareCommand({ name: 'tgw', resourceArns: [tgwArn], principals: [ouArn] }));
 */

type Operation = (caller: Caller, input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** The calls CloudTrail records (the reads are not management write events). */
const RECORDED = new Set([
  'CreateResourceShare',
  'AssociateResourceShare',
  'DisassociateResourceShare',
  'DeleteResourceShare',
  'EnableSharingWithAwsOrganization',
  'AcceptResourceShareInvitation',
  'RejectResourceShareInvitation',
]);

export function createRamService(runtime: LocalRuntime): RawHttpService {
  const state = new RamState(runtime);
  // IPAM asks RAM before another account uses a pool
  useResourceSharing(isSharedWith);
  const operations: Readonly<Record<string, Operation>> = {
    ...shareOperations(state),
    ...invitationOperations(state),
    EnableSharingWithAwsOrganization: (_caller, _input, ctx) => enableSharingWithAwsOrganization(ctx),
  };

  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { principal, region, requestId } = call;
    const operation = operationOf(req.method, url.pathname);
    const ctx: RequestContext = {
      service: 'ram',
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
      const handler = operations[operation];
      if (operation === '*') {
        throw new RamError('UnknownOperationException', `Unknown operation ${req.method} ${url.pathname}`, 404);
      }
      input = decodeInput(req, url, call.body);
      const caller: Caller = { account: principal.accountId, region };
      const { resources, contexts } = ramAuthorization(state, operation, input, caller);
      const denial = contexts
        .map((context) =>
          runtime.gatekeeper.decide({ principal, action: `ram:${operation}`, resources, region, context }),
        )
        .find((d) => d !== undefined);
      if (denial) {
        denied = true;
        throw accessDenied(denialMessage(principal.arn, denial));
      }
      if (!handler) {
        throw new RamError('NotImplemented', `The sandbox's RAM does not serve ${operation}`, 501);
      }
      result = await handler(caller, input, ctx);
      sendResult(res, result, requestId);
    } catch (err) {
      error = err;
      runtime.stats.errors++;
      sendRamError(res, internalError(err), requestId);
    } finally {
      runtime.stats.totalMs += performance.now() - started;
      if (RECORDED.has(operation) || denied) {
        try {
          runtime.emitTrail(
            cloudTrailEntry({
              ctx,
              protocol: 'awsJson1_1',
              eventSource: 'ram.amazonaws.com',
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
    signingName: 'ram',
    errorFamily: 'json',
    operationOf: (req, url) => operationOf(req.method, url.pathname),
    sendError: sendRamError,
    start: () => {
      listenForTrustedAccess(runtime);
      seedSharingWithOrganization(runtime);
    },
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => {
        sendRamError(res, internalError(err), call.requestId);
      });
    },
  };
}
