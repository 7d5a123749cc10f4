import type { RequestContext, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';

/**
 * Resource providers: how a stack instance turns each resource of its template into a live object
 * of the service that owns it (IAM roles, Events rules, EC2 networks), in the instance's account and
 * region. Each provider names the properties it understands; anything else fails the resource with
 * CloudFormation's "Encountered unsupported property" message, and a type without a provider fails
 * it with the type named, never silently skipped.
 */

/** Where a resource is created. */
export interface ResourceContext {
  readonly runtime: SandboxRuntime;
  readonly account: string;
  readonly region: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
}

/** What a provider returns for a created resource. */
export interface CreatedResource {
  /** What `Ref` resolves to (a role name, a vpc id, a rule name). */
  readonly physicalId: string;
  /** What `Fn::GetAtt` resolves to (`Arn`, `RoleId`, …). */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface ResourceProvider {
  readonly type: string;
  /** Every property the provider reads; any other is "Encountered unsupported property". */
  readonly properties: readonly string[];
  /** Properties without which the handler refuses ("Properties validation failed"). */
  readonly required?: readonly string[];
  /** Creates the resource (properties resolved: no intrinsic functions left). Throws {@link ResourceFailure} or an AwsServiceError. */
  create(ctx: ResourceContext, properties: Record<string, unknown>): CreatedResource;
  /**
   * Updates in place when the provider can; returns undefined to ask for replacement (create the
   * new one, then delete the old one, as CloudFormation replaces). Absent: always replaced.
   */
  update?(
    ctx: ResourceContext,
    physicalId: string,
    properties: Record<string, unknown>,
    previous: Record<string, unknown>,
  ): CreatedResource | undefined;
  /** Deletes what {@link create} made; a resource already gone is not an error. */
  delete(ctx: ResourceContext, physicalId: string, properties: Record<string, unknown>): void;
}

/**
 * A provider whose service can only answer later (a DynamoDB table, made by dynalite). Stacks of
 * their own await it; stack set instances, deployed synchronously, fail such a resource.
 */
export interface AsyncResourceProvider extends Omit<ResourceProvider, 'create' | 'update' | 'delete'> {
  create(ctx: ResourceContext, properties: Record<string, unknown>): Promise<CreatedResource>;
  update?(
    ctx: ResourceContext,
    physicalId: string,
    properties: Record<string, unknown>,
    previous: Record<string, unknown>,
  ): Promise<CreatedResource | undefined>;
  delete(ctx: ResourceContext, physicalId: string, properties: Record<string, unknown>): Promise<void>;
}

/** Any provider. */
export type AnyResourceProvider = ResourceProvider | AsyncResourceProvider;

/**
 * A resource handler's refusal. `handlerErrorCode` is one of CloudFormation's handler error codes
 * (InvalidRequest, NotFound, AlreadyExists, GeneralServiceException, NotStabilized, …).
 */
export class ResourceFailure extends Error {
  constructor(
    message: string,
    readonly handlerErrorCode = 'InvalidRequest',
  ) {
    super(message);
    this.name = 'ResourceFailure';
  }
}

/** The handler error code of a service error (its code ending `NotFound` is NotFound, and so on). */
export function handlerErrorCode(error: unknown): string {
  if (error instanceof ResourceFailure) return error.handlerErrorCode;
  if (error instanceof AwsServiceError) {
    if (/NotFound|NoSuchEntity/.test(error.code)) return 'NotFound';
    if (/AlreadyExists|Duplicate|EntityAlreadyExists/.test(error.code)) return 'AlreadyExists';
    if (/Limit|Quota/.test(error.code)) return 'ServiceLimitExceeded';
    if (/AccessDenied|Unauthorized/.test(error.code)) return 'AccessDenied';
    return 'InvalidRequest';
  }
  return 'InternalFailure';
}

/** A string property (resolved), or undefined. */
export function str(props: Record<string, unknown>, name: string): string | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ResourceFailure(`Properties validation failed for resource with message: #/${name}: expected type: String`);
}

/** A boolean property given as a boolean or "true"/"false". */
export function bool(props: Record<string, unknown>, name: string): boolean | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ResourceFailure(
    `Properties validation failed for resource with message: #/${name}: expected type: Boolean`,
  );
}

/**
 * The name CloudFormation gives a resource the template does not name: `<stack>-<logical id>-<suffix>`
 * (the suffix derived from the stack id, so a redeploy names it the same), at most `max` characters.
 */
export function generatedName(ctx: ResourceContext, max = 64): string {
  const suffix = ctx.stackId.split('/').pop()?.replace(/-/g, '').slice(0, 12).toUpperCase() ?? 'X';
  return `${ctx.stackName.slice(0, 30)}-${ctx.logicalId.slice(0, 20)}-${suffix}`.slice(0, max);
}

/** CloudFormation's tags on a resource it creates, after the template's own. */
export function stackTags(ctx: ResourceContext, own: unknown): { Key: string; Value: string }[] {
  const tags = Array.isArray(own)
    ? (own as { Key?: unknown; Value?: unknown }[]).flatMap((t) =>
        t && typeof t.Key === 'string' ? [{ Key: t.Key, Value: String(t.Value ?? '') }] : [],
      )
    : [];
  return [
    ...tags,
    { Key: 'aws:cloudformation:stack-name', Value: ctx.stackName },
    { Key: 'aws:cloudformation:logical-id', Value: ctx.logicalId },
    { Key: 'aws:cloudformation:stack-id', Value: ctx.stackId },
  ];
}

/**
 * The request context of an API operation a provider runs on CloudFormation's behalf in the stack's
 * account and region (so it goes through the operation's own validation). CloudFormation acts with
 * the permissions of whoever deployed the stack, already authorized for the stack operation.
 */
export function serviceContext(ctx: ResourceContext, service: string, operation: string): RequestContext {
  return {
    service,
    operation,
    region: ctx.region,
    principal: {
      accountId: ctx.account,
      arn: `arn:aws:iam::${ctx.account}:root`,
      type: 'Root',
      principalId: ctx.account,
      accessKeyId: '',
    },
    requestId: `cloudformation-${ctx.logicalId}`,
    sourceIp: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
    runtime: ctx.runtime,
  };
}

/** The account and region a resource is made in. */
export const scopeOf = (ctx: ResourceContext): { account: string; region: string } => ({
  account: ctx.account,
  region: ctx.region,
});

/**
 * A provider for a policy set on a list of resources (`AWS::SQS::QueuePolicy` on `Queues`,
 * `AWS::SNS::TopicPolicy` on `Topics`): Ref (and `Id`) is an id of its own; an update sets the new
 * policy and clears it from the resources it no longer names; deleting clears it everywhere.
 */
export function policyOnResourcesProvider(spec: {
  readonly type: string;
  /** The property that lists the resources (`Queues`, `Topics`). */
  readonly listProperty: string;
  readonly apply: (ctx: ResourceContext, ids: readonly string[], policy: string) => void;
  readonly clear: (ctx: ResourceContext, ids: readonly string[]) => void;
}): ResourceProvider {
  const ids = (props: Record<string, unknown>, required: boolean): string[] => {
    const v = props[spec.listProperty];
    if (Array.isArray(v) && v.length > 0) return v.map(String);
    if (required) throw new ResourceFailure(`#/${spec.listProperty}: expected minimum item count: 1`);
    return [];
  };
  const policy = (props: Record<string, unknown>) =>
    typeof props.PolicyDocument === 'string' ? props.PolicyDocument : JSON.stringify(props.PolicyDocument);
  return {
    type: spec.type,
    properties: ['PolicyDocument', spec.listProperty],
    required: ['PolicyDocument', spec.listProperty],
    create(ctx, props) {
      spec.apply(ctx, ids(props, true), policy(props));
      const id = generatedName(ctx);
      return { physicalId: id, attributes: { Id: id } };
    },
    update(ctx, physicalId, props, previous) {
      const now = ids(props, true);
      spec.apply(ctx, now, policy(props));
      spec.clear(
        ctx,
        ids(previous, false).filter((id) => !now.includes(id)),
      );
      return { physicalId, attributes: { Id: physicalId } };
    },
    delete(ctx, _physicalId, props) {
      spec.clear(ctx, ids(props, false));
    },
  };
}
