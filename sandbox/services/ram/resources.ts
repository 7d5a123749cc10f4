import type { SandboxRuntime } from '../../core/types';
import { IPAM_TABLES } from '../ec2/ipam-model';
import { EC2_TABLES } from '../ec2/model';
import { malformedArn } from './errors';

/**
 * The resource types the sandbox shares, as RAM names them (`ListResources`' `resourceType`), and
 * whether an owner holds a resource: the ARN names the caller's account (and, for a regional type,
 * the share's region), and the resource exists there.
 *
 * Shareable AWS resources (RAM User Guide) and the services' own guides: a transit gateway can be
 * shared outside the organization; subnets only inside it, with sharing with the organization
 * enabled (VPC User Guide, "Share your VPC"); IPAM pools with sharing with the organization enabled
 * (IPAM User Guide, "Share an IPAM pool using AWS RAM"), also with accounts outside it.
 */

export interface ShareableType {
  /** `ec2:TransitGateway` */
  readonly type: string;
  /** The ARN's service and resource type: `ec2`, `transit-gateway`. */
  readonly service: string;
  readonly arnType: string;
  /** `ListResources`' `resourceRegionScope`: all three are shared from one region. */
  readonly regionScope: 'REGIONAL' | 'GLOBAL';
  /** Whether the ARN names a region (an IPAM pool's does not: it is shared from its IPAM's home region). */
  readonly arnHasRegion: boolean;
  /** May be shared with accounts outside the organization. */
  readonly outsideOrganization: boolean;
  /** Needs sharing with the organization enabled, whoever the principals are. */
  readonly needsOrganizationSharing: boolean;
}

export const SHAREABLE_TYPES: readonly ShareableType[] = [
  {
    type: 'ec2:TransitGateway',
    service: 'ec2',
    arnType: 'transit-gateway',
    regionScope: 'REGIONAL',
    arnHasRegion: true,
    outsideOrganization: true,
    needsOrganizationSharing: false,
  },
  {
    type: 'ec2:Subnet',
    service: 'ec2',
    arnType: 'subnet',
    regionScope: 'REGIONAL',
    arnHasRegion: true,
    outsideOrganization: false,
    needsOrganizationSharing: true,
  },
  {
    type: 'ec2:IpamPool',
    service: 'ec2',
    arnType: 'ipam-pool',
    regionScope: 'REGIONAL',
    arnHasRegion: false,
    outsideOrganization: true,
    needsOrganizationSharing: true,
  },
];

/** A resource ARN, split. */
export interface ResourceRef {
  readonly arn: string;
  readonly kind: ShareableType;
  readonly region: string;
  readonly account: string;
  readonly id: string;
}

const ARN = /^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([a-z-]+)[/:](.+)$/;

/**
 * A resource ARN of a shareable type, or `MalformedArnException`: "The specified resource ARN … is not
 * valid. Verify the ARN and try again." for what is no ARN, "You cannot share the selected resource
 * type." for a type RAM (or the sandbox) does not share.
 */
export function parseResourceArn(arn: string): ResourceRef {
  const m = ARN.exec(arn);
  if (!m) throw malformedArn(`The specified resource ARN ${arn} is not valid. Verify the ARN and try again.`);
  const [, service, region, account, arnType, id] = m as unknown as [string, string, string, string, string, string];
  const kind = SHAREABLE_TYPES.find((t) => t.service === service && t.arnType === arnType);
  if (!kind) throw malformedArn('You cannot share the selected resource type.');
  return { arn, kind, region, account, id };
}

/** Whether a resource exists in its account and the share's region: the store of the service that owns it. */
type ResourceResolver = (runtime: SandboxRuntime, ref: ResourceRef, region: string) => boolean;

/** How each type is found: in the store of the service that models it. */
const resolvers = new Map<string, ResourceResolver>([
  [
    'ec2:TransitGateway',
    (runtime, ref) =>
      runtime.store.get(EC2_TABLES.tgws, `${ref.account}/${ref.region}/${ref.id}`) !== undefined &&
      ref.id.startsWith('tgw-'),
  ],
  [
    'ec2:Subnet',
    (runtime, ref) =>
      runtime.store.get(EC2_TABLES.subnets, `${ref.account}/${ref.region}/${ref.id}`) !== undefined &&
      ref.id.startsWith('subnet-'),
  ],
  [
    // shared from the IPAM's home region only (the IPAM User Guide): the share's region is the pool's
    'ec2:IpamPool',
    (runtime, ref, region) => {
      const at = runtime.store.get<{ ownerId: string; region: string }>(IPAM_TABLES.poolIndex, ref.id);
      return at?.ownerId === ref.account && at.region === region;
    },
  ],
]);

/** Whether `owner` holds the resource in `region`: the ARN names them, and the resource exists. */
export function holds(runtime: SandboxRuntime, ref: ResourceRef, owner: string, region: string): boolean {
  if (ref.account !== owner) return false;
  if (ref.kind.arnHasRegion && ref.region !== region) return false;
  const resolver = resolvers.get(ref.kind.type);
  return resolver ? resolver(runtime, ref, region) : false;
}

/** The RAM type of a stored resource ARN. */
export const typeOfArn = (arn: string): ShareableType | undefined => {
  try {
    return parseResourceArn(arn).kind;
  } catch {
    return undefined;
  }
};
