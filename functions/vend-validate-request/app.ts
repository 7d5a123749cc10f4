import { organizationConfig } from '../shared/config';
import { lambdaHandler } from '../shared/middleware';
import { organizationsClient } from '../shared/vending/org';
import { VendingInputSchema } from '../shared/vending/plan';
import { validateRequest } from './validate';

/** ValidateRequest: checks the request against the config and the organization, returns the plan. */
export const handler = lambdaHandler(VendingInputSchema, 'account request', (input) =>
  validateRequest(organizationsClient(), organizationConfig(), input.request, input.requestId, input.state?.enroll),
);
