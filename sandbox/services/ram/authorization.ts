import type { ContextValue } from '../../policy/types';
import type { RamState } from './model';
import { typeOfArn } from './resources';
import type { Caller } from './shares';

/**
 * What IAM is asked for each RAM call (Service Authorization Reference, `ram`): `ram:<Operation>` on
 * the resource share's ARN for the calls that name one (`AssociateResourceShare`,
 * `DisassociateResourceShare`, `DeleteResourceShare`), on the invitation's ARN for accepting or
 * rejecting it, `*` otherwise; with RAM's condition keys (`ram:RequestedResourceType`,
 * `ram:ResourceArn`, `ram:Principal`, `ram:RequestedAllowsExternalPrincipals`,
 * `ram:AllowsExternalPrincipals`, `ram:ResourceShareName`, `ram:ShareOwnerAccountId`) and the tags
 * (`aws:RequestTag/…`, `aws:TagKeys`, `aws:ResourceTag/…`).
 */

export interface RamAuthorization {
  readonly resources: readonly string[];
  /**
   * One request context per resource and principal the call names: RAM's keys are single-valued
   * (`ram:RequestedResourceType` is a String), so each pair is asked on its own, and all must be allowed.
   */
  readonly contexts: readonly Record<string, ContextValue>[];
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

const SHARE_OPERATIONS = new Set(['AssociateResourceShare', 'DisassociateResourceShare', 'DeleteResourceShare']);
const INVITATION_OPERATIONS = new Set(['AcceptResourceShareInvitation', 'RejectResourceShareInvitation']);

export function ramAuthorization(
  state: RamState,
  operation: string,
  input: Record<string, unknown>,
  caller: Caller,
): RamAuthorization {
  const context: Record<string, ContextValue> = {};
  const put = (key: string, values: readonly string[]) => {
    if (values.length > 0) context[key] = [...new Set(values)];
  };
  const perResource = [...new Set(strings(input.resourceArns))].map((arn) => {
    const type = typeOfArn(arn)?.type;
    return { 'ram:ResourceArn': arn, ...(type ? { 'ram:RequestedResourceType': type } : {}) };
  });
  const perPrincipal = [...new Set(strings(input.principals))].map((p) => ({ 'ram:Principal': p }));
  const each = (resources: readonly string[]): RamAuthorization => {
    const rs = perResource.length > 0 ? perResource : [{}];
    const ps = perPrincipal.length > 0 ? perPrincipal : [{}];
    return { resources, contexts: rs.flatMap((r) => ps.map((p) => ({ ...context, ...r, ...p }))) };
  };
  if (operation === 'CreateResourceShare') {
    context['ram:RequestedAllowsExternalPrincipals'] = input.allowExternalPrincipals !== false;
    const tags = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
    const keys: string[] = [];
    for (const t of tags) {
      if (typeof t?.key !== 'string') continue;
      keys.push(t.key);
      context[`aws:RequestTag/${t.key}`] = typeof t.value === 'string' ? t.value : '';
    }
    put('aws:TagKeys', keys);
    return each(['*']);
  }
  if (SHARE_OPERATIONS.has(operation) && typeof input.resourceShareArn === 'string') {
    const share = state.share(input.resourceShareArn);
    if (share) {
      context['ram:ResourceShareName'] = share.name;
      context['ram:AllowsExternalPrincipals'] = share.allowExternalPrincipals;
      for (const t of share.tags) {
        context[`aws:ResourceTag/${t.key}`] = t.value;
        context[`ram:ResourceTag/${t.key}`] = t.value;
      }
    }
    return each([input.resourceShareArn]);
  }
  if (INVITATION_OPERATIONS.has(operation) && typeof input.resourceShareInvitationArn === 'string') {
    const arn = input.resourceShareInvitationArn;
    const invitation = state.invitations().find((i) => i.arn === arn && i.receiver === caller.account);
    const share = invitation ? state.share(invitation.shareArn) : undefined;
    if (share) {
      context['ram:ShareOwnerAccountId'] = share.owner;
      context['ram:ResourceShareName'] = share.name;
    }
    return each([arn]);
  }
  return each(['*']);
}
