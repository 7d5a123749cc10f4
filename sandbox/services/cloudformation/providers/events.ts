import type { OperationHandler } from '../../../core/types';
import { AwsServiceError } from '../../../core/types';
import { archiveOperations } from '../../eventbridge/archive';
import { EventRouter } from '../../eventbridge/delivery';
import { bumpRulesVersion, keys, type RuleRecord, TABLES, type TargetRecord } from '../../eventbridge/model';
import { permissionOperations, setBusPolicy } from '../../eventbridge/permissions';
import {
  checkPattern,
  checkTarget,
  existingBus,
  putRule,
  putTargets,
  removeRule,
  ruleOperations,
} from '../../eventbridge/rules';
import { parseSchedule } from '../../eventbridge/schedule';
import {
  generatedName,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  scopeOf,
  serviceContext,
  str,
} from '../resources';

/**
 * `AWS::Events::Rule`: a rule with its targets on a bus of the stack's account and region (the
 * baseline's forwarding rule), validated as `PutRule`/`PutTargets` validate. The physical id is the
 * rule name on the default bus and `<bus>|<name>` on another, as CloudFormation returns it.
 */

const TARGET_PROPERTIES = new Set([
  'Id',
  'Arn',
  'RoleArn',
  'Input',
  'InputPath',
  'InputTransformer',
  'RetryPolicy',
  'DeadLetterConfig',
]);

function physicalIdOf(bus: string, name: string): string {
  return bus === 'default' ? name : `${bus}|${name}`;
}

function parsePhysicalId(id: string): { bus: string; name: string } {
  const at = id.indexOf('|');
  return at < 0 ? { bus: 'default', name: id } : { bus: id.slice(0, at), name: id.slice(at + 1) };
}

function write(ctx: ResourceContext, props: Record<string, unknown>, create: boolean) {
  const scope = { account: ctx.account, region: ctx.region };
  const bus = existingBus(ctx.runtime, scope, props.EventBusName);
  const name = str(props, 'Name') ?? generatedName(ctx);
  const pattern =
    props.EventPattern === undefined
      ? undefined
      : typeof props.EventPattern === 'string'
        ? props.EventPattern
        : JSON.stringify(props.EventPattern);
  const schedule = str(props, 'ScheduleExpression');
  if (!pattern && !schedule)
    throw new ResourceFailure('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  if (pattern) checkPattern(pattern);
  if (schedule && !parseSchedule(schedule)) throw new ResourceFailure('Parameter ScheduleExpression is not valid.');
  const state = str(props, 'State') ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw new ResourceFailure(`State ${state} is not valid.`);
  if (create && ctx.runtime.store.get(TABLES.rules, keys.rule(scope, bus.Name, name))) {
    throw new ResourceFailure(`${name} already exists in stack ${ctx.stackId}`, 'AlreadyExists');
  }
  const targets = Array.isArray(props.Targets) ? (props.Targets as Record<string, unknown>[]) : [];
  for (const target of targets) {
    const extra = Object.keys(target ?? {}).filter((k) => !TARGET_PROPERTIES.has(k));
    if (extra.length > 0) throw new ResourceFailure(`#/Targets: extraneous key [${extra[0]}] is not permitted`);
    const problem = checkTarget(target ?? {});
    if (problem) throw new ResourceFailure(problem);
  }
  const description = str(props, 'Description');
  const roleArn = str(props, 'RoleArn');
  const rule: RuleRecord = putRule(ctx.runtime, {
    ...scope,
    Name: name,
    EventBusName: bus.Name,
    State: state,
    ...(pattern ? { EventPattern: pattern } : {}),
    ...(schedule ? { ScheduleExpression: schedule } : {}),
    ...(description !== undefined ? { Description: description } : {}),
    ...(roleArn ? { RoleArn: roleArn } : {}),
  });
  const prefix = keys.targets(scope, bus.Name, name);
  for (const old of ctx.runtime.store.list<TargetRecord>(TABLES.targets, prefix)) {
    if (!targets.some((t) => t.Id === old.Id)) ctx.runtime.store.delete(TABLES.targets, `${prefix}${old.Id}`);
  }
  putTargets(ctx.runtime, rule, targets as unknown as TargetRecord[]);
  bumpRulesVersion(ctx.runtime.store);
  return { physicalId: physicalIdOf(bus.Name, name), attributes: { Arn: rule.Arn } };
}

export const eventsRuleProvider: ResourceProvider = {
  type: 'AWS::Events::Rule',
  properties: [
    'Description',
    'EventBusName',
    'EventPattern',
    'Name',
    'RoleArn',
    'ScheduleExpression',
    'State',
    'Targets',
  ],
  create: (ctx, props) => write(ctx, props, true),
  update(ctx, physicalId, props) {
    const { bus, name } = parsePhysicalId(physicalId);
    const busName = props.EventBusName === undefined ? 'default' : String(props.EventBusName).split('/').pop();
    if ((str(props, 'Name') ?? name) !== name || busName !== bus) return undefined;
    return write(ctx, { ...props, Name: name }, false);
  },
  delete(ctx, physicalId) {
    const { bus, name } = parsePhysicalId(physicalId);
    const scope = { account: ctx.account, region: ctx.region };
    const rule = ctx.runtime.store.get<RuleRecord>(TABLES.rules, keys.rule(scope, bus, name));
    if (rule) removeRule(ctx.runtime, rule);
  },
};

/** `AWS::Events::EventBus`: a custom bus of the stack's account and region. Ref is its name. */
export const eventBusProvider: ResourceProvider = {
  type: 'AWS::Events::EventBus',
  properties: ['Name', 'Description', 'EventSourceName', 'KmsKeyIdentifier', 'DeadLetterConfig', 'Policy', 'Tags'],
  required: ['Name'],
  create(ctx, props) {
    const name = str(props, 'Name') as string;
    const created = run(ctx, ruleOperations(ctx.runtime), 'CreateEventBus', {
      Name: name,
      ...(str(props, 'Description') ? { Description: str(props, 'Description') } : {}),
    }) as { EventBusArn: string };
    if (props.Policy !== undefined) {
      const bus = existingBus(ctx.runtime, scopeOf(ctx), name);
      setBusPolicy(
        ctx.runtime,
        bus,
        typeof props.Policy === 'string' ? JSON.parse(props.Policy) : (props.Policy as never),
      );
    }
    return { physicalId: name, attributes: { Arn: created.EventBusArn, Name: name } };
  },
  delete(ctx, physicalId) {
    const store = ctx.runtime.store;
    for (const rule of store.list<RuleRecord>(TABLES.rules, `${keys.bus(scopeOf(ctx), physicalId)}/`)) {
      removeRule(ctx.runtime, rule);
    }
    store.delete(TABLES.buses, keys.bus(scopeOf(ctx), physicalId));
  },
};

/** `AWS::Events::EventBusPolicy`: one statement of a bus's policy, under its `StatementId`. */
export const eventBusPolicyProvider: ResourceProvider = {
  type: 'AWS::Events::EventBusPolicy',
  properties: ['EventBusName', 'StatementId', 'Statement', 'Action', 'Principal', 'Condition'],
  required: ['StatementId'],
  create(ctx, props) {
    const sid = str(props, 'StatementId') as string;
    const input: Record<string, unknown> = {
      EventBusName: str(props, 'EventBusName') ?? 'default',
      StatementId: sid,
    };
    const permissions = permissionOperations(ctx.runtime);
    if (props.Statement !== undefined) {
      const bus = existingBus(ctx.runtime, scopeOf(ctx), input.EventBusName);
      const current = bus.Policy
        ? (JSON.parse(bus.Policy) as { Statement: Record<string, unknown>[] })
        : { Statement: [] };
      const statement = { ...(props.Statement as Record<string, unknown>), Sid: sid };
      run(ctx, permissions, 'PutPermission', {
        EventBusName: input.EventBusName,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [...current.Statement.filter((s) => s.Sid !== sid), statement],
        }),
      });
    } else {
      run(ctx, permissions, 'PutPermission', {
        ...input,
        Action: props.Action,
        Principal: props.Principal,
        Condition: props.Condition,
      });
    }
    return { physicalId: `${input.EventBusName as string}|${sid}` };
  },
  delete(ctx, physicalId) {
    const [bus, sid] = physicalId.split('|');
    try {
      run(ctx, permissionOperations(ctx.runtime), 'RemovePermission', { EventBusName: bus, StatementId: sid });
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceNotFoundException') throw error;
    }
  },
};

/** `AWS::Events::Archive` of a bus of the stack's account and region. Ref is the archive name. */
export const archiveProvider: ResourceProvider = {
  type: 'AWS::Events::Archive',
  properties: ['ArchiveName', 'SourceArn', 'Description', 'EventPattern', 'RetentionDays', 'KmsKeyIdentifier'],
  required: ['SourceArn'],
  create(ctx, props) {
    const name = str(props, 'ArchiveName') ?? generatedName(ctx, 48);
    const pattern =
      props.EventPattern === undefined
        ? undefined
        : typeof props.EventPattern === 'string'
          ? props.EventPattern
          : JSON.stringify(props.EventPattern);
    const out = run(ctx, archiveOps(ctx), 'CreateArchive', {
      ArchiveName: name,
      EventSourceArn: str(props, 'SourceArn'),
      ...(str(props, 'Description') ? { Description: str(props, 'Description') } : {}),
      ...(pattern ? { EventPattern: pattern } : {}),
      ...(props.RetentionDays !== undefined ? { RetentionDays: Number(props.RetentionDays) } : {}),
    }) as { ArchiveArn: string };
    return { physicalId: name, attributes: { Arn: out.ArchiveArn, ArchiveName: name } };
  },
  delete(ctx, physicalId) {
    try {
      run(ctx, archiveOps(ctx), 'DeleteArchive', { ArchiveName: physicalId });
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceNotFoundException') throw error;
    }
  },
};

/** The archive operations (their router only runs replays, which a provider never starts). */
function archiveOps(ctx: ResourceContext) {
  return archiveOperations(ctx.runtime, new EventRouter(ctx.runtime));
}

/** Runs an EventBridge API operation on CloudFormation's behalf, through its own validation. */
function run(
  ctx: ResourceContext,
  operations: Record<string, OperationHandler>,
  name: string,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const handler = operations[name];
  if (!handler) throw new Error(`EventBridge has no operation ${name}`);
  return handler(input, serviceContext(ctx, 'events', name)) as Record<string, unknown>;
}
