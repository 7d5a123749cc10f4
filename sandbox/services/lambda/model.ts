import type { SandboxRuntime } from '../../core/types';
import { functionNotFound, invalidMember, invalidParameter, resourceNotFound, validationError } from './errors';

/**
 * The persisted shapes of the sandbox's Lambda: functions (configuration, resource policy, reserved
 * concurrency, asynchronous invocation settings and tags in one document per function), the
 * asynchronous invocation queue and its outcomes. Every function belongs to one account and region:
 * store ids start with `<account>/<region>/`, ARNs say the same. Only `$LATEST` exists (no versions
 * or aliases).
 */

export const TABLES = {
  /** `<account>/<region>/<function name>` → {@link FunctionRecord}. */
  functions: 'lambda.functions',
  /** Accepted asynchronous invocations not yet finished, resumed after a restart. */
  queue: 'lambda.async-queue',
  /** Finished asynchronous invocations (the last {@link KEEP_ASYNC_OUTCOMES}). */
  outcomes: 'lambda.async-outcomes',
} as const;

export const KEEP_ASYNC_OUTCOMES = 1000;

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface LoggingConfig {
  readonly LogFormat: 'Text' | 'JSON';
  readonly LogGroup: string;
  readonly ApplicationLogLevel?: string;
  readonly SystemLogLevel?: string;
}

/** `PutFunctionEventInvokeConfig` of `$LATEST`. */
export interface EventInvokeConfigRecord {
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
  readonly OnSuccess?: string;
  readonly OnFailure?: string;
  /** Epoch ms. */
  readonly LastModified: number;
}

/** One statement of a function's resource policy, as Lambda stores it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: string | Readonly<Record<string, string>>;
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Where the function's code came from (the sandbox runs project modules: see `code.ts`). */
export interface CodeSource {
  readonly S3Bucket?: string;
  readonly S3Key?: string;
  readonly S3ObjectVersion?: string;
  readonly ZipFile?: boolean;
}

export interface FunctionRecord extends Scope {
  readonly FunctionName: string;
  /** Unqualified. */
  readonly FunctionArn: string;
  readonly Runtime: string;
  readonly Role: string;
  readonly Handler: string;
  readonly Description: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  /** `Environment.Variables`; absent when the function has no `Environment`. */
  readonly Variables?: Readonly<Record<string, string>>;
  readonly Architectures: readonly string[];
  readonly TracingMode: string;
  readonly DeadLetterTargetArn?: string;
  readonly LoggingConfig: LoggingConfig;
  readonly EphemeralStorageSize: number;
  readonly Code: CodeSource;
  readonly CodeSha256: string;
  readonly CodeSize: number;
  /** Lambda's date format, `2026-01-01T12:00:00.000+0000`. */
  readonly LastModified: string;
  readonly RevisionId: string;
  readonly ReservedConcurrentExecutions?: number;
  readonly Policy: readonly PolicyStatement[];
  readonly EventInvokeConfig?: EventInvokeConfigRecord;
  readonly Tags: Readonly<Record<string, string>>;
}

export const LATEST = '$LATEST';

export const functionKey = (scope: Scope, name: string): string => `${scope.account}/${scope.region}/${name}`;

export const functionArn = (scope: Scope, name: string): string =>
  `arn:aws:lambda:${scope.region}:${scope.account}:function:${name}`;

/** Lambda's `LastModified` format: `2026-01-01T12:00:00.000+0000`. */
export const lambdaDate = (date: Date): string => date.toISOString().replace('Z', '+0000');

/** A version-4 UUID from the sandbox's seeded generator. */
export function seededUuid(runtime: SandboxRuntime): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += '0123456789abcdef'[Math.floor(runtime.random() * 16)];
  const h = hex.split('');
  h[12] = '4';
  h[16] = '89ab'[Math.floor(runtime.random() * 4)] as string;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function getFunctionRecord(runtime: SandboxRuntime, scope: Scope, name: string): FunctionRecord | undefined {
  return runtime.store.get<FunctionRecord>(TABLES.functions, functionKey(scope, name));
}

export function saveFunction(runtime: SandboxRuntime, fn: FunctionRecord): FunctionRecord {
  runtime.store.put(TABLES.functions, functionKey(fn, fn.FunctionName), fn);
  return fn;
}

/** A write to a function: stored with a new `RevisionId` (every change of configuration or policy makes one). */
export function updateFunction(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  change: Partial<FunctionRecord>,
  options: { readonly touch?: boolean } = {},
): FunctionRecord {
  return saveFunction(runtime, {
    ...fn,
    ...change,
    RevisionId: seededUuid(runtime),
    ...(options.touch ? { LastModified: lambdaDate(runtime.clock.now()) } : {}),
  });
}

// ---- function names and ARNs ----------------------------------------------------------------

/** What a `FunctionName` (name, partial or full ARN, with or without a qualifier) names. */
export interface FunctionRef {
  readonly name: string;
  readonly qualifier?: string;
  readonly account?: string;
  readonly region?: string;
  /** The value named only a function (no ARN parts, no qualifier). */
  readonly bare: boolean;
}

const NAME_PARTS =
  /^(?:arn:aws[a-zA-Z-]*:lambda:)?(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/;

/** The pattern AWS quotes for a name in `GetFunction` and `Invoke`. */
export const NAME_PATTERN_GET =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
/** The pattern AWS quotes for a name in `CreateFunction` and the other operations. */
export const NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const QUALIFIER = /^(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_$]+)$/;
const QUALIFIER_PATTERN = '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+';

/**
 * Parses and validates a `FunctionName` as `operation` does (its pattern and length limits; a plain
 * name is at most 64 characters, an ARN 140, 170 for `GetFunction`/`Invoke`), with the `Qualifier`
 * parameter when the operation has one (a qualifier in the name must then be the same).
 */
export function parseFunctionName(value: unknown, operation: string, qualifier?: unknown): FunctionRef {
  if (typeof value !== 'string' || value === '') {
    throw invalidMember('functionName', undefined, 'Member must not be null');
  }
  const get = operation === 'GetFunction' || operation === 'Invoke';
  const m = NAME_PARTS.exec(value);
  const problems: string[] = [];
  const nameOnly = m !== null && m[1] === undefined && m[2] === undefined && m[4] === undefined && !value.includes(':');
  if (!m || (!get && /\./.test(m[3] ?? ''))) {
    problems.push(
      `Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${get ? NAME_PATTERN_GET : NAME_PATTERN}`,
    );
  }
  const max = get ? 170 : operation === 'CreateFunction' && nameOnly ? 64 : 140;
  if (value.length > max) {
    problems.push(
      `Value '${value}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  if (typeof qualifier === 'string' && qualifier !== '') {
    if (qualifier.length > 128) {
      problems.push(
        `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`,
      );
    }
    if (!QUALIFIER.test(qualifier)) {
      problems.push(
        `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
      );
    }
  }
  if (problems.length > 0) {
    // a plain name that CreateFunction refuses is InvalidParameterValueException, as AWS answers it
    if (operation === 'CreateFunction' && nameOnly) throw invalidParameter(validationError(problems).message);
    throw validationError(problems);
  }
  const parts = m as RegExpExecArray;
  const inName = parts[4];
  const given = typeof qualifier === 'string' && qualifier !== '' ? qualifier : undefined;
  if (given && inName && given !== inName) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = given ?? inName;
  return {
    name: parts[3] as string,
    ...(q ? { qualifier: q } : {}),
    ...(parts[2] ? { account: parts[2] } : {}),
    ...(parts[1] ? { region: parts[1] } : {}),
    bare: nameOnly,
  };
}

/**
 * The account and region of a named function for a caller: the ARN's account (another account's
 * function is reached through its resource policy), the request's region (a function of another
 * region is `ResourceNotFoundException`, as Lambda answers).
 */
export function scopeOf(ref: FunctionRef, caller: Scope): Scope {
  if (ref.region && ref.region !== caller.region) {
    throw resourceNotFound(`Functions from '${ref.region}' are not reachable in this region ('${caller.region}')`);
  }
  return { account: ref.account ?? caller.account, region: caller.region };
}

/** The ARN of a reference in its scope, qualified when it is. */
export const refArn = (scope: Scope, ref: FunctionRef): string =>
  `${functionArn(scope, ref.name)}${ref.qualifier ? `:${ref.qualifier}` : ''}`;

/**
 * The function a reference names, or `Function not found: <arn>` (404). Only `$LATEST` exists: any
 * other qualifier names a version or alias the sandbox never has.
 */
export function mustFunction(runtime: SandboxRuntime, scope: Scope, ref: FunctionRef): FunctionRecord {
  const fn = getFunctionRecord(runtime, scope, ref.name);
  if (!fn || (ref.qualifier !== undefined && ref.qualifier !== LATEST)) throw functionNotFound(refArn(scope, ref));
  return fn;
}

/** The scope and name of a full function ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function parseFunctionArn(
  arn: string,
): (Scope & { readonly name: string; readonly qualifier?: string }) | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([^:]+))?$/.exec(arn);
  if (!m) return undefined;
  return {
    region: m[1] as string,
    account: m[2] as string,
    name: m[3] as string,
    ...(m[4] ? { qualifier: m[4] } : {}),
  };
}
