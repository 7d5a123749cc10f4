import { AwsServiceError } from '../../../core/types';
import { RamState } from '../../ram/model';
import { type Caller, ownedShare, shareOperations } from '../../ram/shares';
import {
  bool,
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::RAM::ResourceShare`, made and changed through RAM's own calls (CreateResourceShare,
 * AssociateResourceShare, DisassociateResourceShare, DeleteResourceShare) in the stack's account and
 * region, so a template is refused where the API refuses the call: an OU or the organization as a
 * principal without sharing with the organization enabled, an account outside the organization
 * without `AllowExternalPrincipals`, a resource type RAM does not share (see
 * `sandbox/services/ram/associations.ts`).
 */

const strings = (ctx: ResourceContext, props: Record<string, unknown>, name: string): string[] => {
  const value = props[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ResourceFailure(
      `Properties validation failed for resource ${ctx.logicalId} with message: #/${name}: expected type: JSONArray`,
    );
  }
  return value as string[];
};

const callerOf = (ctx: ResourceContext): Caller => ({ account: ctx.account, region: ctx.region });

/** The share's tags as RAM takes them: the template's and CloudFormation's. */
const tagsOf = (ctx: ResourceContext, props: Record<string, unknown>) =>
  stackTags(ctx, props.Tags).map((t) => ({ key: t.Key, value: t.Value }));

/** Ref is the ARN; `Fn::GetAtt` gives `Arn`, `OwningAccountId`, `FeatureSet` and `Status` (`ACTIVE` until deleted). */
const shareResource = (ctx: ResourceContext, arn: string): CreatedResource => ({
  physicalId: arn,
  attributes: { Arn: arn, OwningAccountId: ctx.account, FeatureSet: 'STANDARD', Status: 'ACTIVE' },
});

/** What is in `a` and not in `b`. */
const minus = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

/**
 * `AWS::RAM::ResourceShare` (Ref and `Arn`: the share's ARN; `OwningAccountId`, `FeatureSet`,
 * `Status`). `Name`, `AllowExternalPrincipals` (default true), `Tags` and `PermissionArns` (accepted;
 * RAM's managed permissions are not modelled) change in place, as UpdateResourceShare and the tagging
 * calls change them; new `ResourceArns` and `Principals` are associated and the ones dropped
 * disassociated, in one transaction: a refused change leaves the share as it was. Deleting deletes
 * the share (its associations `DISASSOCIATED`).
 */
const resourceShareProvider: ResourceProvider = {
  type: 'AWS::RAM::ResourceShare',
  properties: ['AllowExternalPrincipals', 'Name', 'PermissionArns', 'Principals', 'ResourceArns', 'Tags'],
  required: ['Name'],
  create(ctx, props) {
    const ram = shareOperations(new RamState(ctx.runtime));
    const allowExternalPrincipals = bool(props, 'AllowExternalPrincipals');
    const made = ram.CreateResourceShare(callerOf(ctx), {
      name: str(props, 'Name'),
      resourceArns: strings(ctx, props, 'ResourceArns'),
      principals: strings(ctx, props, 'Principals'),
      permissionArns: strings(ctx, props, 'PermissionArns'),
      ...(allowExternalPrincipals !== undefined ? { allowExternalPrincipals } : {}),
      tags: tagsOf(ctx, props),
    });
    return shareResource(ctx, (made.resourceShare as { resourceShareArn: string }).resourceShareArn);
  },
  update(ctx, physicalId, props, previous) {
    const state = new RamState(ctx.runtime);
    const ram = shareOperations(state);
    const caller = callerOf(ctx);
    const [resources, principals] = [strings(ctx, props, 'ResourceArns'), strings(ctx, props, 'Principals')];
    const [hadResources, hadPrincipals] = [
      strings(ctx, previous, 'ResourceArns'),
      strings(ctx, previous, 'Principals'),
    ];
    strings(ctx, props, 'PermissionArns');
    state.store.transaction(() => {
      const share = ownedShare(state, caller, physicalId);
      // the share's own settings first, so new principals are checked against them
      state.putShare({
        ...share,
        name: str(props, 'Name') ?? share.name,
        allowExternalPrincipals: bool(props, 'AllowExternalPrincipals') ?? true,
        tags: tagsOf(ctx, props),
        updatedMs: ctx.runtime.clock.nowMs(),
      });
      const gone = { resourceArns: minus(hadResources, resources), principals: minus(hadPrincipals, principals) };
      if (gone.resourceArns.length + gone.principals.length > 0) {
        ram.DisassociateResourceShare(caller, { resourceShareArn: physicalId, ...gone });
      }
      const added = { resourceArns: minus(resources, hadResources), principals: minus(principals, hadPrincipals) };
      if (added.resourceArns.length + added.principals.length > 0) {
        ram.AssociateResourceShare(caller, { resourceShareArn: physicalId, ...added });
      }
    });
    return shareResource(ctx, physicalId);
  },
  delete(ctx, physicalId) {
    try {
      shareOperations(new RamState(ctx.runtime)).DeleteResourceShare(callerOf(ctx), { resourceShareArn: physicalId });
    } catch (error) {
      // a share already deleted is not an error
      if (!(error instanceof AwsServiceError && error.code === 'UnknownResourceException')) throw error;
    }
  },
};

/** The RAM resource providers. */
export const ramProviders: ResourceProvider[] = [resourceShareProvider];
