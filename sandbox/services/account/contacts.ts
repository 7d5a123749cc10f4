import type { LocalRuntime } from '../../core/runtime';
import type { RequestContext } from '../../core/types';
import { authorizeContactCall, resolveTarget } from './authorization';
import { accountAccessDenied, contactNotFound, DENIAL_REASONS } from './errors';
import {
  type AlternateContactType,
  deleteContact,
  getContact,
  isContactType,
  parseContactRequest,
  putContact,
} from './model';

/**
 * `PutAlternateContact`, `GetAlternateContact`, `DeleteAlternateContact`: one function per API action.
 * Each validates its input (`ValidationException`), resolves the account it acts on and asks IAM
 * (authorization.ts), then checks the contact type (`AccessDeniedException` "(You specified an invalid
 * Alternate Contact type.)", as AWS answers `OTHER` or `Billing`). A type that is not set is
 * `ResourceNotFoundException` for Get and Delete.
 */

type Operation = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

export function contactOperations(runtime: LocalRuntime): Readonly<Record<string, Operation>> {
  /** Validation, target, IAM and the contact type, in the API's order. */
  const prepare = (operation: string, input: Record<string, unknown>, ctx: RequestContext, withContact: boolean) => {
    const request = parseContactRequest(input, withContact);
    const target = resolveTarget(runtime, ctx.principal, operation, request.AccountId);
    authorizeContactCall(runtime, ctx.principal, operation, target, request.AlternateContactType, ctx.region);
    if (!isContactType(request.AlternateContactType)) {
      throw accountAccessDenied(ctx.principal.arn, operation, DENIAL_REASONS.contactType);
    }
    return { request, accountId: target.accountId, type: request.AlternateContactType as AlternateContactType };
  };

  return {
    PutAlternateContact: (input, ctx) => {
      const { request, accountId, type } = prepare('PutAlternateContact', input, ctx, true);
      if (!request.contact) throw new Error('PutAlternateContact without its contact fields');
      putContact(runtime.store, { accountId, AlternateContactType: type, ...request.contact });
      return {};
    },

    GetAlternateContact: (input, ctx) => {
      const { accountId, type } = prepare('GetAlternateContact', input, ctx, false);
      const contact = getContact(runtime.store, accountId, type);
      if (!contact) throw contactNotFound();
      return {
        AlternateContact: {
          Name: contact.Name,
          Title: contact.Title,
          EmailAddress: contact.EmailAddress,
          PhoneNumber: contact.PhoneNumber,
          AlternateContactType: contact.AlternateContactType,
        },
      };
    },

    DeleteAlternateContact: (input, ctx) => {
      const { accountId, type } = prepare('DeleteAlternateContact', input, ctx, false);
      if (!deleteContact(runtime.store, accountId, type)) throw contactNotFound();
      return {};
    },
  };
}
