// A worker killed with SIGKILL while checkouts are in flight: each
// checkout either committed whole (its orders, items, reservations and
// ledger rows) or left nothing behind; reserved stock matches open orders.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { childrenOf, masterPid, waitFor } from './lib.mjs';
import {
  DB, assertLedgerConsistent, checkout, createShop, shopper, sqlInt,
} from './orders-lib.mjs';

test('kill -9 of a worker during checkouts leaves no half order', { timeout: 180000 }, async () => {
  const shop = await createShop({
    merchants: {
      a: { skus: { ka: { price: 1200, stock: 500 } } },
      b: { skus: { kb: { price: 3400, stock: 500 } } },
    },
  });
  const buyers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => shopper(`crash-${i}`)));
  const results = [];
  let stop = false;
  let started = 0;
  const client = async (b) => {
    for (let i = 0; i < 40 && !stop; i++) {
      started++;
      let r;
      try {
        r = await checkout(b.client, {
          address_id: b.address.id,
          payment_method: 'cod',
          // two merchants: two orders in one transaction
          items: [{ sku_id: shop.skus.ka.id, quantity: 1 }, { sku_id: shop.skus.kb.id, quantity: 1 }],
        });
      } catch (e) {
        r = { status: 'error', text: String(e) };
      }
      results.push(r.status);
    }
  };
  const load = buyers.map(client);
  try {
    await waitFor('checkouts to flow', () => results.filter((s) => s === 201).length >= 10,
      { timeoutMs: 60000 });
    const master = masterPid();
    const workers = childrenOf(master);
    process.kill(workers[0], 'SIGKILL');
    process.kill(workers[1], 'SIGKILL');
  } finally {
    await Promise.all(load);
    stop = true;
  }
  const ok = results.filter((s) => s === 201).length;
  assert.ok(ok >= 10, `checkouts succeeded: ${ok} of ${started}`);
  // Every order has its items and every checkout its two orders.
  const orphans = await sqlInt(`SELECT COUNT(*) FROM ${DB}.orders o
    WHERE o.merchant_id IN (${shop.merchants.a.id}, ${shop.merchants.b.id})
      AND NOT EXISTS (SELECT 1 FROM ${DB}.order_items i WHERE i.order_id = o.id)`);
  assert.equal(orphans, 0, 'no order without items');
  const halves = await sqlInt(`SELECT COUNT(*) FROM (SELECT o.checkout_id FROM ${DB}.orders o
    WHERE o.merchant_id IN (${shop.merchants.a.id}, ${shop.merchants.b.id})
    GROUP BY o.checkout_id HAVING COUNT(*) <> 2) x`);
  assert.equal(halves, 0, 'no checkout with only one of its two orders');
  const orders = await sqlInt(`SELECT COUNT(*) FROM ${DB}.orders
    WHERE merchant_id = ${shop.merchants.a.id}`);
  assert.ok(orders >= ok, `orders ${orders} >= answered 201s ${ok}`);
  await assertLedgerConsistent([shop.skus.ka.id, shop.skus.kb.id], 'after the crash');
  assert.equal(await sqlInt(`SELECT 500 - stock FROM ${DB}.skus WHERE id = ${shop.skus.ka.id}`), orders,
    'stock taken equals orders placed');
});
