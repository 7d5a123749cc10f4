import type { Principal, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { PROVIDERS } from './providers';
import {
  type AnyResourceProvider,
  type CreatedResource,
  handlerErrorCode,
  type ResourceContext,
  ResourceFailure,
} from './resources';
import { checkStackAuthority } from './stack-authority';
import { parseTemplate, ResolvedTemplate, type Template, TemplateError, type TemplateResource } from './template';

/**
 * A stack's resources made real: every resource of a deployed stack instance's template is created
 * by its type's provider in the instance's account and region, in dependency order (`Ref`,
 * `Fn::GetAtt`, `${…}` and `DependsOn`). An update keeps unchanged resources, updates or replaces
 * changed ones and deletes the ones no longer declared; a resource that fails rolls back what this
 * deployment created and fails the stack instance with a reason naming the resource. Deleting the
 * instance deletes everything it made, in reverse order.
 */

const TABLE = 'cfn.stack-resources';

/** One resource a stack made. */
export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly attributes: Readonly<Record<string, string>>;
}

interface StackResources {
  readonly stackId: string;
  readonly resources: StackResource[];
}

/**
 * A stack to materialise. `owner` keys its resources in its account and region: the stack set's name
 * for a stack set's instance, `stack/<name>` for a stack of its own.
 */
export interface StackToDeploy {
  readonly account: string;
  readonly region: string;
  readonly owner: string;
  /** Whose authority the resource calls carry (a stack's deployer or service role); unchecked when absent (stack set instances). */
  readonly principal?: Principal;
  readonly stackId: string;
  readonly templateBody: string;
  readonly parameters: readonly { ParameterKey?: string; ParameterValue?: string }[];
}

/** A stack instance that could not be deployed: `statusReason` is what CloudFormation reports. */
export class StackDeploymentError extends Error {
  constructor(
    readonly statusReason: string,
    readonly logicalId: string,
  ) {
    super(statusReason);
    this.name = 'StackDeploymentError';
  }
}

/** Where a stack's resources are kept: its account and region, and its {@link StackToDeploy.owner}. */
export interface StackKey {
  readonly account: string;
  readonly region: string;
  readonly owner: string;
}

const key = (s: StackKey) => `${s.account}/${s.region}/${s.owner}`;

const providers = new Map<string, AnyResourceProvider>(PROVIDERS.map((p) => [p.type, p]));

/** The resource types the sandbox can create. */
export function supportedResourceTypes(): string[] {
  return [...providers.keys()].sort();
}

/** The resources a deployed stack instance made, in creation order. */
export function stackResources(runtime: SandboxRuntime, stack: StackKey): StackResource[] {
  return runtime.store.get<StackResources>(TABLE, key(stack))?.resources ?? [];
}

/** The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` of `Fn::Sub`). */
function dependencies(value: unknown, ids: ReadonlySet<string>, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) dependencies(v, ids, out);
    return out;
  }
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'Ref' && typeof v === 'string' && ids.has(v)) out.add(v);
    else if (k === 'Fn::GetAtt') {
      const id = Array.isArray(v) ? String(v[0]) : String(v).split('.')[0];
      if (id && ids.has(id)) out.add(id);
    } else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^}!.]+)(?:\.[^}]*)?\}/g))
          if (ids.has(m[1] as string)) out.add(m[1] as string);
      }
      if (Array.isArray(v)) dependencies(v[1], ids, out);
    } else dependencies(v, ids, out);
  }
  return out;
}

/** The resources to create, in an order where each comes after what it depends on. */
function creationOrder(template: Template, resolved: ResolvedTemplate): [string, TemplateResource][] {
  const all = Object.entries(template.Resources ?? {}).filter(([, r]) => resolved.creates(r));
  const ids = new Set(all.map(([id]) => id));
  const deps = new Map(
    all.map(([id, r]) => {
      const set = dependencies(r.Properties ?? {}, ids, new Set());
      const dependsOn = (r as { DependsOn?: unknown }).DependsOn;
      for (const d of Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) {
        if (ids.has(String(d))) set.add(String(d));
      }
      return [id, set];
    }),
  );
  const ordered: [string, TemplateResource][] = [];
  const placed = new Set<string>();
  while (ordered.length < all.length) {
    const next = all.filter(([id]) => !placed.has(id) && [...(deps.get(id) ?? [])].every((d) => placed.has(d)));
    if (next.length === 0) {
      const cycle = all.filter(([id]) => !placed.has(id)).map(([id]) => id);
      throw new StackDeploymentError(`Circular dependency between resources: [${cycle.join(', ')}]`, cycle[0] ?? '');
    }
    for (const entry of next) {
      ordered.push(entry);
      placed.add(entry[0]);
    }
  }
  return ordered;
}

/** {@link creationOrder}; a condition that cannot be evaluated fails the stack with its template error. */
function ordered(template: Template, resolved: ResolvedTemplate): [string, TemplateResource][] {
  try {
    return creationOrder(template, resolved);
  } catch (error) {
    if (error instanceof TemplateError) throw new StackDeploymentError(error.message, '');
    throw error;
  }
}

/** CloudFormation's wording of a handler failure. */
function handlerMessage(error: unknown): string {
  const code = handlerErrorCode(error);
  if (error instanceof AwsServiceError) {
    return `Resource handler returned message: "${error.message} (Status Code: ${error.status ?? 400}, Error Code: ${error.code})" (HandlerErrorCode: ${code})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Resource handler returned message: "${message}" (HandlerErrorCode: ${code})`;
}

/** Checks a resource's properties against its provider ("extraneous key", "required key … not found"). */
function checkProperties(logicalId: string, provider: AnyResourceProvider, props: Record<string, unknown>): void {
  const extra = Object.keys(props).filter((k) => !provider.properties.includes(k));
  if (extra.length > 0) {
    throw new ResourceFailure(
      `Properties validation failed for resource ${logicalId} with message: #: extraneous key [${extra[0]}] is not permitted`,
    );
  }
  const missing = (provider.required ?? []).filter((k) => props[k] === undefined);
  if (missing.length > 0) {
    throw new ResourceFailure(
      `Properties validation failed for resource ${logicalId} with message: #: required key [${missing[0]}] not found`,
    );
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One deployment as steps: each provider call is yielded (its result, or a promise of it, is sent
 * back), so {@link deployStackResources} runs it synchronously and {@link deployStackResourcesAsync}
 * awaits providers that answer later (a DynamoDB table). A failure is thrown into the generator,
 * which rolls back what it created.
 */
function* deploySteps(runtime: SandboxRuntime, stack: StackToDeploy): Generator<unknown, StackResource[], unknown> {
  const template = parseTemplate(stack.templateBody);
  if (!template) throw new StackDeploymentError('Template format error: YAML not well-formed.', '');
  const previous = stackResources(runtime, stack);
  const byId = new Map(previous.map((r) => [r.logicalId, r]));
  const made = new Map<string, StackResource>();
  const stackName = stack.stackId.split('/')[1] ?? stack.owner;
  const resolved = new ResolvedTemplate(template, {
    account: stack.account,
    region: stack.region,
    stackId: stack.stackId,
    stackName,
    parameters: stack.parameters,
    attribute: (id, attr) => made.get(id)?.attributes[attr],
    physicalId: (id) => made.get(id)?.physicalId,
  });
  const order = ordered(template, resolved);
  // unsupported types fail before anything is created
  for (const [logicalId, r] of order) {
    if (!providers.has(r.Type ?? '')) {
      throw new StackDeploymentError(
        `The following resource(s) failed to create: [${logicalId}]. ${logicalId}: Resource type ${r.Type} is not supported by the vendguard sandbox (supported: ${supportedResourceTypes().join(', ')}).`,
        logicalId,
      );
    }
  }
  const createdNow: StackResource[] = [];
  const replaced: StackResource[] = [];
  const context = (logicalId: string): ResourceContext => ({
    runtime,
    account: stack.account,
    region: stack.region,
    stackId: stack.stackId,
    stackName,
    logicalId,
  });
  for (const [logicalId, r] of order) {
    const provider = providers.get(r.Type as string) as AnyResourceProvider;
    const old = byId.get(logicalId);
    const verb = old ? 'update' : 'create';
    try {
      const props = (resolved.resolve(r.Properties ?? {}) ?? {}) as Record<string, unknown>;
      checkProperties(logicalId, provider, props);
      if (!old || !sameJson(old.properties, props))
        checkStackAuthority(runtime, stack.principal, stack, r.Type as string, props);
      let result: CreatedResource | undefined;
      if (old && old.type === r.Type && sameJson(old.properties, props)) {
        result = { physicalId: old.physicalId, attributes: old.attributes };
      } else if (old && old.type === r.Type && provider.update) {
        result = (yield provider.update(context(logicalId), old.physicalId, props, old.properties)) as
          | CreatedResource
          | undefined;
      }
      if (!result) {
        result = (yield provider.create(context(logicalId), props)) as CreatedResource;
        const fresh = { logicalId, type: r.Type as string, ...toRecord(result), properties: props };
        createdNow.push(fresh);
        if (old) replaced.push(old);
      }
      made.set(logicalId, { logicalId, type: r.Type as string, ...toRecord(result), properties: props });
    } catch (error) {
      for (const gone of [...createdNow].reverse()) yield deleteStep(gone, context);
      if (error instanceof StackDeploymentError) throw error;
      // a function of the resource's properties that cannot be evaluated is the resource's reason as it is
      const reason = error instanceof TemplateError ? error.message : handlerMessage(error);
      throw new StackDeploymentError(
        `The following resource(s) failed to ${verb}: [${logicalId}]. ${logicalId}: ${reason}`,
        logicalId,
      );
    }
  }
  // what the template no longer declares, and what was replaced, goes (newest first)
  const kept = new Set([...made.values()].map((r) => `${r.type}/${r.physicalId}`));
  const obsolete = [...previous.filter((r) => !made.has(r.logicalId)), ...replaced].filter(
    (r) => !kept.has(`${r.type}/${r.physicalId}`),
  );
  for (const r of obsolete.reverse()) yield deleteStep(r, context);
  const resources = [...made.values()];
  runtime.store.put<StackResources>(TABLE, key(stack), { stackId: stack.stackId, resources });
  return resources;
}

/**
 * Creates or updates every resource of a deployed stack instance. Throws {@link StackDeploymentError}
 * (after rolling back what this call created) when a resource fails or its type is not supported;
 * a provider that can only answer later fails the resource (stack sets deploy synchronously).
 */
export function deployStackResources(runtime: SandboxRuntime, stack: StackToDeploy): StackResource[] {
  const steps = deploySteps(runtime, stack);
  let next = steps.next();
  while (!next.done) {
    const value = next.value;
    if (value instanceof Promise) {
      value.catch(() => undefined);
      next = steps.throw(
        new ResourceFailure(
          'This resource type is created asynchronously, which stack set instances in the sandbox do not support',
        ),
      );
    } else next = steps.next(value);
  }
  return next.value;
}

/** {@link deployStackResources} for a stack of its own, awaiting providers that answer later. */
export async function deployStackResourcesAsync(
  runtime: SandboxRuntime,
  stack: StackToDeploy,
): Promise<StackResource[]> {
  const steps = deploySteps(runtime, stack);
  let next = steps.next();
  while (!next.done) {
    const value = next.value;
    if (value instanceof Promise) {
      let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        settled = { ok: true, value: await value };
      } catch (error) {
        settled = { ok: false, error };
      }
      next = settled.ok ? steps.next(settled.value) : steps.throw(settled.error);
    } else next = steps.next(value);
  }
  return next.value;
}

function toRecord(result: CreatedResource): { physicalId: string; attributes: Record<string, string> } {
  return { physicalId: result.physicalId, attributes: { ...(result.attributes ?? {}) } };
}

/** Deletes one resource; a refusal is swallowed (DELETE_FAILED is not modelled: the resource stays). */
function deleteStep(resource: StackResource, context: (logicalId: string) => ResourceContext): unknown {
  try {
    const done = providers
      .get(resource.type)
      ?.delete(context(resource.logicalId), resource.physicalId, resource.properties);
    return done instanceof Promise ? done.catch(() => undefined) : done;
  } catch {
    return undefined;
  }
}

/** The context of a stack's resources from what it stored. */
function storedContext(runtime: SandboxRuntime, stack: StackKey, stackId: string) {
  const stackName = stackId.split('/')[1] ?? stack.owner;
  return (logicalId: string): ResourceContext => ({
    runtime,
    account: stack.account,
    region: stack.region,
    stackId,
    stackName,
    logicalId,
  });
}

/** Deletes every resource a stack instance made (its instance was deleted without RetainStacks). */
export function deleteStackResources(runtime: SandboxRuntime, stack: StackKey): void {
  const record = runtime.store.get<StackResources>(TABLE, key(stack));
  if (!record) return;
  const context = storedContext(runtime, stack, record.stackId);
  for (const r of [...record.resources].reverse()) deleteStep(r, context);
  runtime.store.delete(TABLE, key(stack));
}

/** {@link deleteStackResources} awaiting the resources whose service answers later (a stack of its own). */
export async function deleteStackResourcesAsync(runtime: SandboxRuntime, stack: StackKey): Promise<void> {
  const record = runtime.store.get<StackResources>(TABLE, key(stack));
  if (!record) return;
  const context = storedContext(runtime, stack, record.stackId);
  for (const r of [...record.resources].reverse()) await deleteStep(r, context);
  runtime.store.delete(TABLE, key(stack));
}
