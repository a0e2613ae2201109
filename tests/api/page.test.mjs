// Shareable product pages through nginx: /p/{slug} is the SPA's own
// index.html (its script tag intact, so the app boots) with the product's
// head filled in by the back end: title, description, canonical link,
// OpenGraph, product:price and a schema.org Product in JSON-LD that agrees
// with /api/v1/products/{slug}. Unknown and non-live products get the same
// page with noindex and a 404; hostile slugs a 4xx, never a 5xx; a
// merchant's hostile name comes out escaped, with no tag of its own; the
// micro-cache never hands one caller's page to another; with no worker
// answering, nginx still serves the static index.html.
//
// The products are catalog.test.mjs's fixture (catalog-lib.mjs), inserted
// under a fresh tag.
//
// Env: JISHI_BASE_URL, JISHI_CTL + JISHI_VAR (SQL, stopping the workers),
// JISHI_CONFIG (public_url).
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { registerUser } from './accounts-lib.mjs';
import { DB, deleteFixture, insertFixture, lit, makeFixture, sql } from './catalog-lib.mjs';
import { CONFIG, ctl, health, req, waitFor } from './lib.mjs';

const fx = makeFixture();
const SITE = (CONFIG?.public_url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const LD = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/;
const HTML = 'text/html; charset=utf-8';
// The SPA's entry point in the built index.html.
const ENTRY = /<script type="module"[^>]*\ssrc="\/assets\/[^"]+\.js"[^>]*><\/script>/;

let spa;   // the static index.html, as nginx serves it

function count(s, needle) {
  return s.split(needle).length - 1;
}

// Decimal text of integer minor units (CNY), without floating point.
function decimal(minor) {
  const s = String(Math.abs(minor)).padStart(3, '0');
  return `${minor < 0 ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}

// content of <meta {attr}="{key}" content="…">, unescaped.
function meta(html, attr, key) {
  const m = html.match(new RegExp(`<meta ${attr}="${key}" content="([^"]*)">`));
  return m ? unescapeHtml(m[1]) : undefined;
}

function unescapeHtml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function titleOf(html) {
  const m = html.match(/<title>([^<]*)<\/title>/);
  return m ? unescapeHtml(m[1]) : undefined;
}

function jsonLd(html) {
  const m = html.match(LD);
  assert.ok(m, 'a JSON-LD script');
  for (const c of ['<', '>', '&', '\u2028', '\u2029']) {
    assert.ok(!m[1].includes(c), `raw ${JSON.stringify(c)} in the JSON-LD`);
  }
  return JSON.parse(m[1]);
}

async function page(slug, opts) {
  return req(`/p/${encodeURIComponent(slug)}`, opts);
}

// The page boots the SPA: its entry script, as the static index.html has it.
function assertBoots(r, what) {
  const entry = spa.match(ENTRY)[0];
  assert.ok(r.text.includes(entry), `${what}: the SPA's entry script ${entry}`);
  assert.ok(r.text.includes('<div id="app"></div>'), `${what}: the app's mount point`);
}

function assertNotFoundPage(r, what) {
  assert.equal(r.status, 404, `${what}: ${r.text.slice(0, 200)}`);
  assert.equal(r.headers.get('content-type'), HTML, what);
  assert.equal(r.headers.get('cache-control'), 'no-cache', what);
  assert.ok(r.text.includes('<meta name="robots" content="noindex">'), `${what}: noindex`);
  assert.equal(count(r.text, '<title'), 1, `${what}: one title`);
  assert.ok(!r.text.includes('og:'), `${what}: no OpenGraph`);
  assert.ok(!LD.test(r.text), `${what}: no JSON-LD`);
  assertBoots(r, what);
}

before(async () => {
  const s = await req('/index.html');
  assert.equal(s.status, 200, 'the static index.html');
  assert.match(s.text, ENTRY, 'the built index.html has its entry script');
  spa = s.text;
  await insertFixture(fx);
  // Reads are served by the replica: wait until the fixture is there.
  await waitFor('the fixture on the replica', async () => {
    const last = fx.products[fx.products.length - 1];
    return (await req(`/api/v1/products/${last.slug}`)).status === 200;
  }, { timeoutMs: 60000, intervalMs: 250 });
});

after(async () => {
  if (fx.ids?.merchant) await deleteFixture(fx);
});

test('a live product: title, description, canonical, OpenGraph and JSON-LD as the API says', async () => {
  const p = fx.products[0];   // four SKUs at three prices, an image, brand a, rated
  const api = (await req(`/api/v1/products/${p.slug}`)).json;
  const r = await page(p.slug);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers.get('content-type'), HTML);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=10');
  assert.deepEqual(r.headers.getSetCookie(), []);
  const url = `${SITE}/p/${p.slug}`;
  const image = `${SITE}${api.images[0].card.jpg}`;

  // The template's title is replaced, not joined by a second one.
  assert.equal(count(r.text, '<title'), 1);
  assert.equal(titleOf(r.text), `${api.name} · Jishi`);
  assert.ok(!r.text.includes(spa.match(/<title>[^<]*<\/title>/)[0]), 'the SPA title is gone');
  assert.equal(meta(r.text, 'name', 'description'), api.description);
  assert.ok(r.text.includes(`<link rel="canonical" href="${url}">`), 'canonical link');
  assert.equal(meta(r.text, 'property', 'og:type'), 'product');
  assert.equal(meta(r.text, 'property', 'og:title'), api.name);
  assert.equal(meta(r.text, 'property', 'og:description'), api.description);
  assert.equal(meta(r.text, 'property', 'og:url'), url);
  assert.equal(meta(r.text, 'property', 'og:image'), image);
  assert.equal(meta(r.text, 'property', 'og:site_name'), 'Jishi 集市');
  assert.equal(meta(r.text, 'property', 'product:price:amount'), decimal(api.price.amount));
  assert.equal(meta(r.text, 'property', 'product:price:currency'), api.price.currency);
  assert.ok(!r.text.includes('noindex'));
  assertBoots(r, 'product page');

  const ld = jsonLd(r.text);
  assert.equal(ld['@context'], 'https://schema.org');
  assert.equal(ld['@type'], 'Product');
  assert.equal(ld.name, api.name);
  assert.equal(ld.description, api.description);
  assert.equal(ld.url, url);
  assert.equal(ld.image, image);
  assert.equal(ld.sku, api.skus[0].code);
  assert.deepEqual(ld.brand, { '@type': 'Brand', name: api.brand.name });
  assert.notEqual(api.price.amount, api.price_max.amount, 'the fixture has SKUs at several prices');
  assert.deepEqual(ld.offers, {
    '@type': 'AggregateOffer',
    lowPrice: decimal(api.price.amount),
    highPrice: decimal(api.price_max.amount),
    offerCount: api.skus.length,
    priceCurrency: api.price.currency,
    availability: `https://schema.org/${api.in_stock ? 'InStock' : 'OutOfStock'}`,
    url,
  });
  assert.ok(api.rating.count > 0);
  assert.equal(ld.aggregateRating['@type'], 'AggregateRating');
  assert.equal(ld.aggregateRating.ratingCount, api.rating.count);
  assert.equal(Number(ld.aggregateRating.ratingValue), api.rating.average);

  // A weak ETag, and 304 for it, like the product API.
  const tag = r.headers.get('etag');
  assert.match(tag || '', /^W\/"[0-9a-f]{16}"$/);
  const again = await page(p.slug, { headers: { 'If-None-Match': tag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
});

test('one price, out of stock, unrated, no image: an Offer with OutOfStock and no rating', async () => {
  const oos = fx.products[3];   // one SKU, out of stock, no brand, no image
  const api = (await req(`/api/v1/products/${oos.slug}`)).json;
  const r = await page(oos.slug);
  assert.equal(r.status, 200);
  const ld = jsonLd(r.text);
  assert.equal(api.in_stock, false);
  assert.deepEqual(ld.offers, {
    '@type': 'Offer',
    price: decimal(api.price.amount),
    priceCurrency: 'CNY',
    availability: 'https://schema.org/OutOfStock',
    url: `${SITE}/p/${oos.slug}`,
  });
  assert.equal(ld.brand, undefined);
  assert.equal(ld.image, undefined);
  assert.equal(meta(r.text, 'property', 'og:image'), undefined);

  const unrated = fx.products[7];
  assert.equal(unrated.ratingCount, 0);
  const u = jsonLd((await page(unrated.slug)).text);
  assert.equal(u.aggregateRating, undefined);
  assert.equal(u.offers.availability, 'https://schema.org/InStock');
});

test('unknown and non-live products: 404 with the SPA and noindex', async () => {
  assertNotFoundPage(await page(`cp-${fx.tag}-nope`), 'unknown slug');
  for (const p of fx.hidden) {
    assertNotFoundPage(await page(p.slug), `${p.status} product`);
  }
  // A product's page is by slug, not by id.
  assertNotFoundPage(await page(String(fx.products[0].id)), 'an id');
});

test('hostile slugs answer 4xx, never 5xx', async () => {
  const raw = [
    '%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E', "'%20OR%20'1'%3D'1", '%27', '%22',
    '..%2F..%2Fetc%2Fpasswd', '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', '..%252F..%252Fetc%252Fpasswd',
    'x'.repeat(10240), 'x'.repeat(161), '%FF', '%C3%28', '%ED%A0%80', '%C0%AF', '%00', 'a%00b',
    '%', '%zz', 'a%2Fb', encodeURIComponent('蓝'.repeat(60)),
  ];
  const failures = [];
  for (const s of raw) {
    const r = await req(`/p/${s}`);
    const what = `/p/${s.slice(0, 40)} → ${r.status}`;
    if (r.status < 400 || r.status >= 500) failures.push(what);
    if (r.text.includes('<script>alert(1)')) failures.push(`${what}: reflected markup`);
    if (r.text.includes('root:x:0:0')) failures.push(`${what}: a file`);
    if (r.status === 404 && r.headers.get('content-type') === HTML && !r.text.includes('noindex')) {
      failures.push(`${what}: no noindex`);
    }
  }
  assert.deepEqual(failures, []);
  // Quotes and markup that reach the app: the not-found page, nothing echoed.
  assertNotFoundPage(await req('/p/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E'), 'markup slug');
  // Dot segments that stay inside the site are resolved by nginx to
  // another path ("/p/a/../../x" is "/x"): the plain SPA answers there.
  for (const s of ['..%2Fx', 'a%2F..%2F..%2Fsecret', '%2E%2E']) {
    const r = await req(`/p/${s}`);
    assert.equal(r.status, 200, `/p/${s}`);
    assert.equal(r.text, spa, `/p/${s} is the static SPA`);
  }
});

test('a hostile name and description render escaped, with no tag of their own', async () => {
  const p = fx.products[1];
  const name = `Evil "q" 'x' <script>alert(1)</script></script><img src=x onerror=alert(2)> &amp; \u2028${fx.tag}`;
  const desc = '</title><script>alert(3)</script><!-- & "\u2029 -->';
  await sql(`UPDATE ${DB}.products SET name = ${lit(name)}, description = ${lit(desc)},
    updated_at = UTC_TIMESTAMP(6) WHERE id = ${p.id};`);
  // The replica and the micro-cache catch up: poll until the page says it.
  const r = await waitFor('the new name on the page', async () => {
    const x = await page(p.slug);
    return x.status === 200 && x.text.includes(fx.tag) && jsonLd(x.text).name === name ? x : null;
  }, { timeoutMs: 30000, intervalMs: 200 });
  const api = (await req(`/api/v1/products/${p.slug}`)).json;
  assert.equal(api.name, name);
  // Nothing of it became markup: as many tags as the SPA's own plus ours.
  assert.equal(count(r.text, '<script'), count(spa, '<script') + 1);
  assert.equal(count(r.text, '</script>'), count(spa, '</script>') + 1);
  assert.equal(count(r.text, '<title'), 1);
  assert.equal(count(r.text, '</title>'), 1);
  assert.equal(count(r.text, '<img'), count(spa, '<img'));
  assert.equal(count(r.text, '<!--'), count(spa, '<!--'));
  assert.ok(!r.text.includes('<script>alert'));
  assert.ok(!r.text.includes('\u2028') && !r.text.includes('\u2029'));
  // As text, one line each; in the JSON-LD, exactly as typed.
  const flat = (s) => s.replace(/[\s\u2028\u2029]+/g, ' ').trim();
  assert.equal(titleOf(r.text), `${flat(name)} · Jishi`);
  assert.equal(meta(r.text, 'name', 'description'), flat(desc));
  assert.equal(meta(r.text, 'property', 'og:title'), flat(name));
  const ld = jsonLd(r.text);
  assert.equal(ld.name, name);
  assert.equal(ld.description, desc);
  assertBoots(r, 'hostile product');
});

test('micro-cache: anonymous copies are shared, a signed-in caller is never served one', async () => {
  const p = fx.products[2];
  // Anonymous pages are cached: the same URL soon comes from the cache.
  const path = `/p/${p.slug}?nonce=${fx.tag}a`;
  await waitFor('an anonymous page from the micro-cache', async () =>
    (await req(path)).headers.get('x-cache') === 'HIT', { timeoutMs: 10000, intervalMs: 50 });

  const { client, email } = await registerUser('page-cache', { displayName: `页${fx.tag}` });
  // Signed in first, then anonymous on the same URL: nothing of the session.
  const path2 = `/p/${p.slug}?nonce=${fx.tag}b`;
  const signed = await client.get(path2);
  assert.equal(signed.status, 200);
  assert.notEqual(signed.headers.get('x-cache'), 'HIT');
  for (let k = 0; k < 2; k++) {
    const anon = await req(path2);
    assert.equal(anon.status, 200);
    assert.deepEqual(anon.headers.getSetCookie(), [], `anonymous read ${k + 1}`);
    for (const s of [email, `页${fx.tag}`, String(client.token), String(client.csrf)]) {
      assert.ok(!anon.text.includes(s), `anonymous page carries ${s}`);
    }
  }
  // Anonymous first (cached), then signed in, or with a read-your-writes
  // cookie: they bypass the cache, every time.
  const path3 = `/p/${p.slug}?nonce=${fx.tag}c`;
  await waitFor('the anonymous copy cached', async () =>
    (await req(path3)).headers.get('x-cache') === 'HIT', { timeoutMs: 10000, intervalMs: 50 });
  for (let k = 0; k < 3; k++) {
    const s = await client.get(path3);
    assert.equal(s.status, 200);
    assert.equal(s.headers.get('x-cache'), 'BYPASS', `signed-in read ${k + 1}`);
    const g = await req(path3, { headers: { Cookie: 'jishi_gtid=0-1-1' } });
    assert.equal(g.headers.get('x-cache'), 'BYPASS', `read-your-writes read ${k + 1}`);
  }
});

test('a rebuilt index.html shows on the next page without a restart', async () => {
  const p = fx.products[5];
  const file = join(CONFIG.frontend_dist, 'index.html');
  const original = readFileSync(file, 'utf8');
  const marker = `<!-- rebuilt ${fx.tag} -->`;
  // As a build does: a new file put in place.
  const put = (text) => {
    writeFileSync(`${file}.page-test`, text);
    renameSync(`${file}.page-test`, file);
  };
  // Past the micro-cache: a read-your-writes cookie bypasses it.
  const fresh = () => page(p.slug, { headers: { Cookie: 'jishi_gtid=0-1-1' } });
  try {
    put(original.replace('</body>', `${marker}\n  </body>`));
    await waitFor('the rebuilt template on the page', async () =>
      (await fresh()).text.includes(marker), { timeoutMs: 10000, intervalMs: 100 });
    const r = await fresh();
    assert.equal(r.status, 200);
    assert.equal(count(r.text, '<title'), 1);
    assert.ok(LD.test(r.text));
  } finally {
    put(original);
  }
  await waitFor('the original template back', async () =>
    !(await fresh()).text.includes(marker), { timeoutMs: 10000, intervalMs: 100 });
});

test('with no worker answering, nginx serves the static index.html so the SPA still boots', async () => {
  const p = fx.products[4];
  const path = `/p/${p.slug}?nonce=${fx.tag}down`;   // never cached
  await ctl('stop', 'fcgi');
  try {
    const r = await req(path);
    assert.ok(r.status === 502 || r.status === 504, `status ${r.status}`);
    assert.equal(r.headers.get('content-type'), HTML);
    assert.equal(r.text, spa);
  } finally {
    await ctl('start', 'fcgi');
    await waitFor('the workers back', async () => (await health()).status === 200);
  }
  assert.equal((await req(path)).status, 200);
});
