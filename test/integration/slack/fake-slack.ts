import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the fake Slack. */
export interface FakeAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** A request the fake Slack received. */
export interface FakeRequest {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/**
 * A Slack incoming-webhook stand-in on loopback (node:http, port 0): answers from a script, then
 * `200 ok`, and records every request.
 */
export interface FakeSlack {
  /** The webhook URL, with a secret-looking path. */
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Queues answers for the next requests. */
  script(...answers: FakeAnswer[]): void;
  /** Every later request gets this answer (until `script` or `reset`). */
  always(answer: FakeAnswer | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export const SECRET_PATH = '/services/T0SECRET1/B0SECRET2/xoxSuperSecretToken123';

export async function startFakeSlack(): Promise<FakeSlack> {
  const queue: FakeAnswer[] = [];
  let fallback: FakeAnswer | undefined;
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      const answer = queue.shift() ?? fallback ?? { status: 200, body: 'ok' };
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? (answer.status === 200 ? 'ok' : 'error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${SECRET_PATH}`,
    requests,
    script: (...answers) => queue.push(...answers),
    always: (answer) => {
      fallback = answer;
    },
    reset: () => {
      queue.length = 0;
      fallback = undefined;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A sleep that records what it was asked and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}
