/**
 * Guardrail state in the `vendguard-state` table (partition key `id`, TTL attribute `expiration`):
 * one idempotency record per CloudTrail `eventID`, and one atomic action counter per account and
 * blast-radius window.
 */
import { stateKey } from '../state-key';
import { hubClients, sdk } from './clients';
import { GuardrailStateError } from './errors';
import type { GuardSettings } from './settings';

/** How long an event id is remembered (duplicates later than this are processed again). */
export const EVENT_RECORD_TTL_SECONDS = 24 * 3600;
/** An in-progress claim older than this is considered abandoned (the function timed out). */
export const IN_PROGRESS_SECONDS = 15 * 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The table key of an event's idempotency record. */
export function eventKey(eventId: string): string {
  return stateKey('guardrail#event#', eventId);
}

/**
 * Claims an event for processing with a conditional PutItem. Returns false when the event is
 * already done or being processed (a duplicate delivery).
 *
 * @param ttlSeconds - how long the record is kept; the sweep uses less than its schedule
 */
export async function claimEvent(
  settings: GuardSettings,
  eventId: string,
  ttlSeconds = EVENT_RECORD_TTL_SECONDS,
): Promise<boolean> {
  const now = nowSeconds();
  const { ConditionalCheckFailedException, PutItemCommand } = sdk.dynamodb();
  try {
    await hubClients().dynamodb.send(
      new PutItemCommand({
        TableName: settings.stateTable,
        Item: {
          id: { S: eventKey(eventId) },
          status: { S: 'INPROGRESS' },
          inProgressUntil: { N: String(now + IN_PROGRESS_SECONDS) },
          expiration: { N: String(now + ttlSeconds) },
        },
        ConditionExpression:
          'attribute_not_exists(id) OR expiration < :now OR (#status = :inprogress AND inProgressUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': { N: String(now) }, ':inprogress': { S: 'INPROGRESS' } },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException')
      return false;
    throw new GuardrailStateError(
      `cannot record event ${eventId} in ${settings.stateTable}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Marks a claimed event done with its outcome. */
export async function completeEvent(settings: GuardSettings, eventId: string, outcome: string): Promise<void> {
  const { UpdateItemCommand } = sdk.dynamodb();
  await hubClients().dynamodb.send(
    new UpdateItemCommand({
      TableName: settings.stateTable,
      Key: { id: { S: eventKey(eventId) } },
      UpdateExpression: 'SET #status = :done, outcome = :outcome REMOVE inProgressUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': { S: 'COMPLETED' }, ':outcome': { S: outcome } },
    }),
  );
}

/** Releases a claim so a retried delivery is processed again (after a transient failure). */
export async function releaseEvent(settings: GuardSettings, eventId: string): Promise<void> {
  const { DeleteItemCommand } = sdk.dynamodb();
  await hubClients().dynamodb.send(
    new DeleteItemCommand({ TableName: settings.stateTable, Key: { id: { S: eventKey(eventId) } } }),
  );
}

/** The result of counting one action against an account's blast-radius budget. */
export interface BlastRadiusCount {
  readonly allowed: boolean;
  /** Actions counted in the current window, this one included. */
  readonly count: number;
}

/**
 * Counts one remediation in the account's current window (fixed windows of
 * `windowMinutes`, an atomic `ADD`, expiring with the window). Allowed while the count stays within
 * `maxActionsPerAccount`.
 */
export async function countAction(settings: GuardSettings, accountId: string): Promise<BlastRadiusCount> {
  const windowSeconds = settings.windowMinutes * 60;
  const now = nowSeconds();
  const windowStart = now - (now % windowSeconds);
  const { UpdateItemCommand } = sdk.dynamodb();
  try {
    const out = await hubClients().dynamodb.send(
      new UpdateItemCommand({
        TableName: settings.stateTable,
        Key: { id: { S: `guardrail#blast#${accountId}#${windowStart}` } },
        UpdateExpression: 'ADD actions :one SET expiration = :expiration',
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':expiration': { N: String(windowStart + 2 * windowSeconds) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(out.Attributes?.actions?.N ?? Number.NaN);
    if (!Number.isFinite(count)) throw new Error('UpdateItem returned no action count');
    return { allowed: count <= settings.maxActionsPerAccount, count };
  } catch (err) {
    throw new GuardrailStateError(
      `cannot count the blast-radius budget of account ${accountId} in ${settings.stateTable}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
