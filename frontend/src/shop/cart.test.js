// Focus: the cart's money is summed in minor units per merchant and shown
// through money.js; short stock turns into "reduce to N" or "remove".
import { describe, expect, it } from 'vitest';
import {
  addMoney, cartLines, cartSummary, conflictSkuId, groupSummary, lineMoney, lineOfSku, lineSummary, lineTotal, stockIssues,
  sumMoney,
} from './cart.js';

const CNY = (amount) => ({ amount, currency: 'CNY' });
const line = (id, sku, qty, unit, extra = {}) => ({
  id, sku_id: sku, quantity: qty, unit_price: CNY(unit), subtotal: CNY(unit * qty), available: qty, warning: null, ...extra,
});

const cart = {
  groups: [
    {
      merchant: { id: 3, name: '甲店' },
      lines: [line(1, 101, 2, 1999), line(2, 102, 1, 5)],
      subtotal: CNY(4003), discount: CNY(0), total: CNY(4003),
    },
    {
      merchant: { id: 7, name: 'B shop' },
      lines: [line(3, 201, 3, 123456, { warning: 'stock_short', available: 1 })],
      subtotal: CNY(370368), discount: CNY(368), total: CNY(370000),
    },
  ],
  unavailable: [line(4, 301, 1, 100, { warning: 'unavailable', available: 0 })],
  item_count: 7, subtotal: CNY(374371), discount: CNY(368), total: CNY(374003),
};

describe('money sums', () => {
  it('add in minor units without float error', () => {
    expect(addMoney(CNY(10), CNY(20))).toEqual(CNY(30));
    // 0.1 + 0.2 as fen stays exact
    expect(sumMoney([CNY(10), CNY(20), CNY(1)])).toEqual(CNY(31));
    expect(sumMoney([], 'CNY')).toEqual(CNY(0));
    expect(addMoney(null, CNY(5))).toEqual(CNY(5));
  });

  it('refuse to add two currencies', () => {
    expect(() => addMoney(CNY(1), { amount: 1, currency: 'USD' })).toThrow(/CNY/);
  });

  it('multiply unit by quantity for a line', () => {
    expect(lineTotal(line(1, 1, 3, 333))).toEqual(CNY(999));
    expect(lineTotal(null)).toBeNull();
  });
});

describe('cartSummary', () => {
  it('shows each merchant group with its own subtotal', () => {
    const s = cartSummary(cart, 'zh-CN');
    expect(s.groups).toEqual([
      { merchantId: 3, name: '甲店', lineCount: 2, itemCount: 3, subtotal: '¥40.03', discount: '', total: '¥40.03' },
      { merchantId: 7, name: 'B shop', lineCount: 1, itemCount: 3, subtotal: '¥3,703.68', discount: '¥3.68', total: '¥3,700.00' },
    ]);
  });

  it('formats the totals for the locale and checks they add up', () => {
    const zh = cartSummary(cart, 'zh-CN');
    expect(zh.total).toBe('¥3,740.03');
    expect(zh.discount).toBe('¥3.68');
    expect(zh.itemCount).toBe(6);
    expect(zh.unavailableCount).toBe(1);
    expect(zh.consistent).toBe(true);
    expect(cartSummary(cart, 'en').total).toBe('CN¥3,740.03');
    expect(cartSummary({ ...cart, total: CNY(1) }, 'en').consistent).toBe(false);
  });

  it('computes a group subtotal from its lines when the API sends none', () => {
    const g = { merchant: { id: 1, name: 'x' }, lines: [line(1, 1, 2, 250), line(2, 2, 1, 1)] };
    expect(groupSummary(g, 'zh-CN').subtotal).toBe('¥5.01');
    expect(groupSummary(g, 'zh-CN').total).toBe('¥5.01');
  });

  it('knows an empty cart', () => {
    const s = cartSummary({ groups: [], unavailable: [], total: CNY(0) }, 'zh-CN');
    expect(s.empty).toBe(true);
    expect(s.total).toBe('¥0.00');
  });
});

describe('stock issues', () => {
  it('say reduce to what is left, or remove what is gone', () => {
    const issues = stockIssues(cart).map((i) => [i.line.id, i.action, i.to]);
    expect(issues).toEqual([[3, 'reduce', 1], [4, 'remove', 0]]);
  });

  it('say remove when nothing at all is left', () => {
    const c = { groups: [{ merchant: { id: 1 }, lines: [line(9, 9, 2, 1, { warning: 'stock_short', available: 0 })] }] };
    expect(stockIssues(c).map((i) => i.action)).toEqual(['remove']);
  });

  it('ignore price changes', () => {
    const c = { groups: [{ merchant: { id: 1 }, lines: [line(9, 9, 2, 1, { warning: 'price_changed' })] }] };
    expect(stockIssues(c)).toEqual([]);
  });

  it('find the SKU a 409 names and its line', () => {
    const err = { status: 409, code: 'conflict', field: 'sku_id', message: 'out of stock: item 201 has fewer than 3 left' };
    expect(conflictSkuId(err)).toBe(201);
    expect(lineOfSku(cart, 201).id).toBe(3);
    expect(conflictSkuId({ status: 409, message: 'something else' })).toBeNull();
    expect(conflictSkuId({ status: 503, message: 'item 3' })).toBeNull();
    expect(cartLines(cart).map((l) => l.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('flash-sale lines', () => {
  // 3 × ¥99.00 at the sale price ¥74.25: ¥74.25 off each.
  const sale = { id: 5, sale_price: CNY(7425), ends_at: '2026-11-26T03:00:00Z' };
  const onSale = line(8, 501, 3, 9900, { discount: CNY(7425), total: CNY(22275), flash_sale: sale });

  it('shows the sale price, the regular subtotal and what the line costs', () => {
    expect(lineSummary(onSale, 'zh-CN')).toEqual({
      unit: '¥99.00', sale: '¥74.25', subtotal: '¥297.00', discount: '¥74.25', total: '¥222.75', reduced: true,
    });
  });

  it('works the line total out from the discount when the API sends none', () => {
    expect(lineMoney({ ...onSale, total: undefined }).total).toEqual(CNY(22275));
  });

  it('leaves a regular line at its subtotal', () => {
    expect(lineSummary(line(9, 502, 2, 500, { discount: CNY(0), total: CNY(1000), flash_sale: null }), 'en')).toEqual({
      unit: 'CN¥5.00', sale: '', subtotal: 'CN¥10.00', discount: '', total: 'CN¥10.00', reduced: false,
    });
    // An older answer without the new fields.
    expect(lineMoney(line(9, 502, 2, 500))).toMatchObject({ discount: null, total: CNY(1000), salePrice: null });
  });

  it('sums a merchant group from its lines when the API sends no group money', () => {
    const g = { merchant: { id: 2, name: '乙店' }, lines: [onSale, line(9, 502, 2, 500)] };
    expect(groupSummary(g, 'zh-CN')).toMatchObject({
      itemCount: 5, subtotal: '¥307.00', discount: '¥74.25', total: '¥232.75',
    });
  });

  it('keeps the API’s group money, which includes the line discounts', () => {
    const g = {
      merchant: { id: 2, name: '乙店' },
      lines: [onSale, line(9, 502, 2, 500)],
      subtotal: CNY(30700), discount: CNY(7425), total: CNY(23275),
    };
    const s = cartSummary({ groups: [g], unavailable: [], subtotal: CNY(30700), discount: CNY(7425), total: CNY(23275) }, 'zh-CN');
    expect(s.groups[0]).toMatchObject({ subtotal: '¥307.00', discount: '¥74.25', total: '¥232.75' });
    expect(s).toMatchObject({ discount: '¥74.25', total: '¥232.75', consistent: true });
  });
});
