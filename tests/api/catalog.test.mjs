// The public catalog through nginx: categories, brands, listings with
// filters, facets, sorts and paging, search in Chinese and English (exact
// name first, a forgiving retry for misspellings), suggestions, product
// detail, ETags, hostile input, the micro-cache's privacy and how fast a
// change shows.
//
// Every assertion is about this file's own fixture (catalog-lib.mjs),
// reached through its root category or its merchant, so the database may
// also hold the demo catalog.
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_BIN (reindex),
// JISHI_CONFIG (optional).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { registerUser } from './accounts-lib.mjs';
import {
  PRICE_EDGES, catKey, deleteFixture, expected, insertFixture, makeFixture,
  plantStaleIndexRowsForNonLive, reindex, sql, stockStatus, DB, lit,
} from './catalog-lib.mjs';
import { req, waitFor } from './lib.mjs';

const fx = makeFixture();
const LIVE = fx.products.length;

// GET a listing; params is an object of query parameters.
function qs(params) {
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();
}

async function list(params, opts) {
  const r = await req(`/api/v1/products?${qs(params)}`, opts);
  assert.equal(r.status, 200, `GET /api/v1/products?${qs(params)} → ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

async function suggest(q) {
  const r = await req(`/api/v1/search/suggest?${qs({ q })}`);
  assert.equal(r.status, 200, `suggest ${q} → ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const ROOT = { category: fx.cat.root };
const byId = () => new Map([...fx.products, ...fx.hidden].map((p) => [p.id, p]));
const hiddenIds = () => new Set(fx.hidden.map((p) => p.id));
const sortedIds = (a) => [...a].sort((x, y) => x - y);

// Every item is a live fixture product whose card says what the fixture says.
function assertCards(items, what) {
  const m = byId();
  for (const it of items) {
    const p = m.get(it.id);
    assert.ok(p, `${what}: item ${it.id} (${it.name}) is not a fixture product`);
    assert.equal(p.status, 'live', `${what}: non-live ${p.slug} listed`);
    assert.equal(it.slug, p.slug);
    assert.equal(it.name, p.name);
    assert.deepEqual(it.price, { amount: p.min, currency: 'CNY' });
    assert.deepEqual(it.price_max, { amount: p.max, currency: 'CNY' });
    assert.equal(it.in_stock, p.inStock);
    assert.equal(it.rating.count, p.ratingCount);
    assert.equal(Math.round(it.rating.average * 100), p.ratingAvg);
    assert.deepEqual(it.merchant, { id: fx.ids.merchant, name: `cat-test-${fx.tag}` });
    if (p.image) {
      assert.equal(it.image.thumb.webp, `/media/${p.image}-thumb.webp`);
      assert.equal(it.image.card.jpg, `/media/${p.image}-card.jpg`);
      assert.equal(it.image.full.webp, `/media/${p.image}-full.webp`);
    } else {
      assert.equal(it.image, null);
    }
  }
}

// All pages of a listing (per_page 60 holds the fixture at once).
async function allItems(params) {
  const j = await list({ ...params, per_page: 60 });
  assert.ok(j.total <= 60, 'fixture listing fits one page');
  assert.equal(j.items.length, j.total, `items vs total for ${qs(params)}`);
  return j;
}

before(async () => {
  await insertFixture(fx);
  await reindex();
  await plantStaleIndexRowsForNonLive(fx);
  // Reads are served by the replica: wait until it has all of it,
  // including the search index.
  await waitFor('the fixture on the replica', async () => {
    const a = await req(`/api/v1/products?${qs({ ...ROOT, per_page: 60 })}`);
    const b = await req(`/api/v1/products?${qs({ ...ROOT, q: fx.tag, per_page: 60 })}`);
    const c = await req(`/api/v1/search/suggest?${qs({ q: fx.tag2 })}`);
    return a.json?.total === LIVE && b.json?.total === LIVE && b.json?.search?.fuzzy === false &&
      c.json?.items?.length > 0;
  }, { timeoutMs: 60000, intervalMs: 250 });
});

after(async () => {
  if (!fx.ids?.merchant) return;
  await deleteFixture(fx);
  await reindex();
});

// --- categories and brands ---------------------------------------------------

test('the category tree holds the fixture subtree, parents before children', async () => {
  const r = await req('/api/v1/categories');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
  const root = r.json.items.find((c) => c.slug === fx.cat.root);
  assert.ok(root, 'fixture root among the roots');
  assert.equal(root.id, fx.ids.cat.root);
  assert.equal(root.name_zh, '测试根目录');
  assert.equal(root.name_en, 'Test root');
  const shape = (n) => ({ slug: n.slug, children: n.children.map(shape) });
  assert.deepEqual(shape(root), {
    slug: fx.cat.root,
    children: [
      { slug: fx.cat.audio, children: [{ slug: fx.cat.earbuds, children: [] }, { slug: fx.cat.speakers, children: [] }] },
      { slug: fx.cat.home, children: [] },
    ],
  });
  // No fixture category appears anywhere else in the tree.
  let seen = 0;
  const walk = (n) => { if (n.slug.startsWith(`ct-${fx.tag}`)) seen++; n.children.forEach(walk); };
  r.json.items.forEach(walk);
  assert.equal(seen, 5);
});

test('brands list the fixture brands', async () => {
  const r = await req('/api/v1/brands');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
  assert.equal(r.json.total, r.json.items.length);
  for (const b of Object.values(fx.brands)) {
    assert.deepEqual(r.json.items.find((x) => x.slug === b.slug), { slug: b.slug, name: b.name });
  }
});

// --- listings, filters, facets ------------------------------------------------

test('a category listing holds exactly the live products of its subtree', async () => {
  const j = await allItems(ROOT);
  assert.equal(j.total, LIVE);
  assert.equal(j.page, 1);
  assert.equal(j.per_page, 60);
  assert.equal(j.search, undefined, 'no search block without q');
  assertCards(j.items, 'root listing');
  assert.deepEqual(sortedIds(j.items.map((i) => i.id)), sortedIds(fx.products.map((p) => p.id)));
  // Default paging.
  const d = await list(ROOT);
  assert.equal(d.per_page, 24);
  assert.equal(d.items.length, 24);
  assert.equal(d.total, LIVE);
  // By merchant alone, too.
  const m = await allItems({ merchant: fx.ids.merchant });
  assert.equal(m.total, LIVE);
  assert.deepEqual(m.facets.category, [{ value: fx.cat.root, label_zh: '测试根目录', label_en: 'Test root', count: LIVE }]);
});

const FILTERS = () => [
  { category: fx.cat.audio },
  { category: fx.cat.earbuds },
  { category: fx.cat.home },
  { ...ROOT, brand: fx.brands.a.slug },
  { ...ROOT, brand: `${fx.brands.a.slug},${fx.brands.c.slug}` },
  { ...ROOT, min_price: 5000, max_price: 9999 },
  { ...ROOT, min_price: 4999 },
  { ...ROOT, max_price: 4999 },
  { ...ROOT, min_price: 600000 },
  { ...ROOT, min_price: 500, max_price: 100 },
  { ...ROOT, rating: 4 },
  { ...ROOT, rating: 1 },
  { ...ROOT, rating: 5 },
  { ...ROOT, in_stock: 'true' },
  { ...ROOT, in_stock: '0' },
  { ...ROOT, options: '颜色:黑色' },
  { ...ROOT, options: '颜色:白色;尺码:M' },
  { ...ROOT, options: '尺码:L' },
  { ...ROOT, options: '颜色:紫色' },
  { category: fx.cat.audio, brand: fx.brands.b.slug, in_stock: '1', options: '颜色:黑色' },
  { merchant: fx.ids.merchant, rating: 3, max_price: 20000 },
];

test('each filter returns exactly the fixture products it should', async () => {
  for (const f of FILTERS()) {
    const j = await allItems(f);
    const want = expected(fx, f).map((p) => p.id);
    assert.deepEqual(sortedIds(j.items.map((i) => i.id)), sortedIds(want), `filter ${qs(f)}`);
    assert.equal(j.total, want.length, `total for ${qs(f)}`);
    assertCards(j.items, qs(f));
  }
});

// The params a facet value stands for: the facet's own filter replaced.
function withFacet(base, facet, v) {
  const p = { ...base };
  switch (facet) {
    case 'category': p.category = v.value; break;
    case 'brand': p.brand = v.value; break;
    case 'price':
      p.min_price = v.min_price;
      if (v.max_price === null) delete p.max_price; else p.max_price = v.max_price;
      break;
    case 'rating': p.rating = v.min_rating; break;
    case 'in_stock': p.in_stock = 'true'; break;
    case 'options': {
      const pairs = (base.options || '').split(';').filter(Boolean)
        .filter((x) => x.slice(0, x.indexOf(':')) !== v.name);
      p.options = [...pairs, `${v.name}:${v.value}`].join(';');
      break;
    }
    default: throw new Error(facet);
  }
  return p;
}

async function checkFacets(base) {
  const j = await allItems(base);
  const f = j.facets;
  for (const k of ['category', 'brand', 'price', 'rating', 'options']) {
    assert.ok(Array.isArray(f[k]), `facets.${k} in ${qs(base)}`);
  }
  assert.equal(typeof f.in_stock.count, 'number');
  const values = [
    ...f.category.map((v) => ['category', v]),
    ...f.brand.map((v) => ['brand', v]),
    ...f.price.map((v) => ['price', v]),
    ...f.rating.map((v) => ['rating', v]),
    ['in_stock', f.in_stock],
    ...f.options.map((v) => ['options', v]),
  ];
  for (const [facet, v] of values) {
    const p = withFacet(base, facet, v);
    const got = await list({ ...p, per_page: 60 });
    assert.equal(got.total, v.count,
      `facet ${facet} ${JSON.stringify(v)} of ${qs(base)}: count ${v.count}, but ${qs(p)} has total ${got.total}`);
    assert.equal(got.total, expected(fx, p).length, `truth for ${qs(p)}`);
  }
  // Facet values are non-empty; price buckets are the documented ones.
  for (const [, v] of values.filter(([k]) => k !== 'in_stock' && k !== 'rating')) {
    assert.ok(v.count > 0, `empty facet value ${JSON.stringify(v)}`);
  }
  for (const b of f.price) {
    const k = PRICE_EDGES.indexOf(b.min_price);
    assert.ok(k >= 0, `bucket ${JSON.stringify(b)}`);
    assert.equal(b.max_price, k + 1 < PRICE_EDGES.length ? PRICE_EDGES[k + 1] - 1 : null);
  }
  assert.deepEqual(f.rating.map((r) => r.min_rating), [4, 3, 2, 1]);
  return j;
}

test('facet counts agree with the totals their filters return', async () => {
  const bases = [
    ROOT,
    { category: fx.cat.audio },
    { ...ROOT, brand: fx.brands.a.slug, in_stock: 'true' },
    { ...ROOT, options: '颜色:黑色' },
    { ...ROOT, options: '颜色:白色;尺码:M', min_price: 5000 },
    { ...ROOT, rating: 3, max_price: 49999 },
    { ...ROOT, q: fx.tag },
  ];
  for (const b of bases) await checkFacets(b);
});

test('the root facets match the fixture exactly', async () => {
  const j = await allItems(ROOT);
  const f = j.facets;
  const count = (pred) => fx.products.filter(pred).length;
  assert.deepEqual(f.category.map((c) => [c.value, c.count]), [
    [fx.cat.audio, count((p) => p.leaf !== 'home')],
    [fx.cat.home, count((p) => p.leaf === 'home')],
  ]);
  assert.deepEqual(
    Object.fromEntries(f.brand.map((b) => [b.value, b.count])),
    Object.fromEntries(Object.entries(fx.brands).map(([k, b]) => [b.slug, count((p) => p.brand === k)])),
  );
  for (const b of f.brand) assert.equal(b.label, Object.values(fx.brands).find((x) => x.slug === b.value).name);
  assert.equal(f.in_stock.count, count((p) => p.inStock));
  assert.deepEqual(f.rating.map((r) => r.count), [4, 3, 2, 1].map((n) => count((p) => p.ratingAvg >= n * 100)));
  const opt = (n, v) => count((p) => p.opts.some((o) => o.name === n && o.values.includes(v)));
  const got = Object.fromEntries(f.options.map((o) => [`${o.name}:${o.value}`, o.count]));
  assert.deepEqual(got, {
    '颜色:黑色': opt('颜色', '黑色'), '颜色:白色': opt('颜色', '白色'),
    '尺码:M': opt('尺码', 'M'), '尺码:L': opt('尺码', 'L'),
  });
  const buckets = PRICE_EDGES.map((lo, k) => count((p) => p.min >= lo && (k + 1 === PRICE_EDGES.length || p.min < PRICE_EDGES[k + 1])));
  assert.deepEqual(f.price.map((b) => b.count), buckets.filter((n) => n > 0));
});

// --- sorting and paging ----------------------------------------------------------

const SORTS = {
  best_selling: (a, b) => b.sales - a.sales || b.id - a.id,
  price_asc: (a, b) => a.min - b.min || a.id - b.id,
  price_desc: (a, b) => b.min - a.min || b.id - a.id,
  newest: (a, b) => a.minutesAgo - b.minutesAgo || b.id - a.id,
  rating: (a, b) => b.ratingAvg - a.ratingAvg || b.ratingCount - a.ratingCount || b.id - a.id,
};

test('every sort order is really sorted, and pages join up', async () => {
  for (const [sort, cmp] of Object.entries(SORTS)) {
    const j = await allItems({ ...ROOT, sort });
    const want = [...fx.products].sort(cmp).map((p) => p.id);
    assert.deepEqual(j.items.map((i) => i.id), want, `sort=${sort}`);
    // The same order page by page.
    const paged = [];
    for (let page = 1; page <= 5; page++) {
      const pj = await list({ ...ROOT, sort, page, per_page: 7 });
      assert.equal(pj.total, LIVE);
      assert.equal(pj.page, page);
      paged.push(...pj.items.map((i) => i.id));
    }
    assert.deepEqual(paged, want, `sort=${sort} paged by 7`);
  }
  // No sort: best selling; relevance without q: best selling.
  const d = await allItems(ROOT);
  const r = await allItems({ ...ROOT, sort: 'relevance' });
  const want = [...fx.products].sort(SORTS.best_selling).map((p) => p.id);
  assert.deepEqual(d.items.map((i) => i.id), want);
  assert.deepEqual(r.items.map((i) => i.id), want);
  // A sort within a search.
  const s = await allItems({ ...ROOT, q: fx.tag, sort: 'price_asc' });
  assert.deepEqual(s.items.map((i) => i.id), [...fx.products].sort(SORTS.price_asc).map((p) => p.id));
});

test('paging bounds: bad per_page and page are 400, past the end is empty, the offset cap holds', async () => {
  for (const [p, field] of [
    [{ per_page: 0 }, 'per_page'], [{ per_page: 61 }, 'per_page'], [{ per_page: 'abc' }, 'per_page'],
    [{ per_page: -1 }, 'per_page'], [{ page: 0 }, 'page'], [{ page: 'x' }, 'page'],
    [{ page: 168, per_page: 60 }, 'page'], [{ page: 1000000 }, 'page'],
    [{ sort: 'cheapest' }, 'sort'], [{ in_stock: 'yes' }, 'in_stock'], [{ rating: 6 }, 'rating'],
    [{ min_price: -1 }, 'min_price'], [{ merchant: 0 }, 'merchant'], [{ category: 'Bad Slug' }, 'category'],
    [{ brand: 'a,b,c,d,e,f,g,h,i' }, 'brand'], [{ options: 'no-colon' }, 'options'],
    [{ q: 'x'.repeat(201) }, 'q'],
  ]) {
    const r = await req(`/api/v1/products?${qs({ ...ROOT, ...p })}`);
    assert.equal(r.status, 400, `${qs(p)} → ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json.error.code, 'bad_request');
    assert.equal(r.json.error.field, field, qs(p));
  }
  const far = await list({ ...ROOT, page: 99, per_page: 60 });
  assert.deepEqual(far.items, []);
  assert.equal(far.total, LIVE);
  assert.equal(far.page, 99);
  const edge = await list({ ...ROOT, page: 166, per_page: 60 });
  assert.deepEqual(edge.items, []);
  const last = await list({ ...ROOT, page: 3, per_page: 12 });
  assert.equal(last.items.length, LIVE - 24);
  const unknown = await req(`/api/v1/products?${qs({ category: `ct-${fx.tag}-nope` })}`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.field, 'category');
});

test('paging stops at the first 10,000 results (page*per_page > 10,000 is 400)', async () => {
  assert.equal((await req(`/api/v1/products?${qs({ ...ROOT, page: 10000, per_page: 1 })}`)).status, 200);
  for (const p of [{ page: 10001, per_page: 1 }, { page: 401, per_page: 25 }, { page: 167, per_page: 60 }]) {
    const r = await req(`/api/v1/products?${qs({ ...ROOT, ...p })}`);
    assert.equal(r.status, 400, `${qs(p)} reads past result 10,000: ${r.status}`);
    assert.equal(r.json.error.field, 'page');
  }
});

// --- search ----------------------------------------------------------------------

async function search(q, extra = {}) {
  return allItems({ ...ROOT, q, ...extra });
}
const idOf = (i) => fx.products[i].id;

test('Chinese search: 蓝牙耳机 finds 无线蓝牙耳机, the exact name first', async () => {
  for (const q of ['蓝牙耳机', ' 蓝牙耳机']) {
    const j = await search(q);
    const ids = j.items.map((i) => i.id);
    assert.ok(ids.includes(idOf(0)), `${q} finds 无线蓝牙耳机: ${j.items.map((i) => i.name)}`);
    assert.equal(ids[0], idOf(1), `${q}: the product named exactly 蓝牙耳机 first: ${j.items.map((i) => i.name)}`);
    assert.deepEqual(j.search, { q: '蓝牙耳机', fuzzy: false, corrected: null, capped_at: 1000 });
    assertCards(j.items, q);
  }
  const two = await search('无线 耳机');
  assert.deepEqual(two.items.map((i) => i.id), [idOf(0)], 'both words required');
  const miss = await search('蓝牙音箱');
  assert.ok(!miss.items.some((i) => [idOf(0), idOf(1)].includes(i.id)), '蓝牙音箱 is not 蓝牙耳机');
});

test('Chinese search with a full-width (IME) space or comma between the words', async () => {
  for (const q of ['蓝牙\u3000耳机', '蓝牙，耳机']) {
    const j = await search(q);
    const ids = j.items.map((i) => i.id);
    assert.ok(ids.includes(idOf(0)) && ids.includes(idOf(1)),
      `${JSON.stringify(q)} finds both 蓝牙耳机 products: got ${JSON.stringify(j.items.map((i) => i.name))} fuzzy=${j.search?.fuzzy}`);
  }
});

test('English search: every word required, exact name first, case-insensitive', async () => {
  for (const q of ['Wireless Bluetooth Earbuds', 'wireless bluetooth earbuds']) {
    const j = await search(q);
    const ids = j.items.map((i) => i.id);
    assert.equal(ids[0], idOf(2), `${q}: exact name first: ${j.items.map((i) => i.name)}`);
    assert.ok(ids.includes(idOf(3)), `${q} also finds ${fx.products[3].name}`);
    assert.equal(j.search.fuzzy, false);
  }
  const one = await search('bluetooth');
  assert.deepEqual(sortedIds(one.items.map((i) => i.id)), sortedIds([idOf(2), idOf(3)]));
  const edition = await search('Earbuds Edition');
  assert.deepEqual(edition.items.map((i) => i.id), [idOf(3)]);
  // Brand names are searchable; the tag is in every description.
  const brand = await search(`Aurora ${fx.tag}`);
  assert.deepEqual(sortedIds(brand.items.map((i) => i.id)),
    sortedIds(fx.products.filter((p) => p.brand === 'a').map((p) => p.id)));
  const all = await search(fx.tag);
  assert.equal(all.total, LIVE);
  // Category names (zh and en) are searchable.
  const cat = await search('测试音箱');
  assert.deepEqual(sortedIds(cat.items.map((i) => i.id)),
    sortedIds(fx.products.filter((p) => p.leaf === 'speakers').map((p) => p.id)));
});

test('mixed Chinese and English search', async () => {
  for (const q of ['sony 降噪', 'Sony 降噪耳机 pro', '降噪耳机 Sony']) {
    const j = await search(q);
    assert.deepEqual(j.items.map((i) => i.id), [idOf(4)], q);
  }
  const exact = await search('Sony 降噪耳机 Pro');
  assert.equal(exact.items[0]?.id, idOf(4));
});

test('a misspelt English word still finds the Bluetooth products (fuzzy)', async () => {
  for (const q of ['bluetoth', 'blutooth earbuds', 'Wireles Bluetoth']) {
    const j = await search(q);
    const ids = j.items.map((i) => i.id);
    assert.equal(j.search.fuzzy, true, `${q}: fuzzy retry`);
    assert.match(j.search.corrected, /bluetooth/, `${q}: the corrected query is shown`);
    assert.ok(ids.includes(idOf(2)) && ids.includes(idOf(3)),
      `${q} finds the Bluetooth products: ${JSON.stringify(j.items.map((i) => i.name))}`);
    assertCards(j.items, q);
  }
});

test('search suggestions: a prefix of the last word finds the product', async () => {
  const z = fx.products[6];
  for (const q of [`${fx.tag} Zephyr`, `${fx.tag} zeph`, fx.tag2, `${fx.tag2.slice(0, 6)}`]) {
    const j = await suggest(q);
    assert.ok(j.items.length <= 8);
    assert.equal(j.total, j.items.length);
    const hit = j.items.find((i) => i.id === z.id || i.id === idOf(5));
    assert.ok(hit, `suggest ${q}: ${JSON.stringify(j.items)}`);
  }
  const j = await suggest(`${fx.tag} Zephyr`);
  assert.deepEqual(j.items.find((i) => i.id === z.id), { id: z.id, name: z.name, slug: z.slug });
  const r = await req(`/api/v1/search/suggest?${qs({ q: fx.tag2 })}`);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
  for (const q of ['', '   ', '+-><()~*"@\'']) {
    const e = await suggest(q);
    assert.deepEqual(e.items, [], `suggest ${JSON.stringify(q)}`);
  }
  const long = await req(`/api/v1/search/suggest?${qs({ q: 'x'.repeat(201) })}`);
  assert.equal(long.status, 400);
});

// --- what is not live ----------------------------------------------------------

test('non-live products never appear in listings, search, suggestions or detail', async () => {
  const hidden = hiddenIds();
  const check = (j, what) => {
    for (const it of j.items) assert.ok(!hidden.has(it.id), `${what}: non-live ${it.id} ${it.name}`);
  };
  check(await allItems(ROOT), 'listing');
  check(await allItems({ merchant: fx.ids.merchant, sort: 'price_asc' }), 'merchant listing');
  check(await allItems({ ...ROOT, options: '颜色:白色;尺码:L' }), 'options');
  for (const q of ['蓝牙耳机', 'Wireless Bluetooth Earbuds', fx.tag2, `${fx.tag2} Zephyrphone`, 'bluetoth', fx.tag]) {
    check(await search(q), `search ${q}`);
    check(await allItems({ merchant: fx.ids.merchant, q }), `merchant search ${q}`);
    check(await suggest(q), `suggest ${q}`);
  }
  // The one live product with tag2 is found; the non-live ones with it are not.
  assert.deepEqual((await search(fx.tag2)).items.map((i) => i.id), [idOf(5)]);
  assert.deepEqual((await suggest(fx.tag2)).items.map((i) => i.id), [idOf(5)]);
  // Facets count only live products.
  const f = (await allItems({ ...ROOT, options: '尺码:L' })).facets;
  assert.equal(f.in_stock.count, expected(fx, { ...ROOT, options: '尺码:L' }).filter((p) => p.inStock).length);
  for (const p of fx.hidden) {
    for (const ref of [p.id, p.slug]) {
      const r = await req(`/api/v1/products/${encodeURIComponent(ref)}`);
      assert.equal(r.status, 404, `detail of ${p.status} product ${ref}`);
      assert.equal(r.json.error.code, 'not_found');
    }
  }
});

// --- detail ------------------------------------------------------------------------

test('product detail by id and by slug: variants with stock status, never a stock number', async () => {
  const p = fx.products[0];   // options 颜色 x 尺码, 4 SKUs, an image, brand a
  const a = await req(`/api/v1/products/${p.id}`);
  const b = await req(`/api/v1/products/${p.slug}`);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(a.json, b.json);
  assert.equal(a.headers.get('cache-control'), 'public, max-age=10');
  const d = a.json;
  assert.equal(d.id, p.id);
  assert.equal(d.slug, p.slug);
  assert.equal(d.name, p.name);
  assert.equal(d.description, p.description);
  assert.deepEqual(d.price, { amount: p.min, currency: 'CNY' });
  assert.deepEqual(d.price_max, { amount: p.max, currency: 'CNY' });
  assert.equal(d.in_stock, p.inStock);
  assert.equal(d.sales_count, p.sales);
  assert.deepEqual(d.merchant, { id: fx.ids.merchant, name: `cat-test-${fx.tag}` });
  assert.deepEqual(d.brand, { slug: fx.brands.a.slug, name: fx.brands.a.name });
  assert.match(d.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(d.breadcrumb.map((c) => c.slug), [fx.cat.root, fx.cat.audio, fx.cat.earbuds]);
  assert.deepEqual(d.breadcrumb[2], { id: fx.ids.cat.earbuds, slug: fx.cat.earbuds, name_zh: '测试耳机', name_en: 'Test earbuds' });
  assert.deepEqual(d.options, ['颜色', '尺码']);
  assert.deepEqual(d.skus.map((s) => s.code), p.skus.map((s) => s.code));
  d.skus.forEach((s, k) => {
    const want = p.skus[k];
    assert.deepEqual(s.options, want.values);
    assert.deepEqual(s.price, { amount: want.price, currency: 'CNY' });
    assert.deepEqual(s.compare_at_price, want.compareAt === null ? null : { amount: want.compareAt, currency: 'CNY' });
    assert.equal(s.stock_status, stockStatus(want.stock));
    assert.equal(s.barcode, want.barcode);
    assert.equal(s.image_index, null);
  });
  assert.deepEqual(new Set(d.skus.map((s) => s.stock_status)), new Set(['in_stock', 'low_stock', 'out_of_stock']));
  assert.deepEqual(d.specs, [{ name: '产地', value: '深圳' }, { name: 'Weight', value: '100 g' }]);
  assert.equal(d.images.length, 1);
  assert.equal(d.images[0].full.jpg, `/media/${p.image}-full.jpg`);
  assert.equal(d.images[0].width, 1200);
  // No stock count anywhere: no key says so, and no SKU carries one.
  const keys = [];
  const walk = (o) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) { keys.push(k); walk(v); }
  };
  walk(d);
  for (const k of keys) assert.ok(!/stock$|quantity|inventory|^qty/i.test(k) || k === 'in_stock', `key ${k}`);
  for (const s of d.skus) {
    assert.deepEqual(Object.keys(s).sort(),
      ['barcode', 'code', 'compare_at_price', 'flash_sale', 'id', 'image_index', 'options', 'price', 'stock_status']);
  }
  // An out-of-stock product, and one without options or brand.
  const oos = fx.products[3];
  const o = (await req(`/api/v1/products/${oos.slug}`)).json;
  assert.equal(o.in_stock, false);
  assert.ok(o.skus.every((s) => s.stock_status === 'out_of_stock'));
  const plain = fx.products[3];   // 3 % 4 === 3: no brand; odd, not % 5: no options
  const pl = (await req(`/api/v1/products/${plain.id}`)).json;
  assert.equal(pl.brand, null);
  assert.deepEqual(pl.options, []);
  assert.deepEqual(pl.skus.map((s) => s.options), [[]]);
  // Unknown references.
  for (const ref of ['0', '-1', '999999999999', `cp-${fx.tag}-nope`, '1.5', 'x'.repeat(161), '%FF', '%C3%28',
    encodeURIComponent("' OR 1=1 --"), encodeURIComponent(`${p.slug}' OR '1'='1`)]) {
    const r = await req(`/api/v1/products/${ref}`);
    assert.ok(r.status === 404 || r.status === 400, `detail ${ref.slice(0, 40)} → ${r.status}`);
  }
});

// --- caching -----------------------------------------------------------------------

test('ETag and If-None-Match give 304 on every catalog read', async () => {
  const p = fx.products[2];
  for (const path of [
    `/api/v1/products?${qs({ ...ROOT, sort: 'price_asc' })}`,
    `/api/v1/products?${qs({ ...ROOT, q: '蓝牙耳机' })}`,
    `/api/v1/products/${p.id}`,
    `/api/v1/products/${p.slug}`,
    '/api/v1/categories',
    '/api/v1/brands',
    `/api/v1/search/suggest?${qs({ q: fx.tag2 })}`,
  ]) {
    const a = await req(path);
    assert.equal(a.status, 200, path);
    const tag = a.headers.get('etag');
    assert.match(tag || '', /^W\/"[0-9a-f]{16}"$/, `${path} ETag`);
    assert.match(a.headers.get('cache-control') || '', /^public, max-age=(10|60)$/);
    const b = await req(path, { headers: { 'If-None-Match': tag } });
    assert.equal(b.status, 304, `${path} with If-None-Match`);
    assert.equal(b.text, '');
    const c = await req(path, { headers: { 'If-None-Match': 'W/"0000000000000000"' } });
    assert.equal(c.status, 200, `${path} with another ETag`);
    assert.equal(c.text, a.text);
  }
});

test('micro-cache: a signed-in request never leaks to an anonymous one', async () => {
  const { client, email, user } = await registerUser('catalog-cache', { displayName: `猫${fx.tag}` });
  const path = `/api/v1/products?${qs({ ...ROOT, sort: 'newest', per_page: 5, nonce: fx.tag })}`;
  const signed = await client.get(path);
  assert.equal(signed.status, 200);
  const anon = await req(path);
  assert.equal(anon.status, 200);
  assert.deepEqual(anon.headers.getSetCookie(), [], 'no Set-Cookie for an anonymous catalog read');
  for (const s of [email, `猫${fx.tag}`, String(client.token), String(client.csrf)]) {
    assert.ok(!anon.text.includes(s), `anonymous body carries ${s}`);
  }
  assert.ok(!/csrf|session|"user"/i.test(anon.text), 'no session data in the listing');
  assert.deepEqual(anon.json.items, signed.json.items);
  assert.ok(user.id > 0);
  // A response that sets a cookie (here: read-your-writes GTID cookie or a
  // session refresh) must never be replayed to another client: whatever
  // a cookie-carrying client got first, the next anonymous client gets no
  // Set-Cookie, on the same URL, twice (the second from the cache).
  const path2 = `/api/v1/products?${qs({ ...ROOT, per_page: 3, nonce: `${fx.tag}2` })}`;
  const withCookie = await req(path2, { headers: { Cookie: `${client.cookieHeader()}; jishi_gtid=0-1-1` } });
  assert.equal(withCookie.status, 200);
  for (let k = 0; k < 2; k++) {
    const a = await req(path2);
    assert.equal(a.status, 200);
    assert.deepEqual(a.headers.getSetCookie(), [], `anonymous read ${k + 1} after a cookie one`);
  }
  // And an anonymous request first, then the signed-in one: the signed-in
  // client is not handed a cached page (bypass), and still no cookie leaks.
  const path3 = `/api/v1/products/${fx.products[2].slug}?nonce=${fx.tag}3`;
  await req(path3);
  const s3 = await client.get(path3);
  assert.equal(s3.status, 200);
  assert.notEqual(s3.headers.get('x-cache'), 'HIT', 'a session bypasses the micro-cache');
});

test('a change shows in listings and search within 10 s', async () => {
  const p = fx.products[8];
  const renamed = `${fx.tag} 改名 renamed ${p.i}`;
  const t0 = Date.now();
  await sql(`UPDATE ${DB}.products SET name = ${lit(renamed)}, updated_at = UTC_TIMESTAMP(6) WHERE id = ${p.id};`);
  await reindex();
  await waitFor('the new name in the listing', async () => {
    const j = await list({ ...ROOT, per_page: 60 });
    return j.items.find((i) => i.id === p.id)?.name === renamed;
  }, { timeoutMs: Math.max(1, 10000 - (Date.now() - t0)), intervalMs: 100 });
  await waitFor('the new name in search and detail', async () => {
    const s = await list({ ...ROOT, q: '改名 renamed', per_page: 60 });
    const d = await req(`/api/v1/products/${p.id}`);
    return s.items.map((i) => i.id).join() === String(p.id) && d.json?.name === renamed;
  }, { timeoutMs: Math.max(1, 10000 - (Date.now() - t0)), intervalMs: 100 });
  assert.ok(Date.now() - t0 <= 10000);
  p.name = renamed;
});

// With scripts/test's product_cache_ms of 60 s, only the change feed
// (changes.h) can bring these changes to every worker's kept pages and
// cards within the 10 s waited for.
test('kept product pages and cards follow the change feed: price, stock status, a flash sale that starts', async () => {
  const p = fx.products[13];   // one SKU, 50 in stock
  const skuId = Number(await sql(`SELECT id FROM ${DB}.skus WHERE product_id = ${p.id}`));
  assert.ok(skuId > 0);
  // Enough reads that every worker answers (and keeps) the page.
  const pages = async () => {
    const out = [];
    for (let k = 0; k < 12; k++) {
      const d = await req(`/api/v1/products/${p.id}`);
      assert.equal(d.status, 200, d.text);
      out.push(d.json);
    }
    return out;
  };
  const cards = async () => {
    const out = [];
    for (let k = 0; k < 6; k++) out.push((await list({ ...ROOT, per_page: 60 })).items.find((i) => i.id === p.id));
    return out;
  };
  const everywhere = async (what, pageOk, cardOk) => waitFor(what, async () =>
    (await pages()).every(pageOk) && (await cards()).every((c) => c && cardOk(c)),
  { timeoutMs: 10000, intervalMs: 100 });
  const lastChange = async () => Number(await sql(`SELECT COALESCE(MAX(id), 0) FROM ${DB}.cache_changes`));
  await pages();
  await cards();

  // An order's stock change that keeps the status announces nothing.
  const before = await lastChange();
  await sql(`UPDATE ${DB}.skus SET stock = 49 WHERE id = ${skuId};`);
  assert.equal(await lastChange(), before, 'no feed row for 50 -> 49');
  // A bulk writer (the seed) silences the triggers on its connection.
  await sql(`SET @jishi_bulk = 1; UPDATE ${DB}.skus SET stock = 0 WHERE id = ${skuId};
    UPDATE ${DB}.skus SET stock = 49 WHERE id = ${skuId}; SET @jishi_bulk = NULL;`);
  assert.equal(await lastChange(), before, 'no feed row under @jishi_bulk');
  await sql(`UPDATE ${DB}.skus SET stock = 5 WHERE id = ${skuId};`);
  assert.ok(await lastChange() > before, 'a feed row for in stock -> low stock');

  const price = p.min + 700;
  await sql(`UPDATE ${DB}.skus SET price = ${price} WHERE id = ${skuId};
    UPDATE ${DB}.products SET min_price = ${price}, max_price = ${price} WHERE id = ${p.id};`);
  await everywhere('the new price and low stock on every page and card',
    (d) => d.price.amount === price && d.skus[0].price.amount === price && d.skus[0].stock_status === 'low_stock',
    (c) => c.price.amount === price && c.price_max.amount === price);

  await sql(`UPDATE ${DB}.skus SET stock = 0 WHERE id = ${skuId};
    UPDATE ${DB}.products SET in_stock = 0 WHERE id = ${p.id};`);
  await everywhere('out of stock on every page and card',
    (d) => d.skus[0].stock_status === 'out_of_stock' && d.in_stock === false, (c) => c.in_stock === false);

  // A sale that starts in 2 s: nothing is written when it starts, so the
  // pages show it because they were kept only until then.
  await sql(`INSERT INTO ${DB}.flash_sales (merchant_id, sku_id, sale_price, starts_at, ends_at)
    VALUES (${fx.ids.merchant}, ${skuId}, ${price - 100}, UTC_TIMESTAMP(6) + INTERVAL 2 SECOND,
            UTC_TIMESTAMP(6) + INTERVAL 1 HOUR);`);
  await everywhere('the flash sale once it runs', (d) => d.skus[0].flash_sale?.sale_price?.amount === price - 100,
    (c) => c.flash_sale?.sale_price?.amount === price - 100);
  await sql(`DELETE FROM ${DB}.flash_sales WHERE sku_id = ${skuId};`);

  // Back as the fixture says, everywhere, for the tests after this one.
  const orig = p.skus[0];
  await sql(`UPDATE ${DB}.skus SET price = ${orig.price}, stock = ${orig.stock} WHERE id = ${skuId};
    UPDATE ${DB}.products SET min_price = ${p.min}, max_price = ${p.max}, in_stock = 1 WHERE id = ${p.id};`);
  await everywhere('the fixture values again',
    (d) => d.price.amount === p.min && d.skus[0].stock_status === stockStatus(orig.stock) && d.skus[0].flash_sale === null,
    (c) => c.price.amount === p.min && c.in_stock === true && c.flash_sale === null);
});

// --- hostile input ---------------------------------------------------------------

const HOSTILE_Q = [
  "'", '"', "' OR 1=1 --", "' OR '1'='1", '"; DROP TABLE products; --', "') UNION SELECT 1 --",
  '+-><()~*"@', '+蓝牙 -耳机', '"蓝牙耳机"', '蓝牙耳机*', '(bluetooth', 'bluetooth)', '~bluetooth', '@bluetooth',
  '>bluetooth <earbuds', '*D+ bluetooth', '*DOR', 'name:@蓝牙', 'a OR b', 'OR', 'AND', 'NOT', '-',
  '%', '%%', '_', '\\', '\\\\', '\\\'', 'a\u0000b', '\u0001\u001f', '😀', '𠀀', '\u200b', '\ufeff蓝牙',
  '蓝牙'.repeat(60), 'a '.repeat(100), `${fx.tag}x蓝牙`, 'iphone手机壳', 'usb充电器', 'x无线',
  '＋－＞＜（）～＊＂＠', 'ｂｌｕｅｔｏｏｔｈ',
];
const HOSTILE_RAW = [
  '%C3%28', '%FF', '%ED%A0%80', '%C0%AF', '%E8%93', '%00', '%', '%zz', '%25', 'a%2Bb', '%2B%2D%3E%3C',
  'x'.repeat(10240), encodeURIComponent('蓝'.repeat(3500)), '%FF'.repeat(3000),
];

// Every failure of a loop, reported together.
async function collect(fn) {
  const failures = [];
  await fn(async (check) => {
    try {
      await check();
    } catch (e) {
      failures.push(e.message.split('\n')[0]);
    }
  });
  assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
}

function assertSane(r, what) {
  assert.ok(r.status < 500, `${what} → ${r.status} ${r.text.slice(0, 200)}`);
  if (r.status === 200) {
    assert.ok(Array.isArray(r.json?.items), `${what}: a list`);
    assert.ok(!r.json.items.some((i) => hiddenIds().has(i.id)), `${what}: non-live product`);
  } else {
    assert.ok(r.status >= 400, `${what} → ${r.status}`);
    if (r.status !== 414) assert.equal(typeof r.json?.error?.code, 'string', `${what}: error shape`);
  }
}

test('hostile search queries answer 4xx or a normal result, never 5xx', async () => {
  await collect(async (check) => {
    for (const q of HOSTILE_Q) {
      for (const path of [
        `/api/v1/products?${qs({ ...ROOT, q })}`,
        `/api/v1/products?${qs({ q, per_page: 5 })}`,
        `/api/v1/search/suggest?${qs({ q })}`,
      ]) {
        await check(async () => assertSane(await req(path),
          `${path.split('?')[0]} q=${JSON.stringify(q).slice(0, 40)}`));
      }
    }
    for (const raw of HOSTILE_RAW) {
      for (const path of [
        `/api/v1/products?category=${fx.cat.root}&q=${raw}`,
        `/api/v1/search/suggest?q=${raw}`,
      ]) {
        await check(async () => assertSane(await req(path),
          `${path.split('?')[0]} raw q=${raw.slice(0, 30)}`));
      }
    }
    // Operators are words or nothing: these still find the product.
    for (const q of ['+蓝牙耳机', '"蓝牙耳机"', '(蓝牙耳机)', '蓝牙耳机*', '-蓝牙耳机', '~蓝牙耳机', "'蓝牙耳机'"]) {
      await check(async () => {
        const j = await search(q);
        assert.ok(j.items.some((i) => i.id === idOf(1)), `${q} finds 蓝牙耳机`);
      });
    }
  });
});

test('hostile values in every other parameter answer 4xx or a normal result', async () => {
  const values = ["' OR 1=1 --", '%', '\\', '蓝牙', '😀', '-1', '1e9', '9'.repeat(30), ',', ';', ':', '颜色:%',
    "颜色:' OR '1'='1", "颜色:黑色' --", '颜色:黑色;颜色:白色', 'x'.repeat(300)];
  await collect(async (check) => {
    for (const name of ['category', 'brand', 'merchant', 'min_price', 'max_price', 'rating', 'in_stock',
      'options', 'sort', 'page', 'per_page']) {
      for (const v of values) {
        await check(async () => {
          const r = await req(`/api/v1/products?${new URLSearchParams({ [name]: v })}&merchant=${fx.ids.merchant}`);
          assertSane(r, `${name}=${v.slice(0, 30)}`);
          if (r.status === 200) assert.ok(r.json.items.every((i) => byId().has(i.id)), `${name}=${v}`);
        });
      }
    }
  });
  // A LIKE wildcard in an option value matches only itself.
  const like = await allItems({ ...ROOT, options: '颜色:%' });
  assert.equal(like.total, 0);
  // Repeated parameters and a flood of them.
  assertSane(await req(`/api/v1/products?category=${fx.cat.root}&category=x'&brand=a&brand=b`), 'repeats');
  assertSane(await req(`/api/v1/products?${Array.from({ length: 200 }, (_, k) => `p${k}=${k}`).join('&')}`), 'many params');
});
