// Flash sales through nginx: a merchant sets one on its own SKU (and only
// there), the public list shows it with the server's time, the product,
// the cart, the quote and checkout all charge the sale price and the order
// line records the discount; ended sales charge the regular price again;
// bad input is a clear 4xx that changes nothing.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { Client, expectError, expectStatus } from './accounts-lib.mjs';
import { req, waitFor } from './lib.mjs';
import {
  CNY, DB, addToCart, checkout, createShop, getCart, lineOf, merchantStaff, quote, shopper, sql, sqlInt,
} from './orders-lib.mjs';

let shop;
let staffA;
let staffB;
const S = (k) => shop.skus[k];

// RFC 3339 UTC, seconds precision, `s` seconds from now.
const at = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

before(async () => {
  shop = await createShop({
    merchants: {
      a: {
        skus: {
          hot: { price: 10000, stock: 100, weight: 500 },
          other: { price: 5000, stock: 100, weight: 500 },
          later: { price: 8000, stock: 100, weight: 500 },
          bad: { price: 3000, stock: 100, weight: 500 },
        },
      },
      b: { skus: { theirs: { price: 7000, stock: 100, weight: 500 } } },
    },
  });
  staffA = await merchantStaff(shop.merchants.a.id, 'flash-a');
  staffB = await merchantStaff(shop.merchants.b.id, 'flash-b');
});

function create(client, body) {
  return client.post('/api/v1/merchant/flash-sales', body);
}

describe('a merchant sets flash sales', () => {
  test('a running sale is listed, priced everywhere, and recorded on the order', async () => {
    let r = await create(staffA, { sku_id: S('hot').id, sale_price: 7500, starts_at: at(-60), ends_at: at(3600) });
    expectStatus(r, 201, 'create');
    const sale = r.json;
    assert.equal(sale.status, 'running');
    assert.equal(sale.sku_id, S('hot').id);
    assert.deepEqual(sale.sale_price, CNY(7500));
    assert.deepEqual(sale.regular_price, CNY(10000));
    const audit = await sqlInt(`SELECT COUNT(*) FROM ${DB}.audit_log
      WHERE action = 'flash_sale.create' AND object_id = ${sale.id}`);
    assert.equal(audit, 1, 'audited');

    // The public list, with the server's clock.
    r = await req('/api/v1/flash-sales');
    expectStatus(r, 200, 'public list');
    assert.ok(Math.abs(Date.parse(r.json.now) - Date.now()) < 60000, `now ${r.json.now}`);
    const listed = r.json.items.find((i) => i.id === sale.id);
    assert.ok(listed, `listed: ${r.text.slice(0, 300)}`);
    assert.equal(listed.status, 'running');
    assert.deepEqual(listed.sale_price, CNY(7500));
    assert.deepEqual(listed.regular_price, CNY(10000));
    assert.equal(listed.discount_percent, 25);
    assert.equal(listed.product.slug, S('hot').slug);
    assert.equal(listed.sku.id, S('hot').id);

    // The product's card in listings (within the listing cache's 5 s).
    const card = async () => (await req(`/api/v1/products?category=oc-${shop.tag}&per_page=60`))
      .json?.items.find((i) => i.id === S('hot').productId);
    await waitFor('the flash sale on the listing card', async () => (await card())?.flash_sale?.sale_price?.amount === 7500,
      { timeoutMs: 10000 });
    const c = await card();
    assert.deepEqual(c.price, CNY(10000), "the card's price stays the regular one");
    assert.equal(Date.parse(c.flash_sale.ends_at), Date.parse(sale.ends_at));

    // The product page's SKU.
    r = await req(`/api/v1/products/${S('hot').slug}`);
    expectStatus(r, 200, 'detail');
    const sku = r.json.skus.find((k) => k.id === S('hot').id);
    assert.deepEqual(sku.price, CNY(10000), 'the regular price stays');
    assert.deepEqual(sku.flash_sale.sale_price, CNY(7500));
    assert.equal(sku.flash_sale.id, sale.id);

    // Cart, quote and checkout charge the sale price.
    const b = await shopper('flash-buyer');
    await addToCart(b.client, S('hot').id, 2);
    const cart = await addToCart(b.client, S('other').id, 1);
    const hot = lineOf(cart, S('hot').id);
    assert.deepEqual(hot.subtotal, CNY(20000));
    assert.deepEqual(hot.discount, CNY(5000));
    assert.deepEqual(hot.total, CNY(15000));
    assert.equal(hot.flash_sale.id, sale.id);
    assert.equal(lineOf(cart, S('other').id).flash_sale, null);
    assert.deepEqual(lineOf(cart, S('other').id).discount, CNY(0));
    assert.deepEqual(cart.discount, CNY(5000));
    assert.deepEqual(cart.total, CNY(15000 + 5000));

    const body = { address_id: b.address.id, payment_method: 'cod' };
    r = await quote(b.client, body);
    expectStatus(r, 200, 'quote');
    assert.deepEqual(r.json.discount, CNY(5000));
    const qline = r.json.groups[0].lines.find((l) => l.sku_id === S('hot').id);
    assert.deepEqual(qline.total, CNY(15000));
    const quoted = r.json.total;

    r = await checkout(b.client, body);
    expectStatus(r, 201, 'checkout');
    assert.deepEqual(r.json.total, quoted, 'the quote is what is charged');
    const orderId = r.json.orders[0].id;
    const row = (await sql(`SELECT unit_price, subtotal, discount, total FROM ${DB}.order_items
      WHERE order_id = ${orderId} AND sku_id = ${S('hot').id}`)).trim().split('\t').map(Number);
    assert.deepEqual(row, [10000, 20000, 5000, 15000], 'the order line keeps the discount');
    const od = await sqlInt(`SELECT discount FROM ${DB}.orders WHERE id = ${orderId}`);
    assert.equal(od, 5000);

    // Ended: the regular price again, and gone from the list.
    r = await staffA.post(`/api/v1/merchant/flash-sales/${sale.id}/end`);
    expectStatus(r, 200, 'end');
    assert.equal(r.json.status, 'ended');
    expectError(await staffA.post(`/api/v1/merchant/flash-sales/${sale.id}/end`), 409, 'conflict');
    await addToCart(b.client, S('hot').id, 1);
    const after = lineOf(await getCart(b.client), S('hot').id);
    assert.deepEqual(after.discount, CNY(0), 'no discount once ended');
    assert.equal(after.flash_sale, null);
    r = await req('/api/v1/flash-sales');
    assert.ok(!r.json.items.some((i) => i.id === sale.id), 'not listed once ended');
    await waitFor('the listing card without the sale', async () => (await card())?.flash_sale === null,
      { timeoutMs: 10000 });
  });

  test('an upcoming sale is listed as upcoming and charges nothing yet; the merchant lists its own', async () => {
    let r = await create(staffA, {
      sku_id: S('later').id, sale_price: 6000, starts_at: at(7200), ends_at: at(10800),
    });
    expectStatus(r, 201, 'create upcoming');
    const sale = r.json;
    assert.equal(sale.status, 'upcoming');
    r = await req('/api/v1/flash-sales');
    const listed = r.json.items.find((i) => i.id === sale.id);
    assert.equal(listed?.status, 'upcoming');
    const c = new Client('flash-guest');
    await c.me();
    const line = lineOf(await addToCart(c, S('later').id, 1), S('later').id);
    assert.deepEqual(line.discount, CNY(0));
    r = await staffA.get('/api/v1/merchant/flash-sales');
    expectStatus(r, 200, 'own list');
    assert.ok(r.json.items.some((i) => i.id === sale.id));
    r = await staffB.get('/api/v1/merchant/flash-sales');
    assert.ok(!r.json.items.some((i) => i.id === sale.id), "not in another merchant's list");
    // Another merchant can neither end it nor sell this merchant's SKU.
    expectError(await staffB.post(`/api/v1/merchant/flash-sales/${sale.id}/end`), 404, 'not_found');
    // Cancelling an upcoming sale: it never runs.
    r = await staffA.post(`/api/v1/merchant/flash-sales/${sale.id}/end`);
    expectStatus(r, 200, 'cancel upcoming');
    assert.equal(r.json.status, 'ended');
  });

  test('bad input: a clear 4xx, and no sale is created', async () => {
    const count = () => sqlInt(`SELECT COUNT(*) FROM ${DB}.flash_sales WHERE sku_id IN (${S('bad').id}, ${S('theirs').id})`);
    const ok = { sku_id: S('bad').id, sale_price: 2000, starts_at: at(-10), ends_at: at(3600) };
    const cases = [
      [{ ...ok, sku_id: S('theirs').id }, 404, 'not_found', 'sku_id'],
      [{ ...ok, sku_id: 999999999999 }, 404, 'not_found', 'sku_id'],
      [{ ...ok, sale_price: 3000 }, 422, 'unprocessable', 'sale_price'],
      [{ ...ok, sale_price: 5000 }, 422, 'unprocessable', 'sale_price'],
      [{ ...ok, sale_price: 0 }, 400, 'bad_request', 'sale_price'],
      [{ ...ok, sale_price: '1000' }, 400, 'bad_request', 'sale_price'],
      [{ ...ok, starts_at: 'tomorrow' }, 400, 'bad_request', 'starts_at'],
      [{ ...ok, starts_at: '2026-02-30T10:00:00Z' }, 400, 'bad_request', 'starts_at'],
      [{ ...ok, ends_at: '2026-11-26 10:00:00' }, 400, 'bad_request', 'ends_at'],
      [{ ...ok, ends_at: "2026-11-26T10:00:00Z' OR 1=1 --" }, 400, 'bad_request', 'ends_at'],
      [{ ...ok, ends_at: ok.starts_at }, 422, 'unprocessable', 'ends_at'],
      [{ ...ok, starts_at: at(-7200), ends_at: at(-3600) }, 422, 'unprocessable', 'ends_at'],
      [{ ...ok, ends_at: at(8 * 86400) }, 422, 'unprocessable', 'ends_at'],
      [{ ...ok, starts_at: at(100 * 86400), ends_at: at(100 * 86400 + 60) }, 422, 'unprocessable', 'starts_at'],
      [{ sku_id: S('bad').id, sale_price: 2000, starts_at: at(-10) }, 400, 'bad_request', 'ends_at'],
    ];
    for (const [body, status, code, field] of cases) {
      expectError(await create(staffA, body), status, code, field);
    }
    assert.equal(await count(), 0, 'nothing created');
    // Without CSRF, without a merchant, as a shopper: refused.
    expectError(await staffA.post('/api/v1/merchant/flash-sales', ok, { csrf: null }), 403, 'forbidden');
    const b = await shopper('flash-nobody');
    assert.equal((await create(b.client, ok)).status, 403);
    assert.equal((await req('/api/v1/merchant/flash-sales')).status, 401);
    assert.equal(await count(), 0, 'still nothing');
    // Overlapping windows of one SKU: the second is refused.
    expectStatus(await create(staffA, ok), 201, 'first window');
    expectError(await create(staffA, { ...ok, starts_at: at(1800), ends_at: at(5400) }), 409, 'conflict', 'starts_at');
    expectStatus(await create(staffA, { ...ok, starts_at: at(3600), ends_at: at(7200) }), 201, 'the next window');
    assert.equal(await count(), 2);
  });
});
