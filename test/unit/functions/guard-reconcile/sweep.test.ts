import {
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { reconcile } from '../../../../functions/guard-reconcile/sweep';
import {
  BASTION,
  EGRESS,
  type GuardHarness,
  guardHarness,
  MANAGEMENT,
  SERVICE_ACCOUNT,
} from '../shared/guardrails/harness';

/** The account a member client was made for, from the fake AssumeRole access key (`ASIA<account>`). */
async function accountOf(client: { config: { credentials: () => Promise<{ accessKeyId: string }> } }) {
  return (await client.config.credentials()).accessKeyId.slice(4);
}

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
  h.ec2.on(DescribeInternetGatewaysCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return account === SERVICE_ACCOUNT || account === EGRESS
      ? { InternetGateways: [{ InternetGatewayId: `igw-${account}`, Attachments: [{ VpcId: `vpc-${account}` }] }] }
      : { InternetGateways: [] };
  });
  h.ec2.on(DescribeSecurityGroupRulesCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    if (account !== SERVICE_ACCOUNT) return { SecurityGroupRules: [] };
    return {
      SecurityGroupRules: [
        {
          GroupId: 'sg-web',
          SecurityGroupRuleId: 'sgr-open',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
        {
          GroupId: 'sg-web',
          SecurityGroupRuleId: 'sgr-private',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIpv4: '10.0.0.0/8',
        },
        {
          GroupId: 'sg-web',
          SecurityGroupRuleId: 'sgr-egress',
          IsEgress: true,
          IpProtocol: '-1',
          CidrIpv4: '0.0.0.0/0',
        },
      ],
    };
  });
  h.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  h.ec2.on(DetachInternetGatewayCommand).resolves({});
  h.ec2.on(DeleteInternetGatewayCommand).resolves({});
  h.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
});
afterEach(() => h.restore());

describe('guard-reconcile', () => {
  it('removes gateways and open ingress that the events missed, in non-exempt accounts only', async () => {
    const report = await reconcile(new Date('2026-11-26T12:00:00Z'));

    expect(h.ec2.commandCalls(DeleteInternetGatewayCommand).map((c) => c.args[0].input.InternetGatewayId)).toEqual(
      // one per allowed region, all in the service account
      [`igw-${SERVICE_ACCOUNT}`, `igw-${SERVICE_ACCOUNT}`, `igw-${SERVICE_ACCOUNT}`],
    );
    expect(h.ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-web',
      SecurityGroupRuleIds: ['sgr-open'],
    });
    // the bastion is swept too: only its SSH rule is exempt (guardrails.exemptions.securityGroupIngress)
    expect(report.skippedAccounts).toEqual(expect.arrayContaining([EGRESS, MANAGEMENT]));
    expect(report.skippedAccounts).not.toContain(BASTION);
    expect(report.errors).toEqual([]);
    const assumed = h.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);
    expect(assumed.some((arn) => arn?.includes(EGRESS) || arn?.includes(MANAGEMENT))).toBe(false);
  });

  it('records sweep findings under a synthesised event id through the same path', async () => {
    await reconcile(new Date('2026-11-26T12:00:00Z'));
    const igw = h.findings().find((f) => f.resource === `igw-${SERVICE_ACCOUNT}` && f.region === 'eu-west-1');
    expect(igw).toMatchObject({
      rule: 'reconcile-internet-gateway',
      eventId: `reconcile:${SERVICE_ACCOUNT}:eu-west-1:igw-${SERVICE_ACCOUNT}`,
      eventName: 'Reconcile',
      actor: 'vendguard-reconcile',
      vpcId: `vpc-${SERVICE_ACCOUNT}`,
      outcome: 'remediated',
    });
    expect(igw?.summary).toBe(
      `vendguard-reconcile found igw-${SERVICE_ACCOUNT} attached to vpc-${SERVICE_ACCOUNT} in ${SERVICE_ACCOUNT}/eu-west-1`,
    );
  });

  it('does not act twice on the same resource when two sweeps overlap', async () => {
    await reconcile();
    const deletes = h.ec2.commandCalls(DeleteInternetGatewayCommand).length;
    const second = await reconcile();
    expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(deletes);
    expect(second.outcomes.duplicate).toBeGreaterThan(0);
  });

  it('goes on with other accounts when one cannot be swept', async () => {
    h.sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
      if (input.RoleArn.includes('333344445555'))
        throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      return {
        Credentials: { AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`, SecretAccessKey: 's', SessionToken: 't' },
      };
    });
    const report = await reconcile();
    expect(report.errors.map((e) => e.accountId)).toEqual(['333344445555', '333344445555', '333344445555']);
    expect(h.ec2.commandCalls(DeleteInternetGatewayCommand).length).toBeGreaterThan(0);
  });
});
