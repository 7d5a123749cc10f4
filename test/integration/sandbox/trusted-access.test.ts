/**
 * Trusted access and delegated administrators as AWS Organizations models them: seeded from the
 * config (vendguard's services, `organization.trustedServices`, `organization.delegatedAdministrators`),
 * changed only by the management account, and a prerequisite of registering a delegated administrator.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AccessDeniedException,
  ConstraintViolationException,
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  InvalidInputException,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { loadOrganizationConfig } from '../../../config/load';
import { VENDGUARD_TRUSTED_SERVICES } from '../../../config/organization-services';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;

beforeAll(async () => {
  const loaded = loadOrganizationConfig();
  sb = await startTestSandbox({
    loaded: {
      ...loaded,
      config: {
        ...loaded.config,
        organization: {
          ...loaded.config.organization,
          trustedServices: ['securityhub.amazonaws.com'],
          delegatedAdministrators: [
            { account: 'security-tooling', servicePrincipal: 'securityhub.amazonaws.com' },
            { account: 'security-tooling', servicePrincipal: 'guardduty.amazonaws.com' },
          ],
        },
      },
    },
  });
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
}, 30_000);
afterAll(() => sb?.stop());

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error & { name: string; Reason?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { name: string; Reason?: string },
  );
  if (!outcome) throw new Error('the call succeeded');
  return outcome;
}

async function trusted(client = org): Promise<string[]> {
  const out = await client.send(new ListAWSServiceAccessForOrganizationCommand({}));
  return (out.EnabledServicePrincipals ?? []).map((s) => s.ServicePrincipal as string);
}

describe('the seeded organization', () => {
  it("trusts vendguard's services, the configured ones, each delegated administrator's and RAM's, listed by principal", async () => {
    // RAM: the network account's transit gateway is shared with the organization's OUs (sharing with
    // the organization enabled, as EnableSharingWithAwsOrganization leaves it)
    const expected = [
      ...VENDGUARD_TRUSTED_SERVICES,
      'securityhub.amazonaws.com',
      'guardduty.amazonaws.com',
      'ram.amazonaws.com',
    ].sort();
    expect(await trusted()).toEqual(expected);
    const out = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
    for (const s of out.EnabledServicePrincipals ?? []) expect(s.DateEnabled).toBeInstanceOf(Date);
  });

  it('registers the configured delegated administrators by account name', async () => {
    const security = sb.accountId('security-tooling');
    const admins = await org.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'guardduty.amazonaws.com' }),
    );
    expect(admins.DelegatedAdministrators?.map((a) => [a.Id, a.Name])).toEqual([[security, 'security-tooling']]);
    const services = await org.send(new ListDelegatedServicesForAccountCommand({ AccountId: security }));
    expect(services.DelegatedServices?.map((s) => s.ServicePrincipal).sort()).toEqual([
      'guardduty.amazonaws.com',
      'securityhub.amazonaws.com',
    ]);
  });

  it('has all features enabled', async () => {
    expect((await org.send(new DescribeOrganizationCommand({}))).Organization?.FeatureSet).toBe('ALL');
  });
});

describe('EnableAWSServiceAccess and DisableAWSServiceAccess', () => {
  it('enables a service once (enabling it again keeps its date) and disables it (twice is no error)', async () => {
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
    const dateOf = async () =>
      (await org.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals?.find(
        (s) => s.ServicePrincipal === 'config.amazonaws.com',
      )?.DateEnabled;
    const first = await dateOf();
    expect(first).toBeInstanceOf(Date);
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
    expect(await dateOf()).toEqual(first);

    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
    expect(await trusted()).not.toContain('config.amazonaws.com');
    const event = sb.runtime.recentTrail.findLast((e) => e.detail.eventName === 'DisableAWSServiceAccess');
    expect(event).toMatchObject({
      source: 'aws.organizations',
      region: 'us-east-1',
      detail: { requestParameters: { servicePrincipal: 'config.amazonaws.com' } },
    });
    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
  });

  it('refuses a principal of no integrated service with InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL', async () => {
    const error = await failure(
      org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'lambda.amazonaws.com' })),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toBe('UNRECOGNIZED_SERVICE_PRINCIPAL');
    expect(error.message).toBe('You specified an unrecognized service principal.');
    const disable = await failure(
      org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'not-a-service.amazonaws.com' })),
    );
    expect(disable.Reason).toBe('UNRECOGNIZED_SERVICE_PRINCIPAL');
  });

  it('refuses a malformed principal with InvalidInputException INVALID_PATTERN', async () => {
    const error = await failure(org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'guard duty!' })));
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toBe('INVALID_PATTERN');
  });

  it('pages the list with NextToken and refuses MaxResults over 20', async () => {
    const all = await trusted();
    const first = await org.send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 2 }));
    expect(first.EnabledServicePrincipals).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const rest = await org.send(
      new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 20, NextToken: first.NextToken }),
    );
    expect(rest.NextToken).toBeUndefined();
    expect(
      [...(first.EnabledServicePrincipals ?? []), ...(rest.EnabledServicePrincipals ?? [])].map(
        (s) => s.ServicePrincipal,
      ),
    ).toEqual(all);
    const error = await failure(org.send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 21 })));
    expect(error).toBeInstanceOf(InvalidInputException);
  });

  it('is judged against organizations:ServicePrincipal in identity policies', async () => {
    const mgmt = sb.accountId('management');
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'trust-config-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'trust-config-only',
        PolicyName: 'enable-config',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'organizations:EnableAWSServiceAccess',
              Resource: '*',
              Condition: { StringEquals: { 'organizations:ServicePrincipal': 'config.amazonaws.com' } },
            },
          ],
        }),
      }),
    );
    const limited = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: mgmt, role: 'trust-config-only' });
    await limited.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
    const denied = await failure(
      limited.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'macie.amazonaws.com' })),
    );
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toContain('organizations:EnableAWSServiceAccess');
    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' }));
  });
});

describe('member accounts', () => {
  it('answers a member account AccessDeniedException, even for the list', async () => {
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: sb.accountId('egress') });
    for (const call of [
      member.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' })),
      member.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' })),
      member.send(new ListAWSServiceAccessForOrganizationCommand({})),
    ]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(AccessDeniedException);
      expect(error.message).toBe("You don't have permissions to access this resource.");
    }
    expect(await trusted()).toContain('cloudtrail.amazonaws.com');
  });

  it('lets a delegated administrator list trusted access but not change it', async () => {
    const delegate = sb.client(OrganizationsClient, {
      region: 'us-east-1',
      accountId: sb.accountId('security-tooling'),
    });
    expect(await trusted(delegate)).toEqual(await trusted());
    const error = await failure(
      delegate.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config.amazonaws.com' })),
    );
    expect(error).toBeInstanceOf(AccessDeniedException);
  });
});

describe('RegisterDelegatedAdministrator', () => {
  it('refuses a service without trusted access with ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED', async () => {
    const network = sb.accountId('network');
    const register = () =>
      org.send(
        new RegisterDelegatedAdministratorCommand({ AccountId: network, ServicePrincipal: 'detective.amazonaws.com' }),
      );
    const error = await failure(register());
    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect(error.Reason).toBe('SERVICE_ACCESS_NOT_ENABLED');

    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'detective.amazonaws.com' }));
    await register();
    const admins = await org.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'detective.amazonaws.com' }),
    );
    expect(admins.DelegatedAdministrators?.map((a) => a.Id)).toEqual([network]);
    const page = await org.send(new ListDelegatedAdministratorsCommand({ MaxResults: 1 }));
    expect(page.DelegatedAdministrators).toHaveLength(1);
    const next = await org.send(new ListDelegatedAdministratorsCommand({ MaxResults: 1, NextToken: page.NextToken }));
    expect(next.DelegatedAdministrators?.map((a) => a.Id)).not.toEqual(page.DelegatedAdministrators?.map((a) => a.Id));
  });

  it('refuses the management account with CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR', async () => {
    const error = await failure(
      org.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: sb.accountId('management'),
          ServicePrincipal: 'guardduty.amazonaws.com',
        }),
      ),
    );
    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect(error.Reason).toBe('CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
  });

  it('refuses an unrecognized service principal with UNRECOGNIZED_SERVICE_PRINCIPAL', async () => {
    const error = await failure(
      org.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: sb.accountId('network'),
          ServicePrincipal: 'lambda.amazonaws.com',
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toBe('UNRECOGNIZED_SERVICE_PRINCIPAL');
  });
});
