import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
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

/** A readable copy of a request whose body was already consumed (method, url and headers kept). */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage;
  Object.assign(copy, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    socket: req.socket,
    connection: req.socket,
  });
  return copy;
}

type DynaliteFactory = (options: Record<string, unknown>) => Server;

export function createDynamoDbService(runtime: LocalRuntime): RawHttpService {
  const dir = join(runtime.home, 'dynamodb');
  mkdirSync(dir, { recursive: true });
  // dynalite ships no types; it returns an http.Server whose request listener we call directly.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listener = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  return {
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    errorFamily: 'json',
    // the table a call names (TableName, or the tables of a batch/transaction), as IAM scopes DynamoDB
    authorization: (_operation, body, principal, region) => {
      const tables = new Set<string>();
      try {
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        if (typeof input.TableName === 'string') tables.add(input.TableName);
        if (input.RequestItems && typeof input.RequestItems === 'object') {
          for (const t of Object.keys(input.RequestItems)) tables.add(t);
        }
        if (Array.isArray(input.TransactItems)) {
          for (const item of input.TransactItems as Record<string, { TableName?: unknown }>[]) {
            for (const op of Object.values(item ?? {})) if (typeof op?.TableName === 'string') tables.add(op.TableName);
          }
        }
      } catch {
        // dynalite answers a malformed body with its own SerializationException
      }
      return {
        resources: [...tables].map((t) => `arn:aws:dynamodb:${region}:${principal.accountId}:table/${t}`),
      };
    },
    // dynalite reads the request stream: hand it a stream that replays the body the server verified
    handle: (req, res, call) => {
      // counted until dynalite answered: stop() must not close its database under a request
      // (until dynalite ends its answer, not until the socket closes: stopping closes sockets first)
      inFlight++;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        inFlight--;
        if (inFlight === 0) for (const idle of waiters.splice(0)) idle();
        return end(...args);
      }) as typeof res.end;
      listener(replay(req, call.body), res);
    },
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
    stop: async () => {
      // the requests dynalite is still serving finish first (bounded): closing the database under one
      // makes dynalite throw "Database is closed" from a callback, outside any request
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 3000).unref();
        });
      }
      // dynalite closes its LevelDB only when a listening server closes, so it listens (unused) on loopback
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
