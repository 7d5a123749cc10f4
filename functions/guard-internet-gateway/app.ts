import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { internetGatewayGuard } from './remediate';

/** Rules `igw-created` / `igw-attached`: detach and delete the gateway unless exempt. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-internet-gateway', internetGatewayGuard),
);
