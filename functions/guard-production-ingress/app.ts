import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { productionIngressGuard } from './guard';

/** Rule `prod-ingress-outside-bastion`: production accounts admit management ports only from the bastion. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-production-ingress', productionIngressGuard),
);
