import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { InputValidationError, zodIssues } from './errors';
import { logger } from './logger';

/** A zod schema as the handlers use it (zod/mini or classic). */
export type Schema<T> = z.ZodMiniType<T, unknown>;

/**
 * Parses `value` with `schema`; throws {@link InputValidationError} naming every bad field.
 *
 * @param what - what is being parsed, for the message (`account request`, `CloudTrail event`)
 */
export function parseInput<T>(schema: Schema<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputValidationError(what, zodIssues(result.error));
  return result.data;
}

/** Middleware that validates the event with a schema before the handler sees it. */
export function parseEvent<T>(schema: Schema<T>, what: string): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      request.event = parseInput(schema, request.event, what);
    },
  };
}

/** Middleware that logs a failure once, with its name, and rethrows it unchanged (ASL matches the name). */
export function logErrors(): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error) logger.error(`${error.name}: ${error.message}`, { errorName: error.name, error });
    },
  };
}

/**
 * The middy chain every handler uses: Powertools logger context, error logging and the edge
 * schema. The logic function receives the parsed, typed event.
 *
 * @example
 * export const handler = lambdaHandler(AccountRequestSchema, 'account request', (request) => plan(request));
 */
export function lambdaHandler<T, R>(
  schema: Schema<T>,
  what: string,
  fn: (event: T, context: Context) => Promise<R> | R,
): middy.MiddyfiedHandler<unknown, R, Error, Context> {
  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logErrors())
    .use(parseEvent(schema, what))
    .handler((event, context) => fn(event as T, context));
}
