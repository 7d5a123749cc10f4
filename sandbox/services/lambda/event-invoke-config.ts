import { pageAt } from '../../core/paging';
import type { SandboxRuntime } from '../../core/types';
import { intMember } from './config';
import { invalidMember, invalidParameter, resourceNotFound } from './errors';
import { roleDenial } from './execution-role';
import {
  type EventInvokeConfigRecord,
  type FunctionRecord,
  functionArn,
  getFunctionRecord,
  LATEST,
  parseFunctionArn,
  parseFunctionName,
  type Scope,
  saveFunction,
  scopeOf,
} from './model';

/**
 * Asynchronous invocation settings of `$LATEST`: `Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s)`.
 * `MaximumRetryAttempts` 0–2 (default 2), `MaximumEventAgeInSeconds` 60–21600 (default 21600), and
 * destinations on success and on failure: an SQS queue, an SNS topic, an EventBridge bus or another
 * function. Lambda checks that the execution role may send to a destination ("The destination ARN …
 * is invalid." otherwise).
 */

export const DEFAULT_RETRY_ATTEMPTS = 2;
export const DEFAULT_EVENT_AGE_SECONDS = 21600;

const DESTINATION =
  /^$|^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const DESTINATION_PATTERN =
  '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';

/** The action the execution role needs to deliver to a destination, by the destination ARN's service. */
export function destinationAction(arn: string): string | undefined {
  const service = arn.split(':')[2];
  return {
    sqs: 'sqs:SendMessage',
    sns: 'sns:Publish',
    events: 'events:PutEvents',
    lambda: 'lambda:InvokeFunction',
  }[service ?? ''];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function destinationOf(config: Record<string, unknown>, key: 'OnSuccess' | 'OnFailure'): string | undefined {
  const block = config[key];
  if (block === undefined || block === null) return undefined;
  const value = isObject(block) ? block.Destination : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  const member = `destinationConfig.${key === 'OnSuccess' ? 'onSuccess' : 'onFailure'}.destination`;
  if (typeof value !== 'string' || !DESTINATION.test(value) || value.length > 350) {
    throw invalidMember(member, value, `Member must satisfy regular expression pattern: ${DESTINATION_PATTERN}`);
  }
  return value;
}

/** Checks a `DestinationConfig` for a function, as Lambda does before storing it. */
function checkDestinations(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  config: unknown,
): { OnSuccess?: string; OnFailure?: string } {
  if (config === undefined || config === null) return {};
  if (!isObject(config)) throw invalidMember('destinationConfig', config, 'Member must be a structure');
  const onSuccess = destinationOf(config, 'OnSuccess');
  const onFailure = destinationOf(config, 'OnFailure');
  for (const arn of [onSuccess, onFailure]) {
    if (arn === undefined) continue;
    const action = destinationAction(arn);
    if (!action) {
      const part = (k: string, v: string | undefined) => (v ? `${k}(destination=${v})` : 'null');
      throw invalidParameter(
        `The provided destination config DestinationConfig(onSuccess=${part('OnSuccess', onSuccess)}, onFailure=${part('OnFailure', onFailure)}) is invalid.`,
      );
    }
    if (action === 'lambda:InvokeFunction') {
      const target = parseFunctionArn(arn);
      if (!target || !getFunctionRecord(runtime, target, target.name)) {
        throw invalidParameter(`The destination ARN ${arn} is invalid.`);
      }
      if (target.name === fn.FunctionName && target.account === fn.account && target.region === fn.region) {
        throw invalidParameter("You can't specify the function as a destination for itself.");
      }
    }
    const region = arn.split(':')[3] || fn.region;
    if (roleDenial(runtime, fn, action, arn, { region }))
      throw invalidParameter(`The destination ARN ${arn} is invalid.`);
  }
  return { ...(onSuccess ? { OnSuccess: onSuccess } : {}), ...(onFailure ? { OnFailure: onFailure } : {}) };
}

/** The API shape of a function's settings. */
export function eventInvokeConfigOf(fn: FunctionRecord, config: EventInvokeConfigRecord) {
  return {
    LastModified: config.LastModified / 1000,
    FunctionArn: `${fn.FunctionArn}:${LATEST}`,
    ...(config.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: config.MaximumRetryAttempts } : {}),
    ...(config.MaximumEventAgeInSeconds !== undefined
      ? { MaximumEventAgeInSeconds: config.MaximumEventAgeInSeconds }
      : {}),
    DestinationConfig: {
      OnSuccess: config.OnSuccess ? { Destination: config.OnSuccess } : {},
      OnFailure: config.OnFailure ? { Destination: config.OnFailure } : {},
    },
  };
}

/** The function a Put/Update names (`The function doesn't exist.` otherwise, or for a version or alias). */
function targetFunction(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>, operation: string) {
  const ref = parseFunctionName(input.FunctionName, operation, input.Qualifier);
  const scope = scopeOf(ref, caller);
  const fn = getFunctionRecord(runtime, scope, ref.name);
  if (!fn || (ref.qualifier !== undefined && ref.qualifier !== LATEST)) {
    throw resourceNotFound("The function doesn't exist.");
  }
  return fn;
}

/** The function and its settings a Get/Delete names (`… doesn't have an EventInvokeConfig` otherwise). */
function configured(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>, operation: string) {
  const ref = parseFunctionName(input.FunctionName, operation, input.Qualifier);
  const scope = scopeOf(ref, caller);
  const fn = getFunctionRecord(runtime, scope, ref.name);
  const qualifier = ref.qualifier ?? LATEST;
  if (!fn || qualifier !== LATEST || !fn.EventInvokeConfig) {
    throw resourceNotFound(
      `The function ${functionArn(scope, ref.name)}:${qualifier} doesn't have an EventInvokeConfig`,
    );
  }
  return { fn, config: fn.EventInvokeConfig };
}

function settings(input: Record<string, unknown>) {
  if (
    input.MaximumRetryAttempts === undefined &&
    input.MaximumEventAgeInSeconds === undefined &&
    input.DestinationConfig === undefined
  ) {
    throw invalidParameter('You must specify at least one of error handling or destination setting.');
  }
  return {
    retries: intMember(input.MaximumRetryAttempts, 'maximumRetryAttempts', 0, 2),
    age: intMember(input.MaximumEventAgeInSeconds, 'maximumEventAgeInSeconds', 60, 21600),
  };
}

/** `PutFunctionEventInvokeConfig`: replaces the settings. */
export function putFunctionEventInvokeConfig(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const { retries, age } = settings(input);
  const fn = targetFunction(runtime, caller, input, 'PutFunctionEventInvokeConfig');
  const destinations = checkDestinations(runtime, fn, input.DestinationConfig);
  const config: EventInvokeConfigRecord = {
    ...(retries !== undefined ? { MaximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
    ...destinations,
    LastModified: runtime.clock.nowMs(),
  };
  saveFunction(runtime, { ...fn, EventInvokeConfig: config });
  return eventInvokeConfigOf(fn, config);
}

/** `UpdateFunctionEventInvokeConfig`: changes what the input names. */
export function updateFunctionEventInvokeConfig(
  runtime: SandboxRuntime,
  caller: Scope,
  input: Record<string, unknown>,
) {
  const { retries, age } = settings(input);
  const fn = targetFunction(runtime, caller, input, 'UpdateFunctionEventInvokeConfig');
  const current = fn.EventInvokeConfig;
  if (!current) {
    throw resourceNotFound(`The function ${fn.FunctionArn}:${LATEST} doesn't have an EventInvokeConfig`);
  }
  const { OnSuccess: _s, OnFailure: _f, ...kept } = current;
  const destinations =
    input.DestinationConfig !== undefined
      ? checkDestinations(runtime, fn, input.DestinationConfig)
      : {
          ...(current.OnSuccess ? { OnSuccess: current.OnSuccess } : {}),
          ...(current.OnFailure ? { OnFailure: current.OnFailure } : {}),
        };
  const config: EventInvokeConfigRecord = {
    ...kept,
    ...(retries !== undefined ? { MaximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
    ...destinations,
    LastModified: runtime.clock.nowMs(),
  };
  saveFunction(runtime, { ...fn, EventInvokeConfig: config });
  return eventInvokeConfigOf(fn, config);
}

/** `GetFunctionEventInvokeConfig`. */
export function getFunctionEventInvokeConfig(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const { fn, config } = configured(runtime, caller, input, 'GetFunctionEventInvokeConfig');
  return eventInvokeConfigOf(fn, config);
}

/** `DeleteFunctionEventInvokeConfig` (204). */
export function deleteFunctionEventInvokeConfig(
  runtime: SandboxRuntime,
  caller: Scope,
  input: Record<string, unknown>,
): void {
  const { fn } = configured(runtime, caller, input, 'DeleteFunctionEventInvokeConfig');
  const { EventInvokeConfig: _config, ...rest } = fn;
  saveFunction(runtime, rest as FunctionRecord);
}

/** `ListFunctionEventInvokeConfigs`: at most the one of `$LATEST`. */
export function listFunctionEventInvokeConfigs(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'ListFunctionEventInvokeConfigs');
  const fn = getFunctionRecord(runtime, scopeOf(ref, caller), ref.name);
  if (!fn) throw resourceNotFound("The function doesn't exist.");
  const max = intMember(input.MaxItems, 'maxItems', 1, 50) ?? 50;
  const all = fn.EventInvokeConfig ? [eventInvokeConfigOf(fn, fn.EventInvokeConfig)] : [];
  const marker = typeof input.Marker === 'string' && input.Marker !== '' ? input.Marker : undefined;
  const { page, next } = pageAt(all, marker, max, () => invalidParameter('Invalid Marker.'));
  return { FunctionEventInvokeConfigs: page, ...(next ? { NextMarker: next } : {}) };
}
