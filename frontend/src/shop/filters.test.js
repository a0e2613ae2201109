// Focus: listing filters round-trip through the URL and map to API params.
import { describe, expect, it } from 'vitest';
import { pageCount, parseFilters, toApiParams, toQuery, toggleBrand, withChanges } from './filters.js';

describe('parseFilters', () => {
  it('gives defaults for an empty query', () => {
    expect(parseFilters({})).toEqual({
      q: '', category: '', brand: [], minPrice: null, maxPrice: null, inStock: false, sort: '', page: 1,
    });
  });

  it('reads every filter', () => {
    const f = parseFilters({
      q: ' 手机 ', category: 'phones', brand: 'acme,zeta,acme', min_price: '5000',
      max_price: '9999', in_stock: '1', sort: 'price_asc', page: '3',
    });
    expect(f).toEqual({
      q: '手机', category: 'phones', brand: ['acme', 'zeta'], minPrice: 5000,
      maxPrice: 9999, inStock: true, sort: 'price_asc', page: 3,
    });
  });

  it('drops malformed values', () => {
    const f = parseFilters({ sort: 'cheapest', page: '-2', min_price: 'abc', in_stock: 'maybe' });
    expect(f.sort).toBe('');
    expect(f.page).toBe(1);
    expect(f.minPrice).toBeNull();
    expect(f.inStock).toBe(false);
  });

  it('takes the first of repeated parameters', () => {
    expect(parseFilters({ q: ['a', 'b'] }).q).toBe('a');
  });
});

describe('toQuery', () => {
  it('round-trips through parseFilters', () => {
    const query = { q: 'tea', category: 'food', brand: 'a,b', min_price: '0', max_price: '4999', in_stock: '1', sort: 'newest', page: '2' };
    expect(toQuery(parseFilters(query))).toEqual(query);
  });

  it('leaves out defaults', () => {
    expect(toQuery(parseFilters({ q: 'x', page: '1' }))).toEqual({ q: 'x' });
  });
});

describe('toApiParams', () => {
  it('maps filters to the products endpoint', () => {
    const f = parseFilters({ q: 'tea', brand: 'a,b', in_stock: '1', max_price: '100' });
    expect(toApiParams(f)).toEqual({ q: 'tea', brand: 'a,b', in_stock: 'true', max_price: 100, page: 1, per_page: 24 });
  });
});

describe('changes', () => {
  it('reset the page unless the page is what changes', () => {
    const f = parseFilters({ q: 'x', page: '4' });
    expect(withChanges(f, { sort: 'newest' }).page).toBe(1);
    expect(withChanges(f, { page: 5 }).page).toBe(5);
  });

  it('toggle brands on and off', () => {
    const f = parseFilters({ brand: 'a' });
    expect(toggleBrand(f, 'b').brand).toEqual(['a', 'b']);
    expect(toggleBrand(f, 'a').brand).toEqual([]);
  });

  it('count pages within the API window', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(25)).toBe(2);
    expect(pageCount(1e6)).toBe(416);
  });
});

describe('URL ↔ filter state', () => {
  const viaUrl = (f) => {
    // What the router does: query object → URL text → query object.
    const u = new URL(`http://x/search?${new URLSearchParams(toQuery(f))}`);
    return parseFilters(Object.fromEntries(u.searchParams));
  };

  it('survives a trip through real URL text, Chinese and commas included', () => {
    const f = parseFilters({ q: '蓝牙 耳机', category: 'audio', brand: 'a-b,c', min_price: '100', in_stock: 'true', page: '2' });
    expect(viaUrl(f)).toEqual(f);
    expect(new URLSearchParams(toQuery(f)).toString()).toBe('q=%E8%93%9D%E7%89%99+%E8%80%B3%E6%9C%BA&category=audio&brand=a-b%2Cc&min_price=100&in_stock=1&page=2');
  });

  it('keeps a zero price bound (free is a price) but drops a negative one', () => {
    expect(toQuery(parseFilters({ min_price: '0' }))).toEqual({ min_price: '0' });
    expect(toQuery(parseFilters({ min_price: '-1' }))).toEqual({});
  });

  it('caps brands at eight and the query at 200 characters', () => {
    const many = Array.from({ length: 12 }, (_, i) => `b${i}`).join(',');
    expect(parseFilters({ brand: many }).brand).toHaveLength(8);
    expect(parseFilters({ q: 'x'.repeat(300) }).q).toHaveLength(200);
  });

  it('treats page 0 and junk pages as page 1, and leaves page 1 out of the URL', () => {
    expect(parseFilters({ page: '0' }).page).toBe(1);
    expect(parseFilters({ page: '2x' }).page).toBe(1);
    expect(toQuery(withChanges(parseFilters({ q: 'a', page: '3' }), { q: 'b' }))).toEqual({ q: 'b' });
  });

  it('turns a brand toggle into the next URL and back', () => {
    const f = toggleBrand(parseFilters({ q: 'tea', page: '2' }), 'acme');
    expect(toQuery(f)).toEqual({ q: 'tea', brand: 'acme' });
    expect(toQuery(toggleBrand(viaUrl(f), 'acme'))).toEqual({ q: 'tea' });
  });
});
