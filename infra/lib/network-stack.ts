import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import {
  CfnIPAM,
  CfnIPAMPool,
  CfnTransitGateway,
  CfnTransitGatewayRoute,
  CfnTransitGatewayRouteTable,
} from 'aws-cdk-lib/aws-ec2';
import { ArnPrincipal, CompositePrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from '../../config/schema';
import { BASTION_ROUTE_TABLE, EGRESS_ROUTE_TABLE, NETWORK_TAGS } from '../../functions/shared/network/tags';
import type { DeploymentContext } from './context';
import { DeploymentContextError } from './errors';

type NetworkConfig = NonNullable<OrganizationConfig['network']>;

export interface NetworkStackProps extends StackProps {
  readonly config: OrganizationConfig;
  readonly network: NetworkConfig;
  readonly deployment: DeploymentContext;
  /** Account of the vendguard hub, whose functions assume the operator role. */
  readonly hubAccountId: string;
  /** The hub roles (by name) the operator role trusts: the network functions' execution roles. */
  readonly operatorRoleNames: readonly string[];
}

/**
 * The network account's part of the network (docs/network.md), deployed into the network account:
 * the IPAM with one pool per environment, the Transit Gateway (auto-accept on, default association and
 * propagation off) with one route table per environment, one for egress and one for the bastion, the RAM shares that let
 * the workload OUs use their pool and the gateway, and the role vendguard's network functions assume.
 *
 * Each environment table blackholes every pool's range: besides those it has only the static default
 * route to the egress attachment and the bastion's propagation (production), both added by
 * `vendguard network converge` once those attachments exist; so prod and dev never reach each other,
 * not even through the egress VPC.
 */
export class NetworkStack extends Stack {
  readonly transitGateway: CfnTransitGateway;
  readonly pools = new Map<string, CfnIPAMPool>();
  readonly routeTables = new Map<string, CfnTransitGatewayRouteTable>();
  readonly operatorRole: Role;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config, network, deployment } = props;
    const region = config.organization.homeRegion;

    const ipam = new CfnIPAM(this, 'Ipam', {
      description: 'vendguard: the organization IPAM',
      operatingRegions: [{ regionName: region }],
    });
    const top = new CfnIPAMPool(this, 'TopPool', {
      ipamScopeId: ipam.attrPrivateDefaultScopeId,
      addressFamily: 'ipv4',
      description: `vendguard: the whole workload range ${network.cidr}`,
      provisionedCidrs: [{ cidr: network.cidr }],
    });
    Tags.of(top).add(NETWORK_TAGS.pool, 'top');
    for (const pool of network.pools) {
      const child = new CfnIPAMPool(this, `Pool-${pool.name}`, {
        ipamScopeId: ipam.attrPrivateDefaultScopeId,
        addressFamily: 'ipv4',
        sourceIpamPoolId: top.attrIpamPoolId,
        locale: region,
        description: `vendguard: ${pool.name} VPCs (${pool.ous.join(', ')})`,
        provisionedCidrs: [{ cidr: pool.cidr }],
        allocationMinNetmaskLength: 16,
        allocationMaxNetmaskLength: 24,
        allocationDefaultNetmaskLength: network.vpcNetmaskLength,
      });
      Tags.of(child).add(NETWORK_TAGS.pool, pool.name);
      this.pools.set(pool.name, child);
    }

    this.transitGateway = new CfnTransitGateway(this, 'TransitGateway', {
      description: 'vendguard: the organization Transit Gateway',
      autoAcceptSharedAttachments: 'enable',
      // prod and dev must never reach each other: no default table, each attachment is put in its own
      defaultRouteTableAssociation: 'disable',
      defaultRouteTablePropagation: 'disable',
      dnsSupport: 'enable',
      tags: [
        { key: 'Name', value: 'vendguard-tgw' },
        { key: NETWORK_TAGS.transitGateway, value: 'organization' },
      ],
    });
    const pools = new Set(network.pools.map((p) => p.name));
    for (const name of [...pools, EGRESS_ROUTE_TABLE, BASTION_ROUTE_TABLE]) {
      const table = new CfnTransitGatewayRouteTable(this, `RouteTable-${name}`, {
        transitGatewayId: this.transitGateway.attrId,
        tags: [
          { key: 'Name', value: `vendguard-${name}` },
          { key: NETWORK_TAGS.routeTable, value: name },
        ],
      });
      this.routeTables.set(name, table);
      if (!pools.has(name)) continue;
      // every environment's range is a blackhole here, so no environment reaches another (not even
      // through the egress VPC); the egress and bastion ranges stay reachable by the default route
      for (const pool of network.pools) {
        new CfnTransitGatewayRoute(this, `Blackhole-${name}-${pool.name}`, {
          transitGatewayRouteTableId: table.attrTransitGatewayRouteTableId,
          destinationCidrBlock: pool.cidr,
          blackhole: true,
        });
      }
    }

    // RAM: each pool to the OUs it serves; the gateway to them and to the egress and bastion accounts
    const ouArn = (path: string) => {
      const ouId = deployment.ouIds[path];
      if (!ouId) throw new DeploymentContextError(`vendguard:ouIds has no id for ${path} (network.pools)`);
      const management = managementAccountId(config, deployment);
      return `arn:${this.partition}:organizations::${management}:ou/${deployment.organizationId}/${ouId}`;
    };
    const coreAccount = (name: string) => {
      const accountId = deployment.accountIds[name];
      if (!accountId) throw new DeploymentContextError(`vendguard:accountIds has no id for ${name} (network)`);
      return accountId;
    };
    for (const pool of network.pools) {
      new CfnResourceShare(this, `Share-${pool.name}`, {
        name: `vendguard-pool-${pool.name}`,
        allowExternalPrincipals: false,
        resourceArns: [this.pools.get(pool.name)!.attrArn],
        principals: pool.ous.map(ouArn),
      });
    }
    new CfnResourceShare(this, 'ShareTransitGateway', {
      name: 'vendguard-transit-gateway',
      allowExternalPrincipals: false,
      resourceArns: [
        `arn:${this.partition}:ec2:${region}:${this.account}:transit-gateway/${this.transitGateway.attrId}`,
      ],
      principals: [...new Set(network.pools.flatMap((p) => p.ous))]
        .map(ouArn)
        .concat([coreAccount(network.egressAccount), coreAccount(network.bastionAccount)]),
    });

    this.operatorRole = new Role(this, 'OperatorRole', {
      roleName: network.operatorRoleName,
      description: 'vendguard: finds the pools and the gateway, wires attachments into their route tables',
      assumedBy: new CompositePrincipal(
        ...props.operatorRoleNames.map(
          (name) => new ArnPrincipal(`arn:${this.partition}:iam::${props.hubAccountId}:role/${name}`),
        ),
      ),
    });
    this.operatorRole.addToPolicy(
      new PolicyStatement({
        actions: [
          'ec2:DescribeTransitGateways',
          'ec2:DescribeTransitGatewayVpcAttachments',
          'ec2:DescribeTransitGatewayRouteTables',
          'ec2:GetTransitGatewayRouteTableAssociations',
          'ec2:GetTransitGatewayRouteTablePropagations',
          'ec2:SearchTransitGatewayRoutes',
          'ec2:DescribeIpamPools',
          'ec2:GetIpamPoolAllocations',
        ],
        resources: ['*'],
      }),
    );
    this.operatorRole.addToPolicy(
      new PolicyStatement({
        actions: [
          'ec2:AssociateTransitGatewayRouteTable',
          'ec2:DisassociateTransitGatewayRouteTable',
          'ec2:EnableTransitGatewayRouteTablePropagation',
          'ec2:DisableTransitGatewayRouteTablePropagation',
          'ec2:CreateTransitGatewayRoute',
          'ec2:ReplaceTransitGatewayRoute',
        ],
        resources: [
          `arn:${this.partition}:ec2:${region}:${this.account}:transit-gateway-route-table/*`,
          `arn:${this.partition}:ec2:${region}:${this.account}:transit-gateway-attachment/*`,
        ],
      }),
    );
  }
}

/** The management account's id (OU ARNs name it). */
function managementAccountId(config: OrganizationConfig, deployment: DeploymentContext): string {
  const name = config.accounts.find((a) => a.role === 'management')?.name ?? 'management';
  const id = deployment.accountIds[name];
  if (!id) throw new DeploymentContextError(`vendguard:accountIds has no id for ${name} (the management account)`);
  return id;
}

/** The hub's account: the CLI's (CDK_DEFAULT_ACCOUNT), else the management account of the context. */
export function hubAccountOf(
  config: OrganizationConfig,
  deployment: DeploymentContext,
  cliAccount: string | undefined,
): string {
  return cliAccount && /^\d{12}$/.test(cliAccount) ? cliAccount : managementAccountId(config, deployment);
}
