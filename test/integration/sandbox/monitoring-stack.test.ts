/**
 * The hub's CloudWatch alarms, KMS key and alias, and log groups, exactly as the CDK app synthesizes
 * them, deploy through CloudFormation in a member account standing in for a hub (the references to
 * resources of other types are replaced by the values they would have), and go with the stack.
 */
import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App } from 'aws-cdk-lib';
import { STACK_TABLES } from '../../../sandbox/services/cloudformation';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::Logs::LogGroup']);

let sb: TestSandbox;
let account: string;
let template: { Resources: Record<string, { Type: string; Properties?: unknown }>; [k: string]: unknown };

type Json = unknown;

/** Replaces `Ref`/`Fn::GetAtt` of resources the test does not deploy by a value of the right shape. */
function detach(value: Json, kept: ReadonlySet<string>, topicArn: string): Json {
  if (Array.isArray(value)) return value.map((v) => detach(v, kept, topicArn));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, Json>);
  if (entries.length === 1) {
    const [[key, arg]] = entries as [[string, Json]];
    if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::') && !kept.has(arg)) {
      return arg.startsWith('AlarmsTopic') ? topicArn : `stand-in-for-${arg}`;
    }
    if (key === 'Fn::GetAtt' && Array.isArray(arg) && !kept.has(String(arg[0]))) return `stand-in-for-${arg.join('.')}`;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, detach(v, kept, topicArn)]));
}

beforeAll(async () => {
  sb = await startTestSandbox();
  account = sb.accountId('log-archive');
  const { buildVendguardApp } = await import('../../../infra/lib/vendguard-app');
  const context = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
  const app = new App({ context });
  const { hub } = buildVendguardApp(app, { nag: false });
  const full = app.synth().getStackByName(hub.stackName).template as typeof template;
  const kept = new Set(
    Object.entries(full.Resources)
      .filter(([, r]) => TYPES.has(r.Type))
      .map(([id]) => id),
  );
  const topicArn = `arn:aws:sns:eu-west-1:${account}:vendguard-alarms`;
  template = {
    ...full,
    Resources: Object.fromEntries(
      [...kept].map((id) => [id, detach(full.Resources[id], kept, topicArn) as { Type: string }]),
    ),
  };
  delete template.Outputs;
  sb.runtime.store.put(STACK_TABLES.ssmParameters, `${account}/eu-west-1//cdk-bootstrap/hnb659fds/version`, {
    Value: '27',
  });
}, 60_000);
afterAll(() => sb?.stop());

async function settled(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let stack: Stack | undefined;
    try {
      [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
    } catch (error) {
      if ((error as Error).message === `Stack with id ${name} does not exist`) return undefined;
      throw error;
    }
    if (stack && !stack.StackStatus?.endsWith('IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`stack ${name} did not settle: ${stack?.StackStatus}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it("deploys the hub's alarms, key, alias and log groups, and deletes them with the stack", async () => {
  const types = Object.values(template.Resources).map((r) => r.Type);
  expect(new Set(types)).toEqual(TYPES);
  const cfn = sb.client(CloudFormationClient, { accountId: account });
  await cfn.send(new CreateStackCommand({ StackName: 'hub-monitoring', TemplateBody: JSON.stringify(template) }));
  const stack = await settled(cfn, 'hub-monitoring');
  expect([stack?.StackStatus, stack?.StackStatusReason]).toEqual(['CREATE_COMPLETE', undefined]);

  const as = { accountId: account };
  const alarms = await sb
    .client(CloudWatchClient, as)
    .send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'vendguard-' }));
  expect(alarms.MetricAlarms?.length).toBe(types.filter((t) => t === 'AWS::CloudWatch::Alarm').length);
  expect(alarms.MetricAlarms?.find((a) => a.AlarmName === 'vendguard-notify-slack-errors')).toMatchObject({
    AlarmActions: [`arn:aws:sns:eu-west-1:${account}:vendguard-alarms`],
    TreatMissingData: 'notBreaching',
    StateValue: 'INSUFFICIENT_DATA',
  });
  const kms = sb.client(KMSClient, as);
  const key = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/vendguard-alarms' }))).KeyMetadata;
  expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key?.KeyId }))).KeyRotationEnabled).toBe(true);
  const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key?.KeyId }))).Policy as string);
  expect(policy.Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${account}:root` });
  const groups = await sb
    .client(CloudWatchLogsClient, as)
    .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/' }));
  expect(groups.logGroups?.find((g) => g.logGroupName === '/aws/lambda/vendguard-notify-slack')?.retentionInDays).toBe(
    30,
  );

  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'hub-monitoring' }));
  expect(StackResourceSummaries?.find((r) => r.ResourceType === 'AWS::KMS::Key')?.PhysicalResourceId).toBe(key?.KeyId);

  await cfn.send(new DeleteStackCommand({ StackName: 'hub-monitoring' }));
  expect(await settled(cfn, 'hub-monitoring')).toBeUndefined();
  expect(
    (await sb.client(CloudWatchClient, as).send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'vendguard-' })))
      .MetricAlarms,
  ).toEqual([]);
  expect(
    (await sb.client(CloudWatchLogsClient, as).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/' })))
      .logGroups,
  ).toEqual([]);
});

it('makes a secret with a generated password, and deletes it with the stack', async () => {
  const cfn = sb.client(CloudFormationClient, { accountId: account });
  const body = JSON.stringify({
    Resources: {
      Db: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Name: 'hub/db',
          GenerateSecretString: {
            SecretStringTemplate: '{"username":"vendguard"}',
            GenerateStringKey: 'password',
            ExcludePunctuation: true,
          },
        },
      },
    },
    Outputs: { Arn: { Value: { Ref: 'Db' } } },
  });
  await cfn.send(new CreateStackCommand({ StackName: 'hub-secret', TemplateBody: body }));
  const stack = await settled(cfn, 'hub-secret');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  const arn = stack?.Outputs?.[0]?.OutputValue as string;
  expect(arn).toMatch(new RegExp(`^arn:aws:secretsmanager:eu-west-1:${account}:secret:hub/db-[A-Za-z0-9]{6}$`));
  const sm = sb.client(SecretsManagerClient, { accountId: account });
  const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString as string);
  expect(value).toEqual({ username: 'vendguard', password: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
  await cfn.send(new DeleteStackCommand({ StackName: 'hub-secret' }));
  expect(await settled(cfn, 'hub-secret')).toBeUndefined();
  await expect(sm.send(new GetSecretValueCommand({ SecretId: 'hub/db' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});
