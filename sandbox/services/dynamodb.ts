import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { LocalRuntime } from '../core/runtime';
import type { RawHttpService } from '../core/server';

/**
 * DynamoDB through dynalite: the server hands it the raw HTTP request. Tables belong to an account and
 * region, as on AWS: each scope has its own dynalite store (the hub's under `<home>/dynamodb`, any
 * other under `<home>/dynamodb-scopes/<account>/<region>`, made on first use), whose `TableArn`s name
 * that account and region. The hub's state table is the deployed hub stack's (`AWS::DynamoDB::Table`).
 */

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

interface Store {
  readonly server: Server;
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * A dynalite store for one account and region. dynalite reads the account and region of its ARNs
 * from the environment when the store is created, so they are set for that moment only.
 */
function openStore(dir: string, account: string, region: string): Store {
  mkdirSync(dir, { recursive: true });
  // dynalite ships no types; it returns an http.Server whose request listener we call directly.
  const dynalite = require('dynalite') as DynaliteFactory;
  const saved = { account: process.env.AWS_ACCOUNT_ID, region: process.env.AWS_REGION };
  process.env.AWS_ACCOUNT_ID = account;
  process.env.AWS_REGION = region;
  try {
    const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const listener = server.listeners('request')[0] as Store['listener'];
    return { server, listener };
  } finally {
    if (saved.account === undefined) delete process.env.AWS_ACCOUNT_ID;
    else process.env.AWS_ACCOUNT_ID = saved.account;
    if (saved.region === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved.region;
  }
}

/** What {@link dynamoDbCall} answers: dynalite's status and JSON body. */
export interface DynamoDbAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

type Caller = (account: string, region: string, operation: string, input: object) => Promise<DynamoDbAnswer>;
const callers = new WeakMap<object, Caller>();

/**
 * Runs a DynamoDB operation in an account and region on a service's behalf (CloudFormation making a
 * table), through dynalite's own validation; undefined when the runtime serves no DynamoDB.
 */
export function dynamoDbCall(
  runtime: object,
  account: string,
  region: string,
  operation: string,
  input: object,
): Promise<DynamoDbAnswer> | undefined {
  return callers.get(runtime)?.(account, region, operation, input);
}

export function createDynamoDbService(runtime: LocalRuntime): RawHttpService {
  const stores = new Map<string, Store>();
  const storeFor = (account: string, region: string): Store => {
    const key = `${account}/${region}`;
    let store = stores.get(key);
    if (!store) {
      const hub = account === runtime.managementAccountId && region === runtime.homeRegion;
      const dir = hub ? join(runtime.home, 'dynamodb') : join(runtime.home, 'dynamodb-scopes', account, region);
      store = openStore(dir, account, region);
      // dynalite closes its LevelDB only when its (unused) server closes, so each store listens on loopback
      if (!hub) store.server.listen(0, '127.0.0.1');
      stores.set(key, store);
    }
    return store;
  };
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  callers.set(runtime, (account, region, operation, input) => {
    const body = Buffer.from(JSON.stringify(input));
    const req = Readable.from([body]) as unknown as IncomingMessage;
    Object.assign(req, {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20260101T000000Z',
        // dynalite checks that a signature is present; the sandbox already authorized the caller
        authorization: `AWS4-HMAC-SHA256 Credential=internal/20260101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    return new Promise<DynamoDbAnswer>((resolve) => {
      let status = 200;
      const res = {
        set statusCode(v: number) {
          status = v;
        },
        get statusCode() {
          return status;
        },
        setHeader: () => undefined,
        end: (text?: string) => resolve({ status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }),
      } as unknown as ServerResponse;
      storeFor(account, region).listener(req, res);
    });
  });
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
      storeFor(call.principal.accountId, call.region).listener(replay(req, call.body), res);
    },
    start: async (rt) => {
      const hub = storeFor(rt.managementAccountId, rt.homeRegion);
      if (!hub.server.listening) {
        await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', () => resolve()));
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
      await Promise.all(
        [...stores.values()].map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              if (!server.listening) return resolve();
              server.close(() => resolve());
            }),
        ),
      );
      stores.clear();
    },
  };
}
