import { createHash } from 'node:crypto';
import { pageAt } from '../../core/paging';
import type { SandboxRuntime } from '../../core/types';
import {
  checkArchitectures,
  checkDeadLetter,
  checkEnvironment,
  checkLogging,
  checkRole,
  checkRuntime,
  checkTracing,
  configurationOf,
  DEFAULTS,
  intMember,
  refuseUnmodelled,
  strMember,
} from './config';
import { invalidMember, invalidParameter, preconditionFailed, requestTooLarge, resourceConflict } from './errors';
import {
  type CodeSource,
  type FunctionRecord,
  functionArn,
  functionKey,
  LATEST,
  lambdaDate,
  mustFunction,
  parseFunctionName,
  type Scope,
  saveFunction,
  scopeOf,
  seededUuid,
  TABLES,
  updateFunction,
} from './model';

/**
 * The function operations: `CreateFunction`, `GetFunction`, `GetFunctionConfiguration`,
 * `ListFunctions`, `UpdateFunctionConfiguration`, `DeleteFunction`, reserved concurrency, tags and
 * account settings. Each takes the caller's scope (account and region) and the decoded input, named
 * as the SDK names the members; CloudFormation's providers call the same functions.
 */

/** The account's concurrency limit and the unreserved part Lambda always keeps (AWS defaults). */
export const ACCOUNT_CONCURRENCY = 1000;
export const MIN_UNRESERVED_CONCURRENCY = 100;
const MAX_ZIP_BYTES = 50 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Where a function's code comes from, its CodeSha256 and CodeSize (the sandbox never fetches S3
 * objects). `inline`: `ZipFile` is source text, as CloudFormation's `Code.ZipFile` is, not a base64 zip.
 */
export function codeOf(code: unknown, inline = false): { source: CodeSource; sha256: string; size: number } {
  if (!isObject(code)) throw invalidParameter('Please provide a source for function code.');
  if (code.ImageUri !== undefined) throw invalidParameter('Please provide a source for function code.');
  if (inline && typeof code.ZipFile === 'string' && code.ZipFile !== '') {
    return {
      source: { ZipFile: true },
      sha256: createHash('sha256').update(code.ZipFile).digest('base64'),
      size: Buffer.byteLength(code.ZipFile),
    };
  }
  if (typeof code.ZipFile === 'string' && code.ZipFile !== '') {
    const bytes = Buffer.from(code.ZipFile, 'base64');
    if (bytes.length > MAX_ZIP_BYTES) {
      throw requestTooLarge(`Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes`);
    }
    // a zip archive starts with a local file header or, empty, with the end of central directory
    const magic = bytes.subarray(0, 4).toString('hex');
    if (magic !== '504b0304' && magic !== '504b0506') {
      throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
    }
    return {
      source: { ZipFile: true },
      sha256: createHash('sha256').update(bytes).digest('base64'),
      size: bytes.length,
    };
  }
  if (typeof code.S3Bucket === 'string' && typeof code.S3Key === 'string') {
    const version = typeof code.S3ObjectVersion === 'string' ? code.S3ObjectVersion : undefined;
    return {
      source: { S3Bucket: code.S3Bucket, S3Key: code.S3Key, ...(version ? { S3ObjectVersion: version } : {}) },
      sha256: createHash('sha256')
        .update(`s3://${code.S3Bucket}/${code.S3Key}${version ? `?versionId=${version}` : ''}`)
        .digest('base64'),
      size: 0,
    };
  }
  throw invalidParameter('Please provide a source for function code.');
}

/** `Tags` as Lambda takes them (a map). */
function tagsOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidMember('tags', value, 'Member must be a map');
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) tags[k] = String(v);
  if (Object.keys(tags).length > 50) throw invalidParameter('Number of tags exceeds resource tag limit.');
  return tags;
}

/** `CreateFunction`: the function's configuration (201). */
export function createFunction(
  runtime: SandboxRuntime,
  caller: Scope,
  input: Record<string, unknown>,
  options: { readonly inlineCode?: boolean } = {},
) {
  const ref = parseFunctionName(input.FunctionName, 'CreateFunction');
  const scope = scopeOf(ref, caller);
  if (input.Role === undefined) throw invalidMember('role', undefined, 'Member must not be null');
  if (input.Code === undefined) throw invalidMember('code', undefined, 'Member must not be null');
  refuseUnmodelled(input);
  const architectures = checkArchitectures(input.Architectures) ?? ['x86_64'];
  const variables = checkEnvironment(input.Environment);
  const role = checkRole(runtime, input.Role, scope.account);
  if (input.Runtime === undefined || input.Handler === undefined) {
    throw invalidParameter(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  }
  const fnRuntime = checkRuntime(input.Runtime);
  const handler = strMember(input.Handler, 'handler', 128) as string;
  const description = strMember(input.Description, 'description', 256) ?? '';
  const timeout = intMember(input.Timeout, 'timeout', 1, 900) ?? DEFAULTS.Timeout;
  const memory = intMember(input.MemorySize, 'memorySize', 128, 10240) ?? DEFAULTS.MemorySize;
  const ephemeral = intMember(
    isObject(input.EphemeralStorage) ? input.EphemeralStorage.Size : undefined,
    'ephemeralStorage.size',
    512,
    10240,
  );
  const deadLetter = checkDeadLetter(input.DeadLetterConfig);
  const tracing = checkTracing(input.TracingConfig) ?? 'PassThrough';
  const tags = tagsOf(input.Tags);
  const code = codeOf(input.Code, options.inlineCode);
  if (runtime.store.get(TABLES.functions, functionKey(scope, ref.name))) {
    throw resourceConflict(`Function already exist: ${ref.name}`);
  }
  const now = runtime.clock.now();
  const fn: FunctionRecord = {
    ...scope,
    FunctionName: ref.name,
    FunctionArn: functionArn(scope, ref.name),
    Runtime: fnRuntime,
    Role: role,
    Handler: handler,
    Description: description,
    Timeout: timeout,
    MemorySize: memory,
    ...(variables !== undefined ? { Variables: variables } : {}),
    Architectures: architectures,
    TracingMode: tracing,
    ...(deadLetter ? { DeadLetterTargetArn: deadLetter } : {}),
    LoggingConfig: checkLogging(input.LoggingConfig, { LogFormat: 'Text', LogGroup: `/aws/lambda/${ref.name}` }),
    EphemeralStorageSize: ephemeral ?? DEFAULTS.EphemeralStorageSize,
    Code: code.source,
    CodeSha256: code.sha256,
    CodeSize: code.size,
    LastModified: lambdaDate(now),
    RevisionId: seededUuid(runtime),
    Policy: [],
    Tags: tags,
  };
  if (!runtime.store.insert(TABLES.functions, functionKey(scope, ref.name), fn)) {
    throw resourceConflict(`Function already exist: ${ref.name}`);
  }
  // Lambda answers while the function is still being created; it is Active at once here
  const { State: _state, LastUpdateStatus: _update, ...config } = configurationOf(fn);
  return {
    ...config,
    State: 'Pending',
    StateReason: 'The function is being created.',
    StateReasonCode: 'Creating',
  };
}

/** `GetFunctionConfiguration`. */
export function getFunctionConfiguration(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'GetFunctionConfiguration', input.Qualifier);
  const fn = mustFunction(runtime, scopeOf(ref, caller), ref);
  return configurationOf(fn, { qualified: ref.qualifier !== undefined });
}

/** `GetFunction`: the configuration, where the code is, tags and reserved concurrency. */
export function getFunction(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'GetFunction', input.Qualifier);
  const fn = mustFunction(runtime, scopeOf(ref, caller), ref);
  return {
    Configuration: configurationOf(fn, { qualified: ref.qualifier !== undefined }),
    Code: {
      RepositoryType: 'S3',
      Location: `https://awslambda-${fn.region}-tasks.s3.${fn.region}.amazonaws.com/snapshots/${fn.account}/${fn.FunctionName}-${fn.RevisionId}`,
    },
    ...(Object.keys(fn.Tags).length > 0 ? { Tags: { ...fn.Tags } } : {}),
    ...(fn.ReservedConcurrentExecutions !== undefined
      ? { Concurrency: { ReservedConcurrentExecutions: fn.ReservedConcurrentExecutions } }
      : {}),
  };
}

/** `ListFunctions`: the caller's functions in the region, by name, `MaxItems` (1–10000, default 50) per page. */
export function listFunctions(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  if (input.FunctionVersion !== undefined && input.FunctionVersion !== 'ALL') {
    throw invalidMember('functionVersion', input.FunctionVersion, 'Member must satisfy enum value set: [ALL]');
  }
  const max = intMember(input.MaxItems, 'maxItems', 1, 10000) ?? 50;
  const all = runtime.store
    .list<FunctionRecord>(TABLES.functions, `${caller.account}/${caller.region}/`)
    .sort((a, b) => (a.FunctionName < b.FunctionName ? -1 : a.FunctionName > b.FunctionName ? 1 : 0));
  const marker = typeof input.Marker === 'string' && input.Marker !== '' ? input.Marker : undefined;
  const { page, next } = pageAt(all, marker, max, () => invalidParameter('Invalid Marker.'));
  return {
    Functions: page.map((fn) => configurationOf(fn, { list: true, qualified: input.FunctionVersion === 'ALL' })),
    ...(next ? { NextMarker: next } : {}),
  };
}

/** `UpdateFunctionConfiguration`: changes what the input names, keeps the rest. */
export function updateFunctionConfiguration(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  // the configuration is always $LATEST's: a qualifier in the name is ignored
  const ref = parseFunctionName(input.FunctionName, 'UpdateFunctionConfiguration');
  const scope = scopeOf(ref, caller);
  const fn = mustFunction(runtime, scope, { name: ref.name, bare: ref.bare });
  if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.RevisionId) {
    throw preconditionFailed(
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    );
  }
  refuseUnmodelled({ ...input, Publish: undefined });
  const mutable: Record<string, unknown> = {};
  if (input.Role !== undefined) mutable.Role = checkRole(runtime, input.Role, scope.account);
  if (input.Handler !== undefined) mutable.Handler = strMember(input.Handler, 'handler', 128);
  if (input.Runtime !== undefined) mutable.Runtime = checkRuntime(input.Runtime);
  if (input.Description !== undefined) mutable.Description = strMember(input.Description, 'description', 256);
  if (input.Timeout !== undefined) mutable.Timeout = intMember(input.Timeout, 'timeout', 1, 900);
  if (input.MemorySize !== undefined) mutable.MemorySize = intMember(input.MemorySize, 'memorySize', 128, 10240);
  if (input.Environment !== undefined) mutable.Variables = checkEnvironment(input.Environment) ?? {};
  if (input.TracingConfig !== undefined) mutable.TracingMode = checkTracing(input.TracingConfig) ?? fn.TracingMode;
  if (input.LoggingConfig !== undefined) mutable.LoggingConfig = checkLogging(input.LoggingConfig, fn.LoggingConfig);
  if (isObject(input.EphemeralStorage)) {
    mutable.EphemeralStorageSize = intMember(input.EphemeralStorage.Size, 'ephemeralStorage.size', 512, 10240);
  }
  let next: FunctionRecord = fn;
  if (input.DeadLetterConfig !== undefined) {
    const target = checkDeadLetter(input.DeadLetterConfig);
    const { DeadLetterTargetArn: _dlq, ...rest } = fn;
    next = target ? { ...rest, DeadLetterTargetArn: target } : (rest as FunctionRecord);
  }
  const updated = updateFunction(runtime, next, mutable as Partial<FunctionRecord>, { touch: true });
  // Lambda answers while the update is in progress; it has finished at once here
  return {
    ...configurationOf(updated),
    LastUpdateStatus: 'InProgress',
    LastUpdateStatusReason: 'The function is being created.',
    LastUpdateStatusReasonCode: 'Creating',
  };
}

/** `DeleteFunction` (204); a qualifier other than none is refused as Lambda refuses it. */
export function deleteFunction(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>): void {
  const ref = parseFunctionName(input.FunctionName, 'DeleteFunction', input.Qualifier);
  if (ref.qualifier === LATEST) {
    throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
  }
  const scope = scopeOf(ref, caller);
  mustFunction(runtime, scope, ref);
  runtime.store.delete(TABLES.functions, functionKey(scope, ref.name));
}

/** Points a function at new code (what `UpdateFunctionCode` does; CloudFormation's update of `Code`, `Architectures`). */
export function replaceCode(
  runtime: SandboxRuntime,
  fn: FunctionRecord,
  code: ReturnType<typeof codeOf>,
  architectures?: readonly string[],
): FunctionRecord {
  return updateFunction(
    runtime,
    fn,
    {
      Code: code.source,
      CodeSha256: code.sha256,
      CodeSize: code.size,
      ...(architectures ? { Architectures: [...architectures] } : {}),
    },
    { touch: true },
  );
}

/** The reserved concurrency of every function of the account in the region. */
function reservedTotal(runtime: SandboxRuntime, scope: Scope, except?: string): number {
  return runtime.store
    .list<FunctionRecord>(TABLES.functions, `${scope.account}/${scope.region}/`)
    .reduce((sum, fn) => sum + (fn.FunctionName === except ? 0 : (fn.ReservedConcurrentExecutions ?? 0)), 0);
}

const qualifiedRefused = () =>
  invalidParameter(
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
  );

/** `PutFunctionConcurrency`: reserves concurrency, keeping the account's unreserved minimum of 100. */
export function putFunctionConcurrency(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'PutFunctionConcurrency');
  if (ref.qualifier !== undefined) throw qualifiedRefused();
  const reserved = intMember(input.ReservedConcurrentExecutions, 'reservedConcurrentExecutions', 0);
  if (reserved === undefined) {
    throw invalidMember('reservedConcurrentExecutions', undefined, 'Member must not be null');
  }
  const scope = scopeOf(ref, caller);
  const fn = mustFunction(runtime, scope, { ...ref, qualifier: LATEST });
  if (ACCOUNT_CONCURRENCY - reservedTotal(runtime, scope, fn.FunctionName) - reserved < MIN_UNRESERVED_CONCURRENCY) {
    throw invalidParameter(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
    );
  }
  updateFunction(runtime, fn, { ReservedConcurrentExecutions: reserved });
  return { ReservedConcurrentExecutions: reserved };
}

/** `GetFunctionConcurrency`: `{}` when none is reserved. */
export function getFunctionConcurrency(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'GetFunctionConcurrency');
  const fn = mustFunction(runtime, scopeOf(ref, caller), ref);
  return fn.ReservedConcurrentExecutions !== undefined
    ? { ReservedConcurrentExecutions: fn.ReservedConcurrentExecutions }
    : {};
}

/** `DeleteFunctionConcurrency` (204). */
export function deleteFunctionConcurrency(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'DeleteFunctionConcurrency');
  if (ref.qualifier !== undefined) throw qualifiedRefused();
  const fn = mustFunction(runtime, scopeOf(ref, caller), ref);
  const { ReservedConcurrentExecutions: _reserved, ...rest } = fn;
  saveFunction(runtime, { ...(rest as FunctionRecord), RevisionId: seededUuid(runtime) });
}

/** `GetAccountSettings`: the account's limits and what its functions in the region use. */
export function getAccountSettings(runtime: SandboxRuntime, caller: Scope) {
  const functions = runtime.store.list<FunctionRecord>(TABLES.functions, `${caller.account}/${caller.region}/`);
  return {
    AccountLimit: {
      TotalCodeSize: 80530636800,
      CodeSizeUnzipped: 262144000,
      CodeSizeZipped: 52428800,
      ConcurrentExecutions: ACCOUNT_CONCURRENCY,
      UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reservedTotal(runtime, caller),
    },
    AccountUsage: {
      TotalCodeSize: functions.reduce((sum, fn) => sum + fn.CodeSize, 0),
      FunctionCount: functions.length,
    },
  };
}

/** The function a tagging call names by ARN (`Resource`), unqualified. */
function taggedFunction(runtime: SandboxRuntime, caller: Scope, resource: unknown): FunctionRecord {
  const ref = parseFunctionName(resource, 'TagResource');
  if (ref.qualifier !== undefined) {
    throw invalidParameter('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
  return mustFunction(runtime, scopeOf(ref, caller), ref);
}

/** `ListTags`. */
export function listTags(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  return { Tags: { ...taggedFunction(runtime, caller, input.Resource).Tags } };
}

/** `TagResource` (204). */
export function tagResource(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>): void {
  const fn = taggedFunction(runtime, caller, input.Resource);
  const tags = tagsOf(input.Tags);
  if (Object.keys(tags).length === 0) throw invalidParameter('An error occurred and the request cannot be processed.');
  const merged = { ...fn.Tags, ...tags };
  if (Object.keys(merged).length > 50) throw invalidParameter('Number of tags exceeds resource tag limit.');
  saveFunction(runtime, { ...fn, Tags: merged });
}

/** `UntagResource` (204). */
export function untagResource(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>): void {
  const fn = taggedFunction(runtime, caller, input.Resource);
  const keys = Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : undefined;
  if (!keys) throw invalidMember('tagKeys', undefined, 'Member must not be null');
  const tags = { ...fn.Tags };
  for (const k of keys) delete tags[k];
  saveFunction(runtime, { ...fn, Tags: tags });
}
