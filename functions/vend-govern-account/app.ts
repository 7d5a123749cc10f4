import { lambdaHandler } from '../shared/middleware';
import { organizationsClient } from '../shared/vending/org';
import { GovernInputSchema, govern } from './govern';

/** Quarantine, MoveToOu, TagAccount, AttachScps, ReleaseQuarantine: one `action` per call. */
export const handler = lambdaHandler(GovernInputSchema, 'governance input', (input) =>
  govern(organizationsClient(), input),
);
