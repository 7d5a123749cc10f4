import * as z from 'zod/mini';
import { pageAt } from '../../core/paging';
import { invalidMaxResults, invalidNextToken, invalidParameter, missingParameter } from './errors';

/**
 * The requests of the RAM operations the sandbox serves, as the SDK sends them (JSON members in
 * lower camel case; `DeleteResourceShare`'s come from the query string). Unknown members are
 * ignored, as a REST-JSON service does.
 *
 * @see https://docs.aws.amazon.com/ram/latest/APIReference/API_Operations.html
 */

const strings = z.optional(z.array(z.string()));
const TagSchema = z.looseObject({ key: z.string(), value: z.optional(z.string()) });
const paging = {
  nextToken: z.optional(z.string()),
  maxResults: z.optional(z.number().check(z.int())),
};

/** @example { "name": "tgw", "resourceArns": ["arn:aws:ec2:eu-west-1:111122223333:transit-gateway/tgw-…"], "principals": ["arn:aws:organizations::…:ou/o-…/ou-…"] } */
export const CreateResourceShareSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  resourceArns: strings,
  principals: strings,
  tags: z.optional(z.array(TagSchema)),
  allowExternalPrincipals: z.optional(z.boolean()),
  clientToken: z.optional(z.string()),
  permissionArns: strings,
});
export type CreateResourceShareRequest = z.infer<typeof CreateResourceShareSchema>;

/** `AssociateResourceShare` and `DisassociateResourceShare`. */
export const AssociationChangeSchema = z.looseObject({
  resourceShareArn: z.string(),
  resourceArns: strings,
  principals: strings,
  clientToken: z.optional(z.string()),
});

export const DeleteResourceShareSchema = z.looseObject({
  resourceShareArn: z.string(),
  clientToken: z.optional(z.string()),
});

export const GetResourceSharesSchema = z.looseObject({
  resourceOwner: z.string(),
  resourceShareArns: strings,
  resourceShareStatus: z.optional(z.string()),
  name: z.optional(z.string()),
  tagFilters: z.optional(z.array(z.looseObject({ tagKey: z.optional(z.string()), tagValues: strings }))),
  ...paging,
});

export const GetResourceShareAssociationsSchema = z.looseObject({
  associationType: z.string(),
  resourceShareArns: strings,
  resourceArn: z.optional(z.string()),
  principal: z.optional(z.string()),
  associationStatus: z.optional(z.string()),
  ...paging,
});

export const ListResourcesSchema = z.looseObject({
  resourceOwner: z.string(),
  principal: z.optional(z.string()),
  resourceType: z.optional(z.string()),
  resourceArns: strings,
  resourceShareArns: strings,
  resourceRegionScope: z.optional(z.string()),
  ...paging,
});

export const GetResourceShareInvitationsSchema = z.looseObject({
  resourceShareInvitationArns: strings,
  resourceShareArns: strings,
  ...paging,
});

/** `AcceptResourceShareInvitation` and `RejectResourceShareInvitation`. */
export const InvitationAnswerSchema = z.looseObject({
  resourceShareInvitationArn: z.string(),
  clientToken: z.optional(z.string()),
});

/** Parses a request, or throws `MissingRequiredParameterException` / `InvalidParameterException` naming the member. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || 'request';
  if (issue?.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    throw missingParameter(where);
  }
  throw invalidParameter(`Invalid value for parameter ${where}: ${issue?.message ?? 'invalid'}`);
}

/** One page of a list: `maxResults` 1–500 (`InvalidMaxResultsException`), a token the sandbox issued. */
export function page<T>(items: readonly T[], input: { nextToken?: string; maxResults?: number }) {
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 500)) throw invalidMaxResults();
  return pageAt(items, input.nextToken || undefined, input.maxResults, invalidNextToken);
}
