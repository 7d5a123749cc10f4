import * as z from 'zod/mini';
import { InvalidParameterValue } from './errors';
import type { Filter } from './filters';
import { DescribeSchema, parseInput, TagSpecificationSchema } from './input';

/** Requests that carry `TagSpecification.N`. */
export const WithTags = z.looseObject({ TagSpecification: z.optional(z.array(TagSpecificationSchema)) });

/** The page sizes a Describe call accepts. */
export const MAX_RESULTS = { min: 5, max: 1000 } as const;

/**
 * The filters and page of a Describe request. `MaxResults` outside 5–1000 is `InvalidParameterValue`
 * in EC2's words ("Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5.").
 */
export function describeInput(input: Record<string, unknown>): {
  filter: Filter[] | undefined;
  max?: number;
  token?: string;
} {
  const parsed = parseInput(DescribeSchema, input);
  const max = parsed.MaxResults;
  if (max !== undefined && max < MAX_RESULTS.min) {
    throw new InvalidParameterValue(
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value greater than ${MAX_RESULTS.min}.`,
    );
  }
  if (max !== undefined && max > MAX_RESULTS.max) {
    throw new InvalidParameterValue(
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value less than ${MAX_RESULTS.max}.`,
    );
  }
  return { filter: parsed.Filter as Filter[] | undefined, max, token: parsed.NextToken };
}
