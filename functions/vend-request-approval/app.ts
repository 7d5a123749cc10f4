import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClient } from '../shared/aws';
import { lambdaHandler } from '../shared/middleware';
import { ApprovalInputSchema, requestApproval } from './approval';

/** AwaitApproval: records the task token of a request that needs approval and announces it. */
export const handler = lambdaHandler(ApprovalInputSchema, 'approval input', (input) =>
  requestApproval(input, {
    dynamodb: awsClient(DynamoDBClient),
    events: awsClient(EventBridgeClient),
    stateTable: process.env.VENDGUARD_STATE_TABLE ?? 'vendguard-state',
    eventBusName: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
  }),
);
