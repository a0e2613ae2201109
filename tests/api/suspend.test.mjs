// Suspending a merchant through the admin API takes its shop off sale
// everywhere a shopper looks (listing, search, suggestions, product
// detail, the /p/ page, the sitemap and the product feed), its cart lines
// become unavailable and checkout refuses them; approving it again brings
// all of it back. The admin route's refusals (not an admin, no reason,
// wrong status, unknown merchant) change nothing, the suspension is in
// the audit log with its reason, and the shop's owner is mailed it.
//
// The fixture is this file's own (orders-lib.mjs createShop, by SQL).
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_BIN (create-admin,
// reindex), JISHI_CONFIG (optional).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  createAdmin, expectError, expectStatus, mailsTo, registerUser, show,
} from './accounts-lib.mjs';
import { reindex } from './catalog-lib.mjs';
import {
  DB, addToCart, checkout, createShop, getCart, lineOf, shopper, sql,
} from './orders-lib.mjs';
import { ctl, req, waitFor } from './lib.mjs';

let shop;
let admin;
let owner;
const statusOf = async (id) => sql(`SELECT status FROM ${DB}.merchants WHERE id = ${Number(id)}`);

before(async () => {
  shop = await createShop({
    merchants: {
      s: { skus: { s1: { price: 2300, stock: 20 }, s2: { price: 4100, stock: 20 } } },
      o: { skus: { o1: { price: 1500, stock: 20 } } },
    },
  });
  await reindex();
  // No search for the tag before the replica has the index rows: a
  // worker's listing snapshot of an empty answer would be kept for
  // listing_cache_ms (the search index is not in the change feed).
  const ids = Object.values(shop.skus).map((k) => k.productId).join(',');
  await waitFor('the search index on the replica', async () =>
    (await ctl('sql', 'replica', `SELECT COUNT(*) FROM ${DB}.product_search WHERE product_id IN (${ids})`)).trim() === '3');
  admin = await createAdmin();
  // An owner for the shop that gets suspended, to be told.
  owner = await registerUser('susp-owner');
  await sql(`INSERT INTO ${DB}.merchant_members (merchant_id, user_id, role)
             VALUES (${shop.merchants.s.id}, ${owner.id}, 'owner')`);
});

// What a shopper sees of product k (a SKU key of the fixture), read
// anonymously through nginx (its micro-cache included).
async function seen(k) {
  const p = shop.skus[k];
  const [list, search, suggest, detail, page, sitemap, feed] = await Promise.all([
    req(`/api/v1/products?merchant=${p.merchantId}&per_page=60`),
    req(`/api/v1/products?${new URLSearchParams({ q: shop.tag, per_page: 60 })}`),
    req(`/api/v1/search/suggest?${new URLSearchParams({ q: shop.tag })}`),
    req(`/api/v1/products/${p.productId}`),
    req(`/p/${p.slug}`),
    req(`/sitemaps/products-${Math.floor((p.productId - 1) / 50000) + 1}.xml`),
    req('/feeds/products.xml'),
  ]);
  for (const r of [list, search, suggest])
    assert.equal(r.status, 200, show(r));
  assert.ok([200, 404].includes(detail.status), show(detail));
  assert.ok([200, 404].includes(page.status), `/p/: ${page.status}`);
  return {
    list: list.json.items.some((i) => i.id === p.productId),
    search: search.json.items.some((i) => i.id === p.productId),
    suggest: JSON.stringify(suggest.json).includes(p.slug),
    detail: detail.status === 200,
    page: page.status === 200,
    sitemap: sitemap.text.includes(`/p/${p.slug}`),
    feed: feed.text.includes(`<g:id>${p.productId}</g:id>`),
  };
}

const ALL = (v) => ({ list: v, search: v, suggest: v, detail: v, page: v, sitemap: v, feed: v });

test('the fixture is on sale everywhere before', async () => {
  await waitFor('both shops on sale', async () =>
    JSON.stringify(await seen('s1')) === JSON.stringify(ALL(true)) &&
    JSON.stringify(await seen('o1')) === JSON.stringify(ALL(true)), { timeoutMs: 15000 });
});

test('the admin route refuses what it must, and changes nothing', async () => {
  const m = shop.merchants.s.id;
  const path = `/api/v1/admin/merchants/${m}/suspend`;
  const b = await shopper('not-admin');
  expectError(await b.client.post(path, { reason: 'x' }), 403, 'forbidden');
  expectError(await admin.client.post(path, {}), 400, 'bad_request', 'reason');
  expectError(await admin.client.post(path, { reason: '   ' }), 400, 'bad_request', 'reason');
  expectError(await admin.client.post(path, { reason: 'x'.repeat(501) }), 400, 'bad_request', 'reason');
  expectError(await admin.client.post(path, { reason: 42 }), 400, 'bad_request', 'reason');
  expectError(await admin.client.post('/api/v1/admin/merchants/999999999/suspend', { reason: 'x' }), 404, 'not_found');
  assert.equal(await statusOf(m), 'active', 'still active after the refusals');
  // Only an active merchant can be suspended.
  await sql(`UPDATE ${DB}.merchants SET status = 'pending' WHERE id = ${m}`);
  try {
    expectError(await admin.client.post(path, { reason: 'x' }), 422, 'unprocessable');
    assert.equal(await statusOf(m), 'pending');
  } finally {
    await sql(`UPDATE ${DB}.merchants SET status = 'active' WHERE id = ${m}`);
  }
});

test('a suspended shop leaves the catalog, carts and checkout; approval brings it back', async () => {
  const m = shop.merchants.s.id;
  const b = await shopper('susp-cart');
  await addToCart(b.client, shop.skus.s1.id, 2);
  await addToCart(b.client, shop.skus.o1.id, 1);

  const reason = `counterfeit goods reported ${shop.tag}`;
  const r = await admin.client.post(`/api/v1/admin/merchants/${m}/suspend`, { reason });
  expectStatus(r, 200, 'suspend');
  assert.equal(r.json.status, 'suspended');
  assert.equal(r.json.id, m);
  // Twice is refused: it is suspended already.
  expectError(await admin.client.post(`/api/v1/admin/merchants/${m}/suspend`, { reason }), 422, 'unprocessable');

  const audit = await admin.client.get('/api/v1/admin/audit-log?action=merchant.suspend');
  expectStatus(audit, 200, 'audit log');
  const row = audit.json.items.find((i) => Number(i.object_id) === m);
  assert.ok(row, `a merchant.suspend row for ${m}: ${show(audit)}`);
  assert.equal(row.summary?.reason, reason, `the reason in the audit row: ${JSON.stringify(row)}`);
  assert.equal(row.summary?.after, 'suspended');
  // The owner is told, with the reason.
  const mail = await waitFor('the owner\'s mail', () =>
    mailsTo(owner.email).find((m) => /^X-Jishi-Kind: merchant_suspended\r?$/m.test(m.text)));
  assert.ok(mail.text.includes(reason), mail.text);

  // Gone everywhere (the replica and every worker's kept pages follow).
  await waitFor('both products of the suspended shop gone everywhere', async () =>
    JSON.stringify(await seen('s1')) === JSON.stringify(ALL(false)) &&
    JSON.stringify(await seen('s2')) === JSON.stringify(ALL(false)), { timeoutMs: 15000 });
  const gone = await req(`/api/v1/products/${shop.skus.s1.productId}`);
  expectError(gone, 404, 'not_found');
  // The other shop is untouched.
  assert.deepEqual(await seen('o1'), ALL(true), 'the other shop is still on sale');

  // The cart keeps the line, as unavailable, out of the totals; adding
  // more and checking out are refused.
  const cart = await getCart(b.client);
  const l = lineOf(cart, shop.skus.s1.id);
  assert.equal(l.where, 'unavailable', JSON.stringify(cart));
  assert.equal(l.warning, 'unavailable');
  assert.equal(cart.subtotal.amount, 1500, 'only the other shop is priced');
  expectError(await b.client.post('/api/v1/cart/items', { sku_id: shop.skus.s2.id, quantity: 1 }), 404, 'not_found', 'sku_id');
  expectError(await checkout(b.client, { address_id: b.address.id, payment_method: 'cod' }), 409, 'conflict', 'sku_id');

  // Approval undoes it: everything is back as it was.
  expectStatus(await admin.client.post(`/api/v1/admin/merchants/${m}/approve`), 200, 'approve again');
  await waitFor('the shop back everywhere', async () =>
    JSON.stringify(await seen('s1')) === JSON.stringify(ALL(true)), { timeoutMs: 15000 });
  const back = await getCart(b.client);
  assert.equal(lineOf(back, shop.skus.s1.id).where, `merchant ${m}`, JSON.stringify(back));
  assert.equal(back.subtotal.amount, 2 * 2300 + 1500);
});
