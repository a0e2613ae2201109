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

/* checkout.c */
int order_quote(struct req *r);      /* POST /api/v1/checkout/quote */
int order_checkout(struct req *r);   /* POST /api/v1/checkout */

/* order.c */
int order_list(struct req *r);       /* GET /api/v1/orders */
int order_get(struct req *r);        /* GET /api/v1/orders/:id */
int order_cancel(struct req *r);     /* POST /api/v1/orders/:id/cancel */

/* Job: cancel unpaid orders past their deadline, releasing stock. */
int order_expire_unpaid(struct req *r);

struct db_result;

#include <json-c/json.h>

/* Columns of every order query, in the order order_row_json() reads. */
#define ORDER_COLS \
    "SELECT o.id, o.checkout_id, o.status, o.merchant_id, m.name," \
    " o.currency, o.subtotal, o.discount, o.shipping, o.total," \
    " o.shipping_method, o.payment_method, o.ship_recipient, o.ship_phone," \
    " o.ship_country, o.ship_region, o.ship_city, o.ship_district," \
    " o.ship_line1, o.ship_line2, o.ship_postal_code, o.carrier," \
    " o.tracking_no, DATE_FORMAT(o.pay_before, '%Y-%m-%dT%H:%i:%sZ')," \
    " DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ') " \
    "FROM orders o JOIN merchants m ON m.id = o.merchant_id "

/* Row i of an ORDER_COLS result as JSON (detail: with the timeline). */
int order_row_json(struct req *r, const struct db_result *res, unsigned i,
                   bool detail, json_object **out);

/*
 * Move order id to status `to` if the state machine allows it, inside the
 * caller's transaction: locks the row, checks it belongs to merchant_id
 * (when non-zero) or user_id (when non-zero), stamps the matching time
 * column, records the event with note.  Returns JS_OK, JS_NOTFOUND (not
 * the caller's) or JS_UNPROCESSABLE (not allowed from its status).
 */
int order_move(struct req *r, int64_t id, int64_t merchant_id,
               int64_t user_id, const char *to, const char *note);

/* Record a status change on the order's timeline (actor from r). */
int order_event(struct req *r, int64_t order_id, const char *from,
                const char *to, const char *note);

/* Reply with a page of the orders of user_id, or of merchant_id when
 * that is non-zero (?status=, ?page=, ?per_page= <= 100). */
int order_list_reply(struct req *r, int64_t user_id, int64_t merchant_id);

/* Reply with order id (scoped like order_move) as JSON with timeline. */
int order_reply(struct req *r, int64_t id, int64_t merchant_id,
                int64_t user_id);

/* True when the state machine allows from -> to (payment method for the
 * cash-on-delivery shortcut).  Pure. */
bool order_can_transition(const char *from, const char *to,
                          const char *payment_method);

#endif
