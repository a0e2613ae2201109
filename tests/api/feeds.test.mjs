// The sitemaps and the product feed through nginx: every document the
// sitemap index names, and /feeds/products.xml, validate with xmllint
// against the schemas in tests/xml/ (sitemaps.org 0.9 and RSS 2.0 with the
// Merchant Center g: namespace); a live product whose name and description
// a merchant filled with markup, quotes, "]]>" and control characters
// comes out escaped, parses back to the same text minus the characters XML
// cannot carry, and leaves the documents valid; a draft product stays out.
// The schemas themselves must reject deliberately broken documents.
//
// Env: JISHI_BASE_URL, JISHI_CTL + JISHI_VAR (test data is inserted and
// removed with `scripts/ctl sql primary`), JISHI_CONFIG (public_url,
// database name; optional).  Needs xmllint on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CONFIG, ctl, req, waitFor } from './lib.mjs';

const XSD = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'xml');
const SITEINDEX = join(XSD, 'siteindex.xsd');
const SITEMAP = join(XSD, 'sitemap.xsd');
const RSS = join(XSD, 'rss-gmc.xsd');
const DB = CONFIG?.db?.primary?.database ?? 'jishi';
const G = 'http://base.google.com/ns/1.0';

const tag = randomBytes(4).toString('hex');
// What the merchant typed: \u0001 and \u000b cannot appear in XML 1.0.
const NAME = `Evil <b>&"'</b> ]]> \u0001 测试 ${tag}`;
const NAME_CLEAN = `Evil <b>&"'</b> ]]>  测试 ${tag}`;
const DESC_CLEAN = `Line 1\r\n<script>alert(1)</script> &amp; 🎉`;
const GTIN = '4006381333931';
const ids = {};

// xmllint on text from stdin; returns {ok, out}.
function xmllint(args, text) {
  const p = spawnSync('xmllint', [...args, '-'], { input: text, encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024 });
  assert.ok(!p.error, `xmllint runs: ${p.error}`);
  return { ok: p.status === 0, out: p.stdout + p.stderr };
}

function assertValid(xsd, text, what) {
  const r = xmllint(['--noout', '--schema', xsd], text);
  assert.ok(r.ok, `${what} validates against ${xsd}:\n${r.out}\n${text.slice(0, 2000)}`);
}

function assertInvalid(xsd, text, what) {
  assert.equal(xmllint(['--noout', '--schema', xsd], text).ok, false,
    `${what} must fail ${xsd}`);
}

// XPath 1.0 string value of expr over the document (xmllint adds '\n').
function xpath(text, expr) {
  const r = xmllint(['--xpath', `string(${expr})`], text);
  return r.ok ? r.out.replace(/\n$/, '') : '';
}

async function getXml(path) {
  const r = await req(path);
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), 'application/xml; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'public, max-age=600');
  return r.text;
}

// The locs of a sitemap document, as paths on the stack under test.
function locPaths(text) {
  return [...text.matchAll(/<loc>([^<]*)<\/loc>/g)]
    .map((m) => new URL(m[1].replaceAll('&amp;', '&')).pathname);
}

const sql = async (s) => (await ctl('sql', 'primary', s)).trim();

before(async () => {
  // CHAR() for the control characters: the SQL text stays printable.
  const out = await sql(`
    INSERT INTO ${DB}.merchants (name, status) VALUES ('feed-test-${tag}', 'active');
    SET @m = LAST_INSERT_ID();
    INSERT INTO ${DB}.categories (slug, name_zh, name_en)
      VALUES ('feed-test-${tag}', '测试', 'Feed test');
    SET @c = LAST_INSERT_ID();
    UPDATE ${DB}.categories SET path = CONCAT('/', @c, '/') WHERE id = @c;
    INSERT INTO ${DB}.brands (slug, name) VALUES ('feed-test-${tag}', 'B&O "<Play>"');
    SET @b = LAST_INSERT_ID();
    INSERT INTO ${DB}.products (merchant_id, category_id, brand_id, slug, name,
        description, status, min_price, max_price, in_stock)
      VALUES (@m, @c, @b, 'feed-test-${tag}',
        CONCAT('Evil <b>&"', "'", '</b> ]]> ', CHAR(1 USING utf8mb4), ' 测试 ${tag}'),
        CONCAT('Line 1', CHAR(13), CHAR(10), '<script>alert(1)</script> &amp; ',
               CHAR(11 USING utf8mb4), '🎉'),
        'live', 19900, 25000, 1);
    SET @p = LAST_INSERT_ID();
    INSERT INTO ${DB}.skus (product_id, code, price, stock, barcode, position)
      VALUES (@p, 'A', 19900, 5, '${GTIN}', 0), (@p, 'B', 25000, 0, 'not-a-gtin', 1);
    INSERT INTO ${DB}.product_images (product_id, position, base)
      VALUES (@p, 0, 'feed${tag}');
    INSERT INTO ${DB}.products (merchant_id, category_id, slug, name, description,
        status, min_price, max_price)
      VALUES (@m, @c, 'feed-draft-${tag}', 'Draft ${tag}', '', 'draft', 100, 100);
    SET @d = LAST_INSERT_ID();
    SELECT @m, @c, @b, @p, @d;`);
  const [m, c, b, p, d] = out.split('\n').pop().split('\t').map(Number);
  Object.assign(ids, { m, c, b, p, d });
  assert.ok(p > 0, `inserted product: ${out}`);
  // Reads go to the replica: wait until the product has arrived there.
  await waitFor('the product in the feed', async () =>
    (await req('/feeds/products.xml')).text.includes(`<g:id>${p}</g:id>`));
});

after(async () => {
  if (!ids.m)
    return;
  await sql(`
    DELETE FROM ${DB}.skus WHERE product_id IN (${ids.p}, ${ids.d});
    DELETE FROM ${DB}.product_images WHERE product_id IN (${ids.p}, ${ids.d});
    DELETE FROM ${DB}.products WHERE id IN (${ids.p}, ${ids.d});
    DELETE FROM ${DB}.brands WHERE id = ${ids.b};
    DELETE FROM ${DB}.categories WHERE id = ${ids.c};
    DELETE FROM ${DB}.merchants WHERE id = ${ids.m};`);
});

test('the sitemap index and every page it names validate', async () => {
  const index = await getXml('/sitemap.xml');
  assertValid(SITEINDEX, index, '/sitemap.xml');
  const pages = locPaths(index);
  const productPage = `/sitemaps/products-${Math.ceil(ids.p / 50000)}.xml`;
  assert.ok(pages.includes('/sitemaps/categories.xml'), `categories page in ${pages}`);
  assert.ok(pages.includes(productPage), `${productPage} in ${pages}`);

  for (const path of pages) {
    const page = await getXml(path);
    assertValid(SITEMAP, page, path);
    const urls = locPaths(page);
    assert.ok(urls.length >= 1 && urls.length <= 50000, `${path}: ${urls.length} URLs`);
  }
  const products = await getXml(productPage);
  assert.ok(locPaths(products).includes(`/p/feed-test-${tag}`), 'product URL listed');
  assert.ok(!locPaths(products).includes(`/p/feed-draft-${tag}`), 'draft not listed');
  assert.match(products, new RegExp(
    `/p/feed-test-${tag}</loc>\\s*<lastmod>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</lastmod>`));
  const categories = await getXml('/sitemaps/categories.xml');
  assert.ok(locPaths(categories).includes(`/c/feed-test-${tag}`), 'category URL listed');
  assert.ok(locPaths(categories).includes('/'), 'home page listed');
});

test('unknown sitemap pages are 404', async () => {
  for (const name of ['nope.xml', 'products-0.xml', 'products-01.xml', 'products-x.xml',
    'products-1.xml.gz', `products-${Math.ceil(ids.p / 50000) + 1000}.xml`]) {
    const r = await req(`/sitemaps/${name}`);
    assert.equal(r.status, 404, `${name}: ${r.text.slice(0, 200)}`);
  }
});

test('the product feed validates and carries hostile text escaped', async () => {
  const feed = await getXml('/feeds/products.xml');
  assertValid(RSS, feed, '/feeds/products.xml');
  assert.match(feed, new RegExp(`<rss version="2.0" xmlns:g="${G}">`));

  // On the wire: nothing the merchant typed is markup, no control bytes.
  const start = feed.indexOf(`<g:id>${ids.p}</g:id>`);
  const item = feed.slice(feed.lastIndexOf('<item>', start), feed.indexOf('</item>', start));
  assert.ok(!item.includes('<b>') && !item.includes('<script>'), item);
  assert.ok(!item.includes(']]>'), item);
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(feed), 'no C0 controls');
  assert.ok(item.includes('&lt;b&gt;&amp;'), item);

  // Parsed back: exactly the text minus what XML cannot carry.
  const it = `//item[*[local-name()='id' and namespace-uri()='${G}']='${ids.p}']`;
  assert.equal(xpath(feed, `${it}/title`), NAME_CLEAN);
  assert.equal(xpath(feed, `${it}/description`), DESC_CLEAN);
  assert.equal(xpath(feed, `${it}/*[local-name()='brand']`), 'B&O "<Play>"');
  assert.equal(xpath(feed, `${it}/*[local-name()='price']`), '199.00 CNY');
  assert.equal(xpath(feed, `${it}/*[local-name()='availability']`), 'in_stock');
  assert.equal(xpath(feed, `${it}/*[local-name()='gtin']`), GTIN);
  assert.equal(xpath(feed, `${it}/*[local-name()='condition']`), 'new');
  assert.equal(new URL(xpath(feed, `${it}/link`)).pathname, `/p/feed-test-${tag}`);
  assert.equal(new URL(xpath(feed, `${it}/*[local-name()='image_link']`)).pathname,
    `/media/feed${tag}-full.jpg`);
  assert.ok(!feed.includes(`Draft ${tag}`), 'draft product not in the feed');
  assert.notEqual(NAME, NAME_CLEAN);
});

test('the schemas reject broken documents', async () => {
  const index = await getXml('/sitemap.xml');
  const page = await getXml('/sitemaps/categories.xml');
  const feed = await getXml('/feeds/products.xml');

  assertInvalid(SITEINDEX, index.replace(/<loc>/g, '<url>').replace(/<\/loc>/g, '</url>'),
    'index with <url> for <loc>');
  assertInvalid(SITEINDEX, page, 'a urlset as an index');
  assertInvalid(SITEMAP, page.replace(/<\/url>/, '<priority>2.0</priority></url>'),
    'priority out of range');
  assertInvalid(SITEMAP, page.replace(/<\/url>/, '<lastmod>yesterday</lastmod></url>'),
    'lastmod not a W3C datetime');
  assertInvalid(SITEMAP, page.replace(/<url>[\s\S]*<\/url>/, ''), 'empty urlset');
  assertInvalid(SITEMAP, page.replace('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"', ''),
    'urlset without its namespace');
  assertInvalid(RSS, feed.replace('199.00 CNY', '¥199'), 'price without currency');
  assertInvalid(RSS, feed.replace(/<g:availability>in_stock/, '<g:availability>yes'),
    'unknown availability');
  assertInvalid(RSS, feed.replace(`<g:id>${ids.p}</g:id>`, ''), 'item without g:id');
  assertInvalid(RSS, feed.replace('version="2.0"', 'version="0.91"'), 'RSS 0.91');
  // Not even well-formed: what unescaped merchant text would produce.
  assertInvalid(RSS, feed.replace('&lt;b&gt;&amp;', '<b>&'), 'raw markup');
});
