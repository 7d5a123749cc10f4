import {
  availabilityZones,
  COMMERCIAL_REGIONS,
  regionOperations,
  zoneIdPrefix,
} from '../../../../../sandbox/services/ec2/regions';
import { type Ec2Harness, ec2Harness, type Items, type Result } from './harness';

describe('EC2 regions and Availability Zones', () => {
  let h: Ec2Harness;
  beforeEach(async () => {
    h = await ec2Harness();
  });
  afterEach(() => h.rt.close());

  const regions = async (input: Result = {}) => (await h.call('DescribeRegions', input)).regionInfo as Items;
  const zones = async (input: Result = {}, region?: string) =>
    (await h.call('DescribeAvailabilityZones', input, region ? { region } : {})).availabilityZoneInfo as Items;

  describe('DescribeRegions', () => {
    it('lists the regions enabled for the account: every default region, no opt-in region nobody opted in to', async () => {
      const listed = await regions();
      const defaults = Object.entries(COMMERCIAL_REGIONS).filter(([, kind]) => kind === 'default');
      expect(listed).toHaveLength(17);
      expect(listed.map((r) => r.regionName)).toEqual(defaults.map(([name]) => name).sort());
      expect(listed).toContainEqual({
        regionName: 'eu-west-1',
        regionEndpoint: 'ec2.eu-west-1.amazonaws.com',
        optInStatus: 'opt-in-not-required',
      });
      expect(listed.map((r) => r.regionName)).not.toContain('af-south-1');
    });

    it('adds the disabled regions with AllRegions, as not-opted-in', async () => {
      const listed = await regions({ AllRegions: 'true' });
      expect(listed).toHaveLength(Object.keys(COMMERCIAL_REGIONS).length);
      expect(listed).toContainEqual({
        regionName: 'af-south-1',
        regionEndpoint: 'ec2.af-south-1.amazonaws.com',
        optInStatus: 'not-opted-in',
      });
      expect(await regions({ AllRegions: 'false' })).toHaveLength(17);
    });

    it('counts an opt-in region the organization config allows as opted-in and lists it by default', () => {
      const config = {
        ...h.rt.config,
        organization: { ...h.rt.config.organization, allowedRegions: ['eu-west-1', 'eu-south-2'] },
      };
      const describeRegions = regionOperations({ ...h.rt, config }).DescribeRegions;
      if (!describeRegions) throw new Error('no DescribeRegions');
      const listed = (describeRegions({}, h.rt.context('DescribeRegions')) as { regionInfo: Items }).regionInfo;
      expect(listed).toHaveLength(18);
      expect(listed).toContainEqual(expect.objectContaining({ regionName: 'eu-south-2', optInStatus: 'opted-in' }));
    });

    it('describes any named region, enabled or not', async () => {
      const listed = await regions({ RegionName: ['me-south-1', 'us-east-1'] });
      expect(listed.map((r) => [r.regionName, r.optInStatus])).toEqual([
        ['me-south-1', 'not-opted-in'],
        ['us-east-1', 'opt-in-not-required'],
      ]);
    });

    it('refuses an unknown region name with InvalidParameterValue', async () => {
      expect(await h.error('DescribeRegions', { RegionName: ['eu-west-1', 'xx-fake-1'] })).toEqual({
        code: 'InvalidParameterValue',
        message: 'Invalid region: [xx-fake-1]',
        status: 400,
      });
    });

    it('filters by region-name, opt-in-status and endpoint, with wildcards', async () => {
      const names = async (Filter: Result[], extra: Result = {}) =>
        (await regions({ Filter, ...extra })).map((r) => r.regionName);
      expect(await names([{ Name: 'region-name', Value: ['eu-*'] }])).toEqual([
        'eu-central-1',
        'eu-north-1',
        'eu-west-1',
        'eu-west-2',
        'eu-west-3',
      ]);
      expect(await names([{ Name: 'opt-in-status', Value: ['not-opted-in'] }], { AllRegions: 'true' })).toHaveLength(
        17,
      );
      expect(await names([{ Name: 'endpoint', Value: ['ec2.us-west-?.amazonaws.com'] }])).toEqual([
        'us-west-1',
        'us-west-2',
      ]);
      expect(await h.error('DescribeRegions', { Filter: [{ Name: 'continent', Value: ['eu'] }] })).toMatchObject({
        code: 'InvalidParameterValue',
        message: "The filter 'continent' is invalid",
      });
    });
  });

  describe('DescribeAvailabilityZones', () => {
    it('lists the three zones of the request region with their ids', async () => {
      expect(await zones()).toEqual(
        ['a', 'b', 'c'].map((letter, i) => ({
          zoneName: `eu-west-1${letter}`,
          zoneId: `euw1-az${i + 1}`,
          zoneState: 'available',
          regionName: 'eu-west-1',
          groupName: 'eu-west-1',
          networkBorderGroup: 'eu-west-1',
          zoneType: 'availability-zone',
          optInStatus: 'opt-in-not-required',
          messageSet: [],
        })),
      );
      expect((await zones({}, 'ap-southeast-2')).map((z) => z.zoneId)).toEqual(['apse2-az1', 'apse2-az2', 'apse2-az3']);
    });

    it('picks zones by ZoneName, ZoneId and the zone-name, zone-id, region-name and state filters', async () => {
      const names = async (input: Result) => (await zones(input)).map((z) => z.zoneName);
      expect(await names({ ZoneName: ['eu-west-1b'] })).toEqual(['eu-west-1b']);
      expect(await names({ ZoneId: ['euw1-az3'] })).toEqual(['eu-west-1c']);
      expect(await names({ Filter: [{ Name: 'zone-name', Value: ['eu-west-1a', 'eu-west-1c'] }] })).toEqual([
        'eu-west-1a',
        'eu-west-1c',
      ]);
      expect(await names({ Filter: [{ Name: 'zone-id', Value: ['euw1-az2'] }] })).toEqual(['eu-west-1b']);
      expect(await names({ Filter: [{ Name: 'region-name', Value: ['eu-west-1'] }] })).toHaveLength(3);
      expect(await names({ Filter: [{ Name: 'region-name', Value: ['us-east-1'] }] })).toEqual([]);
      expect(await names({ Filter: [{ Name: 'state', Value: ['available'] }] })).toHaveLength(3);
    });

    it('refuses a zone of another region, an unknown zone id and an unknown filter with InvalidParameterValue', async () => {
      expect(await h.error('DescribeAvailabilityZones', { ZoneName: ['us-east-1a'] })).toEqual({
        code: 'InvalidParameterValue',
        message: 'Invalid availability zone: [us-east-1a]',
        status: 400,
      });
      expect(await h.error('DescribeAvailabilityZones', { ZoneId: ['euw1-az9'] })).toMatchObject({
        code: 'InvalidParameterValue',
        message: 'Invalid availability zone-id: [euw1-az9]',
      });
      expect(await h.error('DescribeAvailabilityZones', { Filter: [{ Name: 'colour', Value: ['x'] }] })).toMatchObject({
        code: 'InvalidParameterValue',
        message: "The filter 'colour' is invalid",
      });
    });

    it('forms zone ids from the region name as AWS does', () => {
      expect(
        ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1', 'ca-west-1', 'il-central-1', 'us-gov-west-1'].map(
          zoneIdPrefix,
        ),
      ).toEqual(['use1', 'usw2', 'euc1', 'apne1', 'caw1', 'ilc1', 'usgw1']);
      expect(availabilityZones('sa-east-1').map((z) => z.zoneId)).toEqual(['sae1-az1', 'sae1-az2', 'sae1-az3']);
    });
  });
});
