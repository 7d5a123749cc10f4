/**
 * The dead-letter store of alerts that could not be delivered: kept (never silently dropped) in the
 * state table as `slack-deadletter#<key>` with the payload and the last error, until someone
 * redelivers or deletes them.
 */

import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { stateKey } from '../state-key';
import type { SlackMessage } from './blockkit';

/** One undelivered alert. */
export interface DeadLetter {
  readonly key: string;
  readonly kind: string;
  readonly channel: string;
  readonly routeReason: string;
  readonly payload: SlackMessage;
  /** Name of the last error (`SlackDeliveryError`, `SlackWebhookUnavailableError`, …). */
  readonly errorName: string;
  /** Its message, already free of the webhook URL. */
  readonly error: string;
  readonly status?: number;
  readonly attempts: number;
  /** ISO time of the failure. */
  readonly failedAt: string;
}

export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<void>;
}

/** The id of a dead letter in the state table. */
export const deadLetterItemId = (key: string) => stateKey('slack-deadletter#', key);

/** In-process store (unit tests). */
export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly letters: DeadLetter[] = [];

  async put(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }
}

/** Dead letters in DynamoDB, one item per key (a later failure of the same alert replaces it). */
export class DynamoDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          id: { S: deadLetterItemId(letter.key) },
          kind: { S: letter.kind },
          channel: { S: letter.channel },
          routeReason: { S: letter.routeReason },
          payload: { S: JSON.stringify(letter.payload) },
          errorName: { S: letter.errorName },
          error: { S: letter.error },
          attempts: { N: String(letter.attempts) },
          failedAt: { S: letter.failedAt },
          ...(letter.status !== undefined ? { status: { N: String(letter.status) } } : {}),
        },
      }),
    );
  }
}
