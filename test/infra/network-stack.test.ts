import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadOrganizationConfig } from '../../config/load';
import { type Synthesized, synthesizeApp } from './support';

const { config } = loadOrganizationConfig();
const network = config.network!;
let app: Synthesized;
let template: Template;

beforeAll(() => {
  app = synthesizeApp();
  template = Template.fromJSON(app.assembly.getStackByName('VendguardNetwork').template);
});

describe('the VendguardNetwork stack', () => {
  it('deploys into the network account of the context, in the home region', () => {
    const id = (app.governance.node.tryGetContext('vendguard:accountIds') as Record<string, string>)[
      network.networkAccount
    ];
    expect([app.network?.account, app.network?.region]).toEqual([id, config.organization.homeRegion]);
  });

  it('makes the gateway with auto-accept on and no default tables, tagged for the functions to find', () => {
    template.hasResourceProperties('AWS::EC2::TransitGateway', {
      AutoAcceptSharedAttachments: 'enable',
      DefaultRouteTableAssociation: 'disable',
      DefaultRouteTablePropagation: 'disable',
      Tags: Match.arrayWith([{ Key: 'vendguard-network:transit-gateway', Value: 'organization' }]),
    });
  });

  it('makes one table per pool plus egress and bastion, and blackholes every pool range in each pool table', () => {
    const tables = Object.values(template.findResources('AWS::EC2::TransitGatewayRouteTable')).map(
      (r) =>
        (r.Properties.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'vendguard-network:route-table')
          ?.Value,
    );
    expect(tables.sort()).toEqual([...network.pools.map((p) => p.name), 'bastion', 'egress'].sort());
    const blackholes = Object.values(
      template.findResources('AWS::EC2::TransitGatewayRoute', { Properties: { Blackhole: true } }),
    );
    expect(blackholes).toHaveLength(network.pools.length * network.pools.length);
    expect(new Set(blackholes.map((r) => r.Properties.DestinationCidrBlock))).toEqual(
      new Set(network.pools.map((p) => p.cidr)),
    );
  });

  it('provisions each pool inside the top-level pool, in the home region, tagged by name', () => {
    for (const pool of network.pools) {
      template.hasResourceProperties('AWS::EC2::IPAMPool', {
        Locale: config.organization.homeRegion,
        ProvisionedCidrs: [{ Cidr: pool.cidr }],
        AllocationDefaultNetmaskLength: network.vpcNetmaskLength,
        Tags: Match.arrayWith([{ Key: 'vendguard-network:pool', Value: pool.name }]),
      });
    }
  });

  it('shares each pool with its OUs only, and the gateway with every pool OU and the egress and bastion accounts', () => {
    const shares = template.findResources('AWS::RAM::ResourceShare');
    const byName = new Map(Object.values(shares).map((r) => [r.Properties.Name as string, r.Properties]));
    expect([...byName.keys()].sort()).toEqual(
      [...network.pools.map((p) => `vendguard-pool-${p.name}`), 'vendguard-transit-gateway'].sort(),
    );
    for (const pool of network.pools) {
      expect(byName.get(`vendguard-pool-${pool.name}`)?.Principals).toHaveLength(pool.ous.length);
      expect(byName.get(`vendguard-pool-${pool.name}`)?.AllowExternalPrincipals).toBe(false);
    }
    const gateway = byName.get('vendguard-transit-gateway')?.Principals as string[];
    expect(gateway.filter((p) => /^\d{12}$/.test(p))).toHaveLength(2);
  });

  it('lets exactly the hub roles of the network functions assume the operator role', () => {
    const [role] = Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: network.operatorRoleName } }),
    );
    const principals = role?.Properties.AssumeRolePolicyDocument.Statement.flatMap(
      (st: { Principal: { AWS: unknown[] } }) => st.Principal.AWS,
    ) as unknown[];
    const text = principals.map((p) => JSON.stringify(p));
    expect(text).toHaveLength(3);
    for (const name of ['vend-deploy-baseline', 'vend-connect-network', 'network-converge']) {
      expect(text.some((t) => t.includes(`:role/vendguard-${name}`))).toBe(true);
    }
  });
});
