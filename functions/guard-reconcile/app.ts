import * as z from 'zod/mini';
import { lambdaHandler } from '../shared/middleware';
import { reconcile } from './sweep';

/** Scheduled (`rate(6 hours)`): sweep member accounts for violations the events missed. */
export const handler = lambdaHandler(z.unknown(), 'scheduled event', () => reconcile());
