import type { RequestContext } from '../../core/types';
import { invalidParameterCombination, invalidParameterValue, missingParameter, validationError } from './errors';
import { flag, type Input, list, number, oneOf, strings, text } from './input';
import type { AlarmConfiguration, Dimension, Scope } from './model';

/**
 * `PutMetricAlarm`'s validation: every constraint the API documents (enums, periods, evaluation
 * window, actions in the alarm's region, a metric or metric math but not both), shared by the API
 * and the `AWS::CloudWatch::Alarm` provider.
 */

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export const STATISTIC_SET = 'Maximum, SampleCount, Sum, Minimum, Average';
export const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
const ANOMALY_OPERATORS = new Set(COMPARISON_OPERATORS.slice(4));
export const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export const UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** `p99`, `p99.9`, and the trimmed forms (`tm90`, `wm90`, `tc90`, `ts90`, `pr(…)`, `IQM`). */
const EXTENDED_STATISTIC =
  /^(p(\d{1,2}(\.\d{1,10})?|100)|(tm|wm|tc|ts)\d{1,2}(\.\d{1,10})?|(TM|WM|TC|TS|PR)\(.+\)|IQM)$/;
/** Any ARN AWS accepts as an alarm action (SNS topics, Lambda functions, `arn:aws:automate:…`, …). */
const ACTION_ARN = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/;
const MAX_EVALUATION_SECONDS = 7 * 24 * 3600;

export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.principal.accountId, region: ctx.region });

function checkActions(scope: Scope, name: string, actions: readonly string[]): void {
  for (const action of actions) {
    const m = ACTION_ARN.exec(action);
    if (!m) throw validationError(`Invalid arn syntax: ${action}`);
    if (m[1] !== 'aws') throw validationError(`Invalid partition ${m[1]} specified. Only aws is supported.`);
    if (m[3] !== scope.region) {
      throw validationError(`Invalid region ${m[3] || '(none)'} specified. Only ${scope.region} is supported.`);
    }
  }
  if (actions.length > 5) {
    throw validationError(
      `1 validation error detected: Value '[${actions.join(', ')}]' at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have length less than or equal to 5`,
    );
  }
}

export function dimensions(input: Input): Dimension[] {
  return list<Record<string, unknown>>(input, 'Dimensions', { max: 30 }).map((d, i) => {
    const Name = text(d ?? {}, 'Name', { max: 255 });
    const Value = text(d ?? {}, 'Value', { max: 1024 });
    if (Name === undefined) throw missingParameter(`Dimensions.member.${i + 1}.Name`);
    if (Value === undefined) throw missingParameter(`Dimensions.member.${i + 1}.Value`);
    return { Name, Value };
  });
}

/** Validates a `PutMetricAlarm` request into an alarm configuration (shared by the API and CloudFormation). */
export function alarmConfiguration(scope: Scope, input: Input): AlarmConfiguration {
  const AlarmName = text(input, 'AlarmName', { required: true, max: 255 }) as string;
  const AlarmDescription = text(input, 'AlarmDescription', { max: 1024 });
  const actions = {
    OKActions: strings(input, 'OKActions'),
    AlarmActions: strings(input, 'AlarmActions'),
    InsufficientDataActions: strings(input, 'InsufficientDataActions'),
  };
  for (const [name, value] of Object.entries(actions)) checkActions(scope, name, value);
  const Metrics =
    input.Metrics === undefined || input.Metrics === '' ? undefined : list<Record<string, unknown>>(input, 'Metrics');
  const MetricName = text(input, 'MetricName', { max: 255 });
  const Namespace = text(input, 'Namespace', { max: 255 });
  const Statistic = oneOf(input, 'Statistic', STATISTICS, STATISTIC_SET);
  const ExtendedStatistic = text(input, 'ExtendedStatistic');
  const Dimensions = dimensions(input);
  const Period = number(input, 'Period', { integer: true, min: 1 });
  const Unit = oneOf(input, 'Unit', UNITS);
  const EvaluationPeriods = number(input, 'EvaluationPeriods', { integer: true, min: 1 });
  const DatapointsToAlarm = number(input, 'DatapointsToAlarm', { integer: true, min: 1 });
  const Threshold = number(input, 'Threshold');
  const ThresholdMetricId = text(input, 'ThresholdMetricId', { max: 255 });
  const ComparisonOperator = oneOf(input, 'ComparisonOperator', COMPARISON_OPERATORS);
  const TreatMissingData = text(input, 'TreatMissingData');
  const EvaluateLowSampleCountPercentile = text(input, 'EvaluateLowSampleCountPercentile');

  if (Metrics !== undefined) {
    const single = { MetricName, Namespace, Statistic, ExtendedStatistic, Period, Unit };
    const clash =
      Object.entries(single).find(([, v]) => v !== undefined)?.[0] ??
      (Dimensions.length > 0 ? 'Dimensions' : undefined);
    if (clash) {
      throw invalidParameterCombination(
        `The parameters Metrics and ${clash} are mutually exclusive and you have specified both.`,
      );
    }
    if (Metrics.length === 0) throw validationError('The parameter Metrics must contain at least one metric.');
    for (const [i, m] of Metrics.entries()) {
      if (typeof m?.Id !== 'string' || m.Id === '') throw missingParameter(`Metrics.member.${i + 1}.Id`);
      if (m.MetricStat === undefined && m.Expression === undefined) {
        throw validationError(`The parameter Metrics.member.${i + 1}.MetricStat is required.`);
      }
    }
  } else {
    if (MetricName === undefined) throw missingParameter('MetricName');
    if (Namespace === undefined) throw missingParameter('Namespace');
    if (Statistic !== undefined && ExtendedStatistic !== undefined) {
      throw invalidParameterCombination(
        'The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
      );
    }
    if (Statistic === undefined && ExtendedStatistic === undefined) {
      throw missingParameter('Statistic or ExtendedStatistic');
    }
    if (Period === undefined) throw missingParameter('Period');
  }
  if (ExtendedStatistic !== undefined && !EXTENDED_STATISTIC.test(ExtendedStatistic)) {
    throw invalidParameterValue(`The value ${ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
  }
  if (Period !== undefined && Period !== 10 && Period !== 30 && Period % 60 !== 0) {
    throw validationError('Period must be 10, 30 or a multiple of 60');
  }
  if (EvaluationPeriods === undefined) throw missingParameter('EvaluationPeriods');
  if (Period !== undefined && Period * EvaluationPeriods > MAX_EVALUATION_SECONDS) {
    throw validationError(
      `Metrics cannot be checked across more than 7 days (EvaluationPeriods * Period must be <= ${MAX_EVALUATION_SECONDS})`,
    );
  }
  if (DatapointsToAlarm !== undefined && DatapointsToAlarm > EvaluationPeriods) {
    throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
  }
  if (ComparisonOperator === undefined) throw missingParameter('ComparisonOperator');
  if (ANOMALY_OPERATORS.has(ComparisonOperator)) {
    if (ThresholdMetricId === undefined) throw missingParameter('ThresholdMetricId');
  } else if (Threshold === undefined) {
    throw missingParameter('Threshold');
  }
  if (TreatMissingData !== undefined && !(TREAT_MISSING_DATA as readonly string[]).includes(TreatMissingData)) {
    throw validationError(
      `The value ${TreatMissingData} is not supported for TreatMissingData parameter. Supported values are [${TREAT_MISSING_DATA.join(', ')}].`,
    );
  }
  if (
    EvaluateLowSampleCountPercentile !== undefined &&
    !['evaluate', 'ignore'].includes(EvaluateLowSampleCountPercentile)
  ) {
    throw validationError(
      `Option ${EvaluateLowSampleCountPercentile} is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.`,
    );
  }
  return {
    AlarmName,
    ...(AlarmDescription !== undefined ? { AlarmDescription } : {}),
    ActionsEnabled: flag(input, 'ActionsEnabled') ?? true,
    ...actions,
    ...(MetricName !== undefined ? { MetricName } : {}),
    ...(Namespace !== undefined ? { Namespace } : {}),
    ...(Statistic !== undefined ? { Statistic } : {}),
    ...(ExtendedStatistic !== undefined ? { ExtendedStatistic } : {}),
    Dimensions,
    ...(Period !== undefined ? { Period } : {}),
    ...(Unit !== undefined ? { Unit } : {}),
    EvaluationPeriods,
    ...(DatapointsToAlarm !== undefined ? { DatapointsToAlarm } : {}),
    ...(Threshold !== undefined ? { Threshold } : {}),
    ComparisonOperator,
    ...(TreatMissingData !== undefined ? { TreatMissingData } : {}),
    ...(EvaluateLowSampleCountPercentile !== undefined ? { EvaluateLowSampleCountPercentile } : {}),
    ...(Metrics !== undefined ? { Metrics } : {}),
    ...(ThresholdMetricId !== undefined ? { ThresholdMetricId } : {}),
  };
}
