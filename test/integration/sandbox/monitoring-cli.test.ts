/**
 * The installed AWS CLIs against CloudWatch (the AWS CLI v1 speaks JSON with the query error codes,
 * v2 2.9 the query protocol), KMS, CloudWatch Logs and Secrets Manager: each round trip as a user
 * would type it.
 */
import { type AwsCli as Cli, type CliResult, errorLine, installedAwsClis, runAws } from '../../helpers/aws-cli';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const clis: Cli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
}, 30_000);
afterAll(() => sb?.stop());

const aws = (cli: Cli, args: string[]): Promise<CliResult> => runAws(cli.path, sb.endpoint, args);
const json = (out: CliResult) => {
  if (out.code !== 0) throw new Error(`${out.cli} failed: ${out.stderr}`);
  return out.stdout.trim() === '' ? {} : JSON.parse(out.stdout);
};

describeClis('$path (v$major)', (cli) => {
  const tag = `v${cli.major}`;

  it('put-metric-alarm, describe-alarms, set-alarm-state and describe-alarm-history', async () => {
    const topic = `arn:aws:sns:eu-west-1:${sb.runtime.managementAccountId}:cli-${tag}-alarms`;
    const name = `cli-${tag}-errors`;
    json(
      await aws(cli, [
        'cloudwatch',
        'put-metric-alarm',
        '--alarm-name',
        name,
        '--metric-name',
        'Errors',
        '--namespace',
        'AWS/Lambda',
        '--statistic',
        'Sum',
        '--period',
        '300',
        '--threshold',
        '1',
        '--comparison-operator',
        'GreaterThanOrEqualToThreshold',
        '--evaluation-periods',
        '1',
        '--dimensions',
        'Name=FunctionName,Value=vendguard-notify-slack',
        '--alarm-actions',
        topic,
        '--treat-missing-data',
        'notBreaching',
        '--tags',
        'Key=team,Value=platform',
      ]),
    );
    const described = json(await aws(cli, ['cloudwatch', 'describe-alarms', '--alarm-names', name]));
    expect(described.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: name,
        AlarmArn: `arn:aws:cloudwatch:eu-west-1:${sb.runtime.managementAccountId}:alarm:${name}`,
        AlarmActions: [topic],
        StateValue: 'INSUFFICIENT_DATA',
        Dimensions: [{ Name: 'FunctionName', Value: 'vendguard-notify-slack' }],
        Period: 300,
        Threshold: 1,
        ActionsEnabled: true,
      }),
    ]);
    json(
      await aws(cli, [
        'cloudwatch',
        'set-alarm-state',
        '--alarm-name',
        name,
        '--state-value',
        'OK',
        '--state-reason',
        'by hand',
      ]),
    );
    const history = json(
      await aws(cli, [
        'cloudwatch',
        'describe-alarm-history',
        '--alarm-name',
        name,
        '--history-item-type',
        'StateUpdate',
      ]),
    );
    expect(history.AlarmHistoryItems[0].HistorySummary).toBe('Alarm updated from INSUFFICIENT_DATA to OK');
    const tags = json(
      await aws(cli, ['cloudwatch', 'list-tags-for-resource', '--resource-arn', described.MetricAlarms[0].AlarmArn]),
    );
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
  });

  it('answers a refused alarm with the query error code', async () => {
    const out = await aws(cli, [
      'cloudwatch',
      'put-metric-alarm',
      '--alarm-name',
      `cli-${tag}-bad`,
      '--metric-name',
      'Errors',
      '--namespace',
      'AWS/Lambda',
      '--statistic',
      'Sum',
      '--period',
      '45',
      '--threshold',
      '1',
      '--comparison-operator',
      'GreaterThanThreshold',
      '--evaluation-periods',
      '1',
    ]);
    expect(out.code).not.toBe(0);
    expect(errorLine(out)).toBe(
      'An error occurred (ValidationError) when calling the PutMetricAlarm operation: Period must be 10, 30 or a multiple of 60',
    );
    const missing = await aws(cli, [
      'cloudwatch',
      'set-alarm-state',
      '--alarm-name',
      `cli-${tag}-none`,
      '--state-value',
      'OK',
      '--state-reason',
      'x',
    ]);
    expect(errorLine(missing)).toBe(
      `An error occurred (ResourceNotFound) when calling the SetAlarmState operation: Alarm cli-${tag}-none not found`,
    );
  });

  it('create-key, create-alias and list-aliases', async () => {
    const key = json(await aws(cli, ['kms', 'create-key', '--description', `cli ${tag}`])).KeyMetadata;
    expect(key).toMatchObject({ KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', Description: `cli ${tag}` });
    json(await aws(cli, ['kms', 'create-alias', '--alias-name', `alias/cli-${tag}`, '--target-key-id', key.KeyId]));
    const { Aliases } = json(await aws(cli, ['kms', 'list-aliases', '--key-id', key.Arn]));
    expect(Aliases).toEqual([expect.objectContaining({ AliasName: `alias/cli-${tag}`, TargetKeyId: key.KeyId })]);
    const policy = json(
      await aws(cli, ['kms', 'get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default']),
    ).Policy;
    expect(JSON.parse(policy).Statement[0].Sid).toBe('Enable IAM User Permissions');
    const reserved = await aws(cli, [
      'kms',
      'create-alias',
      '--alias-name',
      'alias/aws/s3',
      '--target-key-id',
      key.KeyId,
    ]);
    expect(errorLine(reserved)).toMatch(
      /^An error occurred \(NotAuthorizedException\) when calling the CreateAlias operation/,
    );
  });

  it('create-log-group and describe-log-groups', async () => {
    json(await aws(cli, ['logs', 'create-log-group', '--log-group-name', `/cli/${tag}`]));
    json(
      await aws(cli, ['logs', 'put-retention-policy', '--log-group-name', `/cli/${tag}`, '--retention-in-days', '30']),
    );
    const { logGroups } = json(
      await aws(cli, ['logs', 'describe-log-groups', '--log-group-name-prefix', `/cli/${tag}`]),
    );
    expect(logGroups).toEqual([
      expect.objectContaining({
        logGroupName: `/cli/${tag}`,
        retentionInDays: 30,
        storedBytes: 0,
        arn: `arn:aws:logs:eu-west-1:${sb.runtime.managementAccountId}:log-group:/cli/${tag}:*`,
      }),
    ]);
    const again = await aws(cli, ['logs', 'create-log-group', '--log-group-name', `/cli/${tag}`]);
    expect(errorLine(again)).toBe(
      'An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation: The specified log group already exists',
    );
  });

  it('create-secret and get-secret-value', async () => {
    const created = json(
      await aws(cli, ['secretsmanager', 'create-secret', '--name', `cli/${tag}`, '--secret-string', '{"token":"abc"}']),
    );
    expect(created.ARN).toMatch(new RegExp(`:secret:cli/${tag}-[A-Za-z0-9]{6}$`));
    const value = json(await aws(cli, ['secretsmanager', 'get-secret-value', '--secret-id', `cli/${tag}`]));
    expect(value).toMatchObject({ Name: `cli/${tag}`, SecretString: '{"token":"abc"}', VersionStages: ['AWSCURRENT'] });
    json(
      await aws(cli, [
        'secretsmanager',
        'delete-secret',
        '--secret-id',
        `cli/${tag}`,
        '--recovery-window-in-days',
        '7',
      ]),
    );
    const gone = await aws(cli, ['secretsmanager', 'get-secret-value', '--secret-id', `cli/${tag}`]);
    expect(errorLine(gone)).toBe(
      "An error occurred (InvalidRequestException) when calling the GetSecretValue operation: You can't perform this operation on the secret because it was marked for deletion.",
    );
  });
});
