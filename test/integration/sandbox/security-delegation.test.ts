/**
 * GuardDuty and Security Hub delegated to the security-tooling account, as vendguard sets them up:
 * the management account designates the administrator, the administrator turns on auto-enable, and an
 * account that joins the organization afterwards is enabled and made a member. Every refusal AWS
 * gives on the way is checked with its code, status and message.
 */
import {
  BadRequestException,
  CreateDetectorCommand,
  CreateMembersCommand,
  DeleteDetectorCommand,
  DescribeOrganizationConfigurationCommand,
  DisableOrganizationAdminAccountCommand,
  EnableOrganizationAdminAccountCommand,
  GetDetectorCommand,
  AccessDeniedException as GuardDutyAccessDenied,
  GuardDutyClient,
  ListDetectorsCommand,
  ListMembersCommand,
  ListOrganizationAdminAccountsCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AccessDeniedException,
  DescribeHubCommand,
  DescribeOrganizationConfigurationCommand as DescribeHubOrganizationConfigurationCommand,
  EnableOrganizationAdminAccountCommand as EnableHubAdminCommand,
  EnableSecurityHubCommand,
  InvalidAccessException,
  InvalidInputException,
  ListOrganizationAdminAccountsCommand as ListHubAdminsCommand,
  ListMembersCommand as ListHubMembersCommand,
  ResourceConflictException,
  SecurityHubClient,
  UpdateOrganizationConfigurationCommand as UpdateHubOrganizationConfigurationCommand,
} from '@aws-sdk/client-securityhub';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;
let security: string;
let egress: string;
const REGION = 'eu-west-1';

beforeAll(async () => {
  sb = await startTestSandbox();
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  security = sb.accountId('security-tooling');
  egress = sb.accountId('egress');
}, 30_000);
afterAll(() => sb?.stop());

type AwsError = Error & { name: string; $metadata?: { httpStatusCode?: number } };

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<AwsError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as AwsError,
  );
  if (!outcome) throw new Error('the call succeeded');
  return outcome;
}

const guardDuty = (accountId?: string) =>
  sb.client(GuardDutyClient, { region: REGION, ...(accountId ? { accountId } : {}) });
const securityHub = (accountId?: string) =>
  sb.client(SecurityHubClient, { region: REGION, ...(accountId ? { accountId } : {}) });

async function trusted(): Promise<string[]> {
  const out = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
  return (out.EnabledServicePrincipals ?? []).map((s) => s.ServicePrincipal as string);
}

async function delegated(servicePrincipal: string): Promise<string[]> {
  const out = await org.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: servicePrincipal }));
  return (out.DelegatedAdministrators ?? []).map((a) => a.Id as string);
}

/** A role in the management account that may call only `actions` (its session is not bound by SCPs). */
async function managementRole(name: string, actions: string[]): Promise<string> {
  const iam = sb.client(IAMClient, { region: 'us-east-1' });
  const management = sb.accountId('management');
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${management}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
      }),
    }),
  );
  return management;
}

describe('GuardDuty: the delegated administrator', () => {
  it('refuses a member account designating one (BadRequestException 400, no organization permission)', async () => {
    const error = await failure(
      guardDuty(egress).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: security })),
    );
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'The request failed because you do not have required AWS Organization master permission.',
    );
    const list = await failure(guardDuty(egress).send(new ListOrganizationAdminAccountsCommand({})));
    expect(list).toBeInstanceOf(BadRequestException);
  });

  it('refuses a management principal that may not enable trusted access, and changes nothing', async () => {
    const management = await managementRole('GuardDutyOnly', ['guardduty:*']);
    const client = sb.client(GuardDutyClient, { region: REGION, accountId: management, role: 'GuardDutyOnly' });
    const error = await failure(client.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: security })));
    expect(error).toBeInstanceOf(BadRequestException);
    expect(await trusted()).not.toContain('guardduty.amazonaws.com');
    expect(await delegated('guardduty.amazonaws.com')).toEqual([]);
  });

  it('refuses an account outside the organization as an invalid value', async () => {
    const error = await failure(
      guardDuty().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: '999999999999' })),
    );
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toBe(
      'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
    );
  });

  it('designates security-tooling: trusted access enabled, registered in Organizations, GuardDuty enabled in it', async () => {
    expect(await trusted()).not.toContain('guardduty.amazonaws.com');
    await guardDuty().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: security }));
    expect(await trusted()).toContain('guardduty.amazonaws.com');
    expect(await delegated('guardduty.amazonaws.com')).toEqual([security]);
    const admins = await guardDuty().send(new ListOrganizationAdminAccountsCommand({}));
    expect(admins.AdminAccounts).toEqual([{ AdminAccountId: security, AdminStatus: 'ENABLED' }]);
    // another Region has no administrator yet
    const elsewhere = await sb
      .client(GuardDutyClient, { region: 'eu-central-1' })
      .send(new ListOrganizationAdminAccountsCommand({}));
    expect(elsewhere.AdminAccounts).toEqual([]);
    const detectors = await guardDuty(security).send(new ListDetectorsCommand({}));
    expect(detectors.DetectorIds).toHaveLength(1);
    // designating it again is no error; another account is refused while it is the administrator
    await guardDuty().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: security }));
    const other = await failure(
      guardDuty().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: egress })),
    );
    expect(other).toBeInstanceOf(BadRequestException);
    const refused = sb.runtime.recentTrail.findLast((e) => e.detail.eventName === 'EnableOrganizationAdminAccount');
    expect(refused?.detail).toMatchObject({
      errorCode: 'BadRequestException',
      requestParameters: { adminAccountId: egress },
    });
    const event = sb.runtime.recentTrail.findLast(
      (e) => e.detail.eventName === 'EnableOrganizationAdminAccount' && e.detail.errorCode === undefined,
    );
    expect(event).toMatchObject({
      source: 'aws.guardduty',
      detail: { eventSource: 'guardduty.amazonaws.com', requestParameters: { adminAccountId: security } },
    });
  });
});

describe('GuardDuty: detectors', () => {
  it('makes one detector per account and Region and refuses a second', async () => {
    const created = await guardDuty(egress).send(new CreateDetectorCommand({ Enable: true }));
    expect(created.DetectorId).toMatch(/^[a-f0-9]{32}$/);
    const detector = await guardDuty(egress).send(new GetDetectorCommand({ DetectorId: created.DetectorId }));
    expect(detector).toMatchObject({
      Status: 'ENABLED',
      FindingPublishingFrequency: 'SIX_HOURS',
      ServiceRole: `arn:aws:iam::${egress}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
    });
    const again = await failure(guardDuty(egress).send(new CreateDetectorCommand({ Enable: true })));
    expect(again).toBeInstanceOf(BadRequestException);
    expect(again.message).toBe('The request is rejected because a detector already exists for the current account.');
  });

  it("answers another account's detector id as not owned, and a malformed one as invalid", async () => {
    const [theirs] = (await guardDuty(security).send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    const error = await failure(guardDuty(egress).send(new GetDetectorCommand({ DetectorId: theirs })));
    expect(error.message).toBe(
      'The request is rejected because the input detectorId is not owned by the current account.',
    );
    const malformed = await failure(guardDuty(egress).send(new GetDetectorCommand({ DetectorId: 'not-an-id' })));
    expect(malformed.message).toBe('The request is rejected because the parameter detectorId has an invalid value.');
  });

  it('lets the protect-security SCP deny DeleteDetector in a member account (AccessDeniedException 403, recorded)', async () => {
    const [id] = (await guardDuty(egress).send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    const error = await failure(guardDuty(egress).send(new DeleteDetectorCommand({ DetectorId: id })));
    expect(error).toBeInstanceOf(GuardDutyAccessDenied);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toContain('with an explicit deny in a service control policy');
    const event = sb.runtime.recentTrail.findLast(
      (e) => e.detail.eventName === 'DeleteDetector' && e.detail.errorCode === 'AccessDeniedException',
    );
    expect(event?.account).toBe(egress);
  });
});

describe('GuardDuty: organization configuration and auto-enable', () => {
  const adminDetector = async () => (await guardDuty(security).send(new ListDetectorsCommand({}))).DetectorIds?.[0];

  it('refuses the configuration to an account that is not the administrator', async () => {
    const [id] = (await guardDuty(egress).send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    const error = await failure(
      guardDuty(egress).send(
        new UpdateOrganizationConfigurationCommand({ DetectorId: id, AutoEnableOrganizationMembers: 'NEW' }),
      ),
    );
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toBe(
      'The request failed because you do not have required AWS Organization master permission.',
    );
  });

  it('starts with NONE and takes NEW (legacy AutoEnable reads true)', async () => {
    const DetectorId = await adminDetector();
    const before = await guardDuty(security).send(new DescribeOrganizationConfigurationCommand({ DetectorId }));
    expect(before).toMatchObject({
      AutoEnable: false,
      AutoEnableOrganizationMembers: 'NONE',
      MemberAccountLimitReached: false,
    });
    await guardDuty(security).send(
      new UpdateOrganizationConfigurationCommand({ DetectorId, AutoEnableOrganizationMembers: 'NEW' }),
    );
    const after = await guardDuty(security).send(new DescribeOrganizationConfigurationCommand({ DetectorId }));
    expect(after).toMatchObject({ AutoEnable: true, AutoEnableOrganizationMembers: 'NEW' });
    // NEW leaves the accounts already in the organization alone
    expect((await guardDuty(security).send(new ListMembersCommand({ DetectorId }))).Members).toEqual([]);
  });

  it('enables GuardDuty in an account the organization creates afterwards and makes it a member', async () => {
    const joined = await createAccountIn(sb, 'gd-new-workload');
    const DetectorId = await adminDetector();
    const members = (await guardDuty(security).send(new ListMembersCommand({ DetectorId }))).Members ?? [];
    expect(members.map((m) => [m.AccountId, m.RelationshipStatus, m.AdministratorId])).toEqual([
      [joined, 'Enabled', security],
    ]);
    const theirs = await guardDuty(joined).send(new ListDetectorsCommand({}));
    expect(theirs.DetectorIds).toHaveLength(1);
    expect(members[0]?.DetectorId).toBe(theirs.DetectorIds?.[0]);
    // only in the administrator's Region
    const elsewhere = await sb
      .client(GuardDutyClient, { region: 'eu-central-1', accountId: joined })
      .send(new ListDetectorsCommand({}));
    expect(elsewhere.DetectorIds).toEqual([]);
  });

  it('ALL enables the accounts already in the organization too', async () => {
    const DetectorId = await adminDetector();
    await guardDuty(security).send(
      new UpdateOrganizationConfigurationCommand({ DetectorId, AutoEnableOrganizationMembers: 'ALL' }),
    );
    const members = (await guardDuty(security).send(new ListMembersCommand({ DetectorId }))).Members ?? [];
    const ids = members.map((m) => m.AccountId);
    expect(ids).toContain(egress);
    expect(ids).toContain(sb.accountId('management'));
    expect(ids).not.toContain(security);
  });

  it('refuses to delete a detector that has members (the management account, which no SCP binds)', async () => {
    const DetectorId = (await guardDuty().send(new ListDetectorsCommand({}))).DetectorIds?.[0];
    // an account outside the organization becomes a member by invitation, `Created`
    const out = await guardDuty().send(
      new CreateMembersCommand({
        DetectorId,
        AccountDetails: [{ AccountId: '999999999999', Email: 'x@other.example' }],
      }),
    );
    expect(out.UnprocessedAccounts).toEqual([]);
    expect((await guardDuty().send(new ListMembersCommand({ DetectorId }))).Members).toEqual([]);
    const all = await guardDuty().send(new ListMembersCommand({ DetectorId, OnlyAssociated: 'false' }));
    expect(all.Members?.map((m) => [m.AccountId, m.RelationshipStatus])).toEqual([['999999999999', 'Created']]);
    const error = await failure(guardDuty().send(new DeleteDetectorCommand({ DetectorId })));
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toBe(
      'The request is rejected because the current account cannot delete detector while it has invited or associated members.',
    );
  });

  it('CreateMembers reports the administrator itself as an account it could not add', async () => {
    const DetectorId = await adminDetector();
    const out = await guardDuty(security).send(
      new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: security, Email: 'self@acme.example' }] }),
    );
    expect(out.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([security]);
  });

  it('removes the administrator: the members are released and Organizations no longer lists it', async () => {
    const other = await failure(
      guardDuty().send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: egress })),
    );
    expect(other).toBeInstanceOf(BadRequestException);
    await guardDuty().send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: security }));
    expect((await guardDuty().send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([]);
    expect(await delegated('guardduty.amazonaws.com')).toEqual([]);
    const DetectorId = await adminDetector();
    expect((await guardDuty(security).send(new ListMembersCommand({ DetectorId }))).Members).toEqual([]);
    // the members keep GuardDuty
    expect((await guardDuty(egress).send(new ListDetectorsCommand({}))).DetectorIds).toHaveLength(1);
  });
});

describe('Security Hub', () => {
  it('answers DescribeHub in an account without Security Hub with InvalidAccessException 401', async () => {
    const error = await failure(securityHub(security).send(new DescribeHubCommand({})));
    expect(error).toBeInstanceOf(InvalidAccessException);
    expect(error.$metadata?.httpStatusCode).toBe(401);
    expect(error.message).toBe(`Account ${security} is not subscribed to AWS Security Hub`);
  });

  it('enables the hub once (ResourceConflictException 409 the second time)', async () => {
    await securityHub(security).send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    const hub = await securityHub(security).send(new DescribeHubCommand({}));
    expect(hub.HubArn).toBe(`arn:aws:securityhub:${REGION}:${security}:hub/default`);
    expect(new Date(hub.SubscribedAt as string).getTime()).not.toBeNaN();
    const again = await failure(securityHub(security).send(new EnableSecurityHubCommand({})));
    expect(again).toBeInstanceOf(ResourceConflictException);
    expect(again.$metadata?.httpStatusCode).toBe(409);
    expect(again.message).toBe('Account is already subscribed to Security Hub');
  });

  it('refuses a member account designating the administrator (AccessDeniedException)', async () => {
    const error = await failure(securityHub(egress).send(new EnableHubAdminCommand({ AdminAccountId: security })));
    expect(error).toBeInstanceOf(AccessDeniedException);
    const list = await failure(securityHub(egress).send(new ListHubAdminsCommand({})));
    expect(list).toBeInstanceOf(AccessDeniedException);
  });

  it('refuses to designate one before trusted access is enabled, then designates security-tooling', async () => {
    expect(await trusted()).not.toContain('securityhub.amazonaws.com');
    const error = await failure(securityHub().send(new EnableHubAdminCommand({ AdminAccountId: security })));
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toContain('before you enabled service access');
    expect(await delegated('securityhub.amazonaws.com')).toEqual([]);

    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'securityhub.amazonaws.com' }));
    const out = await securityHub().send(new EnableHubAdminCommand({ AdminAccountId: security }));
    expect(out).toMatchObject({ AdminAccountId: security, Feature: 'SecurityHub' });
    expect(await delegated('securityhub.amazonaws.com')).toEqual([security]);
    const admins = await securityHub().send(new ListHubAdminsCommand({}));
    expect(admins.AdminAccounts).toEqual([{ AccountId: security, Status: 'ENABLED' }]);
    const other = await failure(securityHub().send(new EnableHubAdminCommand({ AdminAccountId: egress })));
    expect(other).toBeInstanceOf(InvalidInputException);
  });

  it('refuses the organization configuration to an account that is not the administrator', async () => {
    await securityHub(egress).send(new EnableSecurityHubCommand({}));
    const error = await failure(
      securityHub(egress).send(new UpdateHubOrganizationConfigurationCommand({ AutoEnable: true })),
    );
    expect(error).toBeInstanceOf(InvalidAccessException);
    expect(error.message).toBe(`Account ${egress} is not an administrator for this organization`);
  });

  it('refuses an AutoEnableStandards value outside NONE and DEFAULT', async () => {
    const error = await failure(
      securityHub(security).send(
        new UpdateHubOrganizationConfigurationCommand({
          AutoEnable: true,
          AutoEnableStandards: 'SOME' as unknown as 'NONE',
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('auto-enables Security Hub in an account that joins the organization and makes it a member', async () => {
    await securityHub(security).send(
      new UpdateHubOrganizationConfigurationCommand({ AutoEnable: true, AutoEnableStandards: 'NONE' }),
    );
    const config = await securityHub(security).send(new DescribeHubOrganizationConfigurationCommand({}));
    expect(config).toMatchObject({ AutoEnable: true, AutoEnableStandards: 'NONE', MemberAccountLimitReached: false });
    // egress, already in the organization, is not a member
    expect((await securityHub(security).send(new ListHubMembersCommand({}))).Members).toEqual([]);

    const joined = await createAccountIn(sb, 'hub-new-workload');
    const hub = await securityHub(joined).send(new DescribeHubCommand({}));
    expect(hub.HubArn).toBe(`arn:aws:securityhub:${REGION}:${joined}:hub/default`);
    const members = (await securityHub(security).send(new ListHubMembersCommand({}))).Members ?? [];
    expect(members.map((m) => [m.AccountId, m.MemberStatus, m.AdministratorId])).toEqual([
      [joined, 'Enabled', security],
    ]);
    expect(members[0]?.UpdatedAt).toBeInstanceOf(Date);
  });
});
