/**
 * Buses, rules and targets: the operations `CreateEventBus`/`DescribeEventBus`/`ListEventBuses`/
 * `DeleteEventBus`, `PutRule`/`DescribeRule`/`ListRules`/`DeleteRule`/`EnableRule`/`DisableRule`,
 * `PutTargets`/`RemoveTargets`/`ListTargetsByRule`. The hub's rules are the deployed hub stack's.
 */
import type { OperationHandler, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { InvalidEventPatternError } from './errors';
import {
  alreadyExists,
  arns,
  type BusRecord,
  bumpRulesVersion,
  busNameOf,
  callScope,
  keys,
  notFound,
  optionalString,
  paginate,
  parseBusArn,
  type RuleRecord,
  requiredString,
  type Scope,
  scopePrefix,
  TABLES,
  type TargetRecord,
  toDate,
  validation,
} from './model';
import { compileEventPattern } from './pattern';
import { armSchedule, parseSchedule } from './schedule';

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_RULE = 5;
const MAX_PATTERN_LENGTH = 4096;

/** Creates a bus in a scope if absent (seeding, and every scope's `default` bus on first use). */
export function ensureBus(runtime: SandboxRuntime, scope: Scope, name: string, description?: string): BusRecord {
  const existing = runtime.store.get<BusRecord>(TABLES.buses, keys.bus(scope, name));
  if (existing) return existing;
  const record: BusRecord = {
    account: scope.account,
    region: scope.region,
    Name: name,
    Arn: arns.bus(scope, name),
    CreationTime: runtime.clock.nowMs(),
    ...(description ? { Description: description } : {}),
  };
  runtime.store.put(TABLES.buses, keys.bus(scope, name), record);
  return record;
}

/**
 * The bus of an `EventBusName` input (a name, or an ARN of this scope), or
 * `ResourceNotFoundException`. Every account has a `default` bus in every region.
 */
export function existingBus(runtime: SandboxRuntime, scope: Scope, value: unknown): BusRecord {
  const name = busNameOf(value);
  if (typeof value === 'string' && value.startsWith('arn:')) {
    const parsed = parseBusArn(value);
    if (!parsed || parsed.account !== scope.account || parsed.region !== scope.region) {
      throw notFound(`Event bus ${value} does not exist.`);
    }
  }
  if (name === 'default') return ensureBus(runtime, scope, 'default');
  const bus = runtime.store.get<BusRecord>(TABLES.buses, keys.bus(scope, name));
  if (!bus) throw notFound(`Event bus ${name} does not exist.`);
  return bus;
}

function existingRule(
  runtime: SandboxRuntime,
  scope: Scope,
  input: Record<string, unknown>,
  param = 'Name',
): RuleRecord {
  const bus = existingBus(runtime, scope, input.EventBusName);
  const name = requiredString(input, param);
  const rule = runtime.store.get<RuleRecord>(TABLES.rules, keys.rule(scope, bus.Name, name));
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.Name}.`);
  return rule;
}

/** Validates an event pattern as `PutRule` does, answering `InvalidEventPatternException`. */
export function checkPattern(pattern: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw validation(
      `Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_LENGTH}`,
    );
  }
  try {
    compileEventPattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new AwsServiceError('InvalidEventPatternException', error.message);
    throw error;
  }
}

/** Writes a rule (create or update, as `PutRule`), keeping what the update does not name. */
export function putRule(
  runtime: SandboxRuntime,
  rule: Omit<RuleRecord, 'Arn' | 'CreatedBy'> & { readonly CreatedBy?: string },
): RuleRecord {
  const record: RuleRecord = {
    ...rule,
    Arn: arns.rule(rule, rule.EventBusName, rule.Name),
    CreatedBy: rule.CreatedBy ?? rule.account,
  };
  runtime.store.put(TABLES.rules, keys.rule(rule, rule.EventBusName, rule.Name), record);
  armSchedule(runtime, record, runtime.clock.nowMs());
  bumpRulesVersion(runtime.store);
  return record;
}

function describeRule(rule: RuleRecord): Record<string, unknown> {
  return {
    Name: rule.Name,
    Arn: rule.Arn,
    EventPattern: rule.EventPattern,
    ScheduleExpression: rule.ScheduleExpression,
    State: rule.State,
    Description: rule.Description,
    RoleArn: rule.RoleArn,
    EventBusName: rule.EventBusName,
    CreatedBy: rule.CreatedBy,
  };
}

export function checkTarget(target: Record<string, unknown>): string | undefined {
  if (typeof target.Id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.Id)) return 'Target Id is not valid.';
  if (typeof target.Arn !== 'string' || !target.Arn.startsWith('arn:'))
    return `Parameter ${String(target.Arn)} is not valid.`;
  const modes = ['Input', 'InputPath', 'InputTransformer'].filter((k) => target[k] !== undefined);
  if (modes.length > 1) return 'Only one of Input, InputPath, or InputTransformer can be specified.';
  if (target.Input !== undefined) {
    if (typeof target.Input !== 'string') return 'Input must be a string.';
    try {
      JSON.parse(target.Input);
    } catch {
      return 'Input is not a valid JSON text.';
    }
  }
  if (target.InputPath !== undefined && (typeof target.InputPath !== 'string' || !target.InputPath.startsWith('$'))) {
    return 'InputPath is not a valid JSONPath.';
  }
  return undefined;
}

/** Deletes a rule with its targets and schedule state. */
export function removeRule(runtime: SandboxRuntime, rule: RuleRecord): void {
  const { store } = runtime;
  const prefix = keys.targets(rule, rule.EventBusName, rule.Name);
  for (const target of store.list<TargetRecord>(TABLES.targets, prefix))
    store.delete(TABLES.targets, `${prefix}${target.Id}`);
  store.delete(TABLES.rules, keys.rule(rule, rule.EventBusName, rule.Name));
  store.delete(TABLES.schedules, keys.rule(rule, rule.EventBusName, rule.Name));
  bumpRulesVersion(store);
}

/** Sets a rule's targets (replacing those with the same Id). */
export function putTargets(runtime: SandboxRuntime, rule: RuleRecord, targets: readonly TargetRecord[]): void {
  const prefix = keys.targets(rule, rule.EventBusName, rule.Name);
  for (const target of targets) runtime.store.put<TargetRecord>(TABLES.targets, `${prefix}${target.Id}`, target);
  bumpRulesVersion(runtime.store);
}

/** The targets of a rule. */
export function targetsOf(runtime: SandboxRuntime, rule: RuleRecord): TargetRecord[] {
  return runtime.store.list<TargetRecord>(TABLES.targets, keys.targets(rule, rule.EventBusName, rule.Name));
}

/** The operations of this file, each acting in the caller's account and the request's region. */
export function ruleOperations(runtime: SandboxRuntime): Record<string, OperationHandler> {
  const store = runtime.store;
  const operations: Record<string, OperationHandler> = {
    CreateEventBus(input, ctx) {
      const scope = callScope(ctx);
      const name = requiredString(input, 'Name');
      if (!NAME.test(name) || name === 'default') throw validation(`Event bus name ${name} is not valid.`);
      if (store.get(TABLES.buses, keys.bus(scope, name))) throw alreadyExists(`Event bus ${name} already exists.`);
      const bus = ensureBus(runtime, scope, name, optionalString(input, 'Description'));
      return { EventBusArn: bus.Arn, Description: bus.Description };
    },

    DescribeEventBus(input, ctx) {
      const bus = existingBus(runtime, callScope(ctx), input.Name);
      return {
        Name: bus.Name,
        Arn: bus.Arn,
        Description: bus.Description,
        Policy: bus.Policy,
        CreationTime: toDate(bus.CreationTime),
      };
    },

    ListEventBuses(input, ctx) {
      const scope = callScope(ctx);
      ensureBus(runtime, scope, 'default');
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const buses = store.list<BusRecord>(TABLES.buses, scopePrefix(scope)).filter((b) => b.Name.startsWith(prefix));
      const { page, next } = paginate(buses, input);
      return {
        EventBuses: page.map((b) => ({
          Name: b.Name,
          Arn: b.Arn,
          Description: b.Description,
          Policy: b.Policy,
          CreationTime: toDate(b.CreationTime),
        })),
        NextToken: next,
      };
    },

    DeleteEventBus(input, ctx) {
      const scope = callScope(ctx);
      const name = requiredString(input, 'Name');
      if (name === 'default') throw validation('Cannot delete event bus default.');
      for (const rule of store.list<RuleRecord>(TABLES.rules, `${scopePrefix(scope)}${name}/`))
        removeRule(runtime, rule);
      store.delete(TABLES.buses, keys.bus(scope, name));
      return {};
    },

    PutRule(input, ctx) {
      const scope = callScope(ctx);
      const name = requiredString(input, 'Name');
      if (!NAME.test(name)) throw validation(`Rule name ${name} is not valid.`);
      const bus = existingBus(runtime, scope, input.EventBusName);
      const pattern = optionalString(input, 'EventPattern');
      const schedule = optionalString(input, 'ScheduleExpression');
      if (!pattern && !schedule) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (pattern) checkPattern(pattern);
      if (schedule) {
        if (bus.Name !== 'default') throw validation('ScheduleExpression is supported only on the default event bus.');
        if (!parseSchedule(schedule)) throw validation('Parameter ScheduleExpression is not valid.');
      }
      const state = optionalString(input, 'State') ?? 'ENABLED';
      if (state !== 'ENABLED' && state !== 'DISABLED')
        throw validation(`Value '${state}' at 'state' failed to satisfy constraint.`);
      const description = optionalString(input, 'Description');
      const roleArn = optionalString(input, 'RoleArn');
      const rule = putRule(runtime, {
        ...scope,
        Name: name,
        EventBusName: bus.Name,
        State: state,
        ...(pattern ? { EventPattern: pattern } : {}),
        ...(schedule ? { ScheduleExpression: schedule } : {}),
        ...(description !== undefined ? { Description: description } : {}),
        ...(roleArn ? { RoleArn: roleArn } : {}),
      });
      return { RuleArn: rule.Arn };
    },

    DescribeRule(input, ctx) {
      return describeRule(existingRule(runtime, callScope(ctx), input));
    },

    ListRules(input, ctx) {
      const scope = callScope(ctx);
      const bus = existingBus(runtime, scope, input.EventBusName);
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const rules = store
        .list<RuleRecord>(TABLES.rules, `${scopePrefix(scope)}${bus.Name}/`)
        .filter((r) => r.Name.startsWith(prefix))
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const { page, next } = paginate(rules, input);
      return { Rules: page.map(describeRule), NextToken: next };
    },

    DeleteRule(input, ctx) {
      const scope = callScope(ctx);
      const bus = existingBus(runtime, scope, input.EventBusName);
      const name = requiredString(input, 'Name');
      const rule = store.get<RuleRecord>(TABLES.rules, keys.rule(scope, bus.Name, name));
      if (!rule) return {};
      if (store.count(TABLES.targets, keys.targets(scope, bus.Name, name)) > 0) {
        throw validation("Rule can't be deleted since it has targets.");
      }
      removeRule(runtime, rule);
      return {};
    },

    EnableRule(input, ctx) {
      const rule = existingRule(runtime, callScope(ctx), input);
      putRule(runtime, { ...rule, State: 'ENABLED' });
      return {};
    },

    DisableRule(input, ctx) {
      const rule = existingRule(runtime, callScope(ctx), input);
      putRule(runtime, { ...rule, State: 'DISABLED' });
      return {};
    },

    PutTargets(input, ctx) {
      const rule = existingRule(runtime, callScope(ctx), input, 'Rule');
      const targets = input.Targets;
      if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
        throw validation("Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10");
      }
      const existing = new Set(targetsOf(runtime, rule).map((t) => t.Id));
      const failed: Record<string, unknown>[] = [];
      const accepted: TargetRecord[] = [];
      for (const raw of targets as Record<string, unknown>[]) {
        const problem = checkTarget(raw ?? {});
        if (problem) {
          failed.push({ TargetId: raw?.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
          continue;
        }
        const id = raw.Id as string;
        if (!existing.has(id) && existing.size >= MAX_TARGETS_PER_RULE) {
          throw new AwsServiceError(
            'LimitExceededException',
            `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
          );
        }
        existing.add(id);
        accepted.push(raw as unknown as TargetRecord);
      }
      putTargets(runtime, rule, accepted);
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    RemoveTargets(input, ctx) {
      const rule = existingRule(runtime, callScope(ctx), input, 'Rule');
      const ids = input.Ids;
      if (!Array.isArray(ids) || ids.length === 0)
        throw validation(
          "Value at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      const failed: Record<string, unknown>[] = [];
      const prefix = keys.targets(rule, rule.EventBusName, rule.Name);
      for (const id of ids) {
        if (!store.delete(TABLES.targets, `${prefix}${String(id)}`)) {
          failed.push({
            TargetId: id,
            ErrorCode: 'ResourceNotFoundException',
            ErrorMessage: `Target ${String(id)} does not exist.`,
          });
        }
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    ListTargetsByRule(input, ctx) {
      const rule = existingRule(runtime, callScope(ctx), input, 'Rule');
      const { page, next } = paginate(targetsOf(runtime, rule), input);
      return { Targets: page, NextToken: next };
    },
  };
  // every mutating operation invalidates the routers' cached rules
  for (const [name, operation] of Object.entries(operations)) {
    if (/^(Describe|List)/.test(name)) continue;
    operations[name] = (input, ctx) => {
      try {
        return operation(input, ctx);
      } finally {
        bumpRulesVersion(store);
      }
    };
  }
  return operations;
}
