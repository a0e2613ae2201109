// Payments through nginx: starting a sandbox payment, the hosted page,
// the simulated gateway's signed webhook delivered by the job runner, and
// the webhook's defences: a replayed event (re-signed with the secret from
// the config) is a duplicate, a forged or stale signature is refused and
// recorded nowhere, a wrong amount is refused and changes no order, a
// "failed" after "succeeded" changes nothing, and a payment for an order
// cancelled meanwhile leaves it cancelled with "refund due" noted. Also
// cash on delivery (nothing to start) and other users' checkouts.
//
// The fixture (merchants, products, SKUs) is this file's own, inserted by
// SQL under a random tag (orders-lib.mjs); the inventory ledger is checked
// after every test. Synchronisation is a poll against a deadline.
//
// Env: JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (SQL), JISHI_CONFIG (the
// sandbox secret: payments.sandbox_secret).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, before, describe, test } from 'node:test';

import { configPath, expectError, expectStatus, show } from './accounts-lib.mjs';
import { BASE, waitFor } from './lib.mjs';
import {
  ALL_SKUS, CNY, DB, assertLedgerConsistent, checkout, createShop, lit,
  shopper, sql, sqlInt,
} from './orders-lib.mjs';

let SECRET;
const WEBHOOK = '/api/v1/payments/webhook/sandbox';

let shop;
const S = (k) => shop.skus[k];

before(async () => {
  SECRET = JSON.parse(readFileSync(configPath(), 'utf8'))?.payments?.sandbox_secret;
  assert.ok(SECRET && SECRET.length >= 16, `payments.sandbox_secret in ${configPath()}`);
  shop = await createShop({
    merchants: {
      a: { skus: { pa1: { price: 12345, stock: 200, weight: 300 } } },
      b: { skus: { pb1: { price: 4000, stock: 200, weight: 500 } } },
    },
  });
});

afterEach(async () => {
  if (shop) await assertLedgerConsistent([...ALL_SKUS.keys()]);
});

// --- helpers -------------------------------------------------------------------

function sign(body, t = Math.floor(Date.now() / 1000), secret = SECRET) {
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

async function postWebhook(body, signature) {
  const headers = { 'Content-Type': 'application/json' };
  if (signature !== undefined) headers['Jishi-Signature'] = signature;
  const res = await fetch(`${BASE}${WEBHOOK}`, {
    method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, method: 'POST', path: WEBHOOK };
}

function event(ref, amount, type = 'payment.succeeded', { currency = 'CNY', id } = {}) {
  return JSON.stringify({
    id: id ?? `evt_test_${randomBytes(10).toString('hex')}`,
    type,
    data: { payment_ref: ref, amount, currency },
    created: Math.floor(Date.now() / 1000),
  });
}

// A signed-in shopper with a sandbox (default) checkout of one line per
// SKU key given: one order per merchant.
async function buy(keys, method = 'sandbox') {
  const u = await shopper('pay');
  const items = keys.map((k) => ({ sku_id: S(k).id, quantity: 1 }));
  const r = await checkout(u.client, { address_id: u.address.id, payment_method: method, items });
  expectStatus(r, 201, 'checkout');
  return { u, co: r.json };
}

async function startPayment(client, checkoutId, status = 201) {
  const r = await client.post('/api/v1/payments', { checkout_id: checkoutId });
  expectStatus(r, status, 'POST /api/v1/payments');
  return r.json;
}

function refOf(p) {
  const m = /^\/api\/v1\/sandbox\/pay\/(sbx_[0-9a-f]{24})$/.exec(p.pay_url ?? '');
  assert.ok(m, `pay_url of ${JSON.stringify(p)}`);
  return m[1];
}

async function orderStatuses(checkoutId) {
  const out = await sql(`SELECT status FROM ${DB}.orders WHERE checkout_id = ${Number(checkoutId)} ORDER BY id`);
  return out.split('\n').filter(Boolean);
}

async function paymentStatus(id) {
  return (await sql(`SELECT status FROM ${DB}.payments WHERE id = ${Number(id)}`)).trim();
}

function eventsWith(eventId) {
  return sqlInt(`SELECT COUNT(*) FROM ${DB}.payment_events WHERE event_id = ${lit(eventId)}`);
}

async function eventRow(eventId) {
  const out = await sql(`SELECT applied, note FROM ${DB}.payment_events
    WHERE provider = 'sandbox' AND event_id = ${lit(eventId)}`);
  const [applied, note] = out.split('\t');
  return { applied: Number(applied), note };
}

async function decide(ref, outcome, status = 200) {
  const r = await fetch(`${BASE}/api/v1/sandbox/pay/${ref}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `outcome=${outcome}`,
    redirect: 'manual',
    signal: AbortSignal.timeout(15000),
  });
  const text = await r.text();
  assert.equal(r.status, status, `decide ${outcome} on ${ref}: ${text.slice(0, 300)}`);
  return text;
}

// The event the gateway delivered for ref (exact body), once delivered.
async function deliveredEvent(ref) {
  const out = await waitFor(`delivery of ${ref}`, async () => {
    const o = await sql(`SELECT HEX(body) FROM ${DB}.sandbox_deliveries
      WHERE payment_ref = ${lit(ref)} AND delivered_at IS NOT NULL`);
    return o || null;
  }, { timeoutMs: 30000 });
  return Buffer.from(out.trim(), 'hex').toString('utf8');
}

const money = (n) => `CNY ${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

// --- the happy path ------------------------------------------------------------

describe('sandbox payment', () => {
  test('pay on the hosted page: the webhook marks every order paid, once', async () => {
    const { u, co } = await buy(['pa1', 'pb1']);
    assert.equal(co.orders.length, 2, 'one order per merchant');
    const total = co.total.amount;

    const p = await startPayment(u.client, co.checkout_id);
    assert.equal(p.provider, 'sandbox');
    assert.equal(p.status, 'pending');
    assert.deepEqual(p.amount, CNY(total), 'the sum of the orders');
    assert.equal(p.checkout_id, co.checkout_id);
    const ref = refOf(p);
    // Starting again returns the same pending payment.
    const again = await startPayment(u.client, co.checkout_id, 200);
    assert.equal(again.payment_id, p.payment_id);
    assert.equal(again.pay_url, p.pay_url);

    // The hosted page: HTML with the amount and the two choices.
    const page = await fetch(`${BASE}${p.pay_url}`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.ok(html.includes(money(total)), `amount ${money(total)} on the page`);
    assert.match(html, /Jishi Sandbox Pay/);
    assert.match(html, /name="outcome" value="succeed"/);
    assert.match(html, /name="outcome" value="fail"/);
    assert.ok(!/<script/i.test(html), 'no scripts');

    await decide(ref, 'succeed');
    // A second decision is refused and changes nothing.
    await decide(ref, 'fail', 409);

    await waitFor('orders paid', async () =>
      (await orderStatuses(co.checkout_id)).every((s) => s === 'paid'), { timeoutMs: 30000 });
    let r = await u.client.get(`/api/v1/payments/${p.payment_id}`);
    expectStatus(r, 200);
    assert.equal(r.json.status, 'succeeded');
    assert.equal(r.json.pay_url, null);
    for (const o of co.orders) {
      r = await u.client.get(`/api/v1/orders/${o.id}`);
      expectStatus(r, 200);
      assert.equal(r.json.status, 'paid');
      const paid = r.json.timeline.find((e) => e.to === 'paid');
      assert.ok(paid, `timeline of ${o.id}: ${show(r)}`);
      assert.equal(paid.by, 'system');
      assert.equal(paid.note, 'paid via sandbox');
    }
    const body = await deliveredEvent(ref);
    const ev = JSON.parse(body);
    assert.equal(ev.type, 'payment.succeeded');
    assert.deepEqual(ev.data, { payment_ref: ref, amount: total, currency: 'CNY' });
    assert.deepEqual(await eventRow(ev.id), { applied: 1, note: 'paid 2 order(s)' });
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.outbox WHERE kind = 'payment_received'
      AND recipient = ${lit(u.email)}`), 1, 'one "payment received" mail');

    // The exact event again (re-signed now): a duplicate, nothing changes.
    r = await postWebhook(body, sign(body));
    expectStatus(r, 200, 'replay');
    assert.equal(r.json.status, 'duplicate');
    assert.equal(await eventsWith(ev.id), 1);

    // A "failed" after "succeeded" (reordered): recorded, ignored.
    const late = event(ref, total, 'payment.failed');
    r = await postWebhook(late, sign(late));
    expectStatus(r, 200, 'reordered failed');
    assert.equal(r.json.status, 'ignored');
    assert.deepEqual(await eventRow(JSON.parse(late).id),
      { applied: 0, note: 'payment already succeeded' });
    assert.equal(await paymentStatus(p.payment_id), 'succeeded');
    assert.deepEqual(await orderStatuses(co.checkout_id), ['paid', 'paid']);
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.order_events e
      JOIN ${DB}.orders o ON o.id = e.order_id
      WHERE o.checkout_id = ${co.checkout_id} AND e.to_status = 'paid'`), 2, 'paid once each');

    // Nothing is left to pay.
    r = await u.client.post('/api/v1/payments', { checkout_id: co.checkout_id });
    expectError(r, 422, 'unprocessable');
  });

  test('declined on the hosted page: the payment fails, orders wait; a new payment can follow', async () => {
    const { u, co } = await buy(['pa1']);
    const p = await startPayment(u.client, co.checkout_id);
    const ref = refOf(p);
    await decide(ref, 'fail');
    await waitFor('payment failed', async () => (await paymentStatus(p.payment_id)) === 'failed',
      { timeoutMs: 30000 });
    const ev = JSON.parse(await deliveredEvent(ref));
    assert.equal(ev.type, 'payment.failed');
    assert.deepEqual(await eventRow(ev.id), { applied: 1, note: 'payment declined' });
    assert.deepEqual(await orderStatuses(co.checkout_id), ['pending_payment']);
    // The hosted page of a decided payment offers nothing more.
    const html = await (await fetch(`${BASE}${p.pay_url}`)).text();
    assert.ok(!html.includes('value="succeed"'), 'no buttons after a decision');

    const p2 = await startPayment(u.client, co.checkout_id, 201);
    assert.notEqual(p2.payment_id, p.payment_id);
    assert.notEqual(refOf(p2), ref);
    assert.equal(p2.status, 'pending');
  });
});

// --- the webhook's defences ----------------------------------------------------

describe('webhook', () => {
  let u;
  let co;
  let p;
  let ref;

  before(async () => {
    ({ u, co } = await buy(['pb1']));
    p = await startPayment(u.client, co.checkout_id);
    ref = refOf(p);
  });

  async function unchanged() {
    assert.equal(await paymentStatus(p.payment_id), 'pending');
    assert.deepEqual(await orderStatuses(co.checkout_id), ['pending_payment']);
  }

  test('a forged or missing signature is refused and recorded nowhere', async () => {
    const body = event(ref, p.amount.amount);
    const id = JSON.parse(body).id;
    for (const sig of [
      sign(body, undefined, 'not-the-secret-0123456789'),
      sign(event(ref, p.amount.amount)),                 // another body
      sign(body).replace(/v1=(.)/, (_, c) => `v1=${c === '0' ? '1' : '0'}`), // one digit off
      undefined,
      'garbage',
      `t=${Math.floor(Date.now() / 1000)}`,
    ]) {
      const r = await postWebhook(body, sig);
      expectError(r, 400, 'bad_request');
    }
    assert.equal(await eventsWith(id), 0, 'nothing recorded');
    await unchanged();
  });

  test('a stale timestamp is refused even when correctly signed', async () => {
    const body = event(ref, p.amount.amount);
    const now = Math.floor(Date.now() / 1000);
    for (const t of [now - 3600, now + 3600]) {
      const r = await postWebhook(body, sign(body, t));
      expectError(r, 400, 'bad_request');
      assert.match(r.json.error.message, /window/);
    }
    assert.equal(await eventsWith(JSON.parse(body).id), 0);
    await unchanged();
  });

  test('a wrong amount or currency is refused with 422 and changes no order', async () => {
    for (const body of [event(ref, p.amount.amount + 1), event(ref, p.amount.amount, undefined, { currency: 'USD' })]) {
      const r = await postWebhook(body, sign(body));
      expectError(r, 422, 'unprocessable');
      const row = await eventRow(JSON.parse(body).id);
      assert.equal(row.applied, 0);
      assert.match(row.note, /^amount mismatch/);
      // A retry of the same event is a duplicate.
      const again = await postWebhook(body, sign(body));
      expectStatus(again, 200);
      assert.equal(again.json.status, 'duplicate');
    }
    await unchanged();
  });

  test('malformed events and unknown payments change nothing', async () => {
    let body = JSON.stringify({ id: 'evt_x', type: 'payment.succeeded', data: { payment_ref: ref } });
    let r = await postWebhook(body, sign(body));
    expectError(r, 400, 'bad_request');
    body = '{"id": "evt_';
    r = await postWebhook(body, sign(body));
    expectError(r, 400, 'bad_request');
    body = event(`sbx_${'0'.repeat(24)}`, 100);
    r = await postWebhook(body, sign(body));
    expectStatus(r, 200);
    assert.equal(r.json.status, 'ignored');
    assert.deepEqual(await eventRow(JSON.parse(body).id), { applied: 0, note: 'unknown payment' });
    r = await postWebhook(body, sign(body));
    assert.equal(r.json.status, 'duplicate');
    // Cash on delivery takes no webhooks.
    const res = await fetch(`${BASE}/api/v1/payments/webhook/cod`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    });
    assert.equal(res.status, 404);
    await unchanged();
  });

  test('a payment arriving after the order was cancelled leaves it cancelled, refund due', async () => {
    const { u: u2, co: co2 } = await buy(['pa1', 'pb1']);
    const p2 = await startPayment(u2.client, co2.checkout_id);
    // One of the two orders is cancelled before the payment arrives.
    let r = await u2.client.post(`/api/v1/orders/${co2.orders[1].id}/cancel`);
    expectStatus(r, 200, 'cancel');
    const body = event(refOf(p2), p2.amount.amount);
    r = await postWebhook(body, sign(body));
    expectStatus(r, 200, 'late payment');
    assert.equal(r.json.status, 'applied');
    assert.equal(await paymentStatus(p2.payment_id), 'succeeded');
    assert.deepEqual(await orderStatuses(co2.checkout_id), ['paid', 'cancelled']);
    const row = await eventRow(JSON.parse(body).id);
    assert.equal(row.applied, 1);
    assert.match(row.note, /late payment, refund due/);
    assert.ok(row.note.includes(String(co2.orders[1].id)), row.note);
  });
});

// --- starting payments ---------------------------------------------------------

describe('starting a payment', () => {
  test('cash on delivery has nothing to start', async () => {
    const { u, co } = await buy(['pa1'], 'cod');
    const r = await u.client.post('/api/v1/payments', { checkout_id: co.checkout_id });
    expectError(r, 422, 'unprocessable');
    assert.match(r.json.error.message, /cash on delivery is paid to the courier/);
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.payments WHERE checkout_id = ${co.checkout_id}`), 0);
  });

  test("another user's checkout and payment are not found", async () => {
    const { u, co } = await buy(['pb1']);
    const p = await startPayment(u.client, co.checkout_id);
    const other = await shopper('other');
    let r = await other.client.post('/api/v1/payments', { checkout_id: co.checkout_id });
    expectError(r, 404, 'not_found');
    r = await other.client.get(`/api/v1/payments/${p.payment_id}`);
    expectError(r, 404, 'not_found');
    r = await u.client.post('/api/v1/payments', { checkout_id: 999999999 });
    expectError(r, 404, 'not_found');
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.payments WHERE checkout_id = ${co.checkout_id}`), 1);
  });

  test('input and access: CSRF, validation, sign-in', async () => {
    const { u, co } = await buy(['pa1']);
    let r = await u.client.post('/api/v1/payments', { checkout_id: co.checkout_id }, { csrf: null });
    expectError(r, 403, 'forbidden');
    r = await u.client.post('/api/v1/payments', { checkout_id: 'x' });
    expectError(r, 400, 'bad_request', 'checkout_id');
    r = await u.client.post('/api/v1/payments', {});
    expectError(r, 400, 'bad_request', 'checkout_id');
    const anon = await fetch(`${BASE}/api/v1/payments`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ checkout_id: co.checkout_id }),
    });
    assert.equal(anon.status, 401);
    // The hosted page refuses unknown references and bad decisions.
    let res = await fetch(`${BASE}/api/v1/sandbox/pay/sbx_${'f'.repeat(24)}`);
    assert.equal(res.status, 404);
    res = await fetch(`${BASE}/api/v1/sandbox/pay/%3Cscript%3E`);
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes('<script>'), 'nothing reflected');
    const p = await startPayment(u.client, co.checkout_id);
    await decide(refOf(p), 'maybe', 400);
    assert.equal(await sqlInt(`SELECT COUNT(*) FROM ${DB}.sandbox_deliveries
      WHERE payment_ref = ${lit(refOf(p))}`), 0);
  });
});
