import { invalidParameter, ORGANIZATION_ONLY_MESSAGE, operationNotPermitted } from './errors';
import { type AssociationRecord, invitationArnOf, type RamState, type ShareRecord, seededUuid } from './model';
import { isSharingEnabled } from './organization';
import { checkOrganizationPrincipal, parsePrincipal } from './principals';
import { holds, parseResourceArn, type ResourceRef, typeOfArn } from './resources';
import { inOrganization } from './sharing';

/**
 * Adding resources and principals to a share, and taking them out: what `CreateResourceShare`,
 * `AssociateResourceShare` and `DisassociateResourceShare` do once the share is known.
 *
 * - A resource the owner holds (its account and region, and it exists) is `ASSOCIATED`; any other is
 *   accepted and its association `FAILED` with "The specified resource could not be found in your AWS
 *   account" (what RAM reports for it, boto/boto3#3396): it shares nothing.
 * - The organization and its OUs need sharing with the organization enabled; they, and accounts of the
 *   organization while it is enabled, are `ASSOCIATED` at once (no invitation, as RAM does inside an
 *   organization; on AWS `ASSOCIATING` first, for seconds).
 * - Any other account (outside the organization, or inside it while sharing is not enabled) is
 *   `ASSOCIATING` and gets an invitation; it is `ASSOCIATED` once it accepts. An account outside the
 *   organization needs `allowExternalPrincipals`, and no resource of the share may be of a type that
 *   stays inside the organization (subnets).
 */

export const RESOURCE_NOT_FOUND_MESSAGE = 'The specified resource could not be found in your AWS account';

/** Whether an association still counts (not failed, not taken out). */
const live = (a: AssociationRecord): boolean => a.status !== 'FAILED' && a.status !== 'DISASSOCIATED';

interface PlannedPrincipal {
  readonly id: string;
  readonly external: boolean;
  readonly organizational: boolean;
}

/** Checks the principals to add, as RAM does before it changes anything. */
function planPrincipals(state: RamState, share: ShareRecord, principals: readonly string[]): PlannedPrincipal[] {
  const { runtime } = state;
  return principals.map((value) => {
    const p = parsePrincipal(value);
    checkOrganizationPrincipal(runtime, share.owner, p);
    if (p.kind !== 'account') return { id: p.id, external: false, organizational: true };
    const external = !inOrganization(runtime, p.id) || !inOrganization(runtime, share.owner);
    if (external && !share.allowExternalPrincipals) {
      throw invalidParameter(
        `Principal ${p.id} is not in your AWS organization. You do not have permission to add external AWS accounts to a resource share.`,
      );
    }
    return { id: p.id, external, organizational: false };
  });
}

/**
 * The organization-only rules over the share as it would be: a type that stays inside the
 * organization and an external principal, or a type that needs sharing with the organization while
 * it is not enabled, is `OperationNotPermittedException`.
 */
function checkShareable(
  state: RamState,
  share: ShareRecord,
  resources: readonly ResourceRef[],
  principals: readonly PlannedPrincipal[],
): void {
  const kept = (type: 'PRINCIPAL' | 'RESOURCE') =>
    (type === 'PRINCIPAL' ? state.principalsOf(share.arn) : state.resourcesOf(share.arn)).filter(live);
  const types = [...kept('RESOURCE').flatMap((a) => typeOfArn(a.entity) ?? []), ...resources.map((r) => r.kind)];
  const anyExternal = principals.some((p) => p.external) || kept('PRINCIPAL').some((a) => a.external);
  const anyPrincipal = principals.length > 0 || kept('PRINCIPAL').length > 0;
  if (!anyPrincipal) return;
  const sharing = isSharingEnabled(state.store);
  for (const t of types) {
    if ((t.needsOrganizationSharing && !sharing) || (!t.outsideOrganization && anyExternal)) {
      throw operationNotPermitted(ORGANIZATION_ONLY_MESSAGE);
    }
  }
}

/** Adds resources and principals to a share (checked all first); returns the associations it made. */
export function associate(
  state: RamState,
  share: ShareRecord,
  request: { resourceArns?: readonly string[] | undefined; principals?: readonly string[] | undefined },
): AssociationRecord[] {
  const { runtime } = state;
  const resources = [...new Set(request.resourceArns ?? [])].map(parseResourceArn);
  const principals = planPrincipals(state, share, [...new Set(request.principals ?? [])]);
  checkShareable(
    state,
    share,
    resources.filter((r) => holds(runtime, r, share.owner, share.region)),
    principals,
  );
  const now = runtime.clock.nowMs();
  const sharing = isSharingEnabled(state.store);
  const made: AssociationRecord[] = [];
  state.store.transaction(() => {
    for (const r of resources) {
      const existing = state.association(share.arn, 'RESOURCE', r.arn);
      if (existing && live(existing)) {
        made.push(existing);
        continue;
      }
      const held = holds(runtime, r, share.owner, share.region);
      const a: AssociationRecord = {
        shareArn: share.arn,
        type: 'RESOURCE',
        entity: r.arn,
        status: held ? 'ASSOCIATED' : 'FAILED',
        ...(held ? {} : { statusMessage: RESOURCE_NOT_FOUND_MESSAGE }),
        external: false,
        resourceType: r.kind.type,
        createdMs: now,
        updatedMs: now,
      };
      state.putAssociation(a);
      made.push(a);
    }
    for (const p of principals) {
      const existing = state.association(share.arn, 'PRINCIPAL', p.id);
      if (existing && live(existing)) {
        made.push(existing);
        continue;
      }
      const accepted = state.invitation(share.arn, p.id)?.status === 'ACCEPTED';
      const direct = p.organizational || p.id === share.owner || (!p.external && sharing) || accepted;
      const a: AssociationRecord = {
        shareArn: share.arn,
        type: 'PRINCIPAL',
        entity: p.id,
        status: direct ? 'ASSOCIATED' : 'ASSOCIATING',
        external: p.external,
        createdMs: now,
        updatedMs: now,
      };
      state.putAssociation(a);
      made.push(a);
      if (!direct && state.invitation(share.arn, p.id)?.status !== 'PENDING') {
        state.putInvitation({
          arn: invitationArnOf(
            share.region,
            share.owner,
            seededUuid(() => runtime.random()),
          ),
          shareArn: share.arn,
          sender: share.owner,
          receiver: p.id,
          status: 'PENDING',
          createdMs: now,
        });
      }
    }
    if (made.length > 0) state.putShare({ ...share, updatedMs: now });
  });
  return made;
}

/**
 * Takes resources and principals out of a share: their associations become `DISASSOCIATED` (on AWS
 * `DISASSOCIATING` first). Entities the share does not hold are left out of the answer.
 */
export function disassociate(
  state: RamState,
  share: ShareRecord,
  request: { resourceArns?: readonly string[] | undefined; principals?: readonly string[] | undefined },
): AssociationRecord[] {
  const now = state.runtime.clock.nowMs();
  const named = [
    ...(request.resourceArns ?? []).map((e) => ['RESOURCE', e] as const),
    ...(request.principals ?? []).map((e) => ['PRINCIPAL', e] as const),
  ];
  const changed: AssociationRecord[] = [];
  state.store.transaction(() => {
    for (const [type, entity] of named) {
      const existing = state.association(share.arn, type, entity);
      if (!existing || existing.status === 'DISASSOCIATED') continue;
      const a: AssociationRecord = { ...existing, status: 'DISASSOCIATED', updatedMs: now };
      state.putAssociation(a);
      changed.push(a);
    }
    if (changed.length > 0) state.putShare({ ...share, updatedMs: now });
  });
  return changed;
}

/** Every live association of a share, taken out (the share is deleted). */
export function disassociateAll(state: RamState, share: ShareRecord): void {
  const now = state.runtime.clock.nowMs();
  for (const a of [...state.principalsOf(share.arn), ...state.resourcesOf(share.arn)]) {
    if (a.status === 'DISASSOCIATED') continue;
    state.putAssociation({ ...a, status: 'DISASSOCIATED', updatedMs: now });
  }
}
