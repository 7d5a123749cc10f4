import { pageAt } from '../../core/paging';
import { optionalString, requiredString } from '../../core/protocols/input';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { constraint, invalidMarker, KmsError, notFound, validation } from './errors';
import {
  type AliasRecord,
  aliasArn,
  aliasView,
  findKey,
  getAlias,
  type KeyRecord,
  listAliases,
  removeAlias,
  requireNotPendingDeletion,
  type Scope,
  saveAlias,
  scopeOf,
} from './model';

/**
 * KMS alias operations. An alias name starts `alias/`; `alias/aws/` is reserved for AWS managed keys
 * (which the sandbox does not create); an alias points at a key of its own account and region.
 */

type Input = Record<string, unknown>;

const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/** Validates an alias name as KMS does (prefix, reserved prefix, characters, length). */
export function checkAliasName(name: string): void {
  if (name.length > 256) throw constraint(name, 'aliasName', 'Member must have length less than or equal to 256');
  if (!name.startsWith('alias/')) {
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (name.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', '');
  if (!ALIAS_PATTERN.test(name)) {
    throw constraint(name, 'aliasName', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$');
  }
  if (name.includes(':')) throw validation(`${name} contains invalid characters for an alias`);
}

/** The key an alias may point at: named by key id or key ARN, never by another alias, not pending deletion. */
function targetKey(runtime: SandboxRuntime, scope: Scope, target: string): KeyRecord {
  if (target.startsWith('alias/') || /:alias\//.test(target))
    throw validation('Aliases must refer to keys. Not aliases');
  return requireNotPendingDeletion(findKey(runtime, scope, target));
}

/** Creates an alias (`CreateAlias`, `AWS::KMS::Alias`). */
export function createAlias(runtime: SandboxRuntime, scope: Scope, name: string, target: string): AliasRecord {
  checkAliasName(name);
  const key = targetKey(runtime, scope, target);
  if (getAlias(runtime, scope, name)) {
    throw new KmsError('AlreadyExistsException', `An alias with the name ${aliasArn(scope, name)} already exists`);
  }
  const now = runtime.clock.now().toISOString();
  const alias: AliasRecord = {
    account: scope.account,
    region: scope.region,
    AliasName: name,
    AliasArn: aliasArn(scope, name),
    TargetKeyId: key.KeyId,
    CreationDate: now,
    LastUpdatedDate: now,
  };
  saveAlias(runtime, alias);
  return alias;
}

function existingAlias(runtime: SandboxRuntime, scope: Scope, name: string): AliasRecord {
  if (!name.startsWith('alias/')) {
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  const alias = getAlias(runtime, scope, name);
  if (!alias) throw notFound(`Alias ${aliasArn(scope, name)} is not found.`);
  return alias;
}

/** Points an alias at another key (`UpdateAlias`). */
export function updateAlias(runtime: SandboxRuntime, scope: Scope, name: string, target: string): AliasRecord {
  const alias = existingAlias(runtime, scope, name);
  const key = targetKey(runtime, scope, target);
  const next = { ...alias, TargetKeyId: key.KeyId, LastUpdatedDate: runtime.clock.now().toISOString() };
  saveAlias(runtime, next);
  return next;
}

/** Deletes an alias (`DeleteAlias`). */
export function deleteAlias(runtime: SandboxRuntime, scope: Scope, name: string): void {
  removeAlias(runtime, existingAlias(runtime, scope, name));
}

/** The alias operations, bound to the runtime. */
export function aliasOperations(runtime: SandboxRuntime) {
  return {
    CreateAlias(input: Input, ctx: RequestContext) {
      createAlias(runtime, scopeOf(ctx), requiredString(input, 'AliasName'), requiredString(input, 'TargetKeyId'));
      return {};
    },

    UpdateAlias(input: Input, ctx: RequestContext) {
      updateAlias(runtime, scopeOf(ctx), requiredString(input, 'AliasName'), requiredString(input, 'TargetKeyId'));
      return {};
    },

    DeleteAlias(input: Input, ctx: RequestContext) {
      deleteAlias(runtime, scopeOf(ctx), requiredString(input, 'AliasName'));
      return {};
    },

    ListAliases(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const keyId = optionalString(input, 'KeyId');
      const key = keyId === undefined ? undefined : findKey(runtime, scope, keyId);
      const limit = typeof input.Limit === 'number' ? input.Limit : 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw constraint(limit, 'limit', 'Member must have value between 1 and 100');
      }
      // aliases of keys that are gone (deleted after their waiting period) are gone too
      const aliases = listAliases(runtime, scope).filter((a) => {
        try {
          findKey(runtime, scope, a.TargetKeyId);
          return key === undefined || a.TargetKeyId === key.KeyId;
        } catch {
          return false;
        }
      });
      const { page, next } = pageAt(aliases, optionalString(input, 'Marker'), limit, () => invalidMarker());
      return { Aliases: page.map(aliasView), Truncated: next !== undefined, ...(next ? { NextMarker: next } : {}) };
    },
  };
}
