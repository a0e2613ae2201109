// Refunds: the shopper asks, the merchant approves (money back through the
// provider, items back into stock with ledger rows) or rejects (the order
// returns to where it was); out-of-order requests change nothing.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { registerUser } from './accounts-lib.mjs';
import { DB, assertLedgerConsistent, checkout, createShop, shopper, sql, sqlInt, stockOf, merchantStaff } from './orders-lib.mjs';

let shop;
let buyer;
let staff;

async function codOrder(qty = 2) {
  const r = await checkout(buyer.client, {
    address_id: buyer.address.id,
    payment_method: 'cod',
    items: [{ sku_id: shop.skus.ra.id, quantity: qty }],
  });
  assert.equal(r.status, 201, r.text);
  return r.json.orders[0];
}

async function shipAndDeliver(id) {
  let r = await staff.post(`/api/v1/merchant/orders/${id}/ship`, { carrier: 'SF', tracking_no: 'SF77665544' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/merchant/orders/${id}/deliver`);
  assert.equal(r.status, 200, r.text);
}

before(async () => {
  shop = await createShop({ merchants: { a: { skus: { ra: { price: 2500, stock: 50 } } } } });
  buyer = await shopper('refund-buyer');
  staff = await merchantStaff(shop.merchants.a.id, 'refund-staff', 'owner');
});

test('approve: refunded, stock back with restock rows, audited', async () => {
  const order = await codOrder(2);
  await shipAndDeliver(order.id);
  const before = await stockOf(shop.skus.ra.id);
  let r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, { reason: '尺码不合适 wrong size' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'refund_requested');
  r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, { reason: 'again' });
  assert.equal(r.status, 422, r.text);
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/approve`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'refunded');
  assert.equal(await stockOf(shop.skus.ra.id), before + 2, 'items back in stock');
  assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements
    WHERE order_id = ${order.id} AND reason = 'restock' AND delta = 2`), 1);
  assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.audit_log
    WHERE action = 'order.refund_approve' AND object_id = '${order.id}'`), 1);
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/approve`, {});
  assert.equal(r.status, 422, 'a second approval changes nothing');
  assert.equal(await stockOf(shop.skus.ra.id), before + 2);
  await assertLedgerConsistent([shop.skus.ra.id], 'after a refund');
});

test('reject: the order returns to where it was', async () => {
  const order = await codOrder(1);
  await shipAndDeliver(order.id);
  let r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, { reason: 'changed my mind' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/reject`, {});
  assert.equal(r.status, 400, 'a rejection needs a note');
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/reject`, { note: '已签收超过7天 past the return window' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'delivered');
  assert.deepEqual(r.json.timeline.slice(-2).map((e) => e.to), ['refund_requested', 'delivered']);
});

test('a sandbox payment is refunded through the provider', async () => {
  const r0 = await checkout(buyer.client, {
    address_id: buyer.address.id,
    payment_method: 'sandbox',
    items: [{ sku_id: shop.skus.ra.id, quantity: 1 }],
  });
  assert.equal(r0.status, 201, r0.text);
  const order = r0.json.orders[0];
  // The payment as the gateway would have left it (the gateway itself is
  // covered by payments.test.mjs).
  await sql(`INSERT INTO ${DB}.payments (checkout_id, provider, status, amount, currency, provider_ref)
             VALUES (${r0.json.checkout_id}, 'sandbox', 'succeeded', ${r0.json.total.amount}, 'CNY',
                     CONCAT('sbx_', LPAD(HEX(${order.id}), 24, '0')));
             UPDATE ${DB}.orders SET status = 'paid', paid_at = UTC_TIMESTAMP(6) WHERE id = ${order.id};`);
  let r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, { reason: 'arrived broken' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/approve`, { note: 'sorry' });
  assert.equal(r.status, 200, r.text);
  const p = await sql(`SELECT status, refunded_amount FROM ${DB}.payments
                       WHERE checkout_id = ${r0.json.checkout_id}`);
  assert.equal(p.split('\n').pop(), `refunded\t${r0.json.total.amount}`);
});

test('refunds refused out of order, for others, and for bad input', async () => {
  const order = await codOrder(1);      // pending_payment: nothing paid yet
  let r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, { reason: 'x' });
  assert.equal(r.status, 422, r.text);
  const other = (await registerUser('refund-other')).client;
  r = await other.post(`/api/v1/orders/${order.id}/refund`, { reason: 'mine?' });
  assert.equal(r.status, 404, r.text);
  for (const body of [{}, { reason: '' }, { reason: 5 }, { reason: 'x'.repeat(501) }]) {
    r = await buyer.client.post(`/api/v1/orders/${order.id}/refund`, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
  }
  r = await staff.post(`/api/v1/merchant/orders/${order.id}/refund/approve`, {});
  assert.equal(r.status, 422, 'no open request');
  const now = await buyer.client.get(`/api/v1/orders/${order.id}`);
  assert.equal(now.json.status, 'pending_payment');
});
