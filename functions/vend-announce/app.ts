import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClient } from '../shared/aws';
import { organizationConfig } from '../shared/config';
import { lambdaHandler } from '../shared/middleware';
import { AnnounceInputSchema, announce } from './announce';

/** AnnounceSuccess / AnnounceFailure: puts Account Vended or Account Vending Failed on the central bus. */
export const handler = lambdaHandler(AnnounceInputSchema, 'announce input', (input) =>
  announce(awsClient(EventBridgeClient), input, {
    config: organizationConfig(),
    eventBusName: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
  }),
);
