import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { detectorExists, detectorHasMembers, invalidValue } from './errors';
import { type DetectorRecord, ensureDetector, membersOf, ownDetector, scopeOf, serviceRoleOf, TABLES } from './model';

/**
 * The detector operations: `CreateDetector` (one per account and Region), `ListDetectors`,
 * `GetDetector`, `DeleteDetector` (not while the account administers members).
 */

type Input = Record<string, unknown>;

const FREQUENCIES = new Set(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS']);

/** One page of a GuardDuty list: `maxResults` 1–50 (default 50), a token the sandbox issued. */
export function guardDutyPage<T>(items: readonly T[], input: Input): { page: T[]; next?: string } {
  const raw = input.maxResults;
  const max = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > 50) throw invalidValue();
  const token = typeof input.nextToken === 'string' && input.nextToken !== '' ? input.nextToken : undefined;
  return pageAt(items, token, max, invalidValue);
}

function detectorView(d: DetectorRecord): Record<string, unknown> {
  const status = (on: boolean) => ({ status: on ? 'ENABLED' : 'DISABLED' });
  return {
    createdAt: d.createdAt,
    findingPublishingFrequency: d.findingPublishingFrequency,
    serviceRole: serviceRoleOf(d.account),
    status: d.status,
    updatedAt: d.updatedAt,
    dataSources: {
      cloudTrail: status(true),
      dnsLogs: status(true),
      flowLogs: status(true),
      s3Logs: status(false),
      kubernetes: { auditLogs: status(false) },
    },
    tags: { ...d.tags },
  };
}

export function detectorOperations(runtime: SandboxRuntime) {
  return {
    CreateDetector(input: Input, ctx: RequestContext) {
      if (typeof input.enable !== 'boolean') throw invalidValue();
      const frequency = input.findingPublishingFrequency;
      if (frequency !== undefined && (typeof frequency !== 'string' || !FREQUENCIES.has(frequency))) {
        throw invalidValue();
      }
      const scope = scopeOf(ctx);
      if (runtime.store.get(TABLES.detectors, `${scope.account}/${scope.region}`)) throw detectorExists();
      const made = ensureDetector(runtime, scope);
      const tags =
        input.tags && typeof input.tags === 'object' && !Array.isArray(input.tags)
          ? Object.fromEntries(Object.entries(input.tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
          : {};
      const detector: DetectorRecord = {
        ...made,
        status: input.enable ? 'ENABLED' : 'DISABLED',
        findingPublishingFrequency: typeof frequency === 'string' ? frequency : made.findingPublishingFrequency,
        tags,
      };
      runtime.store.put(TABLES.detectors, `${scope.account}/${scope.region}`, detector);
      return { detectorId: detector.detectorId };
    },

    ListDetectors(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const own = runtime.store.get<DetectorRecord>(TABLES.detectors, `${scope.account}/${scope.region}`);
      const { page, next } = guardDutyPage(own ? [own.detectorId] : [], input);
      return { detectorIds: page, ...(next ? { nextToken: next } : {}) };
    },

    GetDetector(input: Input, ctx: RequestContext) {
      return detectorView(ownDetector(runtime, scopeOf(ctx), input.DetectorId));
    },

    DeleteDetector(input: Input, ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const detector = ownDetector(runtime, scope, input.DetectorId);
      if (membersOf(runtime, scope.account, scope.region).length > 0) throw detectorHasMembers();
      runtime.store.delete(TABLES.detectors, `${detector.account}/${detector.region}`);
      return {};
    },
  };
}
