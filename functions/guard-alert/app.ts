import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { alertGuard } from './alert';

/** Rules `vendguard-tampering`, `leave-organization`, `denied-attempts`: record and alert, never remediate. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-alert', alertGuard),
);
