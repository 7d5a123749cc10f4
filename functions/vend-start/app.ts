import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClient, currentRegion } from '../shared/aws';
import { lambdaHandler } from '../shared/middleware';
import { StartEventSchema, startVending } from './start';

/** Rule `account-request`: starts the vending execution of an account request, or announces its rejection. */
export const handler = lambdaHandler(StartEventSchema, 'account request event', (event) =>
  startVending(event, {
    sfn: awsClient(SFNClient),
    sts: awsClient(STSClient),
    events: awsClient(EventBridgeClient),
    eventBusName: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
    stateMachineArn: process.env.VENDGUARD_VENDING_STATE_MACHINE_ARN,
    region: currentRegion(),
  }),
);
