import { InvalidParameterValue } from './errors';

/** One page of `items` (EC2 `MaxResults`/`NextToken`; no MaxResults returns everything). */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  max: number | undefined,
): { page: T[]; next?: string } {
  let from = 0;
  if (token) {
    from = Number(Buffer.from(token, 'base64').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(from) || from < 0) throw new InvalidParameterValue(`Invalid NextToken: ${token}`);
  }
  if (max === undefined) return { page: items.slice(from) };
  const page = items.slice(from, from + max);
  return from + max < items.length ? { page, next: Buffer.from(`o:${from + max}`).toString('base64') } : { page };
}
