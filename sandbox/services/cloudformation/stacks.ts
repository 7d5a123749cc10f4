import { assumedRolePrincipal } from '../../core/identity';
import type { OperationHandler, Principal, RequestContext, SandboxRuntime } from '../../core/types';
import { authorizeTrust } from '../../policy';
import { rolePolicies } from '../iam/model';
import { seededUuid } from './engine';
import { CloudFormationError, ValidationError } from './errors';
import { paginate } from './input';
import {
  deleteStackResourcesAsync,
  deployStackResourcesAsync,
  StackDeploymentError,
  stackResources,
} from './stack-resources';
import { checkCapabilities } from './targets';
import { parseTemplate, ResolvedTemplate } from './template';
import { validateTemplate } from './validate';

/**
 * Stacks of their own (not a stack set's instances): `CreateStack`, `UpdateStack`, `DeleteStack`,
 * `DescribeStacks`, `ListStacks`, `ListStackResources`, `DescribeStackResources`, `GetTemplate`,
 * `DescribeStackEvents`, and change sets (`CreateChangeSet`, `DescribeChangeSet`,
 * `ExecuteChangeSet`, `DeleteChangeSet`, `ListChangeSets`), in the caller's account and region. A
 * stack's resources are made by the same providers as a stack set's instances
 * (`stack-resources.ts`); the operation answers at once with `*_IN_PROGRESS` and the deployment
 * runs right after, ending `CREATE_COMPLETE`/`UPDATE_COMPLETE`, or `ROLLBACK_COMPLETE`/
 * `UPDATE_ROLLBACK_COMPLETE` with the failed resource named in the status reason and the events.
 */

export const STACK_TABLES = {
  stacks: 'cfn.stacks',
  events: 'cfn.stack-events',
  changeSets: 'cfn.change-sets',
  /** SSM parameters that `AWS::SSM::Parameter::Value<…>` stack parameters read (`<account>/<region>/<name>`). */
  ssmParameters: 'ssm.parameters',
} as const;

type Parameter = { ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: string | boolean };

export interface StackRecord {
  readonly account: string;
  readonly region: string;
  readonly StackId: string;
  readonly StackName: string;
  StackStatus: string;
  StackStatusReason?: string;
  readonly CreationTime: number;
  LastUpdatedTime?: number;
  DeletionTime?: number;
  Description?: string;
  TemplateBody: string;
  Parameters: { ParameterKey: string; ParameterValue: string; ResolvedValue?: string }[];
  Capabilities: string[];
  Tags: { Key: string; Value: string }[];
  Outputs: { OutputKey: string; OutputValue: string; Description?: string; ExportName?: string }[];
  /** The service role CloudFormation uses for the stack's resources, when given. */
  RoleARN?: string;
  /** Whose authority the resource calls carry: the service role's session, else the last deployer. */
  deployer: Principal;
}

interface ChangeSetRecord {
  readonly Id: string;
  readonly ChangeSetName: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly ChangeSetType: 'CREATE' | 'UPDATE';
  readonly TemplateBody: string;
  readonly Parameters: Parameter[];
  readonly Capabilities: string[];
  readonly Tags: { Key: string; Value: string }[];
  /** The service role the stack's resources are made as once the change set is executed. */
  readonly RoleARN?: string;
  readonly CreationTime: number;
  Status: 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
  StatusReason?: string;
  ExecutionStatus: 'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'OBSOLETE';
  readonly Changes: { Type: 'Resource'; ResourceChange: Record<string, unknown> }[];
}

const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const TERMINAL = /(_COMPLETE|_FAILED)$/;
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

const stackKey = (s: { account: string; region: string }, name: string) => `${s.account}/${s.region}/${name}`;
const owner = (name: string) => `stack/${name}`;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const listOf = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** The stack a `StackName` (name or stack id) names in the caller's scope, live or (by id) deleted. */
function findStack(runtime: SandboxRuntime, ctx: RequestContext, nameOrId: string): StackRecord | undefined {
  const scope = { account: ctx.principal.accountId, region: ctx.region };
  if (nameOrId.startsWith('arn:')) {
    const name = nameOrId.split('/')[1] ?? '';
    const live = runtime.store.get<StackRecord>(STACK_TABLES.stacks, stackKey(scope, name));
    if (live?.StackId === nameOrId) return live;
    return runtime.store.get<StackRecord>(STACK_TABLES.stacks, `deleted/${nameOrId}`);
  }
  return runtime.store.get<StackRecord>(STACK_TABLES.stacks, stackKey(scope, nameOrId));
}

function mustStack(runtime: SandboxRuntime, ctx: RequestContext, nameOrId: unknown): StackRecord {
  const name = str(nameOrId);
  if (!name)
    throw new ValidationError(
      "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
    );
  const stack = findStack(runtime, ctx, name);
  if (!stack) throw new ValidationError(`Stack with id ${name} does not exist`);
  return stack;
}

/** Resolves parameters as CloudFormation does: given, previous (`UsePreviousValue`), default; SSM-typed ones from the parameter store. */
function resolveParameters(
  runtime: SandboxRuntime,
  scope: { account: string; region: string },
  body: string,
  given: readonly Parameter[],
  previous: StackRecord['Parameters'] = [],
): StackRecord['Parameters'] {
  const declared = (parseTemplate(body)?.Parameters ?? {}) as Record<string, { Type?: string; Default?: unknown }>;
  const out: StackRecord['Parameters'] = [];
  const missingSsm: string[] = [];
  for (const [key, decl] of Object.entries(declared)) {
    const g = given.find((p) => p.ParameterKey === key);
    const usePrevious = g?.UsePreviousValue === true || g?.UsePreviousValue === 'true';
    const value = usePrevious
      ? previous.find((p) => p.ParameterKey === key)?.ParameterValue
      : (g?.ParameterValue ?? (decl.Default === undefined ? undefined : String(decl.Default)));
    if (value === undefined) continue;
    if (decl.Type?.startsWith('AWS::SSM::Parameter::Value<')) {
      const stored = runtime.store.get<{ Value: string }>(STACK_TABLES.ssmParameters, stackKey(scope, value));
      if (!stored) missingSsm.push(value);
      else out.push({ ParameterKey: key, ParameterValue: value, ResolvedValue: stored.Value });
    } else out.push({ ParameterKey: key, ParameterValue: value });
  }
  if (missingSsm.length > 0) {
    throw new ValidationError(
      `Unable to fetch parameters [${missingSsm.join(',')}] from parameter store for this account.`,
    );
  }
  return out;
}

/** Checks the template's `Rules` assertions (CDK's CheckBootstrapVersion), as CloudFormation does before it starts. */
function checkRules(stack: StackRecord): void {
  const template = parseTemplate(stack.TemplateBody);
  const rules = ((template as Record<string, unknown> | undefined)?.Rules ?? {}) as Record<
    string,
    { RuleCondition?: unknown; Assertions?: { Assert: unknown; AssertDescription?: string }[] }
  >;
  const resolved = new ResolvedTemplate(template ?? {}, contextOf(stack));
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.RuleCondition !== undefined && !resolved.resolve(rule.RuleCondition)) continue;
    for (const assertion of rule.Assertions ?? []) {
      if (!resolved.resolve(assertion.Assert)) {
        throw new ValidationError(assertion.AssertDescription ?? `Template error: rule ${name} failed`);
      }
    }
  }
}

function contextOf(stack: StackRecord) {
  return {
    account: stack.account,
    region: stack.region,
    stackId: stack.StackId,
    stackName: stack.StackName,
    parameters: stack.Parameters.map((p) => ({
      ParameterKey: p.ParameterKey,
      ParameterValue: p.ResolvedValue ?? p.ParameterValue,
    })),
  };
}

/**
 * The principal a stack's resources are made as: the session of its `RoleARN` (which must exist and
 * trust `cloudformation.amazonaws.com`, or the call is refused as CloudFormation refuses it), else the
 * caller. Passing the role needs `iam:PassRole`, which the server checks with the call.
 */
function deployerOf(runtime: SandboxRuntime, ctx: RequestContext, roleArn: string | undefined): Principal {
  if (!roleArn) return ctx.principal;
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  const policies = m ? rolePolicies(runtime.store, m[1] as string, m[2] as string) : undefined;
  const trusted =
    m &&
    policies &&
    authorizeTrust(
      policies.trust,
      { scpLevels: [], identity: [] },
      {
        action: 'sts:AssumeRole',
        resource: roleArn,
        principal: {
          arn: 'cloudformation.amazonaws.com',
          accountId: m[1] as string,
          service: 'cloudformation.amazonaws.com',
        },
        context: { 'aws:SourceAccount': ctx.principal.accountId },
      },
    ).allowed;
  if (!m || !trusted) throw new ValidationError(`Role ${roleArn} is invalid or cannot be assumed`);
  const denial = runtime.authorize?.({
    principal: ctx.principal,
    action: 'iam:PassRole',
    resources: [roleArn],
    region: ctx.region,
  });
  if (denial) throw new CloudFormationError('AccessDenied', denial, 403);
  return { ...assumedRolePrincipal(m[1] as string, m[2] as string, 'AWSCloudFormation'), accessKeyId: '' };
}

export class Stacks {
  constructor(private readonly runtime: SandboxRuntime) {}

  private now(): number {
    return Math.floor(this.runtime.clock.nowMs());
  }

  private save(stack: StackRecord): void {
    this.runtime.store.put(STACK_TABLES.stacks, stackKey(stack, stack.StackName), stack);
  }

  private event(
    stack: StackRecord,
    logicalId: string,
    type: string,
    status: string,
    physicalId = '',
    reason?: string,
  ): void {
    const seq = this.runtime.store.nextSequence(STACK_TABLES.events);
    this.runtime.store.put(STACK_TABLES.events, `${stack.StackId}/${String(seq).padStart(12, '0')}`, {
      StackId: stack.StackId,
      EventId: seededUuid(() => this.runtime.random()),
      StackName: stack.StackName,
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId,
      ResourceType: type,
      Timestamp: this.now(),
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  }

  /** Deploys the stack's template now (after the call that asked for it has answered). */
  private deployLater(stack: StackRecord, kind: 'CREATE' | 'UPDATE'): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deploy(stack, kind));
    this.runtime.track(run);
  }

  /** Makes the stack's resources; ends the stack COMPLETE or rolled back. */
  async deploy(stack: StackRecord, kind: 'CREATE' | 'UPDATE'): Promise<void> {
    try {
      const made = await deployStackResourcesAsync(this.runtime, {
        account: stack.account,
        region: stack.region,
        owner: owner(stack.StackName),
        stackId: stack.StackId,
        templateBody: stack.TemplateBody,
        parameters: contextOf(stack).parameters,
        principal: stack.deployer,
      });
      this.runtime.store.transaction(() => {
        for (const r of made) this.event(stack, r.logicalId, r.type, `${kind}_COMPLETE`, r.physicalId);
        stack.Outputs = this.outputs(stack);
        stack.StackStatus = `${kind}_COMPLETE`;
        delete stack.StackStatusReason;
        this.save(stack);
        this.event(stack, stack.StackName, 'AWS::CloudFormation::Stack', stack.StackStatus, stack.StackId);
      });
    } catch (error) {
      const reason = error instanceof StackDeploymentError ? error.statusReason : String(error);
      const failed = error instanceof StackDeploymentError ? error.logicalId : stack.StackName;
      try {
        this.event(stack, failed, '', `${kind}_FAILED`, '', reason);
        stack.StackStatus = kind === 'CREATE' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
        stack.StackStatusReason = reason;
        this.save(stack);
        this.event(stack, stack.StackName, 'AWS::CloudFormation::Stack', stack.StackStatus, stack.StackId, reason);
      } catch {
        // the store closes on shutdown
      }
    }
  }

  /** Deletes the stack's resources, then the stack (kept by id as DELETE_COMPLETE, as ListStacks shows it). */
  private async remove(stack: StackRecord): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await deleteStackResourcesAsync(this.runtime, { ...stack, owner: owner(stack.StackName) });
    const { store } = this.runtime;
    try {
      store.delete(STACK_TABLES.stacks, stackKey(stack, stack.StackName));
      const gone: StackRecord = { ...stack, StackStatus: 'DELETE_COMPLETE', DeletionTime: this.now() };
      delete gone.StackStatusReason;
      store.put(STACK_TABLES.stacks, `deleted/${stack.StackId}`, gone);
      this.event(gone, stack.StackName, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE', stack.StackId);
    } catch {
      // the store closes on shutdown
    }
  }

  private outputs(stack: StackRecord): StackRecord['Outputs'] {
    const template = parseTemplate(stack.TemplateBody);
    const made = new Map(
      stackResources(this.runtime, { ...stack, owner: owner(stack.StackName) }).map((r) => [r.logicalId, r]),
    );
    const resolved = new ResolvedTemplate(template ?? {}, {
      ...contextOf(stack),
      attribute: (id, attr) => made.get(id)?.attributes[attr],
      physicalId: (id) => made.get(id)?.physicalId,
    });
    const outputs = ((template as Record<string, unknown> | undefined)?.Outputs ?? {}) as Record<
      string,
      { Value?: unknown; Description?: string; Export?: { Name?: unknown }; Condition?: string }
    >;
    return Object.entries(outputs).flatMap(([key, o]) =>
      o.Condition && !resolved.condition(o.Condition)
        ? []
        : [
            {
              OutputKey: key,
              OutputValue: String(resolved.resolve(o.Value) ?? ''),
              ...(o.Description ? { Description: o.Description } : {}),
              ...(o.Export?.Name ? { ExportName: String(resolved.resolve(o.Export.Name)) } : {}),
            },
          ],
    );
  }

  /** A new stack record (not saved). */
  private newStack(
    ctx: RequestContext,
    name: string,
    body: string,
    parameters: Parameter[],
    capabilities: string[],
    tags: StackRecord['Tags'],
  ): StackRecord {
    if (!NAME.test(name)) {
      throw new ValidationError(
        `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    }
    validateTemplate(body, parameters);
    checkCapabilities(body, capabilities);
    const scope = { account: ctx.principal.accountId, region: ctx.region };
    const stack: StackRecord = {
      ...scope,
      StackId: `arn:aws:cloudformation:${ctx.region}:${scope.account}:stack/${name}/${seededUuid(() => this.runtime.random())}`,
      StackName: name,
      StackStatus: 'REVIEW_IN_PROGRESS',
      CreationTime: this.now(),
      TemplateBody: body,
      Parameters: resolveParameters(this.runtime, scope, body, parameters),
      Capabilities: capabilities,
      Tags: tags,
      Outputs: [],
      deployer: ctx.principal,
    };
    const description = (parseTemplate(body) as { Description?: unknown } | undefined)?.Description;
    if (typeof description === 'string') stack.Description = description;
    checkRules(stack);
    return stack;
  }

  private checkFree(ctx: RequestContext, name: string): void {
    const existing = findStack(this.runtime, ctx, name);
    if (existing && existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
      throw new CloudFormationError('AlreadyExistsException', `Stack [${name}] already exists`);
    }
  }

  private checkUpdatable(stack: StackRecord): void {
    if (!/^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE)$/.test(stack.StackStatus)) {
      throw new ValidationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
    }
  }

  /** The template and parameters an update would deploy; throws "No updates are to be performed." when identical. */
  private updated(
    stack: StackRecord,
    input: Record<string, unknown>,
  ): Pick<StackRecord, 'TemplateBody' | 'Parameters' | 'Capabilities'> {
    const usePrevious = input.UsePreviousTemplate === true || input.UsePreviousTemplate === 'true';
    const body = usePrevious ? stack.TemplateBody : str(input.TemplateBody);
    if (!body) throw new ValidationError('Either Template URL or Template Body must be specified.');
    const given = listOf<Parameter>(input.Parameters);
    const capabilities = listOf<string>(input.Capabilities);
    validateTemplate(body, given);
    checkCapabilities(body, capabilities);
    const parameters = resolveParameters(this.runtime, stack, body, given, stack.Parameters);
    return { TemplateBody: body, Parameters: parameters, Capabilities: capabilities };
  }

  /** Resource changes between the stack's current template and another, as a change set lists them. */
  private changes(stack: StackRecord | undefined, body: string): ChangeSetRecord['Changes'] {
    const next = (parseTemplate(body)?.Resources ?? {}) as Record<string, { Type?: string; Properties?: unknown }>;
    const now = (stack ? (parseTemplate(stack.TemplateBody)?.Resources ?? {}) : {}) as Record<
      string,
      { Type?: string; Properties?: unknown }
    >;
    const live = stack
      ? new Map(stackResources(this.runtime, { ...stack, owner: owner(stack.StackName) }).map((r) => [r.logicalId, r]))
      : new Map();
    const out: ChangeSetRecord['Changes'] = [];
    for (const [id, r] of Object.entries(next)) {
      const before = now[id];
      if (!before)
        out.push({ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: r.Type } });
      else if (JSON.stringify(before) !== JSON.stringify(r)) {
        out.push({
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: id,
            ResourceType: r.Type,
            PhysicalResourceId: live.get(id)?.physicalId,
            Replacement: before.Type === r.Type ? 'Conditional' : 'True',
          },
        });
      }
    }
    for (const [id, r] of Object.entries(now)) {
      if (!next[id]) {
        out.push({
          Type: 'Resource',
          ResourceChange: {
            Action: 'Remove',
            LogicalResourceId: id,
            ResourceType: r.Type,
            PhysicalResourceId: live.get(id)?.physicalId,
          },
        });
      }
    }
    return out;
  }

  private stackView(s: StackRecord): Record<string, unknown> {
    return {
      StackId: s.StackId,
      StackName: s.StackName,
      Description: s.Description,
      Parameters: s.Parameters,
      CreationTime: new Date(s.CreationTime),
      ...(s.LastUpdatedTime ? { LastUpdatedTime: new Date(s.LastUpdatedTime) } : {}),
      ...(s.DeletionTime ? { DeletionTime: new Date(s.DeletionTime) } : {}),
      StackStatus: s.StackStatus,
      ...(s.StackStatusReason ? { StackStatusReason: s.StackStatusReason } : {}),
      DisableRollback: false,
      Capabilities: s.Capabilities,
      Outputs: s.Outputs,
      Tags: s.Tags,
      ...(s.RoleARN ? { RoleARN: s.RoleARN } : {}),
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private resourceViews(s: StackRecord): Record<string, unknown>[] {
    const status = /^(DELETE_COMPLETE)$/.test(s.StackStatus)
      ? 'DELETE_COMPLETE'
      : s.StackStatus.startsWith('UPDATE')
        ? 'UPDATE_COMPLETE'
        : 'CREATE_COMPLETE';
    return stackResources(this.runtime, { ...s, owner: owner(s.StackName) }).map((r) => ({
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      ResourceStatus: status,
      LastUpdatedTimestamp: new Date(s.LastUpdatedTime ?? s.CreationTime),
      Timestamp: new Date(s.LastUpdatedTime ?? s.CreationTime),
      StackName: s.StackName,
      StackId: s.StackId,
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    }));
  }

  operations(): Record<string, OperationHandler> {
    const runtime = this.runtime;
    return {
      CreateStack: (input, ctx) => {
        const name = str(input.StackName) ?? '';
        this.checkFree(ctx, name);
        const stack = this.newStack(
          ctx,
          name,
          str(input.TemplateBody) ?? '',
          listOf(input.Parameters),
          listOf(input.Capabilities),
          listOf(input.Tags),
        );
        const roleArn = str(input.RoleARN);
        stack.deployer = deployerOf(runtime, ctx, roleArn);
        if (roleArn) stack.RoleARN = roleArn;
        stack.StackStatus = 'CREATE_IN_PROGRESS';
        this.save(stack);
        this.event(stack, name, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', stack.StackId, 'User Initiated');
        this.deployLater(stack, 'CREATE');
        return { StackId: stack.StackId };
      },
      UpdateStack: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        this.checkUpdatable(stack);
        const next = this.updated(stack, input);
        if (
          next.TemplateBody === stack.TemplateBody &&
          JSON.stringify(next.Parameters) === JSON.stringify(stack.Parameters)
        ) {
          throw new ValidationError('No updates are to be performed.');
        }
        const roleArn = str(input.RoleARN) ?? stack.RoleARN;
        Object.assign(stack, next, {
          StackStatus: 'UPDATE_IN_PROGRESS',
          LastUpdatedTime: this.now(),
          deployer: deployerOf(runtime, ctx, roleArn),
          ...(roleArn ? { RoleARN: roleArn } : {}),
        });
        checkRules(stack);
        this.save(stack);
        this.event(
          stack,
          stack.StackName,
          'AWS::CloudFormation::Stack',
          'UPDATE_IN_PROGRESS',
          stack.StackId,
          'User Initiated',
        );
        this.deployLater(stack, 'UPDATE');
        return { StackId: stack.StackId };
      },
      DeleteStack: (input, ctx) => {
        const stack = findStack(runtime, ctx, str(input.StackName) ?? '');
        if (!stack || stack.StackStatus === 'DELETE_COMPLETE' || stack.StackStatus === 'DELETE_IN_PROGRESS') return {};
        stack.StackStatus = 'DELETE_IN_PROGRESS';
        this.save(stack);
        this.event(
          stack,
          stack.StackName,
          'AWS::CloudFormation::Stack',
          'DELETE_IN_PROGRESS',
          stack.StackId,
          'User Initiated',
        );
        this.runtime.track(this.remove(stack));
        return {};
      },
      DescribeStacks: (input, ctx) => {
        if (str(input.StackName)) return { Stacks: [this.stackView(mustStack(runtime, ctx, input.StackName))] };
        const all = runtime.store.list<StackRecord>(STACK_TABLES.stacks, `${ctx.principal.accountId}/${ctx.region}/`);
        const { page, next } = paginate(all, input.NextToken as string | undefined, 100);
        return { Stacks: page.map((s) => this.stackView(s)), ...(next ? { NextToken: next } : {}) };
      },
      ListStacks: (input, ctx) => {
        const filter = listOf<string>(input.StackStatusFilter);
        const live = runtime.store.list<StackRecord>(STACK_TABLES.stacks, `${ctx.principal.accountId}/${ctx.region}/`);
        const deleted = runtime.store
          .list<StackRecord>(STACK_TABLES.stacks, 'deleted/')
          .filter((s) => s.account === ctx.principal.accountId && s.region === ctx.region);
        const all = [...live, ...deleted].filter((s) => filter.length === 0 || filter.includes(s.StackStatus));
        const { page, next } = paginate(all, input.NextToken as string | undefined, 100);
        return {
          StackSummaries: page.map((s) => ({
            StackId: s.StackId,
            StackName: s.StackName,
            TemplateDescription: s.Description,
            CreationTime: new Date(s.CreationTime),
            ...(s.DeletionTime ? { DeletionTime: new Date(s.DeletionTime) } : {}),
            StackStatus: s.StackStatus,
          })),
          ...(next ? { NextToken: next } : {}),
        };
      },
      ListStackResources: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        const { page, next } = paginate(this.resourceViews(stack), input.NextToken as string | undefined, 100);
        return {
          StackResourceSummaries: page.map(({ StackName: _n, StackId: _i, Timestamp: _t, ...summary }) => summary),
          ...(next ? { NextToken: next } : {}),
        };
      },
      DescribeStackResources: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        const logical = str(input.LogicalResourceId);
        return {
          StackResources: this.resourceViews(stack)
            .filter((r) => !logical || r.LogicalResourceId === logical)
            .map(({ LastUpdatedTimestamp: _l, ...r }) => r),
        };
      },
      GetTemplate: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        return { TemplateBody: stack.TemplateBody, StagesAvailable: ['Original', 'Processed'] };
      },
      DescribeStackEvents: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        const events = runtime.store.list<Record<string, unknown>>(STACK_TABLES.events, `${stack.StackId}/`).reverse();
        const { page, next } = paginate(events, input.NextToken as string | undefined, 100);
        return {
          StackEvents: page.map((e) => ({ ...e, Timestamp: new Date(e.Timestamp as number) })),
          ...(next ? { NextToken: next } : {}),
        };
      },
      CreateChangeSet: (input, ctx) => {
        const name = str(input.StackName) ?? '';
        const changeSetName = str(input.ChangeSetName) ?? '';
        if (!NAME.test(changeSetName))
          throw new ValidationError(`ChangeSetName ${changeSetName} must match [a-zA-Z][-a-zA-Z0-9]*`);
        const type = (str(input.ChangeSetType) ?? 'UPDATE') as ChangeSetRecord['ChangeSetType'];
        const parameters = listOf<Parameter>(input.Parameters);
        const capabilities = listOf<string>(input.Capabilities);
        // the service role is checked now (trusted by CloudFormation, passable by the caller), used on execution
        const roleArn = str(input.RoleARN);
        if (roleArn) deployerOf(runtime, ctx, roleArn);
        let stack = findStack(runtime, ctx, name);
        let body: string;
        if (type === 'CREATE') {
          this.checkFree(ctx, name);
          body = str(input.TemplateBody) ?? '';
          stack = stack ?? this.newStack(ctx, name, body, parameters, capabilities, listOf(input.Tags));
          this.save(stack);
        } else {
          if (!stack) throw new ValidationError(`Stack [${name}] does not exist`);
          this.checkUpdatable(stack);
          body = this.updated(stack, input).TemplateBody;
        }
        const changes = this.changes(type === 'CREATE' ? undefined : stack, body);
        const sameParameters =
          type === 'UPDATE' &&
          JSON.stringify(resolveParameters(runtime, stack, body, parameters, stack.Parameters)) ===
            JSON.stringify(stack.Parameters);
        const record: ChangeSetRecord = {
          Id: `arn:aws:cloudformation:${ctx.region}:${ctx.principal.accountId}:changeSet/${changeSetName}/${seededUuid(() => runtime.random())}`,
          ChangeSetName: changeSetName,
          StackId: stack.StackId,
          StackName: stack.StackName,
          ChangeSetType: type,
          TemplateBody: body,
          Parameters: parameters,
          Capabilities: capabilities,
          Tags: listOf(input.Tags),
          ...(roleArn ? { RoleARN: roleArn } : {}),
          CreationTime: this.now(),
          Status: 'CREATE_COMPLETE',
          ExecutionStatus: 'AVAILABLE',
          Changes: changes,
        };
        if (type === 'UPDATE' && changes.length === 0 && sameParameters) {
          record.Status = 'FAILED';
          record.StatusReason = NO_CHANGES;
          record.ExecutionStatus = 'UNAVAILABLE';
        }
        runtime.store.put(STACK_TABLES.changeSets, `${stack.StackId}/${changeSetName}`, record);
        return { Id: record.Id, StackId: stack.StackId };
      },
      DescribeChangeSet: (input, ctx) => {
        const cs = this.changeSet(ctx, input);
        return {
          ChangeSetName: cs.ChangeSetName,
          ChangeSetId: cs.Id,
          StackId: cs.StackId,
          StackName: cs.StackName,
          CreationTime: new Date(cs.CreationTime),
          ExecutionStatus: cs.ExecutionStatus,
          Status: cs.Status,
          ...(cs.StatusReason ? { StatusReason: cs.StatusReason } : {}),
          Parameters: cs.Parameters,
          Capabilities: cs.Capabilities,
          Tags: cs.Tags,
          Changes: cs.Changes,
        };
      },
      ListChangeSets: (input, ctx) => {
        const stack = mustStack(runtime, ctx, input.StackName);
        const sets = runtime.store.list<ChangeSetRecord>(STACK_TABLES.changeSets, `${stack.StackId}/`);
        return {
          Summaries: sets.map((cs) => ({
            ChangeSetId: cs.Id,
            ChangeSetName: cs.ChangeSetName,
            StackId: cs.StackId,
            StackName: cs.StackName,
            ExecutionStatus: cs.ExecutionStatus,
            Status: cs.Status,
            CreationTime: new Date(cs.CreationTime),
          })),
        };
      },
      DeleteChangeSet: (input, ctx) => {
        const cs = this.changeSet(ctx, input);
        runtime.store.delete(STACK_TABLES.changeSets, `${cs.StackId}/${cs.ChangeSetName}`);
        return {};
      },
      ExecuteChangeSet: (input, ctx) => {
        const cs = this.changeSet(ctx, input);
        if (cs.ExecutionStatus !== 'AVAILABLE') {
          throw new CloudFormationError(
            'InvalidChangeSetStatus',
            `ChangeSet [${cs.Id}] cannot be executed in its current execution status of [${cs.ExecutionStatus}]`,
          );
        }
        const stack = findStack(runtime, ctx, cs.StackId) as StackRecord;
        const kind = cs.ChangeSetType;
        const roleArn = cs.RoleARN ?? stack.RoleARN;
        Object.assign(stack, {
          TemplateBody: cs.TemplateBody,
          Parameters: resolveParameters(runtime, stack, cs.TemplateBody, cs.Parameters, stack.Parameters),
          Capabilities: cs.Capabilities,
          StackStatus: `${kind}_IN_PROGRESS`,
          // the change set runs with the authority of its service role (the change set's, else the
          // stack's), or of whoever executes it
          deployer: deployerOf(runtime, ctx, roleArn),
          ...(roleArn ? { RoleARN: roleArn } : {}),
          ...(kind === 'UPDATE' ? { LastUpdatedTime: this.now() } : {}),
        });
        this.save(stack);
        for (const other of runtime.store.list<ChangeSetRecord>(STACK_TABLES.changeSets, `${cs.StackId}/`)) {
          const done = other.Id === cs.Id;
          runtime.store.put(STACK_TABLES.changeSets, `${cs.StackId}/${other.ChangeSetName}`, {
            ...other,
            ExecutionStatus: done ? 'EXECUTE_COMPLETE' : 'OBSOLETE',
          });
        }
        this.event(
          stack,
          stack.StackName,
          'AWS::CloudFormation::Stack',
          `${kind}_IN_PROGRESS`,
          stack.StackId,
          'User Initiated',
        );
        this.deployLater(stack, kind);
        return {};
      },
    };
  }

  private changeSet(ctx: RequestContext, input: Record<string, unknown>): ChangeSetRecord {
    const nameOrArn = str(input.ChangeSetName) ?? '';
    const found = nameOrArn.startsWith('arn:')
      ? this.runtime.store.list<ChangeSetRecord>(STACK_TABLES.changeSets).find((c) => c.Id === nameOrArn)
      : (() => {
          const stack = findStack(this.runtime, ctx, str(input.StackName) ?? '');
          return stack
            ? this.runtime.store.get<ChangeSetRecord>(STACK_TABLES.changeSets, `${stack.StackId}/${nameOrArn}`)
            : undefined;
        })();
    if (!found) throw new CloudFormationError('ChangeSetNotFound', `ChangeSet [${nameOrArn}] does not exist`, 404);
    return found;
  }

  /** Whether a stack has reached a terminal status (for tests and the deploy command). */
  static settled(stack: { StackStatus: string }): boolean {
    return TERMINAL.test(stack.StackStatus);
  }
}

/** One line of `GET /_sandbox/stacks` (and `vendguard sandbox status`). */
export interface StackSummary {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly status: string;
  readonly reason?: string;
  readonly resources: number;
  readonly updatedAt: string;
}

/** Every live stack of the sandbox, in every account and region. */
export function stackSummaries(runtime: SandboxRuntime): StackSummary[] {
  return runtime.store
    .list<StackRecord>(STACK_TABLES.stacks)
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
    .map((s) => ({
      account: s.account,
      region: s.region,
      name: s.StackName,
      status: s.StackStatus,
      ...(s.StackStatusReason ? { reason: s.StackStatusReason } : {}),
      resources: stackResources(runtime, { ...s, owner: owner(s.StackName) }).length,
      updatedAt: new Date(s.LastUpdatedTime ?? s.CreationTime).toISOString(),
    }));
}
