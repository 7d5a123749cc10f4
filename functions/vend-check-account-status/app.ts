import { lambdaHandler } from '../shared/middleware';
import { organizationsClient } from '../shared/vending/org';
import { CheckAccountInputSchema, checkAccountStatus } from './status';

/** CheckAccountStatus: reports IN_PROGRESS, SUCCEEDED (with the account id) or RETRY, or fails with a named error. */
export const handler = lambdaHandler(CheckAccountInputSchema, 'CheckAccountStatus input', (input) =>
  checkAccountStatus(organizationsClient(), input),
);
