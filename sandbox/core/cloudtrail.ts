import { randomUUID } from 'node:crypto';
import type { BusEntry, Principal, Protocol, RequestContext, TrailShaper } from './types';
import { AwsServiceError } from './types';

/**
 * The `AWS API Call via CloudTrail` event of a call, shaped as AWS delivers it to EventBridge
 * (see `events/samples/aws.ec2/*.json`): lower-camel `requestParameters` / `responseElements`,
 * EC2's `{ items: [...] }` lists and `_return`, the caller's `userIdentity`.
 */

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The default read-only test: `Describe*`, `List*`, `Get*`, `Test*`, `BatchGet*`, `Search*`, `Lookup*`. */
export function isReadOnlyByName(operation: string): boolean {
  return /^(Describe|List|Get|Test|BatchGet|Search|Lookup)/.test(operation);
}

/** Whether a call must not produce a CloudTrail event (the bus's own PutEvents; DynamoDB data calls). */
export function isExcludedFromTrail(signingName: string, operation: string): boolean {
  return signingName === 'dynamodb' || (signingName === 'events' && operation === 'PutEvents');
}

const lowerFirst = (k: string): string => (k.length > 0 ? (k[0] as string).toLowerCase() + k.slice(1) : k);
const NUMERIC_KEY = /(Port|Count|Size|Results|Seconds)$/i;

/** Converts an SDK-cased value to CloudTrail's lower-camel shape. */
export function toTrailShape(value: unknown, protocol: Protocol, key = ''): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map((v) => toTrailShape(v, protocol));
    if (protocol === 'ec2Query') return items.length > 0 ? { items } : {};
    return items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      let name = lowerFirst(k);
      if (protocol === 'ec2Query' && name === 'return') name = '_return';
      out[name] = toTrailShape(v, protocol, name);
    }
    return out;
  }
  if (protocol === 'ec2Query' && typeof value === 'string' && NUMERIC_KEY.test(key) && /^-?\d+$/.test(value)) {
    return Number(value);
  }
  if (protocol === 'ec2Query' && (value === 'true' || value === 'false') && key !== 'value') return value === 'true';
  return value;
}

/** The `userIdentity` block of a principal. */
export function userIdentity(principal: Principal, creationDate: string): Record<string, unknown> {
  const base = {
    type: principal.type,
    principalId: principal.principalId,
    arn: principal.arn,
    accountId: principal.accountId,
    accessKeyId: principal.accessKeyId,
  };
  if (principal.type === 'AssumedRole') {
    return {
      ...base,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: principal.principalId.split(':')[0],
          arn: principal.roleArn,
          accountId: principal.accountId,
          userName: principal.roleName,
        },
        webIdFederationData: {},
        // when the session's credentials were issued, not when this call was made
        attributes: { creationDate: principal.sessionIssuedAt ?? creationDate, mfaAuthenticated: 'false' },
      },
    };
  }
  if (principal.type === 'IAMUser') return { ...base, userName: principal.userName };
  return base;
}

/** Everything known about one finished call. */
export interface TrailCall {
  readonly ctx: RequestContext;
  readonly protocol: Protocol;
  readonly eventSource: string;
  readonly input: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly eventTime: Date;
  /** The operation's own CloudTrail shape, when AWS records it differently (see `ServiceDefinition.trailShapes`). */
  readonly shape?: TrailShaper;
}

/** Global services, whose events CloudTrail records in us-east-1 whatever Region the caller signed for. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(['organizations', 'iam', 'account', 'budgets']);

/** Builds the bus entry of a call. Global services' events are in us-east-1, as AWS delivers them. */
export function cloudTrailEntry(call: TrailCall): BusEntry {
  const { ctx, protocol } = call;
  const region = GLOBAL_SERVICES.has(ctx.service) ? 'us-east-1' : ctx.region;
  const eventTime = `${call.eventTime.toISOString().slice(0, 19)}Z`;
  const overrides = call.shape?.({ input: call.input, result: call.result, ctx }) ?? {};
  const requestParameters =
    overrides.requestParameters !== undefined ? overrides.requestParameters : toTrailShape(call.input, protocol);
  let responseElements: unknown = null;
  if (call.error === undefined) {
    const shaped = toTrailShape(call.result ?? null, protocol);
    if (overrides.responseElements !== undefined) responseElements = overrides.responseElements;
    else if (shaped && typeof shaped === 'object' && !Array.isArray(shaped)) {
      responseElements = protocol === 'ec2Query' ? { requestId: ctx.requestId, ...shaped } : shaped;
    }
  }
  const detail: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: userIdentity(ctx.principal, eventTime),
    eventTime,
    eventSource: call.eventSource,
    eventName: overrides.eventName ?? ctx.operation,
    awsRegion: region,
    sourceIPAddress: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestParameters:
      requestParameters && Object.keys(requestParameters as object).length > 0 ? requestParameters : null,
    responseElements,
    requestID: ctx.requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ctx.principal.accountId,
    eventCategory: 'Management',
  };
  if (call.error !== undefined) {
    const code = call.error instanceof AwsServiceError ? call.error.code : 'InternalFailure';
    // EC2 records its errors as Client.<Code> / Server.<Code> (Client.UnauthorizedOperation)
    detail.errorCode =
      protocol === 'ec2Query'
        ? `${call.error instanceof AwsServiceError && call.error.fault === 'Receiver' ? 'Server' : 'Client'}.${code}`
        : code;
    detail.errorMessage = call.error instanceof Error ? call.error.message : String(call.error);
  }
  return {
    source: `aws.${call.eventSource.replace(/\.amazonaws\.com$/, '')}`,
    detailType: CLOUDTRAIL_DETAIL_TYPE,
    detail,
    resources: [],
    account: ctx.principal.accountId,
    region,
    time: call.eventTime,
  };
}
