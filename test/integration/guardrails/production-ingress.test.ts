/**
 * Bastion-only production: ingress on a management port of a production account (Workloads/Prod)
 * from anywhere but the bastion range is revoked by the deployed guard-production-ingress; the same
 * rule from the bastion range, another port, or in a dev account stays.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { coversPort, outsideBastion } from '../../../functions/guard-production-ingress/guard';
import { createAccountIn, deploySecurityBaseline, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { findings, settle, waitFor } from './harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let prod: string;
let dev: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  prod = await createAccountIn(sb, 'ledger-prod', 'Workloads/Prod');
  dev = await createAccountIn(sb, 'ledger-dev', 'Workloads/Dev');
  await deploySecurityBaseline(sb, prod, dev);
}, 60_000);
afterAll(() => sb?.stop());

const developer = (accountId: string) =>
  sb.client(EC2Client, { accountId, role: 'Developer', session: 'jane', region: REGION });

/** A security group in a new VPC of the account, with these ingress rules (tcp: [port, cidr]). */
async function groupWith(accountId: string, rules: [number, string][]): Promise<string> {
  const ec2 = developer(accountId);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.64.0.0/20' }))).Vpc?.VpcId as string;
  const groupId = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))
  ).GroupId as string;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: rules.map(([port, cidr]) => ({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        IpRanges: [{ CidrIp: cidr }],
      })),
    }),
  );
  return groupId;
}

async function ingressOf(accountId: string, groupId: string): Promise<string[]> {
  const out = await developer(accountId).send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return (out.SecurityGroupRules ?? [])
    .filter((r) => !r.IsEgress)
    .map((r) => `${r.CidrIpv4}:${r.FromPort}`)
    .sort();
}

describe('production admits management ports only from the bastion', () => {
  it('revokes SSH from outside the bastion range in a production account, and keeps the rest', async () => {
    const groupId = await groupWith(prod, [
      [22, '10.80.0.0/12'], // dev's range: revoked
      [22, '10.101.4.0/24'], // inside the bastion range: kept
      [443, '10.80.0.0/12'], // not a management port: kept
    ]);
    const finding = await waitFor('the production ingress finding', () =>
      findings(sb).find((f) => f.rule === 'prod-ingress-outside-bastion' && f.resource === groupId),
    );
    await settle(sb);
    expect(finding).toMatchObject({ outcome: 'remediated', accountId: prod, severity: 'high' });
    expect(finding.summary).toContain('10.80.0.0/12');
    expect(await ingressOf(prod, groupId)).toEqual(['10.101.4.0/24:22', '10.80.0.0/12:443']);
  }, 30_000);

  it('acts under both rules when one call offends both (open to the world on SSH in production)', async () => {
    const groupId = await groupWith(prod, [[22, '0.0.0.0/0']]);
    const both = await waitFor('a finding of each rule', () => {
      const mine = findings(sb).filter((f) => f.resource === groupId);
      return mine.length >= 2 ? mine : undefined;
    });
    await settle(sb);
    // each rule claims the event for itself: the first to revoke remediates, the other finds it gone
    expect(both.map((f) => f.rule).sort()).toEqual(['prod-ingress-outside-bastion', 'sg-open-ingress']);
    expect(both.map((f) => f.outcome).sort()).toEqual(['already-compliant', 'remediated']);
    expect(await ingressOf(prod, groupId)).toEqual([]);
  }, 30_000);

  it('leaves the same rule alone in a dev account', async () => {
    const groupId = await groupWith(dev, [[22, '10.80.0.0/12']]);
    await settle(sb, 500);
    expect(findings(sb).filter((f) => f.rule === 'prod-ingress-outside-bastion' && f.resource === groupId)).toEqual([]);
    expect(await ingressOf(dev, groupId)).toEqual(['10.80.0.0/12:22']);
  }, 30_000);
});

describe('what counts as outside the bastion', () => {
  const offends = outsideBastion('10.101.0.0/16', [22, 3389]);
  const rule = (cidr: string, ipProtocol: string, fromPort?: number, toPort?: number) => ({
    cidr,
    ipProtocol,
    ...(fromPort !== undefined ? { fromPort } : {}),
    ...(toPort !== undefined ? { toPort } : {}),
  });

  it('is a management port (all traffic, or a range covering one) from a range not inside the bastion', () => {
    expect(offends(rule('10.80.0.0/12', 'tcp', 22, 22))).toBe(true);
    expect(offends(rule('10.80.0.0/12', '-1'))).toBe(true);
    expect(offends(rule('10.80.0.0/12', 'tcp', 1000, 4000))).toBe(true); // covers 3389
    expect(offends(rule('10.0.0.0/8', 'tcp', 22, 22))).toBe(true); // wider than the bastion's
    expect(offends(rule('2001:db8::/32', 'tcp', 22, 22))).toBe(true); // IPv6: never the bastion
    expect(offends(rule('10.101.7.0/24', 'tcp', 22, 22))).toBe(false);
    expect(offends(rule('10.80.0.0/12', 'tcp', 443, 443))).toBe(false);
    expect(offends(rule('10.80.0.0/12', 'icmp', -1, -1))).toBe(false);
    expect(coversPort(rule('0.0.0.0/0', 'udp', 3389, 3389), [3389])).toBe(true);
  });
});
