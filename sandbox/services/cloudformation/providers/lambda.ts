import { createHash } from 'node:crypto';
import { AwsServiceError } from '../../../core/types';
import { checkArchitectures } from '../../lambda/config';
import { deleteFunctionEventInvokeConfig, putFunctionEventInvokeConfig } from '../../lambda/event-invoke-config';
import {
  codeOf,
  createFunction,
  deleteFunction,
  deleteFunctionConcurrency,
  putFunctionConcurrency,
  replaceCode,
  updateFunctionConfiguration,
} from '../../lambda/functions';
import { getFunctionRecord, type Scope, saveFunction } from '../../lambda/model';
import { addPermission, removePermission } from '../../lambda/permissions';
import {
  type CreatedResource,
  generatedName,
  type ResourceContext,
  type ResourceProvider,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::Lambda::Function`, `AWS::Lambda::Permission` and `AWS::Lambda::EventInvokeConfig`, made with
 * the Lambda API's own functions (so the template gets the API's checks: the execution role must
 * exist and trust Lambda, runtimes, ranges, reserved environment keys). Ref and Fn::GetAtt as
 * CloudFormation documents them: a function's Ref is its name and `Arn` its ARN; a permission's Ref is
 * `<FunctionName>|<Id>` (its primary identifier) and `Id` the statement id; an invoke config's Ref is
 * `<FunctionName>|<Qualifier>`. Which code a function runs: see `sandbox/services/lambda/code.ts`
 * (the hub's `vendguard-<name>` functions run the manifest's handlers).
 */

const scopeOf = (ctx: ResourceContext): Scope => ({ account: ctx.account, region: ctx.region });

/** Tags as Lambda takes them: the template's and CloudFormation's own. */
const tagMap = (ctx: ResourceContext, own: unknown): Record<string, string> =>
  Object.fromEntries(stackTags(ctx, own).map((t) => [t.Key, t.Value]));

const isCode = (code: unknown): code is Record<string, unknown> => typeof code === 'object' && code !== null;

/** The API input of a function's configuration from the template's properties. */
function configuration(props: Record<string, unknown>): Record<string, unknown> {
  const pick = [
    'Role',
    'Runtime',
    'Handler',
    'Description',
    'Timeout',
    'MemorySize',
    'TracingConfig',
    'LoggingConfig',
    'EphemeralStorage',
    'DeadLetterConfig',
    'PackageType',
  ];
  return Object.fromEntries(pick.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

function reserve(ctx: ResourceContext, name: string, props: Record<string, unknown>): void {
  const scope = scopeOf(ctx);
  if (props.ReservedConcurrentExecutions !== undefined && props.ReservedConcurrentExecutions !== null) {
    putFunctionConcurrency(ctx.runtime, scope, {
      FunctionName: name,
      ReservedConcurrentExecutions: Number(props.ReservedConcurrentExecutions),
    });
  } else if (getFunctionRecord(ctx.runtime, scope, name)?.ReservedConcurrentExecutions !== undefined) {
    deleteFunctionConcurrency(ctx.runtime, scope, { FunctionName: name });
  }
}

function created(ctx: ResourceContext, name: string): CreatedResource {
  const fn = getFunctionRecord(ctx.runtime, scopeOf(ctx), name);
  return { physicalId: name, attributes: { Arn: fn?.FunctionArn ?? '' } };
}

const notFound = (error: unknown): boolean =>
  error instanceof AwsServiceError && error.code === 'ResourceNotFoundException';

export const functionProvider: ResourceProvider = {
  type: 'AWS::Lambda::Function',
  properties: [
    'Architectures',
    'Code',
    'DeadLetterConfig',
    'Description',
    'Environment',
    'EphemeralStorage',
    'FunctionName',
    'Handler',
    'LoggingConfig',
    'MemorySize',
    'PackageType',
    'ReservedConcurrentExecutions',
    'Role',
    'Runtime',
    'Tags',
    'Timeout',
    'TracingConfig',
  ],
  required: ['Code', 'Role'],
  create(ctx, props) {
    const name = str(props, 'FunctionName') ?? generatedName(ctx, 64);
    createFunction(
      ctx.runtime,
      scopeOf(ctx),
      {
        ...configuration(props),
        FunctionName: name,
        Code: props.Code,
        ...(props.Environment !== undefined ? { Environment: props.Environment } : {}),
        ...(props.Architectures !== undefined ? { Architectures: props.Architectures } : {}),
        Tags: tagMap(ctx, props.Tags),
      },
      { inlineCode: true },
    );
    try {
      reserve(ctx, name, props);
    } catch (error) {
      deleteFunction(ctx.runtime, scopeOf(ctx), { FunctionName: name });
      throw error;
    }
    return created(ctx, name);
  },
  update(ctx, physicalId, props, previous) {
    // a new name is a new function: CloudFormation replaces it
    if ((str(props, 'FunctionName') ?? physicalId) !== physicalId) return undefined;
    const scope = scopeOf(ctx);
    const unchanged = (k: string) => JSON.stringify(props[k]) === JSON.stringify(previous[k]);
    updateFunctionConfiguration(ctx.runtime, scope, {
      ...configuration(props),
      FunctionName: physicalId,
      Environment: props.Environment ?? { Variables: {} },
      ...(props.DeadLetterConfig === undefined && previous.DeadLetterConfig !== undefined
        ? { DeadLetterConfig: {} }
        : {}),
    });
    if (!unchanged('Code') || !unchanged('Architectures')) {
      const fn = getFunctionRecord(ctx.runtime, scope, physicalId);
      if (fn && isCode(props.Code)) {
        replaceCode(ctx.runtime, fn, codeOf(props.Code, true), checkArchitectures(props.Architectures) ?? ['x86_64']);
      }
    }
    reserve(ctx, physicalId, props);
    const fn = getFunctionRecord(ctx.runtime, scope, physicalId);
    if (fn) saveFunction(ctx.runtime, { ...fn, Tags: tagMap(ctx, props.Tags) });
    return created(ctx, physicalId);
  },
  delete(ctx, physicalId) {
    try {
      deleteFunction(ctx.runtime, scopeOf(ctx), { FunctionName: physicalId });
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  },
};

/**
 * The statement id CloudFormation gives a permission: `<stack>-<logical id>-<suffix>` (at most 100
 * characters), the suffix derived from the stack, the resource and its properties, so a replacement
 * (every property is create-only) never collides with the statement it replaces.
 */
function permissionId(ctx: ResourceContext, props: Record<string, unknown>): string {
  const suffix = createHash('sha256')
    .update(`${ctx.stackId}/${ctx.logicalId}/${JSON.stringify(props)}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9-_]/g, '');
  return `${clean(ctx.stackName).slice(0, 30)}-${clean(ctx.logicalId).slice(0, 55)}-${suffix}`;
}

/** `<FunctionName>|<Id>` → its parts (the function name may be an ARN, which holds no `|`). */
function splitId(physicalId: string): { functionName: string; id: string } {
  const at = physicalId.lastIndexOf('|');
  return { functionName: physicalId.slice(0, at), id: physicalId.slice(at + 1) };
}

const PERMISSION_PROPERTIES = [
  'Action',
  'EventSourceToken',
  'FunctionName',
  'FunctionUrlAuthType',
  'Principal',
  'PrincipalOrgID',
  'SourceAccount',
  'SourceArn',
];

export const permissionProvider: ResourceProvider = {
  type: 'AWS::Lambda::Permission',
  properties: PERMISSION_PROPERTIES,
  required: ['Action', 'FunctionName', 'Principal'],
  create(ctx, props) {
    const id = permissionId(ctx, props);
    const input = Object.fromEntries(
      PERMISSION_PROPERTIES.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]),
    );
    addPermission(ctx.runtime, scopeOf(ctx), { ...input, StatementId: id });
    return { physicalId: `${String(props.FunctionName)}|${id}`, attributes: { Id: id } };
  },
  // every property is create-only: any change replaces the permission
  update: () => undefined,
  delete(ctx, physicalId) {
    const { functionName, id } = splitId(physicalId);
    try {
      removePermission(ctx.runtime, scopeOf(ctx), { FunctionName: functionName, StatementId: id });
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  },
};

const INVOKE_CONFIG_PROPERTIES = [
  'DestinationConfig',
  'FunctionName',
  'MaximumEventAgeInSeconds',
  'MaximumRetryAttempts',
  'Qualifier',
];

function putInvokeConfig(ctx: ResourceContext, props: Record<string, unknown>): CreatedResource {
  const input = Object.fromEntries(
    INVOKE_CONFIG_PROPERTIES.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]),
  );
  putFunctionEventInvokeConfig(ctx.runtime, scopeOf(ctx), input);
  return { physicalId: `${String(props.FunctionName)}|${String(props.Qualifier)}` };
}

export const eventInvokeConfigProvider: ResourceProvider = {
  type: 'AWS::Lambda::EventInvokeConfig',
  properties: INVOKE_CONFIG_PROPERTIES,
  required: ['FunctionName', 'Qualifier'],
  create: putInvokeConfig,
  update(ctx, physicalId, props) {
    if (`${String(props.FunctionName)}|${String(props.Qualifier)}` !== physicalId) return undefined;
    return putInvokeConfig(ctx, props);
  },
  delete(ctx, physicalId) {
    const { functionName, id: qualifier } = splitId(physicalId);
    try {
      deleteFunctionEventInvokeConfig(ctx.runtime, scopeOf(ctx), { FunctionName: functionName, Qualifier: qualifier });
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  },
};

/** The Lambda resource types. */
export const lambdaProviders: readonly ResourceProvider[] = [
  functionProvider,
  permissionProvider,
  eventInvokeConfigProvider,
];
