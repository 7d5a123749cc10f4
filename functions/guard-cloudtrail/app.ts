import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { cloudTrailGuard } from './remediate';

/** Rule `trail-tampered`: restart a stopped trail where possible, alert on every change. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-cloudtrail', cloudTrailGuard),
);
