import type { SandboxRuntime } from '../../core/types';
import { type AssociationRecord, RAM_TABLES, RamState, type ShareRecord, seededUuid, shareArnOf } from './model';
import { enableSharing } from './organization';

/**
 * What RAM is seeded with: sharing with the organization enabled (by the management account, as the
 * vendguard network setup needs before its stacks share anything with OUs), on every start; and,
 * when the runtime seeds its own network, the network account's share `vendguard-transit-gateway`
 * of the organization's transit gateway with the OUs whose accounts attach their VPCs to it.
 */

/** The share's name. */
export const TRANSIT_GATEWAY_SHARE_NAME = 'vendguard-transit-gateway';

/** The OUs the transit gateway is shared with (those of the config; each takes in the OUs below it). */
export const TRANSIT_GATEWAY_SHARE_OUS = ['Workloads', 'Sandbox', 'Infrastructure'] as const;

const SEEDED = 'seeded-transit-gateway-share';
const SEEDED_SHARING = 'seeded-sharing-with-organization';

/**
 * Enables sharing with the organization once, as the operator does before deploying the network
 * (`aws ram enable-sharing-with-aws-organization`): RAM's side and trusted access for RAM. Sharing
 * disabled since is not enabled again.
 */
export function seedSharingWithOrganization(runtime: SandboxRuntime): void {
  const { store } = runtime;
  // a home whose transit gateway share was seeded had sharing enabled with it
  if (store.get(RAM_TABLES.meta, SEEDED_SHARING) || store.get(RAM_TABLES.meta, SEEDED)) return;
  store.transaction(() => {
    enableSharing(store, runtime.clock.nowMs());
    store.put(RAM_TABLES.meta, SEEDED_SHARING, { at: runtime.clock.now().toISOString() });
  });
}

/**
 * Seeds the share once (a sandbox home seeded before RAM existed gets it on its next start; a share
 * deleted since does not come back). Called by EC2's seed, which owns the gateway, when the runtime
 * seeds its own network (`RuntimeOptions.seedNetwork`).
 */
export function seedTransitGatewayShare(
  runtime: SandboxRuntime,
  gateway: { readonly owner: string; readonly region: string; readonly transitGatewayId: string },
): void {
  const { store, organizations } = runtime;
  if (store.get(RAM_TABLES.meta, SEEDED)) return;
  const state = new RamState(runtime);
  const now = runtime.clock.nowMs();
  const ouArn = (ouId: string) =>
    `arn:aws:organizations::${runtime.managementAccountId}:ou/${organizations.organizationId}/${ouId}`;
  const ous = TRANSIT_GATEWAY_SHARE_OUS.flatMap((path) => organizations.ouIdByPath(path) ?? []);
  store.transaction(() => {
    enableSharing(store, now);
    const share: ShareRecord = {
      arn: shareArnOf(
        gateway.region,
        gateway.owner,
        seededUuid(() => runtime.random()),
      ),
      name: TRANSIT_GATEWAY_SHARE_NAME,
      owner: gateway.owner,
      region: gateway.region,
      allowExternalPrincipals: false,
      status: 'ACTIVE',
      tags: [{ key: 'Name', value: TRANSIT_GATEWAY_SHARE_NAME }],
      createdMs: now,
      updatedMs: now,
    };
    state.putShare(share);
    const associated = (a: Omit<AssociationRecord, 'shareArn' | 'status' | 'createdMs' | 'updatedMs' | 'external'>) =>
      state.putAssociation({
        ...a,
        shareArn: share.arn,
        status: 'ASSOCIATED',
        external: false,
        createdMs: now,
        updatedMs: now,
      });
    associated({
      type: 'RESOURCE',
      entity: `arn:aws:ec2:${gateway.region}:${gateway.owner}:transit-gateway/${gateway.transitGatewayId}`,
      resourceType: 'ec2:TransitGateway',
    });
    for (const ouId of ous) associated({ type: 'PRINCIPAL', entity: ouArn(ouId) });
    store.put(RAM_TABLES.meta, SEEDED, { at: runtime.clock.now().toISOString() });
  });
}
