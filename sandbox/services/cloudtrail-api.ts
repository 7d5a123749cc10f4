import { CLOUDTRAIL_SERVICE_PRINCIPAL, ORGANIZATION_TRAIL_NAME } from '../../config/organization-services';
import { requiredString } from '../core/protocols/input';
import { coreAccountId, type LocalRuntime } from '../core/runtime';
import type { AuthorizationDetails, RequestContext, ServiceDefinition } from '../core/types';
import { AwsServiceError } from '../core/types';
import { lookupEventsOperation } from './cloudtrail-history';
import { isServiceAccessEnabled, onServiceAccessDisabled } from './organizations/trusted-access';

/**
 * The CloudTrail trail API (awsJson1_1): `CreateTrail`, `UpdateTrail`, `DeleteTrail`, `GetTrail`,
 * `DescribeTrails`, `StartLogging`, `StopLogging`, `GetTrailStatus`, and `LookupEvents`.
 *
 * - Every account and region has a logging single-Region trail `management-events`, created on first
 *   use (deleted, it stays deleted). A trail made with `CreateTrail` does not log until `StartLogging`.
 * - A trail lives in its home Region; a multi-Region trail shows in every other Region as a shadow
 *   trail, read by ARN there, changed only from home (`InvalidHomeRegionException`).
 * - An organization trail is the management account's, and needs trusted access for
 *   `cloudtrail.amazonaws.com`. Member accounts see it (`DescribeTrails`, `GetTrail` and
 *   `GetTrailStatus` by ARN) but cannot change it: to them it is an unknown trail. Disabling trusted
 *   access turns it into a single-account trail, as AWS does.
 * - The sandbox seeds an organization trail `vendguard-organization-trail` in the management
 *   account's home Region on first start: multi-Region, logging, into the log archive's bucket.
 *
 * The sandbox's own CloudTrail events (the bus, `LookupEvents`) do not depend on these trails: a
 * stopped trail only changes what these calls report.
 */

/**
 * The `X-Amz-Target` prefixes clients send, both served by AWS: SDK v3 sends the Smithy service name
 * (`CloudTrail_20131101.DescribeTrails`), botocore — so the AWS CLI v1 and v2 — its model's
 * `metadata.targetPrefix` (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails`).
 * A {@link ServiceDefinition} names one prefix and the server matches it exactly, so the sandbox serves
 * the first; the CLIs' prefix needs the server to accept an alias (docs/sandbox.md, CloudTrail).
 */
export const CLOUDTRAIL_TARGET_PREFIXES = [
  'CloudTrail_20131101',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
] as const;

const TABLE = 'cloudtrail.trails';
/** `<account>/<region>` where the default trail was made (so a deleted one is not made again). */
const DEFAULTS = 'cloudtrail.defaults';
const META = 'cloudtrail.meta';
export const DEFAULT_TRAIL = 'management-events';
/** Trails per account and Region, multi-Region trails of the account counted in every Region (not adjustable). */
export const MAX_TRAILS_PER_REGION = 5;

/** A trail as stored. Fields after `stoppedAt` are absent from records of older sandboxes (defaults apply). */
interface TrailRecord {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion: string;
  readonly accountId: string;
  isLogging: boolean;
  startedAt?: string;
  stoppedAt?: string;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  snsTopicName?: string;
  includeGlobalServiceEvents?: boolean;
  isMultiRegionTrail?: boolean;
  isOrganizationTrail?: boolean;
  logFileValidationEnabled?: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  kmsKeyId?: string;
}

const TRAIL_ARN = /^arn:aws:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/([\w.-]{3,128})$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_S3_PREFIX = 200;

/** AWS's message when the caller of an organization-trail change is not the management account. */
export const NOT_MANAGEMENT_ACCOUNT_MESSAGE =
  'You cannot configure or manage trails for an organization because this action requires being signed in with the management account.';
/** AWS's message when trusted access for CloudTrail is not enabled. */
export const CLOUDTRAIL_ACCESS_NOT_ENABLED_MESSAGE =
  'The request could not be processed because your organization hasn’t enabled CloudTrail service access. Enable service access for CloudTrail, and then try again';

/** What CloudTrail reads of the organization, as the caller, to make an organization trail. */
const ORGANIZATION_TRAIL_DEPENDENCIES = [
  'organizations:DescribeOrganization',
  'organizations:ListAWSServiceAccessForOrganization',
] as const;

const error = (code: string, message: string) => new AwsServiceError(code, message);
const arnOf = (accountId: string, region: string, name: string) =>
  `arn:aws:cloudtrail:${region}:${accountId}:trail/${name}`;
const keyOf = (accountId: string, region: string, name: string) => `${accountId}/${region}/${name}`;
const visibleIn = (r: TrailRecord, region: string) => r.homeRegion === region || r.isMultiRegionTrail === true;

/** Throws `InvalidTrailNameException` unless `name` meets CloudTrail's trail name rules. */
function validTrailName(name: string): string {
  const invalid = (message: string) => error('InvalidTrailNameException', message);
  if (name.length < 3) {
    throw invalid(
      `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (name.length > 128) {
    throw invalid(
      `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (!/^[A-Za-z0-9]/.test(name)) throw invalid('Trail name must starts with a letter or number.');
  if (!/[A-Za-z0-9]$/.test(name)) throw invalid('Trail name must ends with a letter or number.');
  if (!/^[\w.-]+$/.test(name)) {
    throw invalid(
      'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
    );
  }
  if (/[._-]{2}/.test(name)) throw invalid(`Trail name ${name} has adjacent periods, hyphens or underscores.`);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) throw invalid(`Trail name ${name} is in IP address format.`);
  return name;
}

/** Account, Region and name of a `Name` member: a trail ARN, or a name in the caller's account and Region. */
function reference(ctx: RequestContext, nameOrArn: unknown): { accountId: string; region: string; name: string } {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') {
    throw error('InvalidTrailNameException', 'Trail name or ARN is required.');
  }
  if (nameOrArn.startsWith('arn:')) {
    const arn = TRAIL_ARN.exec(nameOrArn);
    if (!arn) {
      throw error(
        'CloudTrailARNInvalidException',
        `${nameOrArn} is not a valid trail ARN: arn:aws:cloudtrail:<region>:<account id>:trail/<name>`,
      );
    }
    return { region: arn[1] as string, accountId: arn[2] as string, name: arn[3] as string };
  }
  return { accountId: ctx.principal.accountId, region: ctx.region, name: validTrailName(nameOrArn) };
}

/** An optional boolean member (`SerializationException` for anything else). */
function optionalBool(input: Record<string, unknown>, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw error('SerializationException', `Value for ${name} must be a boolean`);
  return v;
}

/** An optional string member, given: `undefined` when absent. */
function optionalText(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw error('SerializationException', `Value for ${name} must be a string`);
  return v;
}

/** The response shape of `CreateTrail` and `UpdateTrail`. */
function settingsOf(r: TrailRecord) {
  const topic = r.snsTopicName;
  return {
    Name: r.name,
    ...(r.s3BucketName ? { S3BucketName: r.s3BucketName } : {}),
    ...(r.s3KeyPrefix ? { S3KeyPrefix: r.s3KeyPrefix } : {}),
    ...(topic
      ? {
          SnsTopicName: topic,
          SnsTopicARN: topic.startsWith('arn:') ? topic : `arn:aws:sns:${r.homeRegion}:${r.accountId}:${topic}`,
        }
      : {}),
    IncludeGlobalServiceEvents: r.includeGlobalServiceEvents ?? true,
    IsMultiRegionTrail: r.isMultiRegionTrail ?? false,
    TrailARN: r.arn,
    LogFileValidationEnabled: r.logFileValidationEnabled ?? false,
    ...(r.cloudWatchLogsLogGroupArn ? { CloudWatchLogsLogGroupArn: r.cloudWatchLogsLogGroupArn } : {}),
    ...(r.cloudWatchLogsRoleArn ? { CloudWatchLogsRoleArn: r.cloudWatchLogsRoleArn } : {}),
    ...(r.kmsKeyId ? { KmsKeyId: r.kmsKeyId } : {}),
    IsOrganizationTrail: r.isOrganizationTrail ?? false,
  };
}

/** A `Trail` of `DescribeTrails` and `GetTrail`. */
const trailShape = (r: TrailRecord) => ({
  ...settingsOf(r),
  HomeRegion: r.homeRegion,
  HasCustomEventSelectors: false,
  HasInsightSelectors: false,
});

/** The settings members of `CreateTrail`/`UpdateTrail` applied to a trail (absent members keep its value). */
function applySettings(r: TrailRecord, input: Record<string, unknown>): TrailRecord {
  const next: TrailRecord = { ...r };
  const bucket = optionalText(input, 'S3BucketName');
  if (bucket !== undefined) {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
      throw error('InvalidS3BucketNameException', `Bucket name ${bucket} is not valid.`);
    }
    next.s3BucketName = bucket;
  }
  const prefix = optionalText(input, 'S3KeyPrefix');
  if (prefix !== undefined) {
    if (prefix.length > MAX_S3_PREFIX) {
      throw error('InvalidS3PrefixException', `The S3 key prefix is longer than ${MAX_S3_PREFIX} characters.`);
    }
    next.s3KeyPrefix = prefix;
  }
  const texts = [
    ['SnsTopicName', 'snsTopicName'],
    ['CloudWatchLogsLogGroupArn', 'cloudWatchLogsLogGroupArn'],
    ['CloudWatchLogsRoleArn', 'cloudWatchLogsRoleArn'],
    ['KmsKeyId', 'kmsKeyId'],
  ] as const;
  for (const [member, field] of texts) {
    const v = optionalText(input, member);
    if (v !== undefined) next[field] = v;
  }
  const flags = [
    ['IncludeGlobalServiceEvents', 'includeGlobalServiceEvents'],
    ['IsMultiRegionTrail', 'isMultiRegionTrail'],
    ['EnableLogFileValidation', 'logFileValidationEnabled'],
    ['IsOrganizationTrail', 'isOrganizationTrail'],
  ] as const;
  for (const [member, field] of flags) {
    const v = optionalBool(input, member);
    if (v !== undefined) next[field] = v;
  }
  if (next.isMultiRegionTrail && next.includeGlobalServiceEvents === false) {
    throw error('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
  }
  return next;
}

/** The CloudTrail API of a runtime, over its store. */
class Trails {
  constructor(private readonly runtime: LocalRuntime) {}

  private get store() {
    return this.runtime.store;
  }

  save(r: TrailRecord): void {
    this.store.put(TABLE, keyOf(r.accountId, r.homeRegion, r.name), r);
  }

  /** Every trail of an account, in every Region. */
  of(accountId: string): TrailRecord[] {
    return this.store.list<TrailRecord>(TABLE, `${accountId}/`);
  }

  /** Whether an account is in the organization (the management account included). */
  inOrganization(accountId: string): boolean {
    const { runtime } = this;
    if (!runtime.hasOrganizations) return false;
    return accountId === runtime.managementAccountId || runtime.organizations.accountExists(accountId);
  }

  /** Makes the default trail of an account and Region the first time either is used. */
  ensureDefault(accountId: string, region: string): void {
    const where = `${accountId}/${region}`;
    if (this.store.get(DEFAULTS, where)) return;
    if (!this.store.get(TABLE, keyOf(accountId, region, DEFAULT_TRAIL))) {
      this.save({
        name: DEFAULT_TRAIL,
        arn: arnOf(accountId, region, DEFAULT_TRAIL),
        homeRegion: region,
        accountId,
        isLogging: true,
        startedAt: this.runtime.clock.now().toISOString(),
        s3BucketName: `aws-cloudtrail-logs-${accountId}`,
        includeGlobalServiceEvents: true,
        isMultiRegionTrail: false,
        isOrganizationTrail: false,
      });
    }
    this.store.put(DEFAULTS, where, { madeAt: this.runtime.clock.now().toISOString() });
  }

  /**
   * The trail a `Name` member designates for the caller. `read` reaches shadow trails (a multi-Region
   * trail from another Region, the organization trail from a member account, both by ARN); `write`
   * needs the caller's own trail in its home Region. `TrailNotFoundException` names the trail as
   * given, or as an ARN when `arnInMessage` (`GetTrailStatus`).
   */
  locate(ctx: RequestContext, nameOrArn: unknown, access: 'read' | 'write', arnInMessage = false): TrailRecord {
    const caller = ctx.principal.accountId;
    this.ensureDefault(caller, ctx.region);
    const ref = reference(ctx, nameOrArn);
    const shown = arnInMessage ? arnOf(ref.accountId, ref.region, ref.name) : String(nameOrArn);
    const notFound = () => error('TrailNotFoundException', `Unknown trail: ${shown} for the user: ${caller}`);
    const record = this.store.get<TrailRecord>(TABLE, keyOf(ref.accountId, ref.region, ref.name));
    if (!record) throw notFound();
    if (record.accountId !== caller) {
      const organizationTrail =
        record.isOrganizationTrail === true &&
        record.accountId === this.runtime.managementAccountId &&
        this.inOrganization(caller);
      if (access === 'read' && organizationTrail && visibleIn(record, ctx.region)) return record;
      throw notFound();
    }
    if (record.homeRegion !== ctx.region) {
      if (access === 'write') {
        throw error(
          'InvalidHomeRegionException',
          `The trail ${record.arn} was created in ${record.homeRegion}: call ${ctx.operation} in ${record.homeRegion}.`,
        );
      }
      if (!record.isMultiRegionTrail) throw notFound();
    }
    return record;
  }

  /** The trails `DescribeTrails` lists without names: the caller's in this Region, and the shadows. */
  visible(accountId: string, region: string): TrailRecord[] {
    const own = this.of(accountId).filter((r) => visibleIn(r, region));
    const mgmt = this.runtime.managementAccountId;
    if (accountId === mgmt || !this.inOrganization(accountId)) return own;
    return [...own, ...this.of(mgmt).filter((r) => r.isOrganizationTrail === true && visibleIn(r, region))];
  }

  /**
   * Refuses an organization trail to anyone but the management account of an organization with
   * trusted access for CloudTrail, in AWS's order of checks.
   */
  checkOrganizationTrail(ctx: RequestContext): void {
    const { runtime } = this;
    const caller = ctx.principal.accountId;
    if (!this.inOrganization(caller)) {
      throw error('OrganizationsNotInUseException', `Account ${caller} is not a member of an organization.`);
    }
    if (caller !== runtime.managementAccountId) {
      throw error('NotOrganizationMasterAccountException', NOT_MANAGEMENT_ACCOUNT_MESSAGE);
    }
    // the sandbox's organization has all features, so OrganizationNotInAllFeaturesModeException never applies
    for (const action of ORGANIZATION_TRAIL_DEPENDENCIES) {
      const denial = runtime.authorize({ principal: ctx.principal, action, resources: ['*'], region: 'us-east-1' });
      if (denial) {
        throw error(
          'InsufficientDependencyServiceAccessPermissionException',
          `${ctx.principal.arn} needs ${action} to manage an organization trail: ${denial}`,
        );
      }
    }
    if (!isServiceAccessEnabled(runtime.store, CLOUDTRAIL_SERVICE_PRINCIPAL)) {
      throw error('CloudTrailAccessNotEnabledException', CLOUDTRAIL_ACCESS_NOT_ENABLED_MESSAGE);
    }
  }

  /** What `DisableAWSServiceAccess` for CloudTrail does: organization trails become the management account's own. */
  detachFromOrganization(): void {
    for (const r of this.of(this.runtime.managementAccountId)) {
      if (r.isOrganizationTrail) this.save({ ...r, isOrganizationTrail: false });
    }
  }

  /** Seeds the organization trail on first start (when the organization trusts CloudTrail). */
  seed(): void {
    const { runtime } = this;
    if (!runtime.hasOrganizations || this.store.get(META, 'seeded')) return;
    if (isServiceAccessEnabled(this.store, CLOUDTRAIL_SERVICE_PRINCIPAL)) {
      const mgmt = runtime.managementAccountId;
      const logArchive = runtime.config.accounts.findIndex((a) => a.role === 'log-archive');
      this.save({
        name: ORGANIZATION_TRAIL_NAME,
        arn: arnOf(mgmt, runtime.homeRegion, ORGANIZATION_TRAIL_NAME),
        homeRegion: runtime.homeRegion,
        accountId: mgmt,
        isLogging: true,
        startedAt: runtime.clock.now().toISOString(),
        s3BucketName: organizationTrailBucket(logArchive >= 0 ? coreAccountId(logArchive) : mgmt),
        includeGlobalServiceEvents: true,
        isMultiRegionTrail: true,
        isOrganizationTrail: true,
        logFileValidationEnabled: true,
      });
    }
    this.store.put(META, 'seeded', { at: runtime.clock.now().toISOString() });
  }
}

/** The bucket of the seeded organization trail, in the log archive account. */
export const organizationTrailBucket = (logArchiveAccountId: string) => `aws-cloudtrail-logs-${logArchiveAccountId}`;

/** Operations on one trail, authorized on its ARN (Service Authorization Reference: resource type `trail`). */
const TRAIL_OPERATIONS = new Set([
  'CreateTrail',
  'DeleteTrail',
  'GetTrail',
  'GetTrailStatus',
  'StartLogging',
  'StopLogging',
  'UpdateTrail',
]);

function cloudTrailAuthorization(operation: string, input: Record<string, unknown>, ctx: RequestContext) {
  const details: AuthorizationDetails = {};
  const name = input.Name;
  if (!TRAIL_OPERATIONS.has(operation) || typeof name !== 'string' || name === '') return details;
  if (TRAIL_ARN.test(name)) return { resources: [name] };
  return name.includes(':') ? details : { resources: [arnOf(ctx.principal.accountId, ctx.region, name)] };
}

export function createCloudTrailService(runtime: LocalRuntime): ServiceDefinition {
  const trails = new Trails(runtime);
  onServiceAccessDisabled(runtime.store, (servicePrincipal) => {
    if (servicePrincipal === CLOUDTRAIL_SERVICE_PRINCIPAL) trails.detachFromOrganization();
  });
  const logging = (on: boolean) => (input: Record<string, unknown>, ctx: RequestContext) => {
    const record = trails.locate(ctx, input.Name, 'write');
    record.isLogging = on;
    if (on) record.startedAt = runtime.clock.now().toISOString();
    else record.stoppedAt = runtime.clock.now().toISOString();
    trails.save(record);
    return {};
  };
  return {
    signingName: 'cloudtrail',
    protocol: 'awsJson1_1',
    targetPrefix: CLOUDTRAIL_TARGET_PREFIXES[0],
    targetPrefixAliases: CLOUDTRAIL_TARGET_PREFIXES.slice(1),
    eventSource: 'cloudtrail.amazonaws.com',
    authorization: cloudTrailAuthorization,
    start: () => trails.seed(),
    operations: {
      LookupEvents: lookupEventsOperation(runtime),
      CreateTrail: (input, ctx) => {
        const caller = ctx.principal.accountId;
        const region = ctx.region;
        trails.ensureDefault(caller, region);
        const name = validTrailName(requiredString(input, 'Name'));
        requiredString(input, 'S3BucketName');
        const created = applySettings(
          { name, arn: arnOf(caller, region, name), homeRegion: region, accountId: caller, isLogging: false },
          input,
        );
        if (created.isOrganizationTrail) trails.checkOrganizationTrail(ctx);
        const own = trails.of(caller);
        const multi = created.isMultiRegionTrail === true;
        if (own.some((r) => r.name === name && (r.homeRegion === region || r.isMultiRegionTrail || multi))) {
          throw error('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${caller}`);
        }
        if (own.filter((r) => visibleIn(r, region)).length >= MAX_TRAILS_PER_REGION) {
          throw error(
            'MaximumNumberOfTrailsExceededException',
            `User: ${caller} already has ${MAX_TRAILS_PER_REGION} trails in ${region}.`,
          );
        }
        trails.save(created);
        return settingsOf(created);
      },
      UpdateTrail: (input, ctx) => {
        const record = trails.locate(ctx, input.Name, 'write');
        const updated = applySettings(record, input);
        if (optionalBool(input, 'IsOrganizationTrail') === true) trails.checkOrganizationTrail(ctx);
        trails.save(updated);
        return settingsOf(updated);
      },
      DeleteTrail: (input, ctx) => {
        const record = trails.locate(ctx, input.Name, 'write');
        runtime.store.delete(TABLE, keyOf(record.accountId, record.homeRegion, record.name));
        return {};
      },
      GetTrail: (input, ctx) => ({ Trail: trailShape(trails.locate(ctx, input.Name, 'read')) }),
      DescribeTrails: (input, ctx) => {
        const caller = ctx.principal.accountId;
        trails.ensureDefault(caller, ctx.region);
        const names = input.trailNameList;
        if (names !== undefined && names !== null && !Array.isArray(names)) {
          throw error('SerializationException', 'Value for trailNameList must be a list');
        }
        let found: TrailRecord[];
        if (Array.isArray(names) && names.length > 0) {
          found = names.flatMap((n) => {
            try {
              return [trails.locate(ctx, n, 'read')];
            } catch (err) {
              // a name or ARN of no trail the caller can see is left out, not an error
              if (err instanceof AwsServiceError && err.code === 'TrailNotFoundException') return [];
              throw err;
            }
          });
        } else {
          found = trails.visible(caller, ctx.region);
        }
        if (optionalBool(input, 'includeShadowTrails') === false) {
          found = found.filter((r) => r.accountId === caller && r.homeRegion === ctx.region);
        }
        const unique = [...new Map(found.map((r) => [r.arn, r])).values()].sort((a, b) =>
          a.name === b.name ? (a.arn < b.arn ? -1 : 1) : a.name < b.name ? -1 : 1,
        );
        return { trailList: unique.map(trailShape) };
      },
      StartLogging: logging(true),
      StopLogging: logging(false),
      GetTrailStatus: (input, ctx) => {
        const record = trails.locate(ctx, input.Name, 'read', true);
        return {
          IsLogging: record.isLogging,
          ...(record.startedAt ? { StartLoggingTime: Date.parse(record.startedAt) / 1000 } : {}),
          ...(record.stoppedAt ? { StopLoggingTime: Date.parse(record.stoppedAt) / 1000 } : {}),
        };
      },
    },
  };
}
