import type { OperationHandler, SandboxRuntime } from '../../core/types';
import { describeInput } from './describe';
import { InvalidParameterValue } from './errors';
import { checkFilterNames, matchesFilters } from './filters';
import { list } from './input';

/**
 * Regions and Availability Zones as EC2 describes them. The regions are the standard commercial
 * ones (the `aws` partition); those launched before 20 March 2019 are enabled in every account
 * (`opt-in-not-required`), the later ones only in accounts that opted in: here, the regions the
 * organization config allows (`organization.allowedRegions`) count as `opted-in`, the others are
 * `not-opted-in`. Every region has three zones, `<region>a|b|c`, with the zone ids
 * `<abbreviation>-az1|2|3` (eu-west-1 → `euw1`).
 */

/** The standard commercial regions and whether an account must opt in to use them. */
export const COMMERCIAL_REGIONS = {
  'us-east-1': 'default',
  'us-east-2': 'default',
  'us-west-1': 'default',
  'us-west-2': 'default',
  'ca-central-1': 'default',
  'sa-east-1': 'default',
  'eu-west-1': 'default',
  'eu-west-2': 'default',
  'eu-west-3': 'default',
  'eu-central-1': 'default',
  'eu-north-1': 'default',
  'ap-south-1': 'default',
  'ap-northeast-1': 'default',
  'ap-northeast-2': 'default',
  'ap-northeast-3': 'default',
  'ap-southeast-1': 'default',
  'ap-southeast-2': 'default',
  'af-south-1': 'opt-in',
  'ap-east-1': 'opt-in',
  'ap-east-2': 'opt-in',
  'ap-south-2': 'opt-in',
  'ap-southeast-3': 'opt-in',
  'ap-southeast-4': 'opt-in',
  'ap-southeast-5': 'opt-in',
  'ap-southeast-6': 'opt-in',
  'ap-southeast-7': 'opt-in',
  'ca-west-1': 'opt-in',
  'eu-central-2': 'opt-in',
  'eu-south-1': 'opt-in',
  'eu-south-2': 'opt-in',
  'il-central-1': 'opt-in',
  'me-central-1': 'opt-in',
  'me-south-1': 'opt-in',
  'mx-central-1': 'opt-in',
} as const satisfies Record<string, 'default' | 'opt-in'>;

export const OPT_IN_STATUS = {
  notRequired: 'opt-in-not-required',
  optedIn: 'opted-in',
  notOptedIn: 'not-opted-in',
} as const;
export type OptInStatus = (typeof OPT_IN_STATUS)[keyof typeof OPT_IN_STATUS];

export interface RegionInfo {
  readonly regionName: string;
  readonly regionEndpoint: string;
  readonly optInStatus: OptInStatus;
}

export interface ZoneInfo {
  readonly zoneName: string;
  readonly zoneId: string;
  readonly zoneState: 'available';
  readonly regionName: string;
  readonly groupName: string;
  readonly networkBorderGroup: string;
  readonly zoneType: 'availability-zone';
  readonly optInStatus: 'opt-in-not-required';
  readonly messageSet: never[];
}

/** Every region the sandbox knows, sorted by name: the commercial ones and any other allowed one. */
export function knownRegions(runtime: SandboxRuntime): RegionInfo[] {
  const allowed = new Set(runtime.config.organization.allowedRegions);
  const names = new Set<string>([...Object.keys(COMMERCIAL_REGIONS), ...allowed]);
  return [...names].sort().map((regionName) => {
    const kind = (COMMERCIAL_REGIONS as Readonly<Record<string, string>>)[regionName];
    const optInStatus =
      kind === 'default'
        ? OPT_IN_STATUS.notRequired
        : allowed.has(regionName)
          ? OPT_IN_STATUS.optedIn
          : OPT_IN_STATUS.notOptedIn;
    return { regionName, regionEndpoint: `ec2.${regionName}.amazonaws.com`, optInStatus };
  });
}

/** The zone id prefix of a region as AWS forms it: `eu-west-1` → `euw1`, `ap-southeast-2` → `apse2`. */
export function zoneIdPrefix(region: string): string {
  const [area = '', ...rest] = region.split('-');
  const number = rest.pop() ?? '';
  const middle = rest
    .map((word) => word.replace(/north|south|east|west|central/g, (w) => w.charAt(0)))
    .map((w) => (/^[nsewc]+$/.test(w) ? w : w.charAt(0)));
  return `${area}${middle.join('')}${number}`;
}

/** The three Availability Zones of a region. */
export function availabilityZones(region: string): ZoneInfo[] {
  return ['a', 'b', 'c'].map((letter, i) => ({
    zoneName: `${region}${letter}`,
    zoneId: `${zoneIdPrefix(region)}-az${i + 1}`,
    zoneState: 'available',
    regionName: region,
    groupName: region,
    networkBorderGroup: region,
    zoneType: 'availability-zone',
    optInStatus: 'opt-in-not-required',
    messageSet: [],
  }));
}

const REGION_FILTERS = new Set(['endpoint', 'opt-in-status', 'region-name']);
const ZONE_FILTERS = new Set([
  'group-name',
  'opt-in-status',
  'region-name',
  'state',
  'zone-id',
  'zone-name',
  'zone-type',
]);

/** `DescribeRegions` and `DescribeAvailabilityZones`. */
export function regionOperations(runtime: SandboxRuntime): Record<string, OperationHandler> {
  return {
    /**
     * The regions enabled for the account (opt-in-not-required, opted-in); `AllRegions=true` adds the
     * disabled ones, and `RegionName.N` names any of them. An unknown name is `InvalidParameterValue`
     * ("Invalid region: [xx-fake-1]").
     */
    DescribeRegions(input) {
      const names = list(input, 'RegionName');
      const all = input.AllRegions === true || input.AllRegions === 'true';
      const { filter } = describeInput(input);
      checkFilterNames(filter, (name) => REGION_FILTERS.has(name));
      const regions = knownRegions(runtime);
      const unknown = names?.find((n) => !regions.some((r) => r.regionName === n));
      if (unknown !== undefined) throw new InvalidParameterValue(`Invalid region: [${unknown}]`);
      const selected = regions
        .filter((r) => (names ? names.includes(r.regionName) : all || r.optInStatus !== OPT_IN_STATUS.notOptedIn))
        .filter((r) =>
          matchesFilters(filter, (name) => {
            if (name === 'endpoint') return [r.regionEndpoint];
            if (name === 'opt-in-status') return [r.optInStatus];
            return [r.regionName];
          }),
        );
      return { regionInfo: selected };
    },

    /**
     * The zones of the request's region; `ZoneName.N`/`ZoneId.N` pick some (an unknown one is
     * `InvalidParameterValue` "Invalid availability zone: [eu-west-1z]").
     */
    DescribeAvailabilityZones(input, ctx) {
      const names = list(input, 'ZoneName');
      const ids = list(input, 'ZoneId');
      const { filter } = describeInput(input);
      checkFilterNames(filter, (name) => ZONE_FILTERS.has(name));
      const zones = availabilityZones(ctx.region);
      const unknownName = names?.find((n) => !zones.some((z) => z.zoneName === n));
      if (unknownName !== undefined) throw new InvalidParameterValue(`Invalid availability zone: [${unknownName}]`);
      const unknownId = ids?.find((id) => !zones.some((z) => z.zoneId === id));
      if (unknownId !== undefined) throw new InvalidParameterValue(`Invalid availability zone-id: [${unknownId}]`);
      const selected = zones
        .filter((z) => (!names && !ids) || names?.includes(z.zoneName) || ids?.includes(z.zoneId))
        .filter((z) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'group-name':
                return [z.groupName];
              case 'opt-in-status':
                return [z.optInStatus];
              case 'region-name':
                return [z.regionName];
              case 'state':
                return [z.zoneState];
              case 'zone-id':
                return [z.zoneId];
              case 'zone-type':
                return [z.zoneType];
              default:
                return [z.zoneName];
            }
          }),
        );
      return { availabilityZoneInfo: selected };
    },
  };
}
