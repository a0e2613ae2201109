// Variant selection on the product page. A product names its option axes
// (`options: ["颜色", "尺码"]`) and each SKU gives one value per axis in the
// same order (`skus[].options: ["黑色", "M"]`). The shopper picks one value
// per axis; these functions find the matching SKU and which values can still
// be combined with the other picks.

/** The distinct values of each axis, in first-seen order. */
export function optionValues(product) {
  const names = product.options || [];
  return names.map((name, i) => {
    const seen = [];
    for (const sku of product.skus || []) {
      const v = sku.options && sku.options[i];
      if (v !== undefined && v !== null && !seen.includes(v)) seen.push(v);
    }
    return { name, values: seen };
  });
}

/** The SKU whose values equal `picked` on every axis, or null. */
export function findSku(skus, picked) {
  if (!Array.isArray(skus) || !Array.isArray(picked)) return null;
  if (picked.some((v) => v === null || v === undefined)) return null;
  return skus.find((s) => Array.isArray(s.options)
    && s.options.length === picked.length
    && s.options.every((v, i) => v === picked[i])) || null;
}

/**
 * Whether choosing `value` on axis `axis`, keeping the other picks, leads
 * to a SKU that exists (and, with `inStockOnly`, is not out of stock).
 */
export function isValueSelectable(skus, picked, axis, value, inStockOnly = false) {
  return (skus || []).some((s) => s.options
    && s.options[axis] === value
    && s.options.every((v, i) => i === axis || picked[i] === null || picked[i] === undefined || picked[i] === v)
    && (!inStockOnly || s.stock_status !== 'out_of_stock'));
}

/** The starting pick: the values of the first SKU in stock (else the first SKU). */
export function initialPick(product) {
  const skus = product.skus || [];
  const sku = skus.find((s) => s.stock_status !== 'out_of_stock') || skus[0];
  const n = (product.options || []).length;
  if (!sku) return Array(n).fill(null);
  return Array.from({ length: n }, (_, i) => (sku.options ? sku.options[i] ?? null : null));
}

/**
 * Pick `value` on `axis`. If the other picks no longer form a SKU, they are
 * moved to the first SKU that has this value (in stock first).
 */
export function pickValue(skus, picked, axis, value) {
  const next = picked.slice();
  next[axis] = value;
  if (findSku(skus, next)) return next;
  const withValue = (skus || []).filter((s) => s.options && s.options[axis] === value);
  const best = withValue.find((s) => s.stock_status !== 'out_of_stock') || withValue[0];
  return best ? best.options.slice() : next;
}
