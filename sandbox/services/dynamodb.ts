import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalRuntime } from '../core/runtime';
import type { RawHttpService } from '../core/server';

/**
 * DynamoDB through dynalite (LevelDB under `<home>/dynamodb`): the server hands it the raw HTTP
 * request. On start the state table `vendguard-state` (pk `id`, TTL `expiration`) is created if absent.
 */

export const STATE_TABLE = 'vendguard-state';

type DynaliteFactory = (options: Record<string, unknown>) => Server;

export function createDynamoDbService(runtime: LocalRuntime): RawHttpService {
  const dir = join(runtime.home, 'dynamodb');
  mkdirSync(dir, { recursive: true });
  // dynalite ships no types; it returns an http.Server whose request listener we call directly.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listener = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  return {
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    handle: (req, res) => listener(req, res),
    start: async (rt) => {
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const creds = rt.hubCredentials();
      const client = new DynamoDBClient({
        endpoint: rt.endpoint,
        region: rt.homeRegion,
        credentials: creds,
        maxAttempts: 2,
      });
      try {
        try {
          await client.send(new DescribeTableCommand({ TableName: STATE_TABLE }));
        } catch (err) {
          if ((err as Error).name !== 'ResourceNotFoundException') throw err;
          await client.send(
            new CreateTableCommand({
              TableName: STATE_TABLE,
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              BillingMode: 'PAY_PER_REQUEST',
            }),
          );
          await client
            .send(
              new UpdateTimeToLiveCommand({
                TableName: STATE_TABLE,
                TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
              }),
            )
            .catch(() => undefined);
        }
      } finally {
        client.destroy();
      }
    },
    stop: () =>
      // dynalite closes its LevelDB only when a listening server closes, so it listens (unused) on loopback
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
