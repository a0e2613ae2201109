// Focus: the merchant dashboard's orders, in the browser, as the demo
// merchant4 (no other test file uses it).
// - A guest sent to /merchant/orders signs in and comes back.
// - /merchant: the shop, acting for it, the to-do counts.
// - A cash-on-delivery order placed by a shopper (through the API): the
//   shop finds it under its status, ships it with carrier and tracking
//   number from the form, then marks it delivered; the shopper's API sees
//   the tracking and the status.
// - A paid sandbox order whose shopper asks for a refund: the shop sees
//   the reason, cannot reject without a note, approves; the order is
//   refunded for the shopper too.
// - Every control has a name, no page error, no sideways scrolling at
//   360 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { baseUrl, screenshot, startBrowser, url, waitForText } from './browser.mjs';
import { PASSWORD, SHANGHAI, apiGet, messages, noSideScroll, seed, uniqueEmail, unlabelled, until } from './shop-lib.mjs';

const MERCHANT = { email: 'merchant4@jishi.test', password: 'jishi-merchant-2026' };
const zh = messages['zh-CN'];
let browser;
let shopper;      // the shopper's API context
let shopperCsrf;
let shopId;

before(async () => {
  await seed();
  browser = await startBrowser();
  shopper = await request.newContext({ baseURL: baseUrl() });
  const r = await shopper.post('/api/v1/auth/register', { data: { email: uniqueEmail('mshop'), password: PASSWORD } });
  assert.equal(r.status(), 201, await r.text());
  shopperCsrf = (await r.json()).csrf_token;
});

after(async () => {
  await shopper?.dispose();
  await browser?.close();
});

async function shopperCall(method, path, data, headers = {}) {
  const r = await shopper.fetch(`/api/v1${path}`, { method, data, headers: { 'X-CSRF-Token': shopperCsrf, ...headers } });
  const text = await r.text();
  return { status: r.status(), body: text ? JSON.parse(text) : null, text };
}

// A buy-now checkout of one unit of `skuId`, to a new address.
async function buy(skuId, method) {
  const a = await shopperCall('POST', '/me/addresses', SHANGHAI);
  assert.equal(a.status, 201, a.text);
  const co = await shopperCall('POST', '/checkout',
    { address_id: a.body.id, payment_method: method, items: [{ sku_id: skuId, quantity: 1 }] },
    { 'Idempotency-Key': `e2e-m-${Date.now()}-${Math.floor(Math.random() * 1e9)}` });
  assert.equal(co.status, 201, co.text);
  return co.body;
}

test('a guest sent to the shop orders signs in and comes back to them', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.goto(url('/merchant/orders'), { waitUntil: 'domcontentloaded' });
  await page.waitForURL(/\/login\?next=/);
  await page.locator('[data-testid=email]').fill(MERCHANT.email);
  await page.locator('[data-testid=password]').fill(MERCHANT.password);
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL(/\/merchant\/orders$/);
  await waitForText(page, '[data-testid=page-title]', zh.merchant.orders.title);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('the dashboard acts for the shop and counts what is to do', async () => {
  const page = await browser.newPage();
  await page.goto(url('/merchant'), { waitUntil: 'domcontentloaded' });
  const shop = page.locator('[data-testid=shop]').first();
  await shop.waitFor();
  shopId = Number(await shop.getAttribute('data-shop'));
  assert.ok(shopId > 0);
  if (await page.locator('[data-testid=act-for]').count()) await page.locator('[data-testid=act-for]').click();
  await page.locator('[data-testid=acting]').waitFor();
  await page.locator('[data-testid=todo-paid]').waitFor();
  assert.match(await page.locator('[data-testid=todo-paid]').textContent(), /\d+/);
  await screenshot(page, 'merchant-01-home');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('the shop ships a cash-on-delivery order from its page, then marks it delivered', async () => {
  assert.ok(shopId, 'the dashboard test found the shop');
  const card = await until('a product of the shop in stock', async () =>
    (await apiGet(`/products?merchant=${shopId}&in_stock=true&per_page=5`)).body?.items?.[0]);
  const detail = (await apiGet(`/products/${card.slug}`)).body;
  const sku = detail.skus.find((s) => s.stock_status === 'in_stock');
  const co = await buy(sku.id, 'cod');
  const id = co.orders[0].id;

  const page = await browser.newPage();
  await page.goto(url('/merchant/orders?status=pending_payment'), { waitUntil: 'domcontentloaded' });
  const row = page.locator(`[data-testid=merchant-order-row][data-order="${id}"]`);
  await row.waitFor();
  await row.locator('a').click();
  await page.waitForURL(new RegExp(`/merchant/orders/${id}$`));
  await page.locator('[data-testid=ship-form]').waitFor();
  // Not without a tracking number.
  await page.locator('[data-testid=ship-carrier]').fill('顺丰速运');
  assert.equal(await page.locator('[data-testid=ship-submit]').isDisabled(), true);
  await page.locator('[data-testid=ship-tracking]').fill('SF8000000001');
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('[data-testid=ship-submit]').click();
  await page.locator('[data-testid=order-status][data-status=shipped]').waitFor();
  assert.equal((await page.locator('[data-testid=tracking]').textContent()).includes('顺丰速运 SF8000000001'), true);
  assert.equal(await page.locator('[data-testid=ship-form]').count(), 0, 'no second shipping');
  await screenshot(page, 'merchant-02-shipped');
  await page.locator('[data-testid=mark-delivered]').click();
  await page.locator('[data-testid=order-status][data-status=delivered]').waitFor();
  await page.locator('[data-testid=timeline] li[data-status=delivered]').waitFor();
  assert.ok((await page.locator('[data-testid=timeline]').textContent()).includes(zh.orders.note.deliveredByCarrier));

  const seen = await shopperCall('GET', `/orders/${id}`);
  assert.equal(seen.body.status, 'delivered', seen.text);
  assert.deepEqual(seen.body.tracking, { carrier: '顺丰速运', tracking_no: 'SF8000000001' });

  await page.setViewportSize({ width: 360, height: 740 });
  await noSideScroll(page, 'the shop order page');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('the shop decides a refund request: the reason shown, a note needed to reject, approved', async () => {
  const card = (await apiGet(`/products?merchant=${shopId}&in_stock=true&per_page=5`)).body.items.at(-1);
  const detail = (await apiGet(`/products/${card.slug}`)).body;
  const sku = detail.skus.find((s) => s.stock_status === 'in_stock');
  const co = await buy(sku.id, 'sandbox');
  const id = co.orders[0].id;
  const pay = await shopperCall('POST', '/payments', { checkout_id: co.checkout_id });
  assert.equal(pay.status, 201, pay.text);
  const done = await shopper.post(pay.body.pay_url, { form: { outcome: 'succeed' } });
  assert.equal(done.status(), 200, await done.text());
  await until('the order paid', async () => (await shopperCall('GET', `/orders/${id}`)).body.status === 'paid', 30000, 200);
  const reason = '尺码不合适 wrong size';
  const ask = await shopperCall('POST', `/orders/${id}/refund`, { reason });
  assert.equal(ask.status, 200, ask.text);

  const page = await browser.newPage();
  await page.goto(url('/merchant'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=todo-refunds]').click();
  await page.waitForURL(/status=refund_requested/);
  await page.locator(`[data-testid=merchant-order-row][data-order="${id}"] a`).click();
  await page.locator('[data-testid=refund-decision]').waitFor();
  assert.equal((await page.locator('[data-testid=refund-reason-shown]').textContent()).trim(), reason);
  assert.equal(await page.locator('[data-testid=refund-reject]').isDisabled(), true, 'no rejection without a note');
  await page.locator('[data-testid=refund-note]').fill('已同意，款项原路退回');
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('[data-testid=refund-approve]').click();
  await page.locator('[data-testid=order-status][data-status=refunded]').waitFor();
  assert.equal(await page.locator('[data-testid=refund-decision]').count(), 0);
  await screenshot(page, 'merchant-03-refunded');

  const seen = await shopperCall('GET', `/orders/${id}`);
  assert.equal(seen.body.status, 'refunded', seen.text);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
