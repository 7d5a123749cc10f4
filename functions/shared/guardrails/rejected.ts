/**
 * Malformed deliveries a guardrail rejected: kept in the state table with the reason and counted,
 * so an operator sees them (`vendguard events rejected`) instead of finding them in logs. One item
 * per distinct delivery (`guardrail#rejected#<sha256 of the delivery>`): EventBridge delivering the
 * same one again counts up `deliveries`. Kept 30 days (TTL).
 */
import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdk } from './clients';

/** How long a rejected delivery stays listed. */
export const REJECTED_TTL_SECONDS = 30 * 86_400;
/** How much of the delivery is kept to look at (its JSON, cut). */
export const SAMPLE_CHARACTERS = 2048;
const PREFIX = 'guardrail#rejected#';

/** A rejected delivery as `vendguard events rejected` lists it. */
export interface RejectedDelivery {
  readonly function: string;
  readonly reason: string;
  /** The `detail.eventID` it carried (cut to 128 characters), when it had one. */
  readonly eventId?: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** How many times it was delivered. */
  readonly deliveries: number;
  /** Its JSON, cut to {@link SAMPLE_CHARACTERS}. */
  readonly sample: string;
  /** The size of its JSON, in characters. */
  readonly size: number;
}

const S = (value: string): AttributeValue => ({ S: value });
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Records (or counts once more) a delivery a guardrail rejected as malformed. */
export async function recordRejected(
  dynamodb: DynamoDBClient,
  table: string,
  rejected: { functionName: string; raw: unknown; reason: string; eventId?: string; now?: Date },
): Promise<void> {
  const json = JSON.stringify(rejected.raw) ?? String(rejected.raw);
  const digest = createHash('sha256').update(json).digest('hex');
  const now = rejected.now ?? new Date();
  const { UpdateItemCommand } = sdk.dynamodb();
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { id: S(`${PREFIX}${digest}`) },
      UpdateExpression:
        'SET #fn = :fn, #reason = :reason, #sample = :sample, #size = :size, #first = if_not_exists(#first, :now), #last = :now, #exp = :exp' +
        `${rejected.eventId !== undefined ? ', #eventId = :eventId' : ''} ADD #deliveries :one`,
      ExpressionAttributeNames: {
        '#fn': 'function',
        '#reason': 'reason',
        '#sample': 'sample',
        '#size': 'size',
        '#first': 'firstSeen',
        '#last': 'lastSeen',
        '#exp': 'expiration',
        '#deliveries': 'deliveries',
        ...(rejected.eventId !== undefined ? { '#eventId': 'eventId' } : {}),
      },
      ExpressionAttributeValues: {
        ':fn': S(rejected.functionName),
        ':reason': S(cut(rejected.reason, 1000)),
        ':sample': S(cut(json, SAMPLE_CHARACTERS)),
        ':size': { N: String(json.length) },
        ':now': S(now.toISOString()),
        ':exp': { N: String(Math.floor(now.getTime() / 1000) + REJECTED_TTL_SECONDS) },
        ':one': { N: '1' },
        ...(rejected.eventId !== undefined ? { ':eventId': S(cut(rejected.eventId, 128)) } : {}),
      },
    }),
  );
}

/** Every rejected delivery still kept, newest first. */
export async function listRejected(dynamodb: DynamoDBClient, table: string): Promise<RejectedDelivery[]> {
  const out: RejectedDelivery[] = [];
  const pages = sdk.dynamodb().paginateScan(
    { client: dynamodb },
    {
      TableName: table,
      FilterExpression: 'begins_with(#id, :prefix)',
      ExpressionAttributeNames: { '#id': 'id' },
      ExpressionAttributeValues: { ':prefix': S(PREFIX) },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const text = (name: string) => item[name]?.S;
      out.push({
        function: text('function') ?? '?',
        reason: text('reason') ?? '',
        ...(text('eventId') !== undefined ? { eventId: text('eventId') as string } : {}),
        firstSeen: text('firstSeen') ?? '',
        lastSeen: text('lastSeen') ?? '',
        deliveries: Number(item.deliveries?.N ?? 0),
        sample: text('sample') ?? '',
        size: Number(item.size?.N ?? 0),
      });
    }
  }
  return out.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
}
