import {
  AccessDeniedException,
  AccountClient,
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
  type PutAlternateContactCommandInput,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-account';
import {
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/**
 * AWS Account Management's alternate contacts through `@aws-sdk/client-account` (REST-JSON,
 * `POST /putAlternateContact` …): the standalone context, a member account's contacts from the
 * management account or a delegated administrator once trusted access is enabled, and each refusal
 * with the live API's code and words; CloudTrail and faults.
 */

let sb: TestSandbox;
let account: AccountClient;
let mgmt: string;
const ADMIN_ARN = 'arn:aws:iam::100000000001:user/sandbox-admin';

beforeAll(async () => {
  sb = await startTestSandbox();
  account = sb.client(AccountClient, { region: 'us-east-1' });
  mgmt = sb.runtime.managementAccountId;
}, 60_000);
afterAll(() => sb.stop());

const rejection = (p: Promise<unknown>): Promise<Error & Record<string, unknown>> =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: Error & Record<string, unknown>) => e,
  );

const security = (extra: Partial<PutAlternateContactCommandInput> = {}): PutAlternateContactCommandInput => ({
  AlternateContactType: 'SECURITY',
  Name: 'Security Team',
  Title: 'CISO',
  EmailAddress: 'security@acme.example',
  PhoneNumber: '+1 (202) 555-0100',
  ...extra,
});

describe('the standalone context (no AccountId)', () => {
  it('puts, reads and deletes the caller account own contact; the address is trimmed', async () => {
    await account.send(new PutAlternateContactCommand(security({ EmailAddress: '  security@acme.example  ' })));
    const got = await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
    expect(got.AlternateContact).toEqual({
      AlternateContactType: 'SECURITY',
      Name: 'Security Team',
      Title: 'CISO',
      EmailAddress: 'security@acme.example',
      PhoneNumber: '+1 (202) 555-0100',
    });
    await account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
    const err = await rejection(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('No contact of the inputted alternate contact type found.');
  });

  it('answers ResourceNotFoundException for a type that is not set, to Get and to Delete', async () => {
    for (const call of [
      new GetAlternateContactCommand({ AlternateContactType: 'BILLING' }),
      new DeleteAlternateContactCommand({ AlternateContactType: 'BILLING' }),
    ]) {
      const err = await rejection(account.send(call as GetAlternateContactCommand));
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
    }
  });

  it('keeps each account its own contacts: a member sets its own, the management account does not see it', async () => {
    const member = sb.client(AccountClient, { region: 'us-east-1', accountId: sb.accountId('network') });
    await member.send(
      new PutAlternateContactCommand(security({ AlternateContactType: 'OPERATIONS', Name: 'Net Ops' })),
    );
    expect(
      (await member.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' }))).AlternateContact
        ?.Name,
    ).toBe('Net Ops');
    const err = await rejection(account.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('validation and contact types', () => {
  it('refuses fields past their constraints with ValidationException, its reason and field list', async () => {
    const err = await rejection(
      account.send(
        new PutAlternateContactCommand(security({ EmailAddress: 'not-an-address', PhoneNumber: 'call me' })),
      ),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.reason).toBe('fieldValidationFailed');
    expect((err.fieldList as { name: string }[]).map((f) => f.name)).toEqual(['EmailAddress', 'PhoneNumber']);
    expect(err.message).toContain('does not match input string "not-an-address"');
  });

  it('refuses a missing required member and a name over 64 characters', async () => {
    const missing = await rejection(
      account.send(
        new PutAlternateContactCommand({ ...security(), Title: undefined } as PutAlternateContactCommandInput),
      ),
    );
    expect(missing).toBeInstanceOf(ValidationException);
    expect(missing.fieldList).toEqual([
      { name: 'Title', message: 'object has missing required properties (["Title"])' },
    ]);
    const long = await rejection(account.send(new PutAlternateContactCommand(security({ Name: 'x'.repeat(65) }))));
    expect((long.fieldList as { name: string; message: string }[])[0]).toMatchObject({
      name: 'Name',
      message: expect.stringContaining('is too long (length: 65, maximum allowed: 64)'),
    });
  });

  it('refuses an AccountId that is not 12 digits', async () => {
    const err = await rejection(
      account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '12345' })),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.fieldList).toEqual([{ name: 'AccountId', message: expect.stringContaining('"12345"') }]);
  });

  it.each(['OTHER', 'Billing'])('answers the unknown type %s with AccessDeniedException, as AWS does', async (type) => {
    const err = await rejection(
      account.send(new GetAlternateContactCommand({ AlternateContactType: type as 'BILLING' })),
    );
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toBe(
      `User: ${ADMIN_ARN} is not authorized to perform: account:GetAlternateContact (You specified an invalid Alternate Contact type.)`,
    );
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
  });
});

describe('another account (AccountId)', () => {
  it('is refused before trusted access for account.amazonaws.com is enabled', async () => {
    const err = await rejection(
      account.send(new PutAlternateContactCommand(security({ AccountId: sb.accountId('egress') }))),
    );
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toBe(
      `User: ${ADMIN_ARN} is not authorized to perform: account:PutAlternateContact (Your organization must first enable trusted access with AWS Account Management.)`,
    );
  });

  it('is allowed from the management account once trusted access is enabled; the member reads it standalone', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }));
    const egress = sb.accountId('egress');
    await account.send(new PutAlternateContactCommand(security({ AccountId: egress, Name: 'Egress Security' })));
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: egress })))
        .AlternateContact?.Name,
    ).toBe('Egress Security');
    const member = sb.client(AccountClient, { region: 'us-east-1', accountId: egress });
    expect(
      (await member.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))).AlternateContact?.Name,
    ).toBe('Egress Security');
  });

  it('refuses the management account naming itself: it must use the standalone context', async () => {
    const err = await rejection(
      account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: mgmt })),
    );
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toBe(
      `User: ${ADMIN_ARN} is not authorized to perform: account:GetAlternateContact (The management account can only be managed using the standalone context from the management account.)`,
    );
  });

  it('refuses a member account that is not a delegated administrator, even naming itself', async () => {
    const id = sb.accountId('bastion');
    const member = sb.client(AccountClient, { region: 'us-east-1', accountId: id });
    for (const target of [sb.accountId('egress'), id]) {
      const err = await rejection(
        member.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: target })),
      );
      expect(err).toBeInstanceOf(AccessDeniedException);
      expect(err.message).toBe(
        `User: arn:aws:sts::${id}:assumed-role/OrganizationAccountAccessRole/test is not authorized to perform: account:GetAlternateContact`,
      );
    }
  });

  it('is allowed from a delegated administrator for account.amazonaws.com', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const admin = sb.accountId('security-tooling');
    await org.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: admin, ServicePrincipal: 'account.amazonaws.com' }),
    );
    const delegated = sb.client(AccountClient, { region: 'us-east-1', accountId: admin });
    const target = sb.accountId('bastion');
    await delegated.send(
      new PutAlternateContactCommand(security({ AccountId: target, AlternateContactType: 'BILLING', Name: 'Finance' })),
    );
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'BILLING', AccountId: target })))
        .AlternateContact?.Name,
    ).toBe('Finance');
  });

  it('refuses an account of no organization', async () => {
    const err = await rejection(
      account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '999999999999' })),
    );
    expect(err).toBeInstanceOf(AccessDeniedException);
  });
});

describe('IAM, CloudTrail and faults', () => {
  it('refuses a principal whose policies do not allow account:* (PowerUserAccess), naming the account ARN', async () => {
    const id = sb.accountId('network');
    const developer = sb.client(AccountClient, { region: 'us-east-1', accountId: id, role: 'Developer' });
    const err = await rejection(developer.send(new PutAlternateContactCommand(security())));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toBe(
      `User: arn:aws:sts::${id}:assumed-role/Developer/test is not authorized to perform: account:PutAlternateContact on resource: arn:aws:account::${id}:account because no identity-based policy allows the account:PutAlternateContact action`,
    );
  });

  it('records Put in us-east-1 with the contact hidden, a denied Get, and no successful Get', async () => {
    const before = sb.runtime.recentTrail.length;
    await account.send(new PutAlternateContactCommand(security({ AlternateContactType: 'OPERATIONS' })));
    await account.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' }));
    await rejection(account.send(new GetAlternateContactCommand({ AlternateContactType: 'OTHER' as 'BILLING' })));
    const events = sb.runtime.recentTrail.slice(before).filter((e) => e.source === 'aws.account');
    expect(events.map((e) => [e.detail.eventName, e.detail.errorCode])).toEqual([
      ['PutAlternateContact', undefined],
      ['GetAlternateContact', 'AccessDeniedException'],
    ]);
    expect(events[0]).toMatchObject({
      region: 'us-east-1',
      detail: {
        eventSource: 'account.amazonaws.com',
        awsRegion: 'us-east-1',
        requestParameters: {
          alternateContactType: 'OPERATIONS',
          name: 'HIDDEN_DUE_TO_SECURITY_REASONS',
          emailAddress: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        },
        responseElements: null,
      },
    });
  });

  it('throttles with an injected fault as TooManyRequestsException', async () => {
    sb.runtime.faults.add({ service: 'account', operation: 'GetAlternateContact', error: 'throttle', count: 1 });
    const err = await rejection(account.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' })));
    expect(err.name).toBe('TooManyRequestsException');
    await account.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' }));
  });
});
