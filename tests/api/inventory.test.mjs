// Low stock is flagged per SKU threshold to its own merchant only, and the
// ledger of a SKU shows every change with its reason.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { checkout, createShop, shopper, merchantStaff } from './orders-lib.mjs';

let shop;
let staffA;
let staffB;

before(async () => {
  shop = await createShop({
    merchants: {
      a: { skus: { la: { price: 1000, stock: 7 }, lb: { price: 1000, stock: 100 } } },
      b: { skus: { lc: { price: 1000, stock: 1 } } },
    },
  });
  staffA = await merchantStaff(shop.merchants.a.id, 'inv-a');
  staffB = await merchantStaff(shop.merchants.b.id, 'inv-b');
});

test('a sale that crosses the threshold flags the SKU to its merchant only', async () => {
  let r = await staffA.get('/api/v1/merchant/inventory/low-stock');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.json.items.some((i) => i.sku_id === shop.skus.la.id), '7 > 5: not yet low');
  const buyer = await shopper('inv-buyer');
  const co = await checkout(buyer.client, {
    address_id: buyer.address.id, payment_method: 'cod',
    items: [{ sku_id: shop.skus.la.id, quantity: 3 }],
  });
  assert.equal(co.status, 201, co.text);
  r = await staffA.get('/api/v1/merchant/inventory/low-stock');
  const la = r.json.items.find((i) => i.sku_id === shop.skus.la.id);
  assert.ok(la, `flagged: ${r.text}`);
  assert.equal(la.stock, 4);
  assert.equal(la.threshold, 5);
  assert.ok(!r.json.items.some((i) => i.sku_id === shop.skus.lb.id), 'plenty left: not flagged');
  assert.ok(!r.json.items.some((i) => i.sku_id === shop.skus.lc.id), "another merchant's SKU never shows");
  const rb = await staffB.get('/api/v1/merchant/inventory/low-stock');
  assert.ok(rb.json.items.some((i) => i.sku_id === shop.skus.lc.id));
  assert.ok(!rb.json.items.some((i) => i.sku_id === shop.skus.la.id));
});

test("the ledger of a SKU, and never of another merchant's", async () => {
  const r = await staffA.get(`/api/v1/merchant/inventory/${shop.skus.la.id}/movements`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((m) => [m.reason, m.delta]).slice(0, 2),
    [['reserve', -3], ['restock', 7]]);
  const x = await staffB.get(`/api/v1/merchant/inventory/${shop.skus.la.id}/movements`);
  assert.equal(x.status, 404, x.text);
  const bad = await staffA.get('/api/v1/merchant/inventory/abc/movements');
  assert.equal(bad.status, 404);
  const page = await staffA.get('/api/v1/merchant/inventory/low-stock?per_page=0');
  assert.equal(page.status, 400);
});
