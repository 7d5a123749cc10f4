import { getRole } from '../services/iam/model';
import { FaultConfigError } from './errors';
import { assumedRolePrincipal } from './identity';
import type { LocalRuntime } from './runtime';
import type { SandboxRuntime } from './types';

/**
 * The control API under `/_sandbox/`: health, faults, clock, reset, invocations. Other modules add
 * routes with {@link controlRoute} (the Slack outbox adds `/_sandbox/slack/...`).
 *
 * @example
 * controlRoute('GET', '/_sandbox/slack/messages', (runtime) => ({ status: 200, body: list(runtime) }));
 */

/** A control response: a JSON body (or a string sent as text). */
export interface ControlResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A control route handler: the runtime, the parsed JSON body (or raw text), the query parameters. */
export type ControlHandler = (
  runtime: SandboxRuntime,
  body: unknown,
  query: Record<string, string>,
) => ControlResponse | Promise<ControlResponse>;

const routes = new Map<string, ControlHandler>();

/** Registers (or replaces) a route. `path` is exact, e.g. `/_sandbox/health`. */
export function controlRoute(method: string, path: string, handler: ControlHandler): void {
  routes.set(`${method.toUpperCase()} ${path}`, handler);
}

/** The handler of a route, or undefined. */
export function findControlRoute(method: string, path: string): ControlHandler | undefined {
  return routes.get(`${method.toUpperCase()} ${path.replace(/\/+$/, '')}`);
}

/** Every registered route (`GET /_sandbox/health`, …). */
export function controlRoutes(): string[] {
  return [...routes.keys()].sort();
}

const local = (runtime: SandboxRuntime): LocalRuntime => runtime as LocalRuntime;

controlRoute('GET', '/_sandbox/health', (runtime) => {
  const rt = local(runtime);
  return {
    status: 200,
    body: {
      status: 'ok',
      endpoint: rt.endpoint,
      home: rt.home,
      time: rt.clock.now().toISOString(),
      timeScale: rt.clock.scale,
      seed: rt.seed,
      managementAccountId: rt.managementAccountId,
      requests: rt.stats.requests,
      routes: controlRoutes(),
    },
  };
});

controlRoute('GET', '/_sandbox/faults', (runtime) => ({ status: 200, body: { faults: local(runtime).faults.list() } }));

controlRoute('POST', '/_sandbox/faults', (runtime, body) => {
  try {
    const rules = body && typeof body === 'object' && 'faults' in body ? (body as { faults: unknown }).faults : body;
    return { status: 201, body: { faults: local(runtime).faults.add(rules) } };
  } catch (err) {
    if (err instanceof FaultConfigError) return { status: 400, body: { error: err.name, message: err.message } };
    throw err;
  }
});

controlRoute('DELETE', '/_sandbox/faults', (runtime, _body, query) => ({
  status: 200,
  body: { removed: local(runtime).faults.clear(query.id) },
}));

controlRoute('GET', '/_sandbox/clock', (runtime) => {
  const rt = local(runtime);
  return {
    status: 200,
    body: { time: rt.clock.now().toISOString(), epochMs: rt.clock.nowMs(), scale: rt.clock.scale },
  };
});

controlRoute('POST', '/_sandbox/clock', (runtime, body) => {
  const rt = local(runtime);
  const b = (body ?? {}) as { advanceSeconds?: unknown; advanceMs?: unknown };
  const ms =
    typeof b.advanceMs === 'number'
      ? b.advanceMs
      : typeof b.advanceSeconds === 'number'
        ? b.advanceSeconds * 1000
        : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    return {
      status: 400,
      body: {
        error: 'InvalidClockAdvance',
        message: 'body must be { "advanceSeconds": n } or { "advanceMs": n } with n >= 0',
      },
    };
  }
  rt.clock.advance(ms);
  rt.persistClock();
  return {
    status: 200,
    body: { time: rt.clock.now().toISOString(), epochMs: rt.clock.nowMs(), scale: rt.clock.scale },
  };
});

controlRoute('POST', '/_sandbox/reset', async (runtime) => {
  await local(runtime).reset();
  return { status: 200, body: { reset: true } };
});

controlRoute('GET', '/_sandbox/invocations', (runtime, _body, query) => {
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    return { status: 400, body: { message: `limit must be a positive integer, got "${query.limit}"` } };
  }
  return { status: 200, body: { invocations: local(runtime).functions.recent(limit, query.function) } };
});

controlRoute('GET', '/_sandbox/cloudtrail', (runtime) => ({
  status: 200,
  body: { events: local(runtime).recentTrail },
}));

controlRoute('POST', '/_sandbox/credentials', (runtime, body) => {
  const rt = local(runtime);
  const b = (body ?? {}) as { account?: unknown; role?: unknown; session?: unknown; durationSeconds?: unknown };
  const account = typeof b.account === 'string' && b.account !== '' ? b.account : 'management';
  const accountId = /^\d{12}$/.test(account) ? account : rt.organizations.accountIdByName(account);
  if (!accountId || !rt.organizations.accountExists(accountId)) {
    return {
      status: 404,
      body: { error: 'AccountNotFound', message: `no ACTIVE sandbox account named or numbered ${account}` },
    };
  }
  const role = typeof b.role === 'string' && b.role !== '' ? b.role : rt.config.vending.accountAccessRoleName;
  const record = getRole(rt.store, accountId, role);
  if (!record) {
    return {
      status: 404,
      body: { error: 'NoSuchEntity', message: `account ${accountId} has no role named ${role}` },
    };
  }
  const session = typeof b.session === 'string' && b.session !== '' ? b.session : 'sandbox-cli';
  const maxSeconds = record.maxSessionDuration;
  const duration = b.durationSeconds === undefined ? Math.min(3600, maxSeconds) : b.durationSeconds;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 900 || duration > maxSeconds) {
    return {
      status: 400,
      body: {
        error: 'ValidationError',
        message: `durationSeconds must be an integer from 900 to ${maxSeconds} (the MaxSessionDuration of ${role})`,
      },
    };
  }
  const principal = assumedRolePrincipal(accountId, record.roleName, session);
  const creds = rt.registerPrincipal(principal, { expiresAtMs: rt.clock.nowMs() + duration * 1000 });
  return {
    status: 200,
    body: {
      accountId,
      arn: principal.arn,
      region: rt.homeRegion,
      endpoint: rt.endpoint,
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
      expiration: creds.expiration?.toISOString(),
    },
  };
});
