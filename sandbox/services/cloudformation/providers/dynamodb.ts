import { AwsServiceError } from '../../../core/types';
import { type DynamoDbAnswer, dynamoDbCall } from '../../dynamodb';
import { type AsyncResourceProvider, generatedName, type ResourceContext, ResourceFailure, str } from '../resources';

/**
 * `AWS::DynamoDB::Table`: a table of the stack's account and region, made by the same dynalite store
 * the DynamoDB API serves (so its validation applies), with its time-to-live setting. Ref is the
 * table name; GetAtt `Arn` (and `StreamArn` when a stream is specified). Point-in-time recovery,
 * encryption, deletion protection and the table class are accepted and not modelled.
 */

async function call(ctx: ResourceContext, operation: string, input: object): Promise<DynamoDbAnswer['body']> {
  const answer = await dynamoDbCall(ctx.runtime, ctx.account, ctx.region, operation, input);
  if (!answer) throw new ResourceFailure('DynamoDB is not served by this sandbox runtime', 'ServiceInternalError');
  if (answer.status >= 400) {
    const type = String(answer.body.__type ?? 'InternalFailure');
    throw new AwsServiceError(
      type.slice(type.indexOf('#') + 1),
      String(answer.body.message || answer.body.Message || type),
      {
        status: answer.status,
      },
    );
  }
  return answer.body;
}

/** Waits (bounded) until the table reaches a status, or is gone (`undefined`), as CloudFormation waits. */
async function waitFor(ctx: ResourceContext, name: string, wanted: string | undefined): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const answer = await dynamoDbCall(ctx.runtime, ctx.account, ctx.region, 'DescribeTable', { TableName: name });
    const status =
      answer && answer.status < 400 ? (answer.body.Table as { TableStatus?: string }).TableStatus : undefined;
    if (status === wanted) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new ResourceFailure(`Table ${name} did not become ${wanted ?? 'deleted'}`, 'NotStabilized');
}

const CREATE_TABLE_KEYS = [
  'AttributeDefinitions',
  'BillingMode',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'ProvisionedThroughput',
  'StreamSpecification',
] as const;

export const tableProvider: AsyncResourceProvider = {
  type: 'AWS::DynamoDB::Table',
  properties: [
    ...CREATE_TABLE_KEYS,
    'TableName',
    'TimeToLiveSpecification',
    'PointInTimeRecoverySpecification',
    'SSESpecification',
    'DeletionProtectionEnabled',
    'TableClass',
    'ContributorInsightsSpecification',
    'Tags',
  ],
  required: ['KeySchema'],
  async create(ctx, props) {
    const name = str(props, 'TableName') ?? generatedName(ctx, 255);
    const input: Record<string, unknown> = { TableName: name };
    for (const key of CREATE_TABLE_KEYS) if (props[key] !== undefined) input[key] = props[key];
    const out = (await call(ctx, 'CreateTable', input)) as {
      TableDescription?: { TableArn?: string; LatestStreamArn?: string };
    };
    await waitFor(ctx, name, 'ACTIVE');
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.Enabled) {
      // dynalite does not implement UpdateTimeToLive (TTL is not enforced in the sandbox): the setting is kept in the template
      await call(ctx, 'UpdateTimeToLive', { TableName: name, TimeToLiveSpecification: ttl }).catch(() => undefined);
    }
    const arn = out.TableDescription?.TableArn ?? `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${name}`;
    return {
      physicalId: name,
      attributes: {
        Arn: arn,
        ...(out.TableDescription?.LatestStreamArn ? { StreamArn: out.TableDescription.LatestStreamArn } : {}),
      },
    };
  },
  async delete(ctx, physicalId) {
    try {
      await call(ctx, 'DeleteTable', { TableName: physicalId });
      await waitFor(ctx, physicalId, undefined);
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceNotFoundException') throw error;
    }
  },
};
