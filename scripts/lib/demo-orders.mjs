#!/usr/bin/env node
// scripts/lib/demo-orders.mjs BASE_URL — give the demo shopper an order
// history, made through the public API exactly as a shopper and the demo
// merchants would make it (so stock, the inventory ledger, payments and
// every order's timeline are what the app itself writes):
//
//   1. one cash-on-delivery checkout across merchant1 and merchant2 (two
//      orders under one checkout): merchant1 ships its order and the
//      shopper confirms receipt (completed); merchant2 ships its own
//      (shipped, with tracking);
//   2. a sandbox-gateway checkout at merchant3, paid on the hosted page
//      (paid, waiting to be shipped);
//   3. a sandbox checkout at merchant1 left unpaid (pending payment; the
//      job runner cancels it and gives the stock back when its payment
//      deadline passes);
//   and one item in the cart when it is empty.  The checkouts are buy-now
//   ones: whatever the shopper had in the cart stays there.
//
// Does nothing when the demo shopper has an order already, so scripts/run
// may call it on every start.  The demo logins are the seed's
// (fcgi-app/src/seed_data.c).  Prints what it made; exit status 1 when a
// step fails (scripts/run then only warns: the shop runs without it).
import { randomBytes } from 'node:crypto';

const BASE = (process.argv[2] || process.env.JISHI_BASE_URL || '').replace(/\/$/, '');
// JISHI_DEMO_SHOPPER=email:password: another shopper (the API test's own).
const [email, ...pw] = (process.env.JISHI_DEMO_SHOPPER || 'shopper@jishi.test:jishi-shopper-2026').split(':');
const SHOPPER = { email, password: pw.join(':') };
const MERCHANT_PASSWORD = 'jishi-merchant-2026';
const ADDRESS = {
  recipient: '李华 Li Hua',
  phone: '+86 138 0013 8000',
  country: 'CN',
  region: '上海市',
  city: '上海市',
  district: '浦东新区',
  line1: '世纪大道 100 号 8 楼',
  postal_code: '200120',
};

// A signed-in browser: its cookies and CSRF token.
class Session {
  constructor(name) {
    this.name = name;
    this.cookies = new Map();
    this.csrf = null;
  }

  async call(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrf) h['X-CSRF-Token'] = this.csrf;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(BASE + path, {
        method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30000),
      });
      const text = await res.text();
      // nginx's limit_req on sign-in: wait for it, as a person would.
      if (res.status === 429 && attempt < 20) {
        await new Promise((r) => { setTimeout(r, 500); });
        continue;
      }
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        const v = pair.slice(eq + 1).trim();
        if (v) this.cookies.set(pair.slice(0, eq).trim(), v);
        else this.cookies.delete(pair.slice(0, eq).trim());
      }
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (json && typeof json.csrf_token === 'string') this.csrf = json.csrf_token;
      return { status: res.status, json, text };
    }
  }

  // The call, which must answer `status`; its JSON.
  async must(status, method, path, body, headers) {
    const r = await this.call(method, path, body, headers);
    if (r.status !== status) {
      throw new Error(`${this.name}: ${method} ${path} answered ${r.status}, not ${status}: ${r.text.slice(0, 300)}`);
    }
    return r.json;
  }

  async login(email, password) {
    return this.must(200, 'POST', '/api/v1/auth/login', { email, password });
  }
}

const key = () => `demo-${randomBytes(12).toString('hex')}`;

// A merchant's session acting for its shop: {s, shopId}.
async function merchant(n) {
  const s = new Session(`merchant${n}`);
  const me = await s.login(`merchant${n}@jishi.test`, MERCHANT_PASSWORD);
  const shop = (me.merchants || []).find((m) => m.status === 'active');
  if (!shop) throw new Error(`merchant${n}@jishi.test has no active shop`);
  await s.must(200, 'PUT', '/api/v1/me/acting-merchant', { merchant_id: shop.id });
  return { s, shopId: shop.id };
}

// SKU ids of a shop that have stock, from its listing and product pages
// (read from the replica: right after a seed, polled until it has them).
async function skusOf(s, shopId, n) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const list = await s.must(200, 'GET', `/api/v1/products?merchant=${shopId}&in_stock=true&sort=rating&per_page=12`);
    const out = [];
    for (const item of list.items) {
      const d = await s.must(200, 'GET', `/api/v1/products/${item.id}`);
      const sku = d.skus.find((k) => k.stock_status === 'in_stock');
      if (sku) out.push(sku.id);
      if (out.length === n) return out;
    }
    if (Date.now() > deadline) throw new Error(`shop ${shopId} has fewer than ${n} products in stock`);
    await new Promise((r) => { setTimeout(r, 500); });
  }
}

// A buy-now checkout of lines ([sku, quantity]...): what the shopper has
// in the cart stays there.
function checkoutOf(s, addressId, lines, method) {
  return s.must(201, 'POST', '/api/v1/checkout', {
    address_id: addressId,
    payment_method: method,
    items: lines.map(([sku, quantity]) => ({ sku_id: sku, quantity })),
  }, { 'Idempotency-Key': key() });
}

const orderOf = (co, shopId) => co.orders.find((o) => o.merchant.id === shopId);
const tracking = (prefix) => `${prefix}${Date.now().toString().slice(-9)}${randomBytes(1)[0] % 10}`;

async function main() {
  if (!BASE) throw new Error('usage: demo-orders.mjs BASE_URL');
  const shopper = new Session('shopper');
  await shopper.login(SHOPPER.email, SHOPPER.password);
  const had = await shopper.must(200, 'GET', '/api/v1/orders?per_page=1');
  if (had.total > 0) {
    console.log(`demo orders: ${SHOPPER.email} has ${had.total} orders already; nothing to do`);
    return;
  }
  const [m1, m2, m3] = [await merchant(1), await merchant(2), await merchant(3)];
  const [a1, a2] = await skusOf(shopper, m1.shopId, 2);
  const [b1, b2] = await skusOf(shopper, m2.shopId, 2);
  const [c1] = await skusOf(shopper, m3.shopId, 1);
  const addresses = await shopper.must(200, 'GET', '/api/v1/me/addresses');
  const address = addresses.items[0] || await shopper.must(201, 'POST', '/api/v1/me/addresses', ADDRESS);

  // 1. Cash on delivery across two shops: one completed, one on its way.
  const cod = await checkoutOf(shopper, address.id, [[a1, 1], [b1, 2]], 'cod');
  const done = orderOf(cod, m1.shopId);
  const onItsWay = orderOf(cod, m2.shopId);
  await m1.s.must(200, 'POST', `/api/v1/merchant/orders/${done.id}/ship`, { carrier: '顺丰速运', tracking_no: tracking('SF') });
  await shopper.must(200, 'POST', `/api/v1/orders/${done.id}/confirm`);
  await m2.s.must(200, 'POST', `/api/v1/merchant/orders/${onItsWay.id}/ship`, { carrier: '圆通速递', tracking_no: tracking('YT') });

  // 2. Paid on the sandbox gateway's page: the signed webhook marks it paid.
  const paid = await checkoutOf(shopper, address.id, [[c1, 1]], 'sandbox');
  const pay = await shopper.must(201, 'POST', '/api/v1/payments', { checkout_id: paid.checkout_id });
  const page = await fetch(BASE + pay.pay_url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'outcome=succeed',
    signal: AbortSignal.timeout(30000),
  });
  if (page.status !== 200) throw new Error(`sandbox page answered ${page.status}`);
  const paidOrder = paid.orders[0];
  for (let i = 0; ; i++) {
    const o = await shopper.must(200, 'GET', `/api/v1/orders/${paidOrder.id}`);
    if (o.status === 'paid') break;
    if (i === 150) throw new Error(`order ${paidOrder.id} is still ${o.status} after the payment`);
    await new Promise((r) => { setTimeout(r, 200); });
  }

  // 3. Left unpaid: pending payment until its deadline.
  const unpaid = await checkoutOf(shopper, address.id, [[a2, 1]], 'sandbox');

  // And something in an empty cart.
  const cart = await shopper.must(200, 'GET', '/api/v1/cart');
  if (cart.item_count === 0) await shopper.must(201, 'POST', '/api/v1/cart/items', { sku_id: b2, quantity: 1 });

  console.log(`demo orders for ${SHOPPER.email}: #${done.id} completed, #${onItsWay.id} shipped ` +
    `(same checkout, cash on delivery), #${paidOrder.id} paid (sandbox), #${unpaid.orders[0].id} pending payment; ` +
    `${cart.item_count === 0 ? 'one item put in the cart' : 'the cart left as it was'}`);
}

main().catch((e) => {
  console.error(`demo orders: ${e.message}`);
  process.exit(1);
});
