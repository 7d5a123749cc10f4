import { organizationConfig } from '../shared/config';
import { lambdaHandler } from '../shared/middleware';
import { organizationsClient } from '../shared/vending/org';
import { CreateAccountInputSchema, createAccount } from './create';

/** CreateAccount: starts the account's creation, or adopts the account already created for the request. */
export const handler = lambdaHandler(CreateAccountInputSchema, 'CreateAccount input', (input) =>
  createAccount(organizationsClient(), input, organizationConfig().vending.accountAccessRoleName),
);
