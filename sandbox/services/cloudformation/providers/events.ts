import { bumpRulesVersion, keys, type RuleRecord, TABLES, type TargetRecord } from '../../eventbridge/model';
import { checkPattern, checkTarget, existingBus, putRule, putTargets, removeRule } from '../../eventbridge/rules';
import { parseSchedule } from '../../eventbridge/schedule';
import { generatedName, type ResourceContext, ResourceFailure, type ResourceProvider, str } from '../resources';

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
