import { Duration } from 'aws-cdk-lib';
import { type EventPattern, type IEventBus, type IRuleTarget, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deployedRuleName } from '../../events/rules';
import { UnknownReferenceError } from './errors';

/** Retry policy of every rule target: EventBridge retries this long, then sends to the DLQ. */
export const TARGET_RETRY = { maxEventAge: Duration.hours(2), retryAttempts: 8 } as const;

/** EventBridge JSON pattern keys → the CDK `EventPattern` property names. */
const PATTERN_KEYS: Readonly<Record<string, keyof EventPattern>> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/**
 * Converts a pattern as written in `events/rules/*.json` to CDK's `EventPattern` (same JSON once
 * rendered). A top-level `$or` has no `EventPattern` property; CDK renders unknown keys as they are,
 * so it passes through unchanged.
 */
export function toEventPattern(pattern: Readonly<Record<string, unknown>>): EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      out[key] = value;
      continue;
    }
    const mapped = PATTERN_KEYS[key];
    if (!mapped) throw new UnknownReferenceError(`event pattern key "${key}" is not an EventBridge envelope field`);
    out[mapped] = value;
  }
  return out as EventPattern;
}

/** What a rule or schedule invokes. */
export type RuleTargetRef =
  | { readonly kind: 'function'; readonly fn: IFunction }
  | { readonly kind: 'stateMachine'; readonly stateMachine: IStateMachine };

export interface GuardedRuleProps {
  /** kebab-case; the rule is named `vendguard-<name>` (the protect-security SCP guards that prefix). */
  readonly name: string;
  readonly description: string;
  /** Custom bus for pattern rules; schedules always run on the default bus. */
  readonly eventBus?: IEventBus;
  readonly pattern?: Readonly<Record<string, unknown>>;
  readonly schedule?: string;
  readonly target: RuleTargetRef;
  /** @default true */
  readonly enabled?: boolean;
}

/**
 * An EventBridge rule with one target that retries ({@link TARGET_RETRY}) and then parks the event
 * in its own encrypted, TLS-only SQS dead-letter queue `vendguard-<name>-dlq`.
 */
export class GuardedRule extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: GuardedRuleProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      queueName: `vendguard-${props.name}-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const options = { deadLetterQueue: this.deadLetterQueue, ...TARGET_RETRY };
    const target: IRuleTarget =
      props.target.kind === 'function'
        ? new LambdaFunction(props.target.fn, options)
        : new SfnStateMachine(props.target.stateMachine, options);
    this.rule = new Rule(this, 'Rule', {
      ruleName: deployedRuleName(props.name),
      description: props.description.slice(0, 512),
      enabled: props.enabled ?? true,
      ...(props.schedule
        ? { schedule: Schedule.expression(props.schedule) }
        : { eventBus: props.eventBus, eventPattern: toEventPattern(props.pattern ?? {}) }),
      targets: [target],
    });
  }
}
