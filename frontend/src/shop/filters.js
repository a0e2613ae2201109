// Listing filters live in the URL (/search?q=…&category=…&brand=a,b&…) so a
// page can be shared and back/forward work. These pure functions map the
// route query to a normalised filter object, back to a minimal query, and
// to the parameters of GET /api/v1/products.

export const SORTS = ['relevance', 'best_selling', 'price_asc', 'price_desc', 'newest', 'rating'];
export const PER_PAGE = 24;

const first = (v) => (Array.isArray(v) ? v[0] : v);
const str = (v) => {
  const s = first(v);
  return typeof s === 'string' ? s.trim() : '';
};
const nonNegInt = (v) => {
  const s = str(v);
  return /^\d{1,12}$/.test(s) ? Number(s) : null;
};

/** Route query → filters (unknown or malformed values are dropped). */
export function parseFilters(query = {}) {
  const sort = str(query.sort);
  const page = nonNegInt(query.page);
  const brand = str(query.brand).split(',').map((b) => b.trim()).filter(Boolean);
  const inStock = str(query.in_stock);
  return {
    q: str(query.q).slice(0, 200),
    category: str(query.category),
    brand: [...new Set(brand)].slice(0, 8),
    minPrice: nonNegInt(query.min_price),
    maxPrice: nonNegInt(query.max_price),
    inStock: inStock === '1' || inStock === 'true',
    sort: SORTS.includes(sort) ? sort : '',
    page: page && page >= 1 ? page : 1,
  };
}

/** Filters → route query, leaving out defaults so URLs stay short. */
export function toQuery(f) {
  const q = {};
  if (f.q) q.q = f.q;
  if (f.category) q.category = f.category;
  if (f.brand && f.brand.length) q.brand = f.brand.join(',');
  if (f.minPrice !== null && f.minPrice !== undefined) q.min_price = String(f.minPrice);
  if (f.maxPrice !== null && f.maxPrice !== undefined) q.max_price = String(f.maxPrice);
  if (f.inStock) q.in_stock = '1';
  if (f.sort) q.sort = f.sort;
  if (f.page && f.page > 1) q.page = String(f.page);
  return q;
}

/** Filters → GET /api/v1/products parameters. */
export function toApiParams(f, perPage = PER_PAGE) {
  const p = { per_page: perPage, page: f.page || 1 };
  if (f.q) p.q = f.q;
  if (f.category) p.category = f.category;
  if (f.brand && f.brand.length) p.brand = f.brand.join(',');
  if (f.minPrice !== null && f.minPrice !== undefined) p.min_price = f.minPrice;
  if (f.maxPrice !== null && f.maxPrice !== undefined) p.max_price = f.maxPrice;
  if (f.inStock) p.in_stock = 'true';
  if (f.sort) p.sort = f.sort;
  return p;
}

/**
 * A new filter object with `changes` applied. Any change other than the
 * page itself sends the shopper back to page 1.
 */
export function withChanges(f, changes) {
  const next = { ...f, ...changes };
  if (!('page' in changes)) next.page = 1;
  return next;
}

/** Toggle one brand slug in the brand list. */
export function toggleBrand(f, slug) {
  const has = f.brand.includes(slug);
  return withChanges(f, { brand: has ? f.brand.filter((b) => b !== slug) : [...f.brand, slug] });
}

/** Total pages for `total` results, capped by the API's 10,000-row window. */
export function pageCount(total, perPage = PER_PAGE) {
  const max = Math.floor(10000 / perPage);
  return Math.max(1, Math.min(Math.ceil((total || 0) / perPage), max));
}
