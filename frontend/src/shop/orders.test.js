// Focus: the buttons each order status gets, the orders of one checkout,
// and polling that ends at its deadline (fake clock, no real waiting).
import { describe, expect, it } from 'vitest';
import { allSettled, orderActions, ordersOfCheckout, pollUntil } from './orders.js';

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
