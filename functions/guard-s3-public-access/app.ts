import * as z from 'zod/mini';
import { runGuardrail } from '../shared/guardrails/pipeline';
import { lambdaHandler } from '../shared/middleware';
import { s3PublicAccessGuard } from './remediate';

/** Rule `s3-public-access-weakened`: restore the account public access block. */
export const handler = lambdaHandler(z.unknown(), 'CloudTrail event', (event) =>
  runGuardrail(event, 'guard-s3-public-access', s3PublicAccessGuard),
);
