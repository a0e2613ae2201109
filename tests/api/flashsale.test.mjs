// Flash sale: 100 units of a SKU, 1,000 concurrent buy-now checkouts
// through nginx → exactly 100 orders, stock exactly 0, no 5xx, every
// refused buyer a 409 with field sku_id, and a consistent ledger.
//
// 1,000 registered accounts would take long (Argon2id), so 50 buyers
// (registered in parallel batches, each with an address) send 20
// checkouts each, all 1,000 at once (Promise.all; Node's fetch opens a
// connection per request: no per-origin limit). Every request has its own
// Idempotency-Key. nginx's limit_req covers only login and registration
// (registration 429s are waited out by the Client).
//
// The wall time is printed (a TAP comment), never asserted.
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_CONFIG (optional);
// JISHI_FLASH_BUYERS / JISHI_FLASH_PER_BUYER / JISHI_FLASH_STOCK to scale.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { show } from './accounts-lib.mjs';
import {
  DB, assertLedgerConsistent, checkout, createShop, idemKey, movements, ordersWithSku,
  shopper, sqlInt, stockOf,
} from './orders-lib.mjs';

const BUYERS = Number(process.env.JISHI_FLASH_BUYERS || 50);
const PER_BUYER = Number(process.env.JISHI_FLASH_PER_BUYER || 20);
const STOCK = Number(process.env.JISHI_FLASH_STOCK || 100);
const TOTAL = BUYERS * PER_BUYER;

let shop;
let sku;
let buyers = [];

before(async () => {
  shop = await createShop({
    merchants: { f: { skus: { flash: { price: 9900, stock: STOCK, weight: 200 } } } },
  });
  sku = shop.skus.flash;
  const t0 = Date.now();
  for (let i = 0; i < BUYERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, BUYERS - i) }, (_, k) => shopper(`flash${i + k}`)),
    );
    buyers.push(...batch);
  }
  console.log(`# ${BUYERS} buyers registered with addresses in ${Date.now() - t0} ms`);
});

after(async () => {
  if (sku) await assertLedgerConsistent([sku.id], 'flash sale');
});

test(`flash sale: ${STOCK} units, ${TOTAL} concurrent buy-now checkouts through nginx`, { timeout: 600000 }, async () => {
  assert.equal(buyers.length, BUYERS);
  assert.equal(await stockOf(sku.id), STOCK);

  const attempts = [];
  for (const b of buyers) {
    for (let k = 0; k < PER_BUYER; k++) {
      attempts.push({ b, key: idemKey(`flash${k}`) });
    }
  }
  const t0 = Date.now();
  const results = await Promise.all(attempts.map(({ b, key }) => {
    const started = Date.now();
    return checkout(b.client, {
      address_id: b.address.id,
      payment_method: 'cod',
      items: [{ sku_id: sku.id, quantity: 1 }],
    }, key, { timeoutMs: 300000 })
      .then((r) => ({ ...r, ms: Date.now() - started, buyer: b.id }))
      .catch((e) => ({ status: 0, text: String(e), ms: Date.now() - started, method: 'POST', path: '/api/v1/checkout', buyer: b.id }));
  }));
  const wall = Date.now() - t0;

  const byStatus = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
  const times = results.map((r) => r.ms).sort((x, y) => x - y);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  console.log(`# flash sale: ${TOTAL} requests in ${wall} ms wall; statuses ${JSON.stringify(byStatus)}; ` +
    `latency p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${times.at(-1)} ms`);

  const odd = results.filter((r) => r.status !== 201 && r.status !== 409);
  assert.deepEqual(odd.slice(0, 5).map(show), [], `${odd.length} answers neither 201 nor 409`);
  const won = results.filter((r) => r.status === 201);
  const lost = results.filter((r) => r.status === 409);
  assert.equal(won.length, STOCK, `exactly ${STOCK} succeeded`);
  assert.equal(lost.length, TOTAL - STOCK, `the other ${TOTAL - STOCK} were refused`);
  for (const r of lost) {
    assert.equal(r.json?.error?.code, 'conflict', show(r));
    assert.equal(r.json.error.field, 'sku_id', show(r));
    assert.match(r.json.error.message, /stock/i, `a clear message: ${show(r)}`);
  }
  for (const r of won) {
    assert.equal(r.json.orders.length, 1, show(r));
    const o = r.json.orders[0];
    assert.equal(o.status, 'pending_payment');
    assert.deepEqual(o.items.map((i) => [i.sku_id, i.quantity]), [[sku.id, 1]]);
  }
  const orderIds = new Set(won.map((r) => r.json.orders[0].id));
  assert.equal(orderIds.size, STOCK, 'distinct orders');

  assert.equal(await stockOf(sku.id), 0, 'stock exactly 0');
  assert.equal(await ordersWithSku(sku.id), STOCK, `exactly ${STOCK} orders for the SKU in the DB`);
  assert.equal(await sqlInt(`SELECT COALESCE(SUM(i.quantity), 0) FROM ${DB}.order_items i WHERE i.sku_id = ${sku.id}`),
    STOCK, 'order items add up to the stock');
  assert.equal(await movements(sku.id, 'reserve'), STOCK, `${STOCK} reserve rows`);
  assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.checkouts c WHERE c.user_id IN (${buyers.map((b) => b.id).join(',')})`),
    STOCK, 'a checkout row per success only');
  await assertLedgerConsistent([sku.id], 'after the sale');

  // A winner reads their order back; a refused buyer trying again is
  // refused again.
  const w = won[0];
  const owner = buyers.find((b) => b.id === w.buyer);
  const g = await owner.client.get(`/api/v1/orders/${w.json.orders[0].id}`);
  assert.equal(g.status, 200, show(g));
  const l = lost[0];
  const loser = buyers.find((b) => b.id === l.buyer);
  const again = await checkout(loser.client, {
    address_id: loser.address.id, payment_method: 'cod', items: [{ sku_id: sku.id, quantity: 1 }],
  });
  assert.equal(again.status, 409, show(again));
});
