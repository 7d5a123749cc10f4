/**
 * Finding the account that belongs to a request, so a retry, redrive or replay adopts it instead
 * of creating a second one.
 */
import { ListCreateAccountStatusCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { EmailAlreadyUsedError } from './errors';
import { otherEmailAdvice } from './failure-reasons';
import { accountByEmail, accountTags } from './org';
import { TAGS } from './plan';

/** An account of the organization found for a request. */
export interface OwnedAccount {
  readonly accountId: string;
}

/** CreateAccount requests of the organization in the given states, every page. */
export async function createAccountStatuses(org: OrganizationsClient, states: ('IN_PROGRESS' | 'SUCCEEDED')[]) {
  const out: { id: string; accountName?: string; accountId?: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await org.send(new ListCreateAccountStatusCommand({ States: states, NextToken }));
    for (const s of page.CreateAccountStatuses ?? []) {
      if (s.Id) out.push({ id: s.Id, accountName: s.AccountName, accountId: s.AccountId });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/**
 * The account with the request's email, if this request created it (its `vendguard:request-id`
 * tag, or a successful CreateAccount of the same name for it). Throws {@link EmailAlreadyUsedError}
 * when the email belongs to another account of the organization; undefined when none has it.
 *
 * @param request - `failureReason`: the CreateAccount `FailureReason` that led here, named in the error
 */
export async function accountOfRequest(
  org: OrganizationsClient,
  request: {
    readonly email: string;
    readonly accountName: string;
    readonly requestId: string;
    readonly failureReason?: string;
  },
): Promise<OwnedAccount | undefined> {
  const existing = await accountByEmail(org, request.email);
  if (!existing?.Id) return undefined;
  const tags = await accountTags(org, existing.Id);
  if (tags[TAGS.requestId] === request.requestId) return { accountId: existing.Id };
  if (tags[TAGS.requestId] === undefined && existing.Name === request.accountName) {
    const created = await createAccountStatuses(org, ['SUCCEEDED']);
    if (created.some((s) => s.accountId === existing.Id && s.accountName === request.accountName)) {
      return { accountId: existing.Id };
    }
  }
  throw new EmailAlreadyUsedError(request.email, `account ${existing.Id} of the organization`, {
    ...(request.failureReason ? { failureReason: request.failureReason } : {}),
    advice: otherEmailAdvice(request.requestId),
  });
}
