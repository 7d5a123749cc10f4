import { AwsServiceError } from '../../../core/types';
import { createLogGroup, deleteLogGroup, getLogGroup, logGroupArn, setRetention } from '../../logs';
import { saveGroup } from '../../logs/model';
import {
  generatedName,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::Logs::LogGroup`: a log group in the stack's account and region, validated as
 * `CreateLogGroup`/`PutRetentionPolicy` validate. Ref is the name; `Fn::GetAtt Arn` is the ARN with
 * the `:*` suffix CloudFormation documents (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
 */

function retention(props: Record<string, unknown>): number | undefined {
  const v = props.RetentionInDays;
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new ResourceFailure('#/RetentionInDays: expected type: Integer');
  return n;
}

function tagMap(ctx: ResourceContext, props: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(stackTags(ctx, props.Tags).map((t) => [t.Key, t.Value]));
}

const created = (ctx: ResourceContext, name: string) => ({
  physicalId: name,
  attributes: { Arn: `${logGroupArn(scopeOf(ctx), name)}:*` },
});

export const logGroupProvider: ResourceProvider = {
  type: 'AWS::Logs::LogGroup',
  properties: ['KmsKeyId', 'LogGroupClass', 'LogGroupName', 'RetentionInDays', 'Tags'],
  create(ctx, props) {
    const name = str(props, 'LogGroupName') ?? generatedName(ctx, 512);
    if (getLogGroup(ctx.runtime, scopeOf(ctx), name)) {
      throw new AwsServiceError(
        'AlreadyExists',
        `Resource of type 'AWS::Logs::LogGroup' with identifier '${name}' already exists.`,
      );
    }
    const days = retention(props);
    const kmsKeyId = str(props, 'KmsKeyId');
    const logGroupClass = str(props, 'LogGroupClass');
    createLogGroup(ctx.runtime, scopeOf(ctx), {
      logGroupName: name,
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      ...(logGroupClass !== undefined ? { logGroupClass } : {}),
      ...(days !== undefined ? { retentionInDays: days } : {}),
      tags: tagMap(ctx, props),
    });
    return created(ctx, name);
  },
  update(ctx, physicalId, props, previous) {
    if ((str(props, 'LogGroupName') ?? physicalId) !== physicalId) return undefined;
    if (str(props, 'LogGroupClass') !== str(previous, 'LogGroupClass')) return undefined;
    const group = setRetention(ctx.runtime, scopeOf(ctx), physicalId, retention(props));
    const kmsKeyId = str(props, 'KmsKeyId');
    const { kmsKeyId: _old, ...rest } = group;
    saveGroup(ctx.runtime, { ...rest, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}), tags: tagMap(ctx, props) });
    return created(ctx, physicalId);
  },
  delete(ctx, physicalId) {
    if (getLogGroup(ctx.runtime, scopeOf(ctx), physicalId)) deleteLogGroup(ctx.runtime, scopeOf(ctx), physicalId);
  },
};
