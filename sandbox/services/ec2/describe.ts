import * as z from 'zod/mini';
import type { Filter } from './filters';
import { DescribeSchema, parseInput, TagSpecificationSchema } from './input';

/** Requests that carry `TagSpecification.N`. */
export const WithTags = z.looseObject({ TagSpecification: z.optional(z.array(TagSpecificationSchema)) });

/** The filters and page of a Describe request. */
export function describeInput(input: Record<string, unknown>): {
  filter: Filter[] | undefined;
  max?: number;
  token?: string;
} {
  const parsed = parseInput(DescribeSchema, input);
  return { filter: parsed.Filter as Filter[] | undefined, max: parsed.MaxResults, token: parsed.NextToken };
}
