import * as z from 'zod/mini';
import { organizationConfig } from '../shared/config';
import { lambdaHandler } from '../shared/middleware';
import { type AccountWiring, connectAccount } from '../shared/network/connect';
import { NetworkNotFoundError } from '../shared/network/errors';
import { networkEc2, resolveNetwork } from '../shared/network/resolve';
import { AccountIdSchema } from '../shared/schemas/eventbridge';
import { VendingPlanSchema } from '../shared/vending/plan';

export const ConnectInputSchema = z.object({
  requestId: z.string(),
  plan: VendingPlanSchema,
  accountId: AccountIdSchema,
});
export type ConnectInput = z.infer<typeof ConnectInputSchema>;

/**
 * ConnectNetwork: puts the vended account's Transit Gateway attachment in its environment's route
 * table and propagates it into the egress table (and the bastion's, for production). An OU that gets
 * no VPC is skipped.
 */
export async function connectNetwork(input: ConnectInput): Promise<AccountWiring> {
  const target = input.plan.network;
  if (!target) return { status: 'SKIPPED' };
  const config = organizationConfig();
  const network = config.network;
  if (!network) throw new NetworkNotFoundError('the plan has a network part but the config has no network section');
  const region = config.organization.homeRegion;
  const ec2 = await networkEc2(network, region, 'vendguard-connect-network');
  const ids = await resolveNetwork(ec2, network, region);
  return connectAccount(ec2, ids, input.accountId, target);
}

export const handler = lambdaHandler(ConnectInputSchema, 'connect input', connectNetwork);
