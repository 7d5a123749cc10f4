import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { loadOrganizationConfig } from '../../config/load';
import { loadRules, matchesHubSourcesOnly } from '../../events/rules';
import { FUNCTIONS } from '../../functions/manifest';
import { TARGET_RETRY } from '../../infra/lib/rules';
import { loadAslFiles } from '../../infra/lib/state-machines';
import { buildVendguardApp } from '../../infra/lib/vendguard-app';
import {
  asList,
  type CfnResource,
  cdkJsonContext,
  logicalIdOf,
  type Synthesized,
  statementsOfRole,
  synthesizeApp,
} from './support';

const { config } = loadOrganizationConfig();
const orgId = cdkJsonContext()['vendguard:organizationId'];
/** Actions CDK adds for the function's own log group (runtime plumbing, not manifest actions). */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

let app: Synthesized;
beforeAll(() => {
  app = synthesizeApp();
});

const fnId = (name: string) =>
  logicalIdOf(app.hubTemplate, 'AWS::Lambda::Function', { FunctionName: `vendguard-${name}` });
const roleId = (name: string) => logicalIdOf(app.hubTemplate, 'AWS::IAM::Role', { RoleName: `vendguard-${name}` });
const busId = () => logicalIdOf(app.hubTemplate, 'AWS::Events::EventBus', { Name: 'vendguard' });
const resources = (type: string) => app.hubTemplate.findResources(type) as Record<string, CfnResource>;

/** What an SQS on-failure destination grants the function's role (Lambda delivers as the execution role). */
const FAILURE_DESTINATION_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];

describe('hub stack: functions', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f] as const))(
    'deploys %s on nodejs22.x/arm64 with the Powertools and vendguard environment',
    (name, spec) => {
      app.hubTemplate.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `vendguard-${name}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: ('timeoutSeconds' in spec ? spec.timeoutSeconds : undefined) ?? 30,
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'vendguard',
            LOG_LEVEL: 'INFO',
            VENDGUARD_EVENT_BUS: 'vendguard',
            VENDGUARD_STATE_TABLE: 'vendguard-state',
          }),
        },
      });
    },
  );

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))(
    'gives %s a role with exactly its manifest actions (plus its log group)',
    (name, spec) => {
      const statements = statementsOfRole(app.hubTemplate, roleId(name));
      const granted = new Set(statements.flatMap((s) => asList(s.Action)));
      const allowed = new Set<string>([...spec.actions, ...LOG_ACTIONS]);
      if ('assumesMemberRole' in spec && spec.assumesMemberRole) allowed.add('sts:AssumeRole');
      if ('assumesNetworkRole' in spec && spec.assumesNetworkRole) allowed.add('sts:AssumeRole');
      // an event-triggered function sends its failed invocations to its own on-failure queue (a
      // state machine or the CLI invokes the others synchronously and sees their errors)
      if (spec.trigger.kind !== 'stateMachine' && spec.trigger.kind !== 'cli') {
        for (const a of FAILURE_DESTINATION_ACTIONS) allowed.add(a);
        const destination = statements.filter((st) =>
          asList(st.Action).some((a) => FAILURE_DESTINATION_ACTIONS.includes(a)),
        );
        expect(destination.map((st) => JSON.stringify(st.Resource))).toEqual([
          expect.stringContaining(`Failures${name.replace(/-/g, '')}`),
        ]);
      }
      expect([...granted].filter((a) => !allowed.has(a))).toEqual([]);
      expect(spec.actions.filter((a) => !granted.has(a))).toEqual([]);
      expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    },
  );

  it('lets only member-role and network functions assume a role: the remediation role, or the network operator in the network account', () => {
    const networkAccount = app.network?.account;
    expect(networkAccount).toMatch(/^\d{12}$/);
    for (const spec of FUNCTIONS) {
      const assume = statementsOfRole(app.hubTemplate, roleId(spec.name)).filter((s) =>
        asList(s.Action).includes('sts:AssumeRole'),
      );
      const member = 'assumesMemberRole' in spec && !!spec.assumesMemberRole;
      const network = 'assumesNetworkRole' in spec && !!spec.assumesNetworkRole;
      expect({ name: spec.name, assumes: assume.length > 0 }).toEqual({ name: spec.name, assumes: member || network });
      const resources = assume.map((s) => JSON.stringify(s.Resource)).join(' ');
      if (member) expect(resources).toContain(`:iam::*:role/${config.vending.remediationRoleName}"`);
      if (network) expect(resources).toContain(`:iam::${networkAccount}:role/${config.network?.operatorRoleName}"`);
      if (!member) expect(resources).not.toContain(':iam::*:');
    }
  });

  it('scopes table, bus and secret actions to those resources, never to "*"', () => {
    for (const spec of FUNCTIONS) {
      for (const s of statementsOfRole(app.hubTemplate, roleId(spec.name))) {
        const services = new Set(asList(s.Action).map((a) => a.split(':')[0]));
        if (['dynamodb', 'events', 'secretsmanager', 'states', 'sts'].some((svc) => services.has(svc))) {
          expect(asList(s.Resource)).not.toContain('*');
        }
      }
    }
  });

  it('grants the Slack secret, referenced by its config name, only to the functions that read it', () => {
    for (const spec of FUNCTIONS) {
      const reads = statementsOfRole(app.hubTemplate, roleId(spec.name)).filter((s) =>
        asList(s.Action).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.length > 0).toBe((spec.actions as readonly string[]).includes('secretsmanager:GetSecretValue'));
      for (const s of reads)
        expect(JSON.stringify(s.Resource)).toContain(`secret:${config.slack.webhookSecretName}-??????`);
    }
  });
});

describe('hub stack: state machines', () => {
  const asls = loadAslFiles();

  it('deploys one state machine per ASL file, logging ALL with X-Ray tracing', () => {
    expect(asls.length).toBeGreaterThan(0);
    for (const asl of asls) {
      app.hubTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `vendguard-${asl.name}`,
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
        TracingConfiguration: { Enabled: true },
      });
    }
  });

  it.each(asls.map((a) => [a.name, a] as const))(
    '%s: the definition with its substitutions applied equals the ASL file with its placeholders filled',
    (name, asl) => {
      const id = logicalIdOf(app.hubTemplate, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: `vendguard-${name}`,
      });
      const props = (resources('AWS::StepFunctions::StateMachine')[id]!.Properties ?? {}) as {
        DefinitionString: string;
        DefinitionSubstitutions: Record<string, unknown>;
      };
      const render = (v: unknown): string => {
        const o = v as { Ref?: string; 'Fn::GetAtt'?: string[] };
        if (o.Ref) return `<${o.Ref}>`;
        if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
        return String(v);
      };
      const fill = (text: string, values: Record<string, string>) =>
        text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => values[key] ?? whole);
      const synthesized = fill(
        props.DefinitionString,
        Object.fromEntries(Object.entries(props.DefinitionSubstitutions).map(([k, v]) => [k, render(v)])),
      );
      const expected: Record<string, string> = {
        EventBusName: `<${busId()}>`,
        StateTableName: `<${logicalIdOf(app.hubTemplate, 'AWS::DynamoDB::Table', { TableName: 'vendguard-state' })}>`,
      };
      for (const f of FUNCTIONS) {
        if (f.trigger.kind === 'stateMachine' && f.trigger.stateMachine === name) {
          expected[f.trigger.placeholder] = `<${fnId(f.name)}.Arn>`;
        }
      }
      expect(synthesized).not.toMatch(/\$\{[A-Za-z0-9_]+\}/);
      expect(JSON.parse(synthesized)).toEqual(JSON.parse(fill(asl.text, expected)));
    },
  );

  it('lets each state machine invoke exactly the functions it names', () => {
    for (const asl of asls) {
      const id = logicalIdOf(app.hubTemplate, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: `vendguard-${asl.name}`,
      });
      const roleRef = (resources('AWS::StepFunctions::StateMachine')[id]!.Properties as { RoleArn: unknown })
        .RoleArn as {
        'Fn::GetAtt': string[];
      };
      const invoke = statementsOfRole(app.hubTemplate, roleRef['Fn::GetAtt'][0]!).filter((s) =>
        asList(s.Action).includes('lambda:InvokeFunction'),
      );
      const invoked = invoke
        .flatMap((s) => asList(s.Resource))
        .map((r) => (r as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
      const expected = FUNCTIONS.filter(
        (f) => f.trigger.kind === 'stateMachine' && f.trigger.stateMachine === asl.name,
      ).map((f) => fnId(f.name));
      expect(invoked.sort()).toEqual(expected.sort());
    }
  });
});

describe('hub stack: bus, rules and archive', () => {
  it("limits the bus policy to the organization's forwarding roles (aws:PrincipalOrgID and aws:PrincipalArn)", () => {
    app.hubTemplate.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId() },
      Statement: Match.objectLike({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': orgId },
          ArnLike: {
            'aws:PrincipalArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/vendguard-event-forwarder-*']],
            },
          },
        },
      }),
    });
  });

  it('archives every event of the bus for replay, under the name `vendguard events replay` uses by default', () => {
    app.hubTemplate.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: 'vendguard-archive',
      SourceArn: { 'Fn::GetAtt': [busId(), 'Arn'] },
      EventPattern: { version: ['0'] },
    });
  });

  it.each(loadRules().map((r) => [r.name, r] as const))(
    'deploys rule %s with its pattern, its target, a retry policy and an encrypted TLS-only DLQ',
    (name, rule) => {
      const id = logicalIdOf(app.hubTemplate, 'AWS::Events::Rule', { Name: `vendguard-${name}` });
      const props = resources('AWS::Events::Rule')[id]!.Properties as {
        EventPattern?: unknown;
        EventBusName?: unknown;
        ScheduleExpression?: string;
        Targets: { Arn: unknown; RetryPolicy: unknown; DeadLetterConfig: { Arn: { 'Fn::GetAtt': string[] } } }[];
      };
      // vendguard's own events (findings, vending outcomes) count only from the hub account
      if (rule.pattern)
        expect(props.EventPattern).toEqual(
          matchesHubSourcesOnly(rule) ? { ...rule.pattern, account: [{ Ref: 'AWS::AccountId' }] } : rule.pattern,
        );
      if (rule.schedule) expect(props.ScheduleExpression).toBe(rule.schedule);
      if (rule.eventBus === 'vendguard') expect(props.EventBusName).toEqual({ Ref: busId() });
      expect(props.Targets).toHaveLength(1);
      const target = props.Targets[0]!;
      const targetId =
        rule.target.kind === 'function'
          ? fnId(rule.target.name)
          : logicalIdOf(app.hubTemplate, 'AWS::StepFunctions::StateMachine', {
              StateMachineName: `vendguard-${rule.target.name}`,
            });
      expect(JSON.stringify(target.Arn)).toContain(targetId);
      expect(target.RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: TARGET_RETRY.maxEventAge.toSeconds(),
        MaximumRetryAttempts: TARGET_RETRY.retryAttempts,
      });
      const queueId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0]!;
      expect(resources('AWS::SQS::Queue')[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      const policies = Object.values(resources('AWS::SQS::QueuePolicy')).filter((p) =>
        JSON.stringify(p.Properties?.Queues).includes(queueId),
      );
      const statements = policies.flatMap((p) =>
        asList((p.Properties?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
        }),
      );
    },
  );

  it('schedules every schedule-triggered function on the default bus, with retries and a DLQ', () => {
    for (const spec of FUNCTIONS) {
      if (spec.trigger.kind !== 'schedule') continue;
      app.hubTemplate.hasResourceProperties('AWS::Events::Rule', {
        Name: `vendguard-${spec.name}-schedule`,
        ScheduleExpression: spec.trigger.expression,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [fnId(spec.name), 'Arn'] },
            RetryPolicy: Match.anyValue(),
            DeadLetterConfig: Match.anyValue(),
          }),
        ],
      });
    }
  });

  it('gives vend-start the vending state machine ARN', () => {
    const vendStart = resources('AWS::Lambda::Function')[fnId('vend-start')]!.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    expect(JSON.stringify(vendStart.Environment.Variables.VENDGUARD_VENDING_STATE_MACHINE_ARN)).toContain(
      logicalIdOf(app.hubTemplate, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: 'vendguard-account-vending',
      }),
    );
  });
});

describe('hub stack: state table and alarms', () => {
  it('keeps state in an on-demand, encrypted table with PITR and TTL on expiration', () => {
    app.hubTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'vendguard-state',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('alarms on failed executions, on every DLQ and on every guardrail function error, into one topic', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as Record<string, unknown>,
    );
    const names = alarms.map((a) => a.AlarmName as string);
    for (const asl of loadAslFiles()) expect(names).toContain(`vendguard-${asl.name}-failed-executions`);
    for (const rule of loadRules()) expect(names).toContain(`vendguard-${rule.name}-dlq-depth`);
    for (const spec of FUNCTIONS.filter((f) => f.trigger.kind !== 'stateMachine' && f.trigger.kind !== 'cli')) {
      expect(names).toContain(`vendguard-${spec.name}-errors`);
    }
    const topicId = logicalIdOf(app.hubTemplate, 'AWS::SNS::Topic', { TopicName: 'vendguard-alarms' });
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});

describe('synth-time checks', () => {
  it('refuses an ASL file with a placeholder that nothing fills', () => {
    const bare = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    buildVendguardApp(bare, {
      nag: false,
      stateMachines: [
        ...loadAslFiles(),
        {
          name: 'broken',
          path: 'statemachines/broken.asl.json',
          text: JSON.stringify({
            StartAt: 'A',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template literal
            States: { A: { Type: 'Task', Resource: '${NoSuchFunctionArn}', End: true } },
          }),
        },
      ],
    });
    expect(() => bare.synth()).toThrow(/broken\.asl\.json uses \$\{NoSuchFunctionArn\}/);
  });
});

describe('cdk-nag', () => {
  it('leaves no AwsSolutions finding unacknowledged', () => {
    expect(app.nagViolations).toEqual([]);
  });
});
