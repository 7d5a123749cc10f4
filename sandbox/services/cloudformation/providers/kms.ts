import {
  createAlias,
  createKey,
  deleteAlias,
  findKey,
  getAlias,
  getKey,
  putKeyPolicy,
  scheduleKeyDeletion,
  setRotation,
  updateAlias,
} from '../../kms';
import { defaultKeyPolicy, type KeyRecord, saveKey } from '../../kms/model';
import {
  bool,
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::KMS::Key` (Ref: the key id; `Fn::GetAtt` `Arn`, `KeyId`) and `AWS::KMS::Alias` (Ref: the alias
 * name), in the stack's account and region, through the same code as `CreateKey`, `PutKeyPolicy`,
 * `EnableKeyRotation` and `CreateAlias`. Deleting a key schedules its deletion (`PendingWindowInDays`,
 * default 30), as CloudFormation does.
 */

const policyText = (props: Record<string, unknown>): string | undefined =>
  props.KeyPolicy === undefined
    ? undefined
    : typeof props.KeyPolicy === 'string'
      ? props.KeyPolicy
      : JSON.stringify(props.KeyPolicy);

function integer(props: Record<string, unknown>, name: string): number | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ResourceFailure(`#/${name}: expected type: Integer`);
  return n;
}

function kmsTags(ctx: ResourceContext, props: Record<string, unknown>) {
  return stackTags(ctx, props.Tags).map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
}

/** Enabled, rotation and tags: what an update changes in place after the policy. */
function settle(ctx: ResourceContext, key: KeyRecord, props: Record<string, unknown>): CreatedResource {
  let next: KeyRecord = { ...key, Tags: kmsTags(ctx, props), Description: str(props, 'Description') ?? '' };
  saveKey(ctx.runtime, next);
  const rotation = bool(props, 'EnableKeyRotation') ?? false;
  const period = integer(props, 'RotationPeriodInDays');
  if (rotation || next.RotationEnabled) next = setRotation(ctx.runtime, next, rotation, period);
  const enabled = bool(props, 'Enabled') ?? true;
  if ((next.KeyState === 'Enabled') !== enabled)
    saveKey(ctx.runtime, { ...next, KeyState: enabled ? 'Enabled' : 'Disabled' });
  return { physicalId: key.KeyId, attributes: { Arn: key.Arn, KeyId: key.KeyId } };
}

export const kmsKeyProvider: ResourceProvider = {
  type: 'AWS::KMS::Key',
  properties: [
    'BypassPolicyLockoutSafetyCheck',
    'Description',
    'EnableKeyRotation',
    'Enabled',
    'KeyPolicy',
    'KeySpec',
    'KeyUsage',
    'MultiRegion',
    'Origin',
    'PendingWindowInDays',
    'RotationPeriodInDays',
    'Tags',
  ],
  create(ctx, props) {
    const policy = policyText(props);
    const spec = str(props, 'KeySpec');
    const usage = str(props, 'KeyUsage');
    const origin = str(props, 'Origin');
    const description = str(props, 'Description');
    const key = createKey(
      ctx.runtime,
      scopeOf(ctx),
      {
        ...(policy !== undefined ? { Policy: policy } : {}),
        ...(spec !== undefined ? { KeySpec: spec } : {}),
        ...(usage !== undefined ? { KeyUsage: usage } : {}),
        ...(origin !== undefined ? { Origin: origin } : {}),
        ...(description !== undefined ? { Description: description } : {}),
        MultiRegion: bool(props, 'MultiRegion') ?? false,
      },
      { systemTags: kmsTags(ctx, props) },
    );
    return settle(ctx, key, props);
  },
  update(ctx, physicalId, props, previous) {
    for (const name of ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin']) {
      if (JSON.stringify(props[name]) !== JSON.stringify(previous[name])) return undefined;
    }
    let key = findKey(ctx.runtime, scopeOf(ctx), physicalId);
    key = putKeyPolicy(ctx.runtime, key, policyText(props) ?? defaultKeyPolicy(ctx.account), {
      bypassLockoutCheck: true,
    });
    return settle(ctx, key, props);
  },
  delete(ctx, physicalId, props) {
    const key = getKey(ctx.runtime, scopeOf(ctx), physicalId);
    if (key && key.KeyState !== 'PendingDeletion')
      scheduleKeyDeletion(ctx.runtime, key, integer(props, 'PendingWindowInDays') ?? 30);
  },
};

export const kmsAliasProvider: ResourceProvider = {
  type: 'AWS::KMS::Alias',
  properties: ['AliasName', 'TargetKeyId'],
  required: ['AliasName', 'TargetKeyId'],
  create(ctx, props) {
    const alias = createAlias(
      ctx.runtime,
      scopeOf(ctx),
      str(props, 'AliasName') as string,
      str(props, 'TargetKeyId') as string,
    );
    return { physicalId: alias.AliasName };
  },
  update(ctx, physicalId, props) {
    if (str(props, 'AliasName') !== physicalId) return undefined;
    updateAlias(ctx.runtime, scopeOf(ctx), physicalId, str(props, 'TargetKeyId') as string);
    return { physicalId };
  },
  delete(ctx, physicalId) {
    if (getAlias(ctx.runtime, scopeOf(ctx), physicalId)) deleteAlias(ctx.runtime, scopeOf(ctx), physicalId);
  },
};
