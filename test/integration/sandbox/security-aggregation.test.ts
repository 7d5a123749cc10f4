/**
 * AWS Config's organization aggregator and IAM Access Analyzer's organization analyzer, made by the
 * management account or by security-tooling as the services' delegated administrator, and every
 * refusal on the way (code, status, message).
 */
import {
  AccessAnalyzerClient,
  AccessDeniedException,
  ConflictException,
  CreateAnalyzerCommand,
  DeleteAnalyzerCommand,
  GetAnalyzerCommand,
  ListAnalyzersCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-accessanalyzer';
import {
  ConfigServiceClient,
  DeleteConfigurationAggregatorCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidParameterValueException,
  NoSuchConfigurationAggregatorException,
  OrganizationAccessDeniedException,
  PutConfigurationAggregatorCommand,
} from '@aws-sdk/client-config-service';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;
let security: string;
let egress: string;
let management: string;
const REGION = 'eu-west-1';

beforeAll(async () => {
  sb = await startTestSandbox();
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  security = sb.accountId('security-tooling');
  egress = sb.accountId('egress');
  management = sb.accountId('management');
}, 30_000);
afterAll(() => sb?.stop());

type AwsError = Error & { name: string; $metadata?: { httpStatusCode?: number }; reason?: string };

async function failure(promise: Promise<unknown>): Promise<AwsError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as AwsError,
  );
  if (!outcome) throw new Error('the call succeeded');
  return outcome;
}

async function trusted(): Promise<string[]> {
  const out = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
  return (out.EnabledServicePrincipals ?? []).map((s) => s.ServicePrincipal as string);
}

const config = (accountId?: string, role?: string) =>
  sb.client(ConfigServiceClient, { region: REGION, ...(accountId ? { accountId } : {}), ...(role ? { role } : {}) });
const analyzer = (accountId?: string) =>
  sb.client(AccessAnalyzerClient, { region: REGION, ...(accountId ? { accountId } : {}) });

const orgSource = (accountId: string) => ({
  RoleArn: `arn:aws:iam::${accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
  AllAwsRegions: true,
});

describe('AWS Config: an organization aggregator', () => {
  it('refuses a management principal that may not enable trusted access (OrganizationAccessDeniedException)', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'ConfigOnly',
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
        RoleName: 'ConfigOnly',
        PolicyName: 'only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'config:*', Resource: '*' }],
        }),
      }),
    );
    const error = await failure(
      config(management, 'ConfigOnly').send(
        new PutConfigurationAggregatorCommand({
          ConfigurationAggregatorName: 'organization',
          OrganizationAggregationSource: orgSource(management),
        }),
      ),
    );
    expect(error).toBeInstanceOf(OrganizationAccessDeniedException);
    expect(error.message).toBe('No permission to call EnableAWSServiceAccess API');
    expect(await trusted()).not.toContain('config.amazonaws.com');
  });

  it('lets the management account make one, enabling trusted access for Config', async () => {
    const out = await config().send(
      new PutConfigurationAggregatorCommand({
        ConfigurationAggregatorName: 'organization',
        OrganizationAggregationSource: orgSource(management),
      }),
    );
    expect(out.ConfigurationAggregator).toMatchObject({
      ConfigurationAggregatorName: 'organization',
      OrganizationAggregationSource: { AllAwsRegions: true },
    });
    expect(out.ConfigurationAggregator?.ConfigurationAggregatorArn).toMatch(
      new RegExp(`^arn:aws:config:${REGION}:${management}:config-aggregator/config-aggregator-[a-z0-9]{8}$`),
    );
    expect(out.ConfigurationAggregator?.CreationTime).toBeInstanceOf(Date);
    expect(await trusted()).toContain('config.amazonaws.com');
    const event = sb.runtime.recentTrail.findLast((e) => e.detail.eventName === 'PutConfigurationAggregator');
    expect(event).toMatchObject({ source: 'aws.config', detail: { eventSource: 'config.amazonaws.com' } });
  });

  it('refuses a member account that is not its delegated administrator', async () => {
    const error = await failure(
      config(security).send(
        new PutConfigurationAggregatorCommand({
          ConfigurationAggregatorName: 'organization',
          OrganizationAggregationSource: orgSource(security),
        }),
      ),
    );
    expect(error).toBeInstanceOf(OrganizationAccessDeniedException);
    expect(error.message).toContain('You are not a registered delegated administrator for Config');
  });

  it('lets security-tooling make one once it is the delegated administrator for config.amazonaws.com', async () => {
    await org.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: security, ServicePrincipal: 'config.amazonaws.com' }),
    );
    const first = await config(security).send(
      new PutConfigurationAggregatorCommand({
        ConfigurationAggregatorName: 'organization',
        OrganizationAggregationSource: { ...orgSource(security), AllAwsRegions: false, AwsRegions: ['eu-west-1'] },
        Tags: [{ Key: 'team', Value: 'security' }],
      }),
    );
    // idempotent: the same ARN and creation time, the sources replaced
    const second = await config(security).send(
      new PutConfigurationAggregatorCommand({
        ConfigurationAggregatorName: 'organization',
        OrganizationAggregationSource: orgSource(security),
      }),
    );
    expect(second.ConfigurationAggregator?.ConfigurationAggregatorArn).toBe(
      first.ConfigurationAggregator?.ConfigurationAggregatorArn,
    );
    expect(second.ConfigurationAggregator?.CreationTime).toEqual(first.ConfigurationAggregator?.CreationTime);
    const described = await config(security).send(new DescribeConfigurationAggregatorsCommand({}));
    expect(
      described.ConfigurationAggregators?.map((a) => [
        a.ConfigurationAggregatorName,
        a.OrganizationAggregationSource?.AllAwsRegions,
      ]),
    ).toEqual([['organization', true]]);
  });

  it('refuses both sources, or none, or regions given twice (InvalidParameterValueException)', async () => {
    const both = await failure(
      config().send(
        new PutConfigurationAggregatorCommand({
          ConfigurationAggregatorName: 'both',
          OrganizationAggregationSource: orgSource(management),
          AccountAggregationSources: [{ AccountIds: [egress], AllAwsRegions: true }],
        }),
      ),
    );
    expect(both).toBeInstanceOf(InvalidParameterValueException);
    expect(both.message).toContain('contains both the AccountAggregationSource and the OrganizationAggregationSource');
    const none = await failure(
      config().send(new PutConfigurationAggregatorCommand({ ConfigurationAggregatorName: 'none' })),
    );
    expect(none).toBeInstanceOf(InvalidParameterValueException);
    const regions = await failure(
      config().send(
        new PutConfigurationAggregatorCommand({
          ConfigurationAggregatorName: 'regions',
          OrganizationAggregationSource: { ...orgSource(management), AwsRegions: ['eu-west-1'] },
        }),
      ),
    );
    expect(regions).toBeInstanceOf(InvalidParameterValueException);
    expect(regions.message).toContain('also specifies the use of all regions');
  });

  it('describes and deletes by name; an unknown name is NoSuchConfigurationAggregatorException', async () => {
    const missing = await failure(
      config().send(new DescribeConfigurationAggregatorsCommand({ ConfigurationAggregatorNames: ['nope'] })),
    );
    expect(missing).toBeInstanceOf(NoSuchConfigurationAggregatorException);
    await config().send(new DeleteConfigurationAggregatorCommand({ ConfigurationAggregatorName: 'organization' }));
    expect((await config().send(new DescribeConfigurationAggregatorsCommand({}))).ConfigurationAggregators).toEqual([]);
    const again = await failure(
      config().send(new DeleteConfigurationAggregatorCommand({ ConfigurationAggregatorName: 'organization' })),
    );
    expect(again).toBeInstanceOf(NoSuchConfigurationAggregatorException);
    expect(again.message).toBe(
      'The configuration aggregator does not exist. Check the configuration aggregator name and try again.',
    );
  });
});

describe('IAM Access Analyzer', () => {
  it('refuses an organization analyzer without trusted access (ValidationException "Service not enabled for AWS Organizations")', async () => {
    const error = await failure(
      analyzer().send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' })),
    );
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe('Service not enabled for AWS Organizations');
    expect(error.reason).toBe('FIELD_VALIDATION_FAILED');
  });

  it('refuses an organization analyzer to a member that is not its delegated administrator (AccessDeniedException 403)', async () => {
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'access-analyzer.amazonaws.com' }));
    const error = await failure(
      analyzer(security).send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' })),
    );
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('lets the delegated administrator make one, and lists and reads it', async () => {
    await org.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: security,
        ServicePrincipal: 'access-analyzer.amazonaws.com',
      }),
    );
    const out = await analyzer(security).send(
      new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION', tags: { team: 'security' } }),
    );
    expect(out.arn).toBe(`arn:aws:access-analyzer:${REGION}:${security}:analyzer/org`);
    const got = await analyzer(security).send(new GetAnalyzerCommand({ analyzerName: 'org' }));
    expect(got.analyzer).toMatchObject({
      name: 'org',
      type: 'ORGANIZATION',
      status: 'ACTIVE',
      tags: { team: 'security' },
    });
    expect(got.analyzer?.createdAt).toBeInstanceOf(Date);
    await analyzer(security).send(new CreateAnalyzerCommand({ analyzerName: 'mine', type: 'ACCOUNT' }));
    const listed = await analyzer(security).send(new ListAnalyzersCommand({ type: 'ORGANIZATION' }));
    expect(listed.analyzers?.map((a) => a.name)).toEqual(['org']);
  });

  it('refuses a second analyzer of the same name (ConflictException 409) and a bad type (ValidationException)', async () => {
    const error = await failure(
      analyzer(security).send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ACCOUNT' })),
    );
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata?.httpStatusCode).toBe(409);
    const type = await failure(
      analyzer(security).send(new CreateAnalyzerCommand({ analyzerName: 'x', type: 'GLOBAL' as unknown as 'ACCOUNT' })),
    );
    expect(type).toBeInstanceOf(ValidationException);
  });

  it('deletes an analyzer (ResourceNotFoundException 404 after), where no SCP denies it', async () => {
    await analyzer().send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }));
    await analyzer().send(new DeleteAnalyzerCommand({ analyzerName: 'account' }));
    const error = await failure(analyzer().send(new GetAnalyzerCommand({ analyzerName: 'account' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    // in the Security OU the protect-security SCP denies access-analyzer:DeleteAnalyzer
    const denied = await failure(analyzer(security).send(new DeleteAnalyzerCommand({ analyzerName: 'mine' })));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toContain('with an explicit deny in a service control policy');
  });

  it('disables the organization analyzers when trusted access for Access Analyzer is disabled', async () => {
    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'access-analyzer.amazonaws.com' }));
    const got = await analyzer(security).send(new GetAnalyzerCommand({ analyzerName: 'org' }));
    expect(got.analyzer).toMatchObject({ status: 'DISABLED', statusReason: { code: 'AWS_SERVICE_ACCESS_DISABLED' } });
    const mine = await analyzer(security).send(new GetAnalyzerCommand({ analyzerName: 'mine' }));
    expect(mine.analyzer?.status).toBe('ACTIVE');
  });
});
