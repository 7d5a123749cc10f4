import type { OperationHandler, RequestContext } from '../../core/types';
import { type OperationRequest, StackSetEngine, seededUuid } from './engine';
import {
  InvalidOperationException,
  NameAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  StackInstanceNotFoundException,
  StackSetNotEmptyException,
  ValidationError,
} from './errors';
import {
  CreateStackInstancesSchema,
  CreateStackSetSchema,
  DeleteStackInstancesSchema,
  DescribeOperationSchema,
  DescribeStackInstanceSchema,
  ListOperationResultsSchema,
  ListOperationsSchema,
  ListStackInstancesSchema,
  ListStackSetsSchema,
  paginate,
  parseInput,
  StackSetNameSchema,
  UpdateStackSetSchema,
} from './input';
import {
  ACCOUNT_GATE_SKIPPED,
  type DeploymentTargets,
  type InstanceRecord,
  isActive,
  type OperationPreferences,
  type Parameter,
  type StackSetRecord,
  TABLES,
} from './model';
import { checkCapabilities, checkPreferences, checkRegions, cross, NAME_RE, resolveAccounts } from './targets';
import { validateTemplate } from './validate';
import { instanceView, operationSummaryView, operationView, stackSetSummaryView, stackSetView } from './views';

/** Builds the StackSets operation handlers over one engine. */
export function stackSetOperations(engine: StackSetEngine): Record<string, OperationHandler> {
  const admin = (ctx: RequestContext) => ctx.principal.accountId;
  const find = (ctx: RequestContext, name: string) => engine.find(admin(ctx), ctx.region, name);

  return {
    CreateStackSet(raw, ctx) {
      const input = parseInput(CreateStackSetSchema, raw);
      const { store } = ctx.runtime;
      if (!NAME_RE.test(input.StackSetName)) {
        throw new ValidationError(
          `StackSetName ${input.StackSetName} must match [a-zA-Z][-a-zA-Z0-9]* (at most 128 characters)`,
        );
      }
      const body = input.TemplateBody ?? (input.TemplateURL ? `# TemplateURL: ${input.TemplateURL}` : undefined);
      if (body === undefined) throw new ValidationError('Either TemplateBody or TemplateURL must be specified');
      const capabilities = input.Capabilities ?? [];
      validateTemplate(body, input.Parameters ?? []);
      checkCapabilities(body, capabilities);
      const permissionModel = input.PermissionModel ?? 'SELF_MANAGED';
      if (permissionModel === 'SELF_MANAGED' && input.AutoDeployment) {
        throw new ValidationError('AutoDeployment can only be specified for a SERVICE_MANAGED stack set');
      }
      const key = StackSetEngine.key(admin(ctx), ctx.region, input.StackSetName);
      const id = `${input.StackSetName}:${seededUuid(() => ctx.runtime.random())}`;
      const set: StackSetRecord = {
        key,
        adminAccount: admin(ctx),
        region: ctx.region,
        StackSetName: input.StackSetName,
        StackSetId: id,
        StackSetARN: `arn:aws:cloudformation:${ctx.region}:${admin(ctx)}:stackset/${id}`,
        TemplateBody: body,
        Parameters: (input.Parameters ?? []) as Parameter[],
        Capabilities: capabilities,
        Tags: input.Tags ?? [],
        PermissionModel: permissionModel,
        ManagedExecution: { Active: input.ManagedExecution?.Active ?? false },
        OrganizationalUnitIds: [],
        templateVersion: 1,
        createdAt: ctx.runtime.clock.now().toISOString(),
      };
      if (input.Description !== undefined) set.Description = input.Description;
      if (permissionModel === 'SELF_MANAGED') {
        set.AdministrationRoleARN =
          input.AdministrationRoleARN ?? `arn:aws:iam::${admin(ctx)}:role/AWSCloudFormationStackSetAdministrationRole`;
        set.ExecutionRoleName = input.ExecutionRoleName ?? 'AWSCloudFormationStackSetExecutionRole';
      } else {
        set.AutoDeployment = {
          Enabled: input.AutoDeployment?.Enabled ?? false,
          RetainStacksOnAccountRemoval: input.AutoDeployment?.RetainStacksOnAccountRemoval ?? false,
        };
      }
      if (!store.insert(TABLES.stackSets, key, set)) throw new NameAlreadyExistsException(input.StackSetName);
      return { StackSetId: id };
    },

    UpdateStackSet(raw, ctx) {
      const input = parseInput(UpdateStackSetSchema, raw);
      const set = find(ctx, input.StackSetName);
      const instances = engine.storedInstances(set);
      if (input.PermissionModel && input.PermissionModel !== set.PermissionModel && instances.length > 0) {
        throw new InvalidOperationException(
          `Cannot change the PermissionModel of StackSet ${set.StackSetName} while it has stack instances`,
        );
      }
      const permissionModel = input.PermissionModel ?? set.PermissionModel;
      if (permissionModel === 'SELF_MANAGED' && input.AutoDeployment) {
        throw new ValidationError('AutoDeployment can only be specified for a SERVICE_MANAGED stack set');
      }
      let body = set.TemplateBody;
      if (input.TemplateBody !== undefined) body = input.TemplateBody;
      else if (input.TemplateURL !== undefined) body = `# TemplateURL: ${input.TemplateURL}`;
      else if (!input.UsePreviousTemplate) {
        throw new ValidationError('One of TemplateBody, TemplateURL or UsePreviousTemplate must be specified');
      }
      const capabilities = input.Capabilities ?? set.Capabilities;
      const previous = new Map(set.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
      const parameters = (input.Parameters ?? set.Parameters).map((p) =>
        p.UsePreviousValue ? { ParameterKey: p.ParameterKey, ParameterValue: previous.get(p.ParameterKey) } : p,
      ) as Parameter[];
      validateTemplate(body, parameters);
      checkCapabilities(body, capabilities);

      const regions = input.Regions;
      if (regions) checkRegions(regions);
      const scoped = Boolean(input.Accounts?.length || input.DeploymentTargets);
      const accounts = scoped
        ? new Set(
            resolveAccounts(ctx.runtime, set, input.Accounts, input.DeploymentTargets, true).map((a) => a.account),
          )
        : undefined;
      const targets = instances
        .filter((i) => (!regions || regions.includes(i.Region)) && (!accounts || accounts.has(i.Account)))
        .map((i) => ({
          account: i.Account,
          region: i.Region,
          ...(i.OrganizationalUnitId ? { ou: i.OrganizationalUnitId } : {}),
        }));

      const request: OperationRequest = {
        action: 'UPDATE',
        targets,
        preferences: checkPreferences(input.OperationPreferences as OperationPreferences | undefined),
        fingerprint: JSON.stringify(['UPDATE', body, parameters, targets]),
      };
      if (input.OperationId !== undefined) request.operationId = input.OperationId;
      if (input.DeploymentTargets) request.deploymentTargets = input.DeploymentTargets as DeploymentTargets;
      const OperationId = engine.submit(set, request, (current) => {
        const updated: StackSetRecord = {
          ...current,
          TemplateBody: body,
          Parameters: parameters,
          Capabilities: capabilities,
          PermissionModel: permissionModel,
          templateVersion: current.templateVersion + 1,
        };
        if (input.Description !== undefined) updated.Description = input.Description;
        if (input.Tags) updated.Tags = input.Tags;
        if (input.ManagedExecution?.Active !== undefined)
          updated.ManagedExecution = { Active: input.ManagedExecution.Active };
        if (input.AutoDeployment) updated.AutoDeployment = { ...current.AutoDeployment, ...input.AutoDeployment };
        ctx.runtime.store.put(TABLES.stackSets, updated.key, updated);
        const targeted = new Set(targets.map((t) => `${t.account}/${t.region}`));
        for (const instance of instances) {
          if (instance.Status === 'CURRENT' && !targeted.has(`${instance.Account}/${instance.Region}`)) {
            ctx.runtime.store.put(TABLES.instances, `${set.StackSetId}/${instance.Account}/${instance.Region}`, {
              ...instance,
              Status: 'OUTDATED',
            });
          }
        }
        return updated;
      });
      return { OperationId };
    },

    DescribeStackSet(raw, ctx) {
      const input = parseInput(StackSetNameSchema, raw);
      const set = find(ctx, input.StackSetName);
      const regions = [...new Set(engine.storedInstances(set).map((i) => i.Region))];
      return { StackSet: stackSetView(set, regions) };
    },

    ListStackSets(raw, ctx) {
      const input = parseInput(ListStackSetsSchema, raw);
      const prefix = `${admin(ctx)}/${ctx.region}/`;
      const sets = input.Status === 'DELETED' ? [] : ctx.runtime.store.list<StackSetRecord>(TABLES.stackSets, prefix);
      const { page, next } = paginate(sets, input.NextToken, input.MaxResults);
      return { Summaries: page.map(stackSetSummaryView), NextToken: next };
    },

    DeleteStackSet(raw, ctx) {
      const input = parseInput(StackSetNameSchema, raw);
      const set = find(ctx, input.StackSetName);
      const active = engine.operations(set).find((o) => isActive(o.Status));
      if (active) throw new OperationInProgressException(set.StackSetName, active.OperationId);
      if (engine.storedInstances(set).length > 0) throw new StackSetNotEmptyException(set.StackSetName);
      ctx.runtime.store.delete(TABLES.stackSets, set.key);
      return {};
    },

    CreateStackInstances(raw, ctx) {
      const input = parseInput(CreateStackInstancesSchema, raw);
      const set = find(ctx, input.StackSetName);
      checkRegions(input.Regions);
      const accounts = resolveAccounts(ctx.runtime, set, input.Accounts, input.DeploymentTargets, false);
      const targets = cross(accounts, input.Regions);
      const preferences = checkPreferences(input.OperationPreferences as OperationPreferences | undefined);
      const overrides = input.ParameterOverrides as Parameter[] | undefined;
      const request: OperationRequest = {
        action: 'CREATE',
        targets,
        preferences,
        fingerprint: JSON.stringify(['CREATE', targets, preferences, overrides ?? null]),
      };
      if (overrides) request.parameterOverrides = overrides;
      if (input.OperationId !== undefined) request.operationId = input.OperationId;
      if (input.DeploymentTargets) request.deploymentTargets = input.DeploymentTargets as DeploymentTargets;
      const OperationId = engine.submit(set, request, (current) => {
        const ous = input.DeploymentTargets?.OrganizationalUnitIds ?? [];
        const updated = { ...current, OrganizationalUnitIds: [...new Set([...current.OrganizationalUnitIds, ...ous])] };
        ctx.runtime.store.put(TABLES.stackSets, updated.key, updated);
        return updated;
      });
      return { OperationId };
    },

    DeleteStackInstances(raw, ctx) {
      const input = parseInput(DeleteStackInstancesSchema, raw);
      const set = find(ctx, input.StackSetName);
      checkRegions(input.Regions);
      const accounts = new Set(
        resolveAccounts(ctx.runtime, set, input.Accounts, input.DeploymentTargets, true).map((a) => a.account),
      );
      const targets = engine
        .storedInstances(set)
        .filter((i) => input.Regions.includes(i.Region) && accounts.has(i.Account))
        .map((i) => ({
          account: i.Account,
          region: i.Region,
          ...(i.OrganizationalUnitId ? { ou: i.OrganizationalUnitId } : {}),
        }));
      const preferences = checkPreferences(input.OperationPreferences as OperationPreferences | undefined);
      const request: OperationRequest = {
        action: 'DELETE',
        targets,
        preferences,
        retainStacks: input.RetainStacks,
        fingerprint: JSON.stringify(['DELETE', targets, preferences, input.RetainStacks]),
      };
      if (input.OperationId !== undefined) request.operationId = input.OperationId;
      if (input.DeploymentTargets) request.deploymentTargets = input.DeploymentTargets as DeploymentTargets;
      return { OperationId: engine.submit(set, request) };
    },

    ListStackInstances(raw, ctx) {
      const input = parseInput(ListStackInstancesSchema, raw);
      const set = find(ctx, input.StackSetName);
      let instances: InstanceRecord[] = engine.liveInstances(set);
      if (input.StackInstanceAccount) instances = instances.filter((i) => i.Account === input.StackInstanceAccount);
      if (input.StackInstanceRegion) instances = instances.filter((i) => i.Region === input.StackInstanceRegion);
      for (const f of input.Filters ?? []) {
        if (f.Name === 'DETAILED_STATUS') instances = instances.filter((i) => i.DetailedStatus === f.Values);
        if (f.Name === 'LAST_OPERATION_ID') instances = instances.filter((i) => i.LastOperationId === f.Values);
        if (f.Name === 'DRIFT_STATUS') instances = instances.filter(() => f.Values === 'NOT_CHECKED');
      }
      const { page, next } = paginate(instances, input.NextToken, input.MaxResults);
      return { Summaries: page.map((i) => instanceView(i, false)), NextToken: next };
    },

    DescribeStackInstance(raw, ctx) {
      const input = parseInput(DescribeStackInstanceSchema, raw);
      const set = find(ctx, input.StackSetName);
      const instance = engine
        .liveInstances(set)
        .find((i) => i.Account === input.StackInstanceAccount && i.Region === input.StackInstanceRegion);
      if (!instance) {
        throw new StackInstanceNotFoundException(
          set.StackSetName,
          input.StackInstanceAccount,
          input.StackInstanceRegion,
        );
      }
      return { StackInstance: instanceView(instance, true) };
    },

    StopStackSetOperation(raw, ctx) {
      const input = parseInput(DescribeOperationSchema, raw);
      engine.stopOperation(find(ctx, input.StackSetName), input.OperationId);
      return {};
    },

    DescribeStackSetOperation(raw, ctx) {
      const input = parseInput(DescribeOperationSchema, raw);
      const set = find(ctx, input.StackSetName);
      const op = engine.operation(set, input.OperationId);
      if (!op) throw new OperationNotFoundException(set.StackSetName, input.OperationId);
      return { StackSetOperation: operationView(op, set) };
    },

    ListStackSetOperations(raw, ctx) {
      const input = parseInput(ListOperationsSchema, raw);
      const set = find(ctx, input.StackSetName);
      const ops = engine.operations(set).sort((a, b) => b.sequence - a.sequence);
      const { page, next } = paginate(ops, input.NextToken, input.MaxResults);
      return { Summaries: page.map(operationSummaryView), NextToken: next };
    },

    ListStackSetOperationResults(raw, ctx) {
      const input = parseInput(ListOperationResultsSchema, raw);
      const set = find(ctx, input.StackSetName);
      const op = engine.operation(set, input.OperationId);
      if (!op) throw new OperationNotFoundException(set.StackSetName, input.OperationId);
      let results = op.targets.map((t, i) => {
        const { status, reason } = engine.resultStatus(op, i);
        const started = status === 'RUNNING' || status === 'SUCCEEDED' || status === 'FAILED';
        return {
          Account: t.account,
          Region: t.region,
          Status: status,
          StatusReason: reason,
          AccountGateResult: started ? { Status: 'SKIPPED', StatusReason: ACCOUNT_GATE_SKIPPED } : undefined,
          OrganizationalUnitId: t.ou,
        };
      });
      for (const f of input.Filters ?? []) results = results.filter((r) => r.Status === f.Values);
      const { page, next } = paginate(results, input.NextToken, input.MaxResults);
      return {
        Summaries: page.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
        NextToken: next,
      };
    },
  };
}
