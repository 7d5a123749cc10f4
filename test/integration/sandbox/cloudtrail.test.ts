import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailEventSchema } from '../../../functions/shared/schemas/cloudtrail';
import { deploySecurityBaseline, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
  // the remediation role (exempt from the SCPs that protect these settings) comes with the baseline
  await deploySecurityBaseline(sb, sb.accountId('log-archive'));
});
afterAll(() => sb.stop());

const lastEvent = (name: string) => sb.runtime.recentTrail.findLast((e) => e.detail.eventName === name);

describe('CloudTrail events of API calls', () => {
  it('emits a mutating call as AWS shapes it, parsable by the production schema', async () => {
    // Organizations is the management account's: a role session there (the hub's deployer role)
    const network = sb.accountId('management');
    const org = sb.client(OrganizationsClient, {
      region: 'us-east-1',
      accountId: network,
      role: 'vendguard-hub',
      session: 'jane',
    });
    await org.send(
      new CreatePolicyCommand({
        Name: 'trail-test',
        Description: 'd',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
      }),
    );
    const event = lastEvent('CreatePolicy');
    expect(event).toBeDefined();
    expect(CloudTrailEventSchema.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.organizations',
      account: network,
      region: 'us-east-1',
    });
    expect(event?.detail).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      awsRegion: 'us-east-1',
      eventType: 'AwsApiCall',
      readOnly: false,
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: network,
      requestParameters: { name: 'trail-test', type: 'SERVICE_CONTROL_POLICY', description: 'd' },
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${network}:assumed-role/vendguard-hub/jane`,
        accountId: network,
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${network}:role/vendguard-hub`, userName: 'vendguard-hub' },
        },
      },
    });
    expect(
      (event?.detail.responseElements as { policy: { policySummary: { name: string } } } | undefined)?.policy
        .policySummary.name,
    ).toBe('trail-test');
  });

  it("records a session's creationDate as when its credentials were issued, not when the call was made", async () => {
    const network = sb.accountId('network');
    const assumed = await sb.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${network}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'created-earlier',
      }),
    );
    const issuedAt = (assumed.Credentials?.Expiration?.getTime() ?? 0) - 3_600_000;
    sb.runtime.clock.advance(600_000);
    const ec2 = new EC2Client({
      endpoint: sb.endpoint,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId as string,
        secretAccessKey: assumed.Credentials?.SecretAccessKey as string,
        sessionToken: assumed.Credentials?.SessionToken as string,
      },
    });
    await ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }));
    const detail = lastEvent('CreateVpc')?.detail as {
      eventTime: string;
      userIdentity: { sessionContext: { attributes: { creationDate: string } } };
    };
    const created = Date.parse(detail.userIdentity.sessionContext.attributes.creationDate);
    expect(Math.abs(created - issuedAt)).toBeLessThan(2_000);
    expect(Date.parse(detail.eventTime) - created).toBeGreaterThanOrEqual(598_000);
  });

  it('emits failed calls with errorCode and errorMessage, and no responseElements', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    await org.send(new AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: rootId })).catch(() => undefined);
    const event = lastEvent('AttachPolicy');
    expect(event?.detail).toMatchObject({ errorCode: 'DuplicatePolicyAttachmentException', responseElements: null });
    expect(String(event?.detail.errorMessage)).toContain(String(rootId));
  });

  it('emits nothing for read-only calls', async () => {
    const before = sb.runtime.recentTrail.length;
    await sb.client(OrganizationsClient, { region: 'us-east-1' }).send(new ListRootsCommand({}));
    expect(sb.runtime.recentTrail.length).toBe(before);
  });

  it('emits nothing for a call failed by an injected fault, whatever its message', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    const [rule] = sb.runtime.faults.add({
      service: 'organizations',
      operation: 'AttachPolicy',
      error: 'AccessDeniedException',
      message: 'denied by a test fault',
      count: 1,
    });
    const before = sb.runtime.recentTrail.length;
    await expect(
      org.send(new AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: rootId })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'denied by a test fault' });
    expect(rule?.fired).toBe(1);
    expect(sb.runtime.recentTrail.length).toBe(before);
  });

  it('publishes to the sandbox bus when EventBridge is loaded', () => {
    expect(sb.runtime.hasBus).toBe(true);
    const event = lastEvent('CreatePolicy');
    expect(event?.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
