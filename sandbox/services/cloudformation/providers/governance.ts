import type { OperationHandler } from '../../../core/types';
import { AwsServiceError } from '../../../core/types';
import { organizationsOperations } from '../../organizations';
import { StackSetEngine } from '../engine';
import { stackSetOperations } from '../operations';
import { type ResourceContext, ResourceFailure, type ResourceProvider, serviceContext, str } from '../resources';

/**
 * The governance stack's types: `AWS::CloudFormation::StackSet` (created with `CreateStackSet`,
 * updated with `UpdateStackSet`, through the service's own engine and validation; Ref is the
 * StackSetId) and `AWS::Organizations::Policy` (`CreatePolicy` then `AttachPolicy` to each of its
 * `TargetIds`; Ref is the policy id). Both act in the stack's account, which must be the management
 * account (or a delegated administrator) as on AWS.
 */

function run(
  ctx: ResourceContext,
  service: string,
  operations: Record<string, OperationHandler> | undefined,
  name: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> | Record<string, unknown> {
  const handler = operations?.[name];
  if (!handler) throw new ResourceFailure(`${service} is not served by this sandbox runtime`, 'ServiceInternalError');
  return handler(input, serviceContext(ctx, service, name)) as Record<string, unknown>;
}

const stackSets = (ctx: ResourceContext) => stackSetOperations(StackSetEngine.of(ctx.runtime));

/** A template value as the awsQuery codec would have decoded it: every scalar a string. */
function asQuery(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asQuery);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asQuery(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The properties that are `CreateStackSet` parameters of the same name. */
const STACK_SET_PARAMETERS = [
  'StackSetName',
  'Description',
  'TemplateBody',
  'TemplateURL',
  'Parameters',
  'Capabilities',
  'Tags',
  'AdministrationRoleARN',
  'ExecutionRoleName',
  'PermissionModel',
  'AutoDeployment',
  'ManagedExecution',
  'CallAs',
] as const;

function stackSetInput(props: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of STACK_SET_PARAMETERS) {
    if (props[key] !== undefined) input[key] = asQuery(props[key]);
  }
  return input;
}

export const stackSetProvider: ResourceProvider = {
  type: 'AWS::CloudFormation::StackSet',
  properties: [...STACK_SET_PARAMETERS, 'OperationPreferences', 'StackInstancesGroup'],
  required: ['StackSetName', 'PermissionModel'],
  create(ctx, props) {
    if (Array.isArray(props.StackInstancesGroup) && props.StackInstancesGroup.length > 0) {
      throw new ResourceFailure(
        'StackInstancesGroup is not modelled by the vendguard sandbox: vending deploys instances',
      );
    }
    const out = run(ctx, 'cloudformation', stackSets(ctx), 'CreateStackSet', stackSetInput(props)) as {
      StackSetId: string;
    };
    return { physicalId: out.StackSetId, attributes: { StackSetId: out.StackSetId } };
  },
  update(ctx, physicalId, props, previous) {
    if (str(props, 'StackSetName') !== str(previous, 'StackSetName')) return undefined;
    const { PermissionModel: _p, ...input } = stackSetInput(props);
    run(ctx, 'cloudformation', stackSets(ctx), 'UpdateStackSet', {
      ...input,
      ...(props.OperationPreferences ? { OperationPreferences: asQuery(props.OperationPreferences) } : {}),
    });
    return { physicalId, attributes: { StackSetId: physicalId } };
  },
  delete(ctx, physicalId) {
    try {
      run(ctx, 'cloudformation', stackSets(ctx), 'DeleteStackSet', { StackSetName: physicalId.split(':')[0] });
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'StackSetNotFoundException') throw error;
    }
  },
};

/**
 * `AWS::Organizations::Policy` runs Organizations calls that answer later (the API is async in the
 * sandbox's server), so it is created through the async path: only a stack of its own (the
 * governance stack) can make one.
 */
export const organizationsPolicyProvider = {
  type: 'AWS::Organizations::Policy',
  properties: ['Name', 'Description', 'Type', 'Content', 'TargetIds', 'Tags'],
  required: ['Name', 'Type', 'Content'],
  async create(ctx: ResourceContext, props: Record<string, unknown>) {
    const operations = organizationsOperations(ctx.runtime);
    const content = typeof props.Content === 'string' ? props.Content : JSON.stringify(props.Content);
    const out = (await run(ctx, 'organizations', operations, 'CreatePolicy', {
      Name: str(props, 'Name'),
      Description: str(props, 'Description') ?? '',
      Type: str(props, 'Type'),
      Content: content,
    })) as { Policy: { PolicySummary: { Id: string; Arn: string } } };
    const { Id, Arn } = out.Policy.PolicySummary;
    for (const target of Array.isArray(props.TargetIds) ? props.TargetIds.map(String) : []) {
      await run(ctx, 'organizations', operations, 'AttachPolicy', { PolicyId: Id, TargetId: target });
    }
    return { physicalId: Id, attributes: { Id, Arn, AwsManaged: 'false' } };
  },
  async delete(ctx: ResourceContext, physicalId: string, props: Record<string, unknown>) {
    const operations = organizationsOperations(ctx.runtime);
    for (const target of Array.isArray(props.TargetIds) ? props.TargetIds.map(String) : []) {
      try {
        await run(ctx, 'organizations', operations, 'DetachPolicy', { PolicyId: physicalId, TargetId: target });
      } catch {
        // already detached
      }
    }
    try {
      await run(ctx, 'organizations', operations, 'DeletePolicy', { PolicyId: physicalId });
    } catch (error) {
      if (!(error instanceof AwsServiceError) || !/NotFound/.test(error.code)) throw error;
    }
  },
};
