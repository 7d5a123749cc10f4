import type { SandboxRuntime, Store } from '../../core/types';

/**
 * RAM's state in the store: resource shares (regional, in their owner's account), their
 * associations with resources and principals, the invitations of principals that must accept a
 * share, and whether sharing with the organization is enabled.
 *
 * Associations are keyed so that the questions asked on every EC2 Describe are one indexed
 * prefix read: `R|<resource arn>|<share arn>` (the shares of a resource) and
 * `P|<share arn>|<principal>` (the principals of a share).
 */

export const RAM_TABLES = {
  shares: 'ram.shares',
  associations: 'ram.associations',
  /** By `<share arn>|<receiver account>`: one invitation per share and account. */
  invitations: 'ram.invitations',
  /** By `<account>/<client token>`: the share a `CreateResourceShare` made, and the request it made it for. */
  clientTokens: 'ram.client-tokens',
  meta: 'ram.meta',
} as const;

/** RAM's service principal, the one `EnableSharingWithAwsOrganization` gives trusted access. */
export const RAM_SERVICE_PRINCIPAL = 'ram.amazonaws.com';

/** The `meta` entry of RAM's side of sharing with the organization (its service-linked role). */
export const SHARING_ENABLED = 'sharing-with-organization';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export type ShareStatus = 'ACTIVE' | 'DELETED';
export type AssociationStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';
export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';

export interface ShareRecord {
  readonly arn: string;
  readonly name: string;
  readonly owner: string;
  readonly region: string;
  readonly allowExternalPrincipals: boolean;
  readonly status: ShareStatus;
  readonly tags: readonly Tag[];
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface AssociationRecord {
  readonly shareArn: string;
  readonly type: 'PRINCIPAL' | 'RESOURCE';
  /** An account id, an organization or OU ARN, or a resource ARN. */
  readonly entity: string;
  readonly status: AssociationStatus;
  readonly statusMessage?: string;
  /** A principal outside the owner's organization. */
  readonly external: boolean;
  /** A resource association: its RAM resource type (`ec2:TransitGateway`). */
  readonly resourceType?: string;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface InvitationRecord {
  readonly arn: string;
  readonly shareArn: string;
  readonly sender: string;
  readonly receiver: string;
  readonly status: InvitationStatus;
  readonly createdMs: number;
}

export const resourceKey = (resourceArn: string, shareArn: string): string => `R|${resourceArn}|${shareArn}`;
export const principalKey = (shareArn: string, principal: string): string => `P|${shareArn}|${principal}`;
export const invitationKey = (shareArn: string, receiver: string): string => `${shareArn}|${receiver}`;

/** A version-4 UUID from the sandbox's seeded generator (share and invitation ids repeat for a seed). */
export function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(random() * 16)] as string);
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)] as string;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** `arn:aws:ram:<region>:<owner>:resource-share/<uuid>` */
export const shareArnOf = (region: string, owner: string, id: string): string =>
  `arn:aws:ram:${region}:${owner}:resource-share/${id}`;

/** `arn:aws:ram:<region>:<sender>:resource-share-invitation/<uuid>` */
export const invitationArnOf = (region: string, sender: string, id: string): string =>
  `arn:aws:ram:${region}:${sender}:resource-share-invitation/${id}`;

/** The account and region a share ARN names, or undefined for another string. */
export function parseShareArn(arn: string): { region: string; owner: string } | undefined {
  const m = /^arn:aws:ram:([a-z0-9-]+):(\d{12}):resource-share\/[0-9a-f-]+$/.exec(arn);
  return m ? { region: m[1] as string, owner: m[2] as string } : undefined;
}

/** Typed access to the RAM tables. */
export class RamState {
  constructor(readonly runtime: SandboxRuntime) {}

  get store(): Store {
    return this.runtime.store;
  }

  share(arn: string): ShareRecord | undefined {
    return this.store.get<ShareRecord>(RAM_TABLES.shares, arn);
  }

  putShare(share: ShareRecord): void {
    this.store.put(RAM_TABLES.shares, share.arn, share);
  }

  /** The shares of a region, in creation order. */
  sharesIn(region: string): ShareRecord[] {
    return this.store.list<ShareRecord>(RAM_TABLES.shares).filter((s) => s.region === region);
  }

  principalsOf(shareArn: string): AssociationRecord[] {
    return this.store.list<AssociationRecord>(RAM_TABLES.associations, `P|${shareArn}|`);
  }

  resourcesOf(shareArn: string): AssociationRecord[] {
    return this.store.list<AssociationRecord>(RAM_TABLES.associations, 'R|').filter((a) => a.shareArn === shareArn);
  }

  /** Every share's association with a resource (an indexed prefix read). */
  sharesOfResource(resourceArn: string): AssociationRecord[] {
    return this.store.list<AssociationRecord>(RAM_TABLES.associations, `R|${resourceArn}|`);
  }

  putAssociation(a: AssociationRecord): void {
    const key = a.type === 'RESOURCE' ? resourceKey(a.entity, a.shareArn) : principalKey(a.shareArn, a.entity);
    this.store.put(RAM_TABLES.associations, key, a);
  }

  association(shareArn: string, type: 'PRINCIPAL' | 'RESOURCE', entity: string): AssociationRecord | undefined {
    const key = type === 'RESOURCE' ? resourceKey(entity, shareArn) : principalKey(shareArn, entity);
    return this.store.get<AssociationRecord>(RAM_TABLES.associations, key);
  }

  invitation(shareArn: string, receiver: string): InvitationRecord | undefined {
    return this.store.get<InvitationRecord>(RAM_TABLES.invitations, invitationKey(shareArn, receiver));
  }

  invitations(): InvitationRecord[] {
    return this.store.list<InvitationRecord>(RAM_TABLES.invitations);
  }

  putInvitation(invitation: InvitationRecord): void {
    this.store.put(RAM_TABLES.invitations, invitationKey(invitation.shareArn, invitation.receiver), invitation);
  }
}
