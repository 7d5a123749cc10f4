import type { AuthorizationDetails, RequestContext, SandboxRuntime, ServiceDefinition } from '../../core/types';
import { aggregatorOf, aggregatorOperations } from './aggregators';

export { type AggregatorRecord, CONFIG_SERVICE_PRINCIPAL, TABLES as CONFIG_TABLES } from './aggregators';

/**
 * What IAM is asked (Service Authorization Reference, `config`): `config:<Operation>`, on the
 * aggregator's ARN for a call that names an existing one, `*` otherwise.
 */
function authorization(
  runtime: SandboxRuntime,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  const name = input.ConfigurationAggregatorName;
  if (typeof name !== 'string') return {};
  const existing = aggregatorOf(runtime, ctx.principal.accountId, ctx.region, name);
  return existing ? { resources: [existing.ConfigurationAggregatorArn] } : {};
}

/**
 * AWS Config (awsJson1_1, target `StarlingDoveService`): configuration aggregators, an organization's
 * included (the management account or Config's delegated administrator). See
 * docs/services/security-services.md.
 *
 * @example
 * const config = new ConfigServiceClient({ endpoint, region: 'eu-west-1' });
 * await config.send(new PutConfigurationAggregatorCommand({ ConfigurationAggregatorName: 'org', OrganizationAggregationSource: { RoleArn, AllAwsRegions: true } }));
 */
export function createConfigService(runtime: SandboxRuntime): ServiceDefinition {
  return {
    signingName: 'config',
    protocol: 'awsJson1_1',
    targetPrefix: 'StarlingDoveService',
    eventSource: 'config.amazonaws.com',
    authorization: (_operation, input, ctx) => authorization(runtime, input, ctx),
    operations: aggregatorOperations(runtime),
  };
}
