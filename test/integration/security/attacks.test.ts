/**
 * The attacks of docs/security.md, tried through the sandbox's real authorization and delivery: each
 * must fail for the reason AWS would give.
 */

import { CloudFormationClient, UpdateStackSetCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateTagsCommand, CreateVpcCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  DisableAWSServiceAccessCommand,
  DisablePolicyTypeCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ORGANIZATION_TRAIL_NAME } from '../../../config/organization-services';
import type { OutboxMessage } from '../../../sandbox/slack-outbox';
import { exampleOf } from '../../../scripts/slack-examples';
import { waitForAlert } from '../../helpers/alerts';
import { deploySecurityBaseline, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';

let sb: TestSandbox;
let member: string;
const HOME = 'eu-west-1';

beforeAll(async () => {
  sb = await startTestSandbox();
  member = sb.accountId('log-archive');
  await deploySecurityBaseline(sb, member);
}, 60_000);
afterAll(() => sb?.stop());

const remediationRole = () => `arn:aws:iam::${member}:role/VendguardGuardrailRemediation`;
const trust = (principal: object) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
  });

interface Traced {
  readonly rules: { readonly name: string }[];
}

/** The hops of an event (`/_sandbox/bus-events`), once it reached the hub bus. */
async function hubHop(eventId: string): Promise<Traced> {
  return until(
    async () => {
      const res = await fetch(`${sb.endpoint}/_sandbox/bus-events?eventId=${eventId}`);
      return ((await res.json()) as { events: Traced[] }).events[0];
    },
    10_000,
    `event ${eventId} on the hub bus`,
  );
}

describe('borrowing the remediation role', () => {
  it('refuses a hub role named like vendguard-* that is not a guardrail function, and admits a guardrail', async () => {
    // a hub administrator makes a role the old pattern (role/vendguard-*) would have trusted
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'vendguard-impostor',
        AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${sb.runtime.managementAccountId}:root` }),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'vendguard-impostor',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    const asImpostor = sb.client(STSClient, {
      accountId: sb.runtime.managementAccountId,
      role: 'vendguard-impostor',
      region: 'us-east-1',
    });
    await expect(
      asImpostor.send(new AssumeRoleCommand({ RoleArn: remediationRole(), RoleSessionName: 'impostor' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(
        `is not authorized to perform: sts:AssumeRole on resource: ${remediationRole()}`,
      ),
    });

    const asGuardrail = sb.client(STSClient, {
      accountId: sb.runtime.managementAccountId,
      role: 'vendguard-guard-internet-gateway',
      session: 'vendguard-guard-internet-gateway',
      region: 'us-east-1',
    });
    const assumed = await asGuardrail.send(
      new AssumeRoleCommand({ RoleArn: remediationRole(), RoleSessionName: 'guardrail' }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${member}:assumed-role/VendguardGuardrailRemediation/guardrail`,
    );
  });
});

describe('making a role the hub bus admits, in a member account', () => {
  it('is denied by the protect-security SCP: no member creates a vendguard-* role', async () => {
    const iam = sb.client(IAMClient, { accountId: member, region: 'us-east-1' });
    await expect(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'vendguard-event-forwarder-evil',
          AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${member}:root` }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in a service control policy'),
    });
  });
});

describe('a forged Guardrail Finding', () => {
  it('pages nobody even when the hub bus is opened to the member: findings count only from the hub account', async () => {
    const hubEvents = sb.client(EventBridgeClient);
    // an operator's mistake: the member account may put directly on the hub bus
    await hubEvents.send(
      new PutPermissionCommand({
        EventBusName: 'vendguard',
        Action: 'events:PutEvents',
        Principal: member,
        StatementId: 'mistake',
      }),
    );
    try {
      const { finding } = exampleOf('finding', 4);
      const put = await sb.client(EventBridgeClient, { accountId: member }).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: `arn:aws:events:${HOME}:${sb.runtime.managementAccountId}:event-bus/vendguard`,
              Source: 'vendguard.guardrails',
              DetailType: 'Guardrail Finding',
              Detail: JSON.stringify(finding),
            },
          ],
        }),
      );
      expect(put.FailedEntryCount).toBe(0);
      const hop = await hubHop(put.Entries?.[0]?.EventId as string);
      expect(hop.rules.map((r) => r.name)).not.toContain('vendguard-notify-slack');

      // the same finding from the hub account is routed to the notifier
      const own = await hubEvents.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'vendguard',
              Source: 'vendguard.guardrails',
              DetailType: 'Guardrail Finding',
              Detail: JSON.stringify(finding),
            },
          ],
        }),
      );
      const routed = await hubHop(own.Entries?.[0]?.EventId as string);
      expect(routed.rules.map((r) => r.name)).toContain('vendguard-notify-slack');
    } finally {
      await hubEvents.send(new RemovePermissionCommand({ EventBusName: 'vendguard', StatementId: 'mistake' }));
    }
  });
});

describe('exempting oneself by tag', () => {
  it('is denied by the protect-security SCP: no member writes or removes a vendguard:* tag', async () => {
    const ec2 = sb.client(EC2Client, { accountId: member });
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }));
    const vpcId = Vpc?.VpcId as string;
    // other tags are the team's own business
    await ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'team', Value: 'payments' }] }));
    const denied = expect.objectContaining({
      name: 'UnauthorizedOperation',
      message: expect.stringContaining('You are not authorized to perform this operation.'),
    });
    await expect(
      ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'vendguard:exempt', Value: 'true' }] })),
    ).rejects.toEqual(denied);
    await expect(
      ec2.send(
        new CreateVpcCommand({
          CidrBlock: '10.98.0.0/16',
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'vendguard:exempt', Value: 'true' }] }],
        }),
      ),
    ).rejects.toEqual(denied);
    await expect(
      ec2.send(new DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'vendguard:owner' }] })),
    ).rejects.toEqual(denied);
  });
});

describe('weakening the organization', () => {
  it('is loud: an SCP detached in the hub account itself reaches the Slack outbox as a critical alert', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const policies = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const PolicyId = policies.Policies?.find((p) => p.Name === 'vendguard-deny-internet-gateway')?.Id as string;
    const TargetId = sb.runtime.organizations.ouIdByPath('Sandbox') as string;
    await org.send(new DetachPolicyCommand({ PolicyId, TargetId }));
    try {
      // the hub's own us-east-1 event travels the hub forwarding rule to the central bus
      const alert = await criticalAlert('DetachPolicy', PolicyId);
      expect(alert.rendered).toContain(`target ${TargetId}`);
      expect(alert.rendered).toContain("weakening the organization's guardrails");
    } finally {
      await org.send(new AttachPolicyCommand({ PolicyId, TargetId }));
    }
  }, 30_000);
});

describe('vending oneself an account', () => {
  it('is refused by vend-start even when the bus is opened to the member: only the hub and configured requesters may request', async () => {
    const hubEvents = sb.client(EventBridgeClient);
    await hubEvents.send(
      new PutPermissionCommand({
        EventBusName: 'vendguard',
        Action: 'events:PutEvents',
        Principal: member,
        StatementId: 'mistake-requests',
      }),
    );
    try {
      const put = await sb.client(EventBridgeClient, { accountId: member }).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: `arn:aws:events:${HOME}:${sb.runtime.managementAccountId}:event-bus/vendguard`,
              Source: 'vendguard.requests',
              DetailType: 'Account Request',
              Detail: JSON.stringify({
                name: 'self-prod',
                email: 'aws-self-prod@acme.example',
                ou: 'Workloads/Prod',
                owner: 'team-self',
                environment: 'prod',
              }),
            },
          ],
        }),
      );
      const eventId = put.Entries?.[0]?.EventId as string;
      const alert = await waitForAlert(
        sb.endpoint,
        (a) => a.kind === 'request-rejected' && a.rendered.includes(eventId),
        'the rejection of the member account request',
      );
      expect(alert.rendered).toContain(`Sent from account: ${member}`);
      expect(alert.rendered).toContain(`account ${member} may not request accounts`);
      const executions = await sb.client(SFNClient).send(
        new ListExecutionsCommand({
          stateMachineArn: `arn:aws:states:${HOME}:${sb.runtime.managementAccountId}:stateMachine:vendguard-account-vending`,
        }),
      );
      expect(executions.executions ?? []).toEqual([]);
    } finally {
      await hubEvents.send(new RemovePermissionCommand({ EventBusName: 'vendguard', StatementId: 'mistake-requests' }));
    }
  }, 30_000);
});

/** Waits for a critical alert whose text has every marker (the call's name and its resource). */
async function criticalAlert(...markers: string[]): Promise<OutboxMessage> {
  const alert = await waitForAlert(
    sb.endpoint,
    (a) => a.kind === 'finding' && markers.every((m) => a.rendered.includes(m)),
    `a critical alert with ${markers.join(', ')}`,
  );
  expect(alert.severity).toBe('critical');
  return alert;
}

describe('tampering in the hub account itself is loud', () => {
  const org = () => sb.client(OrganizationsClient, { region: 'us-east-1' });

  it('an SCP changed, then deleted', async () => {
    const created = await org().send(
      new CreatePolicyCommand({
        Name: 'team-experiment',
        Description: 'to be changed',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: '*' }],
        }),
      }),
    );
    const PolicyId = created.Policy?.PolicySummary?.Id as string;
    await org().send(new UpdatePolicyCommand({ PolicyId, Description: 'changed' }));
    await criticalAlert('UpdatePolicy', PolicyId);
    await org().send(new DeletePolicyCommand({ PolicyId }));
    await criticalAlert('DeletePolicy', PolicyId);
  }, 30_000);

  it('an account moved out of its guarded OU', async () => {
    const network = sb.accountId('network');
    const from = sb.runtime.organizations.ouIdByPath('Infrastructure') as string;
    const to = sb.runtime.organizations.ouIdByPath('Sandbox') as string;
    await org().send(new MoveAccountCommand({ AccountId: network, SourceParentId: from, DestinationParentId: to }));
    try {
      await criticalAlert('MoveAccount', network);
    } finally {
      await org().send(new MoveAccountCommand({ AccountId: network, SourceParentId: to, DestinationParentId: from }));
    }
  }, 30_000);

  it('trusted access for StackSets disabled', async () => {
    const sp = 'member.org.stacksets.cloudformation.amazonaws.com';
    await org().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: sp }));
    try {
      await criticalAlert('DisableAWSServiceAccess', sp);
    } finally {
      await org().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: sp }));
    }
  }, 30_000);

  it('a vendguard rule disabled, then retargeted', async () => {
    const events = sb.client(EventBridgeClient);
    const Name = 'vendguard-s3-public-access-weakened';
    await events.send(new DisableRuleCommand({ Name, EventBusName: 'vendguard' }));
    try {
      await criticalAlert('DisableRule', Name);
    } finally {
      await events.send(new EnableRuleCommand({ Name, EventBusName: 'vendguard' }));
    }
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: Name, EventBusName: 'vendguard' }));
    await events.send(
      new RemoveTargetsCommand({
        Rule: Name,
        EventBusName: 'vendguard',
        Ids: (Targets ?? []).map((t) => t.Id as string),
      }),
    );
    try {
      await criticalAlert('RemoveTargets', Name);
    } finally {
      await events.send(new PutTargetsCommand({ Rule: Name, EventBusName: 'vendguard', Targets }));
    }
  }, 30_000);

  it('a vendguard role changed', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    const RoleName = 'vendguard-guard-alert';
    await iam.send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: 'extra',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }],
        }),
      }),
    );
    try {
      await criticalAlert('PutRolePolicy', RoleName);
    } finally {
      await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'extra' }));
    }
  }, 30_000);

  it('a vendguard stack set changed', async () => {
    const cfn = sb.client(CloudFormationClient);
    const StackSetName = 'vendguard-baseline-network';
    await cfn.send(
      new UpdateStackSetCommand({
        StackSetName,
        UsePreviousTemplate: true,
        Description: 'changed by hand',
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    await criticalAlert('UpdateStackSet', StackSetName);
  }, 30_000);

  it('SCPs disabled in the root (every SCP detached at once)', async () => {
    const rootId = sb.runtime.organizations.rootId;
    // what is attached now, to put back: re-enabling attaches only FullAWSAccess (as AWS does)
    const policies = (await org().send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? [];
    const attachments: { PolicyId: string; TargetId: string }[] = [];
    for (const p of policies.filter((p) => p.Name !== 'FullAWSAccess')) {
      const { Targets } = await org().send(new ListTargetsForPolicyCommand({ PolicyId: p.Id }));
      for (const t of Targets ?? []) attachments.push({ PolicyId: p.Id as string, TargetId: t.TargetId as string });
    }
    await org().send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    try {
      await criticalAlert('DisablePolicyType', rootId, 'policy type SERVICE_CONTROL_POLICY');
    } finally {
      await org().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
      for (const a of attachments) await org().send(new AttachPolicyCommand(a));
    }
  }, 30_000);

  it('the organization trail stopped', async () => {
    const trails = sb.client(CloudTrailClient);
    await trails.send(new StopLoggingCommand({ Name: ORGANIZATION_TRAIL_NAME }));
    try {
      await criticalAlert('StopLogging', ORGANIZATION_TRAIL_NAME);
    } finally {
      await trails.send(new StartLoggingCommand({ Name: ORGANIZATION_TRAIL_NAME }));
    }
  }, 30_000);
});
