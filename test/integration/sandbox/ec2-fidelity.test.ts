import {
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeTags,
} from '@aws-sdk/client-ec2';
import { type CliResult, installedAwsClis, runAws, sessionEnv } from '../../helpers/aws-cli';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/** Every distinct `aws` on the PATH (the pyenv v1 shim, Debian's v2, …). */
const clis = installedAwsClis().map((c) => c.path);
const describeCli = clis.length > 0 ? describe : describe.skip;

let sb: TestSandbox;
/** An account in Workloads/Dev, where the deny-IGW SCP applies. */
let devAccount: string;
let network: EC2Client;

const sessionOf = sessionEnv;
const networkDeveloper = () => sessionOf(sb.credentials({ accountId: sb.accountId('egress'), role: 'Developer' }));

const run = (cli: string, args: string[], credentials: Record<string, string>): Promise<CliResult> =>
  runAws(cli, sb.endpoint, args, credentials);

/** Runs one command with every installed CLI at once. */
const everyCli = (args: string[], credentials: Record<string, string> = networkDeveloper()) =>
  Promise.all(clis.map((cli) => run(cli, args, credentials)));

/** The parsed output of a successful run, with the CLI named when it failed. */
function json(r: CliResult): Record<string, unknown> {
  expect({ cli: r.cli, code: r.code, stderr: r.stderr }).toEqual({ cli: r.cli, code: 0, stderr: '' });
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Asserts that a run failed with AWS's error line for `code` (and the message, when given). CLI v2
 * adds "(reached max retries: 0)" after the operation, since AWS_MAX_ATTEMPTS=1 leaves no retry.
 */
function expectAwsError(r: CliResult, operation: string, code: string, message = ''): void {
  const line = new RegExp(
    `An error occurred \\(${literal(code)}\\) when calling the ${operation} operation( \\(reached max retries: \\d+\\))?: ${literal(message)}`,
  );
  expect({ cli: r.cli, failed: r.code !== 0, stderr: r.stderr }).toEqual({
    cli: r.cli,
    failed: true,
    stderr: expect.stringMatching(line),
  });
}

type SdkError = { name: string; message: string; $metadata: { httpStatusCode?: number } };
const errorOf = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e as SdkError,
  );

async function newVpc(cidr: string, tags: { Key: string; Value: string }[] = []): Promise<string> {
  const out = await network.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      ...(tags.length ? { TagSpecifications: [{ ResourceType: 'vpc', Tags: tags }] } : {}),
    }),
  );
  return out.Vpc?.VpcId as string;
}

const vpcCount = async () => (await network.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0;

beforeAll(async () => {
  sb = await startTestSandbox();
  network = sb.client(EC2Client, { accountId: sb.accountId('egress'), role: 'Developer' });
  devAccount = await createAccountIn(sb, 'fidelity-dev', 'Workloads/Dev');
}, 30_000);
afterAll(() => sb?.stop());

describe('EC2 fidelity through the SDK', () => {
  it('describes the enabled regions, all regions with AllRegions, named ones, and refuses an unknown one', async () => {
    const enabled = (await network.send(new DescribeRegionsCommand({}))).Regions ?? [];
    expect(enabled).toHaveLength(17);
    expect(enabled).toContainEqual({
      RegionName: 'eu-west-1',
      Endpoint: 'ec2.eu-west-1.amazonaws.com',
      OptInStatus: 'opt-in-not-required',
    });
    const all = (await network.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions ?? [];
    expect(all.length).toBeGreaterThan(enabled.length);
    expect(all).toContainEqual(expect.objectContaining({ RegionName: 'af-south-1', OptInStatus: 'not-opted-in' }));
    const named = await network.send(new DescribeRegionsCommand({ RegionNames: ['eu-central-1', 'me-south-1'] }));
    expect(named.Regions?.map((r) => r.RegionName)).toEqual(['eu-central-1', 'me-south-1']);
    const err = await errorOf(network.send(new DescribeRegionsCommand({ RegionNames: ['xx-fake-1'] })));
    expect(err).toMatchObject({ name: 'InvalidParameterValue', message: 'Invalid region: [xx-fake-1]' });
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('describes the Availability Zones of the request region, by ZoneNames and by filters', async () => {
    const zones = (await network.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? [];
    expect(zones.map((z) => [z.ZoneName, z.ZoneId, z.State, z.RegionName])).toEqual([
      ['eu-west-1a', 'euw1-az1', 'available', 'eu-west-1'],
      ['eu-west-1b', 'euw1-az2', 'available', 'eu-west-1'],
      ['eu-west-1c', 'euw1-az3', 'available', 'eu-west-1'],
    ]);
    expect(zones[0]).toMatchObject({ ZoneType: 'availability-zone', OptInStatus: 'opt-in-not-required', Messages: [] });
    const byName = await network.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1c'] }));
    expect(byName.AvailabilityZones?.map((z) => z.ZoneId)).toEqual(['euw1-az3']);
    const filtered = await network.send(
      new DescribeAvailabilityZonesCommand({
        Filters: [
          { Name: 'zone-name', Values: ['eu-west-1a', 'eu-west-1b'] },
          { Name: 'region-name', Values: ['eu-west-1'] },
        ],
      }),
    );
    expect(filtered.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['eu-west-1a', 'eu-west-1b']);
    const virginia = sb.client(EC2Client, {
      accountId: sb.accountId('egress'),
      role: 'Developer',
      region: 'us-east-1',
    });
    const east = (await virginia.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? [];
    expect(east.map((z) => z.ZoneId)).toEqual(['use1-az1', 'use1-az2', 'use1-az3']);
  });

  it('describes tags with resource-id, resource-type, key and value filters, page by page', async () => {
    const vpcId = await newVpc('10.40.0.0/16', [{ Key: 'Name', Value: 'sdk-tags' }]);
    const { InternetGateway } = await network.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'sdk-tags-igw' }] }],
      }),
    );
    const igwId = InternetGateway?.InternetGatewayId as string;
    const filtered = async (Name: string, ...Values: string[]) =>
      (await network.send(new DescribeTagsCommand({ Filters: [{ Name, Values }] }))).Tags ?? [];
    expect(await filtered('resource-id', vpcId)).toEqual([
      { ResourceId: vpcId, ResourceType: 'vpc', Key: 'Name', Value: 'sdk-tags' },
    ]);
    expect((await filtered('resource-type', 'internet-gateway')).map((t) => t.ResourceId)).toContain(igwId);
    expect((await filtered('value', 'sdk-tags*')).map((t) => t.ResourceId).sort()).toEqual([igwId, vpcId].sort());
    expect((await filtered('key', 'Name')).length).toBeGreaterThanOrEqual(2);

    await network.send(
      new CreateTagsCommand({
        Resources: [vpcId],
        Tags: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: String(i) })),
      }),
    );
    const pages: number[] = [];
    const paged = [];
    for await (const page of paginateDescribeTags(
      { client: network, pageSize: 5 },
      { Filters: [{ Name: 'resource-id', Values: [vpcId] }] },
    )) {
      pages.push(page.Tags?.length ?? 0);
      paged.push(...(page.Tags ?? []));
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(paged).toEqual(await filtered('resource-id', vpcId));
    const tooSmall = await errorOf(network.send(new DescribeTagsCommand({ MaxResults: 3 })));
    expect(tooSmall).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
    });
  });

  it('refuses malformed and out-of-range CIDR blocks with the EC2 codes and messages', async () => {
    expect(await errorOf(network.send(new CreateVpcCommand({ CidrBlock: '999.0.0.0/77' })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value (999.0.0.0/77) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
    });
    expect(await errorOf(network.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).toMatchObject({
      name: 'InvalidVpc.Range',
      message: "The CIDR '10.0.0.0/8' is invalid.",
    });
    const vpcId = await newVpc('10.41.0.0/16');
    const subnet = (CidrBlock: string) => network.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock }));
    expect(await errorOf(subnet('10.42.0.0/24'))).toMatchObject({
      name: 'InvalidSubnet.Range',
      message: "The CIDR '10.42.0.0/24' is invalid.",
    });
    expect(await errorOf(subnet('10.41.0.0/29'))).toMatchObject({
      name: 'InvalidSubnet.Range',
      message: "The CIDR '10.41.0.0/29' is invalid.",
    });
    const created = await subnet('10.41.0.7/24');
    expect(created.Subnet).toMatchObject({ CidrBlock: '10.41.0.0/24', AvailabilityZoneId: 'euw1-az1' });
    expect(await errorOf(subnet('10.41.0.128/25'))).toMatchObject({
      name: 'InvalidSubnet.Conflict',
      message: "The CIDR '10.41.0.128/25' conflicts with another subnet",
    });
    const { GroupId } = await network.send(
      new CreateSecurityGroupCommand({ GroupName: 'sdk-cidr', Description: 'sdk', VpcId: vpcId }),
    );
    const ingress = await errorOf(
      network.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '999.1.1.1/0' }] }],
        }),
      ),
    );
    expect(ingress).toMatchObject({ name: 'InvalidParameterValue', message: 'CIDR block 999.1.1.1/0 is malformed' });
  });

  it('answers an allowed dry run with DryRunOperation (412) and creates nothing', async () => {
    const before = await vpcCount();
    const err = await errorOf(network.send(new CreateVpcCommand({ CidrBlock: '10.43.0.0/16', DryRun: true })));
    expect(err).toMatchObject({
      name: 'DryRunOperation',
      message: 'Request would have succeeded, but DryRun flag is set.',
    });
    expect(err.$metadata.httpStatusCode).toBe(412);
    expect(await vpcCount()).toBe(before);
  });

  it('answers a dry run an SCP denies with UnauthorizedOperation (403)', async () => {
    const dev = sb.client(EC2Client, { accountId: devAccount, role: 'Developer', session: 'dry' });
    const err = await errorOf(dev.send(new CreateInternetGatewayCommand({ DryRun: true })));
    expect(err.name).toBe('UnauthorizedOperation');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toContain('with an explicit deny in a service control policy');
  });
});

describeCli('EC2 fidelity through the AWS CLI', () => {
  it('describes named regions, enabled or not, and refuses an unknown name', async () => {
    const [named, unknown] = await Promise.all([
      everyCli(['ec2', 'describe-regions', '--all-regions', '--region-names', 'eu-west-1', 'ap-east-1']),
      everyCli(['ec2', 'describe-regions', '--region-names', 'xx-fake-1']),
    ]);
    for (const r of named) {
      expect(json(r).Regions).toEqual([
        { RegionName: 'ap-east-1', Endpoint: 'ec2.ap-east-1.amazonaws.com', OptInStatus: 'not-opted-in' },
        { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      ]);
    }
    for (const r of unknown) {
      expectAwsError(r, 'DescribeRegions', 'InvalidParameterValue', 'Invalid region: [xx-fake-1]');
    }
  });

  it('describes the Availability Zones of a region and filters them by name', async () => {
    for (const r of await everyCli([
      'ec2',
      'describe-availability-zones',
      '--filters',
      'Name=zone-name,Values=eu-west-1b',
      'Name=region-name,Values=eu-west-1',
    ])) {
      expect(json(r).AvailabilityZones).toEqual([
        expect.objectContaining({
          ZoneName: 'eu-west-1b',
          ZoneId: 'euw1-az2',
          State: 'available',
          RegionName: 'eu-west-1',
        }),
      ]);
    }
  });

  it('describes the tags of a resource across pages of 5', async () => {
    const vpcId = await newVpc('10.50.0.0/16', [{ Key: 'Name', Value: 'cli-tags' }]);
    await network.send(
      new CreateTagsCommand({
        Resources: [vpcId],
        Tags: Array.from({ length: 6 }, (_, i) => ({ Key: `k${i}`, Value: String(i) })),
      }),
    );
    for (const r of await everyCli([
      'ec2',
      'describe-tags',
      '--page-size',
      '5',
      '--filters',
      `Name=resource-id,Values=${vpcId}`,
    ])) {
      const tags = json(r).Tags as Record<string, string>[];
      expect(tags).toHaveLength(7);
      expect(tags[0]).toEqual({ ResourceId: vpcId, ResourceType: 'vpc', Key: 'Name', Value: 'cli-tags' });
    }
  });

  it('refuses malformed and out-of-range CIDR blocks with the EC2 codes and messages', async () => {
    const vpcId = await newVpc('10.51.0.0/16');
    await network.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.51.0.0/24' }));
    const { GroupId } = await network.send(
      new CreateSecurityGroupCommand({ GroupName: 'cli-cidr', Description: 'cli', VpcId: vpcId }),
    );
    const [malformed, range, outside, conflict, ingress] = await Promise.all([
      everyCli(['ec2', 'create-vpc', '--cidr-block', '999.0.0.0/77']),
      everyCli(['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/8']),
      everyCli(['ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.52.0.0/24']),
      everyCli(['ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.51.0.0/25']),
      everyCli([
        'ec2',
        'authorize-security-group-ingress',
        '--group-id',
        GroupId as string,
        '--protocol',
        'tcp',
        '--port',
        '22',
        '--cidr',
        '999.1.1.1/0',
      ]),
    ]);
    for (const r of malformed) {
      expectAwsError(
        r,
        'CreateVpc',
        'InvalidParameterValue',
        'Value (999.0.0.0/77) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
      );
    }
    for (const r of range) expectAwsError(r, 'CreateVpc', 'InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid.");
    for (const r of outside) {
      expectAwsError(r, 'CreateSubnet', 'InvalidSubnet.Range', "The CIDR '10.52.0.0/24' is invalid.");
    }
    for (const r of conflict) {
      expectAwsError(
        r,
        'CreateSubnet',
        'InvalidSubnet.Conflict',
        "The CIDR '10.51.0.0/25' conflicts with another subnet",
      );
    }
    for (const r of ingress) {
      expectAwsError(
        r,
        'AuthorizeSecurityGroupIngress',
        'InvalidParameterValue',
        'CIDR block 999.1.1.1/0 is malformed',
      );
    }
  });

  it('answers --dry-run with DryRunOperation and creates nothing; a denied one with UnauthorizedOperation', async () => {
    const before = await vpcCount();
    const dev = sessionOf(sb.credentials({ accountId: devAccount, role: 'Developer', session: 'cli-dry' }));
    const [allowed, denied] = await Promise.all([
      everyCli(['ec2', 'create-vpc', '--cidr-block', '10.53.0.0/16', '--dry-run']),
      everyCli(['ec2', 'create-internet-gateway', '--dry-run'], dev),
    ]);
    for (const r of allowed) {
      expectAwsError(r, 'CreateVpc', 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    }
    for (const r of denied) {
      expectAwsError(r, 'CreateInternetGateway', 'UnauthorizedOperation', 'You are not authorized to perform');
      expect(r.stderr).toContain('with an explicit deny in a service control policy');
    }
    expect(await vpcCount()).toBe(before);
  });
});
