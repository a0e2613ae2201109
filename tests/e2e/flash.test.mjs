// Focus: flash sales in the shop, on the real stack. The demo merchant
// (merchant1) puts one of its SKUs on sale through the merchant API, then:
// - the home's "限时秒杀" section lists it with the sale price, the
//   regular price struck through and a countdown whose seconds change; the
//   countdown is a role="timer" with a spoken label and no live region; no
//   side-scroll at 360 px with the section;
// - its link opens the product on that SKU, showing the sale price;
// - two of it in the cart: the line shows the sale price and the
//   discounted line total, the merchant's group the discounted total;
// - the sale about to end (SQL): the product page counts down, then reads
//   the product again and shows the regular price;
// - with the sale over the home shows no section.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { TIMEOUT_MS, baseUrl, screenshot, startBrowser, url, waitForText } from './browser.mjs';
import { TITLE, apiGet, fill, messages, noSideScroll, seed, unlabelled, until, yuan } from './shop-lib.mjs';
import { DB, sql } from '../api/orders-lib.mjs';

const zh = messages['zh-CN'];
const rfc3339 = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let browser;
let merchant;     // playwright request context signed in as merchant1, acting for its shop
let csrf;
let product;      // the product detail of the SKU on sale
let sku;          // the SKU on sale
let salePrice;    // fen
const saleIds = [];

/** Sign in as the demo merchant and act for its shop. */
async function merchantSession() {
  const ctx = await request.newContext({ baseURL: baseUrl() });
  const login = await ctx.post('/api/v1/auth/login', {
    data: { email: 'merchant1@jishi.test', password: 'jishi-merchant-2026' },
  });
  assert.equal(login.status(), 200, await login.text());
  const me = await login.json();
  const shop = me.merchants.find((m) => m.status === 'active');
  assert.ok(shop, `merchant1 has no active shop: ${JSON.stringify(me.merchants)}`);
  const act = await ctx.put('/api/v1/me/acting-merchant', {
    data: { merchant_id: shop.id }, headers: { 'X-CSRF-Token': me.csrf_token },
  });
  assert.equal(act.status(), 200, await act.text());
  return { ctx, shop, csrf: (await act.json()).csrf_token };
}

/**
 * A flash sale through POST /merchant/flash-sales, from `startsIn` to
 * `endsIn` seconds from now (whole seconds: a start of 0 is at most a
 * second ago, so the sale runs at once). Returns its id.
 */
async function createSale(skuId, price, startsIn, endsIn) {
  const r = await merchant.post('/api/v1/merchant/flash-sales', {
    data: {
      sku_id: skuId, sale_price: price, starts_at: rfc3339(Date.now() + startsIn * 1000),
      ends_at: rfc3339(Date.now() + endsIn * 1000),
    },
    headers: { 'X-CSRF-Token': csrf },
  });
  assert.equal(r.status(), 201, `POST /merchant/flash-sales: ${await r.text()}`);
  const sale = await r.json();
  assert.ok(Number.isInteger(sale.id), `no id in ${JSON.stringify(sale)}`);
  saleIds.push(sale.id);
  return sale.id;
}

/**
 * Move a sale's end to `seconds` from the database's now (SQL on the
 * primary); an upcoming one ended now starts a second before (the table
 * checks ends_at > starts_at).
 */
async function endSaleIn(id, seconds) {
  await sql(`UPDATE ${DB}.flash_sales
             SET starts_at = LEAST(starts_at, UTC_TIMESTAMP(6) - INTERVAL 1 SECOND),
                 ends_at = UTC_TIMESTAMP(6) + INTERVAL ${Number(seconds)} SECOND
             WHERE id = ${Number(id)}`);
}

const publicSale = async (id) => ((await apiGet('/flash-sales')).body?.items || []).find((i) => i.id === id);

before(async () => {
  await seed();
  let shop;
  ({ ctx: merchant, shop, csrf } = await merchantSession());
  // One of the shop's products with two SKUs in stock that the other
  // browser tests do not pick (those take best sellers and the listing's
  // first card): from the end of its newest list.
  const taken = new Set(((await apiGet('/products?in_stock=true&per_page=60&sort=best_selling')).body?.items || [])
    .map((c) => c.id));
  const cards = await until(`products of merchant ${shop.id}`, async () => {
    const r = await apiGet(`/products?merchant=${shop.id}&in_stock=true&per_page=60&sort=newest`);
    return r.body && r.body.items.length > 1 ? r.body.items : null;
  });
  for (const card of cards.slice(1).reverse()) {
    if (taken.has(card.id)) continue;
    const p = (await apiGet(`/products/${card.slug}`)).body;
    const inStock = p && p.skus.filter((s) => s.stock_status !== 'out_of_stock');
    if (inStock && inStock.length >= 2 && inStock.every((s) => !s.flash_sale)) {
      product = p;
      // Not the SKU the page would start on by itself: the link must pick it.
      sku = inStock[inStock.length - 1];
      break;
    }
  }
  assert.ok(product, `no product of merchant ${shop.id} with two SKUs in stock outside the best sellers`);
  salePrice = Math.floor(sku.price.amount * 0.75);
  const id = await createSale(sku.id, salePrice, 0, 20 * 60);
  // Public list (read from the replica): wait until it names the sale running.
  await until('the sale running in GET /flash-sales', async () => (await publicSale(id))?.status === 'running',
    TIMEOUT_MS, 200);
  browser = await startBrowser();
});

after(async () => {
  // Whatever happened, no sale of this file outlives it.
  for (const id of saleIds) {
    await sql(`UPDATE ${DB}.flash_sales
               SET starts_at = LEAST(starts_at, UTC_TIMESTAMP(6) - INTERVAL 1 SECOND),
                   ends_at = LEAST(ends_at, UTC_TIMESTAMP(6))
               WHERE id = ${Number(id)}`).catch(() => {});
  }
  await merchant?.dispose();
  await browser?.close();
});

/**
 * Wait until the product page's price, as seen (screen-reader-only labels
 * left out), starts with `text` (a struck-through price may follow).
 */
function priceShows(page, text) {
  return page.waitForFunction((want) => {
    const el = document.querySelector('[data-testid=product-price]');
    if (!el) return false;
    const seen = el.cloneNode(true);
    seen.querySelectorAll('.visually-hidden').forEach((x) => x.remove());
    return seen.textContent.trim().startsWith(want);
  }, text);
}

/** HH:MM:SS → seconds (NaN for anything else). */
function seconds(text) {
  const m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
}

test('home flash sale → product on that SKU → discounted cart line; the product reverts when it ends; the home hides the section', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  const [id] = saleIds;
  const sale = await publicSale(id);
  assert.equal(sale.status, 'running');
  const saleText = await yuan(page, salePrice);
  const regularText = await yuan(page, sku.price.amount);

  // Home: the section, the item with both prices and −N%.
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  const section = page.locator('[data-testid=home-flash]');
  const item = section.locator(`[data-testid=flash-item][data-sku="${sku.id}"]`);
  await item.waitFor();
  await waitForText(page, '#home-flash', zh.flash.title);
  assert.equal(await item.getAttribute('data-status'), 'running');
  assert.equal((await item.locator('[data-testid=flash-price]').textContent()).trim(), saleText);
  assert.equal((await item.locator('[data-testid=flash-regular]').textContent()).trim(), regularText);
  assert.ok((await item.textContent()).includes(`−${sale.discount_percent}%`), await item.textContent());

  // The countdown: HH:MM:SS close to the sale's end, and it ticks.
  const timer = item.locator('[role=timer]');
  const first = (await timer.textContent()).trim();
  const left = seconds(first);
  const expected = (Date.parse(sale.ends_at) - Date.now()) / 1000;
  assert.ok(Math.abs(left - expected) <= 5, `countdown ${first} vs ${expected.toFixed(0)} s left`);
  await page.waitForFunction(([sel, was]) => {
    const el = document.querySelector(sel);
    return el && el.textContent.trim() !== was;
  }, [`[data-testid=flash-item][data-sku="${sku.id}"] [role=timer]`, first], { timeout: 5000 });
  assert.ok(seconds(await timer.textContent()) < left, 'the countdown went up');
  // Read to a screen reader in words, not announced every second.
  const label = await timer.getAttribute('aria-label');
  assert.ok(label.startsWith(fill(zh.flash.endsInLabel, { time: '' })) && /分钟/.test(label), label);
  assert.equal(await page.locator('[data-testid=home-flash] [aria-live]').count(), 0);
  assert.equal(await timer.evaluate((el) => !!el.closest('[aria-live]')), false);
  assert.deepEqual(await unlabelled(page), [], 'home');
  await screenshot(page, 'flash-01-home');

  // In English: the section and the timer's words follow.
  const en = messages.en;
  await page.locator('[data-testid=locale-select]').selectOption('en');
  await waitForText(page, '#home-flash', en.flash.title);
  const enLabel = await timer.getAttribute('aria-label');
  assert.ok(enLabel.startsWith(fill(en.flash.endsInLabel, { time: '' })) && /minutes?$/.test(enLabel), enLabel);
  await screenshot(page, 'flash-01-home-en');
  await page.locator('[data-testid=locale-select]').selectOption('zh-CN');
  await waitForText(page, '#home-flash', zh.flash.title);

  // 360 px: the section does not make the page scroll sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await item.waitFor();
  await noSideScroll(page, '/ with the flash sale');
  await screenshot(page, 'flash-02-home-360');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Its link: the product on that SKU, at the sale price.
  await item.locator('a').first().click();
  await page.waitForURL((u) => u.pathname === `/p/${product.slug}` && u.searchParams.get('sku') === String(sku.id));
  await waitForText(page, TITLE, product.name);
  await priceShows(page, saleText);
  await waitForText(page, '[data-testid=regular-price]', regularText);
  const flashBox = page.locator('[data-testid=product-flash]');
  assert.match((await flashBox.locator('[role=timer]').textContent()).trim(), /^\d{2}:\d{2}:\d{2}$/);
  for (const [i, value] of sku.options.entries()) {
    assert.equal(await page.locator(`input[name="opt-${i}"][value="${value.replace(/"/g, '\\"')}"]`).isChecked(), true,
      `option ${i} is not ${value}`);
  }
  assert.deepEqual(await unlabelled(page), [], 'product page');
  await screenshot(page, 'flash-03-product');

  // Two in the cart: sale price per unit, the line and the group discounted.
  await page.locator('[data-testid=quantity]').fill('2');
  await page.locator('[data-testid=add-to-cart]').click();
  await page.locator('[data-testid=added]').waitFor();
  await page.locator('[data-testid=go-to-cart]').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  const line = page.locator('[data-testid=cart-line]');
  await line.locator('[data-testid=cart-line-sale]').waitFor();
  assert.equal(await line.count(), 1);
  const saleLine = (await line.locator('[data-testid=cart-line-sale]').textContent()).replace(/\s+/g, ' ');
  assert.ok(saleLine.includes(saleText) && saleLine.includes(regularText), saleLine);
  const twoAtSale = await yuan(page, 2 * salePrice);
  const twoRegular = await yuan(page, 2 * sku.price.amount);
  const lineTotal = (await line.locator('[data-testid=cart-line-total]').textContent()).replace(/\s+/g, ' ');
  assert.ok(lineTotal.includes(`${zh.cart.lineTotal}: ${twoAtSale}`) && lineTotal.includes(twoRegular), lineTotal);
  const group = (await page.locator('[data-testid=cart-group-total]').textContent()).replace(/\s+/g, ' ');
  assert.ok(group.includes(`${zh.cart.subtotal}: ${twoAtSale}`), group);
  assert.ok((await page.locator('[data-testid=cart-total]').textContent()).includes(twoAtSale));
  assert.deepEqual(await unlabelled(page), [], 'cart page');
  await screenshot(page, 'flash-04-cart');

  // The sale ends in a few seconds: the product page counts down, then
  // reads the product again and shows the regular price.
  await endSaleIn(id, 6);
  await until('the new end in the product', async () => {
    const p = (await apiGet(`/products/${product.slug}`)).body;
    const f = p && p.skus.find((s) => s.id === sku.id).flash_sale;
    return f && Date.parse(f.ends_at) - Date.now() < 10000;
  }, TIMEOUT_MS, 200);
  // The browser keeps the product's answer for a while (max-age): start
  // from an empty cache, as a shopper arriving now would.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  await page.goto(url(`/p/${product.slug}?sku=${sku.id}`), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=product-flash] [role=timer]').waitFor();
  const ending = (await page.locator('[data-testid=product-flash] [role=timer]').textContent()).trim();
  assert.ok(seconds(ending) <= 10, `the product page counts ${ending} to the new end`);
  await screenshot(page, 'flash-05-product-ending');
  // When it runs out the page asks for the product again (and gets no sale).
  const reread = page.waitForResponse((res) => new URL(res.url()).pathname === `/api/v1/products/${product.slug}`,
    { timeout: 20000 });
  await page.locator('[data-testid=product-flash]').waitFor({ state: 'detached', timeout: 20000 });
  const again = await (await reread).json();
  assert.equal(again.skus.find((s) => s.id === sku.id).flash_sale, null);
  await priceShows(page, regularText);
  assert.equal(await page.locator('[data-testid=regular-price]').count(), 0);
  await screenshot(page, 'flash-06-product-ended');

  // No sale running or coming (any other sale on the stack is ended too):
  // no section on the home.
  const others = ((await apiGet('/flash-sales')).body?.items || []).filter((i) => i.id !== id);
  for (const o of others) await endSaleIn(o.id, 0);
  await until('no flash sale in GET /flash-sales', async () => {
    const r = await apiGet('/flash-sales');
    return r.status === 200 && r.body.items.length === 0;
  }, TIMEOUT_MS, 200);
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=home-newest] [data-testid=product-card]').first().waitFor();
  assert.equal(await page.locator('[data-testid=home-flash]').count(), 0);
  await screenshot(page, 'flash-07-home-none');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('an upcoming sale shows when it starts', async () => {
  const page = await browser.newPage();
  const skuB = product.skus.find((s) => s.id !== sku.id && s.stock_status !== 'out_of_stock');
  const price = Math.floor(skuB.price.amount * 0.8);
  const startsAt = Date.now() + 2 * 3600e3;
  const id = await createSale(skuB.id, price, 2 * 3600, 3 * 3600);
  await until('the upcoming sale in GET /flash-sales', async () => (await publicSale(id))?.status === 'upcoming',
    TIMEOUT_MS, 200);
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  const item = page.locator(`[data-testid=flash-item][data-sku="${skuB.id}"]`);
  await item.waitFor();
  assert.equal(await item.getAttribute('data-status'), 'upcoming');
  assert.ok((await item.textContent()).includes(zh.flash.upcoming));
  const countdown = item.locator('[data-testid=flash-countdown]');
  assert.equal(await countdown.getAttribute('data-kind'), 'starts');
  assert.ok((await countdown.textContent()).includes(zh.flash.startsIn));
  const left = seconds(await countdown.locator('[role=timer]').textContent());
  assert.ok(Math.abs(left - (startsAt - Date.now()) / 1000) <= 5, `starts in ${left} s`);
  const label = await countdown.locator('[role=timer]').getAttribute('aria-label');
  assert.ok(label.startsWith(fill(zh.flash.startsInLabel, { time: '' })) && /小时/.test(label), label);
  // Not on sale yet: the product page shows the regular price for it.
  await page.goto(url(`/p/${product.slug}?sku=${skuB.id}`), { waitUntil: 'domcontentloaded' });
  await priceShows(page, await yuan(page, skuB.price.amount));
  assert.equal(await page.locator('[data-testid=product-flash]').count(), 0);
  await screenshot(page, 'flash-08-upcoming-product');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
