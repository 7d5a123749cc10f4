import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { alarmConfiguration, dimensions, STATISTIC_SET, STATISTICS, scopeOf, UNITS } from './configuration';
import {
  invalidNextToken,
  invalidParameterCombination,
  missingParameter,
  resourceNotFound,
  validationError,
} from './errors';
import { type Input, list, number, oneOf, strings, tags, text, timestamp } from './input';
import {
  type AlarmRecord,
  addHistory,
  alarmArn,
  alarmByArn,
  alarmView,
  configurationData,
  type Dimension,
  getAlarm,
  INITIAL_STATE_REASON,
  listAlarms,
  listHistory,
  removeAlarm,
  type Scope,
  saveAlarm,
  type Tag,
} from './model';

/**
 * The alarm operations of CloudWatch, one function per API action: configuration, listing,
 * deletion, actions on/off, tags, history. Validation follows `PutMetricAlarm`'s documented
 * constraints; alarms are never evaluated against metric data (the sandbox keeps none): only
 * `SetAlarmState` (see `state.ts`) moves them.
 */

function checkTags(list: readonly Tag[]): void {
  if (list.length > 50) throw validationError('The number of tags exceeds the limit of 50.');
}

/**
 * Creates or replaces an alarm (`PutMetricAlarm`): a new alarm starts `INSUFFICIENT_DATA`; an update
 * keeps the state and the tags (the request's tags are ignored on update, as AWS ignores them) and
 * overwrites the whole configuration. Records a `ConfigurationUpdate` history item.
 */
export function putMetricAlarm(
  runtime: SandboxRuntime,
  scope: Scope,
  input: Input,
  extraTags: readonly Tag[] = [],
): AlarmRecord {
  const config = alarmConfiguration(scope, input);
  const requestTags = [...tags(input), ...extraTags];
  checkTags(requestTags);
  const now = runtime.clock.now().toISOString();
  const existing = getAlarm(runtime, scope, config.AlarmName);
  const alarm: AlarmRecord = {
    ...config,
    account: scope.account,
    region: scope.region,
    AlarmArn: alarmArn(scope, config.AlarmName),
    AlarmConfigurationUpdatedTimestamp: now,
    StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
    StateReason: existing?.StateReason ?? INITIAL_STATE_REASON,
    ...(existing?.StateReasonData !== undefined ? { StateReasonData: existing.StateReasonData } : {}),
    StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
    StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
    Tags: existing ? existing.Tags : requestTags,
  };
  saveAlarm(runtime, alarm);
  addHistory(runtime, alarm, {
    type: 'ConfigurationUpdate',
    summary: `Alarm "${alarm.AlarmName}" ${existing ? 'updated' : 'created'}`,
    data: existing
      ? {
          version: '1.0',
          type: 'Update',
          originalAlarm: configurationData(existing),
          updatedAlarm: configurationData(alarm),
        }
      : { version: '1.0', type: 'Create', createdAlarm: configurationData(alarm) },
    at: runtime.clock.now(),
  });
  return alarm;
}

/** Deletes alarms by name; names that do not exist are ignored (AWS answers them without error). */
export function deleteAlarms(runtime: SandboxRuntime, scope: Scope, names: readonly string[]): void {
  for (const name of names) {
    const alarm = getAlarm(runtime, scope, name);
    if (!alarm) continue;
    removeAlarm(runtime, alarm);
    addHistory(runtime, alarm, {
      type: 'ConfigurationUpdate',
      summary: `Alarm "${name}" deleted`,
      data: { version: '1.0', type: 'Delete', deletedAlarm: configurationData(alarm) },
      at: runtime.clock.now(),
    });
  }
}

const ALARM_TYPES = ['CompositeAlarm', 'MetricAlarm'] as const;

function page<T>(items: readonly T[], input: Input, defaultMax: number) {
  const max = number(input, 'MaxRecords', { integer: true, min: 1 }) ?? defaultMax;
  if (max > 100) {
    throw validationError(
      `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  }
  return pageAt(items, text(input, 'NextToken'), max, () => invalidNextToken());
}

/** The alarm operations, bound to the runtime. */
export function alarmOperations(runtime: SandboxRuntime) {
  return {
    PutMetricAlarm(input: Input, ctx: RequestContext) {
      putMetricAlarm(runtime, scopeOf(ctx), input);
      return {};
    },

    DescribeAlarms(input: Input, ctx: RequestContext) {
      const names = strings(input, 'AlarmNames', { max: 100 });
      const prefix = text(input, 'AlarmNamePrefix', { max: 255 });
      if (names.length > 0 && prefix !== undefined) {
        throw invalidParameterCombination('AlarmNames and AlarmNamePrefix cannot be specified together.');
      }
      const types = list<string>(input, 'AlarmTypes');
      for (const t of types) {
        if (!(ALARM_TYPES as readonly string[]).includes(t)) {
          throw validationError(
            `1 validation error detected: Value '[${types.join(', ')}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]]`,
          );
        }
      }
      const state = oneOf(input, 'StateValue', ['OK', 'ALARM', 'INSUFFICIENT_DATA'], 'INSUFFICIENT_DATA, ALARM, OK');
      const actionPrefix = text(input, 'ActionPrefix', { max: 1024 });
      const metricAlarms = types.length === 0 || types.includes('MetricAlarm');
      const matching = metricAlarms
        ? listAlarms(runtime, scopeOf(ctx)).filter(
            (a) =>
              (names.length === 0 || names.includes(a.AlarmName)) &&
              (prefix === undefined || a.AlarmName.startsWith(prefix)) &&
              (state === undefined || a.StateValue === state) &&
              (actionPrefix === undefined ||
                [...a.OKActions, ...a.AlarmActions, ...a.InsufficientDataActions].some((x) =>
                  x.startsWith(actionPrefix),
                )),
          )
        : [];
      const { page: items, next } = page(matching, input, 50);
      return { CompositeAlarms: [], MetricAlarms: items.map(alarmView), ...(next ? { NextToken: next } : {}) };
    },

    DescribeAlarmsForMetric(input: Input, ctx: RequestContext) {
      const metric = text(input, 'MetricName', { required: true });
      const namespace = text(input, 'Namespace', { required: true });
      const statistic = oneOf(input, 'Statistic', STATISTICS, STATISTIC_SET);
      const extended = text(input, 'ExtendedStatistic');
      const dims = dimensions(input);
      const period = number(input, 'Period', { integer: true, min: 1 });
      const unit = oneOf(input, 'Unit', UNITS);
      const key = (d: readonly Dimension[]) => JSON.stringify([...d].map((x) => `${x.Name}=${x.Value}`).sort());
      const alarms = listAlarms(runtime, scopeOf(ctx)).filter(
        (a) =>
          a.MetricName === metric &&
          a.Namespace === namespace &&
          (statistic === undefined || a.Statistic === statistic) &&
          (extended === undefined || a.ExtendedStatistic === extended) &&
          (dims.length === 0 || key(a.Dimensions) === key(dims)) &&
          (period === undefined || a.Period === period) &&
          (unit === undefined || a.Unit === unit),
      );
      return { MetricAlarms: alarms.map(alarmView) };
    },

    DeleteAlarms(input: Input, ctx: RequestContext) {
      const names = strings(input, 'AlarmNames', { max: 100 });
      if (names.length === 0) throw missingParameter('AlarmNames');
      deleteAlarms(runtime, scopeOf(ctx), names);
      return {};
    },

    EnableAlarmActions: (input: Input, ctx: RequestContext) => setActionsEnabled(runtime, scopeOf(ctx), input, true),
    DisableAlarmActions: (input: Input, ctx: RequestContext) => setActionsEnabled(runtime, scopeOf(ctx), input, false),

    DescribeAlarmHistory(input: Input, ctx: RequestContext) {
      const name = text(input, 'AlarmName', { max: 255 });
      const type = oneOf(input, 'HistoryItemType', [
        'ConfigurationUpdate',
        'StateUpdate',
        'Action',
        'AlarmContributorStateUpdate',
        'AlarmContributorAction',
      ]);
      const types = list<string>(input, 'AlarmTypes');
      const start = timestamp(input, 'StartDate');
      const end = timestamp(input, 'EndDate');
      const scanBy = oneOf(input, 'ScanBy', ['TimestampDescending', 'TimestampAscending']) ?? 'TimestampDescending';
      const items = listHistory(runtime, scopeOf(ctx)).filter((h) => {
        const at = Date.parse(h.Timestamp);
        return (
          (name === undefined || h.AlarmName === name) &&
          (type === undefined || h.HistoryItemType === type) &&
          (types.length === 0 || types.includes('MetricAlarm')) &&
          (start === undefined || at >= start) &&
          (end === undefined || at <= end)
        );
      });
      if (scanBy === 'TimestampDescending') items.reverse();
      const { page: shown, next } = page(items, input, 100);
      return {
        AlarmHistoryItems: shown.map((h) => ({
          AlarmName: h.AlarmName,
          AlarmType: 'MetricAlarm',
          Timestamp: new Date(h.Timestamp),
          HistoryItemType: h.HistoryItemType,
          HistorySummary: h.HistorySummary,
          HistoryData: h.HistoryData,
        })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    TagResource(input: Input, ctx: RequestContext) {
      const alarm = taggedAlarm(runtime, ctx, input);
      const added = tags(input);
      if (input.Tags === undefined) throw missingParameter('Tags');
      const merged = [...alarm.Tags.filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
      checkTags(merged);
      saveAlarm(runtime, { ...alarm, Tags: merged });
      return {};
    },

    UntagResource(input: Input, ctx: RequestContext) {
      const alarm = taggedAlarm(runtime, ctx, input);
      if (input.TagKeys === undefined) throw missingParameter('TagKeys');
      const keys = strings(input, 'TagKeys');
      saveAlarm(runtime, { ...alarm, Tags: alarm.Tags.filter((t) => !keys.includes(t.Key)) });
      return {};
    },

    ListTagsForResource(input: Input, ctx: RequestContext) {
      return { Tags: taggedAlarm(runtime, ctx, input).Tags.map((t) => ({ Key: t.Key, Value: t.Value })) };
    },

    /** Accepted and discarded: the sandbox keeps no metric data (see docs/services/cloudwatch.md). */
    PutMetricData(input: Input) {
      text(input, 'Namespace', { required: true, max: 255 });
      if (list(input, 'MetricData').length === 0) throw missingParameter('MetricData');
      return {};
    },
  };
}

function setActionsEnabled(runtime: SandboxRuntime, scope: Scope, input: Input, enabled: boolean) {
  const names = strings(input, 'AlarmNames', { max: 100 });
  if (names.length === 0) throw missingParameter('AlarmNames');
  for (const name of names) {
    const alarm = getAlarm(runtime, scope, name);
    if (alarm && alarm.ActionsEnabled !== enabled) saveAlarm(runtime, { ...alarm, ActionsEnabled: enabled });
  }
  return {};
}

/** The alarm a tagging call names by ARN (only alarms of the caller's account and region). */
function taggedAlarm(runtime: SandboxRuntime, ctx: RequestContext, input: Input): AlarmRecord {
  const arn = text(input, 'ResourceARN', { required: true, max: 1024 }) as string;
  const alarm = alarmByArn(runtime, arn);
  if (!alarm || alarm.account !== ctx.principal.accountId || alarm.region !== ctx.region) throw resourceNotFound(arn);
  return alarm;
}
