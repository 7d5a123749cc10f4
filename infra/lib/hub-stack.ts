import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from '../../config/schema';
import {
  HUB_FORWARDING_RULE,
  loadRules,
  matchesHubSourcesOnly,
  type RuleDefinition,
  scheduledFunctionRules,
} from '../../events/rules';
import type { FunctionSpec } from '../../functions/manifest';
import { VendguardAlarms } from './alarms';
import type { DeploymentContext } from './context';
import { DeploymentContextError, UnknownReferenceError } from './errors';
import { VendguardFunctions } from './functions';
import { grantManifestActions, type WildcardGrant } from './policies';
import { GuardedRule, type RuleTargetRef } from './rules';
import { type AslFile, VendguardStateMachine } from './state-machines';

/** Shared names (fixed conventions: the functions and the CLI read them from the environment). */
export const EVENT_BUS_NAME = 'vendguard';
export const STATE_TABLE_NAME = 'vendguard-state';
/** The security baseline's forwarding roles (`vendguard-event-forwarder-<region>`), the only member principals the bus admits. */
export const MEMBER_FORWARDER_ROLES = 'vendguard-event-forwarder-*';
/** Environment variable through which a function finds a state machine it starts. */
export const STATE_MACHINE_ENV: Readonly<Record<string, string>> = {
  'account-vending': 'VENDGUARD_VENDING_STATE_MACHINE_ARN',
};

export interface HubStackProps extends StackProps {
  readonly config: OrganizationConfig;
  readonly deployment: DeploymentContext;
  readonly functions: readonly FunctionSpec[];
  /** @default loadRules() */
  readonly rules?: readonly RuleDefinition[];
  readonly stateMachines: readonly AslFile[];
}

/**
 * The vendguard hub (management or delegated admin account): the central bus and its archive, the
 * state table, every manifest function with its least-privilege role, the state machines, the
 * rules with retries and DLQs, the schedules, and the alarms.
 */
export class HubStack extends Stack {
  readonly bus: EventBus;
  readonly table: Table;
  readonly slackSecret: ISecret;
  readonly functions: VendguardFunctions;
  readonly stateMachines = new Map<string, VendguardStateMachine>();
  readonly rules = new Map<string, GuardedRule>();
  readonly alarms: VendguardAlarms;
  /** Per event-triggered function, the queue its failed asynchronous invocations land in. */
  readonly failureQueues = new Map<string, Queue>();
  /** Forwards the hub's own CloudTrail events (home region) from its default bus to the central bus. */
  readonly hubForwarding: Rule;
  /** Per function name, the wildcard resources it was granted and why (for cdk-nag). */
  readonly wildcardGrants = new Map<string, WildcardGrant[]>();

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const { config, deployment } = props;

    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
    // Member accounts put events on the central bus only through the security baseline's forwarding
    // role (its rule forwards their CloudTrail events): not any principal of the organization, which
    // could put an Account Request or a forged Guardrail Finding. The protect-security SCP keeps
    // members from creating or changing roles of that name.
    this.bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'MemberForwardersPutEvents',
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': deployment.organizationId },
          ArnLike: { 'aws:PrincipalArn': `arn:${this.partition}:iam::*:role/${MEMBER_FORWARDER_ROLES}` },
        },
      }),
    );
    // Requesters in other accounts (config vending.requesters) may put events directly: vend-start
    // accepts an Account Request only from the hub account or one of them.
    const requesters = config.vending.requesters;
    if (requesters.accounts.length > 0) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'RequestersPutEvents',
          effect: Effect.ALLOW,
          principals: requesters.accounts.map((account) => new AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          ...(requesters.principals.length > 0
            ? { conditions: { ArnLike: { 'aws:PrincipalArn': [...requesters.principals] } } }
            : {}),
        }),
      );
    }
    // Every event has version "0": the archive keeps all of them for `vendguard events replay`, whose
    // `--archive` defaults to this name (as does the sandbox's archive).
    this.bus.archive('Archive', {
      archiveName: 'vendguard-archive',
      description: 'Every event of the vendguard bus, for replaying guardrail events',
      eventPattern: { version: ['0'] },
      retention: Duration.days(90),
    });

    this.table = new Table(this, 'StateTable', {
      tableName: STATE_TABLE_NAME,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.slackSecret = Secret.fromSecretNameV2(this, 'SlackWebhook', config.slack.webhookSecretName);

    this.functions = new VendguardFunctions(this, 'Functions', {
      functions: props.functions,
      config,
      allowMissingEntries: deployment.allowMissingEntries,
      environment: {
        eventBusName: EVENT_BUS_NAME,
        stateTableName: STATE_TABLE_NAME,
        logLevel: deployment.logLevel,
        slackSecretName: config.slack.webhookSecretName,
      },
    });

    for (const asl of props.stateMachines) {
      this.stateMachines.set(
        asl.name,
        new VendguardStateMachine(this, `StateMachine-${asl.name}`, {
          asl,
          functions: this.functions.byName,
          bus: this.bus,
          table: this.table,
        }),
      );
    }
    for (const spec of props.functions) {
      if (spec.trigger.kind === 'stateMachine' && !this.stateMachines.has(spec.trigger.stateMachine)) {
        if (deployment.allowMissingEntries) continue;
        throw new UnknownReferenceError(
          `function ${spec.name} is triggered by state machine ${spec.trigger.stateMachine}, but statemachines/${spec.trigger.stateMachine}.asl.json does not exist`,
        );
      }
    }

    const stateMachines = [...this.stateMachines].map(([name, s]) => ({
      name: `vendguard-${name}`,
      stateMachine: s.stateMachine,
    }));
    const networkRole = networkRoleOf(config, deployment);
    for (const { spec, fn, role } of this.functions.byName.values()) {
      const wildcard = grantManifestActions(
        this,
        role,
        spec.actions,
        {
          bus: this.bus,
          table: this.table,
          secret: this.slackSecret,
          stateMachines,
          organizationId: deployment.organizationId,
          remediationRoleName: config.vending.remediationRoleName,
          ...(networkRole ? { networkRole } : {}),
        },
        spec.assumesMemberRole ?? false,
        spec.assumesNetworkRole ?? false,
      );
      if (spec.assumesNetworkRole && networkRole) {
        fn.addEnvironment('VENDGUARD_NETWORK_ACCOUNT', networkRole.accountId);
        fn.addEnvironment(
          'VENDGUARD_CORE_IDS',
          JSON.stringify({ accountIds: deployment.accountIds, ouIds: deployment.ouIds }),
        );
      }
      this.wildcardGrants.set(spec.name, wildcard);
      if (spec.actions.some((a) => a.startsWith('states:'))) {
        for (const [name, sm] of this.stateMachines) {
          fn.addEnvironment(STATE_MACHINE_ENV[name] ?? envName(name), sm.stateMachine.stateMachineArn);
        }
      }
    }

    this.alarms = new VendguardAlarms(this, 'Alarms', { email: deployment.alarmEmail });
    for (const [name, sm] of this.stateMachines) this.alarms.onFailedExecutions(name, sm.stateMachine);

    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    // the hub account's own calls land on its default bus: forward them as the baseline does for members
    this.hubForwarding = new Rule(this, 'HubForwardCloudTrail', {
      ruleName: HUB_FORWARDING_RULE.name,
      description: HUB_FORWARDING_RULE.description,
      eventPattern: HUB_FORWARDING_RULE.pattern as unknown as EventPattern,
      targets: [new EventBusTarget(this.bus)],
    });
    for (const rule of props.rules ?? loadRules()) {
      const bus: IEventBus = rule.eventBus === EVENT_BUS_NAME ? this.bus : defaultBus;
      const guarded = new GuardedRule(this, `Rule-${rule.name}`, {
        name: rule.name,
        description: rule.description,
        eventBus: bus,
        // vendguard's own events count only from the hub account (a forged finding from elsewhere matches nothing)
        pattern: matchesHubSourcesOnly(rule) ? { ...rule.pattern, account: [this.account] } : rule.pattern,
        schedule: rule.schedule,
        enabled: rule.enabled,
        target: this.targetOf(rule.target, `events/rules/${rule.name}.json`),
      });
      this.rules.set(rule.name, guarded);
      this.alarms.onDeadLetters(rule.name, guarded.deadLetterQueue);
    }
    // the schedules of scheduled functions, defined once with the sandbox (events/rules.ts)
    for (const rule of scheduledFunctionRules(props.functions)) {
      const guarded = new GuardedRule(this, `Rule-${rule.name}`, {
        name: rule.name,
        description: rule.description,
        schedule: rule.schedule,
        target: { kind: 'function', fn: this.functions.get(rule.target.name).fn },
      });
      this.rules.set(rule.name, guarded);
      this.alarms.onDeadLetters(rule.name, guarded.deadLetterQueue);
    }
    // Functions EventBridge invokes (rule or schedule triggered) run asynchronously: an error may leave
    // a violation in place, and once Lambda's two retries are spent the event is gone unless an
    // on-failure destination keeps it. Each keeps its failures in `vendguard-<fn>-failures`, alarmed.
    for (const { spec, fn } of this.functions.byName.values()) {
      // a state machine or the CLI waits for their result and shows their errors
      if (spec.trigger.kind === 'stateMachine' || spec.trigger.kind === 'cli') continue;
      this.alarms.onErrors(spec.name, fn);
      const failures = new Queue(this, `Failures-${spec.name}`, {
        queueName: `vendguard-${spec.name}-failures`,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      fn.configureAsyncInvoke({ onFailure: new SqsDestination(failures), retryAttempts: 2 });
      this.failureQueues.set(spec.name, failures);
      this.alarms.onFailedInvocations(spec.name, failures);
    }
  }

  private targetOf(target: RuleDefinition['target'], where: string): RuleTargetRef {
    if (target.kind === 'function') {
      const found = this.functions.byName.get(target.name);
      if (!found) throw new UnknownReferenceError(`${where}: target function "${target.name}" is not in the manifest`);
      return { kind: 'function', fn: found.fn };
    }
    const sm = this.stateMachines.get(target.name);
    if (!sm) throw new UnknownReferenceError(`${where}: target state machine "${target.name}" has no ASL file`);
    return { kind: 'stateMachine', stateMachine: sm.stateMachine };
  }
}

/** The network account's operator role, when the config has a network (its account must have an id). */
function networkRoleOf(
  config: OrganizationConfig,
  deployment: DeploymentContext,
): { accountId: string; roleName: string } | undefined {
  const network = config.network;
  if (!network) return undefined;
  const accountId = deployment.accountIds[network.networkAccount];
  if (!accountId) {
    throw new DeploymentContextError(
      `vendguard:accountIds has no id for ${network.networkAccount} (network.networkAccount of organization.yaml)`,
    );
  }
  return { accountId, roleName: network.operatorRoleName };
}

const envName = (name: string) => `VENDGUARD_${name.toUpperCase().replace(/-/g, '_')}_STATE_MACHINE_ARN`;
