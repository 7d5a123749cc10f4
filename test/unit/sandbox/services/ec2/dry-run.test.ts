import { type Ec2Harness, ec2Harness, type Items } from './harness';

/** What the service does with `DryRun=true` once the server has authorized the call (the denial is an integration test). */
describe('EC2 DryRun', () => {
  let h: Ec2Harness;
  beforeEach(async () => {
    h = await ec2Harness();
  });
  afterEach(() => h.rt.close());

  const dryRunOperation = {
    code: 'DryRunOperation',
    message: 'Request would have succeeded, but DryRun flag is set.',
    status: 412,
  };

  it('answers DryRunOperation (412) and creates nothing', async () => {
    const before = (await h.call('DescribeVpcs')).vpcSet as Items;
    expect(await h.error('CreateVpc', { CidrBlock: '10.7.0.0/16', DryRun: 'true' })).toEqual(dryRunOperation);
    expect(await h.error('CreateInternetGateway', { DryRun: 'true' })).toEqual(dryRunOperation);
    expect((await h.call('DescribeVpcs')).vpcSet).toEqual(before);
    expect((await h.call('DescribeInternetGateways')).internetGatewaySet).toEqual([]);
  });

  it('answers DryRunOperation for the describe calls too, and runs the call when DryRun is false', async () => {
    expect(await h.error('DescribeRegions', { DryRun: 'true' })).toEqual(dryRunOperation);
    expect(await h.error('DescribeTags', { DryRun: 'true' })).toEqual(dryRunOperation);
    await expect(h.call('CreateVpc', { CidrBlock: '10.7.0.0/16', DryRun: 'false' })).resolves.toHaveProperty('vpc');
  });
});
