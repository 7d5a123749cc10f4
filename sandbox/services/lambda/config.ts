import type { SandboxRuntime } from '../../core/types';
import { authorizeTrust } from '../../policy';
import { getRole, rolePolicies } from '../iam/model';
import { invalidMember, invalidParameter, notModelled, problem, validationError } from './errors';
import { type FunctionRecord, LATEST, type LoggingConfig } from './model';

/**
 * A function's configuration: the checks `CreateFunction` and `UpdateFunctionConfiguration` make
 * (ranges, runtimes, the execution role Lambda must be able to assume, reserved environment keys, the
 * 4 KB environment limit) and the `FunctionConfiguration` shape the API returns.
 */

/** The runtimes `CreateFunction` accepts, as AWS lists them in its error. */
export const VALID_RUNTIMES =
  '[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2]';
const RUNTIMES = new Set(VALID_RUNTIMES.slice(1, -1).split(', '));
/** Runtimes Lambda no longer lets anyone create or update functions with. */
const DEPRECATED_RUNTIMES = new Set([
  'java8',
  'go1.x',
  'provided',
  'ruby2.7',
  'nodejs14.x',
  'python3.7',
  'dotnetcore3.1',
  'nodejs12.x',
]);

/** Variables Lambda sets itself ("Defined runtime environment variables"): a function cannot set them. */
export const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::(\d{12}):role\/?([a-zA-Z_0-9+=,.@\-_/]+)$/;
const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const ENVIRONMENT_LIMIT = 4096;

export const DEFAULTS = { Timeout: 3, MemorySize: 128, EphemeralStorageSize: 512 } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An integer member in `[min, max]`, or the Coral validation error. */
export function intMember(value: unknown, member: string, min: number, max?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw invalidMember(member, value, 'Member must be an integer');
  if (n < min) throw invalidMember(member, n, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && n > max)
    throw invalidMember(member, n, `Member must have value less than or equal to ${max}`);
  return n;
}

/** A string member, or undefined. */
export function strMember(value: unknown, member: string, max?: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidMember(member, value, 'Member must be a string');
  if (max !== undefined && value.length > max) {
    throw invalidMember(member, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

export function checkRuntime(runtime: unknown): string {
  if (typeof runtime === 'string' && DEPRECATED_RUNTIMES.has(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  if (typeof runtime !== 'string' || !RUNTIMES.has(runtime)) {
    throw invalidParameter(
      `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ${VALID_RUNTIMES} or be a valid ARN`,
    );
  }
  return runtime;
}

export function checkArchitectures(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  if (list.length !== 1) {
    throw validationError([problem('architectures', list, 'Member must have length less than or equal to 1')]);
  }
  if (list[0] !== 'x86_64' && list[0] !== 'arm64') {
    throw validationError([
      problem(
        'architectures',
        list,
        'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]',
      ),
    ]);
  }
  return list;
}

/**
 * The execution role: an IAM role ARN (else `ValidationException`) of a role in the function's own
 * account whose trust policy lets `lambda.amazonaws.com` assume it (else "The role defined for the
 * function cannot be assumed by Lambda.").
 */
export function checkRole(runtime: SandboxRuntime, value: unknown, account: string): string {
  const role = typeof value === 'string' ? value : '';
  const m = ROLE_ARN.exec(role);
  if (!m) throw invalidMember('role', value, `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`);
  const roleName = (m[3] as string).split('/').pop() as string;
  const cannot = invalidParameter('The role defined for the function cannot be assumed by Lambda.');
  if (m[2] !== account || !getRole(runtime.store, account, roleName)) throw cannot;
  const policies = rolePolicies(runtime.store, account, roleName);
  if (!policies) throw cannot;
  const decision = authorizeTrust(
    policies.trust,
    { scpLevels: [], identity: [] },
    {
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${account}:role/${roleName}`,
      principal: { arn: 'lambda.amazonaws.com', accountId: '', service: 'lambda.amazonaws.com' },
      context: {},
    },
  );
  if (!decision.allowed) throw cannot;
  return role;
}

/** `Environment.Variables`: no reserved key, at most 4 KB as JSON. */
export function checkEnvironment(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidMember('environment', value, 'Member must be a structure');
  const raw = value.Variables ?? {};
  if (!isObject(raw)) throw invalidMember('environment.variables', raw, 'Member must be a map');
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) variables[k] = String(v);
  const reserved = Object.keys(variables).filter((k) => RESERVED_VARIABLES.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > ENVIRONMENT_LIMIT) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  return variables;
}

/** `DeadLetterConfig.TargetArn`: an SQS queue or SNS topic (empty removes it). */
export function checkDeadLetter(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidMember('deadLetterConfig', value, 'Member must be a structure');
  const target = value.TargetArn;
  if (target === undefined || target === null || target === '') return null;
  if (typeof target !== 'string' || !/^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[^:]+$/.test(target)) {
    throw invalidMember(
      'deadLetterConfig.targetArn',
      target,
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()',
    );
  }
  return target;
}

export function checkTracing(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const mode = isObject(value) ? value.Mode : undefined;
  if (mode === undefined) return undefined;
  if (mode !== 'Active' && mode !== 'PassThrough') {
    throw invalidMember('tracingConfig.mode', mode, 'Member must satisfy enum value set: [Active, PassThrough]');
  }
  return mode;
}

/** `LoggingConfig`, merged over the current one (switching to JSON sets the levels to INFO, as Lambda does). */
export function checkLogging(value: unknown, current: LoggingConfig): LoggingConfig {
  if (value === undefined || value === null) return current;
  if (!isObject(value)) throw invalidMember('loggingConfig', value, 'Member must be a structure');
  const format = value.LogFormat ?? current.LogFormat;
  if (format !== 'Text' && format !== 'JSON') {
    throw invalidMember('loggingConfig.logFormat', format, 'Member must satisfy enum value set: [JSON, Text]');
  }
  const group = strMember(value.LogGroup, 'loggingConfig.logGroup', 512) ?? current.LogGroup;
  if (format === 'Text') return { LogFormat: 'Text', LogGroup: group };
  return {
    LogFormat: 'JSON',
    LogGroup: group,
    ApplicationLogLevel: String(value.ApplicationLogLevel ?? current.ApplicationLogLevel ?? 'INFO'),
    SystemLogLevel: String(value.SystemLogLevel ?? current.SystemLogLevel ?? 'INFO'),
  };
}

/** Features the sandbox does not model: a request that uses them is refused, never half-applied. */
export function refuseUnmodelled(input: Record<string, unknown>): void {
  const nonEmpty = (v: unknown): boolean =>
    v !== undefined && v !== null && (!Array.isArray(v) || v.length > 0) && (!isObject(v) || Object.keys(v).length > 0);
  const vpc = isObject(input.VpcConfig)
    ? [...((input.VpcConfig.SubnetIds as unknown[]) ?? []), ...((input.VpcConfig.SecurityGroupIds as unknown[]) ?? [])]
    : [];
  if (vpc.length > 0) throw notModelled('VpcConfig (functions in a VPC)');
  if (nonEmpty(input.Layers)) throw notModelled('Layers');
  if (nonEmpty(input.FileSystemConfigs)) throw notModelled('FileSystemConfigs');
  if (nonEmpty(input.ImageConfig) || input.PackageType === 'Image') throw notModelled('PackageType Image');
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') {
    throw invalidMember('packageType', input.PackageType, 'Member must satisfy enum value set: [Image, Zip]');
  }
  if (nonEmpty(input.KMSKeyArn)) throw notModelled('KMSKeyArn');
  if (nonEmpty(input.CodeSigningConfigArn)) throw notModelled('CodeSigningConfigArn');
  if (input.Publish === true) throw notModelled('Publish (function versions)');
  const snap = isObject(input.SnapStart) ? input.SnapStart.ApplyOn : undefined;
  if (snap !== undefined && snap !== 'None') throw notModelled('SnapStart');
  if (nonEmpty(input.CapacityProviderConfig)) throw notModelled('CapacityProviderConfig');
}

/**
 * The `FunctionConfiguration` of a function, as `GetFunctionConfiguration` returns it (`list`: as
 * `ListFunctions` lists it, without state fields).
 */
export function configurationOf(fn: FunctionRecord, options: { qualified?: boolean; list?: boolean } = {}) {
  return {
    FunctionName: fn.FunctionName,
    FunctionArn: options.qualified ? `${fn.FunctionArn}:${LATEST}` : fn.FunctionArn,
    Runtime: fn.Runtime,
    Role: fn.Role,
    Handler: fn.Handler,
    CodeSize: fn.CodeSize,
    Description: fn.Description,
    Timeout: fn.Timeout,
    MemorySize: fn.MemorySize,
    LastModified: fn.LastModified,
    CodeSha256: fn.CodeSha256,
    Version: LATEST,
    ...(fn.Variables !== undefined ? { Environment: { Variables: { ...fn.Variables } } } : {}),
    ...(fn.DeadLetterTargetArn ? { DeadLetterConfig: { TargetArn: fn.DeadLetterTargetArn } } : {}),
    TracingConfig: { Mode: fn.TracingMode },
    RevisionId: fn.RevisionId,
    PackageType: 'Zip',
    Architectures: [...fn.Architectures],
    EphemeralStorage: { Size: fn.EphemeralStorageSize },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { ...fn.LoggingConfig },
    ...(options.list
      ? {}
      : {
          RuntimeVersionConfig: {
            RuntimeVersionArn: `arn:aws:lambda:${fn.region}::runtime:${runtimeVersionId(fn.Runtime)}`,
          },
          State: 'Active',
          LastUpdateStatus: 'Successful',
        }),
  };
}

/** A stable 64-hex runtime version id per runtime (AWS's identifies the runtime image). */
function runtimeVersionId(runtime: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (const c of `${runtime}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}
