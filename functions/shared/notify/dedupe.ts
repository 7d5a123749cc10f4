/**
 * Deduplication of alerts: the first notification of a key claims it for the dedupe window, later
 * ones within the window are dropped as duplicates. In AWS the claim is a conditional `PutItem` on
 * the state table (`slack-dedupe#<key>`, TTL attribute `expiration`); tests use the memory store.
 */

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { stateKey } from '../state-key';

/** The tiny interface the notifier needs from a dedupe store. */
export interface DedupeStore {
  /**
   * Claims `key` until `expiresAtSec` (epoch seconds). Resolves false when the key is already
   * claimed and its claim has not expired at `nowSec`.
   */
  claim(key: string, nowSec: number, expiresAtSec: number): Promise<boolean>;
  /** Gives a claim up (after a failed delivery, so a retry can post). */
  release(key: string): Promise<void>;
}

/** In-process store (unit tests, and a fallback with no table). */
export class MemoryDedupeStore implements DedupeStore {
  readonly #claims = new Map<string, number>();

  async claim(key: string, nowSec: number, expiresAtSec: number): Promise<boolean> {
    const until = this.#claims.get(key);
    if (until !== undefined && until > nowSec) return false;
    this.#claims.set(key, expiresAtSec);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#claims.delete(key);
  }
}

/** The id of a dedupe claim in the state table. */
export const dedupeItemId = (key: string) => stateKey('slack-dedupe#', key);

/** Claims in DynamoDB: conditional `PutItem`; an expired item (TTL not yet swept) counts as absent. */
export class DynamoDedupeStore implements DedupeStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async claim(key: string, nowSec: number, expiresAtSec: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            id: { S: dedupeItemId(key) },
            expiration: { N: String(expiresAtSec) },
            claimedAt: { N: String(nowSec) },
          },
          ConditionExpression: 'attribute_not_exists(id) OR #expiration <= :now',
          ExpressionAttributeNames: { '#expiration': 'expiration' },
          ExpressionAttributeValues: { ':now': { N: String(nowSec) } },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException')
        return false;
      throw err;
    }
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { id: { S: dedupeItemId(key) } } }));
  }
}
