import { AwsServiceError } from '../../../core/types';
import { deleteAlarms, getAlarm, putMetricAlarm } from '../../cloudwatch';
import { saveAlarm } from '../../cloudwatch/model';
import {
  type CreatedResource,
  generatedName,
  type ResourceContext,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::CloudWatch::Alarm`: a metric alarm in the stack's account and region, validated exactly as
 * `PutMetricAlarm` validates it. Ref is the alarm name, `Fn::GetAtt Arn` its ARN. A name taken by
 * an alarm the stack did not make fails the resource, as CloudFormation's handler does.
 */

const PROPERTIES = [
  'ActionsEnabled',
  'AlarmActions',
  'AlarmDescription',
  'AlarmName',
  'ComparisonOperator',
  'DatapointsToAlarm',
  'Dimensions',
  'EvaluateLowSampleCountPercentile',
  'EvaluationPeriods',
  'ExtendedStatistic',
  'InsufficientDataActions',
  'MetricName',
  'Metrics',
  'Namespace',
  'OKActions',
  'Period',
  'Statistic',
  'Tags',
  'Threshold',
  'ThresholdMetricId',
  'TreatMissingData',
  'Unit',
] as const;

function write(ctx: ResourceContext, props: Record<string, unknown>, name: string): CreatedResource {
  const { Tags: _t, ...input } = props;
  const alarm = putMetricAlarm(ctx.runtime, scopeOf(ctx), { ...input, AlarmName: name });
  // an update keeps PutMetricAlarm's rule (tags ignored); CloudFormation then sets the template's tags
  saveAlarm(ctx.runtime, { ...alarm, Tags: stackTags(ctx, props.Tags) });
  return { physicalId: name, attributes: { Arn: alarm.AlarmArn } };
}

export const alarmProvider: ResourceProvider = {
  type: 'AWS::CloudWatch::Alarm',
  properties: PROPERTIES,
  required: ['ComparisonOperator', 'EvaluationPeriods'],
  create(ctx, props) {
    const name = str(props, 'AlarmName') ?? generatedName(ctx, 255);
    if (getAlarm(ctx.runtime, scopeOf(ctx), name)) {
      throw new AwsServiceError(
        'AlreadyExists',
        `Resource of type 'AWS::CloudWatch::Alarm' with identifier '${name}' already exists.`,
      );
    }
    return write(ctx, props, name);
  },
  update(ctx, physicalId, props) {
    if ((str(props, 'AlarmName') ?? physicalId) !== physicalId) return undefined;
    return write(ctx, props, physicalId);
  },
  delete(ctx, physicalId) {
    deleteAlarms(ctx.runtime, scopeOf(ctx), [physicalId]);
  },
};
