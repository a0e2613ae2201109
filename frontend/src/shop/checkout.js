// Checkout selection state: which address, which shipping method per
// merchant, which payment method; the request body they make; one
// Idempotency-Key per attempt (the same body keeps its key, so a double
// click or a retry places at most one set of orders); the shipping options
// per merchant from the quote. Pure functions; unit-tested.

export const PAYMENT_METHODS = ['cod', 'sandbox'];
export const SHIPPING_METHODS = ['standard', 'express'];


/** Keep the picked address while it exists; else the default, else the first. */
export function pickAddress(addresses, current = null) {
  if (!addresses || !addresses.length) return null;
  if (current !== null && addresses.some((a) => a.id === current)) return current;
  const def = addresses.find((a) => a.is_default);
  return (def || addresses[0]).id;
}

/**
 * The body of /checkout/quote and /checkout. Only non-standard methods are
 * sent (the API takes "standard" for a merchant not named), with merchant
 * ids in ascending order so equal choices give equal JSON. null without an
 * address.
 */
export function checkoutBody({ addressId, payment = 'cod', methods = {} }) {
  if (!addressId) return null;
  const body = {
    address_id: addressId,
    payment_method: PAYMENT_METHODS.includes(payment) ? payment : 'cod',
  };
  const chosen = Object.keys(methods)
    .filter((id) => methods[id] && methods[id] !== 'standard' && SHIPPING_METHODS.includes(methods[id]))
    .sort((a, b) => Number(a) - Number(b));
  if (chosen.length) {
    body.shipping_methods = Object.fromEntries(chosen.map((id) => [String(id), methods[id]]));
  }
  return body;
}

/** A stable text of a body: equal choices, equal text. */
export function bodyKey(body) {
  return body ? JSON.stringify(body) : '';
}

/**
 * The attempt to use for placing `body`: the previous one when the body is
 * unchanged (same key: the server replays the first result), else a new
 * one with a fresh key from `makeKey`.
 */
export function nextAttempt(prev, body, makeKey) {
  const k = bodyKey(body);
  if (prev && prev.body === k) return prev;
  return { body: k, key: makeKey() };
}

/** The same body with every merchant of `merchantIds` on `method`. */
export function allOn(body, merchantIds, method) {
  const methods = Object.fromEntries(merchantIds.map((id) => [String(id), method]));
  return checkoutBody({ addressId: body.address_id, payment: body.payment_method, methods });
}

/**
 * Shipping options per merchant from a quote's `shipping_options` (every
 * method that ships that merchant's goods to the address, with its fee
 * for the group and the goods total from which it is free).
 * → { [merchantId]: [{ method, shipping, freeOver }] }, freeOver in minor
 * units or null.
 */
export function shippingOptions(quote) {
  const out = {};
  for (const g of (quote && quote.groups) || []) {
    out[g.merchant_id] = (g.shipping_options || []).map((o) => ({
      method: o.method,
      shipping: o.shipping,
      freeOver: o.free_over && typeof o.free_over.amount === 'number' ? o.free_over.amount : null,
    }));
  }
  return out;
}

/**
 * The free-shipping line of a standard option for a merchant group:
 * { state: 'free' } when it ships free, { state: 'short', remaining } with
 * the money still to add, or null when there is no threshold or the figures
 * disagree with it (so the page never claims what the server did not do).
 */
export function freeShippingHint(option, subtotal) {
  if (!option || !option.shipping || !subtotal) return null;
  if (option.shipping.amount === 0) return { state: 'free' };
  const over = option.freeOver;
  if (!over || over <= 0) return null;
  if (subtotal.amount >= over) return null;
  return {
    state: 'short',
    threshold: { amount: over, currency: subtotal.currency },
    remaining: { amount: over - subtotal.amount, currency: subtotal.currency },
  };
}

/**
 * Merchant rows for the page: the cart group (name, lines) beside the quote
 * group (money) of the same merchant, in the cart's order.
 */
export function merchantRows(cart, quote) {
  const byId = new Map(((quote && quote.groups) || []).map((g) => [g.merchant_id, g]));
  return ((cart && cart.groups) || []).map((g) => ({
    merchant: g.merchant,
    lines: g.lines || [],
    quote: byId.get(g.merchant.id) || null,
  }));
}

/** The method a merchant is on in `methods` (default standard). */
export function methodOf(methods, merchantId) {
  return (methods && methods[merchantId]) || 'standard';
}
