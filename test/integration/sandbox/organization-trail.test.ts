/**
 * CloudTrail trails as AWS keeps them: the seeded organization trail (the management account's,
 * visible to every member and changeable by none), trails made with CreateTrail (name rules,
 * duplicates, the per-Region quota, not logging until StartLogging), multi-Region shadow trails, and
 * the organization's prerequisites (management account, trusted access, the caller's Organizations
 * permissions).
 */
import {
  CloudTrailAccessNotEnabledException,
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  InsufficientDependencyServiceAccessPermissionException,
  InvalidHomeRegionException,
  InvalidParameterCombinationException,
  InvalidTrailNameException,
  MaximumNumberOfTrailsExceededException,
  NotOrganizationMasterAccountException,
  OrganizationsNotInUseException,
  StartLoggingCommand,
  StopLoggingCommand,
  TrailAlreadyExistsException,
  TrailNotFoundException,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  LeaveOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CLOUDTRAIL_SERVICE_PRINCIPAL, ORGANIZATION_TRAIL_NAME } from '../../../config/organization-services';
import {
  CLOUDTRAIL_ACCESS_NOT_ENABLED_MESSAGE,
  NOT_MANAGEMENT_ACCOUNT_MESSAGE,
  organizationTrailBucket,
} from '../../../sandbox/services/cloudtrail-api';
import { type AwsCli, installedAwsClis, runAws, TEST_KEY_ENV } from '../../helpers/aws-cli';
import { moveToRoot, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const HOME = 'eu-west-1';
const OTHER = 'eu-central-1';

let sb: TestSandbox;
let mgmt: string;
let orgTrailArn: string;
/** A member account moved to the root: no SCP stands between it and CloudTrail's own rules. */
let loose: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  mgmt = sb.accountId('management');
  orgTrailArn = `arn:aws:cloudtrail:${HOME}:${mgmt}:trail/${ORGANIZATION_TRAIL_NAME}`;
  loose = await moveToRoot(sb, 'eks-shared');
}, 30_000);
afterAll(() => sb?.stop());

const admin = (region = HOME) => sb.client(CloudTrailClient, { region });
const member = (accountId: string, region = HOME) => sb.client(CloudTrailClient, { accountId, region });

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error & { name: string }> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { name: string },
  );
  if (!outcome) throw new Error('the call succeeded');
  return outcome;
}

describe('the seeded organization trail', () => {
  it("is a logging multi-Region organization trail in the management account's home Region", async () => {
    const { Trail } = await admin().send(new GetTrailCommand({ Name: ORGANIZATION_TRAIL_NAME }));
    expect(Trail).toMatchObject({
      Name: ORGANIZATION_TRAIL_NAME,
      TrailARN: orgTrailArn,
      HomeRegion: HOME,
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: true,
      S3BucketName: organizationTrailBucket(sb.accountId('log-archive')),
    });
    expect((await admin().send(new GetTrailStatusCommand({ Name: ORGANIZATION_TRAIL_NAME }))).IsLogging).toBe(true);
  });

  it("lists next to the account's default trail, which keeps working", async () => {
    const { trailList = [] } = await admin().send(new DescribeTrailsCommand({}));
    expect(trailList.map((t) => t.Name)).toEqual(['management-events', ORGANIZATION_TRAIL_NAME]);
  });

  it('shows in a member account, in every Region, as a shadow trail', async () => {
    const egress = sb.accountId('egress');
    for (const region of [HOME, OTHER]) {
      const { trailList = [] } = await member(egress, region).send(new DescribeTrailsCommand({}));
      expect(trailList.map((t) => t.TrailARN)).toEqual([
        `arn:aws:cloudtrail:${region}:${egress}:trail/management-events`,
        orgTrailArn,
      ]);
      const shown = trailList.find((t) => t.TrailARN === orgTrailArn);
      expect(shown).toMatchObject({ HomeRegion: HOME, IsOrganizationTrail: true });
    }
    const own = await member(egress).send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(own.trailList?.map((t) => t.Name)).toEqual(['management-events']);
  });

  it("answers a member's GetTrail and GetTrailStatus by ARN, not by name", async () => {
    const egress = sb.accountId('egress');
    const client = member(egress, OTHER);
    expect((await client.send(new GetTrailCommand({ Name: orgTrailArn }))).Trail?.TrailARN).toBe(orgTrailArn);
    expect((await client.send(new GetTrailStatusCommand({ Name: orgTrailArn }))).IsLogging).toBe(true);
    const byName = await failure(client.send(new GetTrailStatusCommand({ Name: ORGANIZATION_TRAIL_NAME })));
    expect(byName).toBeInstanceOf(TrailNotFoundException);
    expect(byName.message).toBe(
      `Unknown trail: arn:aws:cloudtrail:${OTHER}:${egress}:trail/${ORGANIZATION_TRAIL_NAME} for the user: ${egress}`,
    );
  });

  it('cannot be stopped, updated or deleted by a member account: to it the trail is unknown', async () => {
    const client = member(loose);
    for (const call of [
      client.send(new StopLoggingCommand({ Name: orgTrailArn })),
      client.send(new UpdateTrailCommand({ Name: orgTrailArn, IsMultiRegionTrail: false })),
      client.send(new DeleteTrailCommand({ Name: orgTrailArn })),
    ]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(TrailNotFoundException);
      expect(error.message).toBe(`Unknown trail: ${orgTrailArn} for the user: ${loose}`);
    }
    expect((await admin().send(new GetTrailStatusCommand({ Name: orgTrailArn }))).IsLogging).toBe(true);
  });

  it('is protected by the protect-security SCP first in a member account under an OU', async () => {
    const error = await failure(member(sb.accountId('egress')).send(new StopLoggingCommand({ Name: orgTrailArn })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('explicit deny in a service control policy');
  });
});

describe('CreateTrail', () => {
  it('makes a trail that does not log until StartLogging', async () => {
    const created = await admin().send(new CreateTrailCommand({ Name: 'audit.trail_1', S3BucketName: 'audit-logs' }));
    expect(created).toMatchObject({
      Name: 'audit.trail_1',
      TrailARN: `arn:aws:cloudtrail:${HOME}:${mgmt}:trail/audit.trail_1`,
      S3BucketName: 'audit-logs',
      IsMultiRegionTrail: false,
      IsOrganizationTrail: false,
      IncludeGlobalServiceEvents: true,
    });
    expect((await admin().send(new GetTrailStatusCommand({ Name: 'audit.trail_1' }))).IsLogging).toBe(false);
    await admin().send(new StartLoggingCommand({ Name: 'audit.trail_1' }));
    expect((await admin().send(new GetTrailStatusCommand({ Name: 'audit.trail_1' }))).IsLogging).toBe(true);
    await admin().send(new DeleteTrailCommand({ Name: 'audit.trail_1' }));
    const gone = await failure(admin().send(new GetTrailCommand({ Name: 'audit.trail_1' })));
    expect(gone).toBeInstanceOf(TrailNotFoundException);
  });

  it.each([
    ['ab', 'Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.'],
    ['-trail', 'Trail name must starts with a letter or number.'],
    ['trail_', 'Trail name must ends with a letter or number.'],
    ['my trail', 'Trail name or ARN can only contain'],
    ['my--trail', 'adjacent'],
    ['my-_trail', 'adjacent'],
    ['192.168.5.4', 'IP address'],
  ])('refuses the name %j with InvalidTrailNameException', async (name, message) => {
    const error = await failure(admin().send(new CreateTrailCommand({ Name: name, S3BucketName: 'audit-logs' })));
    expect(error).toBeInstanceOf(InvalidTrailNameException);
    expect(error.message).toContain(message);
  });

  it('refuses a name the account already has with TrailAlreadyExistsException', async () => {
    const error = await failure(
      admin().send(new CreateTrailCommand({ Name: ORGANIZATION_TRAIL_NAME, S3BucketName: 'audit-logs' })),
    );
    expect(error).toBeInstanceOf(TrailAlreadyExistsException);
    expect(error.message).toBe(`Trail ${ORGANIZATION_TRAIL_NAME} already exists for customer: ${mgmt}`);
    // the organization trail is multi-Region: its name is taken in every Region
    const elsewhere = await failure(
      admin(OTHER).send(new CreateTrailCommand({ Name: ORGANIZATION_TRAIL_NAME, S3BucketName: 'audit-logs' })),
    );
    expect(elsewhere).toBeInstanceOf(TrailAlreadyExistsException);
    // another account may use it
    const bastion = sb.accountId('bastion');
    await member(bastion).send(new CreateTrailCommand({ Name: ORGANIZATION_TRAIL_NAME, S3BucketName: 'own-logs' }));
    const { trailList = [] } = await member(bastion).send(new DescribeTrailsCommand({}));
    expect(trailList.filter((t) => t.Name === ORGANIZATION_TRAIL_NAME).map((t) => t.TrailARN)).toEqual([
      orgTrailArn,
      `arn:aws:cloudtrail:${HOME}:${bastion}:trail/${ORGANIZATION_TRAIL_NAME}`,
    ]);
  });

  it('refuses a multi-Region trail without global service events with InvalidParameterCombinationException', async () => {
    const error = await failure(
      admin().send(
        new CreateTrailCommand({
          Name: 'no-globals',
          S3BucketName: 'audit-logs',
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: false,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
    expect(error.message).toBe('Multi-Region trail must include global service events.');
  });

  it('refuses a sixth trail in a Region with MaximumNumberOfTrailsExceededException', async () => {
    const network = sb.accountId('network');
    const client = member(network);
    // management-events is the first
    for (const n of [1, 2, 3, 4]) {
      await client.send(new CreateTrailCommand({ Name: `trail-${n}`, S3BucketName: 'network-logs' }));
    }
    const error = await failure(client.send(new CreateTrailCommand({ Name: 'trail-5', S3BucketName: 'network-logs' })));
    expect(error).toBeInstanceOf(MaximumNumberOfTrailsExceededException);
    expect(error.message).toBe(`User: ${network} already has 5 trails in ${HOME}.`);
  });

  it('refuses an organization trail from a member account with NotOrganizationMasterAccountException', async () => {
    const error = await failure(
      member(loose).send(
        new CreateTrailCommand({ Name: 'rogue-org', S3BucketName: 'rogue-logs', IsOrganizationTrail: true }),
      ),
    );
    expect(error).toBeInstanceOf(NotOrganizationMasterAccountException);
    expect(error.message).toBe(NOT_MANAGEMENT_ACCOUNT_MESSAGE);
  });

  it('refuses an organization trail to a caller who may not read Organizations with InsufficientDependencyServiceAccessPermissionException', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'trail-admin',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'trail-admin',
        PolicyName: 'cloudtrail-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'cloudtrail:*', Resource: '*' }],
        }),
      }),
    );
    const client = sb.client(CloudTrailClient, { accountId: mgmt, role: 'trail-admin' });
    const error = await failure(
      client.send(new CreateTrailCommand({ Name: 'org-two', S3BucketName: 'org-logs', IsOrganizationTrail: true })),
    );
    expect(error).toBeInstanceOf(InsufficientDependencyServiceAccessPermissionException);
    // a trail of its own account needs nothing of Organizations
    await client.send(new CreateTrailCommand({ Name: 'plain-two', S3BucketName: 'org-logs' }));
    await client.send(new DeleteTrailCommand({ Name: 'plain-two' }));
  });
});

describe('multi-Region trails', () => {
  it('are read by ARN from another Region, and changed only from home (InvalidHomeRegionException)', async () => {
    const arn = `arn:aws:cloudtrail:${HOME}:${loose}:trail/everywhere`;
    await member(loose).send(
      new CreateTrailCommand({ Name: 'everywhere', S3BucketName: 'security-logs', IsMultiRegionTrail: true }),
    );
    const away = member(loose, OTHER);
    expect((await away.send(new GetTrailCommand({ Name: arn }))).Trail).toMatchObject({
      HomeRegion: HOME,
      IsMultiRegionTrail: true,
    });
    expect(await failure(away.send(new GetTrailCommand({ Name: 'everywhere' })))).toBeInstanceOf(
      TrailNotFoundException,
    );
    expect(await failure(away.send(new StartLoggingCommand({ Name: arn })))).toBeInstanceOf(InvalidHomeRegionException);
    expect(await failure(away.send(new DeleteTrailCommand({ Name: arn })))).toBeInstanceOf(InvalidHomeRegionException);

    // made single-Region, it no longer shows away from home
    await member(loose).send(new UpdateTrailCommand({ Name: 'everywhere', IsMultiRegionTrail: false }));
    const { trailList = [] } = await away.send(new DescribeTrailsCommand({}));
    expect(trailList.map((t) => t.TrailARN)).not.toContain(arn);
  });
});

describe('the default trail', () => {
  it('stays deleted once deleted', async () => {
    const client = member(loose, OTHER);
    await client.send(new StopLoggingCommand({ Name: 'management-events' }));
    await client.send(new DeleteTrailCommand({ Name: 'management-events' }));
    const { trailList = [] } = await client.send(new DescribeTrailsCommand({}));
    expect(trailList.map((t) => t.Name)).toEqual([ORGANIZATION_TRAIL_NAME]);
  });
});

describe('authorization', () => {
  it("is decided on the trail's ARN", async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'org-trail-reader',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'org-trail-reader',
        PolicyName: 'one-trail',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'cloudtrail:GetTrailStatus', Resource: orgTrailArn }],
        }),
      }),
    );
    const client = sb.client(CloudTrailClient, { accountId: mgmt, role: 'org-trail-reader' });
    expect((await client.send(new GetTrailStatusCommand({ Name: ORGANIZATION_TRAIL_NAME }))).IsLogging).toBe(true);
    const denied = await failure(client.send(new GetTrailStatusCommand({ Name: 'management-events' })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(`on resource: arn:aws:cloudtrail:${HOME}:${mgmt}:trail/management-events`);
  });
});

describe('an account that left the organization', () => {
  it('no longer sees the organization trail and may not make one (OrganizationsNotInUseException)', async () => {
    const accountId = await moveToRoot(sb, 'bastion');
    await sb.client(OrganizationsClient, { region: 'us-east-1', accountId }).send(new LeaveOrganizationCommand({}));
    const client = member(accountId);
    const { trailList = [] } = await client.send(new DescribeTrailsCommand({}));
    expect(trailList.map((t) => t.TrailARN)).not.toContain(orgTrailArn);
    expect(await failure(client.send(new GetTrailCommand({ Name: orgTrailArn })))).toBeInstanceOf(
      TrailNotFoundException,
    );
    const error = await failure(
      client.send(new CreateTrailCommand({ Name: 'alone', S3BucketName: 'alone-logs', IsOrganizationTrail: true })),
    );
    expect(error).toBeInstanceOf(OrganizationsNotInUseException);
  });
});

describe('trusted access for CloudTrail', () => {
  // last: these change the organization the tests above read
  it('is needed to make an organization trail (CloudTrailAccessNotEnabledException), and dropping it detaches the trail', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL }));

    const { Trail } = await admin().send(new GetTrailCommand({ Name: orgTrailArn }));
    expect(Trail?.IsOrganizationTrail).toBe(false);
    const seen = await member(sb.accountId('egress')).send(new DescribeTrailsCommand({}));
    expect(seen.trailList?.map((t) => t.TrailARN)).not.toContain(orgTrailArn);

    const refused = await failure(
      admin().send(new CreateTrailCommand({ Name: 'org-three', S3BucketName: 'org-logs', IsOrganizationTrail: true })),
    );
    expect(refused).toBeInstanceOf(CloudTrailAccessNotEnabledException);
    expect(refused.message).toBe(CLOUDTRAIL_ACCESS_NOT_ENABLED_MESSAGE);
    const update = await failure(
      admin().send(new UpdateTrailCommand({ Name: ORGANIZATION_TRAIL_NAME, IsOrganizationTrail: true })),
    );
    expect(update).toBeInstanceOf(CloudTrailAccessNotEnabledException);

    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL }));
    await admin().send(new UpdateTrailCommand({ Name: ORGANIZATION_TRAIL_NAME, IsOrganizationTrail: true }));
    const again = await member(sb.accountId('egress')).send(new DescribeTrailsCommand({}));
    expect(again.trailList?.map((t) => t.TrailARN)).toContain(orgTrailArn);
  });
});

const clis: AwsCli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

describeClis('$path (v$major)', (cli) => {
  it('serves get-trail, create-trail and list-aws-service-access-for-organization', async () => {
    const aws = (args: string[]) => runAws(cli.path, sb.endpoint, args, TEST_KEY_ENV);
    const trail = await aws(['cloudtrail', 'get-trail', '--name', orgTrailArn, '--region', HOME]);
    expect(JSON.parse(trail.stdout).Trail).toMatchObject({ TrailARN: orgTrailArn });
    const name = `cli-v${cli.major}`;
    const created = await aws(['cloudtrail', 'create-trail', '--name', name, '--s3-bucket-name', 'cli-logs']);
    expect(JSON.parse(created.stdout)).toMatchObject({ Name: name, IsOrganizationTrail: false });
    const duplicate = await aws(['cloudtrail', 'create-trail', '--name', name, '--s3-bucket-name', 'cli-logs']);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain('TrailAlreadyExistsException');
    const trusted = await aws(['organizations', 'list-aws-service-access-for-organization', '--region', 'us-east-1']);
    expect(
      JSON.parse(trusted.stdout).EnabledServicePrincipals.map((s: { ServicePrincipal: string }) => s.ServicePrincipal),
    ).toContain(CLOUDTRAIL_SERVICE_PRINCIPAL);
  });
});
