// Focus: the shop's core journey on the real stack — a guest searches in
// Chinese and English (with type-ahead), opens a product, picks a variant,
// adds it to the cart, checks out (registering on the way), adds an address,
// places a cash-on-delivery order with a double click (exactly one order
// results) and sees the order page; the language switch works there; at
// 360 px no shop page scrolls sideways.
//
// Catalog data: the stack scripts/test starts is empty, so `before` seeds it
// with `$JISHI_BIN seed` (idempotent) and waits until the search replica
// answers, with a deadline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { screenshot, startBrowser, url, waitForText } from './browser.mjs';

const run = promisify(execFile);
const SEED_DEADLINE_MS = 120000;
const TITLE = '[data-testid=page-title]';

const messages = Object.fromEntries(['zh-CN', 'en'].map((code) => [
  code,
  JSON.parse(readFileSync(new URL(`../../frontend/src/i18n/${code}.json`, import.meta.url), 'utf8')),
]));

let browser;
let product;   // a live product with at least two SKUs in stock
let cjkWord;   // two CJK characters from a product name
let enWord;    // an English word from a product name

async function apiGet(path) {
  const res = await fetch(url(`/api/v1${path}`), { headers: { Accept: 'application/json' } });
  if (!res.ok) return { status: res.status, body: null };
  return { status: res.status, body: await res.json() };
}

/** Poll `fn` until it returns a truthy value or the deadline passes. */
async function until(what, fn, deadlineMs = SEED_DEADLINE_MS) {
  const end = Date.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 500)); // polling interval, not a test sleep
  }
}

async function seed() {
  const bin = process.env.JISHI_BIN;
  const varDir = process.env.JISHI_VAR;
  if (!bin || !varDir) return; // a stack that already has data (scripts/run)
  try {
    const { stdout } = await run(bin, ['seed', '--config', `${varDir}/jishi.json`, '--products', '300'],
      { timeout: SEED_DEADLINE_MS, maxBuffer: 4 << 20 });
    process.stdout.write(`# ${stdout.split('\n').filter(Boolean).slice(0, 3).join('\n# ')}\n`);
  } catch (err) {
    const out = `${err.stdout || ''}${err.stderr || ''}`;
    if (!/already seeded/i.test(out)) throw new Error(`seed failed: ${out || err.message}`);
  }
}

before(async () => {
  await seed();
  // Wait for the replica: listing, then a product with two SKUs in stock.
  const list = await until('products on the replica', async () => {
    const r = await apiGet('/products?in_stock=true&per_page=40&sort=best_selling');
    return r.body && r.body.items.length ? r.body.items : null;
  });
  for (const card of list) {
    const r = await apiGet(`/products/${card.slug}`);
    const p = r.body;
    if (p && p.options.length && p.skus.filter((s) => s.stock_status !== 'out_of_stock').length >= 2
        && /[\u4e00-\u9fff]{2}/.test(p.name) && /[A-Za-z]{4,}/.test(p.name)) {
      product = p;
      break;
    }
  }
  assert.ok(product, 'no product with two SKUs in stock among the best sellers');
  cjkWord = product.name.match(/[\u4e00-\u9fff]{2}/)[0];
  enWord = product.name.match(/[A-Za-z]{4,}/)[0];
  // Search index answers for both words.
  for (const w of [cjkWord, enWord, product.name]) {
    await until(`search results for '${w}'`, async () => {
      const r = await apiGet(`/products?q=${encodeURIComponent(w)}&per_page=1`);
      return r.body && r.body.total > 0;
    });
  }
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
});

async function noSideScroll(page, where) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${where} at 360 px: content ${scrollWidth} px wider than ${clientWidth} px`);
}

test('guest searches, buys with cash on delivery after registering, sees the order', async () => {
  const page = await browser.newPage();
  const zh = messages['zh-CN'];
  const en = messages.en;

  // Home: categories, newest products, type-ahead.
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=home-categories] a').first().waitFor();
  await page.locator('[data-testid=home-newest] [data-testid=product-card]').first().waitFor();
  const input = page.locator('[data-testid=search-input]');
  await input.fill(cjkWord);
  await page.locator('[data-testid=search-suggestions] [role=option]').first().waitFor();
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'shop-01-home-typeahead');

  // Search in Chinese (Enter submits the form).
  await input.press('Enter');
  await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === cjkWord);
  await page.locator('[data-testid=results] [data-testid=product-card]').first().waitFor();
  await waitForText(page, TITLE, zh.search.resultsFor.replace('{q}', cjkWord));
  await screenshot(page, 'shop-02-search-zh');

  // Search in English, then narrow with the in-stock facet: the URL keeps it.
  await input.fill(enWord);
  await page.locator('[data-testid=search-submit]').click();
  await page.waitForURL((u) => u.searchParams.get('q') === enWord);
  await page.locator('[data-testid=results] [data-testid=product-card]').first().waitFor();
  await page.locator('[data-testid=facet-in-stock]').check();
  await page.waitForURL((u) => u.searchParams.get('in_stock') === '1' && u.searchParams.get('q') === enWord);
  await page.locator('[data-testid=results] [data-testid=product-card]').first().waitFor();
  await screenshot(page, 'shop-03-search-en-in-stock');
  // Back restores the previous filters.
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('q') === enWord && !u.searchParams.has('in_stock'));
  assert.equal(await page.locator('[data-testid=facet-in-stock]').isChecked(), false);

  // The exact name ranks first: open the product from the results.
  await input.fill(product.name);
  await input.press('Enter');
  const link = page.locator(`[data-testid=results] a[href="/p/${product.slug}"]`).first();
  await link.click();
  await page.waitForURL((u) => u.pathname === `/p/${product.slug}`);
  await waitForText(page, TITLE, product.name);
  await waitForText(page, '[data-testid=merchant-name]', product.merchant.name);

  // Pick another in-stock variant: the price follows the SKU.
  const inStock = product.skus.filter((s) => s.stock_status !== 'out_of_stock');
  const target = inStock[inStock.length - 1];
  for (const [i, value] of target.options.entries()) {
    await page.locator(`input[name="opt-${i}"][value="${value.replace(/"/g, '\\"')}"]`).check({ force: true });
  }
  const priceText = await page.evaluate(({ amount }) => new Intl.NumberFormat('zh-CN', {
    style: 'currency', currency: 'CNY', minimumFractionDigits: 2,
  }).format(amount / 100), target.price);
  await page.waitForFunction((want) => document.querySelector('[data-testid=product-price]')
    ?.textContent.includes(want), priceText);
  await page.locator('[data-testid=quantity]').fill('2');
  await screenshot(page, 'shop-04-product-variant');
  await page.locator('[data-testid=add-to-cart]').click();
  await page.locator('[data-testid=added]').waitFor();

  // Cart: one merchant group with the line.
  await page.locator('[data-testid=go-to-cart]').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  await page.locator('[data-testid=cart-line]').first().waitFor();
  assert.equal(await page.locator('[data-testid=cart-qty]').first().inputValue(), '2');
  await screenshot(page, 'shop-05-cart');

  // Checkout sends a guest to sign in; register there.
  await page.locator('[data-testid=go-to-checkout]').click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/checkout');
  await page.locator('[data-testid=mode-register]').click();
  const email = `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByLabel(zh.auth.password).fill('Bright-Lantern-2026');
  await page.getByLabel(zh.auth.displayName).fill('E2E 测试');
  await screenshot(page, 'shop-06-register');
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL((u) => u.pathname === '/checkout');

  // First address, typed through the labelled form.
  await page.locator('[data-testid=address-form]').waitFor();
  await page.getByLabel(zh.address.recipient).fill('张三');
  await page.getByLabel(zh.address.phone).fill('13800138000');
  await page.getByLabel(zh.address.region).fill('上海');
  await page.getByLabel(zh.address.city).fill('上海市');
  await page.getByLabel(zh.address.district).fill('浦东新区');
  await page.getByLabel(zh.address.line1).fill('世纪大道 100 号');
  await page.getByLabel(zh.address.postal_code).fill('200120');
  await page.locator('[data-testid=save-address]').click();
  await page.locator('[data-testid=address-option]').first().waitFor();
  await page.locator('[data-testid=pay-cod]').check();
  await page.locator('[data-testid=quote-total]').waitFor();
  await screenshot(page, 'shop-07-checkout');

  // A double click places one order only.
  await page.locator('[data-testid=place-order]').dblclick();
  await page.waitForURL((u) => /^\/orders\/\d+$/.test(u.pathname));
  await page.locator('[data-testid=order-status]').waitFor();
  const status = await page.locator('[data-testid=order-status]').getAttribute('data-status');
  assert.ok(zh.orders.status[status], `unknown order status '${status}'`);
  await waitForText(page, '[data-testid=order-status]', zh.orders.status[status]);
  await page.locator('[data-testid=timeline] li').first().waitFor();
  const orders = await page.request.get(url('/api/v1/orders'));
  assert.equal(orders.status(), 200);
  const list = await orders.json();
  assert.equal(list.items.length, 1, 'a double click placed more than one order');
  assert.equal(list.items[0].payment_method, 'cod');
  assert.equal(list.items[0].items[0].sku_id, target.id);
  assert.equal(list.items[0].items[0].quantity, 2);
  await screenshot(page, 'shop-08-order');

  // Language switch on the order page.
  await page.locator('[data-testid=locale-select]').selectOption('en');
  await waitForText(page, '[data-testid=order-status]', en.orders.status[status]);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await screenshot(page, 'shop-09-order-en');
  await page.locator('[data-testid=locale-select]').selectOption('zh-CN');
  await waitForText(page, '[data-testid=order-status]', zh.orders.status[status]);
  const orderPath = new URL(page.url()).pathname;

  // 360 px: no horizontal scrolling on any shop page.
  await page.setViewportSize({ width: 360, height: 740 });
  const pages = [
    ['/', '[data-testid=home-newest]'],
    [`/search?q=${encodeURIComponent(enWord)}`, '[data-testid=results]'],
    [`/p/${product.slug}`, '[data-testid=add-to-cart]'],
    ['/cart', TITLE],
    ['/checkout', '[data-testid=place-order]'],
    [orderPath, '[data-testid=order-status]'],
    ['/login', '[data-testid=auth-submit]'],
  ];
  for (const [path, ready] of pages) {
    await page.goto(url(path), { waitUntil: 'domcontentloaded' });
    await page.locator(ready).first().waitFor();
    await noSideScroll(page, path);
  }
  await page.goto(url(`/p/${product.slug}`), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=add-to-cart]').waitFor();
  await screenshot(page, 'shop-10-product-360');

  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('a search that finds nothing shows a helpful empty state', async () => {
  const page = await browser.newPage();
  await page.goto(url('/search?q=zzqxjvw%E9%BE%98%E9%BE%98&in_stock=1'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=empty-state]').waitFor();
  const text = await page.locator('[data-testid=empty-state]').textContent();
  assert.ok(text.includes(messages['zh-CN'].search.clearFilters), text);
  await screenshot(page, 'shop-11-empty');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
