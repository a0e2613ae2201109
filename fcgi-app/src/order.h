/*
 * order.h - checkout and orders.
 *
 * Owns `checkouts`, `orders`, `order_items`, `order_events` and, through
 * the reservation helpers, `inventory_movements`.  One checkout is one
 * payment and creates one order per merchant.  Placing an order reserves
 * its stock in the same transaction with a conditional decrement, so stock
 * never goes below zero and two buyers can never get the same last unit;
 * every change of stock is a ledger row.  An unpaid order expires after
 * conf->order_pay_minutes and gives its stock back (job runner).
 *
 * The order state machine, enforced only by order_can_transition():
 *
 *   pending_payment -> paid -> shipped -> delivered -> completed
 *   pending_payment -> cancelled           (shopper, or expiry)
 *   pending_payment -> shipped             (cash on delivery only)
 *   paid -> cancelled                      (before shipping; refunded)
 *   paid | shipped | delivered -> refund_requested -> refunded
 *   refund_requested -> <the status it came from>   (refund rejected)
 */
#ifndef JISHI_ORDER_H
#define JISHI_ORDER_H

#include <stdbool.h>
#include <stdint.h>

struct req;

int order_quote(struct req *r);      /* POST /api/v1/checkout/quote */
int order_checkout(struct req *r);   /* POST /api/v1/checkout */
int order_list(struct req *r);       /* GET /api/v1/orders */
int order_get(struct req *r);        /* GET /api/v1/orders/:id */
int order_cancel(struct req *r);     /* POST /api/v1/orders/:id/cancel */

/* Job: cancel unpaid orders past their deadline, releasing stock. */
int order_expire_unpaid(struct req *r);

/* True when the state machine allows from -> to (payment method for the
 * cash-on-delivery shortcut).  Pure. */
bool order_can_transition(const char *from, const char *to,
                          const char *payment_method);

#endif
