/**
 * The sandbox authorizes every call as AWS does: identity policies of the caller's role, trust
 * policies on AssumeRole, SCPs along the account's OU path (never for the management account), the
 * Organizations API reserved to the management account, and `aws.*` sources refused on PutEvents.
 * Each denial carries the service's own error and is recorded in CloudTrail (LookupEvents).
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateInternetGatewayCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListPoliciesCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let service: string;
let org: OrganizationsClient;

const errorOf = (
  p: Promise<unknown>,
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> =>
  p.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );

/** An account created by CreateAccount and moved into an OU, as vending leaves it. */
const accountIn = (name: string, ouPath: string): Promise<string> => createAccountIn(sb, name, ouPath);

beforeAll(async () => {
  sb = await startTestSandbox();
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  service = await accountIn('orders-dev', 'Workloads/Dev');
}, 30_000);
afterAll(() => sb.stop());

const developerEc2 = (accountId: string) =>
  sb.client(EC2Client, { accountId, role: 'Developer', session: 'jane', region: 'eu-west-1' });

describe('SCPs along the OU path', () => {
  it('denies an Internet Gateway to a developer of a Workloads account with UnauthorizedOperation', async () => {
    const err = await errorOf(developerEc2(service).send(new CreateInternetGatewayCommand({})));
    expect(err.name).toBe('UnauthorizedOperation');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toContain(
      `User: arn:aws:sts::${service}:assumed-role/Developer/jane is not authorized to perform: ec2:CreateInternetGateway`,
    );
    expect(err.message).toContain('with an explicit deny in a service control policy');
  });

  it('still lets the developer do what no SCP denies', async () => {
    const out = await developerEc2(service).send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    expect(out.Vpc?.VpcId).toMatch(/^vpc-/);
  });

  it('records the denied call in CloudTrail with errorCode Client.UnauthorizedOperation (LookupEvents)', async () => {
    const cloudtrail = sb.client(CloudTrailClient, { accountId: service, role: 'Developer', region: 'eu-west-1' });
    const out = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateInternetGateway' }],
      }),
    );
    const record = JSON.parse(out.Events?.[0]?.CloudTrailEvent ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      eventName: 'CreateInternetGateway',
      errorCode: 'Client.UnauthorizedOperation',
      recipientAccountId: service,
      userIdentity: { arn: `arn:aws:sts::${service}:assumed-role/Developer/jane` },
    });
    expect(String(record.errorMessage)).toContain('explicit deny in a service control policy');
  });

  it('allows the same call once the SCP is detached, and denies it again when it is attached', async () => {
    const policies = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const denyIgw = policies.Policies?.find((p) => p.Name === 'vendguard-deny-internet-gateway')?.Id as string;
    const workloads = sb.runtime.organizations.ouIdByPath('Workloads') as string;
    await org.send(new DetachPolicyCommand({ PolicyId: denyIgw, TargetId: workloads }));
    try {
      const out = await developerEc2(service).send(new CreateInternetGatewayCommand({}));
      expect(out.InternetGateway?.InternetGatewayId).toMatch(/^igw-/);
    } finally {
      await org.send(new AttachPolicyCommand({ PolicyId: denyIgw, TargetId: workloads }));
    }
    expect((await errorOf(developerEc2(service).send(new CreateInternetGatewayCommand({})))).name).toBe(
      'UnauthorizedOperation',
    );
  });

  it('denies everything under an OU whose only SCP has no Allow (every level must allow)', async () => {
    const denyOnly = await org.send(
      new CreatePolicyCommand({
        Name: 'deny-only',
        Description: 'no allow at this level',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'cloudtrail:DeleteTrail', Resource: '*' }],
        }),
      }),
    );
    const sandboxOu = sb.runtime.organizations.ouIdByPath('Sandbox') as string;
    const lab = await accountIn('lab-one', 'Sandbox');
    const policyId = denyOnly.Policy?.PolicySummary?.Id as string;
    await org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: lab }));
    const full = 'p-FullAWSAccess';
    await org.send(new DetachPolicyCommand({ PolicyId: full, TargetId: lab }));
    const err = await errorOf(developerEc2(lab).send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' })));
    expect(err.name).toBe('UnauthorizedOperation');
    expect(err.message).toContain('because no service control policy allows the ec2:CreateVpc action');
    await org.send(new AttachPolicyCommand({ PolicyId: full, TargetId: lab }));
    expect((await developerEc2(lab).send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc).toBeDefined();
    expect(sandboxOu).toMatch(/^ou-/);
  });

  it('never binds the management account: its admin creates an Internet Gateway', async () => {
    const out = await sb.client(EC2Client).send(new CreateInternetGatewayCommand({}));
    expect(out.InternetGateway?.InternetGatewayId).toMatch(/^igw-/);
  });
});

describe('identity policies', () => {
  it('keeps IAM from a developer (PowerUserAccess) with AccessDenied naming the missing identity policy', async () => {
    const iam = sb.client(IAMClient, { accountId: service, role: 'Developer', region: 'us-east-1' });
    const err = await errorOf(
      iam.send(new CreateRoleCommand({ RoleName: 'escalate', AssumeRolePolicyDocument: '{}' })),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: arn:aws:sts::${service}:assumed-role/Developer/test is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${service}:role/escalate because no identity-based policy allows the iam:CreateRole action`,
    );
  });

  it('gives each function only what the deployed hub stack grants its role: vend-announce cannot create an account', async () => {
    // the session Lambda gives the function's execution role (the deployed stack's `vendguard-vend-announce`)
    const creds = sb.credentials({
      accountId: sb.runtime.managementAccountId,
      role: 'vendguard-vend-announce',
      session: 'vendguard-vend-announce',
    });
    const asFunction = new OrganizationsClient({
      endpoint: sb.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: creds,
    });
    const err = await errorOf(asFunction.send(new CreateAccountCommand({ AccountName: 'x', Email: 'x@acme.example' })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('assumed-role/vendguard-vend-announce/vendguard-vend-announce');
    expect(err.message).toContain('because no identity-based policy allows the organizations:CreateAccount action');
  });

  it('refuses a malformed inline policy with MalformedPolicyDocument and stores nothing', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'auditor',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const err = await errorOf(
      iam.send(
        new PutRolePolicyCommand({
          RoleName: 'auditor',
          PolicyName: 'broken',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'Bad', Effect: 'Permit', Action: 'ec2:DescribeVpcs', Resource: '*' }],
          }),
        }),
      ),
    );
    // the wire code is MalformedPolicyDocument; the SDK names its class MalformedPolicyDocumentException
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect((err as unknown as { Error?: { Code?: string } }).Error?.Code ?? 'MalformedPolicyDocument').toBe(
      'MalformedPolicyDocument',
    );
    expect(err.message).toContain('Bad');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'auditor' }))).PolicyNames).toEqual([]);
  });
});

describe('trust policies on AssumeRole', () => {
  it('lets the management account assume OrganizationAccountAccessRole in a member account', async () => {
    const out = await sb.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${service}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'platform',
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${service}:assumed-role/OrganizationAccountAccessRole/platform`,
    );
  });

  it("refuses a member's developer the OrganizationAccountAccessRole of another account", async () => {
    const egress = sb.accountId('egress');
    const sts = sb.client(STSClient, { accountId: service, role: 'Developer' });
    const err = await errorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${egress}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'sideways',
        }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain('is not authorized to perform: sts:AssumeRole on resource');
  });

  it('refuses a role that does not exist with AccessDenied, as AWS does', async () => {
    const err = await errorOf(
      sb
        .client(STSClient)
        .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${service}:role/NoSuchRole`, RoleSessionName: 'x1' })),
    );
    expect(err.name).toBe('AccessDenied');
  });

  it('expires the session on the sandbox clock: ExpiredToken after DurationSeconds', async () => {
    const out = await sb.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${service}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'short',
        DurationSeconds: 900,
      }),
    );
    const config = {
      endpoint: sb.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: out.Credentials?.AccessKeyId as string,
        secretAccessKey: out.Credentials?.SecretAccessKey as string,
        sessionToken: out.Credentials?.SessionToken as string,
      },
    };
    await expect(new STSClient(config).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    sb.runtime.clock.advance(901_000);
    expect((await errorOf(new STSClient(config).send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
    expect((await errorOf(new OrganizationsClient(config).send(new DescribeOrganizationCommand({})))).name).toBe(
      'ExpiredTokenException',
    );
  });
});

describe('Organizations belongs to the management account', () => {
  it('answers a member account AccessDeniedException for organization-wide calls', async () => {
    const asMember = sb.client(OrganizationsClient, { accountId: service, region: 'us-east-1' });
    for (const call of [
      asMember.send(new ListAccountsCommand({})),
      asMember.send(new CreateAccountCommand({ AccountName: 'prod-me', Email: 'prod-me@acme.example' })),
      asMember.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' })),
    ]) {
      const err = await errorOf(call);
      expect(err.name).toBe('AccessDeniedException');
      expect(err.message).toBe("You don't have permissions to access this resource.");
    }
    // what every member may ask about its own organization
    expect((await asMember.send(new DescribeOrganizationCommand({}))).Organization?.Id).toMatch(/^o-/);
  });

  it('lets a registered delegated administrator read the organization, and nothing more', async () => {
    const security = sb.accountId('security-tooling');
    // AWS refuses a delegated administrator for a service without trusted access
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'securityhub.amazonaws.com' }));
    await org.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: security, ServicePrincipal: 'securityhub.amazonaws.com' }),
    );
    const asDelegate = sb.client(OrganizationsClient, { accountId: security, region: 'us-east-1' });
    expect((await asDelegate.send(new ListAccountsCommand({}))).Accounts?.length).toBeGreaterThan(5);
    expect(
      (
        await errorOf(
          asDelegate.send(new CreateAccountCommand({ AccountName: 'sneaky', Email: 'sneaky@acme.example' })),
        )
      ).name,
    ).toBe('AccessDeniedException');
  });
});

describe('event sources', () => {
  it('refuses an aws.* source on PutEvents with NotAuthorizedForSourceException', async () => {
    const events = sb.client(EventBridgeClient);
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.ec2', DetailType: 'AWS API Call via CloudTrail', Detail: '{}', EventBusName: 'vendguard' },
          { Source: 'acme.test', DetailType: 'Test', Detail: '{}', EventBusName: 'vendguard' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]).toMatchObject({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
    expect(out.Entries?.[1]?.EventId).toBeDefined();
  });
});

describe('malformed SCPs', () => {
  it('refuses an SCP with a Principal with MalformedPolicyDocumentException naming the statement', async () => {
    const before = (await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies?.length;
    const err = await errorOf(
      org.send(
        new CreatePolicyCommand({
          Name: 'bad-scp',
          Description: 'x',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'WithPrincipal', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }],
          }),
        }),
      ),
    );
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(err.message).toContain('WithPrincipal');
    expect((await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies?.length).toBe(
      before,
    );
  });
});
