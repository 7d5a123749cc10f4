import * as z from 'zod/mini';

/** A 12-digit AWS account id. */
export const AccountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'));

/**
 * The EventBridge envelope every event arrives in.
 * See https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 *
 * @example
 * { "version": "0", "id": "6a7e8feb-…", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
 *   "account": "111122223333", "time": "2026-11-26T10:00:00Z", "region": "eu-west-1", "resources": [], "detail": {…} }
 */
export function eventBridgeEnvelope<D extends z.ZodMiniType, T extends z.ZodMiniType<string>>(
  detailType: T,
  detail: D,
) {
  return z.object({
    version: z.string(),
    id: z.string().check(z.minLength(1)),
    'detail-type': detailType,
    source: z.string().check(z.minLength(1)),
    account: AccountIdSchema,
    time: z.iso.datetime({ offset: true }),
    region: z.string().check(z.minLength(1)),
    resources: z.array(z.string()),
    detail,
    'replay-name': z.optional(z.string()),
  });
}
