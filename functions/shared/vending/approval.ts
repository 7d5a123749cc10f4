/**
 * The approval of an account request, kept in the state table while the vending execution waits on
 * its task token: `vend-request-approval` writes it, `vendguard approve` / `reject` read the token
 * and record the decision. One item per request (`approval#<request id>`); a redrive that asks again
 * replaces it with the new token.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/** The error a rejected request's AwaitApproval task fails with (`SendTaskFailure`). */
export const REQUEST_REJECTED_ERROR = 'Vendguard.RequestRejected';

/** What the state table holds for one request's approval. */
export interface ApprovalRecord {
  readonly requestId: string;
  readonly taskToken: string;
  readonly executionArn: string;
  readonly accountName: string;
  readonly ou: string;
  readonly owner: string;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly reason?: string;
}

/** How long a decided or expired approval stays readable (DynamoDB TTL after `expiresAt`). */
const KEEP_AFTER_EXPIRY_SECONDS = 30 * 86_400;

/** The state table key of a request's approval. */
export function approvalKey(requestId: string): string {
  return `approval#${requestId}`;
}

/** The commands an approver runs, as Slack and the CLI print them. */
export function approvalCommands(requestId: string): { approve: string; reject: string } {
  return {
    approve: `npx vendguard approve ${requestId}`,
    reject: `npx vendguard reject ${requestId} --reason "<why>"`,
  };
}

const S = (value: string): AttributeValue => ({ S: value });

function fromItem(item: Record<string, AttributeValue>): ApprovalRecord | undefined {
  const text = (name: string) => item[name]?.S;
  const requestId = text('requestId');
  const taskToken = text('taskToken');
  const status = text('status');
  if (!requestId || !taskToken || (status !== 'pending' && status !== 'approved' && status !== 'rejected')) {
    return undefined;
  }
  const optional = (name: 'decidedBy' | 'decidedAt' | 'reason') => {
    const value = text(name);
    return value !== undefined ? { [name]: value } : {};
  };
  return {
    requestId,
    taskToken,
    status,
    executionArn: text('executionArn') ?? '',
    accountName: text('accountName') ?? '',
    ou: text('ou') ?? '',
    owner: text('owner') ?? '',
    requestedAt: text('requestedAt') ?? '',
    expiresAt: text('expiresAt') ?? '',
    ...optional('decidedBy'),
    ...optional('decidedAt'),
    ...optional('reason'),
  };
}

/** Records a pending approval (replacing one of an earlier attempt of the same request). */
export async function putPendingApproval(
  dynamodb: DynamoDBClient,
  table: string,
  record: Omit<ApprovalRecord, 'status' | 'decidedBy' | 'decidedAt' | 'reason'>,
): Promise<void> {
  const expiration = Math.floor(Date.parse(record.expiresAt) / 1000) + KEEP_AFTER_EXPIRY_SECONDS;
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        id: S(approvalKey(record.requestId)),
        requestId: S(record.requestId),
        taskToken: S(record.taskToken),
        executionArn: S(record.executionArn),
        accountName: S(record.accountName),
        ou: S(record.ou),
        owner: S(record.owner),
        status: S('pending'),
        requestedAt: S(record.requestedAt),
        expiresAt: S(record.expiresAt),
        expiration: { N: String(expiration) },
      },
    }),
  );
}

/** The approval of a request, or undefined when none was asked for. */
export async function getApproval(
  dynamodb: DynamoDBClient,
  table: string,
  requestId: string,
): Promise<ApprovalRecord | undefined> {
  const out = await dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { id: S(approvalKey(requestId)) }, ConsistentRead: true }),
  );
  return out.Item ? fromItem(out.Item) : undefined;
}

/** Every approval still pending (a paginated scan of the state table's `approval#` items). */
export async function listPendingApprovals(dynamodb: DynamoDBClient, table: string): Promise<ApprovalRecord[]> {
  const records: ApprovalRecord[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(#id, :prefix) AND #status = :pending',
        ExpressionAttributeNames: { '#id': 'id', '#status': 'status' },
        ExpressionAttributeValues: { ':prefix': S('approval#'), ':pending': S('pending') },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const record = fromItem(item);
      if (record) records.push(record);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

/**
 * Records a decision on the pending approval of `taskToken` (only if that token is still the one
 * pending: a decision never overwrites another, nor a newer attempt's). Returns whether it did.
 */
export async function recordDecision(
  dynamodb: DynamoDBClient,
  table: string,
  requestId: string,
  decision: { status: 'approved' | 'rejected'; taskToken: string; by: string; at: string; reason?: string },
): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { id: S(approvalKey(requestId)) },
        UpdateExpression: `SET #status = :status, #by = :by, #at = :at${decision.reason !== undefined ? ', #reason = :reason' : ''}`,
        ConditionExpression: '#status = :pending AND #token = :token',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#by': 'decidedBy',
          '#at': 'decidedAt',
          '#token': 'taskToken',
          ...(decision.reason !== undefined ? { '#reason': 'reason' } : {}),
        },
        ExpressionAttributeValues: {
          ':status': S(decision.status),
          ':by': S(decision.by),
          ':at': S(decision.at),
          ':pending': S('pending'),
          ':token': S(decision.taskToken),
          ...(decision.reason !== undefined ? { ':reason': S(decision.reason) } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
