/*
 * cart.h - the shopping cart of a guest session or a signed-in user.
 *
 * Owns `carts` and `cart_items`.  A guest's cart hangs off their session;
 * at sign-in it merges into the user's cart (quantities add up, capped),
 * so nothing picked as a guest is lost.  Reading a cart re-prices it: each
 * line shows the current price, whether it changed since it was added, and
 * whether the stock still covers it.  Amounts come from pricing.c.
 */
#ifndef JISHI_CART_H
#define JISHI_CART_H

#include <stdbool.h>
#include <stdint.h>

struct req;

#define CART_MAX_QTY 99
#define CART_MAX_LINES 100

int cart_get(struct req *r);          /* GET /api/v1/cart */
int cart_add(struct req *r);          /* POST /api/v1/cart/items */
int cart_update(struct req *r);       /* PATCH /api/v1/cart/items/:id */
int cart_remove(struct req *r);       /* DELETE /api/v1/cart/items/:id */

/*
 * Move the cart of guest session `session_id` into user_id's cart (inside
 * the sign-in transaction).  Returns JS_OK or a db error.
 */
int cart_merge_guest(struct req *r, int64_t session_id, int64_t user_id);

/* The cart id of the caller (creating one when create), 0 when none. */
int cart_id_of(struct req *r, bool create, int64_t *id);

/* Empty a cart (after checkout). */
int cart_clear(struct req *r, int64_t cart_id);

#endif
