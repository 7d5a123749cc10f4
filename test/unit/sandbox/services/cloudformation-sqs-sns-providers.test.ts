/**
 * The SQS and SNS resource types deploy as the hub template declares them (the properties below are
 * the synthesized `VendguardHub` template's for a rule's dead-letter queue and its policy, and for the
 * alarms topic and its policy), through the SQS and SNS APIs' own functions; the services that deliver
 * to them are then decided by those policies.
 */
import {
  deleteStackResources,
  deployStackResources,
  StackDeploymentError,
} from '../../../../sandbox/services/cloudformation/stack-resources';
import { getTopic, publishToTopic } from '../../../../sandbox/services/sns';
import { topicSubscriptions } from '../../../../sandbox/services/sns/model';
import { peekQueue, sendToQueue } from '../../../../sandbox/services/sqs';
import { getQueue } from '../../../../sandbox/services/sqs/model';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

let rt: TestRuntime;
let account: string;
const region = 'eu-west-1';
const stackId = () =>
  `arn:aws:cloudformation:${region}:${account}:stack/VendguardHub/0f8e7a60-0000-4000-8000-000000000001`;

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
});
afterEach(() => rt.close());

const RULE_ARN = () => `arn:aws:events:${region}:${account}:rule/vendguard/vendguard-igw-created`;
const KEY_ARN = () => `arn:aws:kms:${region}:${account}:key/0f8e7a60-1111-4000-8000-000000000001`;

interface Options {
  readonly visibility?: number;
  readonly queueName?: string;
  readonly extraQueueProps?: Record<string, unknown>;
  readonly topicStatements?: Record<string, unknown>[];
}

function template(o: Options = {}): string {
  return JSON.stringify({
    Resources: {
      RuleigwcreatedDlqF78BE417: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          MessageRetentionPeriod: 1209600,
          QueueName: o.queueName ?? 'vendguard-igw-created-dlq',
          SqsManagedSseEnabled: true,
          ...(o.visibility !== undefined ? { VisibilityTimeout: o.visibility } : {}),
          ...o.extraQueueProps,
        },
        UpdateReplacePolicy: 'Delete',
        DeletionPolicy: 'Delete',
      },
      RuleigwcreatedDlqPolicyE9FF0EE4: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              {
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Resource: { 'Fn::GetAtt': ['RuleigwcreatedDlqF78BE417', 'Arn'] },
              },
              {
                Action: 'sqs:SendMessage',
                Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN() } },
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Resource: { 'Fn::GetAtt': ['RuleigwcreatedDlqF78BE417', 'Arn'] },
                Sid: 'AllowEventRuleVendguardHubRuleigwcreatedRuleF40376D7',
              },
            ],
            Version: '2012-10-17',
          },
          Queues: [{ Ref: 'RuleigwcreatedDlqF78BE417' }],
        },
      },
      AlarmsTopic3A2DFEBA: {
        Type: 'AWS::SNS::Topic',
        Properties: { DisplayName: 'vendguard alarms', KmsMasterKeyId: KEY_ARN(), TopicName: 'vendguard-alarms' },
      },
      AlarmsTopicPolicyED3A875E: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              {
                Action: 'sns:Publish',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                Effect: 'Deny',
                Principal: '*',
                Resource: { Ref: 'AlarmsTopic3A2DFEBA' },
                Sid: 'AllowPublishThroughSSLOnly',
              },
              ...(o.topicStatements ?? []),
            ],
            Version: '2012-10-17',
          },
          Topics: [{ Ref: 'AlarmsTopic3A2DFEBA' }],
        },
      },
    },
  });
}

const deploy = (body: string) =>
  deployStackResources(rt, {
    account,
    region,
    owner: 'stack/VendguardHub',
    stackId: stackId(),
    templateBody: body,
    parameters: [],
  });

const queueArn = (name = 'vendguard-igw-created-dlq') => `arn:aws:sqs:${region}:${account}:${name}`;
const topicArn = () => `arn:aws:sns:${region}:${account}:vendguard-alarms`;
const ALARM = () => `arn:aws:cloudwatch:${region}:${account}:alarm:vendguard-dlq-depth`;

describe('AWS::SQS::Queue and AWS::SQS::QueuePolicy', () => {
  it("creates the hub's dead-letter queue and its policy; Ref and GetAtt as CloudFormation returns them", () => {
    const byId = Object.fromEntries(deploy(template()).map((r) => [r.logicalId, r]));
    const url = `http://127.0.0.1:4566/${account}/vendguard-igw-created-dlq`;
    expect(byId.RuleigwcreatedDlqF78BE417).toMatchObject({
      physicalId: url,
      attributes: { Arn: queueArn(), QueueName: 'vendguard-igw-created-dlq', QueueUrl: url },
    });
    expect(byId.RuleigwcreatedDlqPolicyE9FF0EE4?.physicalId).toMatch(
      /^VendguardHub-RuleigwcreatedDlqPol-[0-9A-F]{12}$/,
    );
    const queue = getQueue(rt, { account, region }, 'vendguard-igw-created-dlq');
    expect(queue?.attributes).toMatchObject({ MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' });
    expect(JSON.parse(queue?.attributes.Policy as string).Statement[1].Principal).toEqual({
      Service: 'events.amazonaws.com',
    });
    expect(queue?.tags).toMatchObject({
      'aws:cloudformation:stack-name': 'VendguardHub',
      'aws:cloudformation:logical-id': 'RuleigwcreatedDlqF78BE417',
    });
  });

  it('lets the rule the policy names deliver a dead letter, over TLS, and no other', () => {
    deploy(template());
    expect(
      sendToQueue(rt, queueArn(), '{"id":"1"}', { senderService: 'events.amazonaws.com', sourceArn: RULE_ARN() }).ok,
    ).toBe(true);
    expect(
      sendToQueue(rt, queueArn(), '{"id":"2"}', { senderService: 'events.amazonaws.com', sourceArn: `${RULE_ARN()}x` })
        .ok,
    ).toBe(false);
    expect(peekQueue(rt, queueArn())?.map((m) => m.body)).toEqual(['{"id":"1"}']);
  });

  it('updates a queue in place, replaces it on a new name, and deleting the stack removes queue and policy', () => {
    deploy(template());
    deploy(template({ visibility: 120 }));
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq')?.attributes.VisibilityTimeout).toBe('120');
    deploy(template());
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq')?.attributes.VisibilityTimeout).toBe('30');
    deploy(template({ queueName: 'vendguard-igw-created-dlq-2' }));
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq')).toBeUndefined();
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq-2')?.attributes.Policy).toBeDefined();
    deleteStackResources(rt, { account, region, owner: 'stack/VendguardHub' });
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq-2')).toBeUndefined();
    expect(getTopic(rt, { account, region }, 'vendguard-alarms')).toBeUndefined();
  });

  it('fails a property it does not model (a FIFO queue) and one SQS refuses, naming the resource', () => {
    const fifo = (() => {
      try {
        deploy(template({ extraQueueProps: { FifoQueue: true } }));
      } catch (e) {
        return e;
      }
    })() as StackDeploymentError;
    expect(fifo).toBeInstanceOf(StackDeploymentError);
    expect(fifo.statusReason).toContain(
      'Properties validation failed for resource RuleigwcreatedDlqF78BE417 with message: #: extraneous key [FifoQueue] is not permitted',
    );
    const range = (() => {
      try {
        deploy(template({ visibility: 50_000 }));
      } catch (e) {
        return e;
      }
    })() as StackDeploymentError;
    expect(range.statusReason).toContain('Invalid value for the parameter VisibilityTimeout.');
    expect(getQueue(rt, { account, region }, 'vendguard-igw-created-dlq')).toBeUndefined();
  });
});

describe('AWS::SNS::Topic, AWS::SNS::TopicPolicy and AWS::SNS::Subscription', () => {
  it("creates the hub's alarms topic with its KMS key recorded and the hub's policy in place of the default", () => {
    const byId = Object.fromEntries(deploy(template()).map((r) => [r.logicalId, r]));
    expect(byId.AlarmsTopic3A2DFEBA).toMatchObject({
      physicalId: topicArn(),
      attributes: { TopicArn: topicArn(), TopicName: 'vendguard-alarms' },
    });
    const topic = getTopic(rt, { account, region }, 'vendguard-alarms');
    expect(topic?.attributes).toMatchObject({ DisplayName: 'vendguard alarms', KmsMasterKeyId: KEY_ARN() });
    expect(JSON.parse(topic?.attributes.Policy as string).Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'AllowPublishThroughSSLOnly',
    ]);
  });

  it("refuses CloudWatch's publish when the topic policy grants it nothing, and admits it once it does", () => {
    deploy(template());
    const refused = publishToTopic(rt, topicArn(), 'ALARM', {
      subject: 'ALARM: "vendguard-dlq-depth"',
      senderService: 'cloudwatch.amazonaws.com',
      sourceArn: ALARM(),
    });
    expect(refused).toEqual({
      ok: false,
      reason: `User: cloudwatch.amazonaws.com is not authorized to perform: sns:Publish on resource: ${topicArn()} because no resource-based policy allows the sns:Publish action`,
    });
    deploy(
      template({
        topicStatements: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: 'AlarmsTopic3A2DFEBA' },
            Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${region}:${account}:alarm:*` } },
          },
        ],
      }),
    );
    const allowed = publishToTopic(rt, topicArn(), 'ALARM', {
      senderService: 'cloudwatch.amazonaws.com',
      sourceArn: ALARM(),
    });
    expect(allowed).toEqual({ ok: true, messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('gives the topic the default policy back when the topic policy is deleted', () => {
    deploy(template());
    const body = JSON.parse(template());
    delete body.Resources.AlarmsTopicPolicyED3A875E;
    deploy(JSON.stringify(body));
    const policy = JSON.parse(getTopic(rt, { account, region }, 'vendguard-alarms')?.attributes.Policy as string);
    expect(policy.Id).toBe('__default_policy_ID');
    // the default policy admits a service publishing for the owner's account (AWS:SourceOwner)
    expect(
      publishToTopic(rt, topicArn(), 'x', { senderService: 'cloudwatch.amazonaws.com', sourceArn: ALARM() }).ok,
    ).toBe(true);
  });

  it('subscribes a queue through the Subscription property and an AWS::SNS::Subscription', () => {
    const body = {
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'inbox' } },
        T: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            TopicName: 'news',
            Subscription: [{ Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Q', 'Arn'] } }],
          },
        },
        S: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'T' },
            Protocol: 'email',
            Endpoint: 'ops@example.com',
            RawMessageDelivery: false,
          },
        },
      },
    };
    const byId = Object.fromEntries(deploy(JSON.stringify(body)).map((r) => [r.logicalId, r]));
    expect(byId.S?.physicalId).toMatch(new RegExp(`^arn:aws:sns:${region}:${account}:news:[0-9a-f-]{36}$`));
    const topic = getTopic(rt, { account, region }, 'news');
    expect(topic && topicSubscriptions(rt, topic).map((s) => [s.protocol, s.endpoint, s.pendingConfirmation])).toEqual([
      ['sqs', queueArn('inbox'), false],
      ['email', 'ops@example.com', true],
    ]);
    deleteStackResources(rt, { account, region, owner: 'stack/VendguardHub' });
    expect(getTopic(rt, { account, region }, 'news')).toBeUndefined();
  });
});
