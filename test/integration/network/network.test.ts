/**
 * The network model end to end (docs/network.md): the VendguardNetwork stack deployed into the
 * network account, `vendguard network converge` (the egress and bastion VPCs, the core routes), and
 * vending that allocates each VPC from its OU's IPAM pool and wires its attachment. The dev pool is
 * shrunk to a /19 (two /20 VPCs) so that exhaustion and release can be shown.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStackInstancesCommand, DescribeStackSetOperationCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeIpamPoolsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
  GetTransitGatewayRouteTableAssociationsCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  SearchTransitGatewayRoutesCommand,
  type TransitGatewayRoute,
} from '@aws-sdk/client-ec2';
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { ipv4Block, ipv4Overlap, ipv4Within } from '../../../config/cidr';
import { DEFAULT_CONFIG_PATH, loadOrganizationConfig } from '../../../config/load';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';
import {
  accountsWithEmail,
  approveWhenAsked,
  clients,
  executionArnOf,
  putRequest,
  waitForExecution,
} from '../vending/harness';

const DEV_POOL = '10.80.0.0/19';
const PROD_POOL = '10.64.0.0/12';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;
let network: EC2Client;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vendguard-network-'));
  const path = join(dir, 'organization.yaml');
  const text = readFileSync(DEFAULT_CONFIG_PATH, 'utf8').replace('cidr: 10.80.0.0/12', `cidr: ${DEV_POOL}`);
  expect(text).toContain(DEV_POOL);
  writeFileSync(path, text);
  // templates and SCP documents are read next to the config
  for (const sub of ['baselines', 'scps']) {
    const { cpSync } = await import('node:fs');
    cpSync(join(DEFAULT_CONFIG_PATH, '..', sub), join(dir, sub), { recursive: true });
  }
  sb = await startTestSandbox({ timeScale: 1200, loaded: loadOrganizationConfig(path), convergeNetwork: true });
  c = clients(sb);
  network = sb.client(EC2Client, { accountId: sb.accountId('network'), maxAttempts: 3 });
}, 120_000);
afterAll(() => sb?.stop());

const request = (name: string, ou: string, extra: object = {}) => ({
  name,
  email: `aws-${name}@acme.example`,
  ou,
  owner: 'team-net',
  environment: ou === 'Workloads/Prod' ? 'prod' : 'dev',
  requestId: `req-${name}`,
  ...extra,
});

async function vend(r: ReturnType<typeof request>) {
  await putRequest(c.events, r);
  if (r.ou === 'Workloads/Prod') await approveWhenAsked(sb, r.requestId);
  return waitForExecution(c.sfn, executionArnOf(r.requestId), 120_000);
}

async function accountOf(email: string): Promise<string> {
  const [account] = await accountsWithEmail(c.org, email);
  if (!account?.Id) throw new Error(`no account with ${email}`);
  return account.Id;
}

/** The vended VPC of an account (tag vendguard:baseline=network), as the account sees it. */
async function vpcOf(accountId: string) {
  const ec2 = sb.client(EC2Client, { accountId });
  const out = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: 'tag:vendguard:baseline', Values: ['network'] }] }),
  );
  return out.Vpcs ?? [];
}

async function ids() {
  const [gateway] =
    (
      await network.send(
        new DescribeTransitGatewaysCommand({
          Filters: [{ Name: 'tag:vendguard-network:transit-gateway', Values: ['organization'] }],
        }),
      )
    ).TransitGateways ?? [];
  const tables = new Map<string, string>();
  for (const t of (
    await network.send(
      new DescribeTransitGatewayRouteTablesCommand({
        Filters: [{ Name: 'transit-gateway-id', Values: [gateway?.TransitGatewayId ?? ''] }],
      }),
    )
  ).TransitGatewayRouteTables ?? []) {
    const name = t.Tags?.find((tag) => tag.Key === 'vendguard-network:route-table')?.Value;
    if (name && t.TransitGatewayRouteTableId) tables.set(name, t.TransitGatewayRouteTableId);
  }
  const pools = new Map<string, string>();
  for (const p of (await network.send(new DescribeIpamPoolsCommand({}))).IpamPools ?? []) {
    const name = p.Tags?.find((tag) => tag.Key === 'vendguard-network:pool')?.Value;
    if (name && p.IpamPoolId) pools.set(name, p.IpamPoolId);
  }
  return { gateway, tables, pools };
}

async function attachmentOf(accountId: string) {
  const out = await network.send(new DescribeTransitGatewayVpcAttachmentsCommand({}));
  return (out.TransitGatewayVpcAttachments ?? []).find(
    (a) => a.VpcOwnerId === accountId && a.State !== 'deleted' && a.State !== 'deleting',
  );
}

async function allocations(poolId: string) {
  const out = await network.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: poolId }));
  return (out.IpamPoolAllocations ?? []).filter((a) => a.ResourceType === 'vpc');
}

/** The route a table would use for an address: the longest prefix that matches it. */
async function routeFor(tableId: string, address: string): Promise<TransitGatewayRoute | undefined> {
  const out = await network.send(
    new SearchTransitGatewayRoutesCommand({
      TransitGatewayRouteTableId: tableId,
      Filters: [{ Name: 'route-search.longest-prefix-match', Values: [address] }],
    }),
  );
  return out.Routes?.[0];
}

const block = (cidr: string | undefined) => {
  const b = ipv4Block(cidr ?? '');
  if (!b) throw new Error(`not a CIDR: ${cidr}`);
  return b;
};

describe('the network account, as the CDK app and network converge leave it', () => {
  it('has the gateway (auto-accept, no default tables), a table per pool plus egress and bastion, and the pools', async () => {
    expect(sb.sandbox.network).toMatchObject({ status: 'SUCCEEDED', failures: [] });
    const { gateway, tables, pools } = await ids();
    expect(gateway?.OwnerId).toBe(sb.accountId('network'));
    expect(gateway?.Options).toMatchObject({
      AutoAcceptSharedAttachments: 'enable',
      DefaultRouteTableAssociation: 'disable',
      DefaultRouteTablePropagation: 'disable',
    });
    expect([...tables.keys()].sort()).toEqual(['bastion', 'dev', 'egress', 'prod', 'sandbox']);
    expect([...pools.keys()].sort()).toEqual(['dev', 'prod', 'sandbox', 'top']);
  });

  it('sends every environment to the egress VPC and lets only production reach the bastion', async () => {
    const { tables } = await ids();
    const egress = await attachmentOf(sb.accountId('egress'));
    const bastion = await attachmentOf(sb.accountId('bastion'));
    expect(egress?.State).toBe('available');
    expect(bastion?.State).toBe('available');
    for (const env of ['prod', 'dev', 'sandbox']) {
      const route = await routeFor(tables.get(env) as string, '8.8.8.8');
      expect([env, route?.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId]).toEqual([
        env,
        egress?.TransitGatewayAttachmentId,
      ]);
    }
    const toBastion = await routeFor(tables.get('prod') as string, '10.101.0.10');
    expect(toBastion?.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId).toBe(
      bastion?.TransitGatewayAttachmentId,
    );
    // dev's way to the bastion range is only the default route to egress, which has no way back to it
    const devToBastion = await routeFor(tables.get('dev') as string, '10.101.0.10');
    expect(devToBastion?.DestinationCidrBlock).toBe('0.0.0.0/0');
  });
});

describe('vending allocates from the pools and wires the attachments', () => {
  const prod = ['net-a-prod', 'net-b-prod', 'net-c-prod'].map((n) => request(n, 'Workloads/Prod'));
  const dev = [request('net-a-dev', 'Workloads/Dev'), request('net-b-dev', 'Workloads/Dev')];
  prod[2] = { ...prod[2]!, vpcNetmaskLength: 22 } as (typeof prod)[number];

  it('gives concurrent requests disjoint ranges from the right pools, attached and associated', async () => {
    const results = await Promise.all([...prod, ...dev].map(vend));
    expect(results.map((r) => [r.name, r.status, r.error ?? null])).toEqual(
      [...prod, ...dev].map((r) => [r.requestId, 'SUCCEEDED', null]),
    );
    const { tables, pools } = await ids();
    const seen: { name: string; cidr: string }[] = [];
    for (const [requests, pool, table] of [
      [prod, PROD_POOL, 'prod'],
      [dev, DEV_POOL, 'dev'],
    ] as const) {
      for (const r of requests) {
        const accountId = await accountOf(r.email);
        const vpcs = await vpcOf(accountId);
        expect([r.name, vpcs.length]).toEqual([r.name, 1]);
        const cidr = vpcs[0]?.CidrBlock as string;
        expect([r.name, ipv4Within(block(cidr), block(pool))]).toEqual([r.name, true]);
        expect(block(cidr).prefix).toBe('vpcNetmaskLength' in r ? 22 : 20);
        for (const other of seen)
          expect([r.name, other.name, ipv4Overlap(block(cidr), block(other.cidr))]).toEqual([
            r.name,
            other.name,
            false,
          ]);
        seen.push({ name: r.name, cidr });

        const attachment = await attachmentOf(accountId);
        expect(attachment?.State).toBe('available');
        const id = attachment?.TransitGatewayAttachmentId as string;
        const associations = await network.send(
          new GetTransitGatewayRouteTableAssociationsCommand({
            TransitGatewayRouteTableId: tables.get(table),
            Filters: [{ Name: 'transit-gateway-attachment-id', Values: [id] }],
          }),
        );
        expect(associations.Associations?.[0]?.State).toBe('associated');
        const propagated = async (name: string) =>
          (
            await network.send(
              new GetTransitGatewayRouteTablePropagationsCommand({
                TransitGatewayRouteTableId: tables.get(name),
                Filters: [{ Name: 'transit-gateway-attachment-id', Values: [id] }],
              }),
            )
          ).TransitGatewayRouteTablePropagations?.length ?? 0;
        expect([r.name, await propagated('egress'), await propagated('bastion')]).toEqual([
          r.name,
          1,
          table === 'prod' ? 1 : 0,
        ]);
      }
    }
    // IPAM has one allocation per VPC, in the pool of its OU
    expect(await allocations(pools.get('prod') as string)).toHaveLength(3);
    expect(await allocations(pools.get('dev') as string)).toHaveLength(2);
  }, 240_000);

  it('gives prod no route to dev: the longest match for a dev VPC in the prod table is a blackhole', async () => {
    const { tables } = await ids();
    const devVpc = (await vpcOf(await accountOf(dev[0]!.email)))[0]?.CidrBlock as string;
    const address = devVpc.replace(/\/\d+$/, '').replace(/\.0$/, '.10');
    const route = await routeFor(tables.get('prod') as string, address);
    expect(route).toMatchObject({ DestinationCidrBlock: DEV_POOL, State: 'blackhole' });
    // and the other way round
    const prodVpc = (await vpcOf(await accountOf(prod[0]!.email)))[0]?.CidrBlock as string;
    const back = await routeFor(tables.get('dev') as string, prodVpc.replace(/\/\d+$/, '').replace(/\.0$/, '.10'));
    expect(back).toMatchObject({ State: 'blackhole' });
    // the egress table knows both, each by its own attachment
    const viaEgress = await routeFor(tables.get('egress') as string, address);
    expect(viaEgress?.DestinationCidrBlock).toBe(devVpc);
  });

  it('fails a request whose pool is exhausted with the reason, leaves no VPC, and a redrive succeeds once a range is released', async () => {
    const third = request('net-c-dev', 'Workloads/Dev');
    const failed = await vend(third);
    expect([failed.status, failed.cause]).toEqual(['FAILED', expect.any(String)]);
    expect([failed.error, failed.cause]).toEqual(['PoolExhaustedError', expect.stringContaining('the IPAM pool dev')]);
    expect(failed.cause).toContain('the IPAM pool dev has no free /20 left');
    const accountId = await accountOf(third.email);
    expect(await vpcOf(accountId)).toEqual([]);
    const { pools } = await ids();
    expect(await allocations(pools.get('dev') as string)).toHaveLength(2);

    // closing an account removes its network stack instance, which releases its range
    const closing = await accountOf(dev[0]!.email);
    const released = (await vpcOf(closing))[0]?.CidrBlock;
    const { OperationId } = await c.cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: 'vendguard-baseline-network',
        DeploymentTargets: {
          OrganizationalUnitIds: [sb.runtime.organizations.ouIdByPath('Workloads/Dev') as string],
          Accounts: [closing],
          AccountFilterType: 'INTERSECTION',
        },
        Regions: ['eu-west-1'],
        RetainStacks: false,
      }),
    );
    await until(
      async () =>
        (
          await c.cfn.send(
            new DescribeStackSetOperationCommand({ StackSetName: 'vendguard-baseline-network', OperationId }),
          )
        ).StackSetOperation?.Status === 'SUCCEEDED' || undefined,
      60_000,
      'the stack instance to be deleted',
    );
    const left = await allocations(pools.get('dev') as string);
    expect(left.map((a) => a.Cidr)).not.toContain(released);
    expect(left).toHaveLength(1);

    await c.sfn.send(new RedriveExecutionCommand({ executionArn: executionArnOf(third.requestId) }));
    const redriven = await waitForExecution(c.sfn, executionArnOf(third.requestId), 120_000);
    expect([redriven.status, redriven.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect((await vpcOf(accountId))[0]?.CidrBlock).toBe(released);
  }, 240_000);
});
