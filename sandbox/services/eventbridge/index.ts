/**
 * The sandbox's EventBridge (awsJson1_1, `X-Amz-Target: AWSEvents.<Op>`, signing name `events`):
 * buses `default` and `vendguard`, rules from `events/rules/*.json`, targets that run manifest
 * functions and state machines in-process, the `vendguard-archive` archive and replays, scheduled
 * rules on the sandbox clock, and dead letters under `/_sandbox/deadletters`.
 *
 * @example
 * const { service, bus } = createEventBridgeService(runtime);
 * runtime.bind({ bus });
 * await service.start?.(runtime);
 */

import { randomUUID } from 'node:crypto';
import { controlRoute } from '../../core/control';
import type {
  BusEvent,
  EventBus,
  OperationHandler,
  RequestContext,
  SandboxRuntime,
  ServiceDefinition,
} from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { archiveOperations } from './archive';
import { EventRouter, listDeadLetters, type RuleMetrics, redeliver } from './delivery';
import { InvalidEventPatternError } from './errors';
import {
  type BusRecord,
  busNameOf,
  callScope,
  type DeliveryRecord,
  eventTime,
  hubScope,
  keys,
  parseBusArn,
  requiredString,
  type Scope,
  TABLES,
  validation,
} from './model';
import { compileEventPattern } from './pattern';
import { busPolicy, permissionOperations } from './permissions';
import { ensureBus, ruleOperations } from './rules';
import { Scheduler } from './schedule';
import { busEvents, KEEP_BUS_EVENTS } from './trace';

export type { RuleMetrics } from './delivery';
export { listDeadLetters } from './delivery';
export type { DeadLetterRecord, DeliveryRecord, Scope } from './model';

/** What {@link createEventBridgeService} returns. */
export interface EventBridgeService {
  readonly service: ServiceDefinition;
  /** The bus to bind into the runtime (`runtime.bind({ bus })`). */
  readonly bus: EventBus;
  /** The same object with its test handles (`settle()`, `deliver()`). */
  readonly router: EventRouter;
  readonly scheduler: Scheduler;
}

const MAX_ENTRIES = 10;
/**
 * Most bytes the entries of one PutEvents request may carry together, counted as
 * {@link putEventsEntrySize} does: 1 MB (1,048,576 bytes) since 29 January 2026, 256 KB before.
 * Past it AWS refuses the whole request: `ValidationException` "Total size of the entries in the
 * request is over the limit."
 */
export const MAX_PUT_EVENTS_BYTES = 1024 * 1024;

const utf8Bytes = (v: unknown): number => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);

/**
 * The size of a PutEvents entry as EventBridge calculates it ("Calculating PutEvents event entry
 * size"): `Time` 14 bytes when given; `Source`, `DetailType`, `Detail` and each of `Resources` their
 * UTF-8 bytes. `EventBusName` and `TraceHeader` do not count.
 */
export function putEventsEntrySize(entry: Record<string, unknown>): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time !== undefined && entry.Time !== null ? 14 : 0) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    resources.reduce((sum: number, r: unknown) => sum + utf8Bytes(r), 0)
  );
}

const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'] as const;

const routers = new WeakMap<SandboxRuntime, EventRouter>();

/**
 * Creates the EventBridge service of a sandbox runtime.
 *
 * @param runtime - the sandbox runtime (store, clock, functions, state machines)
 */
export function createEventBridgeService(runtime: SandboxRuntime): EventBridgeService {
  const router = new EventRouter(runtime);
  const scheduler = new Scheduler(runtime, router);
  routers.set(runtime, router);

  /** The bus an `EventBusName` names for a caller: a name in its own scope, or any bus's ARN. */
  const targetBus = (ctx: RequestContext, value: unknown): BusRecord | undefined => {
    const parsed = typeof value === 'string' ? parseBusArn(value) : undefined;
    const scope: Scope = parsed ?? callScope(ctx);
    const name = parsed?.name ?? busNameOf(value);
    if (name === 'default') return ensureBus(runtime, scope, 'default');
    return runtime.store.get<BusRecord>(TABLES.buses, keys.bus(scope, name));
  };

  const PutEvents: OperationHandler = (input, ctx) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    }
    const total = entries.reduce(
      (sum: number, e: unknown) =>
        sum + (e !== null && typeof e === 'object' ? putEventsEntrySize(e as Record<string, unknown>) : 0),
      0,
    );
    if (total > MAX_PUT_EVENTS_BYTES) throw validation('Total size of the entries in the request is over the limit.');
    const results = entries.map((raw: unknown) => {
      const entry = (raw ?? {}) as Record<string, unknown>;
      for (const field of ['Source', 'DetailType', 'Detail'] as const) {
        if (typeof entry[field] !== 'string' || entry[field] === '') {
          return {
            ErrorCode: 'InvalidArgument',
            ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
          };
        }
      }
      // Only AWS services put `aws.*` events; tests inject them through POST /_sandbox/events.
      const source = entry.Source as string;
      if (source.startsWith('aws.')) {
        return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail as string);
      } catch {
        detail = undefined;
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const target = targetBus(ctx, entry.EventBusName);
      if (!target) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${busNameOf(entry.EventBusName)} does not exist.`,
        };
      }
      const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
      const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : undefined;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source,
        // EventBridge sets the sender's account; a sender cannot choose it
        account: ctx.principal.accountId,
        time: eventTime(time ?? runtime.clock.now()),
        region: ctx.region,
        resources,
        detail: detail as Record<string, unknown>,
      };
      router.accept(target, target.Name, event);
      const id = event.id;
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const TestEventPattern: OperationHandler = (input) => {
    const patternText = requiredString(input, 'EventPattern');
    const eventText = requiredString(input, 'Event');
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation('Parameter Event is not valid. Reason: Event is not valid JSON.');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw validation('Parameter Event is not valid. Reason: Event must be a JSON object.');
    }
    const missing = REQUIRED_EVENT_FIELDS.filter((f) => !(f in event));
    if (missing.length > 0) {
      throw validation(
        `Parameter Event is not valid. Reason: Provided Event is missing required field(s): ${missing.join(', ')}`,
      );
    }
    try {
      return { Result: compileEventPattern(patternText).matches(event) };
    } catch (error) {
      if (error instanceof InvalidEventPatternError)
        throw new AwsServiceError('InvalidEventPatternException', error.message);
      throw error;
    }
  };

  /** The bus and rule ARNs a call touches: the SCPs protect `rule/vendguard-*`, bus policies guard PutEvents. */
  const authorization: ServiceDefinition['authorization'] = (operation, input, ctx) => {
    const account = ctx.principal.accountId;
    const busArn = (value: unknown): string =>
      typeof value === 'string' && value.startsWith('arn:')
        ? value
        : `arn:aws:events:${ctx.region}:${account}:event-bus/${busNameOf(value)}`;
    if (operation === 'PutEvents') {
      const entries = Array.isArray(input.Entries) ? (input.Entries as Record<string, unknown>[]) : [];
      const resources = [...new Set(entries.map((e) => busArn(e?.EventBusName)))];
      // a bus of another account admits the caller only through its resource policy
      const foreign = resources.map(parseBusArn).find((b) => b && b.account !== account);
      if (!foreign) return { resources };
      const bus = runtime.store.get<BusRecord>(TABLES.buses, keys.bus(foreign, foreign.name));
      const policy = bus ? busPolicy(bus) : undefined;
      return {
        resources,
        resourceAccountId: foreign.account,
        ...(policy ? { resourcePolicy: policy } : {}),
      };
    }
    const ruleName = typeof input.Name === 'string' ? input.Name : typeof input.Rule === 'string' ? input.Rule : '';
    if (ruleName && /Rule|Targets/.test(operation)) {
      const bus = busNameOf(input.EventBusName);
      return {
        resources: [`arn:aws:events:${ctx.region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${ruleName}`],
      };
    }
    return {};
  };

  const service: ServiceDefinition = {
    signingName: 'events',
    authorization,
    protocol: 'awsJson1_1',
    targetPrefix: 'AWSEvents',
    eventSource: 'events.amazonaws.com',
    operations: {
      ...ruleOperations(runtime),
      ...permissionOperations(runtime),
      ...archiveOperations(runtime, router),
      PutEvents,
      TestEventPattern,
    },
    // PutEvents is a data event, not a CloudTrail management event (and must not loop back).
    isReadOnly: (operation) => /^(Describe|List|Test)/.test(operation) || operation === 'PutEvents',
    // the hub's bus, rules, archive and forwarding are the deployed hub stack's; default buses are made on first use
    start() {
      registerControlRoutes();
      router.resumePending();
      scheduler.start();
    },
    stop() {
      scheduler.stop();
    },
  };
  return { service, bus: router, router, scheduler };
}

/** The recent deliveries (newest last), optionally of one rule name. */
export function listDeliveries(runtime: SandboxRuntime, limit = 100, rule?: string): DeliveryRecord[] {
  const all = runtime.store.list<DeliveryRecord>(TABLES.deliveries);
  const filtered = rule ? all.filter((d) => d.rule.endsWith(`/${rule}`)) : all;
  return filtered.slice(-limit);
}

/** `Invocations` and `FailedInvocations` of the rules of a scope (the hub's by default). */
export function ruleMetrics(runtime: SandboxRuntime, scope: Scope = hubScope(runtime)): RuleMetrics[] {
  const router = routers.get(runtime) ?? new EventRouter(runtime);
  return router.metrics(scope);
}

/**
 * Delivers a dead letter again; resolves to the updated dead letter, or undefined when unknown.
 * Usable without the HTTP control API.
 */
export function redeliverDeadLetter(runtime: SandboxRuntime, id: string) {
  const router = routers.get(runtime) ?? new EventRouter(runtime);
  return redeliver(runtime, router, id);
}

function registerControlRoutes(): void {
  controlRoute('GET', '/_sandbox/deadletters', (runtime) => ({
    status: 200,
    body: { deadLetters: listDeadLetters(runtime) },
  }));
  controlRoute('POST', '/_sandbox/deadletters/redeliver', async (runtime, body) => {
    const b = (body ?? {}) as { id?: unknown; ids?: unknown; all?: unknown };
    const ids =
      b.all === true
        ? listDeadLetters(runtime)
            .filter((d) => d.redeliveryStatus !== 'SUCCEEDED')
            .map((d) => d.id)
        : Array.isArray(b.ids)
          ? b.ids.map(String)
          : typeof b.id === 'string'
            ? [b.id]
            : [];
    if (ids.length === 0) {
      return {
        status: 400,
        body: { error: 'InvalidRedelivery', message: 'body must be { "id": "…" }, { "ids": […] } or { "all": true }' },
      };
    }
    const redelivered = [];
    for (const id of ids) {
      const result = await redeliverDeadLetter(runtime, id);
      if (!result) return { status: 404, body: { error: 'DeadLetterNotFound', message: `no dead letter ${id}` } };
      redelivered.push(result);
    }
    return { status: 200, body: { redelivered } };
  });
  // What an AWS service does when it emits an event (`aws.*` sources included, which PutEvents refuses):
  // tests and benchmarks inject CloudTrail-shaped events here, never through PutEvents.
  controlRoute('POST', '/_sandbox/events', (runtime, body) => {
    const b = (body ?? {}) as { entries?: unknown };
    const entries = Array.isArray(b.entries) ? (b.entries as Record<string, unknown>[]) : undefined;
    if (!entries || entries.length === 0) {
      return {
        status: 400,
        body: {
          error: 'InvalidEntries',
          message:
            'body must be { "entries": [{ "source", "detailType", "detail", "account"?, "region"?, "eventBusName"? }] } (the bus defaults to the account\'s default bus in the region)',
        },
      };
    }
    const problems = entries.flatMap((e, i) =>
      typeof e?.source !== 'string' ||
      typeof e.detailType !== 'string' ||
      e.detail === null ||
      typeof e.detail !== 'object' ||
      Array.isArray(e.detail)
        ? [`entries.${i}: source and detailType must be strings and detail an object`]
        : [],
    );
    if (problems.length > 0) return { status: 400, body: { error: 'InvalidEntries', message: problems.join('; ') } };
    const router = routers.get(runtime) ?? new EventRouter(runtime);
    const ids = entries.map((e) =>
      router.publish({
        source: e.source as string,
        detailType: e.detailType as string,
        detail: e.detail as Record<string, unknown>,
        resources: Array.isArray(e.resources) ? e.resources.map(String) : [],
        account: typeof e.account === 'string' ? e.account : runtime.managementAccountId,
        region: typeof e.region === 'string' ? e.region : runtime.config.organization.homeRegion,
        // an AWS service's event lands on the default bus of its account and region
        ...(typeof e.eventBusName === 'string' ? { eventBusName: e.eventBusName } : {}),
      }),
    );
    return { status: 200, body: { eventIds: ids } };
  });
  controlRoute('GET', '/_sandbox/bus-events', (runtime, _body, query) => {
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > KEEP_BUS_EVENTS) {
      return {
        status: 400,
        body: {
          error: 'InvalidLimit',
          message: `limit must be an integer from 1 to ${KEEP_BUS_EVENTS}, got "${query.limit}"`,
        },
      };
    }
    for (const [name, pattern] of [
      ['account', /^\d{12}$/],
      ['region', /^[a-z]{2}(-[a-z]+)+-\d$/],
    ] as const) {
      const value = query[name];
      if (value !== undefined && !pattern.test(value)) {
        return { status: 400, body: { error: 'InvalidQuery', message: `${name} "${value}" is not a valid ${name}` } };
      }
    }
    return {
      status: 200,
      body: {
        events: busEvents(runtime, {
          limit,
          ...(query.account ? { account: query.account } : {}),
          ...(query.region ? { region: query.region } : {}),
          ...(query.bus ? { bus: query.bus } : {}),
          ...(query.eventId ? { eventId: query.eventId } : {}),
        }).map(({ event, rules, bus, account, region }) => ({ account, region, bus, event, rules })),
      },
    };
  });
  controlRoute('GET', '/_sandbox/rule-metrics', (runtime, _body, query) => {
    const hub = hubScope(runtime);
    const scope = { account: query.account ?? hub.account, region: query.region ?? hub.region };
    return { status: 200, body: { scope, rules: ruleMetrics(runtime, scope) } };
  });
  controlRoute('GET', '/_sandbox/deliveries', (runtime, _body, query) => ({
    status: 200,
    body: { deliveries: listDeliveries(runtime, query.limit ? Number(query.limit) : 100, query.rule) },
  }));
}
