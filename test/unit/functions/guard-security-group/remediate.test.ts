import {
  DescribeSecurityGroupRulesCommand,
  type DescribeSecurityGroupRulesCommandInput,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { securityGroupGuard } from '../../../../functions/guard-security-group/remediate';
import { setOrganizationConfig } from '../../../../functions/shared/config';
import { runGuardrail } from '../../../../functions/shared/guardrails/pipeline';
import {
  BASTION,
  type GuardHarness,
  guardHarness,
  SERVICE_ACCOUNT,
  sampleEvent,
  withGuardrails,
} from '../shared/guardrails/harness';

const SG = 'sg-0fedcba9876543210';
const OPEN = 'aws.ec2/authorize-security-group-ingress-open.json';
const run = (event: unknown) => runGuardrail(event, 'guard-security-group', securityGroupGuard);
const revokes = () => h.ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input);

/** An ingress rule as DescribeSecurityGroupRules answers it. */
const ingress = (id: string, group: string, cidr: string, port: number): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: group,
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  ...(cidr.includes(':') ? { CidrIpv6: cidr } : { CidrIpv4: cidr }),
});

let h: GuardHarness;
/** The member account's live rules, which the guard reads before it revokes. */
let live: SecurityGroupRule[];
beforeEach(() => {
  h = guardHarness();
  h.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  live = [
    ingress('sgr-0a1b2c3d4e5f60001', SG, '0.0.0.0/0', 22),
    ingress('sgr-0a1b2c3d4e5f60002', SG, '0.0.0.0/0', 443),
    ingress('sgr-0a1b2c3d4e5f60003', 'sg-0fedcba9876543211', '::/0', 3389),
    ingress('sgr-open-3389', SG, '0.0.0.0/0', 3389),
  ];
  h.ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: DescribeSecurityGroupRulesCommandInput) => ({
    SecurityGroupRules: live.filter((r) => input.Filters?.[0]?.Values?.includes(r.GroupId as string)),
  }));
});
afterEach(() => h.restore());

describe('guard-security-group', () => {
  it('revokes only the open rule by the rule id the API returned and keeps the others', async () => {
    await run(sampleEvent(OPEN));
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60001'] }]);
    expect(h.findings()[0]).toMatchObject({
      rule: 'sg-open-ingress',
      resource: SG,
      resourceType: 'AWS::EC2::SecurityGroup',
      action: 'revoked sgr-0a1b2c3d4e5f60001',
      outcome: 'remediated',
    });
    expect(h.findings()[0]?.summary).toBe(
      `arn:aws:sts::222233334444:assumed-role/Developer/jane.doe opened ${SG} to 0.0.0.0/0 on tcp/22 in ${SERVICE_ACCOUNT}/eu-west-1`,
    );
  });

  it('finds the live rule by CIDR, protocol and ports when the response names no rule ids, and revokes it by id', async () => {
    await run(
      sampleEvent(OPEN, {
        edit: (d) => {
          d.responseElements = { _return: true };
        },
      }),
    );
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60001'] }]);
  });

  it('re-reads the group and leaves a rule alone that was narrowed since the event', async () => {
    live = [ingress('sgr-0a1b2c3d4e5f60001', SG, '10.0.0.0/8', 22)];
    await run(sampleEvent(OPEN));
    expect(h.ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'group-id', Values: [SG] }],
    });
    expect(revokes()).toEqual([]);
    expect(h.findings()[0]).toMatchObject({
      outcome: 'already-compliant',
      action: 'none: the rules are no longer open (changed or removed since)',
    });
  });

  it('revokes nothing when the group is gone', async () => {
    h.ec2
      .on(DescribeSecurityGroupRulesCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidGroup.NotFound' }));
    await run(sampleEvent(OPEN));
    expect(revokes()).toEqual([]);
    expect(h.findings()[0]?.outcome).toBe('already-compliant');
  });

  it('revokes ::/0 ingress', async () => {
    await run(sampleEvent('aws.ec2/authorize-security-group-ingress-open-ipv6.json'));
    expect(revokes()).toEqual([{ GroupId: 'sg-0fedcba9876543211', SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60003'] }]);
  });

  it('revokes a rule modified to be open', async () => {
    await run(sampleEvent('aws.ec2/modify-security-group-rules-open.json'));
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60002'] }]);
  });

  it('keeps ingress that config exempts (account, cidr, port) open and revokes the rest', async () => {
    setOrganizationConfig(
      withGuardrails((g) => {
        g.exemptions.securityGroupIngress = [{ account: 'payments-dev', cidr: '0.0.0.0/0', port: 22 }];
      }),
    );
    const event = sampleEvent(OPEN, {
      edit: (d) => {
        const set = (d.responseElements as { securityGroupRuleSet: { items: Record<string, unknown>[] } })
          .securityGroupRuleSet;
        set.items.push({
          securityGroupRuleId: 'sgr-open-3389',
          isEgress: false,
          ipProtocol: 'tcp',
          fromPort: 3389,
          toPort: 3389,
          cidrIpv4: '0.0.0.0/0',
        });
      },
    });
    await run(event);
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-open-3389'] }]);
    expect(h.findings()[0]?.action).toBe('revoked sgr-open-3389; kept 1 exempt rule(s)');
  });

  it('records an exempt finding when every open rule is exempt', async () => {
    setOrganizationConfig(
      withGuardrails((g) => {
        g.exemptions.securityGroupIngress = [{ account: SERVICE_ACCOUNT, cidr: '0.0.0.0/0', port: 22 }];
      }),
    );
    await run(sampleEvent(OPEN));
    expect(revokes()).toEqual([]);
    expect(h.findings()[0]).toMatchObject({ outcome: 'exempt', severity: 'info' });
  });

  it('leaves the bastion account alone', async () => {
    await run(sampleEvent(OPEN, { account: BASTION }));
    expect(revokes()).toEqual([]);
    expect(h.findings()[0]?.outcome).toBe('exempt');
  });

  it('records nothing when no rule is open to the world', async () => {
    const result = await run(
      sampleEvent(OPEN, {
        edit: (d) => {
          d.responseElements = null;
          const params = d.requestParameters as { ipPermissions: { items: { ipRanges: unknown }[] } };
          for (const p of params.ipPermissions.items) p.ipRanges = { items: [{ cidrIp: '10.0.0.0/8' }] };
        },
      }),
    );
    expect(result.status).toBe('ignored');
    expect(revokes()).toEqual([]);
    expect(h.findings()).toEqual([]);
  });

  it('treats rules that are already gone as compliant', async () => {
    h.ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidSecurityGroupRuleId.NotFound' }));
    await run(sampleEvent(OPEN));
    expect(h.findings()[0]?.outcome).toBe('already-compliant');
  });

  it('revokes once for a duplicate delivery', async () => {
    await run(sampleEvent(OPEN));
    await run(sampleEvent(OPEN));
    expect(revokes()).toHaveLength(1);
    expect(h.findings()).toHaveLength(1);
  });

  it('says what it would revoke in dry-run', async () => {
    process.env.VENDGUARD_ALERT_ONLY = 'true';
    await run(sampleEvent(OPEN));
    expect(revokes()).toEqual([]);
    expect(h.findings()[0]).toMatchObject({
      outcome: 'dry-run',
      action: `none (dry-run); would revoke sgr-0a1b2c3d4e5f60001 of ${SG}`,
    });
  });
});
