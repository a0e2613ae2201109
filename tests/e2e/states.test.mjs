// Focus: what the shop says when things go wrong, on the real stack.
// - Adding more than the stock covers: the API takes the line and flags
//   it; the product page says how many can be had and sets the line to it.
// - Out of stock at checkout: the stock drops (SQL on the primary, with a
//   ledger row) between the quote and the click; the 409 names the line,
//   offers "change to N", and after it the order goes through.
// - A network failure (the API request aborted in the browser with
//   page.route) shows the error with a retry that works once the network
//   is back; for a read (orders list) and for the checkout quote.
// - An unpaid sandbox order is cancelled from its page.
// - The primary database stopped (scripts/ctl): a signed-in page says the
//   service is unavailable (503) instead of asking to sign in again, and
//   its retry works once the database is back.
// - A cash-on-delivery order the merchant ships (through the merchant API,
//   as the demo merchant) shows its tracking, and the shopper confirms
//   receipt: completed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { baseUrl, screenshot, startBrowser, url, waitForText } from './browser.mjs';
import { SHANGHAI, apiGet, apiWrite, fill, findProducts, messages, signUp, until } from './shop-lib.mjs';
import { ctl } from '../api/lib.mjs';
import { setStock, stockOf } from '../api/orders-lib.mjs';

let browser;
let product;
const zh = messages['zh-CN'];

before(async () => {
  // Not the journey's products: their stock is changed here.
  [product] = await findProducts(1, { skip: 2 });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
});

/** A signed-up shopper with an address and `quantity` of `sku` in the cart. */
async function shopperWithCart(page, tag, sku, quantity) {
  await browser.context.clearCookies();
  const who = await signUp(page, tag);
  const a = await apiWrite(page, who.csrf, 'POST', '/me/addresses', SHANGHAI);
  assert.equal(a.status, 201, a.text);
  const c = await apiWrite(page, who.csrf, 'POST', '/cart/items', { sku_id: sku.id, quantity });
  assert.equal(c.status, 201, c.text);
  return who;
}

test('out of stock at checkout says which line and fixes it, then the order goes through', async () => {
  const page = await browser.newPage();
  const sku = product.skus.find((s) => s.stock_status !== 'out_of_stock');
  const before = await stockOf(sku.id);
  assert.ok(before >= 3, `sku ${sku.id} has ${before} in stock`);
  try {
    await shopperWithCart(page, 'oos', sku, 3);
    await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=quote-total]').waitFor();

    // Someone else buys all but one meanwhile.
    await setStock(sku.id, 1);
    await page.locator('[data-testid=place-order]').click();
    const problem = page.locator('[data-testid=stock-problem]');
    await problem.locator('[data-testid=stock-issue]').waitFor();
    const issue = (await problem.locator('[data-testid=stock-issue]').textContent()).trim();
    assert.ok(issue.includes(fill(zh.checkout.stockShort, { name: product.name, available: 1, quantity: 3 })), issue);
    assert.ok((await problem.textContent()).includes(zh.checkout.stockHelp));
    await screenshot(page, 'states-01-out-of-stock');
    const orders = await page.request.get(url('/api/v1/orders'));
    assert.equal((await orders.json()).items.length, 0, 'a 409 placed an order');

    // "Change to 1": the cart line follows, the quote comes back, the order goes through.
    await problem.locator('[data-testid=stock-fix]').click();
    await problem.waitFor({ state: 'detached' });
    await page.locator('[data-testid=quote-total]').waitFor();
    await screenshot(page, 'states-02-fixed');
    await page.locator('[data-testid=place-order]').click();
    await page.waitForURL((u) => /^\/orders\/\d+$/.test(u.pathname));
    await page.locator('[data-testid=order-status][data-status=pending_payment]').waitFor();
    const placed = await (await page.request.get(url('/api/v1/orders'))).json();
    assert.equal(placed.items.length, 1);
    assert.equal(placed.items[0].items[0].quantity, 1);
    assert.equal(await stockOf(sku.id), 0);
    assert.deepEqual(page.jishiErrors, []);
  } finally {
    // Stock back for whoever comes next (the order's unit stays reserved).
    await setStock(sku.id, before);
    await page.close();
  }
});

test('a network failure shows the error with a retry that works', async () => {
  const page = await browser.newPage();
  const sku = product.skus.filter((s) => s.stock_status !== 'out_of_stock').pop();
  await shopperWithCart(page, 'net', sku, 1);

  // A read: the orders list (the client retries a GET once; both fail).
  await page.route('**/api/v1/orders?**', (route) => route.abort('internetdisconnected'));
  await page.goto(url('/orders'), { waitUntil: 'domcontentloaded' });
  const alert = page.locator('[role=alert]').filter({ hasText: zh.errors.network_error });
  await alert.waitFor();
  await screenshot(page, 'states-03-orders-network-error');
  await page.unroute('**/api/v1/orders?**');
  await alert.getByRole('button', { name: zh.common.retry }).click();
  await page.locator('[data-testid=empty-state], .empty').first().waitFor();

  // A write: the checkout quote.
  await page.route('**/api/v1/checkout/quote', (route) => route.abort('internetdisconnected'));
  await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=quote-error]').filter({ hasText: zh.errors.network_error }).waitFor();
  assert.equal(await page.locator('[data-testid=place-order]').isDisabled(), true);
  await screenshot(page, 'states-04-quote-network-error');
  await page.unroute('**/api/v1/checkout/quote');
  await page.locator('[data-testid=quote-retry]').click();
  await page.locator('[data-testid=quote-total]').waitFor();
  assert.equal(await page.locator('[data-testid=place-order]').isDisabled(), false);

  // Placing the order while offline: the error and a retry with the same
  // Idempotency-Key; once online the retry places exactly one order.
  const keys = [];
  await page.route('**/api/v1/checkout', (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    return keys.length === 1 ? route.abort('internetdisconnected') : route.continue();
  });
  await page.locator('[data-testid=place-order]').click();
  const placeError = page.locator('[data-testid=place-error]');
  await placeError.waitFor();
  assert.ok((await placeError.textContent()).includes(zh.errors.network_error));
  await screenshot(page, 'states-05-place-network-error');
  await placeError.getByRole('button', { name: zh.common.retry }).click();
  await page.waitForURL((u) => /^\/orders\/\d+$/.test(u.pathname));
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], `the retry changed the key: ${keys}`);
  const placed = await (await page.request.get(url('/api/v1/orders'))).json();
  assert.equal(placed.items.length, 1);
  await page.unroute('**/api/v1/checkout');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('an unpaid sandbox order is cancelled from its page', async () => {
  const page = await browser.newPage();
  const sku = product.skus.filter((s) => s.stock_status !== 'out_of_stock').pop();
  await shopperWithCart(page, 'cancel', sku, 1);
  await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=pay-sandbox]').check();
  await page.locator('[data-testid=quote-total]').waitFor();
  await page.locator('[data-testid=place-order]').click();
  // On the gateway's page: leave without paying.
  await page.waitForURL((u) => u.pathname.startsWith('/api/v1/sandbox/pay/'));
  const [order] = (await (await page.request.get(url('/api/v1/orders'))).json()).items;
  assert.equal(order.status, 'pending_payment');

  await page.goto(url('/orders'), { waitUntil: 'domcontentloaded' });
  await page.locator(`[data-testid=order-row] a[href="/orders/${order.id}"]`).click();
  await page.locator('[data-testid=order-status][data-status=pending_payment]').waitFor();
  await page.locator('[data-testid=pay-now]').waitFor();
  await page.locator('[data-testid=cancel-order]').click();
  await page.locator('[data-testid=cancel-confirm]').waitFor();
  await screenshot(page, 'states-06-cancel-question');
  await page.locator('[data-testid=cancel-confirm]').click();
  await page.locator('[data-testid=order-status][data-status=cancelled]').waitFor();
  await waitForText(page, '[data-testid=order-status]', zh.orders.status.cancelled);
  assert.equal(await page.locator('[data-testid=cancel-order]').count(), 0);
  assert.equal(await page.locator('[data-testid=pay-now]').count(), 0);
  await page.locator('[data-testid=timeline] li[data-status=cancelled]').waitFor();
  await screenshot(page, 'states-07-cancelled');
  const again = await (await page.request.get(url(`/api/v1/orders/${order.id}`))).json();
  assert.equal(again.status, 'cancelled');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('a shipped order shows its tracking and the shopper confirms receipt', async () => {
  // The demo merchant (seeded with the catalog) acts for its shop.
  const merchant = await request.newContext({ baseURL: baseUrl() });
  const page = await browser.newPage();
  try {
    const login = await merchant.post('/api/v1/auth/login', {
      data: { email: 'merchant1@jishi.test', password: 'jishi-merchant-2026' },
    });
    assert.equal(login.status(), 200, await login.text());
    const me = await login.json();
    const shop = me.merchants.find((m) => m.status === 'active');
    assert.ok(shop, `merchant1 has no active shop: ${JSON.stringify(me.merchants)}`);
    const act = await merchant.put('/api/v1/me/acting-merchant', {
      data: { merchant_id: shop.id }, headers: { 'X-CSRF-Token': me.csrf_token },
    });
    assert.equal(act.status(), 200, await act.text());
    const { csrf_token: csrf } = await act.json();

    // One of its products, bought cash on delivery through the UI.
    const card = (await apiGet(`/products?merchant=${shop.id}&in_stock=true&per_page=1`)).body.items[0];
    assert.ok(card, `no product of merchant ${shop.id} in stock`);
    const detail = (await apiGet(`/products/${card.slug}`)).body;
    const sku = detail.skus.find((s) => s.stock_status !== 'out_of_stock');
    await shopperWithCart(page, 'ship', sku, 1);
    await page.goto(url('/checkout'), { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=pay-cod]').check();
    await page.locator('[data-testid=quote-total]').waitFor();
    await page.locator('[data-testid=place-order]').click();
    await page.waitForURL((u) => /^\/orders\/\d+$/.test(u.pathname));
    await page.locator('[data-testid=order-status][data-status=pending_payment]').waitFor();
    assert.equal(await page.locator('[data-testid=confirm-receipt]').count(), 0);
    const orderId = Number(new URL(page.url()).pathname.split('/').pop());

    // The merchant ships it.
    const ship = await merchant.post(`/api/v1/merchant/orders/${orderId}/ship`, {
      data: { carrier: 'SF Express', tracking_no: 'SF1234567890' }, headers: { 'X-CSRF-Token': csrf },
    });
    assert.equal(ship.status(), 200, await ship.text());

    // The shopper sees the tracking and confirms receipt.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=order-status][data-status=shipped]').waitFor();
    assert.ok((await page.locator('[data-testid=tracking]').textContent()).includes('SF Express SF1234567890'));
    assert.equal(await page.locator('[data-testid=cancel-order]').count(), 0);
    await screenshot(page, 'states-08-shipped');
    await page.locator('[data-testid=confirm-receipt]').click();
    await page.locator('[data-testid=order-status][data-status=completed]').waitFor();
    await waitForText(page, '[data-testid=order-status]', zh.orders.status.completed);
    await page.locator('[data-testid=timeline] li[data-status=delivered]').waitFor();
    await page.locator('[data-testid=timeline] li[data-status=completed]').waitFor();
    // The server's own notes read in the page's language; the shop's
    // carrier and tracking number as written.
    const timeline = await page.locator('[data-testid=timeline]').textContent();
    assert.ok(timeline.includes(zh.orders.note.placed) && timeline.includes(zh.orders.note.receiptConfirmed) &&
      timeline.includes('SF Express SF1234567890'), timeline);
    assert.ok(!/order placed|receipt confirmed/.test(timeline), `no English system notes: ${timeline}`);
    assert.equal(await page.locator('[data-testid=confirm-receipt]').count(), 0);
    assert.equal(await page.locator('[data-testid=request-refund]').count(), 0);
    await screenshot(page, 'states-09-completed');
    assert.deepEqual(page.jishiErrors, []);
  } finally {
    await merchant.dispose();
    await page.close();
  }
});

test('adding more than the stock covers says how many can be had and fixes the line', async () => {
  const page = await browser.newPage();
  const sku = product.skus.filter((s) => s.stock_status !== 'out_of_stock')[0];
  const before = await stockOf(sku.id);
  try {
    await browser.context.clearCookies();
    await setStock(sku.id, 3);
    await page.goto(url(`/p/${product.slug}`), { waitUntil: 'domcontentloaded' });
    for (const [i, value] of sku.options.entries()) {
      await page.locator(`input[name="opt-${i}"][value="${value.replace(/"/g, '\\"')}"]`).check({ force: true });
    }
    await page.locator('[data-testid=quantity]').fill('5');
    await page.locator('[data-testid=add-to-cart]').click();
    const short = page.locator('[data-testid=add-stock-short]');
    await short.waitFor();
    assert.ok((await short.textContent()).includes(fill(zh.product.stockShort, { available: 3 })));
    await screenshot(page, 'states-10-add-stock-short');
    await short.locator('[data-testid=fit-to-stock]').click();
    await short.waitFor({ state: 'detached' });
    const cart = await (await page.request.get(url('/api/v1/cart'))).json();
    const line = cart.groups.flatMap((g) => g.lines).find((l) => l.sku_id === sku.id);
    assert.equal(line.quantity, 3);
    assert.equal(line.warning, null);
    await waitForText(page, '[data-testid=nav-cart] .badge', '3');
    assert.deepEqual(page.jishiErrors, []);
  } finally {
    await setStock(sku.id, before);
    await page.close();
  }
});

test('the database down: pages say the service is unavailable and retry once it is back', { timeout: 240000 }, async () => {
  const page = await browser.newPage();
  const sku = product.skus.filter((s) => s.stock_status !== 'out_of_stock').pop();
  await shopperWithCart(page, 'down', sku, 1);
  await page.goto(url('/orders'), { waitUntil: 'domcontentloaded' });
  await page.locator('.empty').waitFor();

  // Session-bound reads need the primary: with it stopped they are 503s.
  await ctl('stop', 'primary');
  let alert;
  try {
    await until('every worker to answer 503', async () => {
      for (let i = 0; i < 12; i++) if ((await fetch(url('/api/v1/health'))).status !== 503) return false;
      return true;
    }, 30000, 200);
    await page.goto(url('/orders'), { waitUntil: 'domcontentloaded' });
    // Not sent to sign in: the page itself says what is wrong.
    alert = page.locator('[role=alert]').filter({ hasText: zh.errors.unavailable });
    await alert.waitFor();
    assert.equal(new URL(page.url()).pathname, '/orders');
    await screenshot(page, 'states-11-database-down');
  } finally {
    await ctl('start', 'primary');
    await until('every worker to answer 200 again', async () => {
      for (let i = 0; i < 12; i++) if ((await fetch(url('/api/v1/health'))).status !== 200) return false;
      return true;
    }, 90000, 200);
  }
  await alert.getByRole('button', { name: zh.common.retry }).click();
  await page.locator('.empty').waitFor();
  assert.equal(await alert.count(), 0);
  // The retry read the session again: the header shows the shopper signed in.
  await page.locator('[data-testid=nav-account]').waitFor();
  await screenshot(page, 'states-12-database-back');
  await page.locator('[data-testid=nav-cart]').click();
  await page.locator('[data-testid=cart-line]').waitFor();
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
