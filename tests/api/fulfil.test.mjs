// After the order: the merchant ships it (carrier + tracking), the
// shopper confirms receipt, delivered orders complete by themselves; the
// state machine refuses every step out of order, and one merchant can
// never see or touch another's orders.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { waitFor } from './lib.mjs';
import { registerUser } from './accounts-lib.mjs';
import { DB, assertLedgerConsistent, checkout, createShop, lit, shopper, sql, sqlInt, merchantStaff } from './orders-lib.mjs';

let shop;
let buyer;
let staffA;
let staffB;

async function placeOrder(paymentMethod, sku) {
  const r = await checkout(buyer.client, {
    address_id: buyer.address.id,
    payment_method: paymentMethod,
    items: [{ sku_id: sku.id, quantity: 1 }],
  });
  assert.equal(r.status, 201, r.text);
  return r.json.orders[0];
}

before(async () => {
  shop = await createShop({
    merchants: {
      a: { skus: { fa1: { price: 5000, stock: 20 } } },
      b: { skus: { fb1: { price: 7000, stock: 20 } } },
    },
  });
  buyer = await shopper('fulfil-buyer');
  staffA = await merchantStaff(shop.merchants.a.id, 'fulfil-staff-a');
  staffB = await merchantStaff(shop.merchants.b.id, 'fulfil-staff-b');
});

test('cash on delivery: ship, confirm receipt, completed with a timeline', async () => {
  const order = await placeOrder('cod', shop.skus.fa1);
  const list = await staffA.get('/api/v1/merchant/orders?status=pending_payment');
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((o) => o.id === order.id), 'in the merchant list');
  const shipped = await staffA.post(`/api/v1/merchant/orders/${order.id}/ship`,
    { carrier: 'SF Express', tracking_no: 'SF1234567890' });
  assert.equal(shipped.status, 200, shipped.text);
  assert.equal(shipped.json.status, 'shipped');
  assert.deepEqual(shipped.json.tracking, { carrier: 'SF Express', tracking_no: 'SF1234567890' });
  const again = await staffA.post(`/api/v1/merchant/orders/${order.id}/ship`,
    { carrier: 'SF Express', tracking_no: 'SF1234567890' });
  assert.equal(again.status, 422, again.text);
  const mine = await buyer.client.get(`/api/v1/orders/${order.id}`);
  assert.equal(mine.json.status, 'shipped');
  assert.equal(mine.json.tracking.tracking_no, 'SF1234567890');
  const done = await buyer.client.post(`/api/v1/orders/${order.id}/confirm`);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.status, 'completed');
  assert.deepEqual(done.json.timeline.map((e) => e.to),
    ['pending_payment', 'shipped', 'delivered', 'completed']);
  const twice = await buyer.client.post(`/api/v1/orders/${order.id}/confirm`);
  assert.equal(twice.status, 422, twice.text);
  const audit = await sqlInt(`SELECT COUNT(*) FROM ${DB}.audit_log
    WHERE action = 'order.ship' AND object_id = ${lit(String(order.id))}`);
  assert.equal(audit, 1, 'shipping is audited');
  await assertLedgerConsistent();
});

test('an unpaid sandbox order cannot be shipped or confirmed', async () => {
  const order = await placeOrder('sandbox', shop.skus.fa1);
  const r = await staffA.post(`/api/v1/merchant/orders/${order.id}/ship`,
    { carrier: 'SF', tracking_no: 'SF0000000001' });
  assert.equal(r.status, 422, r.text);
  const c = await buyer.client.post(`/api/v1/orders/${order.id}/confirm`);
  assert.equal(c.status, 422, c.text);
  const d = await staffA.post(`/api/v1/merchant/orders/${order.id}/deliver`);
  assert.equal(d.status, 422, d.text);
  const now = await buyer.client.get(`/api/v1/orders/${order.id}`);
  assert.equal(now.json.status, 'pending_payment');
});

test("another merchant's staff can neither see nor ship an order", async () => {
  const order = await placeOrder('cod', shop.skus.fa1);
  const g = await staffB.get(`/api/v1/merchant/orders/${order.id}`);
  assert.equal(g.status, 404, g.text);
  const s = await staffB.post(`/api/v1/merchant/orders/${order.id}/ship`,
    { carrier: 'SF', tracking_no: 'SF0000000002' });
  assert.equal(s.status, 404, s.text);
  const list = await staffB.get('/api/v1/merchant/orders');
  assert.ok(!list.json.items.some((o) => o.id === order.id), 'not in B\'s list');
  const other = (await registerUser('fulfil-other')).client;
  const c = await other.post(`/api/v1/orders/${order.id}/confirm`);
  assert.equal(c.status, 404, c.text);
  const still = await staffA.get(`/api/v1/merchant/orders/${order.id}`);
  assert.equal(still.json.status, 'pending_payment');
});

test('bad shipping input is refused and changes nothing', async () => {
  const order = await placeOrder('cod', shop.skus.fb1);
  for (const body of [{}, { carrier: 'SF' }, { carrier: '', tracking_no: 'SF1234' },
    { carrier: 'SF', tracking_no: 'x' }, { carrier: 5, tracking_no: 'SF1234' },
    { carrier: 'SF', tracking_no: 'a'.repeat(65) }]) {
    const r = await staffB.post(`/api/v1/merchant/orders/${order.id}/ship`, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
  }
  const r = await staffB.post('/api/v1/merchant/orders/abc/ship', { carrier: 'SF', tracking_no: 'SF1234' });
  assert.equal(r.status, 404, r.text);
  const now = await staffB.get(`/api/v1/merchant/orders/${order.id}`);
  assert.equal(now.json.status, 'pending_payment');
});

test('a delivered order completes by itself after auto_complete_days', async () => {
  const order = await placeOrder('cod', shop.skus.fb1);
  let r = await staffB.post(`/api/v1/merchant/orders/${order.id}/ship`,
    { carrier: 'EMS', tracking_no: 'EMS99887766' });
  assert.equal(r.status, 200, r.text);
  r = await staffB.post(`/api/v1/merchant/orders/${order.id}/deliver`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'delivered');
  // Delivered long ago, as far as the job runner can tell.
  await sql(`UPDATE ${DB}.orders SET delivered_at = UTC_TIMESTAMP(6) - INTERVAL 30 DAY
             WHERE id = ${order.id};`);
  await waitFor('the job runner to complete the order', async () => {
    const o = await buyer.client.get(`/api/v1/orders/${order.id}`);
    return o.json.status === 'completed' ? o : false;
  }, { timeoutMs: 60000, intervalMs: 500 });
  const o = await buyer.client.get(`/api/v1/orders/${order.id}`);
  assert.equal(o.json.timeline.at(-1).by, 'system');
});
