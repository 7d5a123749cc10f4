import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { securityGroupGuard } from './remediate';

/** Rule `sg-open-ingress`: revoke the ingress rules open to 0.0.0.0/0 or ::/0, and only those. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-security-group', securityGroupGuard),
);
