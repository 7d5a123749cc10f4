import type { LocalRuntime } from '../core/runtime';
import type { RequestContext, ServiceDefinition } from '../core/types';
import { AwsServiceError } from '../core/types';
import { lookupEventsOperation } from './cloudtrail-history';

/**
 * A minimal CloudTrail control-plane API (awsJson1_1): `StartLogging`, `StopLogging`,
 * `GetTrailStatus`, `DescribeTrails` (enough for the CloudTrail guardrail) and `LookupEvents`.
 * Every account and region
 * has a logging trail `management-events`, created on first use. The sandbox's own CloudTrail events
 * (the bus) do not depend on it: a stopped trail here only changes what these calls report.
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
export const DEFAULT_TRAIL = 'management-events';

interface TrailRecord {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion: string;
  readonly accountId: string;
  isLogging: boolean;
  startedAt?: string;
  stoppedAt?: string;
}

const TRAIL_ARN = /^arn:aws:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/([\w.-]{3,128})$/;

function scope(ctx: RequestContext, nameOrArn: unknown): { accountId: string; region: string; name: string } {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') {
    throw new AwsServiceError('InvalidTrailNameException', 'Trail name or ARN is required.');
  }
  const arn = TRAIL_ARN.exec(nameOrArn);
  if (arn) return { region: arn[1] as string, accountId: arn[2] as string, name: arn[3] as string };
  return { accountId: ctx.principal.accountId, region: ctx.region, name: nameOrArn };
}

function trail(runtime: LocalRuntime, ctx: RequestContext, nameOrArn: unknown): TrailRecord {
  const { accountId, region, name } = scope(ctx, nameOrArn);
  if (accountId !== ctx.principal.accountId) {
    throw new AwsServiceError(
      'TrailNotFoundException',
      `Unknown trail: ${nameOrArn} for the user: ${ctx.principal.accountId}`,
    );
  }
  const id = `${accountId}/${region}/${name}`;
  const existing = runtime.store.get<TrailRecord>(TABLE, id);
  if (existing) return existing;
  if (name !== DEFAULT_TRAIL) {
    throw new AwsServiceError('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user: ${accountId}`);
  }
  const created: TrailRecord = {
    name,
    arn: `arn:aws:cloudtrail:${region}:${accountId}:trail/${name}`,
    homeRegion: region,
    accountId,
    isLogging: true,
    startedAt: runtime.clock.now().toISOString(),
  };
  runtime.store.put(TABLE, id, created);
  return created;
}

function save(runtime: LocalRuntime, record: TrailRecord): void {
  runtime.store.put(TABLE, `${record.accountId}/${record.homeRegion}/${record.name}`, record);
}

export function createCloudTrailService(runtime: LocalRuntime): ServiceDefinition {
  return {
    signingName: 'cloudtrail',
    protocol: 'awsJson1_1',
    targetPrefix: CLOUDTRAIL_TARGET_PREFIXES[0],
    targetPrefixAliases: CLOUDTRAIL_TARGET_PREFIXES.slice(1),
    eventSource: 'cloudtrail.amazonaws.com',
    operations: {
      LookupEvents: lookupEventsOperation(runtime),
      StartLogging: (input, ctx) => {
        const record = trail(runtime, ctx, input.Name);
        record.isLogging = true;
        record.startedAt = runtime.clock.now().toISOString();
        save(runtime, record);
        return {};
      },
      StopLogging: (input, ctx) => {
        const record = trail(runtime, ctx, input.Name);
        record.isLogging = false;
        record.stoppedAt = runtime.clock.now().toISOString();
        save(runtime, record);
        return {};
      },
      GetTrailStatus: (input, ctx) => {
        const record = trail(runtime, ctx, input.Name);
        return {
          IsLogging: record.isLogging,
          ...(record.startedAt ? { StartLoggingTime: Date.parse(record.startedAt) / 1000 } : {}),
          ...(record.stoppedAt ? { StopLoggingTime: Date.parse(record.stoppedAt) / 1000 } : {}),
        };
      },
      DescribeTrails: (_input, ctx) => {
        const record = trail(runtime, ctx, DEFAULT_TRAIL);
        return {
          trailList: [
            {
              Name: record.name,
              TrailARN: record.arn,
              HomeRegion: record.homeRegion,
              IsMultiRegionTrail: false,
              IncludeGlobalServiceEvents: true,
              IsOrganizationTrail: false,
            },
          ],
        };
      },
    },
  };
}
