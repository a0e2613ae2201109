// Helpers for the cart, checkout and order API tests (not a test file).
//
// The tests' own shop, inserted with `scripts/ctl sql primary` under a
// random tag, so they never depend on the demo data:
//
//   merchants  ord-<tag>-<key>            (status active)
//   category   oc-<tag>                   (root, path '/<id>/')
//   products   op-<tag>-<sku key>         (status live, one per SKU, so a
//                                          product's status touches one SKU)
//   skus       code <sku key>, with the price / stock / weight_g given
//
// Every stock change the tests make by SQL goes through setStock(), which
// also writes an 'adjust' row to the inventory ledger, and the fixture's
// initial stock is a 'restock' row; so besides the documented invariant
// (-SUM(reserve/release) == quantity in live orders, stock >= 0) the check
// also holds the stock to the ledger: stock == SUM(all deltas).
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_CONFIG (optional).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { actFor, createAddress, expectStatus, registerUser, show } from './accounts-lib.mjs';
import { DB, lit, randomWord, sql } from './catalog-lib.mjs';

export { DB, lit, sql };

export const CNY = (amount) => ({ amount, currency: 'CNY' });

// Every SKU any fixture of this process created: the consistency check
// covers them all.
export const ALL_SKUS = new Map();

// spec: {merchants: {a: {skus: {a1: {price, stock, weight}}}}}
// → {tag, merchants: {a: {id, name}}, skus: {a1: {id, productId,
//   merchantId, price, stock, weight, slug, name}}}
export async function createShop(spec) {
  const tag = `ox${randomWord(8)}`;
  const s = [];
  s.push(`INSERT INTO ${DB}.categories (parent_id, slug, name_zh, name_en, position, depth)
    VALUES (NULL, ${lit(`oc-${tag}`)}, '订单测试', 'Order tests', 0, 0);`);
  s.push('SET @cat = LAST_INSERT_ID();');
  s.push(`UPDATE ${DB}.categories SET path = CONCAT('/', @cat, '/') WHERE id = @cat;`);
  for (const [mk, m] of Object.entries(spec.merchants)) {
    s.push(`INSERT INTO ${DB}.merchants (name, status) VALUES (${lit(`ord-${tag}-${mk}`)}, 'active');`);
    s.push('SET @m = LAST_INSERT_ID();');
    s.push(`SELECT 'M', ${lit(mk)}, @m;`);
    for (const [sk, k] of Object.entries(m.skus)) {
      s.push(`INSERT INTO ${DB}.products (merchant_id, category_id, slug, name, description,
          status, min_price, max_price, in_stock, created_at, updated_at, published_at)
        VALUES (@m, @cat, ${lit(`op-${tag}-${sk}`)}, ${lit(`${tag} 商品 ${sk}`)},
          ${lit(`order fixture ${sk}`)}, 'live', ${k.price}, ${k.price}, ${k.stock > 0 ? 1 : 0},
          UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));`);
      s.push('SET @p = LAST_INSERT_ID();');
      s.push(`INSERT INTO ${DB}.skus (product_id, code, option1, price, stock, weight_g, position)
        VALUES (@p, ${lit(sk)}, '标准', ${k.price}, ${k.stock}, ${k.weight ?? 500}, 0);`);
      s.push('SET @s = LAST_INSERT_ID();');
      s.push(`INSERT INTO ${DB}.inventory_movements (sku_id, delta, reason) VALUES (@s, ${k.stock}, 'restock');`);
      s.push(`SELECT 'S', ${lit(sk)}, @s, @p, @m;`);
    }
  }
  const out = await sql(s.join('\n'));
  const shop = { tag, merchants: {}, skus: {} };
  for (const line of out.split('\n')) {
    const [kind, key, a, b, c] = line.split('\t');
    if (kind === 'M') {
      shop.merchants[key] = { id: Number(a), name: `ord-${tag}-${key}` };
    } else if (kind === 'S') {
      const mk = Object.keys(spec.merchants).find((x) => key in spec.merchants[x].skus);
      const k = spec.merchants[mk].skus[key];
      shop.skus[key] = {
        key,
        id: Number(a),
        productId: Number(b),
        merchantId: Number(c),
        price: k.price,
        stock: k.stock,
        weight: k.weight ?? 500,
        slug: `op-${tag}-${key}`,
        name: `${tag} 商品 ${key}`,
      };
      ALL_SKUS.set(Number(a), shop.skus[key]);
    }
  }
  for (const mk of Object.keys(spec.merchants)) assert.ok(shop.merchants[mk]?.id > 0, `merchant ${mk}: ${out}`);
  for (const m of Object.values(spec.merchants)) {
    for (const sk of Object.keys(m.skus)) assert.ok(shop.skus[sk]?.id > 0, `sku ${sk}: ${out}`);
  }
  return shop;
}

// --- reading and changing the fixture by SQL -----------------------------------

export async function sqlInt(text) {
  const out = await sql(text);
  const v = out.split('\n').pop();
  assert.match(v ?? '', /^-?\d+$/, `an integer from ${text}: '${out}'`);
  return Number(v);
}

export function stockOf(skuId) {
  return sqlInt(`SELECT stock FROM ${DB}.skus WHERE id = ${Number(skuId)}`);
}

// Sets a SKU's stock and records the change in the ledger ('adjust').
export async function setStock(skuId, stock) {
  const id = Number(skuId);
  await sql(`
    SET @old = (SELECT stock FROM ${DB}.skus WHERE id = ${id});
    UPDATE ${DB}.skus SET stock = ${Number(stock)} WHERE id = ${id};
    INSERT INTO ${DB}.inventory_movements (sku_id, delta, reason) VALUES (${id}, ${Number(stock)} - @old, 'adjust');`);
}

export async function setPrice(skuId, price) {
  await sql(`UPDATE ${DB}.skus SET price = ${Number(price)} WHERE id = ${Number(skuId)}`);
}

export async function setProductStatus(productId, status) {
  await sql(`UPDATE ${DB}.products SET status = ${lit(status)} WHERE id = ${Number(productId)}`);
}

// Orders (any status unless given) holding the SKU.
export function ordersWithSku(skuId, { status, notStatus } = {}) {
  let where = '';
  if (status) where += ` AND o.status = ${lit(status)}`;
  if (notStatus) where += ` AND o.status <> ${lit(notStatus)}`;
  return sqlInt(`SELECT COUNT(DISTINCT o.id) FROM ${DB}.orders o
    JOIN ${DB}.order_items i ON i.order_id = o.id WHERE i.sku_id = ${Number(skuId)}${where}`);
}

export function ordersOfUser(userId) {
  return sqlInt(`SELECT COUNT(*) FROM ${DB}.orders WHERE user_id = ${Number(userId)}`);
}

export function checkoutsOfUser(userId) {
  return sqlInt(`SELECT COUNT(*) FROM ${DB}.checkouts WHERE user_id = ${Number(userId)}`);
}

export function movements(skuId, reason) {
  return sqlInt(`SELECT COUNT(*) FROM ${DB}.inventory_movements WHERE sku_id = ${Number(skuId)}
    AND reason = ${lit(reason)}`);
}

// The consistency check of the inventory ledger, for the given SKUs (all
// fixture SKUs by default): for each,
//   -SUM(delta of reserve/release rows) == SUM(quantity of order_items of
//                                          orders not cancelled)
//   stock >= 0 and stock == SUM(delta of all its ledger rows).
export async function assertLedgerConsistent(skuIds = [...ALL_SKUS.keys()], what = '') {
  if (skuIds.length === 0) return;
  const ids = skuIds.map(Number).join(', ');
  const out = await sql(`
    SELECT s.id, s.stock,
      COALESCE((SELECT -SUM(m.delta) FROM ${DB}.inventory_movements m
                WHERE m.sku_id = s.id AND m.reason IN ('reserve', 'release')), 0),
      COALESCE((SELECT SUM(i.quantity) FROM ${DB}.order_items i
                JOIN ${DB}.orders o ON o.id = i.order_id
                WHERE i.sku_id = s.id AND o.status <> 'cancelled'), 0),
      COALESCE((SELECT SUM(m.delta) FROM ${DB}.inventory_movements m WHERE m.sku_id = s.id), 0)
    FROM ${DB}.skus s WHERE s.id IN (${ids}) ORDER BY s.id`);
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t').map(Number));
  assert.equal(rows.length, skuIds.length, `ledger rows for ${ids}: ${out}`);
  for (const [id, stock, reserved, inOrders, ledger] of rows) {
    const tag = `${what ? what + ': ' : ''}SKU ${id} (${ALL_SKUS.get(id)?.key ?? '?'})`;
    assert.ok(stock >= 0, `${tag}: stock ${stock} < 0`);
    assert.equal(reserved, inOrders,
      `${tag}: reserved in the ledger (${reserved}) != quantity in live orders (${inOrders})`);
    assert.equal(stock, ledger, `${tag}: stock ${stock} != sum of its ledger rows ${ledger}`);
  }
}

// --- shoppers -------------------------------------------------------------------

// A registered shopper with one address (CN / Zhejiang by default).
export async function shopper(tag = 'buyer', addressOver = {}) {
  const u = await registerUser(tag);
  const address = await createAddress(u.client, addressOver);
  return { ...u, address };
}

// A registered user made a member (role) of merchant merchantId by SQL and
// acting for it: a merchant's staff client.
export async function merchantStaff(merchantId, tag, role = 'staff') {
  const u = await registerUser(tag);
  await sql(`INSERT INTO ${DB}.merchant_members (merchant_id, user_id, role)
             VALUES (${Number(merchantId)}, ${u.client.lastMe.user.id}, ${lit(role)});`);
  await actFor(u.client, merchantId);
  return u.client;
}

export function idemKey(tag = 'k') {
  return `${tag}-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
}

export function checkout(client, body, key = idemKey(), opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (key !== null) headers['Idempotency-Key'] = key;
  return client.post('/api/v1/checkout', body, { ...opts, headers });
}

export function quote(client, body) {
  return client.post('/api/v1/checkout/quote', body);
}

export async function getCart(client) {
  const r = await client.get('/api/v1/cart');
  expectStatus(r, 200, 'GET /api/v1/cart');
  return r.json;
}

export async function addToCart(client, skuId, quantity, status = 201) {
  const r = await client.post('/api/v1/cart/items', { sku_id: skuId, quantity });
  expectStatus(r, status, `add SKU ${skuId} x${quantity}`);
  return r.json;
}

// All lines of a cart (grouped and unavailable), with where they were.
export function cartLines(cart) {
  const out = [];
  for (const g of cart.groups) for (const l of g.lines) out.push({ ...l, where: `merchant ${g.merchant.id}` });
  for (const l of cart.unavailable) out.push({ ...l, where: 'unavailable' });
  return out;
}

export function lineOf(cart, skuId) {
  return cartLines(cart).find((l) => l.sku_id === skuId);
}

// {sku_id: quantity} of a cart.
export function cartQuantities(cart) {
  const q = {};
  for (const l of cartLines(cart)) q[l.sku_id] = l.quantity;
  return q;
}

// The standard shipping fee for the default address (CN, rate 'CN'):
// 8.00 for the first kg, 4.00 per further (part) kg, free from 99.00.
export function cnStandardShipping(subtotal, weightG) {
  if (subtotal >= 9900) return 0;
  const steps = Math.max(0, Math.ceil((weightG - 1000) / 1000));
  return 800 + steps * 400;
}

// The platform's '*' express rate: 20.00 + 10.00 per further kg, never free.
export function expressShipping(weightG) {
  const steps = Math.max(0, Math.ceil((weightG - 1000) / 1000));
  return 2000 + steps * 1000;
}

export { show };
