import type { SandboxRuntime } from '../../core/types';

/**
 * The persisted shape of CloudWatch metric alarms and their history. An alarm belongs to one account
 * and region: store ids are `<account>/<region>/<alarm name>`, ARNs
 * `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`. History items are kept in the order they
 * happened (`<account>/<region>/<sequence>`) and outlive the alarm, as AWS keeps a deleted alarm's
 * history.
 */

export const TABLES = {
  alarms: 'cloudwatch.alarms',
  history: 'cloudwatch.history',
} as const;

export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type HistoryItemType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** Where an alarm lives. */
export interface Scope {
  readonly account: string;
  readonly region: string;
}

/** What `PutMetricAlarm` configures (everything but state and tags). */
export interface AlarmConfiguration {
  readonly AlarmName: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled: boolean;
  readonly OKActions: readonly string[];
  readonly AlarmActions: readonly string[];
  readonly InsufficientDataActions: readonly string[];
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Dimensions: readonly Dimension[];
  readonly Period?: number;
  readonly Unit?: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold?: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData?: string;
  readonly EvaluateLowSampleCountPercentile?: string;
  readonly Metrics?: readonly Record<string, unknown>[];
  readonly ThresholdMetricId?: string;
}

export interface AlarmRecord extends AlarmConfiguration {
  readonly account: string;
  readonly region: string;
  readonly AlarmArn: string;
  /** ISO 8601 times. */
  readonly AlarmConfigurationUpdatedTimestamp: string;
  readonly StateValue: StateValue;
  readonly StateReason: string;
  readonly StateReasonData?: string;
  readonly StateUpdatedTimestamp: string;
  readonly StateTransitionedTimestamp: string;
  readonly Tags: readonly Tag[];
}

export interface HistoryRecord {
  readonly account: string;
  readonly region: string;
  readonly AlarmName: string;
  readonly Timestamp: string;
  readonly HistoryItemType: HistoryItemType;
  readonly HistorySummary: string;
  readonly HistoryData: string;
}

/** The reason AWS gives a new alarm. */
export const INITIAL_STATE_REASON = 'Unchecked: Initial alarm creation';

export const alarmArn = (scope: Scope, name: string): string =>
  `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;

const alarmId = (scope: Scope, name: string): string => `${scope.account}/${scope.region}/${name}`;

export function getAlarm(runtime: SandboxRuntime, scope: Scope, name: string): AlarmRecord | undefined {
  return runtime.store.get<AlarmRecord>(TABLES.alarms, alarmId(scope, name));
}

export function saveAlarm(runtime: SandboxRuntime, alarm: AlarmRecord): void {
  runtime.store.put(TABLES.alarms, alarmId(alarm, alarm.AlarmName), alarm);
}

export function removeAlarm(runtime: SandboxRuntime, alarm: AlarmRecord): void {
  runtime.store.delete(TABLES.alarms, alarmId(alarm, alarm.AlarmName));
}

/** The scope's alarms, sorted by name (as `DescribeAlarms` lists them). */
export function listAlarms(runtime: SandboxRuntime, scope: Scope): AlarmRecord[] {
  return runtime.store
    .list<AlarmRecord>(TABLES.alarms, `${scope.account}/${scope.region}/`)
    .sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0));
}

/** The alarm an ARN names, in the scope the ARN says. */
export function alarmByArn(runtime: SandboxRuntime, arn: string): AlarmRecord | undefined {
  const m = /^arn:aws:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(arn);
  if (!m) return undefined;
  return getAlarm(runtime, { region: m[1] as string, account: m[2] as string }, m[3] as string);
}

/** Appends one history item. */
export function addHistory(
  runtime: SandboxRuntime,
  alarm: Scope & { AlarmName: string },
  item: { type: HistoryItemType; summary: string; data: unknown; at: Date },
): void {
  const seq = String(runtime.store.nextSequence(TABLES.history)).padStart(12, '0');
  const record: HistoryRecord = {
    account: alarm.account,
    region: alarm.region,
    AlarmName: alarm.AlarmName,
    Timestamp: item.at.toISOString(),
    HistoryItemType: item.type,
    HistorySummary: item.summary.slice(0, 255),
    HistoryData: JSON.stringify(item.data),
  };
  runtime.store.put(TABLES.history, `${alarm.account}/${alarm.region}/${seq}`, record);
}

/** The scope's history, oldest first. */
export function listHistory(runtime: SandboxRuntime, scope: Scope): HistoryRecord[] {
  return runtime.store.list<HistoryRecord>(TABLES.history, `${scope.account}/${scope.region}/`);
}

/** CloudWatch's timestamp in notifications and history data: `2022-08-26T03:46:29.897+0000`. */
export function cloudWatchTime(iso: string | Date): string {
  return (typeof iso === 'string' ? iso : iso.toISOString()).replace(/Z$/, '+0000');
}

/** An alarm as `DescribeAlarms` returns it (`MetricAlarm`), in the model's member order. */
export function alarmView(a: AlarmRecord): Record<string, unknown> {
  return {
    AlarmName: a.AlarmName,
    AlarmArn: a.AlarmArn,
    ...(a.AlarmDescription !== undefined ? { AlarmDescription: a.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp),
    ActionsEnabled: a.ActionsEnabled,
    OKActions: [...a.OKActions],
    AlarmActions: [...a.AlarmActions],
    InsufficientDataActions: [...a.InsufficientDataActions],
    StateValue: a.StateValue,
    StateReason: a.StateReason,
    ...(a.StateReasonData !== undefined ? { StateReasonData: a.StateReasonData } : {}),
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
    ...(a.MetricName !== undefined ? { MetricName: a.MetricName } : {}),
    ...(a.Namespace !== undefined ? { Namespace: a.Namespace } : {}),
    ...(a.Statistic !== undefined ? { Statistic: a.Statistic } : {}),
    Dimensions: a.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
    ...(a.Period !== undefined ? { Period: a.Period } : {}),
    ...(a.Unit !== undefined ? { Unit: a.Unit } : {}),
    EvaluationPeriods: a.EvaluationPeriods,
    ...(a.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: a.DatapointsToAlarm } : {}),
    ...(a.Threshold !== undefined ? { Threshold: a.Threshold } : {}),
    ComparisonOperator: a.ComparisonOperator,
    ...(a.ExtendedStatistic !== undefined ? { ExtendedStatistic: a.ExtendedStatistic } : {}),
    ...(a.TreatMissingData !== undefined ? { TreatMissingData: a.TreatMissingData } : {}),
    ...(a.EvaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile }
      : {}),
    ...(a.Metrics !== undefined ? { Metrics: a.Metrics } : {}),
    ...(a.ThresholdMetricId !== undefined ? { ThresholdMetricId: a.ThresholdMetricId } : {}),
    StateTransitionedTimestamp: new Date(a.StateTransitionedTimestamp),
  };
}

/** The configuration part of an alarm, as the history's `createdAlarm`/`updatedAlarm` data shows it. */
export function configurationData(a: AlarmRecord): Record<string, unknown> {
  const { account: _a, region: _r, Tags: _t, StateReasonData: _d, ...rest } = a;
  return rest;
}
