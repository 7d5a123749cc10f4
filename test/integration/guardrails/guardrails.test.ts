import { CloudTrailClient, GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { deploySecurityBaseline, type TestSandbox } from '../../helpers/sandbox';
import { findings, plantGateway, settle, startGuardrailSandbox, trail, waitFor } from './harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let serviceAccount: string;

beforeAll(async () => {
  ({ sb, serviceAccount } = await startGuardrailSandbox());
}, 30_000);
afterAll(() => sb?.stop());

/** EC2 as a developer in an account (a role that is not the remediation role). */
const developer = (accountId: string) =>
  sb.client(EC2Client, { accountId, role: 'Developer', session: 'jane', region: REGION });

async function gatewayExists(ec2: EC2Client, igwId: string): Promise<boolean> {
  try {
    const out = await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igwId] }));
    return (out.InternetGateways ?? []).length > 0;
  } catch (err) {
    if ((err as Error).name === 'InvalidInternetGatewayID.NotFound') return false;
    throw err;
  }
}

/** Successful DeleteInternetGateway calls on a gateway (a call that failed with NotFound changed nothing). */
const deletesOf = (igwId: string) =>
  trail(sb).filter(
    (d) =>
      d.eventName === 'DeleteInternetGateway' &&
      d.errorCode === undefined &&
      (d.requestParameters as { internetGatewayId?: string } | null)?.internetGatewayId === igwId,
  );

/** Calls the guardrails made in member accounts (as the remediation role). */
const remediatorCalls = () =>
  trail(sb).filter((d) =>
    String((d.userIdentity as { arn?: string }).arn).endsWith(
      ':assumed-role/VendguardGuardrailRemediation/vendguard-guardrails',
    ),
  );

describe('guardrails against the sandbox', () => {
  it('detaches and deletes a gateway a developer attaches in a service account, and records who, what and where', async () => {
    const ec2 = developer(serviceAccount);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId as string;
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const remediated = await waitFor('the remediated finding', () =>
      findings(sb).find((f) => f.resource === igwId && f.outcome === 'remediated'),
    );
    await settle(sb);

    expect(await gatewayExists(ec2, igwId)).toBe(false);
    expect(remediated).toMatchObject({
      actor: `arn:aws:sts::${serviceAccount}:assumed-role/Developer/jane`,
      accountId: serviceAccount,
      region: REGION,
      resource: igwId,
      vpcId,
      action: `detached from ${vpcId} and deleted`,
    });
    expect(remediated.summary).toContain(igwId);
    expect(remediated.summary).toContain(`${serviceAccount}/${REGION}`);
    // Create and Attach both arrive: one remediation, the other event finds nothing left to do.
    expect(deletesOf(igwId)).toHaveLength(1);
    const forGateway = findings(sb).filter((f) => f.resource === igwId);
    expect(forGateway.map((f) => f.outcome).sort()).toEqual(['already-compliant', 'remediated']);
  });

  it('leaves a gateway in the egress account where it is, with an informational record', async () => {
    const egress = sb.accountId('egress');
    const ec2 = developer(egress);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId as string;
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    await waitFor('both exempt findings', () => findings(sb).filter((f) => f.resource === igwId).length === 2);
    await settle(sb);

    expect(await gatewayExists(ec2, igwId)).toBe(true);
    const forGateway = findings(sb).filter((f) => f.resource === igwId);
    expect(forGateway.map((f) => [f.outcome, f.severity])).toEqual([
      ['exempt', 'info'],
      ['exempt', 'info'],
    ]);
    expect(deletesOf(igwId)).toHaveLength(0);
  });

  it('remediates once and records once for duplicate and out-of-order deliveries', async () => {
    // The scene is planted without API calls (no events); the developer's CloudTrail events are then
    // delivered by hand: Attach before Create, each twice.
    const { vpcId, igwId } = plantGateway(sb, serviceAccount, REGION, '10.40.0.0/16');
    await settle(sb);
    const before = findings(sb).length;

    const actor = {
      type: 'AssumedRole',
      principalId: 'AROADEVELOPER:jane',
      arn: `arn:aws:sts::${serviceAccount}:assumed-role/Developer/jane`,
      accountId: serviceAccount,
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'Developer', accountId: serviceAccount } },
    };
    const record = (eventName: string, eventID: string, extra: Record<string, unknown>) => ({
      eventVersion: '1.09',
      userIdentity: actor,
      eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      eventSource: 'ec2.amazonaws.com',
      eventName,
      awsRegion: REGION,
      eventID,
      eventType: 'AwsApiCall',
      readOnly: false,
      recipientAccountId: serviceAccount,
      eventCategory: 'Management',
      ...extra,
    });
    const attach = record('AttachInternetGateway', `attach-${igwId}`, {
      requestParameters: { internetGatewayId: igwId, vpcId },
      responseElements: { _return: true },
    });
    const create = record('CreateInternetGateway', `create-${igwId}`, {
      requestParameters: {},
      responseElements: { internetGateway: { internetGatewayId: igwId, ownerId: serviceAccount } },
    });
    const deliver = (detail: Record<string, unknown>) =>
      sb.runtime.bus.publish({
        source: 'aws.ec2',
        detailType: 'AWS API Call via CloudTrail',
        detail,
        account: serviceAccount,
        region: REGION,
      });
    deliver(attach);
    deliver(attach);
    await waitFor('the first finding', () => findings(sb).length > before);
    deliver(create);
    deliver(create);
    deliver(attach);
    await waitFor('the second finding', () => findings(sb).length >= before + 2);
    await settle(sb);

    expect(deletesOf(igwId)).toHaveLength(1);
    const mine = findings(sb).slice(before);
    expect(mine.map((f) => [f.eventName, f.outcome])).toEqual([
      ['AttachInternetGateway', 'remediated'],
      ['CreateInternetGateway', 'already-compliant'],
    ]);
  });

  it('revokes open ingress and keeps the other rules of the group', async () => {
    const ec2 = developer(serviceAccount);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc?.VpcId as string;
    const groupId = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))
    ).GroupId as string;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      }),
    );
    const finding = await waitFor('the security group finding', () => findings(sb).find((f) => f.resource === groupId));
    await settle(sb);

    expect(finding).toMatchObject({ rule: 'sg-open-ingress', outcome: 'remediated', accountId: serviceAccount });
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    const ingress = (rules.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
    expect(ingress.map((r) => `${r.CidrIpv4}:${r.FromPort}`)).toEqual(['10.0.0.0/8:443']);
    expect((rules.SecurityGroupRules ?? []).filter((r) => r.IsEgress)).toHaveLength(1);
  });

  it('survives malformed CloudTrail events that match a rule: no crash, no mutation', async () => {
    await settle(sb);
    const callsBefore = remediatorCalls().length;
    const findingsBefore = findings(sb).length;
    const invocationsBefore = sb.runtime.store.count('invocations');
    for (let i = 0; i < 5; i++) {
      sb.runtime.bus.publish({
        source: 'aws.ec2',
        detailType: 'AWS API Call via CloudTrail',
        // matches igw-created's pattern, but lacks eventID, eventTime, recipientAccountId…
        // (it does carry eventCategory, or the account's forwarding rule would not send it to the hub)
        detail: {
          eventName: 'CreateInternetGateway',
          eventCategory: 'Management',
          userIdentity: { type: 'IAMUser' },
          truncated: i,
        },
        account: serviceAccount,
        region: REGION,
      });
    }
    await waitFor('the five invocations', () => sb.runtime.store.count('invocations') >= invocationsBefore + 5);
    await settle(sb);
    const invocations = sb.runtime.store
      .list<{ functionName: string; error?: string }>('invocations')
      .slice(invocationsBefore);
    expect(invocations.map((i) => [i.functionName, i.error])).toEqual(
      Array.from({ length: 5 }, () => ['guard-internet-gateway', undefined]),
    );
    expect(findings(sb)).toHaveLength(findingsBefore);
    expect(remediatorCalls()).toHaveLength(callsBefore);
  });

  it('restarts a trail a developer stopped and raises a critical finding', async () => {
    const cloudtrail = sb.client(CloudTrailClient, { accountId: serviceAccount, role: 'Developer', session: 'jane' });
    const trailArn = `arn:aws:cloudtrail:${REGION}:${serviceAccount}:trail/management-events`;
    await cloudtrail.send(new StopLoggingCommand({ Name: trailArn }));

    const finding = await waitFor('the trail finding', () => findings(sb).find((f) => f.rule === 'trail-tampered'));
    await settle(sb);

    expect(finding).toMatchObject({ severity: 'critical', outcome: 'remediated', resource: trailArn });
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(true);
  });

  it('finds and removes a gateway the events missed in the reconciliation sweep', async () => {
    // the sweep assumes the remediation role in every member account: the core accounts get the
    // baseline that carries it (an account without it is reported as an error of the sweep)
    const core = sb.runtime.config.accounts.filter((a) => a.role !== 'management').map((a) => sb.accountId(a.name));
    await deploySecurityBaseline(sb, ...core);
    await settle(sb);
    const { vpcId, igwId } = plantGateway(sb, serviceAccount, REGION, '10.70.0.0/16');
    // the egress account's own gateway (the sandbox seeds no network): the sweep must leave it alone
    plantGateway(sb, sb.accountId('egress'), REGION, '10.71.0.0/16');
    const egressGateways = async () =>
      (await developer(sb.accountId('egress')).send(new DescribeInternetGatewaysCommand({}))).InternetGateways?.length;
    const egressBefore = await egressGateways();
    expect(egressBefore).toBeGreaterThan(0);

    const report = (await sb.runtime.functions.invoke('guard-reconcile', { 'detail-type': 'Scheduled Event' })) as {
      errors: unknown[];
      skippedAccounts: string[];
    };

    expect(report.errors).toEqual([]);
    expect(report.skippedAccounts).toContain(sb.accountId('egress'));
    expect(await gatewayExists(developer(serviceAccount), igwId)).toBe(false);
    expect(findings(sb).find((f) => f.resource === igwId)).toMatchObject({
      rule: 'reconcile-internet-gateway',
      eventId: `reconcile:${serviceAccount}:${REGION}:${igwId}`,
      vpcId,
      outcome: 'remediated',
    });
    expect(await egressGateways()).toBe(egressBefore);
  });
});
