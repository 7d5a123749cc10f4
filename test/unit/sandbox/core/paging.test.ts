import { pageAt } from '../../../../sandbox/core/paging';

const invalid = (t: string) => new Error(`bad token ${t}`);
const items = ['a', 'b', 'c', 'd', 'e'];

describe('pageAt', () => {
  it('walks a list page by page with the token it issues', () => {
    const first = pageAt(items, undefined, 2, invalid);
    expect(first.page).toEqual(['a', 'b']);
    const second = pageAt(items, first.next, 2, invalid);
    expect(second.page).toEqual(['c', 'd']);
    const last = pageAt(items, second.next, 2, invalid);
    expect(last).toEqual({ page: ['e'] });
  });

  it('returns everything from the offset without a limit', () => {
    const first = pageAt(items, undefined, 3, invalid);
    expect(pageAt(items, first.next, undefined, invalid)).toEqual({ page: ['d', 'e'] });
  });

  it("throws the service's error for a token it did not issue", () => {
    expect(() => pageAt(items, '%%%', 2, invalid)).toThrow('bad token %%%');
    expect(() => pageAt(items, Buffer.from('o:-1').toString('base64url'), 2, invalid)).toThrow('bad token');
    expect(() => pageAt(items, '', 2, invalid)).toThrow('bad token');
  });
});
