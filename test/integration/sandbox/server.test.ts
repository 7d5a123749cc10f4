import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInternetGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LocalRuntime } from '../../../sandbox/core/runtime';
import { SandboxServer } from '../../../sandbox/core/server';
import { AwsServiceError, type ServiceDefinition } from '../../../sandbox/core/types';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { signedFetch } from '../../helpers/signed';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.stop());

/** A request signed with the test key: these bodies must get past authentication to reach the codecs. */
const post = (body: string, headers: Record<string, string>) =>
  headers['x-amz-target']?.startsWith('AWSOrganizations')
    ? signedFetch(sb.endpoint, body, headers, { service: 'organizations', region: 'us-east-1' })
    : headers['content-type']?.includes('form-urlencoded')
      ? signedFetch(sb.endpoint, body, headers, { service: 'sts', region: 'eu-west-1' })
      : fetch(`${sb.endpoint}/`, { method: 'POST', body, headers });
const orgHeaders = (op: string) => ({
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': `AWSOrganizationsV20161128.${op}`,
});
const stsHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

describe('sandbox server codecs (through the real SDK clients)', () => {
  it('speaks awsJson1_1 to the Organizations client', async () => {
    const out = await sb.client(OrganizationsClient, { region: 'us-east-1' }).send(new DescribeOrganizationCommand({}));
    expect(out.Organization?.Id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(out.Organization?.MasterAccountId).toBe('100000000001');
  });

  it('speaks awsQuery to the STS client', async () => {
    const out = await sb.client(STSClient).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe('arn:aws:iam::100000000001:user/sandbox-admin');
    expect(out.Account).toBe('100000000001');
  });

  it('speaks awsQuery errors to the CloudFormation client as named exceptions', async () => {
    const err = await sb
      .client(CloudFormationClient)
      .send(new DescribeStackSetCommand({ StackSetName: 'no-such-stack-set' }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('StackSetNotFoundException');
  });

  it('speaks awsJson1_0 to the Step Functions client', async () => {
    const out = await sb.client(SFNClient).send(new ListStateMachinesCommand({}));
    expect(Array.isArray(out.stateMachines)).toBe(true);
  });

  it('attributes a request to the principal of its access key', async () => {
    const egress = sb.accountId('egress');
    const out = await sb
      .client(STSClient, { accountId: egress, role: 'Developer', session: 'jane' })
      .send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(`arn:aws:sts::${egress}:assumed-role/Developer/jane`);
  });
});

describe('ec2Query codec', () => {
  it('encodes <item> lists in lower camel and EC2-shaped errors', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vendguard-ec2codec-'));
    const runtime = new LocalRuntime({ home, timeScale: 6000 });
    const stub: ServiceDefinition = {
      signingName: 'ec2',
      protocol: 'ec2Query',
      eventSource: 'ec2.amazonaws.com',
      operations: {
        DescribeInternetGateways: (input) => {
          if ((input.InternetGatewayId as string[] | undefined)?.[0] === 'igw-missing') {
            throw new AwsServiceError(
              'InvalidInternetGatewayID.NotFound',
              "The internetGateway ID 'igw-missing' does not exist",
            );
          }
          const filter = (input.Filter as { Name: string; Value: string[] }[] | undefined)?.[0];
          return {
            InternetGatewaySet: [
              {
                InternetGatewayId: 'igw-0123',
                OwnerId: '100000000005',
                AttachmentSet: [{ VpcId: filter?.Value[0] ?? 'vpc-none', State: 'available' }],
                TagSet: [],
              },
            ],
          };
        },
      },
    };
    const server = new SandboxServer(runtime, [stub]);
    const endpoint = await server.listen(0);
    try {
      const ec2 = new EC2Client({
        endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const out = await ec2.send(
        new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: ['vpc-42'] }] }),
      );
      expect(out.InternetGateways).toEqual([
        {
          InternetGatewayId: 'igw-0123',
          OwnerId: '100000000005',
          Attachments: [{ VpcId: 'vpc-42', State: 'available' }],
          Tags: [],
        },
      ]);
      const err = await ec2
        .send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ['igw-missing'] }))
        .catch((e: unknown) => e);
      expect((err as Error).name).toBe('InvalidInternetGatewayID.NotFound');
    } finally {
      await server.close();
      runtime.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('malformed requests', () => {
  it('answers bad JSON with a SerializationException', async () => {
    const res = await post('{not json', orgHeaders('ListRoots'));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(((await res.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  it('answers an unknown JSON operation with UnknownOperationException', async () => {
    const res = await post('{}', orgHeaders('LaunchRockets'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('answers a missing JSON member with ValidationException', async () => {
    const res = await post('{}', orgHeaders('DescribeAccount'));
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('ValidationException');
    expect(body.message).toContain("'accountId'");
  });

  it('answers an unknown query action with InvalidAction in an ErrorResponse', async () => {
    const res = await post('Action=LaunchRockets&Version=2011-06-15', stsHeaders);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<ErrorResponse>');
    expect(text).toContain('<Code>InvalidAction</Code>');
  });

  it('answers a missing query parameter with MissingParameter', async () => {
    const res = await post('Action=AssumeRole&Version=2011-06-15&RoleSessionName=x', stsHeaders);
    expect(await res.text()).toContain('<Code>MissingParameter</Code>');
  });

  it('answers garbage form bodies and unknown services without crashing', async () => {
    const garbage = await post('%%%&&==<xml>', stsHeaders);
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toContain('<Code>MissingAction</Code>');
    const unknown = await post('{}', { 'x-amz-target': 'Nope_2020.Do', 'content-type': 'application/x-amz-json-1.1' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('UnrecognizedClientException');
  });

  it('refuses a non-numeric limit on the invocations route instead of listing everything', async () => {
    const res = await fetch(`${sb.endpoint}/_sandbox/invocations?limit=lots`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('limit must be a positive integer');
    expect((await fetch(`${sb.endpoint}/_sandbox/invocations?limit=5`)).status).toBe(200);
  });

  it('stays up after every malformed request', async () => {
    const res = await fetch(`${sb.endpoint}/_sandbox/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });
});

describe('vendguard sandbox CLI', () => {
  const run = async (...args: string[]): Promise<string> => {
    const { buildProgram } = await import('../../../cli/main');
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      lines.push(parts.join(' '));
    });
    const saved = process.env.AWS_ENDPOINT_URL;
    try {
      await buildProgram().parseAsync(['node', 'vendguard', '--endpoint-url', sb.endpoint, ...args]);
    } finally {
      log.mockRestore();
      process.env.AWS_ENDPOINT_URL = saved;
    }
    return lines.join('\n');
  };

  it('prints credentials that act as a role in an account given by name', async () => {
    const out = JSON.parse(
      await run('sandbox', 'credentials', '--account', 'egress', '--role', 'Developer', '--json'),
    ) as {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      expiration: string;
    };
    const { expiration, ...credentials } = out;
    const sts = new STSClient({ endpoint: sb.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${sb.accountId('egress')}:assumed-role/Developer/sandbox-cli`,
    );
    // an AssumeRole session's default length, on the sandbox clock
    const left = Date.parse(expiration) - sb.runtime.clock.nowMs();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(3_600_000);
    const exports = await run('sandbox', 'credentials', '--account', sb.accountId('bastion'));
    expect(exports).toMatch(/^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(exports).toMatch(/^export AWS_SESSION_TOKEN=\S+$/m);
  });

  it('refuses a role the account does not have, and a session length out of range (exit 2)', async () => {
    await expect(run('sandbox', 'credentials', '--account', 'egress', '--role', 'Ops')).rejects.toMatchObject({
      message: expect.stringContaining('has no role named Ops'),
      exitCode: 2,
    });
    await expect(
      run('sandbox', 'credentials', '--account', 'egress', '--duration-seconds', '60'),
    ).rejects.toMatchObject({ message: expect.stringContaining('--duration-seconds'), exitCode: 2 });
  });

  it('reports the status of the running sandbox', async () => {
    expect(await run('sandbox', 'status')).toContain(`sandbox ok at ${sb.endpoint}`);
  });
});
