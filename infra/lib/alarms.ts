import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface VendguardAlarmsProps {
  /** Subscribed to the alarm topic when given. */
  readonly email?: string;
}

/**
 * The operational alarms of the hub, all on one encrypted SNS topic `vendguard-alarms`: a state
 * machine execution failed, a dead-letter queue holds a message, a guardrail function errored.
 */
export class VendguardAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: VendguardAlarmsProps = {}) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      alias: 'alias/vendguard-alarms',
      description: 'Encrypts the vendguard alarm topic (CloudWatch cannot publish to the AWS-managed SNS key)',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      topicName: 'vendguard-alarms',
      displayName: 'vendguard alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one (the account's
    // principals may publish): without this statement nothing allows CloudWatch, and every alarm
    // action is refused ("Failed to execute action")
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:vendguard-*` },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }

  /** Alarms when any execution of the state machine fails (also times out or aborts). */
  onFailedExecutions(name: string, stateMachine: IStateMachine): Alarm {
    return this.add(`${name}-failed-executions`, {
      metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      description: `A vendguard-${name} execution failed; inspect it with \`vendguard executions --state-machine ${name} --status FAILED\``,
    });
  }

  /** Alarms as soon as the dead-letter queue holds a message. */
  onDeadLetters(name: string, queue: IQueue): Alarm {
    return this.add(`${name}-dlq-depth`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      description: `Events for rule vendguard-${name} could not be delivered after retries; they wait in its DLQ`,
    });
  }

  /** Alarms as soon as a function's on-failure queue holds an invocation (its retries were spent). */
  onFailedInvocations(name: string, queue: IQueue): Alarm {
    return this.add(`${name}-failed-invocations`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      description: `vendguard-${name} failed an event after Lambda's retries; the event waits in vendguard-${name}-failures`,
    });
  }

  /** Alarms when a guardrail function errors (an unremediated violation may remain). */
  onErrors(name: string, fn: IFunction): Alarm {
    return this.add(`${name}-errors`, {
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      description: `vendguard-${name} failed; a violation may be left unremediated`,
    });
  }

  private add(id: string, props: { metric: Alarm['metric']; description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `vendguard-${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
