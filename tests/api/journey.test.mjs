// The whole money path as a shopper and two merchants live it, through
// nginx: a guest fills a cart, registers (the cart follows), checks out
// across two merchants, pays on the sandbox gateway's page, the signed
// webhook marks both orders paid, each merchant ships its own, the shopper
// confirms receipt, and both orders are completed with full timelines.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { url, waitFor } from './lib.mjs';
import { Client, registerUser, strongPassword, uniqueEmail, createAddress, mailsTo } from './accounts-lib.mjs';
import { addToCart, assertLedgerConsistent, createShop, checkout, getCart, stockOf, merchantStaff } from './orders-lib.mjs';

test('guest cart → register → checkout two merchants → sandbox pay → ship → confirm → completed',
  { timeout: 120000 }, async () => {
    const shop = await createShop({
      merchants: {
        a: { skus: { ja: { price: 4500, stock: 10 } } },
        b: { skus: { jb: { price: 12800, stock: 10 } } },
      },
    });
    const staffA = await merchantStaff(shop.merchants.a.id, 'journey-a', 'owner');
    const staffB = await merchantStaff(shop.merchants.b.id, 'journey-b', 'owner');

    // A guest picks two items from two shops.
    const guest = new Client('journey-guest');
    await guest.me();
    await addToCart(guest, shop.skus.ja.id, 2);
    await addToCart(guest, shop.skus.jb.id, 1);

    // Registering keeps the cart.
    const email = uniqueEmail('journey');
    const reg = await guest.post('/api/v1/auth/register', { email, password: strongPassword() });
    assert.equal(reg.status, 201, reg.text);
    const cart = await getCart(guest);
    assert.equal(cart.item_count, 3, 'the guest cart followed the shopper');
    assert.equal(cart.groups.length, 2, 'two merchants');
    const address = await createAddress(guest);

    // Checkout: one payment, one order per merchant.
    const co = await checkout(guest, { address_id: address.id, payment_method: 'sandbox' });
    assert.equal(co.status, 201, co.text);
    assert.equal(co.json.orders.length, 2);
    assert.equal(co.json.total.amount, co.json.orders.reduce((n, o) => n + o.total.amount, 0));
    assert.equal((await getCart(guest)).item_count, 0, 'bought items left the cart');
    assert.equal(await stockOf(shop.skus.ja.id), 8);

    // Pay on the hosted page.
    const pay = await guest.post('/api/v1/payments', { checkout_id: co.json.checkout_id });
    assert.equal(pay.status, 201, pay.text);
    const page = await fetch(url(pay.json.pay_url));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<form/i, 'the hosted page has a form');
    const submitted = await fetch(url(pay.json.pay_url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'outcome=succeed',
      redirect: 'manual',
    });
    assert.equal(submitted.status, 200, await submitted.text());

    // The gateway's signed webhook reaches us and marks both orders paid.
    await waitFor('both orders paid', async () => {
      const r = await guest.get('/api/v1/orders?status=paid');
      return r.json.items.filter((o) => o.checkout_id === co.json.checkout_id).length === 2;
    }, { timeoutMs: 30000, intervalMs: 200 });
    const payment = await guest.get(`/api/v1/payments/${pay.json.payment_id}`);
    assert.equal(payment.json.status, 'succeeded', payment.text);

    // Each merchant sees and ships only its own order.
    const [oa, ob] = [...co.json.orders].sort((x, y) =>
      (x.merchant.id === shop.merchants.a.id ? -1 : 1) - (y.merchant.id === shop.merchants.a.id ? -1 : 1));
    assert.equal((await staffB.get(`/api/v1/merchant/orders/${oa.id}`)).status, 404);
    assert.equal((await staffA.get(`/api/v1/merchant/orders/${ob.id}`)).status, 404);
    for (const [staff, o, no] of [[staffA, oa, 'SF1000000001'], [staffB, ob, 'YT2000000002']]) {
      const r = await staff.post(`/api/v1/merchant/orders/${o.id}/ship`, { carrier: 'SF', tracking_no: no });
      assert.equal(r.status, 200, r.text);
    }

    // The shopper confirms both; they are completed.
    for (const o of [oa, ob]) {
      const r = await guest.post(`/api/v1/orders/${o.id}/confirm`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'completed');
      assert.deepEqual(r.json.timeline.map((e) => e.to),
        ['pending_payment', 'paid', 'shipped', 'delivered', 'completed']);
    }
    // The outbox told the shopper at each step, by mail: placed, paid,
    // and each of the two orders shipped.
    const kinds = await waitFor('the order mails', () => {
      const k = mailsTo(email).map((m) => (/^X-Jishi-Kind:\s*(\S+)/m.exec(m.text) || [])[1]).sort();
      return k.filter((x) => x === 'order_shipped').length === 2 && k.includes('order_placed') &&
        k.includes('payment_received') && k;
    }, { timeoutMs: 30000, intervalMs: 200 });
    assert.deepEqual(kinds, ['order_placed', 'order_shipped', 'order_shipped', 'payment_received']);
    // Someone else sees none of it.
    const stranger = (await registerUser('journey-stranger')).client;
    assert.equal((await stranger.get(`/api/v1/orders/${oa.id}`)).status, 404);
    assert.equal((await stranger.get(`/api/v1/payments/${pay.json.payment_id}`)).status, 404);
    await assertLedgerConsistent([shop.skus.ja.id, shop.skus.jb.id], 'after the journey');
  });
