// Cart, checkout and orders through nginx: the guest cart and its
// warnings, the merge at login and registration, quote == checkout,
// shipping, one order per merchant, idempotency (replays, a different
// body, two copies at once), out of stock changing nothing, cancelling,
// the payment deadline, and hostile input. After every scenario the
// inventory ledger of the fixture's SKUs is checked (orders-lib.mjs).
//
// The fixture (merchants, products, SKUs) is this file's own, inserted by
// SQL under a random tag; nothing depends on the demo data.
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_CONFIG (optional).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  Client, createAddress, expectError, expectStatus, loginClient, rand,
  registerUser, show, strongPassword, uniqueEmail,
} from './accounts-lib.mjs';
import {
  ALL_SKUS, CNY, DB, addToCart, assertLedgerConsistent, cartLines, cartQuantities,
  checkout, checkoutsOfUser, cnStandardShipping, createShop, expressShipping,
  getCart, idemKey, lineOf, movements, ordersOfUser, ordersWithSku, quote,
  setPrice, setProductStatus, setStock, shopper, sql, sqlInt, stockOf,
} from './orders-lib.mjs';
import { waitFor } from './lib.mjs';

let shop;
const S = (k) => shop.skus[k];

before(async () => {
  shop = await createShop({
    merchants: {
      a: {
        skus: {
          a1: { price: 1990, stock: 500, weight: 300 },
          a2: { price: 3000, stock: 500, weight: 400 },
          warn: { price: 2500, stock: 10, weight: 500 },
          draft: { price: 1000, stock: 10, weight: 500 },
          q1: { price: 4000, stock: 100, weight: 1200 },
          under: { price: 9899, stock: 100, weight: 500 },
          idem: { price: 1500, stock: 20, weight: 500 },
          conc: { price: 1500, stock: 50, weight: 500 },
          cancel: { price: 2000, stock: 10, weight: 500 },
          expire: { price: 2000, stock: 10, weight: 500 },
          hostile: { price: 100, stock: 1000, weight: 100 },
          short: { price: 1000, stock: 3, weight: 100 },
        },
      },
      b: {
        skus: {
          b1: { price: 5900, stock: 100, weight: 500 },
          b2: { price: 4000, stock: 100, weight: 500 },
          // out of stock scenario: in the second merchant, so the first
          // merchant's lines are already reserved when this one fails.
          oos: { price: 1000, stock: 3, weight: 500 },
        },
      },
      // a merchant that gets suspended
      c: { skus: { susp: { price: 1200, stock: 10, weight: 500 } } },
    },
  });
  assert.ok(S('a1').merchantId < S('b1').merchantId, 'merchant a sorts first');
});

after(async () => {
  if (shop) await assertLedgerConsistent([...ALL_SKUS.keys()], 'end of the file');
});

// The invariant after each scenario.
afterEach(async () => {
  if (shop) await assertLedgerConsistent();
});

function expectNot5xx(r) {
  assert.ok(r.status < 500, `never a 5xx: ${show(r)}`);
  return r;
}

// ------------------------------------------------------------------ cart

describe('guest cart', () => {
  test('a guest adds, changes and removes lines; the totals follow', async () => {
    const c = new Client('guest-cart');
    const me = await c.me();
    assert.equal(me.user, null, 'a guest session');
    let cart = await getCart(c);
    assert.deepEqual(cart.groups, [], 'a new cart is empty');
    assert.deepEqual(cart.unavailable, []);
    assert.equal(cart.item_count, 0);
    assert.deepEqual(cart.total, CNY(0));

    // Without the CSRF token the change is refused.
    const noCsrf = await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 1 }, { csrf: null });
    expectError(noCsrf, 403, 'forbidden');

    cart = await addToCart(c, S('a1').id, 2);
    let l = lineOf(cart, S('a1').id);
    assert.ok(l, `line of a1 in ${JSON.stringify(cart)}`);
    assert.equal(l.quantity, 2);
    assert.deepEqual(l.unit_price, CNY(1990));
    assert.deepEqual(l.price_when_added, CNY(1990));
    assert.deepEqual(l.subtotal, CNY(3980));
    assert.equal(l.available, 2);
    assert.equal(l.warning, null);
    assert.equal(l.product.id, S('a1').productId);
    assert.equal(l.product.slug, S('a1').slug);
    assert.equal(cart.groups.length, 1);
    assert.equal(cart.groups[0].merchant.id, shop.merchants.a.id);
    assert.equal(cart.groups[0].merchant.name, shop.merchants.a.name);

    // Adding the same SKU again adds to its line.
    cart = await addToCart(c, S('a1').id, 1);
    assert.equal(cartLines(cart).length, 1, 'still one line');
    assert.equal(lineOf(cart, S('a1').id).quantity, 3);

    cart = await addToCart(c, S('a2').id, 1);
    cart = await addToCart(c, S('b1').id, 1);
    assert.equal(cart.groups.length, 2, 'one group per merchant');
    assert.equal(cart.item_count, 5);
    assert.deepEqual(cart.subtotal, CNY(3 * 1990 + 3000 + 5900));
    assert.deepEqual(cart.total, CNY(3 * 1990 + 3000 + 5900));
    const ga = cart.groups.find((g) => g.merchant.id === shop.merchants.a.id);
    assert.deepEqual(ga.subtotal, CNY(3 * 1990 + 3000));

    // GET sees the same.
    assert.deepEqual(cartQuantities(await getCart(c)),
      { [S('a1').id]: 3, [S('a2').id]: 1, [S('b1').id]: 1 });

    const a1Line = lineOf(cart, S('a1').id).id;
    const a2Line = lineOf(cart, S('a2').id).id;
    let r = await c.patch(`/api/v1/cart/items/${a1Line}`, { quantity: 5 });
    expectStatus(r, 200, 'change quantity');
    assert.equal(lineOf(r.json, S('a1').id).quantity, 5);
    // The same quantity again is not an error.
    r = await c.patch(`/api/v1/cart/items/${a1Line}`, { quantity: 5 });
    expectStatus(r, 200, 'same quantity again');
    assert.equal(lineOf(r.json, S('a1').id).quantity, 5);

    r = await c.del(`/api/v1/cart/items/${a2Line}`);
    expectStatus(r, 200, 'remove a line');
    assert.equal(lineOf(r.json, S('a2').id), undefined, 'a2 removed');
    r = await c.del(`/api/v1/cart/items/${a2Line}`);
    expectError(r, 404, 'not_found');
    r = await c.patch(`/api/v1/cart/items/${a2Line}`, { quantity: 2 });
    expectError(r, 404, 'not_found');

    // Capped at 99 per line.
    cart = await addToCart(c, S('a1').id, 99);
    assert.equal(lineOf(cart, S('a1').id).quantity, 99, 'capped at 99');

    // Another guest cannot touch this cart's lines.
    const other = new Client('other-guest');
    await other.me();
    r = await other.patch(`/api/v1/cart/items/${a1Line}`, { quantity: 1 });
    expectError(r, 404, 'not_found');
    r = await other.del(`/api/v1/cart/items/${a1Line}`);
    expectError(r, 404, 'not_found');
    assert.equal(lineOf(await getCart(c), S('a1').id).quantity, 99, 'untouched by another guest');
    assert.deepEqual((await getCart(other)).groups, [], "the other guest's cart is empty");
  });

  test('warnings: price changed, stock short, product no longer for sale', async () => {
    const c = new Client('guest-warn');
    await c.me();
    const warn = S('warn');
    const draft = S('draft');
    try {
      await addToCart(c, warn.id, 3);
      let cart = await addToCart(c, draft.id, 1);
      assert.equal(lineOf(cart, warn.id).warning, null);

      await setPrice(warn.id, 2700);
      cart = await getCart(c);
      let l = lineOf(cart, warn.id);
      assert.equal(l.warning, 'price_changed', JSON.stringify(l));
      assert.deepEqual(l.unit_price, CNY(2700), "today's price");
      assert.deepEqual(l.price_when_added, CNY(2500));
      assert.deepEqual(l.subtotal, CNY(8100));
      assert.deepEqual(cart.subtotal, CNY(8100 + 1000), 'totals at the new price');
      await setPrice(warn.id, 2500);
      assert.equal(lineOf(await getCart(c), warn.id).warning, null, 'price back: no warning');

      await setStock(warn.id, 2);
      l = lineOf(await getCart(c), warn.id);
      assert.equal(l.warning, 'stock_short', JSON.stringify(l));
      assert.equal(l.available, 2, 'available = the stock when short');
      assert.equal(l.quantity, 3, 'the quantity is kept');
      await setStock(warn.id, 0);
      l = lineOf(await getCart(c), warn.id);
      assert.equal(l.warning, 'stock_short');
      assert.equal(l.available, 0);
      await setStock(warn.id, 10);
      l = lineOf(await getCart(c), warn.id);
      assert.equal(l.warning, null);
      assert.equal(l.available, 3, 'available never shows more than the quantity');

      await setProductStatus(draft.productId, 'draft');
      cart = await getCart(c);
      const inGroups = cart.groups.flatMap((g) => g.lines).find((x) => x.sku_id === draft.id);
      assert.equal(inGroups, undefined, 'a draft product is not in the groups');
      const un = cart.unavailable.find((x) => x.sku_id === draft.id);
      assert.ok(un, `draft line under unavailable: ${JSON.stringify(cart)}`);
      assert.equal(un.warning, 'unavailable');
      assert.equal(un.available, 0);
      assert.deepEqual(cart.subtotal, CNY(3 * 2500), 'the unavailable line is not in the totals');
      // A new add of a product not for sale is refused.
      const r = await c.post('/api/v1/cart/items', { sku_id: draft.id, quantity: 1 });
      expectError(r, 404, 'not_found', 'sku_id');
    } finally {
      await setPrice(warn.id, 2500);
      await setProductStatus(draft.productId, 'live');
    }
  });
});

describe('cart limits and merchants', () => {
  test("a suspended merchant's line is unavailable, and cannot be bought", async () => {
    const b = await shopper('susp');
    const susp = S('susp');
    await addToCart(b.client, susp.id, 1);
    await addToCart(b.client, S('a1').id, 1);
    await sql(`UPDATE ${DB}.merchants SET status = 'suspended' WHERE id = ${shop.merchants.c.id}`);
    try {
      const cart = await getCart(b.client);
      const l = lineOf(cart, susp.id);
      assert.equal(l.where, 'unavailable', `a suspended merchant's line is listed as unavailable: ${JSON.stringify(cart)}`);
      assert.equal(l.warning, 'unavailable');
      assert.deepEqual(cart.subtotal, CNY(1990), 'and is not in the totals');
      expectError(await b.client.post('/api/v1/cart/items', { sku_id: susp.id, quantity: 1 }), 404, 'not_found', 'sku_id');
      expectError(await checkout(b.client, { address_id: b.address.id, payment_method: 'cod' }), 409, 'conflict', 'sku_id');
    } finally {
      await sql(`UPDATE ${DB}.merchants SET status = 'active' WHERE id = ${shop.merchants.c.id}`);
    }
  });

  test('a cart holds at most 100 different lines', async () => {
    const skus = {};
    for (let i = 0; i < 101; i++) skus[`l${i}`] = { price: 100 + i, stock: 5, weight: 10 };
    const many = await createShop({ merchants: { m: { skus } } });
    const c = new Client('hundred-lines');
    await c.me();
    for (let i = 0; i < 100; i++) await addToCart(c, many.skus[`l${i}`].id, 1);
    const r = await c.post('/api/v1/cart/items', { sku_id: many.skus.l100.id, quantity: 1 });
    expectError(r, 422, 'unprocessable');
    // Adding to an existing line is still fine.
    const cart = await addToCart(c, many.skus.l0.id, 2);
    assert.equal(cartLines(cart).length, 100);
    assert.equal(lineOf(cart, many.skus.l0.id).quantity, 3);
    assert.equal(cart.item_count, 102);
  });
});

describe('the minimal add answer', () => {
  // Prefer: return=minimal: the line and the counts; the same rules as the
  // full answer (for sale, 99 per line, 100 lines), and the same cart.
  const minimal = { headers: { Prefer: 'return=minimal' } };

  test('a guest and a shopper add with Prefer: return=minimal', async () => {
    const g = new Client('guest-minimal');
    await g.me();
    const b = await shopper('minimal');
    for (const c of [g, b.client]) {
      let r = await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 2 }, minimal);
      expectStatus(r, 201, 'first add');
      assert.equal(r.headers.get('preference-applied'), 'return=minimal');
      assert.equal(r.json.line.sku_id, S('a1').id);
      assert.equal(r.json.line.quantity, 2);
      assert.equal(r.json.item_count, 2);
      assert.equal(r.json.line_count, 1);
      assert.equal(r.json.groups, undefined, 'not the whole cart');
      const lineId = r.json.line.id;
      r = await c.post('/api/v1/cart/items', { sku_id: S('b1').id, quantity: 1 }, minimal);
      expectStatus(r, 201, 'second SKU');
      assert.equal(r.json.item_count, 3);
      assert.equal(r.json.line_count, 2);
      r = await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 98 }, minimal);
      expectStatus(r, 201, 'past 99');
      assert.equal(r.json.line.id, lineId, 'the same line');
      assert.equal(r.json.line.quantity, 99, 'capped at 99');
      r = await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 1 }, minimal);
      expectStatus(r, 201, 'at 99 already (changes nothing)');
      assert.equal(r.json.line.quantity, 99);
      assert.equal(r.json.item_count, 100);
      const cart = await getCart(c);
      assert.deepEqual(cartQuantities(cart), { [S('a1').id]: 99, [S('b1').id]: 1 });
      assert.equal(cart.item_count, 100);
      assert.equal(lineOf(cart, S('a1').id).id, lineId);
      assert.equal(r.json.line.available, 99, 'covered by the stock');
      assert.equal(r.json.line.warning, null);
      // More than the stock: taken and flagged, as the whole cart says.
      r = await c.post('/api/v1/cart/items', { sku_id: S('short').id, quantity: 5 }, minimal);
      expectStatus(r, 201, 'more than the stock');
      assert.equal(r.json.line.quantity, 5);
      assert.equal(r.json.line.available, 3);
      assert.equal(r.json.line.warning, 'stock_short');
      const l = lineOf(await getCart(c), S('short').id);
      assert.equal(l.available, r.json.line.available);
      assert.equal(l.warning, r.json.line.warning);
    }
  });

  test('not for sale, unknown or malformed: the same errors, nothing added', async () => {
    const c = new Client('guest-minimal-bad');
    await c.me();
    const draft = S('draft');
    await setProductStatus(draft.productId, 'draft');
    try {
      expectError(await c.post('/api/v1/cart/items', { sku_id: draft.id, quantity: 1 }, minimal),
        404, 'not_found', 'sku_id');
      expectError(await c.post('/api/v1/cart/items', { sku_id: 999999999999, quantity: 1 }, minimal),
        404, 'not_found', 'sku_id');
      expectError(await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 0 }, minimal),
        400, 'bad_request', 'quantity');
      expectError(await c.post('/api/v1/cart/items', { sku_id: S('a1').id, quantity: 1 },
        { ...minimal, csrf: null }), 403, 'forbidden');
      assert.equal((await getCart(c)).item_count, 0, 'nothing added');
    } finally {
      await setProductStatus(draft.productId, 'live');
    }
  });
});

describe('the guest cart survives signing in', () => {
  test('registration keeps the guest cart', async () => {
    const c = new Client('guest-then-register');
    await c.me();
    await addToCart(c, S('a1').id, 2);
    await addToCart(c, S('b1').id, 1);
    const r = await c.post('/api/v1/auth/register', { email: uniqueEmail('reg-cart'), password: strongPassword() });
    expectStatus(r, 201, 'register from the guest client');
    assert.ok(r.json.user?.id);
    const cart = await getCart(c);
    assert.deepEqual(cartQuantities(cart), { [S('a1').id]: 2, [S('b1').id]: 1 }, JSON.stringify(cart));
  });

  test('login merges the guest cart into the user cart (quantities add, capped at 99)', async () => {
    const u = await registerUser('merge-cart');
    await addToCart(u.client, S('a1').id, 3);
    await addToCart(u.client, S('a2').id, 1);

    const g = new Client('guest-then-login');
    await g.me();
    await addToCart(g, S('a1').id, 4);
    await addToCart(g, S('b1').id, 1);
    let r = await g.post('/api/v1/auth/login', { email: u.email, password: u.password });
    expectStatus(r, 200, 'login from the guest client');
    let cart = await getCart(g);
    assert.deepEqual(cartQuantities(cart),
      { [S('a1').id]: 7, [S('a2').id]: 1, [S('b1').id]: 1 }, JSON.stringify(cart));
    // The user's other session sees the same cart.
    assert.deepEqual(cartQuantities(await getCart(u.client)), cartQuantities(cart));

    const g2 = new Client('guest-then-login-2');
    await g2.me();
    await addToCart(g2, S('a1').id, 99);
    r = await g2.post('/api/v1/auth/login', { email: u.email, password: u.password });
    expectStatus(r, 200, 'second login');
    cart = await getCart(g2);
    assert.equal(lineOf(cart, S('a1').id).quantity, 99, 'capped at 99');
    assert.equal(lineOf(cart, S('b1').id).quantity, 1);

    // Logging out leaves an empty guest cart; the user's cart stays.
    r = await g2.post('/api/v1/auth/logout');
    expectStatus(r, 204, 'logout');
    await g2.me();
    assert.deepEqual(cartLines(await getCart(g2)), [], 'a fresh guest cart after logout');
    assert.equal(lineOf(await getCart(u.client), S('a1').id).quantity, 99);
  });
});

// ------------------------------------------------------------------ checkout

describe('quote and checkout', () => {
  test('the quote equals the checkout; one order per merchant; shipping free from 99.00', async () => {
    const b = await shopper('quote');
    const q1 = S('q1');
    await addToCart(b.client, q1.id, 2);     // a: 80.00, 2.4 kg → 8.00 + 2 × 4.00
    await addToCart(b.client, S('b1').id, 1);  // b: 59.00 + 40.00 = 99.00 → free
    await addToCart(b.client, S('b2').id, 1);
    const body = { address_id: b.address.id, payment_method: 'cod' };

    let r = await quote(b.client, body);
    expectStatus(r, 200, 'quote');
    const qt = r.json;
    assert.equal(qt.groups.length, 2, `two merchants: ${r.text}`);
    const qa = qt.groups.find((g) => g.merchant_id === shop.merchants.a.id);
    const qb = qt.groups.find((g) => g.merchant_id === shop.merchants.b.id);
    assert.ok(qa && qb, r.text);
    assert.deepEqual(qa.subtotal, CNY(8000));
    assert.deepEqual(qa.shipping, CNY(cnStandardShipping(8000, 2400)), 'under 99.00: charged by weight');
    assert.equal(cnStandardShipping(8000, 2400), 1600);
    assert.deepEqual(qa.total, CNY(9600));
    assert.equal(qa.shipping_method, 'standard');
    assert.deepEqual(qb.subtotal, CNY(9900));
    assert.deepEqual(qb.shipping, CNY(0), 'free at exactly 99.00');
    assert.deepEqual(qb.total, CNY(9900));
    assert.deepEqual(qt.subtotal, CNY(17900));
    assert.deepEqual(qt.shipping, CNY(1600));
    assert.deepEqual(qt.discount, CNY(0));
    assert.deepEqual(qt.total, CNY(19500));
    const qline = qa.lines.find((l) => l.sku_id === q1.id);
    assert.equal(qline.quantity, 2);
    assert.deepEqual(qline.unit_price, CNY(4000));
    assert.deepEqual(qline.total, CNY(8000));

    // A quote changes nothing.
    assert.equal(await stockOf(q1.id), q1.stock);
    assert.equal(await ordersOfUser(b.id), 0);

    // Express for merchant a: the platform '*' express rate, never free.
    r = await quote(b.client, { ...body, shipping_methods: { [shop.merchants.a.id]: 'express' } });
    expectStatus(r, 200, 'express quote');
    const ea = r.json.groups.find((g) => g.merchant_id === shop.merchants.a.id);
    assert.equal(ea.shipping_method, 'express');
    assert.deepEqual(ea.shipping, CNY(expressShipping(2400)));
    assert.equal(r.json.groups.find((g) => g.merchant_id === shop.merchants.b.id).shipping_method, 'standard');

    // The first quote listed both methods with these very fees.
    const opt = (g, m) => g.shipping_options.find((o) => o.method === m);
    assert.deepEqual(qa.shipping_options.map((o) => o.method).sort(), ['express', 'standard'], JSON.stringify(qa));
    assert.deepEqual(opt(qa, 'standard').shipping, qa.shipping);
    assert.deepEqual(opt(qa, 'express').shipping, ea.shipping);
    assert.deepEqual(opt(qa, 'standard').free_over, CNY(9900));
    assert.equal(opt(qa, 'express').free_over, null, 'express is never free');
    assert.deepEqual(opt(qb, 'standard').shipping, CNY(0), 'free for b at 99.00');

    // One fen under 99.00 is charged (buy-now items, the cart untouched).
    r = await quote(b.client, { ...body, items: [{ sku_id: S('under').id, quantity: 1 }] });
    expectStatus(r, 200, 'quote just under');
    assert.deepEqual(r.json.shipping, CNY(800));
    assert.deepEqual(r.json.total, CNY(9899 + 800));
    r = await quote(b.client, { ...body, items: [{ sku_id: S('under').id, quantity: 2 }] });
    assert.deepEqual(r.json.shipping, CNY(0), 'over 99.00 is free');

    // Checkout of the cart: the same totals, one order per merchant.
    r = await checkout(b.client, body);
    expectStatus(r, 201, 'checkout');
    const co = r.json;
    assert.ok(co.checkout_id > 0);
    assert.equal(co.payment_method, 'cod');
    assert.deepEqual(co.total, qt.total, 'checkout total == quote total');
    assert.equal(co.orders.length, 2, 'one order per merchant');
    for (const qg of qt.groups) {
      const o = co.orders.find((x) => x.merchant.id === qg.merchant_id);
      assert.ok(o, `an order for merchant ${qg.merchant_id}`);
      assert.equal(o.checkout_id, co.checkout_id);
      assert.equal(o.status, 'pending_payment');
      assert.equal(o.payment_method, 'cod');
      assert.equal(o.pay_before, null, 'cod has no payment deadline');
      assert.equal(o.shipping_method, qg.shipping_method);
      for (const k of ['subtotal', 'discount', 'shipping', 'total']) {
        assert.deepEqual(o[k], qg[k], `order ${o.id} ${k} == quote`);
      }
      assert.deepEqual(o.items.map((i) => [i.sku_id, i.quantity, i.unit_price.amount, i.total.amount]).sort(),
        qg.lines.map((l) => [l.sku_id, l.quantity, l.unit_price.amount, l.total.amount]).sort());
      assert.equal(o.address.recipient, b.address.recipient, 'the address is copied');
      assert.equal(o.address.line1, b.address.line1);
    }
    assert.equal(co.orders.reduce((s, o) => s + o.total.amount, 0), co.total.amount);

    // The DB holds exactly these orders, the stock is reserved once.
    assert.equal(await ordersOfUser(b.id), 2);
    assert.equal(await sqlInt(`SELECT COALESCE(SUM(total), 0) FROM ${DB}.orders WHERE checkout_id = ${co.checkout_id}`), 19500);
    assert.equal(await stockOf(q1.id), q1.stock - 2);
    q1.stock -= 2;
    S('b1').stock -= 1;
    S('b2').stock -= 1;

    // The bought SKUs left the cart.
    assert.deepEqual(cartLines(await getCart(b.client)), []);

    // The orders read back the same.
    for (const o of co.orders) {
      r = await b.client.get(`/api/v1/orders/${o.id}`);
      expectStatus(r, 200, 'GET order');
      for (const k of ['id', 'checkout_id', 'status', 'subtotal', 'shipping', 'total', 'items']) {
        assert.deepEqual(r.json[k], o[k], `GET order ${k}`);
      }
      assert.ok(Array.isArray(r.json.timeline) && r.json.timeline.length >= 1, r.text);
      assert.equal(r.json.timeline[0].to, 'pending_payment');
    }
    r = await b.client.get('/api/v1/orders');
    expectStatus(r, 200, 'list orders');
    assert.equal(r.json.total, 2);
    assert.deepEqual(r.json.items.map((o) => o.id).sort(), co.orders.map((o) => o.id).sort());
    r = await b.client.get('/api/v1/orders?status=cancelled');
    expectStatus(r, 200);
    assert.equal(r.json.total, 0);
    r = await b.client.get('/api/v1/orders?per_page=1&page=2');
    expectStatus(r, 200);
    assert.equal(r.json.items.length, 1);
    assert.equal(r.json.per_page, 1);
    expectError(await b.client.get('/api/v1/orders?status=bogus'), 400, 'bad_request');
    expectError(await b.client.get('/api/v1/orders?per_page=101'), 400, 'bad_request');

    // An empty cart cannot be checked out.
    expectError(await checkout(b.client, body), 422, 'unprocessable');
    expectError(await quote(b.client, body), 422, 'unprocessable');
  });

  test('a guest cannot quote or check out', async () => {
    const g = new Client('guest-checkout');
    await g.me();
    await addToCart(g, S('a1').id, 1);
    expectError(await quote(g, { address_id: 1, payment_method: 'cod' }), 401, 'unauthorized');
    expectError(await checkout(g, { address_id: 1, payment_method: 'cod' }), 401, 'unauthorized');
  });
});

describe('idempotency', () => {
  test('the same key and body twice: one checkout, the first result again', async () => {
    const b = await shopper('idem');
    const sku = S('idem');
    const before = await stockOf(sku.id);
    const body = { address_id: b.address.id, payment_method: 'cod', items: [{ sku_id: sku.id, quantity: 2 }] };
    const key = idemKey('idem');

    const r1 = await checkout(b.client, body, key);
    expectStatus(r1, 201, 'first checkout');
    const r2 = await checkout(b.client, body, key);
    expectStatus(r2, 200, 'replay');
    assert.equal(r2.json.checkout_id, r1.json.checkout_id, 'same checkout_id');
    assert.deepEqual(r2.json.orders.map((o) => o.id), r1.json.orders.map((o) => o.id), 'same orders');
    assert.deepEqual(r2.json.total, r1.json.total);
    assert.equal(await checkoutsOfUser(b.id), 1, 'one checkout row');
    assert.equal(await ordersOfUser(b.id), 1, 'one order in the DB');
    assert.equal(await ordersWithSku(sku.id), 1);
    assert.equal(await stockOf(sku.id), before - 2, 'stock decremented once');
    assert.equal(await movements(sku.id, 'reserve'), 1, 'one reservation');

    // The same key with another body.
    const r3 = await checkout(b.client, { ...body, items: [{ sku_id: sku.id, quantity: 3 }] }, key);
    expectError(r3, 422, 'unprocessable', 'Idempotency-Key');
    const r4 = await checkout(b.client, { ...body, payment_method: 'sandbox' }, key);
    expectError(r4, 422, 'unprocessable', 'Idempotency-Key');

    // No key, or a malformed one.
    expectError(await checkout(b.client, body, null), 400, 'bad_request', 'Idempotency-Key');
    expectError(await checkout(b.client, body, 'short'), 400, 'bad_request', 'Idempotency-Key');
    expectError(await checkout(b.client, body, 'has space in it'), 400, 'bad_request', 'Idempotency-Key');
    expectError(await checkout(b.client, body, 'x'.repeat(129)), 400, 'bad_request', 'Idempotency-Key');
    expectError(await checkout(b.client, body, 'key.with.dots'), 400, 'bad_request', 'Idempotency-Key');

    assert.equal(await checkoutsOfUser(b.id), 1, 'still one checkout');
    assert.equal(await stockOf(sku.id), before - 2, 'still decremented once');

    // A key is the user's own: another user with the same key places their own.
    const other = await shopper('idem-other');
    const r5 = await checkout(other.client, { ...body, address_id: other.address.id }, key);
    expectStatus(r5, 201, "another user's checkout with the same key");
    assert.notEqual(r5.json.checkout_id, r1.json.checkout_id);
    assert.equal(await stockOf(sku.id), before - 4);

    // A cart checkout replayed after the cart was emptied by the first.
    await addToCart(b.client, sku.id, 1);
    const cartBody = { address_id: b.address.id, payment_method: 'cod' };
    const k2 = idemKey('idem-cart');
    const c1 = await checkout(b.client, cartBody, k2);
    expectStatus(c1, 201, 'cart checkout');
    assert.deepEqual(cartLines(await getCart(b.client)), []);
    const c2 = await checkout(b.client, cartBody, k2);
    expectStatus(c2, 200, 'cart checkout replay');
    assert.equal(c2.json.checkout_id, c1.json.checkout_id);
    assert.equal(await stockOf(sku.id), before - 5);
    assert.equal(await movements(sku.id, 'reserve'), 3);
  });

  test('a client that times out and retries: the same request twice at once', async () => {
    const b = await shopper('idem-race');
    const sku = S('conc');
    for (let round = 0; round < 5; round++) {
      const copies = round < 3 ? 2 : 4;
      const before = await stockOf(sku.id);
      const checkoutsBefore = await checkoutsOfUser(b.id);
      const body = { address_id: b.address.id, payment_method: 'cod', items: [{ sku_id: sku.id, quantity: 1 }] };
      const key = idemKey(`race${round}`);
      const rs = await Promise.all(Array.from({ length: copies }, () => checkout(b.client, body, key)));
      for (const r of rs) assert.ok([200, 201].includes(r.status), `round ${round}: ${show(r)}`);
      assert.deepEqual(rs.map((r) => r.status).filter((s) => s === 201), [201],
        `round ${round}: exactly one 201 (${rs.map((r) => r.status)})`);
      const ids = new Set(rs.map((r) => r.json.checkout_id));
      assert.equal(ids.size, 1, `round ${round}: one checkout_id, got ${[...ids]}`);
      const orderIds = new Set(rs.map((r) => JSON.stringify(r.json.orders.map((o) => o.id))));
      assert.equal(orderIds.size, 1, `round ${round}: the same orders`);
      assert.equal(await checkoutsOfUser(b.id), checkoutsBefore + 1, `round ${round}: exactly one checkout row`);
      assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements m JOIN ${DB}.orders o
        ON o.id = m.order_id WHERE o.checkout_id = ${[...ids][0]} AND m.reason = 'reserve'`), 1,
      `round ${round}: exactly one reservation`);
      assert.equal(await stockOf(sku.id), before - 1, `round ${round}: stock decremented once`);
    }
  });
});

describe('out of stock', () => {
  test('more than the stock: 409 sku_id, and nothing changes', async () => {
    const b = await shopper('oos');
    const oos = S('oos');
    const a1 = S('a1');
    // a1 (merchant a) is reserved before oos (merchant b) fails.
    await addToCart(b.client, a1.id, 2);
    await addToCart(b.client, oos.id, oos.stock + 1);
    const cartBefore = cartQuantities(await getCart(b.client));
    const stockA = await stockOf(a1.id);
    const stockO = await stockOf(oos.id);
    const movesBefore = await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE sku_id IN (${a1.id}, ${oos.id})`);
    const body = { address_id: b.address.id, payment_method: 'cod' };

    const r = await checkout(b.client, body);
    expectError(r, 409, 'conflict', 'sku_id');
    assert.match(r.json.error.message, /stock/i, 'a clear message');
    assert.equal(await ordersOfUser(b.id), 0, 'no order');
    assert.equal(await checkoutsOfUser(b.id), 0, 'no checkout');
    assert.equal(await stockOf(a1.id), stockA, 'the other line released again');
    assert.equal(await stockOf(oos.id), stockO, 'stock unchanged');
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE sku_id IN (${a1.id}, ${oos.id})`),
      movesBefore, 'no ledger rows');
    assert.deepEqual(cartQuantities(await getCart(b.client)), cartBefore, 'cart unchanged');

    // Buy now, same.
    const r2 = await checkout(b.client, { ...body, items: [{ sku_id: oos.id, quantity: oos.stock + 1 }] });
    expectError(r2, 409, 'conflict', 'sku_id');
    // The same key may be retried after a refusal (nothing was recorded).
    const key = idemKey('oos');
    expectError(await checkout(b.client, { ...body, items: [{ sku_id: oos.id, quantity: 99 }] }, key), 409, 'conflict', 'sku_id');
    await setStock(oos.id, 99);
    try {
      const r3 = await checkout(b.client, { ...body, items: [{ sku_id: oos.id, quantity: 99 }] }, key);
      expectStatus(r3, 201, 'the same key after restocking');
      assert.equal(await stockOf(oos.id), 0);
      // Exactly the stock left: none more.
      expectError(await checkout(b.client, { ...body, items: [{ sku_id: oos.id, quantity: 1 }] }), 409, 'conflict', 'sku_id');
    } finally {
      // Back to a known state for later runs of the file (a new fixture anyway).
      await assertLedgerConsistent([oos.id], 'after restock');
    }
    assert.equal(await ordersOfUser(b.id), 1);
  });
});

describe('cancelling', () => {
  test('a pending order is cancelled once, its stock comes back; others cannot see it', async () => {
    const b = await shopper('cancel');
    const sku = S('cancel');
    const before = await stockOf(sku.id);
    const body = { address_id: b.address.id, payment_method: 'cod', items: [{ sku_id: sku.id, quantity: 3 }] };
    let r = await checkout(b.client, body);
    expectStatus(r, 201, 'checkout');
    const order = r.json.orders[0];
    assert.equal(await stockOf(sku.id), before - 3);

    // Another user: 404 on read and on cancel, and the order stays.
    const other = await registerUser('cancel-other');
    expectError(await other.client.get(`/api/v1/orders/${order.id}`), 404, 'not_found');
    expectError(await other.client.post(`/api/v1/orders/${order.id}/cancel`), 404, 'not_found');
    r = await other.client.get('/api/v1/orders');
    expectStatus(r, 200);
    assert.equal(r.json.total, 0, "another user's list is empty");
    assert.equal(await sql(`SELECT status FROM ${DB}.orders WHERE id = ${order.id}`), 'pending_payment');
    assert.equal(await stockOf(sku.id), before - 3);

    // No CSRF token: refused.
    expectError(await b.client.post(`/api/v1/orders/${order.id}/cancel`, undefined, { csrf: null }), 403, 'forbidden');

    r = await b.client.post(`/api/v1/orders/${order.id}/cancel`);
    expectStatus(r, 200, 'cancel');
    assert.equal(r.json.status, 'cancelled');
    assert.equal(r.json.id, order.id);
    const last = r.json.timeline.at(-1);
    assert.equal(last.from, 'pending_payment');
    assert.equal(last.to, 'cancelled');
    assert.equal(await stockOf(sku.id), before, 'stock restored');
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE order_id = ${order.id}
      AND reason = 'reserve' AND delta = -3 AND sku_id = ${sku.id}`), 1, 'a reserve row');
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE order_id = ${order.id}
      AND reason = 'release' AND delta = 3 AND sku_id = ${sku.id}`), 1, 'a release row');

    r = await b.client.post(`/api/v1/orders/${order.id}/cancel`);
    expectError(r, 422, 'unprocessable');
    assert.equal(await stockOf(sku.id), before, 'a second cancel releases nothing');
    assert.equal(await movements(sku.id, 'release'), 1);

    r = await b.client.get(`/api/v1/orders?status=cancelled`);
    expectStatus(r, 200);
    assert.deepEqual(r.json.items.map((o) => o.id), [order.id]);

    expectError(await b.client.get('/api/v1/orders/999999999999'), 404, 'not_found');
    expectError(await b.client.post('/api/v1/orders/999999999999/cancel'), 404, 'not_found');
    expectError(await b.client.get('/api/v1/orders/abc'), 404, 'not_found');
    expectError(await b.client.post('/api/v1/orders/0/cancel'), 404, 'not_found');
  });

  test('an unpaid order past its deadline is cancelled by the job runner', async () => {
    const b = await shopper('expire');
    const sku = S('expire');
    const before = await stockOf(sku.id);
    let r = await checkout(b.client, {
      address_id: b.address.id, payment_method: 'sandbox', items: [{ sku_id: sku.id, quantity: 2 }],
    });
    expectStatus(r, 201, 'sandbox checkout');
    const order = r.json.orders[0];
    assert.ok(order.pay_before, `a payment deadline: ${JSON.stringify(order)}`);
    const ahead = Date.parse(order.pay_before) - Date.now();
    assert.ok(ahead > 5 * 60000 && ahead <= 31 * 60000, `pay_before about 30 min ahead: ${order.pay_before}`);
    assert.equal(await stockOf(sku.id), before - 2);

    await sql(`UPDATE ${DB}.orders SET pay_before = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = ${order.id}`);
    const t0 = Date.now();
    const done = await waitFor(`order ${order.id} cancelled by the job runner`, async () => {
      const g = await b.client.get(`/api/v1/orders/${order.id}`);
      return g.status === 200 && g.json.status === 'cancelled' ? g.json : null;
    }, { timeoutMs: 60000, intervalMs: 250 });
    const last = done.timeline.at(-1);
    assert.equal(last.to, 'cancelled');
    assert.notEqual(last.by, 'shopper', 'cancelled by the system');
    assert.equal(await stockOf(sku.id), before, 'stock back');
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE order_id = ${order.id}
      AND reason = 'release'`), 1, 'one release');
    console.log(`# expiry noticed after ${Date.now() - t0} ms`);
  });
});

// ------------------------------------------------------------------ hostile input

describe('hostile input', () => {
  test('cart: malformed ids and quantities are 400/404, never 5xx', async () => {
    const c = new Client('hostile-cart');
    await c.me();
    const good = S('hostile').id;
    const bad400 = [
      { sku_id: 'abc', quantity: 1 },
      { sku_id: String(good), quantity: 1 },
      { sku_id: 1.5, quantity: 1 },
      { sku_id: -1, quantity: 1 },
      { sku_id: 0, quantity: 1 },
      { sku_id: null, quantity: 1 },
      { sku_id: [good], quantity: 1 },
      { sku_id: { id: good }, quantity: 1 },
      { quantity: 1 },
      { sku_id: good, quantity: 0 },
      { sku_id: good, quantity: 100 },
      { sku_id: good, quantity: -1 },
      { sku_id: good, quantity: '1' },
      { sku_id: good, quantity: 1.5 },
      { sku_id: good, quantity: true },
      { sku_id: good, quantity: null },
      { sku_id: good },
    ];
    for (const body of bad400) {
      const r = await c.post('/api/v1/cart/items', body);
      expectNot5xx(r);
      expectError(r, 400, 'bad_request');
    }
    for (const raw of [
      `{"sku_id": ${good}, "quantity": 1e400}`,
      `{"sku_id": ${good}, "quantity": 99999999999999999999999}`,
      `{"sku_id": ${good}, "quantity": 4294967297}`,
      `{"sku_id": 99999999999999999999999, "quantity": 1}`,
      `{"sku_id": 9223372036854775807, "quantity": 1}`,
      `{"sku_id": -9223372036854775808, "quantity": 1}`,
      '[]', 'null', '"x"', '{', '',
    ]) {
      const r = await c.post('/api/v1/cart/items', raw);
      expectNot5xx(r);
      expectError(r, 400, 'bad_request');
    }
    let r = await c.post('/api/v1/cart/items', JSON.stringify({ sku_id: good, quantity: 1 }), { contentType: 'text/plain' });
    expectError(r, 415, 'unsupported_media_type');
    // Unknown SKU: 404 on sku_id.
    r = await c.post('/api/v1/cart/items', { sku_id: 999999999999, quantity: 1 });
    expectError(r, 404, 'not_found', 'sku_id');
    r = await c.post('/api/v1/cart/items', { sku_id: 4611686018427387903, quantity: 1 });
    expectNot5xx(r);
    assert.ok([400, 404].includes(r.status), show(r));

    const cart = await addToCart(c, good, 1);
    const line = lineOf(cart, good).id;
    for (const q of [0, 100, -1, '1', 1.5, null, 1e20]) {
      r = await c.patch(`/api/v1/cart/items/${line}`, { quantity: q });
      expectNot5xx(r);
      expectError(r, 400, 'bad_request');
    }
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999999', '1%20OR%201=1']) {
      r = await c.patch(`/api/v1/cart/items/${id}`, { quantity: 1 });
      expectNot5xx(r);
      expectError(r, 404, 'not_found');
      r = await c.del(`/api/v1/cart/items/${id}`);
      expectNot5xx(r);
      expectError(r, 404, 'not_found');
    }
    assert.equal(lineOf(await getCart(c), good).quantity, 1, 'the cart as it was');
  });

  test('checkout and quote: bad bodies, missing or foreign addresses, unknown SKUs', async () => {
    const b = await shopper('hostile-co');
    const other = await shopper('hostile-other');
    const good = S('hostile').id;
    const before = await stockOf(good);
    await addToCart(b.client, good, 1);
    const base = { address_id: b.address.id, payment_method: 'cod' };
    const item = (over) => ({ ...base, items: [{ sku_id: good, quantity: 1, ...over }] });

    const cases = [
      [{ payment_method: 'cod' }, 400, 'address_id'],
      [{ ...base, address_id: 'x' }, 400, 'address_id'],
      [{ ...base, address_id: -5 }, 400, 'address_id'],
      [{ ...base, address_id: 1.5 }, 400, 'address_id'],
      [{ address_id: b.address.id }, 400, 'payment_method'],
      [{ ...base, payment_method: 'cash' }, 400, 'payment_method'],
      [{ ...base, payment_method: 7 }, 400, 'payment_method'],
      [{ ...base, items: 'all' }, 400, 'items'],
      [{ ...base, items: [] }, 400, 'items'],
      [{ ...base, items: {} }, 400, 'items'],
      [{ ...base, items: [5] }, 400, 'items'],
      [{ ...base, items: [null] }, 400, 'items'],
      [{ ...base, items: [[good, 1]] }, 400, 'items'],
      [item({ sku_id: 'x' }), 400, 'items'],
      [item({ sku_id: String(good) }), 400, 'items'],
      [item({ quantity: 0 }), 400, 'items'],
      [item({ quantity: 100 }), 400, 'items'],
      [item({ quantity: -1 }), 400, 'items'],
      [item({ quantity: '1' }), 400, 'items'],
      [item({ quantity: 1e12 }), 400, 'items'],
      [{ ...base, items: Array.from({ length: 51 }, () => ({ sku_id: good, quantity: 1 })) }, 400, 'items'],
      [{ ...base, shipping_methods: 'express' }, 400, 'shipping_methods'],
      [{ ...base, shipping_methods: ['express'] }, 400, 'shipping_methods'],
      [{ ...base, address_id: other.address.id }, 404, 'address_id'],
      [{ ...base, address_id: 999999999999 }, 404, 'address_id'],
      [{ ...base, items: [{ sku_id: 999999999999, quantity: 1 }] }, 409, 'sku_id'],
      [{ ...base, items: [{ sku_id: good, quantity: 1 }, { sku_id: 999999999998, quantity: 1 }] }, 409, 'sku_id'],
      [{ ...base, shipping_methods: { [shop.merchants.a.id]: 'teleport' } }, 422, 'shipping_methods'],
    ];
    const codes = { 400: 'bad_request', 404: 'not_found', 409: 'conflict', 422: 'unprocessable' };
    for (const [body, status, field] of cases) {
      for (const [what, send] of [['quote', (x) => quote(b.client, x)], ['checkout', (x) => checkout(b.client, x)]]) {
        const r = await send(body);
        expectNot5xx(r);
        assert.equal(r.status, status, `${what} ${JSON.stringify(body).slice(0, 160)}: ${show(r)}`);
        expectError(r, status, codes[status], field);
      }
    }
    for (const raw of [
      `{"address_id": ${b.address.id}, "payment_method": "cod", "items": [{"sku_id": ${good}, "quantity": 1e400}]}`,
      `{"address_id": 1e400, "payment_method": "cod"}`,
      `{"address_id": 99999999999999999999999999, "payment_method": "cod"}`,
      `{"address_id": ${b.address.id}, "payment_method": "cod", "items": [{"sku_id": 99999999999999999999999, "quantity": 1}]}`,
      '[]', 'null', '{"address_id":',
    ]) {
      for (const send of [(x) => quote(b.client, x), (x) => checkout(b.client, x)]) {
        const r = await send(raw);
        expectNot5xx(r);
        expectError(r, 400, 'bad_request');
      }
    }
    // Nothing was bought by any of it.
    assert.equal(await ordersOfUser(b.id), 0);
    assert.equal(await checkoutsOfUser(b.id), 0);
    assert.equal(await stockOf(good), before);
    assert.deepEqual(cartQuantities(await getCart(b.client)), { [good]: 1 });

    // A shipping method given as a non-string is ignored (standard), and
    // an unknown merchant id in shipping_methods is ignored.
    let r = await quote(b.client, { ...base, shipping_methods: { [shop.merchants.a.id]: 5, 1: 'express' } });
    expectNot5xx(r);
    expectStatus(r, 200, 'quote with odd shipping_methods');
    assert.equal(r.json.groups[0].shipping_method, 'standard');

    // The quote and checkout of a cart holding a SKU no longer for sale.
    await setProductStatus(S('hostile').productId, 'archived');
    try {
      r = await quote(b.client, base);
      expectError(r, 409, 'conflict', 'sku_id');
      r = await checkout(b.client, base);
      expectError(r, 409, 'conflict', 'sku_id');
    } finally {
      await setProductStatus(S('hostile').productId, 'live');
    }
    assert.equal(await stockOf(good), before);
  });
});
