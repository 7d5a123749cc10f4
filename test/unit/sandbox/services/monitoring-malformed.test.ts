import type { SandboxRuntime, ServiceDefinition } from '../../../../sandbox/core/types';
import { AwsServiceError } from '../../../../sandbox/core/types';
import { createCloudWatchService } from '../../../../sandbox/services/cloudwatch';
import { createKmsService } from '../../../../sandbox/services/kms';
import { createLogsService } from '../../../../sandbox/services/logs';
import { createSecretsManagerService } from '../../../../sandbox/services/secretsmanager';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/** Inputs a broken client could send to CloudWatch, KMS, Logs or Secrets Manager: nothing, wrong types, lists for scalars. */
const GARBAGE: Record<string, unknown>[] = [
  {},
  { AlarmName: ['x'], AlarmNames: 'x', Dimensions: 'd', Tags: { a: 1 }, Metrics: 'm', StateValue: 7, Period: 'soon' },
  {
    AlarmName: 'a',
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 1,
    Metrics: [{}],
    Dimensions: [null],
  },
  {
    KeyId: ['k'],
    AliasName: 5,
    TargetKeyId: {},
    Policy: 12,
    Tags: 'x',
    Plaintext: 3,
    CiphertextBlob: [],
    EncryptionContext: 'c',
  },
  {
    KeyId: 'alias/x',
    Plaintext: '!!',
    NumberOfBytes: 'n',
    KeySpec: 1,
    Limit: 'ten',
    Marker: 5,
    PendingWindowInDays: '7',
  },
  {
    logGroupName: ['g'],
    tags: 'x',
    retentionInDays: '30',
    logEvents: [{}],
    limit: {},
    logStreamName: 5,
    resourceArn: 1,
  },
  { logGroupName: 'g', logStreamName: 's', logEvents: 'e', startTime: 'x', nextToken: 'f/x' },
  { SecretId: ['s'], Name: 3, SecretString: 4, Tags: 'x', Filters: 'f', VersionStages: 's', ClientRequestToken: 9 },
  {
    SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
    RecoveryWindowInDays: 'x',
    ResourcePolicy: '{',
    Filters: [{}],
  },
];

const SERVICES: [string, string, (rt: SandboxRuntime) => ServiceDefinition][] = [
  ['CloudWatch', 'monitoring', createCloudWatchService],
  ['KMS', 'kms', createKmsService],
  ['CloudWatch Logs', 'logs', createLogsService],
  ['Secrets Manager', 'secretsmanager', createSecretsManagerService],
];

describe.each(SERVICES)('malformed requests to %s', (_what, name, create) => {
  let rt: TestRuntime;
  beforeEach(() => {
    rt = createTestRuntime();
  });
  afterEach(() => rt.close());

  it('answers every operation with an AWS error, never a crash', async () => {
    const service = create(rt);
    const crashes: string[] = [];
    for (const [operation, handler] of Object.entries(service.operations)) {
      for (const input of GARBAGE) {
        try {
          service.authorization?.(operation, input, rt.context(operation, { service: name }));
        } catch (err) {
          crashes.push(`authorization of ${operation} ${JSON.stringify(input)}: ${String(err)}`);
        }
        try {
          await handler(input, rt.context(operation, { service: name }));
        } catch (err) {
          if (!(err instanceof AwsServiceError)) crashes.push(`${operation} ${JSON.stringify(input)}: ${String(err)}`);
        }
      }
    }
    expect(crashes).toEqual([]);
  });
});
