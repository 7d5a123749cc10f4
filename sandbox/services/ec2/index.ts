import { EC2_NAMESPACE } from '../../core/protocols/xml';
import type { OperationHandler, SandboxRuntime, ServiceDefinition } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { seedTransitGatewayShare } from '../ram/seed';
import { addressOperations } from './addresses';
import { ec2Authorization } from './authorization';
import { ipamOperations } from './ipam';
import { ipamAllocationOperations } from './ipam-allocations';
import { ipamProvisioningOperations } from './ipam-provisioning';
import { EC2_TABLES, type IgwRecord, type Scope } from './model';
import { natGatewayOperations } from './nat-gateways';
import { regionOperations } from './regions';
import { routeTableOperations } from './route-tables';
import { securityGroupOperations } from './security-groups';
import { Ec2State } from './state';
import { tagOperations } from './tags';
import { EC2_TRAIL_SHAPES } from './trail';
import { transitGatewayAttachmentOperations } from './transit-gateway-attachments';
import { transitGatewayRouteTableOperations } from './transit-gateway-route-tables';
import { transitGatewayRouteOperations } from './transit-gateway-routes';
import {
  newTransitGateway,
  putTransitGateway,
  SANDBOX_TRANSIT_GATEWAY_ID,
  transitGatewayOperations,
  transitGatewayOwner,
} from './transit-gateways';
import { vpcOperations } from './vpcs';

export { EC2_TABLES } from './model';
export { Ec2State } from './state';

/** The egress VPC seeded (with `seedNetwork`) in the egress account's home region. */
export const EGRESS_VPC_CIDR = '10.100.0.0/16';
/** The security group seeded (with `seedNetwork`) in the bastion account (tcp/22 from anywhere). */
export const BASTION_SSH_GROUP = 'vendguard-bastion-ssh';

/**
 * Seeds a network of the sandbox's own making, once, when the runtime asks for it
 * (`RuntimeOptions.seedNetwork`, off by default: the CDK app's stacks build the organization's
 * network): the egress account has an egress VPC with an attached internet gateway in the home
 * region; the bastion account has a security group open to SSH from anywhere; the network account
 * owns the organization's transit gateway (see {@link seedTransitGateway}) and shares it through RAM
 * with the OUs whose VPCs attach to it (`seedTransitGatewayShare`, `sandbox/services/ram/seed.ts`).
 */
export function seedEc2(state: Ec2State, runtime: SandboxRuntime): void {
  if (!runtime.seedNetwork) return;
  const { store, organizations, config } = runtime;
  seedTransitGateway(state, runtime);
  const tgwOwner = transitGatewayOwner(state, config.organization.homeRegion, SANDBOX_TRANSIT_GATEWAY_ID);
  if (tgwOwner) {
    seedTransitGatewayShare(runtime, {
      owner: tgwOwner,
      region: config.organization.homeRegion,
      transitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    });
  }
  if (store.get(EC2_TABLES.meta, 'seeded')) return;
  const region = config.organization.homeRegion;
  store.transaction(() => {
    const egress = organizations.accountIdByName('egress');
    if (egress) {
      const scope: Scope = { account: egress, region };
      state.ensureDefaultVpc(scope);
      const vpc = state.createVpc(scope, EGRESS_VPC_CIDR, false, [{ key: 'Name', value: 'vendguard-egress' }]);
      const igw: IgwRecord = {
        internetGatewayId: state.newId('igw-'),
        ownerId: egress,
        vpcId: vpc.vpcId,
        tags: [{ key: 'Name', value: 'vendguard-egress-igw' }],
      };
      state.put(scope, igw.internetGatewayId, igw);
    }
    const bastion = organizations.accountIdByName('bastion');
    if (bastion) {
      const scope: Scope = { account: bastion, region };
      state.ensureDefaultVpc(scope);
      const vpc = state.defaultVpc(scope);
      if (vpc) {
        const sg = state.createSecurityGroup(scope, vpc.vpcId, BASTION_SSH_GROUP, 'SSH to the bastion hosts', [
          { key: 'Name', value: BASTION_SSH_GROUP },
        ]);
        state.addRule(scope, sg, { isEgress: true, ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' });
        state.addRule(scope, sg, {
          isEgress: false,
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidrIpv4: '0.0.0.0/0',
        });
      }
    }
    store.put(EC2_TABLES.meta, 'seeded', { at: runtime.clock.now().toISOString() });
  });
}

/**
 * The organization's transit gateway, once (a sandbox home seeded before it existed gets it on its
 * next start; a deleted one does not come back): `SANDBOX_TRANSIT_GATEWAY_ID`, the gateway the
 * network baseline attaches workload VPCs to, owned by the network account in the home region,
 * tagged `Name=vendguard-tgw`, accepting other accounts' attachments automatically, with default route
 * table association and propagation disabled (so it has no default route table).
 */
function seedTransitGateway(state: Ec2State, runtime: SandboxRuntime): void {
  const { store, organizations, config } = runtime;
  const network = organizations.accountIdByName('network');
  if (!network || store.get(EC2_TABLES.meta, 'seeded-transit-gateway')) return;
  const scope: Scope = { account: network, region: config.organization.homeRegion };
  store.transaction(() => {
    const gateway = newTransitGateway(state, scope, {
      id: SANDBOX_TRANSIT_GATEWAY_ID,
      description: 'vendguard organization transit gateway',
      // prod and dev must never reach each other: no default route table, every attachment is put
      // in its environment's table explicitly
      options: {
        autoAcceptSharedAttachments: 'enable',
        defaultRouteTableAssociation: 'disable',
        defaultRouteTablePropagation: 'disable',
      },
      tags: [{ key: 'Name', value: 'vendguard-tgw' }],
    });
    putTransitGateway(state, scope, gateway);
    store.put(EC2_TABLES.meta, 'seeded-transit-gateway', { at: runtime.clock.now().toISOString() });
  });
}

/**
 * `DryRun=true`: the server has already authorized the call, so it answers `DryRunOperation` (412)
 * without doing anything, as EC2 does; a denied dry run got `UnauthorizedOperation` before.
 */
function withDryRun(operations: Record<string, OperationHandler>): Record<string, OperationHandler> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, op]) => [
      name,
      (input, ctx) => {
        if (input.DryRun === 'true' || input.DryRun === true) {
          throw new AwsServiceError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', {
            status: 412,
          });
        }
        return op(input, ctx);
      },
    ]),
  );
}

/**
 * EC2 (ec2Query, 2016-11-15) scoped per caller account and region: VPCs (a default VPC appears on
 * first use), internet gateways, NAT gateways, subnets, route tables, network interfaces, Elastic IPs, security
 * groups and their rules, transit gateways with their VPC attachments, route tables and routes, tags; regions and
 * Availability Zones; IPAM (IPAMs, scopes, pools, their CIDRs and allocations, VPCs made from a pool). See `docs/sandbox-services.md`.
 *
 * @example
 * const ec2 = createEc2Service(runtime);
 * await ec2.operations.CreateInternetGateway?.({}, ctx);
 */
export function createEc2Service(runtime: SandboxRuntime): ServiceDefinition {
  const state = new Ec2State(runtime);
  return {
    signingName: 'ec2',
    protocol: 'ec2Query',
    xmlNamespace: EC2_NAMESPACE,
    eventSource: 'ec2.amazonaws.com',
    authorization: (operation, input, ctx) => ec2Authorization(state, operation, input, ctx),
    operations: withDryRun({
      ...vpcOperations(state),
      ...ipamOperations(state),
      ...ipamProvisioningOperations(state),
      ...ipamAllocationOperations(state),
      ...addressOperations(state),
      ...natGatewayOperations(state),
      ...securityGroupOperations(state),
      ...routeTableOperations(state),
      ...transitGatewayOperations(state),
      ...transitGatewayAttachmentOperations(state),
      ...transitGatewayRouteTableOperations(state),
      ...transitGatewayRouteOperations(state),
      ...tagOperations(state),
      ...regionOperations(runtime),
    }),
    // calls CloudTrail records in their own shape (ModifySecurityGroupRules, …)
    trailShapes: EC2_TRAIL_SHAPES,
    start: () => seedEc2(state, runtime),
  };
}
