// Focus: the shop's core journey on the real stack — a guest searches in
// Chinese and English (with type-ahead), filters, opens a product, picks a
// variant, adds it to the cart, checks out (registering on the way), adds
// an address, picks express shipping for the merchant, pays through the
// sandbox gateway's page (a double click places one order), comes back and
// sees the order paid; asks for a refund from the order page; the language
// switch works there; at 360 px no shop page scrolls sideways. Then a
// returning shopper signs in and the guest cart merges into theirs; and a
// cart from two merchants gets a shipping method each and one sandbox
// payment, both orders shown paid on the list the gateway links back to.
//
// Catalog data: the stack scripts/test starts is empty, so `before` seeds
// it with `$JISHI_BIN seed` (idempotent) and waits until the search replica
// answers, with a deadline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { TIMEOUT_MS, baseUrl, screenshot, startBrowser, url, waitForText } from './browser.mjs';
import {
  PASSWORD, SHANGHAI, TITLE, apiGet, apiWrite, fill, findProducts, messages, noSideScroll, signUp, uniqueEmail,
  unlabelled, until, yuan,
} from './shop-lib.mjs';

// The webhook that marks an order paid is delivered by the job runner
// with retries (1, 2, 4 … s): the paid status may take a few seconds.
const PAID_DEADLINE_MS = 45000;

let browser;
let product;   // a live product with at least two SKUs in stock
let other;     // another one, for the merge test
let cjkWord;   // two CJK characters from a product name
let enWord;    // an English word from a product name

before(async () => {
  [product, other] = await findProducts(2);
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

test('guest searches, registers at checkout, ships express, pays on the sandbox page, sees it paid, asks for a refund', async () => {
  await browser.context.clearCookies();
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
  assert.deepEqual(await unlabelled(page), [], 'search page');
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
  const priceText = await yuan(page, target.price.amount);
  await page.waitForFunction((want) => document.querySelector('[data-testid=product-price]')
    ?.textContent.includes(want), priceText);
  await page.locator('[data-testid=quantity]').fill('2');
  assert.deepEqual(await unlabelled(page), [], 'product page');
  await screenshot(page, 'shop-04-product-variant');
  await page.locator('[data-testid=add-to-cart]').click();
  await page.locator('[data-testid=added]').waitFor();

  // Cart: one merchant group with the line.
  await page.locator('[data-testid=go-to-cart]').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  await page.locator('[data-testid=cart-line]').first().waitFor();
  assert.equal(await page.locator('[data-testid=cart-qty]').first().inputValue(), '2');
  // The merchant's subtotal is two of the SKU, in the locale's money format.
  const groupTotal = (await page.locator('[data-testid=cart-group-total]').textContent()).replace(/\s+/g, ' ');
  const two = await yuan(page, target.price.amount * 2);
  assert.ok(groupTotal.includes(fill(zh.cart.items, { n: 2 })) && groupTotal.includes(two), `${groupTotal} vs ${two}`);
  assert.ok((await page.locator('[data-testid=cart-total]').textContent()).includes(two));
  assert.deepEqual(await unlabelled(page), [], 'cart page');
  await screenshot(page, 'shop-05-cart');

  // Checkout sends a guest to sign in; register there.
  await page.locator('[data-testid=go-to-checkout]').click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/checkout');
  await page.locator('[data-testid=mode-register]').click();
  const email = uniqueEmail('journey');
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByLabel(zh.auth.password).fill(PASSWORD);
  await page.getByLabel(zh.auth.displayName).fill('E2E 测试');
  await screenshot(page, 'shop-06-register');
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL((u) => u.pathname === '/checkout');

  // First address, typed through the labelled form.
  await page.locator('[data-testid=address-form]').waitFor();
  for (const f of ['recipient', 'phone', 'region', 'city', 'district', 'line1', 'postal_code']) {
    await page.getByLabel(zh.address[f], { exact: false }).first().fill(SHANGHAI[f]);
  }
  await page.locator('[data-testid=save-address]').click();
  await page.locator('[data-testid=address-option]').first().waitFor();
  assert.equal(await page.locator('[data-testid=address-option]').first().isChecked(), true);

  // Shipping per merchant: one group, standard first, express offered with its fee.
  const group = page.locator(`[data-testid=ship-group][data-merchant="${product.merchant.id}"]`);
  await group.waitFor();
  assert.equal(await page.locator('[data-testid=ship-group]').count(), 1);
  assert.equal(await group.locator('[data-testid=ship-standard]').isChecked(), true);
  await group.locator('[data-testid=ship-fee-express]').waitFor();
  await page.locator('[data-testid=quote-total]').waitFor();
  const stdQuote = await page.locator('[data-testid=quote-shipping]').textContent();
  // By keyboard: the arrow key moves the merchant's radio group to express.
  await group.locator('[data-testid=ship-standard]').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await group.locator('[data-testid=ship-express]').isChecked(), true);
  const expressFee = (await group.locator('[data-testid=ship-fee-express]').textContent()).trim();
  await waitForText(page, '[data-testid=quote-shipping]', expressFee);
  assert.notEqual(stdQuote.trim(), expressFee, 'express costs the same as standard');
  await page.locator('[data-testid=pay-sandbox]').check();
  await page.locator('[data-testid=quote-total]').waitFor();
  const total = (await page.locator('[data-testid=quote-total]').textContent()).trim();
  assert.deepEqual(await unlabelled(page), [], 'checkout page');
  await screenshot(page, 'shop-07-checkout-express-sandbox');

  // A double click places one checkout; the browser goes to the gateway.
  await page.locator('[data-testid=place-order]').dblclick();
  await page.waitForURL((u) => /^\/api\/v1\/sandbox\/pay\/sbx_[0-9a-f]{24}$/.test(u.pathname));
  await page.getByRole('button', { name: 'Pay' }).waitFor();
  await screenshot(page, 'shop-08-sandbox-page');
  await page.getByRole('button', { name: 'Pay' }).click();
  const back = page.getByRole('link', { name: /Back to your orders/ });
  await back.waitFor();
  await screenshot(page, 'shop-09-sandbox-paid');

  // Back to the shop: the checkout's one order, polled until paid.
  await back.click();
  await page.waitForURL((u) => /^\/orders\/\d+$/.test(u.pathname));
  await page.locator('[data-testid=order-status][data-status=paid]').waitFor({ timeout: PAID_DEADLINE_MS });
  await waitForText(page, '[data-testid=order-status]', zh.orders.status.paid);
  await page.locator('[data-testid=timeline] li[data-status=paid]').waitFor();
  await waitForText(page, '[data-testid=order-total]', total);
  const orders = await page.request.get(url('/api/v1/orders'));
  assert.equal(orders.status(), 200);
  const list = await orders.json();
  assert.equal(list.items.length, 1, 'a double click placed more than one order');
  const [order] = list.items;
  assert.equal(order.payment_method, 'sandbox');
  assert.equal(order.shipping_method, 'express');
  assert.equal(order.status, 'paid');
  assert.equal(order.items[0].sku_id, target.id);
  assert.equal(order.items[0].quantity, 2);
  assert.equal(new URL(page.url()).pathname, `/orders/${order.id}`);
  await screenshot(page, 'shop-10-order-paid');

  // Language switch on the order page.
  await page.locator('[data-testid=locale-select]').selectOption('en');
  await waitForText(page, '[data-testid=order-status]', en.orders.status.paid);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await screenshot(page, 'shop-11-order-en');
  await page.locator('[data-testid=locale-select]').selectOption('zh-CN');
  await waitForText(page, '[data-testid=order-status]', zh.orders.status.paid);

  // A paid order cannot be cancelled; it can be refunded, with a reason.
  assert.equal(await page.locator('[data-testid=cancel-order]').count(), 0);
  await page.locator('[data-testid=request-refund]').click();
  await page.getByLabel(zh.orders.refundReason).fill('尺码不合适 / wrong size');
  assert.deepEqual(await unlabelled(page), [], 'order page');
  await screenshot(page, 'shop-12-refund-form');
  await page.locator('[data-testid=refund-submit]').click();
  await page.locator('[data-testid=order-status][data-status=refund_requested]').waitFor();
  await waitForText(page, '[data-testid=order-status]', zh.orders.status.refund_requested);
  assert.equal(await page.locator('[data-testid=request-refund]').count(), 0);
  await screenshot(page, 'shop-13-refund-requested');
  const orderPath = new URL(page.url()).pathname;

  // 360 px: no horizontal scrolling on any shop page.
  await page.setViewportSize({ width: 360, height: 740 });
  const pages = [
    ['/', '[data-testid=home-newest]'],
    [`/search?q=${encodeURIComponent(enWord)}`, '[data-testid=results]'],
    [`/p/${product.slug}`, '[data-testid=add-to-cart]'],
    ['/cart', TITLE],
    [orderPath, '[data-testid=order-status]'],
    ['/orders', '[data-testid=order-row]'],
    ['/login', TITLE],
  ];
  for (const [path, ready] of pages) {
    await page.goto(url(path), { waitUntil: 'domcontentloaded' });
    await page.locator(ready).first().waitFor();
    await noSideScroll(page, path);
  }
  // Checkout at 360 px with the shipping groups showing.
  await page.goto(url(`/p/${product.slug}`), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=add-to-cart]').click();
  await page.locator('[data-testid=added]').waitFor();
  await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=ship-group] [data-testid=ship-fee-express]').first().waitFor();
  await page.locator('[data-testid=quote-total]').waitFor();
  await noSideScroll(page, '/checkout');
  await screenshot(page, 'shop-14-checkout-360');

  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('a returning shopper signs in and the guest cart joins theirs', async () => {
  await browser.context.clearCookies();
  const zh = messages['zh-CN'];
  // The shopper exists and already has a line in their cart (another client).
  const api = await request.newContext({ baseURL: baseUrl() });
  const email = uniqueEmail('returning');
  try {
    const reg = await api.post('/api/v1/auth/register', { data: { email, password: PASSWORD } });
    assert.equal(reg.status(), 201, await reg.text());
    const { csrf_token: csrf } = await reg.json();
    const theirs = other.skus.find((s) => s.stock_status !== 'out_of_stock');
    const add = await api.post('/api/v1/cart/items', {
      data: { sku_id: theirs.id, quantity: 1 }, headers: { 'X-CSRF-Token': csrf },
    });
    assert.equal(add.status(), 201, await add.text());
  } finally {
    await api.dispose();
  }

  // As a guest: put another product in the cart.
  const page = await browser.newPage();
  const mine = product.skus.find((s) => s.stock_status !== 'out_of_stock');
  await page.goto(url(`/p/${product.slug}`), { waitUntil: 'domcontentloaded' });
  for (const [i, value] of mine.options.entries()) {
    await page.locator(`input[name="opt-${i}"][value="${value.replace(/"/g, '\\"')}"]`).check({ force: true });
  }
  await page.locator('[data-testid=add-to-cart]').click();
  await page.locator('[data-testid=added]').waitFor();
  await waitForText(page, '[data-testid=nav-cart] .badge', '1');
  await screenshot(page, 'shop-15-guest-cart');

  // Sign in: the header and the cart show both lines.
  await page.locator('[data-testid=nav-login]').click();
  await page.waitForURL((u) => u.pathname === '/login');
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByLabel(zh.auth.password).fill(PASSWORD);
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('[data-testid=nav-account]').waitFor();
  await waitForText(page, '[data-testid=nav-cart] .badge', '2');
  await page.locator('[data-testid=nav-cart]').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  await until('both lines in the cart', async () => (await page.locator('[data-testid=cart-line]').count()) === 2, TIMEOUT_MS, 100);
  const names = await page.locator('[data-testid=cart-line] .cart-line__main a').allTextContents();
  assert.deepEqual(names.map((n) => n.trim()).sort(), [product.name, other.name].sort());
  await screenshot(page, 'shop-16-merged-cart');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('two merchants: a shipping method each, one sandbox payment, both orders paid on the list', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  const zh = messages['zh-CN'];
  // A second merchant's product.
  const cards = (await apiGet('/products?in_stock=true&per_page=60&sort=best_selling')).body.items;
  const card = cards.find((c) => c.merchant.id !== product.merchant.id);
  assert.ok(card, 'no best seller from a second merchant');
  const second = (await apiGet(`/products/${card.slug}`)).body;
  const skuA = product.skus.find((x) => x.stock_status !== 'out_of_stock');
  const skuB = second.skus.find((x) => x.stock_status !== 'out_of_stock');
  const who = await signUp(page, 'two');
  for (const [path, body] of [['/me/addresses', SHANGHAI], ['/cart/items', { sku_id: skuA.id, quantity: 1 }],
    ['/cart/items', { sku_id: skuB.id, quantity: 1 }]]) {
    const r = await apiWrite(page, who.csrf, 'POST', path, body);
    assert.equal(r.status, 201, r.text);
  }

  await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
  const groupA = page.locator(`[data-testid=ship-group][data-merchant="${product.merchant.id}"]`);
  const groupB = page.locator(`[data-testid=ship-group][data-merchant="${second.merchant.id}"]`);
  await groupA.locator('[data-testid=ship-fee-express]').waitFor();
  await groupB.locator('[data-testid=ship-fee-express]').waitFor();
  assert.equal(await page.locator('[data-testid=ship-group]').count(), 2);
  // Express for the second merchant only: its group's shipping follows, the first keeps standard.
  await groupB.locator('[data-testid=ship-express]').check();
  const feeB = (await groupB.locator('[data-testid=ship-fee-express]').textContent()).trim();
  await waitForText(page, `[data-testid=ship-group][data-merchant="${second.merchant.id}"] [data-testid=group-shipping]`, feeB);
  assert.equal(await groupA.locator('[data-testid=ship-standard]').isChecked(), true);
  await page.locator('[data-testid=pay-sandbox]').check();
  await page.locator('[data-testid=quote-total]').waitFor();
  await screenshot(page, 'shop-17-two-merchants-checkout');

  await page.locator('[data-testid=place-order]').click();
  await page.waitForURL((u) => u.pathname.startsWith('/api/v1/sandbox/pay/'));
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.getByRole('link', { name: /Back to your orders/ }).click();
  await page.waitForURL((u) => u.pathname === '/orders' && /^\d+$/.test(u.searchParams.get('checkout') || ''));
  const rows = page.locator('[data-testid=order-row].is-current');
  await until('both orders of the checkout listed', async () => (await rows.count()) === 2, TIMEOUT_MS, 100);
  await until('both orders paid', async () => (await page.locator('[data-testid=order-row].is-current[data-status=paid]').count()) === 2,
    PAID_DEADLINE_MS, 200);
  assert.equal(await page.locator('[data-testid=awaiting-payment]').count(), 0);
  await screenshot(page, 'shop-18-two-orders-paid');
  const list = (await (await page.request.get(url('/api/v1/orders'))).json()).items;
  assert.equal(list.length, 2);
  const method = Object.fromEntries(list.map((o) => [o.merchant.id, o.shipping_method]));
  assert.deepEqual(method, { [product.merchant.id]: 'standard', [second.merchant.id]: 'express' });
  assert.ok(list.every((o) => o.status === 'paid' && o.checkout_id === list[0].checkout_id));
  await waitForText(page, '[data-testid=order-row].is-current strong', zh.orders.status.paid);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('a search that finds nothing shows a helpful empty state', async () => {
  const page = await browser.newPage();
  await page.goto(url('/search?q=zzqxjvw%E9%BE%98%E9%BE%98&in_stock=1'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=empty-state]').waitFor();
  const text = await page.locator('[data-testid=empty-state]').textContent();
  assert.ok(text.includes(messages['zh-CN'].search.clearFilters), text);
  await screenshot(page, 'shop-19-empty');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
