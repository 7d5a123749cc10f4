/**
 * The sandbox side of Slack: an incoming-webhook receiver that answers like Slack (`ok`) and keeps
 * every message in an outbox (store table `slack.outbox`), listed newest first by
 * `GET /_sandbox/alerts?limit=` and by `vendguard sandbox alerts`. In-process functions post here
 * (`SLACK_WEBHOOK_URL=<endpoint>/_sandbox/slack/webhook`); when `VENDGUARD_SLACK_FORWARD_URL` is set
 * (or the user set `SLACK_WEBHOOK_URL` before starting the sandbox) the message is also forwarded
 * to that real webhook.
 *
 * Importing this module registers its control routes and adopts a user-set webhook as the forward
 * target ({@link adoptUserWebhook}).
 */
import { deliver } from '../functions/shared/notify/deliver';
import { redactSecrets } from '../functions/shared/notify/errors';
import { renderPlainText } from '../functions/shared/notify/plain-text';
import { SEVERITY_BADGE } from '../functions/shared/notify/render';
import { type ControlResponse, controlRoute } from './core/control';
import type { SandboxRuntime } from './core/types';

/** The store table of the outbox. */
export const OUTBOX_TABLE = 'slack.outbox';
/** Where in-process functions post (relative to the endpoint). */
export const WEBHOOK_PATH = '/_sandbox/slack/webhook';
export const ALERTS_PATH = '/_sandbox/alerts';

/** One message the sandbox's Slack received. */
export interface OutboxMessage {
  readonly id: string;
  /** Sandbox (simulated) time of receipt, ISO. */
  readonly receivedAt: string;
  readonly channel?: string;
  /** `finding` (with `severity`), `vended`, `vending-failed`, `request-rejected`, `approval-requested` or `message` (anything else). */
  readonly kind: string;
  readonly severity?: string;
  /** The top-level fallback text. */
  readonly text: string;
  /** The blocks rendered as plain text. */
  readonly rendered: string;
  readonly blocks: readonly unknown[];
  /** Forwarding to a real webhook: `pending`, `ok`, `failed: …`; absent when not forwarded. */
  readonly forwarded?: string;
}

/** Reads the kind and severity of a vendguard message from its header. */
export function classify(blocks: readonly unknown[]): { kind: string; severity?: string } {
  const first = blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  const title = first?.type === 'header' ? (first.text?.text ?? '') : '';
  for (const [severity, badge] of Object.entries(SEVERITY_BADGE)) {
    if (title.startsWith(badge)) return { kind: 'finding', severity };
  }
  if (title.includes('Account vended')) return { kind: 'vended' };
  if (title.includes('Account vending failed')) return { kind: 'vending-failed' };
  if (title.includes('Account request rejected')) return { kind: 'request-rejected' };
  if (title.includes('Approval needed')) return { kind: 'approval-requested' };
  return { kind: 'message' };
}

/** The real webhook to forward to, if the user configured one (never the outbox itself). */
function forwardUrl(): string | undefined {
  const url = process.env.VENDGUARD_SLACK_FORWARD_URL;
  return url && !url.includes(WEBHOOK_PATH) ? url : undefined;
}

/**
 * Receives a webhook POST: `400 invalid_payload` for a body that is not a JSON object,
 * `400 no_text` without `text` and `blocks` (as Slack does), else stores it and answers `ok`.
 */
export function receiveWebhook(runtime: SandboxRuntime, body: unknown): ControlResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: 'invalid_payload' };
  const msg = body as { text?: unknown; blocks?: unknown; channel?: unknown };
  const blocks = Array.isArray(msg.blocks) ? (msg.blocks as unknown[]) : [];
  const text = typeof msg.text === 'string' ? msg.text : '';
  if (text === '' && blocks.length === 0) return { status: 400, body: 'no_text' };
  const seq = runtime.store.nextSequence(OUTBOX_TABLE);
  const id = String(seq).padStart(10, '0');
  const target = forwardUrl();
  const record: OutboxMessage = {
    id,
    receivedAt: runtime.clock.now().toISOString(),
    ...(typeof msg.channel === 'string' ? { channel: msg.channel } : {}),
    ...classify(blocks),
    text,
    rendered: blocks.length ? renderPlainText(blocks) : text,
    blocks,
    ...(target ? { forwarded: 'pending' } : {}),
  };
  runtime.store.put(OUTBOX_TABLE, id, record);
  if (target) {
    runtime.track(
      deliver(target, body)
        .then(() => 'ok')
        .catch((err: unknown) => `failed: ${redactSecrets(err instanceof Error ? err.message : String(err), [target])}`)
        .then((forwarded) => runtime.store.put(OUTBOX_TABLE, id, { ...record, forwarded })),
    );
  }
  return { status: 200, body: 'ok' };
}

/** The outbox, newest first; `limit` defaults to 50. */
export function listAlerts(runtime: SandboxRuntime, limit = 50): OutboxMessage[] {
  const all = runtime.store.list<OutboxMessage>(OUTBOX_TABLE);
  return all.reverse().slice(0, Math.max(0, limit));
}

/**
 * In the sandbox process, a webhook the user set in `SLACK_WEBHOOK_URL` becomes the forward target
 * (`VENDGUARD_SLACK_FORWARD_URL`, unless set) and is cleared, so the sandbox points the functions
 * at the outbox: every alert is kept in the outbox and also posted to the user's Slack.
 */
export function adoptUserWebhook(env: NodeJS.ProcessEnv = process.env): void {
  const user = env.SLACK_WEBHOOK_URL;
  if (!user || user.includes(WEBHOOK_PATH)) return;
  env.VENDGUARD_SLACK_FORWARD_URL ||= user;
  delete env.SLACK_WEBHOOK_URL;
}

/** Registers `POST /_sandbox/slack/webhook`, `GET /_sandbox/alerts` and `DELETE /_sandbox/alerts`. */
export function registerSlackOutbox(): void {
  controlRoute('POST', WEBHOOK_PATH, (runtime, body) => receiveWebhook(runtime, body));
  controlRoute('GET', ALERTS_PATH, (runtime, _body, query) => {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 0) {
      return { status: 400, body: { error: 'InvalidLimit', message: 'limit must be a non-negative integer' } };
    }
    return { status: 200, body: { alerts: listAlerts(runtime, limit), total: runtime.store.count(OUTBOX_TABLE) } };
  });
  controlRoute('DELETE', ALERTS_PATH, (runtime) => {
    let removed = 0;
    for (const m of runtime.store.list<OutboxMessage>(OUTBOX_TABLE))
      if (runtime.store.delete(OUTBOX_TABLE, m.id)) removed++;
    return { status: 200, body: { removed } };
  });
}

registerSlackOutbox();
adoptUserWebhook();
