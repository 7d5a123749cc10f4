import { pageAt } from '../../core/paging';
import { InvalidParameterValue } from './errors';

/**
 * One page of `items` (EC2 `MaxResults`/`NextToken`; no MaxResults returns everything). A token the
 * sandbox did not issue is `InvalidParameterValue` ("Value ( x ) for parameter NextToken is invalid.
 * The token is invalid.", as DescribeVpcs answers).
 */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  max: number | undefined,
): { page: T[]; next?: string } {
  return pageAt(
    items,
    token || undefined,
    max,
    (t) => new InvalidParameterValue(`Value ( ${t} ) for parameter NextToken is invalid. The token is invalid.`),
  );
}
