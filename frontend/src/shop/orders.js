// What a shopper can do with an order in each status (the API's state
// machine, from openapi.yaml), and polling with a deadline for the
// payment confirmation that arrives by webhook after the sandbox page.

/** Statuses in which the order still waits for something to happen. */
export const PAYMENT_PENDING = 'pending_payment';

/**
 * The buttons an order gets:
 * - cancel: only `pending_payment` (a paid order is refunded instead);
 * - pay: an unpaid sandbox order (start or resume the payment);
 * - confirm: receipt of a `shipped` or `delivered` order;
 * - refund: from `paid`, `shipped` or `delivered`.
 */
export function orderActions(order) {
  const s = order && order.status;
  return {
    cancel: s === PAYMENT_PENDING,
    pay: s === PAYMENT_PENDING && order.payment_method === 'sandbox',
    confirm: s === 'shipped' || s === 'delivered',
    refund: s === 'paid' || s === 'shipped' || s === 'delivered',
  };
}

// The notes the server itself writes on an order's timeline (checkout.c,
// fulfil.c, order.c, payment.c) and their keys under orders.note.  Any
// other note is someone's own words (a refund reason, the shop's answer,
// the carrier and tracking number) and is shown as written.
const SYSTEM_NOTES = {
  'order placed': 'placed',
  'receipt confirmed': 'receiptConfirmed',
  'delivered by the carrier': 'deliveredByCarrier',
  'completed automatically after delivery': 'autoCompleted',
  'cancelled by the shopper': 'cancelledByShopper',
  'payment deadline passed': 'paymentDeadline',
};

/**
 * A timeline note for display: { key, params } (an orders.note.* message)
 * for the server's own notes, { text } for anything else, null for none.
 */
export function timelineNote(note) {
  if (!note) return null;
  if (SYSTEM_NOTES[note]) return { key: `orders.note.${SYSTEM_NOTES[note]}`, params: {} };
  const paid = /^paid via ([a-z]+)$/.exec(note);
  if (paid) return { key: 'orders.note.paidVia', params: { method: paid[1] } };
  return { text: note };
}

/**
 * What the shop can do with one of its orders:
 * - ship: a `paid` order, or an unpaid cash-on-delivery one (paid at the
 *   door);
 * - deliver: a `shipped` order, once the carrier has handed it over;
 * - decide: approve or reject an open refund request.
 */
export function merchantActions(order) {
  const s = order && order.status;
  return {
    ship: s === 'paid' || (s === PAYMENT_PENDING && order.payment_method === 'cod'),
    deliver: s === 'shipped',
    decide: s === 'refund_requested',
  };
}

/** The orders of one checkout in a list reply. */
export function ordersOfCheckout(list, checkoutId) {
  const id = Number(checkoutId);
  return ((list && list.items) || []).filter((o) => o.checkout_id === id);
}

/** Whether every order of the list has left pending_payment. */
export function allSettled(orders) {
  return orders.length > 0 && orders.every((o) => o.status !== PAYMENT_PENDING);
}

const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Call `fn` until `done(value)` is true or `deadlineMs` has passed, waiting
 * `intervalMs` between calls (a failed call counts as not done). Resolves
 * { value, done: boolean, error } with the last value; `cancelled()` stops
 * it early (a page that is left). Clock and sleep are injectable for tests.
 */
export async function pollUntil(fn, done, {
  deadlineMs = 30000, intervalMs = 1000, now = Date.now, sleep = defaultSleep, cancelled = () => false,
} = {}) {
  const end = now() + deadlineMs;
  let value = null;
  for (;;) {
    let error = null;
    try {
      value = await fn();
      if (done(value)) return { value, done: true, error: null };
    } catch (err) {
      error = err;
    }
    if (cancelled() || now() + intervalMs > end) return { value, done: false, error };
    await sleep(intervalMs);
    if (cancelled()) return { value, done: false, error };
  }
}
