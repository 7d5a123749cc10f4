import type { AssociationRecord, InvitationRecord, ShareRecord } from './model';
import { typeOfArn } from './resources';

/**
 * RAM's reply shapes (`ResourceShare`, `ResourceShareAssociation`, `Resource`,
 * `ResourceShareInvitation`), timestamps in epoch seconds as restJson1 sends them.
 */

const seconds = (ms: number): number => ms / 1000;

/** A share as `viewer` sees it: its tags only for its owner. */
export function shareView(share: ShareRecord, viewer: string): Record<string, unknown> {
  return {
    resourceShareArn: share.arn,
    name: share.name,
    owningAccountId: share.owner,
    allowExternalPrincipals: share.allowExternalPrincipals,
    status: share.status,
    ...(share.owner === viewer ? { tags: share.tags.map((t) => ({ key: t.key, value: t.value })) } : {}),
    creationTime: seconds(share.createdMs),
    lastUpdatedTime: seconds(share.updatedMs),
    featureSet: 'STANDARD',
  };
}

export function associationView(a: AssociationRecord, shareName: string | undefined): Record<string, unknown> {
  return {
    resourceShareArn: a.shareArn,
    ...(shareName !== undefined ? { resourceShareName: shareName } : {}),
    associatedEntity: a.entity,
    associationType: a.type,
    status: a.status,
    ...(a.statusMessage ? { statusMessage: a.statusMessage } : {}),
    creationTime: seconds(a.createdMs),
    lastUpdatedTime: seconds(a.updatedMs),
    external: a.external,
  };
}

/** A shared resource (`ListResources`). */
export function resourceView(a: AssociationRecord): Record<string, unknown> {
  const kind = typeOfArn(a.entity);
  return {
    arn: a.entity,
    type: kind?.type ?? a.resourceType,
    resourceShareArn: a.shareArn,
    status: 'AVAILABLE',
    creationTime: seconds(a.createdMs),
    lastUpdatedTime: seconds(a.updatedMs),
    resourceRegionScope: kind?.regionScope ?? 'REGIONAL',
  };
}

export function invitationView(i: InvitationRecord, shareName: string | undefined): Record<string, unknown> {
  return {
    resourceShareInvitationArn: i.arn,
    ...(shareName !== undefined ? { resourceShareName: shareName } : {}),
    resourceShareArn: i.shareArn,
    senderAccountId: i.sender,
    receiverAccountId: i.receiver,
    invitationTimestamp: seconds(i.createdMs),
    status: i.status,
  };
}
