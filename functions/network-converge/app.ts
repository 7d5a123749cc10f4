import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import * as z from 'zod/mini';
import { awsClient } from '../shared/aws';
import { organizationConfig } from '../shared/config';
import { TransientError } from '../shared/errors';
import { logger } from '../shared/logger';
import { lambdaHandler } from '../shared/middleware';
import { type ConvergeResult, type CoreIds, convergeCore } from '../shared/network/converge';
import { NetworkNotFoundError } from '../shared/network/errors';
import { networkEc2, resolveNetwork } from '../shared/network/resolve';

export const ConvergeInputSchema = z.object({});

/** The core account and OU ids the hub was deployed with (`VENDGUARD_CORE_IDS`). */
export function coreIds(): CoreIds {
  const raw = process.env.VENDGUARD_CORE_IDS;
  if (!raw) throw new NetworkNotFoundError('VENDGUARD_CORE_IDS is not set: the hub was deployed without the core ids');
  const parsed = JSON.parse(raw) as CoreIds;
  return { accountIds: parsed.accountIds ?? {}, ouIds: parsed.ouIds ?? {} };
}

/**
 * `vendguard network converge`: one pass (see functions/shared/network/converge.ts). A step that is
 * still settling (an association being moved) reports RUNNING rather than failing: call again.
 */
export async function converge(): Promise<ConvergeResult | { status: 'RUNNING'; reason: string }> {
  const config = organizationConfig();
  const network = config.network;
  if (!network) throw new NetworkNotFoundError('the config has no network section: nothing to converge');
  const region = config.organization.homeRegion;
  const ec2 = await networkEc2(network, region, 'vendguard-network-converge');
  try {
    const ids = await resolveNetwork(ec2, network, region);
    return await convergeCore(awsClient(CloudFormationClient), ec2, config, network, ids, coreIds());
  } catch (err) {
    if (!(err instanceof TransientError)) throw err;
    logger.info('converge: still settling', { reason: err.message });
    return { status: 'RUNNING', reason: err.message };
  }
}

export const handler = lambdaHandler(ConvergeInputSchema, 'converge input', converge);
