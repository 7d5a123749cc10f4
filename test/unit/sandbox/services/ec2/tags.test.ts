import { type Ec2Harness, ec2Harness, type Items, type Result } from './harness';

describe('EC2 DescribeTags', () => {
  let h: Ec2Harness;
  let vpcId: string;
  let igwId: string;
  let groupId: string;

  beforeEach(async () => {
    h = await ec2Harness();
    vpcId = await h.vpc('10.1.0.0/16');
    await h.call('CreateTags', {
      ResourceId: [vpcId],
      Tag: [
        { Key: 'Name', Value: 'orders' },
        { Key: 'team', Value: 'a' },
      ],
    });
    const igw = await h.call('CreateInternetGateway', {
      TagSpecification: [{ ResourceType: 'internet-gateway', Tag: [{ Key: 'Name', Value: 'orders-igw' }] }],
    });
    igwId = (igw.internetGateway as Result).internetGatewayId as string;
    groupId = (
      await h.call('CreateSecurityGroup', {
        GroupName: 'web',
        GroupDescription: 'web',
        VpcId: vpcId,
        TagSpecification: [{ ResourceType: 'security-group', Tag: [{ Key: 'team', Value: 'b' }] }],
      })
    ).groupId as string;
  });
  afterEach(() => h.rt.close());

  const tags = async (input: Result = {}) => (await h.call('DescribeTags', input)).tagSet as Items;
  const filtered = (Name: string, ...Value: string[]) => tags({ Filter: [{ Name, Value }] });

  it("lists the tags of the caller's resources in the region, by resource type and id", async () => {
    expect(await tags()).toEqual([
      { resourceId: igwId, resourceType: 'internet-gateway', key: 'Name', value: 'orders-igw' },
      { resourceId: groupId, resourceType: 'security-group', key: 'team', value: 'b' },
      { resourceId: vpcId, resourceType: 'vpc', key: 'Name', value: 'orders' },
      { resourceId: vpcId, resourceType: 'vpc', key: 'team', value: 'a' },
    ]);
  });

  it('leaves out other accounts and other regions', async () => {
    const other = h.rt.organizations.accountIdByName('log-archive') as string;
    expect((await h.call('DescribeTags', {}, { accountId: other })).tagSet).toEqual([]);
    expect((await h.call('DescribeTags', {}, { region: 'us-east-1' })).tagSet).toEqual([]);
  });

  it('filters by resource-id, resource-type, key, value and tag:<key>', async () => {
    const keys = (items: Items) => items.map((t) => `${t.resourceId}:${t.key}`);
    expect(keys(await filtered('resource-id', vpcId))).toEqual([`${vpcId}:Name`, `${vpcId}:team`]);
    expect(keys(await filtered('resource-type', 'internet-gateway', 'security-group'))).toEqual([
      `${igwId}:Name`,
      `${groupId}:team`,
    ]);
    expect(keys(await filtered('key', 'team'))).toEqual([`${groupId}:team`, `${vpcId}:team`]);
    expect(keys(await filtered('value', 'orders*'))).toEqual([`${igwId}:Name`, `${vpcId}:Name`]);
    expect(keys(await filtered('tag:team', 'a'))).toEqual([`${vpcId}:Name`, `${vpcId}:team`]);
    expect(
      keys(
        await tags({
          Filter: [
            { Name: 'resource-type', Value: ['vpc'] },
            { Name: 'key', Value: ['Name'] },
          ],
        }),
      ),
    ).toEqual([`${vpcId}:Name`]);
  });

  it('refuses an unknown filter with InvalidParameterValue, even where no resource has tags', async () => {
    const other = h.rt.organizations.accountIdByName('network') as string;
    expect(await h.error('DescribeTags', { Filter: [{ Name: 'owner', Value: ['x'] }] }, { accountId: other })).toEqual({
      code: 'InvalidParameterValue',
      message: "The filter 'owner' is invalid",
      status: 400,
    });
  });

  it('pages with MaxResults and NextToken', async () => {
    for (let i = 0; i < 4; i++) {
      await h.call('CreateTags', { ResourceId: [groupId], Tag: [{ Key: `k${i}`, Value: String(i) }] });
    }
    const first = await h.call('DescribeTags', { MaxResults: '5' });
    expect(first.tagSet).toHaveLength(5);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await h.call('DescribeTags', { MaxResults: '5', NextToken: first.nextToken });
    expect(second.tagSet).toHaveLength(3);
    expect(second.nextToken).toBeUndefined();
    expect([...(first.tagSet as Items), ...(second.tagSet as Items)]).toEqual(await tags());
  });

  it('refuses MaxResults outside 5..1000 and a token it did not issue with InvalidParameterValue', async () => {
    expect(await h.error('DescribeTags', { MaxResults: '3' })).toEqual({
      code: 'InvalidParameterValue',
      message: 'Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
      status: 400,
    });
    expect(await h.error('DescribeTags', { MaxResults: '1001' })).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Value ( 1001 ) for parameter maxResults is invalid. Expecting a value less than 1000.',
    });
    expect(await h.error('DescribeTags', { NextToken: 'bogus' })).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Value ( bogus ) for parameter NextToken is invalid. The token is invalid.',
    });
  });
});
