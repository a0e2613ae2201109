// Focus: checkout selection → request body, one Idempotency-Key per
// attempt, shipping options per merchant and the free-shipping hint.
import { describe, expect, it } from 'vitest';
import {
  allOn, bodyKey, checkoutBody, freeShippingHint, merchantRows, methodOf, nextAttempt, pickAddress, shippingOptions,
} from './checkout.js';

const CNY = (amount) => ({ amount, currency: 'CNY' });

describe('address choice', () => {
  const list = [{ id: 4, is_default: false }, { id: 9, is_default: true }];
  it('keeps the current pick while it exists, else the default, else the first', () => {
    expect(pickAddress(list, 4)).toBe(4);
    expect(pickAddress(list, 5)).toBe(9);
    expect(pickAddress(list)).toBe(9);
    expect(pickAddress([{ id: 2, is_default: false }])).toBe(2);
    expect(pickAddress([])).toBeNull();
  });
});

describe('checkoutBody', () => {
  it('sends only the non-standard methods, in merchant order', () => {
    const b = checkoutBody({ addressId: 5, payment: 'sandbox', methods: { 12: 'express', 3: 'standard', 4: 'express' } });
    expect(b).toEqual({ address_id: 5, payment_method: 'sandbox', shipping_methods: { 4: 'express', 12: 'express' } });
    expect(bodyKey(b)).toBe('{"address_id":5,"payment_method":"sandbox","shipping_methods":{"4":"express","12":"express"}}');
  });

  it('leaves shipping_methods out when all are standard, and needs an address', () => {
    expect(checkoutBody({ addressId: 5, methods: { 1: 'standard' } })).toEqual({ address_id: 5, payment_method: 'cod' });
    expect(checkoutBody({ addressId: null })).toBeNull();
  });

  it('never sends an unknown method', () => {
    expect(checkoutBody({ addressId: 1, payment: 'card', methods: { 1: 'drone' } }))
      .toEqual({ address_id: 1, payment_method: 'cod' });
  });

  it('puts every merchant on one method for the option quotes', () => {
    expect(allOn({ address_id: 1, payment_method: 'cod', shipping_methods: { 2: 'express' } }, [2, 3], 'standard'))
      .toEqual({ address_id: 1, payment_method: 'cod' });
    expect(allOn({ address_id: 1, payment_method: 'cod' }, [3, 2], 'express'))
      .toEqual({ address_id: 1, payment_method: 'cod', shipping_methods: { 2: 'express', 3: 'express' } });
  });
});

describe('idempotency attempts', () => {
  let n = 0;
  const makeKey = () => `k${++n}`;
  it('reuse the key while the body is the same, and take a new one when it changes', () => {
    const body = checkoutBody({ addressId: 1, payment: 'cod' });
    const a = nextAttempt(null, body, makeKey);
    const b = nextAttempt(a, checkoutBody({ addressId: 1, payment: 'cod' }), makeKey);
    expect(b).toBe(a);
    const c = nextAttempt(b, checkoutBody({ addressId: 1, payment: 'sandbox' }), makeKey);
    expect(c.key).not.toBe(a.key);
    const d = nextAttempt(c, checkoutBody({ addressId: 1, payment: 'sandbox', methods: { 7: 'express' } }), makeKey);
    expect(d.key).not.toBe(c.key);
  });
});

describe('shipping options', () => {
  const quote = { groups: [
    { merchant_id: 3, shipping_method: 'standard', subtotal: CNY(5000), shipping: CNY(800), shipping_options: [
      { method: 'standard', shipping: CNY(800), free_over: CNY(9900) },
      { method: 'express', shipping: CNY(2000), free_over: null },
    ] },
    { merchant_id: 7, shipping_method: 'standard', subtotal: CNY(12000), shipping: CNY(0), shipping_options: [
      { method: 'standard', shipping: CNY(0), free_over: CNY(9900) },
    ] },
  ] };

  it('lists the methods of each merchant with their fees and thresholds, in the order of the quote', () => {
    const o = shippingOptions(quote);
    expect(o[3].map((x) => [x.method, x.shipping.amount, x.freeOver])).toEqual([['standard', 800, 9900], ['express', 2000, null]]);
    expect(o[7].map((x) => [x.method, x.shipping.amount])).toEqual([['standard', 0]]);
  });

  it('gives nothing for a missing quote or a group without options', () => {
    expect(shippingOptions(null)).toEqual({});
    expect(shippingOptions({ groups: [{ merchant_id: 1 }] })).toEqual({ 1: [] });
  });

  it('say how much more ships free, or that it already does', () => {
    const o = shippingOptions(quote);
    expect(freeShippingHint(o[3][0], CNY(5000))).toEqual({ state: 'short', threshold: CNY(9900), remaining: CNY(4900) });
    expect(freeShippingHint(o[7][0], CNY(12000))).toEqual({ state: 'free' });
    expect(freeShippingHint(o[3][1], CNY(5000))).toBeNull(); // express: no threshold
    // a fee above the threshold contradicts it: no claim
    expect(freeShippingHint({ method: 'standard', shipping: CNY(800), freeOver: 9900 }, CNY(10000))).toBeNull();
  });
});


describe('merchant rows', () => {
  it('join cart groups (names, lines) and quote groups (money) by merchant', () => {
    const cart = { groups: [
      { merchant: { id: 7, name: 'B' }, lines: [{ id: 1 }] },
      { merchant: { id: 3, name: 'A' }, lines: [{ id: 2 }] },
    ] };
    const quote = { groups: [{ merchant_id: 3, total: CNY(1) }] };
    const rows = merchantRows(cart, quote);
    expect(rows.map((r) => [r.merchant.name, r.quote && r.quote.total.amount])).toEqual([['B', null], ['A', 1]]);
    expect(methodOf({ 3: 'express' }, 3)).toBe('express');
    expect(methodOf({}, 3)).toBe('standard');
  });
});
