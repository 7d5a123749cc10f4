import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  deploySecurityBaseline,
  startTestSandbox,
  type TestClientOptions,
  type TestSandbox,
} from '../../helpers/sandbox';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
  // the remediation role (exempt from the SCPs that protect these settings) comes with the baseline
  await deploySecurityBaseline(
    sb,
    sb.accountId('log-archive'),
    sb.accountId('security-tooling'),
    sb.accountId('network'),
  );
});
afterAll(async () => {
  // Let any rule target the calls triggered finish before the sandbox stops.
  let last = -1;
  while (sb && sb.runtime.store.count('invocations') !== last) {
    last = sb.runtime.store.count('invocations');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await sb?.stop();
});

/** S3 Control against the sandbox: a fixed endpoint, because the SDK prefixes the host with the account id. */
const s3control = (options: TestClientOptions) =>
  new S3ControlClient({
    region: options.region ?? 'eu-west-1',
    endpointProvider: () => ({ url: new URL(sb.endpoint) }),
    credentials: sb.credentials(options),
    maxAttempts: 1,
  });

/**
 * Mutating calls act as the guardrails' remediation role, whose calls the rules ignore: no guardrail
 * runs in the background and changes what a test reads.
 */
const QUIET = { role: 'VendguardGuardrailRemediation', session: 'test' } as const;
/** The account's administrator: the remediation role may not create gateways or groups (least privilege). */
const ADMIN = { role: 'OrganizationAccountAccessRole', session: 'test' } as const;

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const recent = (eventName: string) =>
  sb.runtime.recentTrail.filter((e) => (e.detail as { eventName?: string }).eventName === eventName);

describe('S3 Control account Block Public Access in the sandbox', () => {
  it('starts every account with all four settings on', async () => {
    const account = sb.accountId('egress');
    const out = await s3control({ accountId: account }).send(new GetPublicAccessBlockCommand({ AccountId: account }));
    expect(out.PublicAccessBlockConfiguration).toEqual(ALL_ON);
  });

  it('stores a Put (settings left out are off) and records it as PutAccountPublicAccessBlock', async () => {
    const account = sb.accountId('network');
    const client = s3control({ accountId: account, ...QUIET });
    await client.send(
      new PutPublicAccessBlockCommand({
        AccountId: account,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: false },
      }),
    );
    const out = await client.send(new GetPublicAccessBlockCommand({ AccountId: account }));
    expect(out.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    const [event] = recent('PutAccountPublicAccessBlock');
    expect(event).toMatchObject({ source: 'aws.s3', 'detail-type': 'AWS API Call via CloudTrail', account });
    expect(event?.detail).toMatchObject({
      eventSource: 's3.amazonaws.com',
      awsRegion: 'eu-west-1',
      recipientAccountId: account,
      userIdentity: { arn: `arn:aws:sts::${account}:assumed-role/VendguardGuardrailRemediation/test` },
      requestParameters: {
        PublicAccessBlockConfiguration: {
          xmlns: 'http://awss3control.amazonaws.com/doc/2018-08-20/',
          BlockPublicAcls: true,
          BlockPublicPolicy: false,
        },
        accountId: account,
        Host: `${account}.s3-control.eu-west-1.amazonaws.com`,
      },
      responseElements: null,
    });
    expect(recent('GetPublicAccessBlock')).toHaveLength(0);
  });

  it('answers NoSuchPublicAccessBlockConfiguration (404) after a Delete, recorded as DeleteAccountPublicAccessBlock', async () => {
    const account = sb.accountId('security-tooling');
    const client = s3control({ accountId: account, ...QUIET });
    await client.send(new DeletePublicAccessBlockCommand({ AccountId: account }));
    const err = await client.send(new GetPublicAccessBlockCommand({ AccountId: account })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      $metadata: { httpStatusCode: 404 },
    });
    expect(recent('DeleteAccountPublicAccessBlock').at(-1)?.detail).toMatchObject({
      requestParameters: { accountId: account },
      recipientAccountId: account,
    });
  });

  it('denies changing another account and records the failed call', async () => {
    const own = sb.accountId('log-archive');
    const other = sb.accountId('network');
    const err = await s3control({ accountId: own, ...QUIET })
      .send(new DeletePublicAccessBlockCommand({ AccountId: other }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(recent('DeleteAccountPublicAccessBlock').at(-1)?.detail).toMatchObject({
      errorCode: 'AccessDenied',
      recipientAccountId: own,
    });
  });

  it('applies injected faults by operation, in S3 Control error form', async () => {
    const account = sb.accountId('egress');
    sb.runtime.faults.add({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      error: 'SlowDown',
      status: 503,
      count: 1,
    });
    const err = await s3control({ accountId: account })
      .send(new PutPublicAccessBlockCommand({ AccountId: account, PublicAccessBlockConfiguration: ALL_ON }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  });
});

describe('EC2 CloudTrail records in the shapes of the samples', () => {
  const sample = (name: string) =>
    JSON.parse(readFileSync(join(__dirname, '../../../events/samples/aws.ec2', `${name}.json`), 'utf8')).detail as {
      requestParameters: Record<string, unknown>;
    };

  it('records CreateInternetGateway with an empty tagSpecificationSet', async () => {
    const account = sb.accountId('egress');
    await sb.client(EC2Client, { accountId: account, ...ADMIN }).send(new CreateInternetGatewayCommand({}));
    const record = recent('CreateInternetGateway').at(-1)?.detail as { requestParameters: unknown };
    expect(record.requestParameters).toEqual(sample('create-internet-gateway').requestParameters);
  });

  it('records every permission of AuthorizeSecurityGroupIngress with its four sets', async () => {
    const account = sb.accountId('egress');
    const ec2 = sb.client(EC2Client, { accountId: account, ...ADMIN });
    const groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web' })))
      .GroupId as string;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      }),
    );
    const record = recent('AuthorizeSecurityGroupIngress').at(-1)?.detail as { requestParameters: unknown };
    expect(record.requestParameters).toEqual({
      ...sample('authorize-security-group-ingress-open').requestParameters,
      groupId,
    });
  });
});
