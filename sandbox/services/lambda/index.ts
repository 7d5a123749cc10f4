import type { IncomingMessage, ServerResponse } from 'node:http';
import { cloudTrailEntry } from '../../core/cloudtrail';
import { controlRoute } from '../../core/control';
import type { LocalRuntime } from '../../core/runtime';
import { type RawCall, type RawHttpService, sourceIpOf } from '../../core/server';
import { AwsServiceError, type Principal, type RequestContext } from '../../core/types';
import { authorizeCall, denialOf } from './access';
import { invokeExisting } from './api';
import { asyncOutcomes, resumeQueue } from './async';
import { accessDenied, requestTooLarge } from './errors';
import {
  deleteFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  putFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
} from './event-invoke-config';
import {
  createFunction,
  deleteFunction,
  deleteFunctionConcurrency,
  getAccountSettings,
  getFunction,
  getFunctionConcurrency,
  getFunctionConfiguration,
  listFunctions,
  listTags,
  putFunctionConcurrency,
  tagResource,
  untagResource,
  updateFunctionConfiguration,
} from './functions';
import {
  decodeRequest,
  invokeHeaders,
  matchRoute,
  operationOf,
  sendInvokeResult,
  sendLambdaError,
  sendResult,
} from './http';
import { type FunctionRef, mustFunction, parseFunctionName, refArn, type Scope, scopeOf } from './model';
import { addPermission, getPolicy, policyFor, removePermission } from './permissions';

export { type InvokeOptions, type InvokeResult, invokeFunction } from './api';
export { asyncOutcomes, settleAsyncInvocations } from './async';
export { TABLES as LAMBDA_TABLES } from './model';

/**
 * AWS Lambda (REST-JSON, SigV4 signing name `lambda`): functions per account and region, their
 * configuration, resource policy, reserved concurrency and asynchronous invocation settings, and
 * `Invoke` — synchronous, asynchronous with retries and destinations, or a dry run. Functions run
 * in-process (see `code.ts` for which code a function runs). Every call is authorized here with the
 * function's resource policy (a raw service authorizes itself), and the mutating calls are recorded
 * in CloudTrail as Lambda records them (`CreateFunction20150331`, …). See `docs/services/lambda.md`.
 *
 * @example
 * const lambda = createLambdaService(runtime);
 * // then: new LambdaClient({ endpoint }).send(new InvokeCommand({ FunctionName: 'vendguard-vend-start', Payload }))
 */

/** The largest request Lambda reads (a `CreateFunction` with its zip). */
const CREATE_REQUEST_LIMIT = 70167211;

type Operation = (runtime: LocalRuntime, caller: Scope, input: Record<string, unknown>) => unknown;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateFunction: createFunction,
  GetFunction: getFunction,
  GetFunctionConfiguration: getFunctionConfiguration,
  ListFunctions: listFunctions,
  UpdateFunctionConfiguration: updateFunctionConfiguration,
  DeleteFunction: deleteFunction,
  AddPermission: addPermission,
  RemovePermission: removePermission,
  GetPolicy: getPolicy,
  PutFunctionConcurrency: putFunctionConcurrency,
  GetFunctionConcurrency: getFunctionConcurrency,
  DeleteFunctionConcurrency: deleteFunctionConcurrency,
  PutFunctionEventInvokeConfig: putFunctionEventInvokeConfig,
  GetFunctionEventInvokeConfig: getFunctionEventInvokeConfig,
  UpdateFunctionEventInvokeConfig: updateFunctionEventInvokeConfig,
  DeleteFunctionEventInvokeConfig: deleteFunctionEventInvokeConfig,
  ListFunctionEventInvokeConfigs: listFunctionEventInvokeConfigs,
  ListTags: listTags,
  TagResource: tagResource,
  UntagResource: untagResource,
  GetAccountSettings: (runtime, caller) => getAccountSettings(runtime, caller),
};

/** The operations Lambda authorizes with the function's resource policy ("Lambda API actions that support resource-based policies"). */
const RESOURCE_POLICY_OPERATIONS = new Set([
  'DeleteFunction',
  'DeleteFunctionConcurrency',
  'DeleteFunctionEventInvokeConfig',
  'GetFunction',
  'GetFunctionConcurrency',
  'GetFunctionConfiguration',
  'GetFunctionEventInvokeConfig',
  'GetPolicy',
  'Invoke',
  'ListFunctionEventInvokeConfigs',
  'ListTags',
  'PutFunctionConcurrency',
  'PutFunctionEventInvokeConfig',
  'TagResource',
  'UntagResource',
  'UpdateFunctionEventInvokeConfig',
]);

/** How CloudTrail names Lambda's management events (the API version is part of the name). */
const TRAIL_NAMES: Readonly<Record<string, string>> = {
  CreateFunction: 'CreateFunction20150331',
  DeleteFunction: 'DeleteFunction20150331',
  UpdateFunctionConfiguration: 'UpdateFunctionConfiguration20150331v2',
  AddPermission: 'AddPermission20150331v2',
  RemovePermission: 'RemovePermission20150331v2',
  PutFunctionConcurrency: 'PutFunctionConcurrency20171031',
  DeleteFunctionConcurrency: 'DeleteFunctionConcurrency20171031',
  TagResource: 'TagResource20170331v2',
  UntagResource: 'UntagResource20170331v2',
  PutFunctionEventInvokeConfig: 'PutFunctionEventInvokeConfig',
  UpdateFunctionEventInvokeConfig: 'UpdateFunctionEventInvokeConfig',
  DeleteFunctionEventInvokeConfig: 'DeleteFunctionEventInvokeConfig',
};

/** The IAM action of an operation. */
const actionOf = (operation: string): string =>
  operation === 'Invoke' ? 'lambda:InvokeFunction' : `lambda:${operation}`;

/** The function an operation names (its `FunctionName`, or the ARN a tagging call names). */
function namedFunction(operation: string, input: Record<string, unknown>): FunctionRef | undefined {
  if (operation === 'ListFunctions' || operation === 'GetAccountSettings') return undefined;
  if (operation === 'ListTags' || operation === 'TagResource' || operation === 'UntagResource') {
    return parseFunctionName(input.Resource, operation);
  }
  return parseFunctionName(input.FunctionName, operation, input.Qualifier);
}

/**
 * Authorizes a call: `lambda:<Action>` on the function's ARN (qualified when the call names a
 * qualifier), with the function's resource policy for the operations Lambda authorizes with it, and
 * `iam:PassRole` on an execution role the call sets.
 */
function authorize(
  runtime: LocalRuntime,
  principal: Principal,
  region: string,
  operation: string,
  input: Record<string, unknown>,
) {
  const ref = namedFunction(operation, input);
  const scope = ref ? scopeOf(ref, { account: principal.accountId, region }) : undefined;
  const resource = ref && scope ? refArn(scope, ref) : '*';
  const policy =
    ref && scope && RESOURCE_POLICY_OPERATIONS.has(operation) ? policyFor(runtime, scope, ref.name) : undefined;
  authorizeCall(runtime, {
    principal,
    action: actionOf(operation),
    resources: [resource],
    region,
    ...(policy ? { resourcePolicy: policy } : {}),
    ...(scope ? { resourceAccountId: scope.account } : {}),
  });
  if (
    (operation === 'CreateFunction' || operation === 'UpdateFunctionConfiguration') &&
    typeof input.Role === 'string'
  ) {
    const denial = denialOf(runtime, { principal, action: 'iam:PassRole', resources: [input.Role], region });
    if (denial) throw accessDenied(denial);
  }
  return { ref, scope };
}

/** Everything of a call CloudTrail records, but the code's bytes. */
function trailInput(input: Record<string, unknown>): Record<string, unknown> {
  const code = input.Code;
  if (code && typeof code === 'object' && 'ZipFile' in code) {
    const { ZipFile: _zip, ...rest } = code as Record<string, unknown>;
    return { ...input, Code: rest };
  }
  return input;
}

/** The Lambda service (raw HTTP: the server has no REST-JSON codec). */
export function createLambdaService(runtime: LocalRuntime): RawHttpService {
  async function serve(req: IncomingMessage, res: ServerResponse, call: RawCall): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { principal, region, requestId } = call;
    const matched = matchRoute(req.method, url.pathname);
    const operation = matched?.route.operation ?? '*';
    const ctx: RequestContext = {
      service: 'lambda',
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
      if (!matched) {
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${req.method} ${url.pathname}`, {
          status: 404,
        });
      }
      const decoded = decodeRequest(req, url, matched, call.body);
      input = decoded.input;
      let named: ReturnType<typeof authorize>;
      try {
        named = authorize(runtime, principal, region, operation, input);
      } catch (err) {
        denied = err instanceof AwsServiceError && err.code === 'AccessDeniedException';
        throw err;
      }
      const caller: Scope = { account: principal.accountId, region };
      if (operation === 'Invoke') {
        const { invocationType, logType } = invokeHeaders(input);
        const ref = named.ref as FunctionRef;
        const scope = named.scope as Scope;
        const fn = mustFunction(runtime, scope, ref);
        const invoked = await invokeExisting(runtime, fn, decoded.payload ?? '', {
          invocationType,
          requestId,
          invokedArn: refArn(scope, ref),
          logType,
        });
        sendInvokeResult(res, invoked);
        return;
      }
      const handler = OPERATIONS[operation] as Operation;
      result = await handler(runtime, caller, input);
      sendResult(res, decoded.status, result, requestId);
    } catch (err) {
      error = err;
      runtime.stats.errors++;
      const aws =
        err instanceof AwsServiceError
          ? err
          : new AwsServiceError('ServiceException', `An internal error occurred: ${String(err)}`, { status: 500 });
      sendLambdaError(res, aws, requestId);
    } finally {
      runtime.stats.totalMs += performance.now() - started;
      // Invoke is a data event and reads are not recorded; a denied call is, as CloudTrail records every AccessDenied
      const trailed = TRAIL_NAMES[operation] !== undefined || (denied && operation !== 'Invoke');
      if (trailed) {
        try {
          runtime.emitTrail(
            cloudTrailEntry({
              ctx,
              protocol: 'awsJson1_1',
              eventSource: 'lambda.amazonaws.com',
              input: trailInput(input),
              result,
              error,
              eventTime: runtime.clock.now(),
              shape: () => ({ eventName: TRAIL_NAMES[operation] ?? operation }),
            }),
          );
        } catch {
          // recording must never fail the call
        }
      }
    }
  }

  controlRoute('GET', '/_sandbox/lambda/async-invocations', (rt, _body, query) => ({
    status: 200,
    body: {
      invocations: asyncOutcomes(rt, {
        ...(query.requestId ? { requestId: query.requestId } : {}),
        ...(query.functionArn ? { functionArn: query.functionArn } : {}),
      }).slice(-(Number(query.limit) || 100)),
    },
  }));

  return {
    signingName: 'lambda',
    errorFamily: 'json',
    maxBodyBytes: CREATE_REQUEST_LIMIT,
    tooLarge: () =>
      requestTooLarge(`Request must be smaller than ${CREATE_REQUEST_LIMIT} bytes for the CreateFunction operation`),
    operationOf: (req, url) => operationOf(req.method, url.pathname),
    sendError: (res, err, requestId) => {
      // Lambda answers a request it cannot authenticate with 403, whatever the failure
      const status =
        err.status >= 500 || err.status === 429
          ? err.status
          : /Token|Signature|Client/.test(err.code)
            ? 403
            : err.status;
      sendLambdaError(res, new AwsServiceError(err.code, err.message, { status }), requestId);
    },
    start: () => resumeQueue(runtime),
    handle(req, res, call) {
      serve(req, res, call).catch((err: unknown) => {
        sendLambdaError(
          res,
          new AwsServiceError('ServiceException', `An internal error occurred: ${String(err)}`, { status: 500 }),
          call.requestId,
        );
      });
    },
  };
}
