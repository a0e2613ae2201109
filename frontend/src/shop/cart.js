// Cart display: money sums in minor units (never floats), one summary per
// merchant group, and what to tell the shopper when stock runs short.
// Pure functions over the API's Cart/QuoteGroup shapes; unit-tested.
import { formatMoney } from '../shared/money.js';

const ZERO = (currency) => ({ amount: 0, currency });

/** a + b for money of one currency; a missing side counts as zero. */
export function addMoney(a, b) {
  if (!a) return b ? { ...b } : null;
  if (!b) return { ...a };
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} to ${b.currency}`);
  return { amount: a.amount + b.amount, currency: a.currency };
}

/** Sum a list of money objects; `currency` names the result when empty. */
export function sumMoney(list, currency = 'CNY') {
  return list.reduce((acc, m) => addMoney(acc, m), ZERO(currency)) || ZERO(currency);
}

/** unit × quantity, in minor units. */
export function lineTotal(line) {
  if (!line || !line.unit_price) return null;
  return { amount: line.unit_price.amount * line.quantity, currency: line.unit_price.currency };
}

const itemsIn = (lines) => lines.reduce((n, l) => n + (l.quantity || 0), 0);

const positive = (m) => (m && m.amount > 0 ? m : null);

/**
 * A line's money: the regular unit price, the flash-sale unit price while
 * one runs (else null), the subtotal at the regular price, the discount
 * (null when none) and what the line costs: the API's `total`, else
 * subtotal − discount.
 */
export function lineMoney(line) {
  const unit = line.unit_price || null;
  const subtotal = line.subtotal || lineTotal(line);
  const discount = positive(line.discount);
  let total = line.total || subtotal;
  if (!line.total && discount && subtotal) total = { amount: subtotal.amount - discount.amount, currency: subtotal.currency };
  const salePrice = (line.flash_sale && line.flash_sale.sale_price) || null;
  return { unit, salePrice, subtotal, discount, total };
}

/**
 * A line as locale text: `unit` (regular), `sale` (flash-sale unit price
 * or ''), `subtotal`, `discount` ('' when none), `total`, and `reduced`
 * when the line costs less than its regular subtotal.
 */
export function lineSummary(line, locale) {
  const m = lineMoney(line);
  return {
    unit: formatMoney(m.unit, locale),
    sale: m.salePrice ? formatMoney(m.salePrice, locale) : '',
    subtotal: formatMoney(m.subtotal, locale),
    discount: m.discount ? formatMoney(m.discount, locale) : '',
    total: formatMoney(m.total, locale),
    reduced: !!(m.subtotal && m.total && m.total.amount < m.subtotal.amount),
  };
}

/**
 * One merchant group for display: its name, how many items, and its
 * subtotal, discount and total as locale text (discount '' when none).
 * The API's group figures are shown; without them they are summed from
 * the lines (regular subtotals, line discounts such as flash sales).
 */
export function groupSummary(group, locale) {
  const lines = group.lines || [];
  const money = lines.map(lineMoney);
  const currency = (group.subtotal && group.subtotal.currency) || 'CNY';
  const subtotal = group.subtotal || sumMoney(money.map((m) => m.subtotal).filter(Boolean), currency);
  const discount = group.discount ? positive(group.discount)
    : positive(sumMoney(money.map((m) => m.discount).filter(Boolean), currency));
  const total = group.total
    || (discount ? { amount: subtotal.amount - discount.amount, currency: subtotal.currency } : subtotal);
  return {
    merchantId: group.merchant ? group.merchant.id : null,
    name: group.merchant ? group.merchant.name : '',
    lineCount: lines.length,
    itemCount: itemsIn(lines),
    subtotal: formatMoney(subtotal, locale),
    discount: discount ? formatMoney(discount, locale) : '',
    total: formatMoney(total, locale),
  };
}

/**
 * The whole cart for display: a summary per merchant group and the
 * totals. Unavailable lines are counted apart and left out of the money.
 * The server's totals are shown; `consistent` says whether they equal the
 * sum of the groups (a cheap check that nothing was lost on the way).
 */
export function cartSummary(cart, locale) {
  const groups = (cart && cart.groups) || [];
  const unavailable = (cart && cart.unavailable) || [];
  const currency = (cart && cart.total && cart.total.currency) || 'CNY';
  const sum = sumMoney(groups.map((g) => g.total).filter(Boolean), currency);
  const total = (cart && cart.total) || sum;
  return {
    groups: groups.map((g) => groupSummary(g, locale)),
    itemCount: groups.reduce((n, g) => n + itemsIn(g.lines || []), 0),
    unavailableCount: unavailable.length,
    subtotal: formatMoney((cart && cart.subtotal) || sum, locale),
    discount: cart && cart.discount && cart.discount.amount ? formatMoney(cart.discount, locale) : '',
    total: formatMoney(total, locale),
    consistent: sum.amount === total.amount,
    empty: !groups.length && !unavailable.length,
  };
}

/** Every line of a cart, groups first, then the unavailable ones. */
export function cartLines(cart) {
  if (!cart) return [];
  return [...(cart.groups || []).flatMap((g) => g.lines || []), ...(cart.unavailable || [])];
}

/**
 * What the shopper can do about each line the stock no longer covers:
 * reduce it to what is available, or remove it when nothing is.
 * → [{ line, action: 'reduce' | 'remove', to }]
 */
export function stockIssues(cart) {
  const out = [];
  for (const line of cartLines(cart)) {
    if (line.warning === 'unavailable' || (line.warning === 'stock_short' && !(line.available > 0))) {
      out.push({ line, action: 'remove', to: 0 });
    } else if (line.warning === 'stock_short' && line.available < line.quantity) {
      out.push({ line, action: 'reduce', to: line.available });
    }
  }
  return out;
}

/**
 * The SKU a 409 names: the API sets field "sku_id" and says "item <id>"
 * in the message. null when the error names none.
 */
export function conflictSkuId(err) {
  if (!err || err.status !== 409) return null;
  const m = /\bitem (\d+)\b/.exec(err.message || '');
  return m ? Number(m[1]) : null;
}

/** The cart line of a SKU, or null. */
export function lineOfSku(cart, skuId) {
  return cartLines(cart).find((l) => l.sku_id === skuId) || null;
}
