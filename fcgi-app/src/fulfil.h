/*
 * fulfil.h - after the order is placed: a merchant's view of its orders,
 * shipping with carrier and tracking number, delivery, the shopper's
 * confirmation of receipt, and completion N days after delivery.
 *
 * Merchant routes act for the session's acting merchant only: another
 * merchant's order is "not found".  Every merchant change is audited.
 * Status changes go through order_move() (order.h), which enforces the
 * state machine.
 */
#ifndef JISHI_FULFIL_H
#define JISHI_FULFIL_H

struct req;

int fulfil_list(struct req *r);       /* GET /api/v1/merchant/orders */
int fulfil_get(struct req *r);        /* GET /api/v1/merchant/orders/:id */
int fulfil_ship(struct req *r);       /* POST …/merchant/orders/:id/ship */
int fulfil_deliver(struct req *r);    /* POST …/merchant/orders/:id/deliver */
int fulfil_confirm(struct req *r);    /* POST /api/v1/orders/:id/confirm */

/* Job: complete orders delivered more than conf->auto_complete_days ago. */
int fulfil_auto_complete(struct req *r);

#endif
