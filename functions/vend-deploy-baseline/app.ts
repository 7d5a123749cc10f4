import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../shared/aws';
import { organizationConfig } from '../shared/config';
import { lambdaHandler } from '../shared/middleware';
import { NetworkNotFoundError } from '../shared/network/errors';
import { networkEc2, resolveNetwork } from '../shared/network/resolve';
import { BaselineInputSchema, baselineStep, type NetworkParameters, vpcParameters } from './baseline';

/** The pool and the gateway of the network account, through its operator role. */
const networkParameters: NetworkParameters = async (plan) => {
  const config = organizationConfig();
  const network = config.network;
  if (!network) throw new NetworkNotFoundError('the plan has a network part but the config has no network section');
  const region = config.organization.homeRegion;
  const ids = await resolveNetwork(await networkEc2(network, region, 'vendguard-deploy-baseline'), network, region);
  const poolId = ids.pools.get(plan.pool);
  if (!poolId) throw new NetworkNotFoundError(`no IPAM pool ${plan.pool} in the network account ${ids.accountId}`);
  return vpcParameters(poolId, plan.netmaskLength, ids.transitGatewayId);
};

/** DeployBaseline / CheckBaseline: starts the baseline stack instances of the new account and follows them. */
export const handler = lambdaHandler(BaselineInputSchema, 'baseline input', (input) =>
  baselineStep(awsClient(CloudFormationClient), input, { networkParameters }),
);
