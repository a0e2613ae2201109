// Focus: which SKU matches the picked options, and which values remain.
import { describe, expect, it } from 'vitest';
import { findSku, initialPick, isValueSelectable, optionValues, pickValue } from './variants.js';

const product = {
  options: ['颜色', '尺码'],
  skus: [
    { id: 1, options: ['黑色', 'S'], stock_status: 'out_of_stock' },
    { id: 2, options: ['黑色', 'M'], stock_status: 'in_stock' },
    { id: 3, options: ['白色', 'M'], stock_status: 'low_stock' },
    { id: 4, options: ['白色', 'L'], stock_status: 'in_stock' },
  ],
};

describe('variants', () => {
  it('lists each axis with its values', () => {
    expect(optionValues(product)).toEqual([
      { name: '颜色', values: ['黑色', '白色'] },
      { name: '尺码', values: ['S', 'M', 'L'] },
    ]);
  });

  it('finds the SKU for a full pick', () => {
    expect(findSku(product.skus, ['白色', 'L']).id).toBe(4);
    expect(findSku(product.skus, ['黑色', 'L'])).toBeNull();
    expect(findSku(product.skus, ['黑色', null])).toBeNull();
  });

  it('handles products without options (one SKU)', () => {
    const p = { options: [], skus: [{ id: 9, options: [], stock_status: 'in_stock' }] };
    expect(initialPick(p)).toEqual([]);
    expect(findSku(p.skus, []).id).toBe(9);
  });

  it('starts from the first SKU in stock', () => {
    expect(initialPick(product)).toEqual(['黑色', 'M']);
  });

  it('tells which values combine with the other picks', () => {
    expect(isValueSelectable(product.skus, ['黑色', 'M'], 1, 'L')).toBe(false);
    expect(isValueSelectable(product.skus, ['黑色', 'M'], 1, 'S')).toBe(true);
    expect(isValueSelectable(product.skus, ['黑色', 'M'], 1, 'S', true)).toBe(false);
    expect(isValueSelectable(product.skus, ['黑色', 'M'], 0, '白色')).toBe(true);
  });

  it('moves the other picks when a value does not combine', () => {
    expect(pickValue(product.skus, ['黑色', 'M'], 1, 'L')).toEqual(['白色', 'L']);
    expect(pickValue(product.skus, ['黑色', 'M'], 0, '白色')).toEqual(['白色', 'M']);
  });
});
