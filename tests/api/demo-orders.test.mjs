// scripts/lib/demo-orders.mjs, which scripts/run calls to give the demo
// shopper an order history through the API, run here for a shopper of the
// test's own against the demo merchants of the seed: it makes a completed,
// a shipped, a paid and an unpaid order (the first two under one
// checkout), leaves one item in the cart, and a second run changes
// nothing.
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_BIN (to seed the demo shops on an
// empty stack).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { registerUser, show } from './accounts-lib.mjs';
import { BASE, seedDemo } from './lib.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'lib', 'demo-orders.mjs');

async function runScript(email, password) {
  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, BASE], {
    env: { ...process.env, JISHI_DEMO_SHOPPER: `${email}:${password}` },
    timeout: 120000,
  });
  return stdout;
}

test('demo orders: one of each state, through the API; a second run changes nothing', async () => {
  await seedDemo(); // the demo shops the script buys from
  const u = await registerUser('demo-orders');
  const out = await runScript(u.email, u.password);
  assert.match(out, /completed.*shipped.*paid.*pending payment/, out);

  const list = await u.client.get('/api/v1/orders?per_page=50');
  assert.equal(list.status, 200, show(list));
  const orders = list.json.items;
  assert.deepEqual(orders.map((o) => o.status).sort(), ['completed', 'paid', 'pending_payment', 'shipped'], show(list));
  const by = Object.fromEntries(orders.map((o) => [o.status, o]));
  assert.equal(by.completed.checkout_id, by.shipped.checkout_id, 'the cash-on-delivery checkout made two orders');
  assert.notEqual(by.completed.merchant.id, by.shipped.merchant.id, 'one per merchant');

  const shipped = await u.client.get(`/api/v1/orders/${by.shipped.id}`);
  assert.equal(shipped.status, 200, show(shipped));
  assert.equal(shipped.json.tracking?.carrier, '圆通速递', show(shipped));
  assert.match(shipped.json.tracking.tracking_no, /^YT\d{10}$/);
  const done = await u.client.get(`/api/v1/orders/${by.completed.id}`);
  assert.deepEqual(done.json.timeline.map((e) => e.to), ['pending_payment', 'shipped', 'delivered', 'completed'], show(done));
  // Each line links to its product's page and shows its image.
  for (const it of done.json.items) {
    const page = await u.client.get(`/api/v1/products/${it.slug}`);
    assert.equal(page.status, 200, `the line's slug is its product's: ${show(page)}`);
    assert.equal(page.json.id, it.product_id);
    assert.match(it.image ?? '', /^\/media\/.+thumb.*\.webp$/, JSON.stringify(it));
  }
  const paid = await u.client.get(`/api/v1/orders/${by.paid.id}`);
  assert.deepEqual(paid.json.timeline.map((e) => e.to), ['pending_payment', 'paid'], show(paid));

  const cart = await u.client.get('/api/v1/cart');
  assert.equal(cart.json.item_count, 1, show(cart));

  const again = await runScript(u.email, u.password);
  assert.match(again, /has 4 orders already; nothing to do/, again);
  const after = await u.client.get('/api/v1/orders?per_page=50');
  assert.equal(after.json.total, 4, show(after));
  assert.equal((await u.client.get('/api/v1/cart')).json.item_count, 1);
});
