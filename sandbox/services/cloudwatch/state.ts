import type { RequestContext, SandboxRuntime } from '../../core/types';
import { publishToTopic } from '../sns/api';
import { alarmNotFound, invalidFormat, validationError } from './errors';
import { type Input, oneOf, text } from './input';
import {
  type AlarmRecord,
  addHistory,
  cloudWatchTime,
  getAlarm,
  type Scope,
  type StateValue,
  saveAlarm,
} from './model';

/**
 * Alarm state changes. The sandbox keeps no metric data, so an alarm changes state only by
 * `SetAlarmState`; a change performs the actions of the new state (when `ActionsEnabled`) as
 * CloudWatch does: an SNS topic receives the notification AWS sends, published as
 * `cloudwatch.amazonaws.com` (so the topic's policy decides), each action's outcome is an `Action`
 * history item, and a `CloudWatch Alarm State Change` event goes to the account's default bus.
 */

/** Region names as CloudWatch writes them in notifications (`Region`, the subject). */
const REGION_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-central-2': 'Europe (Zurich)',
  'eu-north-1': 'EU (Stockholm)',
  'eu-south-1': 'EU (Milan)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
};

export const regionName = (region: string): string => REGION_NAMES[region] ?? region;

/** A number as Java prints a double (`1.0`, `0.5`): CloudWatch's notifications are written in Java. */
function javaDouble(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? n.toFixed(1) : String(n);
}

/**
 * The JSON message CloudWatch publishes to an SNS topic when an alarm changes state (member order
 * and `Trigger` as AWS sends them; `Statistic` upper-case, `Threshold` as a double).
 */
export function alarmNotification(alarm: AlarmRecord, oldState: StateValue): string {
  const marker = '@@vendguard-threshold@@';
  const trigger: Record<string, unknown> = {
    MetricName: alarm.MetricName ?? '',
    Namespace: alarm.Namespace ?? '',
    ...(alarm.ExtendedStatistic !== undefined
      ? { StatisticType: 'ExtendedStatistic', ExtendedStatistic: alarm.ExtendedStatistic }
      : {
          StatisticType: 'Statistic',
          Statistic: (alarm.Statistic ?? '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
        }),
    Unit: alarm.Unit ?? null,
    Dimensions: alarm.Dimensions.map((d) => ({ value: d.Value, name: d.Name })),
    Period: alarm.Period ?? 0,
    EvaluationPeriods: alarm.EvaluationPeriods,
    ...(alarm.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: alarm.DatapointsToAlarm } : {}),
    ComparisonOperator: alarm.ComparisonOperator,
    Threshold: marker,
    TreatMissingData: alarm.TreatMissingData ?? '',
    EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile ?? '',
  };
  const message = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: alarm.account,
    AlarmConfigurationUpdatedTimestamp: cloudWatchTime(alarm.AlarmConfigurationUpdatedTimestamp),
    NewStateValue: alarm.StateValue,
    NewStateReason: alarm.StateReason,
    StateChangeTime: cloudWatchTime(alarm.StateUpdatedTimestamp),
    Region: regionName(alarm.region),
    AlarmArn: alarm.AlarmArn,
    OldStateValue: oldState,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    Trigger: trigger,
  };
  return JSON.stringify(message).replace(`"${marker}"`, javaDouble(alarm.Threshold ?? 0));
}

/** The notification's subject: `ALARM: "name" in EU (Ireland)`, cut to SNS's 100 characters. */
export function alarmSubject(alarm: AlarmRecord): string {
  return `${alarm.StateValue}: "${alarm.AlarmName}" in ${regionName(alarm.region)}`.slice(0, 100);
}

const actionsFor = (alarm: AlarmRecord): readonly string[] =>
  alarm.StateValue === 'ALARM'
    ? alarm.AlarmActions
    : alarm.StateValue === 'OK'
      ? alarm.OKActions
      : alarm.InsufficientDataActions;

/** Performs one action; resolves to `undefined` on success or the error text. */
async function perform(
  runtime: SandboxRuntime,
  alarm: AlarmRecord,
  action: string,
  message: string,
): Promise<string | undefined> {
  const service = action.split(':')[2];
  if (service !== 'sns') return `The vendguard sandbox does not perform ${service} alarm actions`;
  const outcome = await publishToTopic(runtime, action, message, {
    subject: alarmSubject(alarm),
    senderService: 'cloudwatch.amazonaws.com',
    sourceArn: alarm.AlarmArn,
    sourceAccount: alarm.account,
  });
  return outcome.ok ? undefined : outcome.reason;
}

/**
 * Moves an alarm to a state. No change (the same state) does nothing, as AWS invokes actions only on
 * a transition. Throws `ResourceNotFound`.
 */
export async function setAlarmState(
  runtime: SandboxRuntime,
  scope: Scope,
  name: string,
  change: { state: StateValue; reason: string; reasonData?: string },
): Promise<AlarmRecord> {
  const alarm = getAlarm(runtime, scope, name);
  if (!alarm) throw alarmNotFound(name);
  if (alarm.StateValue === change.state) return alarm;
  const now = runtime.clock.now();
  const { StateReasonData: _old, ...rest } = alarm;
  const next: AlarmRecord = {
    ...rest,
    StateValue: change.state,
    StateReason: change.reason,
    ...(change.reasonData !== undefined ? { StateReasonData: change.reasonData } : {}),
    StateUpdatedTimestamp: now.toISOString(),
    StateTransitionedTimestamp: now.toISOString(),
  };
  saveAlarm(runtime, next);
  addHistory(runtime, next, {
    type: 'StateUpdate',
    summary: `Alarm updated from ${alarm.StateValue} to ${change.state}`,
    data: {
      version: '1.0',
      oldState: { stateValue: alarm.StateValue, stateReason: alarm.StateReason },
      newState: {
        stateValue: change.state,
        stateReason: change.reason,
        ...(change.reasonData !== undefined ? { stateReasonData: JSON.parse(change.reasonData) } : {}),
      },
    },
    at: now,
  });
  runtime.bus.publish({
    source: 'aws.cloudwatch',
    detailType: 'CloudWatch Alarm State Change',
    account: scope.account,
    region: scope.region,
    resources: [next.AlarmArn],
    time: now,
    detail: {
      alarmName: next.AlarmName,
      state: {
        value: next.StateValue,
        reason: next.StateReason,
        ...(next.StateReasonData !== undefined ? { reasonData: next.StateReasonData } : {}),
        timestamp: cloudWatchTime(now),
      },
      previousState: {
        value: alarm.StateValue,
        reason: alarm.StateReason,
        timestamp: cloudWatchTime(alarm.StateUpdatedTimestamp),
      },
      configuration: { ...(next.AlarmDescription !== undefined ? { description: next.AlarmDescription } : {}) },
    },
  });
  if (!next.ActionsEnabled) return next;
  const message = alarmNotification(next, alarm.StateValue);
  for (const action of actionsFor(next)) {
    const error = await perform(runtime, next, action, message);
    addHistory(runtime, next, {
      type: 'Action',
      summary: error
        ? `Failed to execute action ${action}. Received error: "${error}"`
        : `Successfully executed action ${action}`,
      data: {
        actionState: error ? 'Failed' : 'Succeeded',
        stateUpdateTimestamp: now.getTime(),
        notificationResource: action,
        ...(error ? { error } : { publishedMessage: message }),
      },
      at: runtime.clock.now(),
    });
  }
  return next;
}

/** `SetAlarmState`, bound to the runtime. */
export function stateOperations(runtime: SandboxRuntime) {
  return {
    async SetAlarmState(input: Input, ctx: RequestContext) {
      const name = text(input, 'AlarmName', { required: true, max: 255 }) as string;
      const state = oneOf(input, 'StateValue', ['OK', 'ALARM', 'INSUFFICIENT_DATA'], 'INSUFFICIENT_DATA, ALARM, OK');
      if (state === undefined) throw validationError('The parameter StateValue is required.');
      const reason = text(input, 'StateReason', { max: 1023 });
      if (reason === undefined && input.StateReason !== '')
        throw validationError('The parameter StateReason is required.');
      const reasonData = text(input, 'StateReasonData', { max: 4000 });
      if (reasonData !== undefined) {
        try {
          JSON.parse(reasonData);
        } catch {
          throw invalidFormat();
        }
      }
      await setAlarmState(runtime, { account: ctx.principal.accountId, region: ctx.region }, name, {
        state,
        reason: reason ?? '',
        ...(reasonData !== undefined ? { reasonData } : {}),
      });
      return {};
    },
  };
}
