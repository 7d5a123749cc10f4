import { invitationAlreadyAccepted, invitationAlreadyRejected, invitationNotFound } from './errors';
import { GetResourceShareInvitationsSchema, InvitationAnswerSchema, page, parseInput } from './input';
import type { InvitationRecord, RamState } from './model';
import type { Caller } from './shares';
import { invitationView } from './views';

/**
 * Invitations: an account that is not reached through the organization (outside it, or inside it
 * while sharing with the organization is not enabled) is invited, and has the share only once it
 * accepts (`GetResourceShareInvitations`, `AcceptResourceShareInvitation`,
 * `RejectResourceShareInvitation`). Each answers the invitations the caller received, in the region.
 */

type Input = Record<string, unknown>;

export function invitationOperations(state: RamState) {
  const received = (caller: Caller): InvitationRecord[] =>
    state
      .invitations()
      .filter((i) => i.receiver === caller.account && state.share(i.shareArn)?.region === caller.region);
  const shareName = (i: InvitationRecord) => state.share(i.shareArn)?.name;

  /** The caller's invitation by ARN, still pending, answered with `status`. */
  function answer(caller: Caller, raw: Input, status: 'ACCEPTED' | 'REJECTED') {
    const request = parseInput(InvitationAnswerSchema, raw);
    const arn = request.resourceShareInvitationArn;
    const invitation = received(caller).find((i) => i.arn === arn);
    if (!invitation) throw invitationNotFound(arn);
    if (invitation.status === 'ACCEPTED') throw invitationAlreadyAccepted(arn);
    if (invitation.status === 'REJECTED') throw invitationAlreadyRejected(arn);
    const now = state.runtime.clock.nowMs();
    const answered: InvitationRecord = { ...invitation, status };
    state.store.transaction(() => {
      state.putInvitation(answered);
      const association = state.association(invitation.shareArn, 'PRINCIPAL', invitation.receiver);
      if (association?.status === 'ASSOCIATING') {
        state.putAssociation({
          ...association,
          status: status === 'ACCEPTED' ? 'ASSOCIATED' : 'DISASSOCIATED',
          updatedMs: now,
        });
      }
    });
    return { resourceShareInvitation: invitationView(answered, shareName(answered)), clientToken: request.clientToken };
  }

  return {
    GetResourceShareInvitations(caller: Caller, raw: Input) {
      const request = parseInput(GetResourceShareInvitationsSchema, raw);
      const invitations = received(caller)
        .filter((i) => !request.resourceShareInvitationArns || request.resourceShareInvitationArns.includes(i.arn))
        .filter((i) => !request.resourceShareArns || request.resourceShareArns.includes(i.shareArn));
      const { page: items, next } = page(invitations, request);
      return { resourceShareInvitations: items.map((i) => invitationView(i, shareName(i))), nextToken: next };
    },
    AcceptResourceShareInvitation: (caller: Caller, raw: Input) => answer(caller, raw, 'ACCEPTED'),
    RejectResourceShareInvitation: (caller: Caller, raw: Input) => answer(caller, raw, 'REJECTED'),
  };
}
