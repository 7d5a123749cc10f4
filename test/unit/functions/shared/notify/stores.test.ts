import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDeadLetterStore } from '../../../../../functions/shared/notify/deadletter';
import { DynamoDedupeStore, MemoryDedupeStore } from '../../../../../functions/shared/notify/dedupe';

const ddb = mockClient(DynamoDBClient);
beforeEach(() => ddb.reset());

describe('MemoryDedupeStore', () => {
  it('claims a key once until it expires, and again after release', async () => {
    const store = new MemoryDedupeStore();
    expect(await store.claim('k', 100, 1000)).toBe(true);
    expect(await store.claim('k', 999, 2000)).toBe(false);
    expect(await store.claim('k', 1000, 2000)).toBe(true);
    await store.release('k');
    expect(await store.claim('k', 1001, 3000)).toBe(true);
  });
});

describe('DynamoDedupeStore', () => {
  const store = new DynamoDedupeStore(new DynamoDBClient({ region: 'eu-west-1' }), 'vendguard-state');

  it('claims with a conditional PutItem carrying the TTL attribute `expiration`', async () => {
    ddb.on(PutItemCommand).resolves({});
    expect(await store.claim('finding:x', 1_000, 1_900)).toBe(true);
    const input = ddb.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'vendguard-state',
      Item: { id: { S: 'slack-dedupe#finding:x' }, expiration: { N: '1900' } },
      ConditionExpression: 'attribute_not_exists(id) OR #expiration <= :now',
      ExpressionAttributeValues: { ':now': { N: '1000' } },
    });
  });

  it('reports a held claim as a duplicate', async () => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'held', $metadata: {} }));
    expect(await store.claim('finding:x', 1_000, 1_900)).toBe(false);
  });

  it('lets other DynamoDB errors through', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(store.claim('finding:x', 1_000, 1_900)).rejects.toThrow('slow down');
  });

  it('releases with DeleteItem', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    await store.release('finding:x');
    expect(ddb.commandCalls(DeleteItemCommand)[0]?.args[0].input.Key).toEqual({ id: { S: 'slack-dedupe#finding:x' } });
  });
});

describe('DynamoDeadLetterStore', () => {
  it('keeps the payload and the last error as slack-deadletter#<key>, without a TTL', async () => {
    ddb.on(PutItemCommand).resolves({});
    const store = new DynamoDeadLetterStore(new DynamoDBClient({ region: 'eu-west-1' }), 'vendguard-state');
    await store.put({
      key: 'vending:req-1:vended',
      kind: 'vended',
      channel: '#account-vending',
      routeReason: 'kind vending',
      payload: { text: 'hi', blocks: [] },
      errorName: 'SlackDeliveryError',
      error: 'Slack answered HTTP 503',
      status: 503,
      attempts: 6,
      failedAt: '2026-11-26T10:00:00.000Z',
    });
    const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      id: { S: 'slack-deadletter#vending:req-1:vended' },
      payload: { S: '{"text":"hi","blocks":[]}' },
      error: { S: 'Slack answered HTTP 503' },
      status: { N: '503' },
      attempts: { N: '6' },
    });
    expect(item?.expiration).toBeUndefined();
  });
});
