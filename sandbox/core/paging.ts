/**
 * Offset pagination behind an opaque token, for every sandbox list operation. The token is
 * base64url of `o:<offset>`; each service keeps its own page-size rules and its own error for a
 * token it did not issue.
 */

/**
 * One page of `items` from the offset `token` carries (`undefined`: the start).
 *
 * @param limit - page size; `undefined` returns everything from the offset
 * @param invalidToken - the service's error for a token it did not issue
 * @example
 * const { page, next } = pageAt(accounts, input.NextToken || undefined, 20, () => invalidInput('INVALID_NEXT_TOKEN', '…'));
 */
export function pageAt<T>(
  items: readonly T[],
  token: string | undefined,
  limit: number | undefined,
  invalidToken: (token: string) => Error,
): { page: T[]; next?: string } {
  let offset = 0;
  if (token !== undefined) {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))?.[1];
    if (decoded === undefined) throw invalidToken(token);
    offset = Number(decoded);
  }
  if (limit === undefined) return { page: items.slice(offset) };
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { page, next: Buffer.from(`o:${next}`).toString('base64url') } : { page };
}
