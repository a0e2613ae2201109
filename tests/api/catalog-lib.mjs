// The catalog API tests' own fixture (not a test file itself).
//
// A deterministic little shop under a random run tag, inserted with
// `scripts/ctl sql primary`, so the tests can run on a database that also
// holds the demo catalog: every assertion restricts itself to the
// fixture's root category or its merchant.
//
//   merchant  cat-test-<tag>
//   category  ct-<tag>                (root)
//             ├─ ct-<tag>-audio
//             │   ├─ ct-<tag>-earbuds
//             │   └─ ct-<tag>-speakers
//             └─ ct-<tag>-home
//   brands    cb-<tag>-a, cb-<tag>-b, cb-<tag>-c (and products without one)
//   products  30 live ones, with SKUs, option names and option values
//             consistent with min_price / max_price / in_stock; and four
//             non-live ones (draft, pending, archived, rejected) that match
//             every filter and every search of the tests.
//
// The expected results of a filter are computed here from the same
// definition (expected()), so the tests compare the API with the truth.
//
// Env: JISHI_CTL, JISHI_VAR (SQL), JISHI_BIN (reindex), JISHI_CONFIG
// (default $JISHI_VAR/jishi.json).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ctl } from './lib.mjs';

const run = promisify(execFile);

export function configPath() {
  return process.env.JISHI_CONFIG || join(process.env.JISHI_VAR || '', 'jishi.json');
}

const CONF = existsSync(configPath()) ? JSON.parse(readFileSync(configPath(), 'utf8')) : null;
export const DB = CONF?.db?.primary?.database ?? 'jishi';

// A word of lower-case letters: one token for the search index (Groonga's
// bigram tokenizer splits letters from digits), and a valid slug.
export function randomWord(n = 8) {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + randomInt(26));
  return s;
}

// A SQL string literal (the fixture's text is ours, but quote it right).
export function lit(s) {
  if (s === null || s === undefined) return 'NULL';
  if (typeof s === 'number') return String(s);
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export async function sql(text) {
  return (await ctl('sql', 'primary', text)).trim();
}

// `jishi-fcgi reindex`: rebuild the search index from the catalog tables.
export async function reindex() {
  const bin = process.env.JISHI_BIN;
  assert.ok(bin, 'JISHI_BIN must be set (the jishi-fcgi binary, for reindex)');
  const { stdout, stderr } = await run(bin, ['reindex', '--config', configPath()], {
    timeout: 120000,
  });
  return stdout + stderr;
}

// Price buckets of the listing's price facet (fen).
export const PRICE_EDGES = [0, 5000, 10000, 20000, 50000, 100000, 200000, 500000];

const BASES = [990, 4999, 5000, 9999, 10000, 19999, 20000, 49999, 150000, 600000];
const RATINGS = [480, 420, 390, 310, 250, 150, 90, 0];

export function makeFixture() {
  const tag = `jx${randomWord(8)}`;
  const tag2 = `jy${randomWord(8)}`;   // only in one live name and the non-live ones
  const cat = {
    root: `ct-${tag}`,
    audio: `ct-${tag}-audio`,
    earbuds: `ct-${tag}-earbuds`,
    speakers: `ct-${tag}-speakers`,
    home: `ct-${tag}-home`,
  };
  const parent = { root: null, audio: 'root', earbuds: 'audio', speakers: 'audio', home: 'root' };
  const catNames = {
    root: ['测试根目录', 'Test root'],
    audio: ['测试影音', 'Test audio'],
    earbuds: ['测试耳机', 'Test earbuds'],
    speakers: ['测试音箱', 'Test speakers'],
    home: ['测试家居', 'Test home'],
  };
  const brands = {
    a: { slug: `cb-${tag}-a`, name: `Aurora ${tag}` },
    b: { slug: `cb-${tag}-b`, name: `Boreal ${tag}` },
    c: { slug: `cb-${tag}-c`, name: `Cirrus ${tag}` },
  };
  const special = {
    0: '无线蓝牙耳机',
    1: '蓝牙耳机',
    2: 'Wireless Bluetooth Earbuds',
    3: 'Bluetooth Earbuds Pro Wireless Edition',
    4: 'Sony 降噪耳机 Pro',
    5: `${tag2} Live Gadget`,
    6: `${tag} Zephyrphone`,
  };
  const products = [];
  for (let i = 0; i < 30; i++) {
    const leaf = ['earbuds', 'speakers', 'home'][i % 3];
    const brand = [ 'a', 'b', 'c', null][i % 4];
    const opts = [];
    if (i % 2 === 0) opts.push({ name: '颜色', values: i % 4 === 0 ? ['黑色', '白色'] : ['黑色'] });
    if (i % 5 === 0) opts.push({ name: '尺码', values: i % 10 === 0 ? ['M', 'L'] : ['M'] });
    // SKUs: every combination of the option values.
    let combos = [[]];
    for (const o of opts) combos = combos.flatMap((c) => o.values.map((v) => [...c, v]));
    const base = BASES[i % 10] + (i >= 10 ? i * 3 : 0);
    const outOfStock = i % 7 === 3;
    const skus = combos.map((values, k) => ({
      code: `S${i}-${k}`,
      values,
      price: base + k * 500,
      compareAt: i % 3 === 0 && k === 0 ? base * 2 : null,
      stock: outOfStock ? 0 : [50, 3, 0][k % 3],
      barcode: `690${String(i).padStart(4, '0')}${k}`,
    }));
    const ratingAvg = RATINGS[i % 8];
    const ratingCount = i % 8 === 7 ? 0 : i + 1;
    products.push({
      i,
      slug: `cp-${tag}-${i}`,
      name: special[i] ?? `${tag} 商品 ${i} item`,
      description: `${tag} fixture product ${i}`,
      status: 'live',
      leaf,
      brand,
      opts,
      skus,
      min: Math.min(...skus.map((s) => s.price)),
      max: Math.max(...skus.map((s) => s.price)),
      inStock: skus.some((s) => s.stock > 0),
      ratingAvg,
      ratingCount,
      sales: (i * 37) % 101,
      minutesAgo: i * 7 + 1,
      image: i % 4 === 0 ? `ct${tag}${i}` : null,
    });
  }
  // Non-live: the cheapest, best rated, best selling, in stock, with every
  // option value, and names that equal the search terms of the tests.
  const hidden = [
    ['draft', '蓝牙耳机'],
    ['pending', 'Wireless Bluetooth Earbuds'],
    ['archived', `无线蓝牙耳机 ${tag2} Zephyrphone`],
    ['rejected', `${tag2} Zephyrphone Wireless Bluetooth Earbuds`],
  ].map(([status, name], k) => ({
    i: 100 + k,
    slug: `cp-${tag}-${status}`,
    name,
    description: `${tag} ${tag2} 无线蓝牙耳机 蓝牙耳机 Wireless Bluetooth Earbuds bluetooth Sony 降噪`,
    status,
    leaf: 'earbuds',
    brand: 'a',
    opts: [{ name: '颜色', values: ['黑色', '白色'] }, { name: '尺码', values: ['M', 'L'] }],
    skus: [['黑色', 'M'], ['白色', 'L']].map((values, j) => ({
      code: `H${k}-${j}`, values, price: 100 + j, compareAt: null, stock: 99, barcode: '',
    })),
    min: 100,
    max: 101,
    inStock: true,
    ratingAvg: 500,
    ratingCount: 1000,
    sales: 100000,
    minutesAgo: 0,
    image: null,
  }));
  return { tag, tag2, cat, parent, catNames, brands, products, hidden, ids: {} };
}

// The SQL that inserts the fixture; ends with a SELECT of the ids.
function insertSql(fx) {
  const s = [];
  s.push(`INSERT INTO ${DB}.merchants (name, status) VALUES (${lit(`cat-test-${fx.tag}`)}, 'active');`);
  s.push('SET @m = LAST_INSERT_ID();');
  const order = ['root', 'audio', 'earbuds', 'speakers', 'home'];
  order.forEach((k, pos) => {
    const p = fx.parent[k];
    s.push(`INSERT INTO ${DB}.categories (parent_id, slug, name_zh, name_en, position, depth)
      VALUES (${p ? `@c_${p}` : 'NULL'}, ${lit(fx.cat[k])}, ${lit(fx.catNames[k][0])},
              ${lit(fx.catNames[k][1])}, ${pos}, ${p ? (fx.parent[p] ? 2 : 1) : 0});`);
    s.push(`SET @c_${k} = LAST_INSERT_ID();`);
    s.push(`UPDATE ${DB}.categories SET path = CONCAT(${p ? `(SELECT path FROM ${DB}.categories x WHERE x.id = @c_${p})` : "'/'"}, @c_${k}, '/') WHERE id = @c_${k};`);
  });
  for (const [k, b] of Object.entries(fx.brands)) {
    s.push(`INSERT INTO ${DB}.brands (slug, name) VALUES (${lit(b.slug)}, ${lit(b.name)});`);
    s.push(`SET @b_${k} = LAST_INSERT_ID();`);
  }
  for (const p of [...fx.products, ...fx.hidden]) {
    s.push(`INSERT INTO ${DB}.products (merchant_id, category_id, brand_id, slug, name,
        description, status, min_price, max_price, in_stock, rating_sum, rating_count,
        rating_avg, sales_count, created_at, updated_at, published_at)
      VALUES (@m, @c_${p.leaf}, ${p.brand ? `@b_${p.brand}` : 'NULL'}, ${lit(p.slug)},
        ${lit(p.name)}, ${lit(p.description)}, ${lit(p.status)}, ${p.min}, ${p.max},
        ${p.inStock ? 1 : 0}, ${Math.round((p.ratingAvg * p.ratingCount) / 100)}, ${p.ratingCount},
        ${p.ratingAvg}, ${p.sales}, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6) - INTERVAL ${p.minutesAgo} MINUTE);`);
    s.push('SET @p = LAST_INSERT_ID();');
    p.opts.forEach((o, k) => {
      s.push(`INSERT INTO ${DB}.product_options (product_id, position, name) VALUES (@p, ${k + 1}, ${lit(o.name)});`);
      for (const v of o.values) {
        s.push(`INSERT INTO ${DB}.product_option_values (product_id, name, value) VALUES (@p, ${lit(o.name)}, ${lit(v)});`);
      }
    });
    p.skus.forEach((k, pos) => {
      const ov = [0, 1, 2].map((j) => lit(k.values[j] ?? ''));
      s.push(`INSERT INTO ${DB}.skus (product_id, code, option1, option2, option3, price,
          compare_at_price, stock, barcode, image_position, position)
        VALUES (@p, ${lit(k.code)}, ${ov.join(', ')}, ${k.price}, ${lit(k.compareAt)}, ${k.stock},
          ${lit(k.barcode)}, NULL, ${pos});`);
    });
    s.push(`INSERT INTO ${DB}.product_specs (product_id, position, name, value)
      VALUES (@p, 0, '产地', '深圳'), (@p, 1, 'Weight', '${100 + p.i} g');`);
    if (p.image) {
      s.push(`INSERT INTO ${DB}.product_images (product_id, position, base, alt, width, height)
        VALUES (@p, 0, ${lit(p.image)}, ${lit(p.name)}, 1200, 1200);`);
    }
  }
  s.push(`SELECT 'M', @m;`);
  for (const k of order) s.push(`SELECT 'C', ${lit(k)}, @c_${k};`);
  for (const k of Object.keys(fx.brands)) s.push(`SELECT 'B', ${lit(k)}, @b_${k};`);
  s.push(`SELECT 'P', slug, id FROM ${DB}.products WHERE merchant_id = @m;`);
  return s.join('\n');
}

export async function insertFixture(fx) {
  const out = await sql(insertSql(fx));
  fx.ids = { merchant: 0, cat: {}, brand: {}, bySlug: {} };
  for (const line of out.split('\n')) {
    const [kind, a, b] = line.split('\t');
    if (kind === 'M') fx.ids.merchant = Number(a);
    else if (kind === 'C') fx.ids.cat[a] = Number(b);
    else if (kind === 'B') fx.ids.brand[a] = Number(b);
    else if (kind === 'P') fx.ids.bySlug[a] = Number(b);
  }
  for (const p of [...fx.products, ...fx.hidden]) {
    p.id = fx.ids.bySlug[p.slug];
    assert.ok(p.id > 0, `id of ${p.slug} in ${out.slice(0, 500)}`);
  }
  assert.ok(fx.ids.merchant > 0);
}

// Index rows for the non-live products, as a stale index would hold them
// (a product archived after it was indexed): search and suggest must still
// leave them out. Deliberately written by SQL, after `reindex`.
export async function plantStaleIndexRowsForNonLive(fx) {
  const rows = fx.hidden.map((p) => `(${p.id}, ${lit(p.name)}, ${lit(p.description)})`);
  await sql(`REPLACE INTO ${DB}.product_search (product_id, name, body) VALUES ${rows.join(', ')};`);
}

export async function deleteFixture(fx) {
  if (!fx.ids?.merchant) return;
  const m = fx.ids.merchant;
  const ids = `SELECT id FROM ${DB}.products WHERE merchant_id = ${m}`;
  await sql(`
    DELETE FROM ${DB}.product_search WHERE product_id IN (${ids});
    DELETE FROM ${DB}.product_option_values WHERE product_id IN (${ids});
    DELETE FROM ${DB}.product_options WHERE product_id IN (${ids});
    DELETE FROM ${DB}.skus WHERE product_id IN (${ids});
    DELETE FROM ${DB}.product_specs WHERE product_id IN (${ids});
    DELETE FROM ${DB}.product_images WHERE product_id IN (${ids});
    DELETE FROM ${DB}.products WHERE merchant_id = ${m};
    DELETE FROM ${DB}.categories WHERE slug LIKE ${lit(`ct-${fx.tag}%`)} AND parent_id IS NOT NULL
      AND depth = 2;
    DELETE FROM ${DB}.categories WHERE slug LIKE ${lit(`ct-${fx.tag}%`)} AND parent_id IS NOT NULL;
    DELETE FROM ${DB}.categories WHERE slug = ${lit(fx.cat.root)};
    DELETE FROM ${DB}.brands WHERE slug LIKE ${lit(`cb-${fx.tag}-%`)};
    DELETE FROM ${DB}.merchants WHERE id = ${m};`);
}

// --- the truth -------------------------------------------------------------

const subtree = {
  root: ['root', 'audio', 'earbuds', 'speakers', 'home'],
  audio: ['audio', 'earbuds', 'speakers'],
  earbuds: ['earbuds'],
  speakers: ['speakers'],
  home: ['home'],
};

// The fixture's key ('audio') for a category slug, or undefined.
export function catKey(fx, slug) {
  return Object.keys(fx.cat).find((k) => fx.cat[k] === slug);
}

// Live fixture products that params (the listing's query parameters, as an
// object) select, without q.
export function expected(fx, params) {
  return fx.products.filter((p) => {
    if (params.category) {
      const k = catKey(fx, params.category);
      if (!k || !subtree[k].includes(p.leaf)) return false;
    }
    if (params.brand) {
      const want = params.brand.split(',').filter(Boolean);
      if (!p.brand || !want.includes(fx.brands[p.brand].slug)) return false;
    }
    if (params.merchant && Number(params.merchant) !== fx.ids.merchant) return false;
    if (params.min_price !== undefined && p.min < Number(params.min_price)) return false;
    if (params.max_price !== undefined && p.min > Number(params.max_price)) return false;
    if (params.rating && p.ratingAvg < Number(params.rating) * 100) return false;
    if ((params.in_stock === 'true' || params.in_stock === '1') && !p.inStock) return false;
    if (params.options) {
      for (const pair of params.options.split(';').filter(Boolean)) {
        const c = pair.indexOf(':');
        const name = pair.slice(0, c);
        const value = pair.slice(c + 1);
        if (!p.opts.some((o) => o.name === name && o.values.includes(value))) return false;
      }
    }
    return true;
  });
}

export function stockStatus(stock) {
  if (stock <= 0) return 'out_of_stock';
  return stock <= 5 ? 'low_stock' : 'in_stock';
}
