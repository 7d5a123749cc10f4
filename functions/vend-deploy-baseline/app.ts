import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../shared/aws';
import { lambdaHandler } from '../shared/middleware';
import { BaselineInputSchema, baselineStep } from './baseline';

/** DeployBaseline / CheckBaseline: starts the baseline stack instances of the new account and follows them. */
export const handler = lambdaHandler(BaselineInputSchema, 'baseline input', (input) =>
  baselineStep(awsClient(CloudFormationClient), input),
);
