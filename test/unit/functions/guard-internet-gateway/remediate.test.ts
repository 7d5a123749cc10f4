import {
  DeleteInternetGatewayCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
} from '@aws-sdk/client-ec2';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { internetGatewayGuard } from '../../../../functions/guard-internet-gateway/remediate';
import { setOrganizationConfig } from '../../../../functions/shared/config';
import { runGuardrail } from '../../../../functions/shared/guardrails/pipeline';
import {
  EGRESS,
  type GuardHarness,
  guardHarness,
  OTHER_SERVICE_ACCOUNT,
  SERVICE_ACCOUNT,
  sampleEvent,
  withGuardrails,
} from '../shared/guardrails/harness';

const IGW = 'igw-0a1b2c3d4e5f60718';
const VPC = 'vpc-0123456789abcdef0';
const ACTOR = 'arn:aws:sts::222233334444:assumed-role/Developer/jane.doe';

const attach = (options: Parameters<typeof sampleEvent>[1] = {}) =>
  sampleEvent('aws.ec2/attach-internet-gateway.json', options);
const create = (options: Parameters<typeof sampleEvent>[1] = {}) =>
  sampleEvent('aws.ec2/create-internet-gateway.json', options);
const run = (event: unknown) => runGuardrail(event, 'guard-internet-gateway', internetGatewayGuard);

const attachedGateway = (tags: { Key: string; Value: string }[] = []) => ({
  InternetGateways: [{ InternetGatewayId: IGW, Attachments: [{ VpcId: VPC, State: 'attached' as const }], Tags: tags }],
});

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
  h.ec2.on(DescribeInternetGatewaysCommand).resolves(attachedGateway());
  h.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC, Tags: [] }] });
});
afterEach(() => h.restore());

describe('guard-internet-gateway', () => {
  it('deletes an attached gateway after detaching it and records who, what and where', async () => {
    const result = await run(attach());

    expect(result.status).toBe('done');
    expect(h.ec2.commandCalls(DetachInternetGatewayCommand).map((c) => c.args[0].input)).toEqual([
      { InternetGatewayId: IGW, VpcId: VPC },
    ]);
    expect(h.ec2.commandCalls(DeleteInternetGatewayCommand).map((c) => c.args[0].input)).toEqual([
      { InternetGatewayId: IGW },
    ]);
    const [finding] = h.findings();
    expect(finding).toMatchObject({
      rule: 'igw-attached',
      severity: 'high',
      mode: 'remediate',
      actor: ACTOR,
      accountId: SERVICE_ACCOUNT,
      accountName: 'payments-dev',
      region: 'eu-west-1',
      resource: IGW,
      resourceType: 'AWS::EC2::InternetGateway',
      vpcId: VPC,
      action: `detached from ${VPC} and deleted`,
      outcome: 'remediated',
      eventName: 'AttachInternetGateway',
    });
    expect(finding?.summary).toBe(`${ACTOR} attached ${IGW} to ${VPC} in ${SERVICE_ACCOUNT}/eu-west-1`);
  });

  it('acts through the remediation role of the event account', async () => {
    await run(attach());
    expect(h.sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(
      `arn:aws:iam::${SERVICE_ACCOUNT}:role/VendguardGuardrailRemediation`,
    );
  });

  it('makes at most four member-account calls per remediation with cached credentials', async () => {
    await run(attach({ eventId: 'warm-1' }));
    h.ec2.resetHistory();
    h.sts.resetHistory();
    await run(attach({ eventId: 'warm-2' }));
    expect(h.sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(h.memberCalls().length).toBeLessThanOrEqual(4);
  });

  it('deletes a created gateway that is not attached', async () => {
    h.ec2
      .on(DescribeInternetGatewaysCommand)
      .resolves({ InternetGateways: [{ InternetGatewayId: IGW, Attachments: [] }] });
    await run(create());
    expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(0);
    expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(1);
    expect(h.findings()[0]).toMatchObject({ rule: 'igw-created', action: 'deleted', outcome: 'remediated' });
  });

  describe('exemptions', () => {
    it('never touches a gateway in an exempt account (egress) and records it as information', async () => {
      await run(attach({ account: EGRESS }));
      expect(h.memberCalls()).toEqual([]);
      expect(h.findings()[0]).toMatchObject({ outcome: 'exempt', severity: 'info', accountId: EGRESS });
    });

    it('resolves exempt account names through Organizations ListAccounts once', async () => {
      await run(attach({ account: EGRESS, eventId: 'a' }));
      await run(attach({ account: EGRESS, eventId: 'b' }));
      expect(h.organizations.commandCalls(ListAccountsCommand)).toHaveLength(1);
    });

    it('leaves an exempt VPC alone', async () => {
      setOrganizationConfig(withGuardrails((g) => g.exemptions.vpcIds.push(VPC)));
      await run(attach());
      expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]).toMatchObject({ outcome: 'exempt', vpcId: VPC, action: `none: ${VPC} is exempt` });
    });

    it('leaves a gateway tagged vendguard:exempt=true alone', async () => {
      h.ec2.on(DescribeInternetGatewaysCommand).resolves(attachedGateway([{ Key: 'vendguard:exempt', Value: 'true' }]));
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]?.outcome).toBe('exempt');
    });

    it('leaves a gateway alone when its VPC carries the exempt tag', async () => {
      h.ec2
        .on(DescribeVpcsCommand)
        .resolves({ Vpcs: [{ VpcId: VPC, Tags: [{ Key: 'vendguard:exempt', Value: 'true' }] }] });
      await run(attach());
      expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]).toMatchObject({
        outcome: 'exempt',
        action: `none: ${VPC} is tagged vendguard:exempt=true`,
      });
    });

    it('does not honour the exempt tag with another value', async () => {
      h.ec2
        .on(DescribeInternetGatewaysCommand)
        .resolves(attachedGateway([{ Key: 'vendguard:exempt', Value: 'false' }]));
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(1);
    });

    it('alerts instead of destroying when the exemption data cannot be read', async () => {
      h.organizations
        .on(ListAccountsCommand)
        .rejects(Object.assign(new Error('Rate exceeded'), { name: 'AccessDeniedException' }));
      await run(attach());
      expect(h.memberCalls()).toEqual([]);
      expect(h.findings()[0]).toMatchObject({
        outcome: 'alerted',
        action: expect.stringContaining('alerting instead'),
      });
    });

    it('alerts instead of acting on an ambiguous event that names no gateway', async () => {
      await run(
        attach({
          edit: (d) => {
            d.requestParameters = { vpcId: VPC };
          },
        }),
      );
      expect(h.memberCalls()).toEqual([]);
      expect(h.findings()[0]).toMatchObject({
        outcome: 'alerted',
        reason: expect.stringContaining('internetGatewayId'),
      });
    });
  });

  describe('already gone and blocked gateways', () => {
    it('treats a gateway that no longer exists as already compliant', async () => {
      h.ec2
        .on(DescribeInternetGatewaysCommand)
        .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInternetGatewayID.NotFound' }));
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]).toMatchObject({ outcome: 'already-compliant', severity: 'info' });
    });

    it('treats NotFound on delete as success: another delivery removed it first', async () => {
      h.ec2
        .on(DeleteInternetGatewayCommand)
        .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInternetGatewayID.NotFound' }));
      const result = await run(attach());
      expect(result.status).toBe('done');
      expect(h.findings()[0]).toMatchObject({
        outcome: 'already-compliant',
        action: 'none: the gateway was removed meanwhile',
      });
    });

    it('stops without error when the gateway disappears while detaching', async () => {
      h.ec2
        .on(DetachInternetGatewayCommand)
        .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInternetGatewayID.NotFound' }));
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]?.outcome).toBe('already-compliant');
    });

    it('retries a DependencyViolation with backoff and then succeeds', async () => {
      const violation = Object.assign(new Error('has mapped public addresses'), { name: 'DependencyViolation' });
      h.ec2.on(DetachInternetGatewayCommand).rejectsOnce(violation).rejectsOnce(violation).resolves({});
      await run(attach());
      expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(3);
      expect(h.findings()[0]?.outcome).toBe('remediated');
    });

    it('escalates a persistent DependencyViolation with what blocks it', async () => {
      h.ec2
        .on(DetachInternetGatewayCommand)
        .rejects(Object.assign(new Error('has mapped public addresses'), { name: 'DependencyViolation' }));
      h.ec2.on(DescribeAddressesCommand).resolves({
        Addresses: [{ PublicIp: '203.0.113.10', AssociationId: 'eipassoc-1', NetworkInterfaceId: 'eni-1' }],
      });
      await run(attach());
      expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(3);
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]).toMatchObject({
        outcome: 'failed',
        reason: expect.stringContaining('203.0.113.10 on eni-1'),
      });
    });
  });

  describe('idempotency per CloudTrail eventID', () => {
    it('remediates and records a duplicate delivery once', async () => {
      const first = await run(attach());
      const second = await run(attach());
      expect(first.status).toBe('done');
      expect(second.status).toBe('duplicate');
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(1);
      expect(h.findings()).toHaveLength(1);
    });

    it('ends out-of-order deliveries (Attach before Create) with one remediation', async () => {
      await run(attach());
      h.ec2
        .on(DescribeInternetGatewaysCommand)
        .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInternetGatewayID.NotFound' }));
      await run(create());
      await run(create());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(1);
      expect(h.findings().map((f) => [f.eventName, f.outcome])).toEqual([
        ['AttachInternetGateway', 'remediated'],
        ['CreateInternetGateway', 'already-compliant'],
      ]);
    });

    it('processes a delivery again after a throttled attempt released it', async () => {
      h.ec2
        .on(DetachInternetGatewayCommand)
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }))
        .resolves({});
      await expect(run(attach())).rejects.toThrow('Rate exceeded');
      expect((await run(attach())).status).toBe('done');
      expect(h.findings()).toHaveLength(1);
    });
  });

  describe('modes', () => {
    it('only says what it would do under the global alert-only switch', async () => {
      setOrganizationConfig(
        withGuardrails((g) => {
          g.alertOnly = true;
        }),
      );
      await run(attach());
      expect(h.ec2.commandCalls(DetachInternetGatewayCommand)).toHaveLength(0);
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]).toMatchObject({
        mode: 'dry-run',
        outcome: 'dry-run',
        action: `none (dry-run); would detach ${IGW} from ${VPC} and delete it`,
      });
    });

    it('lets VENDGUARD_ALERT_ONLY=true override the config', async () => {
      process.env.VENDGUARD_ALERT_ONLY = 'true';
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(0);
      expect(h.findings()[0]?.outcome).toBe('dry-run');
    });

    it('lets VENDGUARD_ALERT_ONLY=false override an alert-only config', async () => {
      setOrganizationConfig(
        withGuardrails((g) => {
          g.alertOnly = true;
        }),
      );
      process.env.VENDGUARD_ALERT_ONLY = 'false';
      await run(attach());
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(1);
    });
  });

  describe('blast-radius guard', () => {
    it('stops remediating in an account after the configured number of actions and alerts', async () => {
      setOrganizationConfig(
        withGuardrails((g) => {
          g.blastRadius = { maxActionsPerAccount: 2, windowMinutes: 60 };
        }),
      );
      for (const id of ['e1', 'e2', 'e3', 'e4']) await run(attach({ eventId: id }));
      expect(h.ec2.commandCalls(DeleteInternetGatewayCommand)).toHaveLength(2);
      const outcomes = h.findings().map((f) => f.outcome);
      expect(outcomes).toEqual(['remediated', 'remediated', 'suppressed', 'suppressed']);
      expect(h.findings()[2]?.reason).toContain('remediation stopped in this account');
    });

    it('keeps remediating in other accounts', async () => {
      setOrganizationConfig(
        withGuardrails((g) => {
          g.blastRadius = { maxActionsPerAccount: 1, windowMinutes: 60 };
        }),
      );
      await run(attach({ eventId: 'x1' }));
      await run(attach({ eventId: 'x2' }));
      await run(attach({ eventId: 'x3', account: OTHER_SERVICE_ACCOUNT }));
      expect(h.findings().map((f) => `${f.accountId}:${f.outcome}`)).toEqual([
        `${SERVICE_ACCOUNT}:remediated`,
        `${SERVICE_ACCOUNT}:suppressed`,
        `${OTHER_SERVICE_ACCOUNT}:remediated`,
      ]);
    });
  });

  describe('events it must not act on', () => {
    it("ignores the remediation role's own calls", async () => {
      const event = attach({
        edit: (d) => {
          d.userIdentity = {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${SERVICE_ACCOUNT}:assumed-role/VendguardGuardrailRemediation/vendguard-guardrails`,
            sessionContext: { sessionIssuer: { userName: 'VendguardGuardrailRemediation' } },
          };
        },
      });
      expect((await run(event)).status).toBe('ignored');
      expect(h.memberCalls()).toEqual([]);
      expect(h.findings()).toEqual([]);
    });

    it('ignores a failed call', async () => {
      const result = await run(
        attach({
          edit: (d) => {
            d.errorCode = 'Client.UnauthorizedOperation';
          },
        }),
      );
      expect(result.status).toBe('ignored');
      expect(h.memberCalls()).toEqual([]);
    });
  });
});
