/*
 * refund.h - refunds and returns.  Owns `refunds`.
 *
 * A shopper asks for a refund of a paid, shipped or delivered order (the
 * whole order); the order waits in refund_requested.  The merchant either
 * approves — the money goes back through the payment provider, the items
 * go back into stock (a `restock` row each in the inventory ledger) and
 * the order is refunded — or rejects with a note, and the order returns
 * to the status it had.  Every decision is audited; the shopper is mailed.
 */
#ifndef JISHI_REFUND_H
#define JISHI_REFUND_H

struct req;

/* POST /api/v1/orders/:id/refund */
int refund_request(struct req *r);
/* POST /api/v1/merchant/orders/:id/refund/approve */
int refund_approve(struct req *r);
/* POST /api/v1/merchant/orders/:id/refund/reject */
int refund_reject(struct req *r);

#endif
