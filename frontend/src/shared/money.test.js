// Focus: money in minor units is shown in the locale's format.
import { describe, expect, it } from 'vitest';
import { formatMoney, formatPriceRange, minorDigits } from './money.js';

describe('formatMoney', () => {
  it('divides fen by 100 and shows two decimals', () => {
    expect(formatMoney({ amount: 12345, currency: 'CNY' }, 'zh-CN')).toBe('¥123.45');
    expect(formatMoney({ amount: 5, currency: 'CNY' }, 'zh-CN')).toBe('¥0.05');
  });

  it('uses the locale grouping and symbol', () => {
    expect(formatMoney({ amount: 123456789, currency: 'CNY' }, 'en')).toBe('CN¥1,234,567.89');
    expect(formatMoney({ amount: 0, currency: 'CNY' }, 'en')).toBe('CN¥0.00');
  });

  it('knows currencies without minor units', () => {
    expect(minorDigits('JPY')).toBe(0);
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'en')).toBe('¥500');
  });

  it('returns empty text for missing money', () => {
    expect(formatMoney(null)).toBe('');
    expect(formatMoney({})).toBe('');
  });

  it('shows a range only when the ends differ', () => {
    const a = { amount: 1000, currency: 'CNY' };
    expect(formatPriceRange(a, { amount: 1000, currency: 'CNY' }, 'zh-CN')).toBe('¥10.00');
    expect(formatPriceRange(a, { amount: 2000, currency: 'CNY' }, 'zh-CN')).toBe('¥10.00 – ¥20.00');
  });
});
