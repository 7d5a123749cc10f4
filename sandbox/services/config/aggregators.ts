import { pageAt } from '../../core/paging';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import {
  enableTrustedAccess,
  isDelegatedAdministratorFor,
  isServiceAccessEnabled,
  organizationAccount,
  organizationManagementAccount,
  organizationsDenial,
} from '../organizations/integration';
import {
  ConfigError,
  invalidParameterValue,
  noAvailableOrganization,
  noSuchAggregator,
  organizationAccessDenied,
  validationError,
} from './errors';

/**
 * Configuration aggregators (`PutConfigurationAggregator`, `DescribeConfigurationAggregators`,
 * `DeleteConfigurationAggregator`), as the AWS Config API reference describes them. An aggregator
 * with an `OrganizationAggregationSource` belongs to the management account, or to a registered
 * delegated administrator for `config.amazonaws.com`: "If the caller is a management account, Config
 * calls EnableAwsServiceAccess API to enable integration between Config and Organizations. If the
 * caller is a registered delegated administrator, Config calls ListDelegatedAdministrators API to
 * verify whether the caller is a valid delegated administrator." `PutConfigurationAggregator` is
 * idempotent: a second call updates the sources and keeps the ARN, the creation time and the tags.
 */

export const CONFIG_SERVICE_PRINCIPAL = 'config.amazonaws.com';

export const TABLES = { aggregators: 'config.aggregators' } as const;

type Input = Record<string, unknown>;

interface AccountSource {
  readonly AccountIds: string[];
  readonly AllAwsRegions: boolean;
  readonly AwsRegions?: string[];
}

interface OrganizationSource {
  readonly RoleArn: string;
  readonly AllAwsRegions: boolean;
  readonly AwsRegions?: string[];
}

export interface AggregatorRecord {
  readonly account: string;
  readonly region: string;
  readonly ConfigurationAggregatorName: string;
  readonly ConfigurationAggregatorArn: string;
  readonly AccountAggregationSources?: AccountSource[];
  readonly OrganizationAggregationSource?: OrganizationSource;
  readonly CreationTimeMs: number;
  readonly LastUpdatedTimeMs: number;
  readonly Tags: { Key: string; Value: string }[];
}

const NAME = /^[\w-]+$/;
const ACCOUNT_ID = /^\d{12}$/;

const key = (account: string, region: string, name: string) => `${account}/${region}/${name}`;

export function aggregatorOf(runtime: SandboxRuntime, account: string, region: string, name: string) {
  return runtime.store.get<AggregatorRecord>(TABLES.aggregators, key(account, region, name));
}

function aggregatorName(value: unknown, member = 'configurationAggregatorName'): string {
  if (typeof value !== 'string') throw validationError(member, value, '');
  if (value.length < 1 || value.length > 256) {
    throw validationError(member, value, 'Member must have length less than or equal to 256');
  }
  if (!NAME.test(value))
    throw validationError(member, value, 'Member must satisfy regular expression pattern: [\\w\\-]+');
  return value;
}

/** The regions of a source: a list or `AllAwsRegions`, never both, never neither (AWS's wording). */
function regions(source: Record<string, unknown>): { AllAwsRegions: boolean; AwsRegions?: string[] } {
  const list = Array.isArray(source.AwsRegions) ? source.AwsRegions.map(String) : undefined;
  const all = source.AllAwsRegions === true;
  if (list && list.length > 0 && all) {
    throw invalidParameterValue(
      'Your configuration aggregator contains a list of regions and also specifies the use of all regions. You must choose one of these options.',
    );
  }
  if (!all && (!list || list.length === 0)) {
    throw invalidParameterValue(
      'Your request does not specify any regions. Select AWS Config-supported regions and try again.',
    );
  }
  return all ? { AllAwsRegions: true } : { AllAwsRegions: false, AwsRegions: list as string[] };
}

/**
 * Whether the caller may aggregate its organization: the management account (Config enables trusted
 * access for itself with the caller's permissions) or a delegated administrator for Config.
 */
function checkOrganizationSource(runtime: SandboxRuntime, ctx: RequestContext): void {
  const { store } = runtime;
  const account = ctx.principal.accountId;
  const management = organizationManagementAccount(store);
  if (!management || (account !== management && organizationAccount(store, account)?.Status !== 'ACTIVE')) {
    throw noAvailableOrganization();
  }
  if (account === management) {
    if (!isServiceAccessEnabled(store, CONFIG_SERVICE_PRINCIPAL)) {
      if (organizationsDenial(runtime, ctx.principal, 'EnableAWSServiceAccess', CONFIG_SERVICE_PRINCIPAL)) {
        throw organizationAccessDenied('No permission to call EnableAWSServiceAccess API');
      }
      enableTrustedAccess(store, CONFIG_SERVICE_PRINCIPAL, runtime.clock.nowMs());
    }
    return;
  }
  const delegated =
    isDelegatedAdministratorFor(store, account, CONFIG_SERVICE_PRINCIPAL) &&
    isServiceAccessEnabled(store, CONFIG_SERVICE_PRINCIPAL) &&
    !organizationsDenial(runtime, ctx.principal, 'ListDelegatedAdministrators', CONFIG_SERVICE_PRINCIPAL);
  if (!delegated) {
    throw organizationAccessDenied(
      'You are not a registered delegated administrator for Config with permissions to call ListDelegatedAdministrators API. Ensure that the management account registers delagated administrator for Config service principal name before the delegated administrator creates an aggregator.',
    );
  }
}

const view = (a: AggregatorRecord): Record<string, unknown> => ({
  ConfigurationAggregatorName: a.ConfigurationAggregatorName,
  ConfigurationAggregatorArn: a.ConfigurationAggregatorArn,
  ...(a.AccountAggregationSources ? { AccountAggregationSources: a.AccountAggregationSources } : {}),
  ...(a.OrganizationAggregationSource ? { OrganizationAggregationSource: a.OrganizationAggregationSource } : {}),
  CreationTime: new Date(a.CreationTimeMs),
  LastUpdatedTime: new Date(a.LastUpdatedTimeMs),
});

export function aggregatorOperations(runtime: SandboxRuntime) {
  const { store } = runtime;
  return {
    PutConfigurationAggregator(input: Input, ctx: RequestContext) {
      const name = aggregatorName(input.ConfigurationAggregatorName);
      const accountSources = Array.isArray(input.AccountAggregationSources)
        ? (input.AccountAggregationSources as Record<string, unknown>[])
        : [];
      const org = input.OrganizationAggregationSource as Record<string, unknown> | undefined;
      if (accountSources.length > 0 && org) {
        throw invalidParameterValue(
          'The configuration aggregator cannot be created because your request contains both the AccountAggregationSource and the OrganizationAggregationSource. Include only one aggregation source and try again.',
        );
      }
      if (accountSources.length === 0 && !org) {
        throw invalidParameterValue(
          'The configuration aggregator cannot be created because your request is missing either the AccountAggregationSource or the OrganizationAggregationSource. Include the appropriate aggregation source and try again.',
        );
      }
      if (accountSources.length > 1) {
        throw invalidParameterValue(
          'You can only add one account aggregation source at a time. Use DescribeConfigurationAggregators to get the existing sources and add them to the list.',
        );
      }
      const tags = Array.isArray(input.Tags) ? (input.Tags as { Key?: unknown; Value?: unknown }[]) : [];
      if (tags.length > 50) {
        throw validationError('tags', `[${tags.length} tags]`, 'Member must have length less than or equal to 50');
      }
      let sources: Pick<AggregatorRecord, 'AccountAggregationSources' | 'OrganizationAggregationSource'>;
      if (org) {
        if (typeof org !== 'object' || Array.isArray(org)) {
          throw validationError('organizationAggregationSource', org, 'Member must be a structure');
        }
        if (org.RoleArn === undefined || org.RoleArn === null) {
          throw validationError('organizationAggregationSource.roleArn', undefined, '');
        }
        if (typeof org.RoleArn !== 'string' || org.RoleArn === '') {
          throw new ConfigError(
            'InvalidRoleException',
            'The role ARN is null or empty. Provide a valid role ARN and try again.',
          );
        }
        const where = regions(org);
        checkOrganizationSource(runtime, ctx);
        sources = { OrganizationAggregationSource: { RoleArn: org.RoleArn, ...where } };
      } else {
        const source = accountSources[0] as Record<string, unknown>;
        const ids = Array.isArray(source.AccountIds) ? source.AccountIds : undefined;
        if (!ids || ids.length === 0)
          throw validationError('accountAggregationSources.1.member.accountIds', undefined, '');
        for (const id of ids) {
          if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
            throw validationError(
              'accountAggregationSources.1.member.accountIds',
              id,
              'Member must satisfy regular expression pattern: \\d{12}',
            );
          }
        }
        sources = { AccountAggregationSources: [{ AccountIds: ids as string[], ...regions(source) }] };
      }
      const scope = { account: ctx.principal.accountId, region: ctx.region };
      const now = runtime.clock.nowMs();
      const existing = aggregatorOf(runtime, scope.account, scope.region, name);
      const suffix = Array.from(
        { length: 8 },
        () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(runtime.random() * 36)],
      ).join('');
      const record: AggregatorRecord = {
        account: scope.account,
        region: scope.region,
        ConfigurationAggregatorName: name,
        ConfigurationAggregatorArn:
          existing?.ConfigurationAggregatorArn ??
          `arn:aws:config:${scope.region}:${scope.account}:config-aggregator/config-aggregator-${suffix}`,
        ...sources,
        CreationTimeMs: existing?.CreationTimeMs ?? now,
        LastUpdatedTimeMs: now,
        // tags are set at creation only
        Tags: existing?.Tags ?? tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') })),
      };
      store.put(TABLES.aggregators, key(scope.account, scope.region, name), record);
      return { ConfigurationAggregator: view(record) };
    },

    DescribeConfigurationAggregators(input: Input, ctx: RequestContext) {
      const scope = { account: ctx.principal.accountId, region: ctx.region };
      const limit = input.Limit === undefined || input.Limit === 0 ? 100 : Number(input.Limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 100) {
        throw new ConfigError(
          'InvalidLimitException',
          `Value '${String(input.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`,
        );
      }
      const names = Array.isArray(input.ConfigurationAggregatorNames)
        ? input.ConfigurationAggregatorNames.map((n) => aggregatorName(n, 'configurationAggregatorNames'))
        : [];
      const all = store
        .list<AggregatorRecord>(TABLES.aggregators, `${scope.account}/${scope.region}/`)
        .sort((a, b) => (a.ConfigurationAggregatorName < b.ConfigurationAggregatorName ? -1 : 1));
      const chosen = names.length > 0 ? all.filter((a) => names.includes(a.ConfigurationAggregatorName)) : all;
      if (names.length > 0 && chosen.length < new Set(names).size) throw noSuchAggregator(names.length);
      const token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined;
      const { page, next } = pageAt(
        chosen,
        token,
        limit,
        () => new ConfigError('InvalidNextTokenException', 'The nextToken provided is invalid'),
      );
      return { ConfigurationAggregators: page.map(view), ...(next ? { NextToken: next } : {}) };
    },

    DeleteConfigurationAggregator(input: Input, ctx: RequestContext) {
      const name = aggregatorName(input.ConfigurationAggregatorName);
      if (!store.delete(TABLES.aggregators, key(ctx.principal.accountId, ctx.region, name))) throw noSuchAggregator();
      return {};
    },
  };
}
