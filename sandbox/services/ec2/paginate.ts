import { pageAt } from '../../core/paging';
import { InvalidParameterValue } from './errors';

/** One page of `items` (EC2 `MaxResults`/`NextToken`; no MaxResults returns everything). */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  max: number | undefined,
): { page: T[]; next?: string } {
  return pageAt(items, token || undefined, max, (t) => new InvalidParameterValue(`Invalid NextToken: ${t}`));
}
