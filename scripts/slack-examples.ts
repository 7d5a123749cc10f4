/**
 * Example notifications: one finding per guardrail rule of `events/rules/`, a rejected account
 * request and each vending outcome.
 * `scripts/render-slack-docs.ts` renders them into docs/slack.md, and the notifier's tests use
 * them as fixtures, so the docs show what the renderer really sends.
 */
import type { Notification } from '../functions/shared/notify/notification';

const DEV = 'arn:aws:sts::482913570264:assumed-role/Developer/jane.doe';
const ACCOUNT = { accountId: '482913570264', accountName: 'payments-dev' } as const;

/** Titled examples, in the order the docs show them. */
export const SLACK_EXAMPLES: readonly { readonly title: string; readonly notification: Notification }[] = [
  {
    title: 'igw-created — an Internet Gateway created in a service account',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'igw-created',
        severity: 'high',
        mode: 'remediate',
        summary: `${DEV} created igw-0c4d5e6f7a8b9c0d1 in 482913570264/eu-west-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: 'igw-0c4d5e6f7a8b9c0d1',
        resourceType: 'AWS::EC2::InternetGateway',
        action: 'deleted igw-0c4d5e6f7a8b9c0d1 (attached to no VPC)',
        outcome: 'remediated',
        eventId: '5b1e0f6a-2c7d-4e8f-9a0b-1c2d3e4f5a6b',
        eventName: 'CreateInternetGateway',
        eventTime: '2026-11-26T10:00:02Z',
      },
    },
  },
  {
    title: 'igw-attached — an Internet Gateway attached to a VPC',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'igw-attached',
        severity: 'high',
        mode: 'remediate',
        summary: `${DEV} attached igw-0c4d5e6f7a8b9c0d1 to vpc-0a1b2c3d4e5f60718 in 482913570264/eu-west-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: 'igw-0c4d5e6f7a8b9c0d1',
        resourceType: 'AWS::EC2::InternetGateway',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        action: 'detached igw-0c4d5e6f7a8b9c0d1 from vpc-0a1b2c3d4e5f60718 and deleted it',
        outcome: 'remediated',
        eventId: '3f5e8a1c-7b2d-4c9e-8f10-2a3b4c5d6e7f',
        eventName: 'AttachInternetGateway',
        eventTime: '2026-11-26T10:00:07Z',
      },
    },
  },
  {
    title: 'igw-attached in an exempt account (egress) — left alone',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'igw-attached',
        severity: 'info',
        mode: 'remediate',
        summary:
          'arn:aws:sts::100000000005:assumed-role/NetworkAdmin/ops attached igw-0e9f8d7c6b5a49382 to vpc-0egress0000000001 in 100000000005/eu-west-1',
        actor: 'arn:aws:sts::100000000005:assumed-role/NetworkAdmin/ops',
        accountId: '100000000005',
        accountName: 'egress',
        region: 'eu-west-1',
        resource: 'igw-0e9f8d7c6b5a49382',
        resourceType: 'AWS::EC2::InternetGateway',
        vpcId: 'vpc-0egress0000000001',
        action: 'none',
        outcome: 'exempt',
        reason: 'account egress is exempt (guardrails.exemptions.accounts)',
        eventId: '9c8b7a6f-5e4d-4c3b-a291-0f1e2d3c4b5a',
        eventName: 'AttachInternetGateway',
        eventTime: '2026-11-26T10:05:00Z',
      },
    },
  },
  {
    title: 'sg-open-ingress — a security group opened to the world',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'sg-open-ingress',
        severity: 'high',
        mode: 'remediate',
        summary: `${DEV} opened tcp/22 to 0.0.0.0/0 on sg-0123456789abcdef0 in 482913570264/eu-west-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: 'sg-0123456789abcdef0',
        resourceType: 'AWS::EC2::SecurityGroup',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        action: 'revoked sgr-0fedcba9876543210 (tcp/22 from 0.0.0.0/0); the 3 other rules of the group were kept',
        outcome: 'remediated',
        eventId: '0d1c2b3a-4f5e-4d6c-8b7a-9f0e1d2c3b4a',
        eventName: 'AuthorizeSecurityGroupIngress',
        eventTime: '2026-11-26T10:12:44Z',
      },
    },
  },
  {
    title: 'trail-tampered — CloudTrail logging stopped',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'trail-tampered',
        severity: 'critical',
        mode: 'remediate',
        summary: `${DEV} stopped logging of trail management-events in 482913570264/eu-west-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: 'arn:aws:cloudtrail:eu-west-1:482913570264:trail/management-events',
        resourceType: 'AWS::CloudTrail::Trail',
        action: 'restarted logging (StartLogging)',
        outcome: 'remediated',
        eventId: '6e5d4c3b-2a19-4f08-b7e6-d5c4b3a29180',
        eventName: 'StopLogging',
        eventTime: '2026-11-26T10:20:31Z',
      },
    },
  },
  {
    title: 's3-public-access-weakened — account-level S3 Block Public Access removed',
    notification: {
      kind: 'finding',
      finding: {
        rule: 's3-public-access-weakened',
        severity: 'high',
        mode: 'remediate',
        summary: `${DEV} deleted the account public access block of 482913570264`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: '482913570264',
        resourceType: 'AWS::S3::AccountPublicAccessBlock',
        action: 'restored the public access block (all four settings true)',
        outcome: 'remediated',
        eventId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        eventName: 'DeleteAccountPublicAccessBlock',
        eventTime: '2026-11-26T10:31:09Z',
      },
    },
  },
  {
    title: 'vendguard-tampering — someone touched vendguard itself',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'vendguard-tampering',
        severity: 'critical',
        mode: 'alert',
        summary:
          'arn:aws:sts::100000000001:assumed-role/AdministratorAccess/mallory deleted rule igw-attached on bus vendguard in 100000000001/eu-west-1',
        actor: 'arn:aws:sts::100000000001:assumed-role/AdministratorAccess/mallory',
        accountId: '100000000001',
        accountName: 'management',
        region: 'eu-west-1',
        resource: 'arn:aws:events:eu-west-1:100000000001:rule/vendguard/igw-attached',
        resourceType: 'AWS::Events::Rule',
        action: 'alert only: restore the rule by redeploying the hub stack',
        outcome: 'alerted',
        eventId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
        eventName: 'DeleteRule',
        eventTime: '2026-11-26T10:40:00Z',
      },
    },
  },
  {
    title: 'leave-organization — an account tried to leave the organization',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'leave-organization',
        severity: 'critical',
        mode: 'alert',
        summary: `${DEV} called LeaveOrganization in 482913570264/us-east-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'us-east-1',
        action: 'alert only',
        outcome: 'alerted',
        eventId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        eventName: 'LeaveOrganization',
        eventTime: '2026-11-26T10:45:12Z',
      },
    },
  },
  {
    title: 'organization-tampering — an SCP detached from an OU, in the management account',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'organization-tampering',
        severity: 'critical',
        mode: 'alert',
        summary:
          "arn:aws:sts::111122223333:assumed-role/Admin/sam.ops called DetachPolicy on p-examplescp1 (target ou-exam-55555555), weakening the organization's guardrails, in 111122223333/us-east-1",
        actor: 'arn:aws:sts::111122223333:assumed-role/Admin/sam.ops',
        accountId: '111122223333',
        accountName: 'management',
        region: 'us-east-1',
        resource: 'p-examplescp1',
        action: 'alert only',
        outcome: 'alerted',
        eventId: 'a7b2c3d4-1a2b-4cd3-e4f5-a7b2c3d4e5f6',
        eventName: 'DetachPolicy',
        eventTime: '2026-11-26T10:50:00Z',
      },
    },
  },
  {
    title: 'denied-attempts — a call the SCPs denied',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'denied-attempts',
        severity: 'medium',
        mode: 'alert',
        summary: `${DEV} tried CreateInternetGateway in 482913570264/eu-west-1 and was denied (AccessDenied by an SCP)`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        action: 'alert only (the call was denied; nothing to remediate)',
        outcome: 'alerted',
        eventId: '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d',
        eventName: 'CreateInternetGateway',
        eventTime: '2026-11-26T10:50:03Z',
      },
    },
  },
  {
    title: 'prod-ingress-outside-bastion — SSH to production from outside the bastion',
    notification: {
      kind: 'finding',
      finding: {
        rule: 'prod-ingress-outside-bastion',
        severity: 'high',
        mode: 'remediate',
        summary: `${DEV} opened sg-0a9b8c7d6e5f40312 to 10.80.0.0/12 on tcp/22 in 482913570264/eu-west-1`,
        actor: DEV,
        ...ACCOUNT,
        region: 'eu-west-1',
        resource: 'sg-0a9b8c7d6e5f40312',
        resourceType: 'AWS::EC2::SecurityGroup',
        action: 'revoked sgr-0a1b2c3d4e5f60789',
        outcome: 'remediated',
        eventId: '6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
        eventName: 'AuthorizeSecurityGroupIngress',
        eventTime: '2026-11-26T10:14:02Z',
      },
    },
  },
  {
    title: 'Account request rejected — a malformed Account Request on the bus',
    notification: {
      kind: 'request-rejected',
      rejection: {
        requestId: 'req-payments-prod-0002',
        name: 'payments-prod',
        email: 'aws-payments-prod@acme',
        sourceAccount: '100000000001',
        requestEventId: '7e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6',
        requestTime: '2026-11-26T09:28:41Z',
        issues: [
          { path: 'email', message: 'must be an email address' },
          { path: 'ou', message: 'must be an OU path like Workloads/Prod' },
          { path: 'environment', message: 'must be one of prod, staging, dev, sandbox' },
          { path: '', message: 'Unrecognized key: "team"' },
        ],
      },
    },
  },
  {
    title: 'Approval needed — a request for an approval-required OU',
    notification: {
      kind: 'approval-requested',
      approval: {
        requestId: 'req-payments-prod-0001',
        accountName: 'payments-prod',
        email: 'aws-payments-prod@acme.example',
        ou: 'Workloads/Prod',
        owner: 'team-payments',
        environment: 'prod',
        costCenter: 'CC-1042',
        executionArn:
          'arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:req-payments-prod-0001',
        attempt: 0,
        requestedAt: '2026-11-26T09:30:05Z',
        expiresAt: '2026-11-29T09:30:05Z',
        approveCommand: 'npx vendguard approve req-payments-prod-0001',
        rejectCommand: 'npx vendguard reject req-payments-prod-0001 --reason "<why>"',
      },
    },
  },
  {
    title: 'Account vended',
    notification: {
      kind: 'vended',
      vended: {
        requestId: 'req-5f3a9c0e1b7d4a26',
        accountId: '482913570264',
        accountName: 'payments-dev',
        email: 'aws-payments-dev@acme.example',
        ou: 'Workloads/Dev',
        ouId: 'ou-ab12-cd34ef56',
        owner: 'team-payments',
        costCenter: 'CC-1042',
        environment: 'dev',
        baselines: ['vendguard-baseline-security', 'vendguard-baseline-network'],
        scps: ['vendguard-deny-internet-gateway', 'vendguard-region-restriction', 'vendguard-protect-security'],
        regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
        executionArn: 'arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:req-5f3a9c0e1b7d4a26',
        startedAt: '2026-11-26T09:50:00Z',
        durationSeconds: 432,
      },
    },
  },
  {
    title: 'Account vending failed',
    notification: {
      kind: 'vending-failed',
      failure: {
        requestId: 'req-5f3a9c0e1b7d4a26',
        accountName: 'payments-dev',
        accountId: '482913570264',
        ou: 'Workloads/Dev',
        owner: 'team-payments',
        failedStep: 'DeployBaseline',
        error: 'StackSetOperationFailedError',
        cause:
          'Stack set vendguard-baseline-network failed in 482913570264/eu-west-1: OperationInProgressException: Another Operation on StackSet arn:aws:cloudformation:eu-west-1:100000000001:stackset/vendguard-baseline-network is in progress',
        region: 'eu-west-1',
        stackSet: 'vendguard-baseline-network',
        executionArn: 'arn:aws:states:eu-west-1:100000000001:execution:vendguard-account-vending:req-5f3a9c0e1b7d4a26',
        redriveCommand: 'vendguard replay req-5f3a9c0e1b7d4a26 --mode redrive --wait',
      },
    },
  },
];

/** The `index`-th example of a kind (tests); throws when there is none. */
export function exampleOf<K extends Notification['kind']>(kind: K, index = 0): Extract<Notification, { kind: K }> {
  const found = SLACK_EXAMPLES.filter((e) => e.notification.kind === kind)[index];
  if (!found) throw new Error(`no example ${index} of kind ${kind}`);
  return found.notification as Extract<Notification, { kind: K }>;
}
