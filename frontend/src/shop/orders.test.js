// Focus: the buttons each order status gets, the orders of one checkout,
// polling that ends at its deadline (fake clock, no real waiting), and
// which timeline notes are translated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allSettled, merchantActions, orderActions, ordersOfCheckout, pollUntil, timelineNote,
} from './orders.js';

describe('merchantActions', () => {
  const on = (status, payment_method = 'sandbox') =>
    Object.entries(merchantActions({ status, payment_method })).filter(([, v]) => v).map(([k]) => k);

  it('follow the state machine', () => {
    expect(on('pending_payment')).toEqual([]);
    expect(on('pending_payment', 'cod')).toEqual(['ship']);
    expect(on('paid')).toEqual(['ship']);
    expect(on('shipped')).toEqual(['deliver']);
    expect(on('refund_requested')).toEqual(['decide']);
    for (const s of ['delivered', 'completed', 'cancelled', 'refunded']) expect(on(s), s).toEqual([]);
    expect(on(undefined)).toEqual([]);
    expect(merchantActions(null)).toEqual({ ship: false, deliver: false, decide: false });
  });
});

describe('timelineNote', () => {
  const zh = JSON.parse(readFileSync(new URL('../i18n/zh-CN.json', import.meta.url), 'utf8'));
  const the = (key) => key.split('.').reduce((o, k) => o && o[k], zh);

  it("gives the server's own notes a message, which every locale has", () => {
    for (const note of ['order placed', 'receipt confirmed', 'delivered by the carrier',
      'completed automatically after delivery', 'cancelled by the shopper', 'payment deadline passed']) {
      const n = timelineNote(note);
      expect(n.key).toMatch(/^orders\.note\./);
      expect(the(n.key), note).toBeTruthy();
    }
    expect(timelineNote('paid via sandbox')).toEqual({ key: 'orders.note.paidVia', params: { method: 'sandbox' } });
  });

  it("shows anyone's own words as written, and nothing for no note", () => {
    expect(timelineNote('顺丰速运 SF1234567890')).toEqual({ text: '顺丰速运 SF1234567890' });
    expect(timelineNote('order placed twice')).toEqual({ text: 'order placed twice' });
    expect(timelineNote('paid via <b>x</b>')).toEqual({ text: 'paid via <b>x</b>' });
    expect(timelineNote('')).toBeNull();
    expect(timelineNote(null)).toBeNull();
  });
});

describe('orderActions', () => {
  const on = (status, payment_method = 'cod') =>
    Object.entries(orderActions({ status, payment_method })).filter(([, v]) => v).map(([k]) => k);

  it('follow the state machine', () => {
    expect(on('pending_payment')).toEqual(['cancel']);
    expect(on('pending_payment', 'sandbox')).toEqual(['cancel', 'pay']);
    expect(on('paid')).toEqual(['refund']);
    expect(on('shipped')).toEqual(['confirm', 'refund']);
    expect(on('delivered')).toEqual(['confirm', 'refund']);
    for (const s of ['completed', 'cancelled', 'refund_requested', 'refunded']) expect(on(s)).toEqual([]);
    expect(on(undefined)).toEqual([]);
  });
});

describe('orders of a checkout', () => {
  const list = { items: [
    { id: 1, checkout_id: 5, status: 'paid' },
    { id: 2, checkout_id: 6, status: 'pending_payment' },
    { id: 3, checkout_id: 5, status: 'pending_payment' },
  ] };
  it('are picked by checkout id, given as text or number', () => {
    expect(ordersOfCheckout(list, '5').map((o) => o.id)).toEqual([1, 3]);
    expect(ordersOfCheckout(null, 5)).toEqual([]);
  });
  it('are settled once none waits for payment', () => {
    expect(allSettled(ordersOfCheckout(list, 5))).toBe(false);
    expect(allSettled([{ status: 'paid' }, { status: 'cancelled' }])).toBe(true);
    expect(allSettled([])).toBe(false);
  });
});

describe('pollUntil', () => {
  function clock() {
    let t = 0;
    return { now: () => t, sleep: async (ms) => { t += ms; }, get t() { return t; } };
  }

  it('returns as soon as the condition holds', async () => {
    const c = clock();
    let calls = 0;
    const r = await pollUntil(async () => ++calls, (v) => v === 3, { ...c, intervalMs: 100, deadlineMs: 10000 });
    expect(r).toEqual({ value: 3, done: true, error: null });
    expect(c.t).toBe(200);
  });

  it('gives up at the deadline with the last value', async () => {
    const c = clock();
    const r = await pollUntil(async () => 'pending', () => false, { ...c, intervalMs: 1000, deadlineMs: 3500 });
    expect(r.done).toBe(false);
    expect(r.value).toBe('pending');
    expect(c.t).toBe(3000);
  });

  it('keeps polling through failed calls and reports the last error', async () => {
    const c = clock();
    let n = 0;
    const r = await pollUntil(async () => {
      n++;
      if (n < 3) throw new Error('503');
      return 'paid';
    }, (v) => v === 'paid', { ...c, intervalMs: 10, deadlineMs: 1000 });
    expect(r.done).toBe(true);
    const fail = await pollUntil(async () => { throw new Error('down'); }, () => true, { ...c, intervalMs: 10, deadlineMs: 25 });
    expect(fail.done).toBe(false);
    expect(fail.error.message).toBe('down');
  });

  it('stops when cancelled', async () => {
    const c = clock();
    let n = 0;
    const r = await pollUntil(async () => ++n, () => false, { ...c, intervalMs: 10, deadlineMs: 1e6, cancelled: () => n >= 2 });
    expect(r.done).toBe(false);
    expect(n).toBe(2);
  });
});
